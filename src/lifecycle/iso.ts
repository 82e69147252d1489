// The formatter lives with the other time rules (src/time/iso.ts) so that after-sales use it too.
export { isoTimestamp } from '../time/iso.js';
