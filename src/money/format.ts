import { assertFen, type Fen } from './assert-fen.js';

export interface FormatFenOptions {
  /** Currency sign in front; default '¥'. Pass '' for a bare number. */
  symbol?: string;
  /** Group thousands with ','; default true. */
  grouping?: boolean;
}

/**
 * Formats fen as yuan for people: `formatFen(123456)` → `¥1,234.56`, `formatFen(-5)` → `-¥0.05`.
 * Integer arithmetic only, so no float ever stands between the stored amount and the screen.
 */
export function formatFen(fen: Fen, options: FormatFenOptions = {}): string {
  assertFen(fen, { allowNegative: true });
  const symbol = options.symbol ?? '¥';
  const negative = fen < 0;
  const abs = negative ? -fen : fen;
  const yuan = Math.floor(abs / 100);
  const cents = abs % 100;
  let whole = String(yuan);
  if (options.grouping !== false) whole = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${negative ? '-' : ''}${symbol}${whole}.${cents < 10 ? '0' : ''}${cents}`;
}
