export { assertFen, isFen, invalidAmount, sumFen, multiplyFen } from './assert-fen.js';
export type { Fen, FenOptions } from './assert-fen.js';
export { allocate } from './allocate.js';
export { formatFen } from './format.js';
export type { FormatFenOptions } from './format.js';
