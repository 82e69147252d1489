/**
 * `Date.prototype.toISOString`, several times faster: every timestamp a transition writes goes
 * through here, and V8's own formatter dominated the hot path. The calendar part comes from the
 * runtime (cached per UTC day), the clock part is arithmetic. Outside years 1970–9999 it defers to
 * the runtime, so the output is always identical to `toISOString()`.
 *
 * @example
 * isoTimestamp(Date.parse('2026-11-25T04:00:00Z')) // '2026-11-25T04:00:00.000Z'
 */
const DAY = 86_400_000;
const MAX = 253_402_300_799_999; // 9999-12-31T23:59:59.999Z
const PAD2: string[] = [];
const PAD3: string[] = [];
for (let i = 0; i < 1000; i++) {
  if (i < 100) PAD2.push(i < 10 ? `0${i}` : String(i));
  PAD3.push(i < 10 ? `00${i}` : i < 100 ? `0${i}` : String(i));
}
// A few recent days, direct-mapped by day number: a transition writes "now" and a deadline days
// later, so one slot would thrash.
const SLOTS = 8;
const cachedDays: number[] = new Array<number>(SLOTS).fill(Number.NaN);
const cachedPrefixes: string[] = new Array<string>(SLOTS).fill('');

export function isoTimestamp(ms: number): string {
  if (!(ms >= 0 && ms <= MAX) || ms !== Math.floor(ms)) return new Date(ms).toISOString();
  const rest = ms % DAY;
  const day = ms - rest;
  const slot = (day / DAY) & (SLOTS - 1);
  if (cachedDays[slot] !== day) {
    cachedPrefixes[slot] = new Date(day).toISOString().slice(0, 11);
    cachedDays[slot] = day;
  }
  return (
    cachedPrefixes[slot]! +
    PAD2[(rest / 3_600_000) | 0]! +
    ':' +
    PAD2[((rest % 3_600_000) / 60_000) | 0]! +
    ':' +
    PAD2[((rest % 60_000) / 1000) | 0]! +
    '.' +
    PAD3[rest % 1000]! +
    'Z'
  );
}
