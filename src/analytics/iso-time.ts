/** Two decimal digits at `i`, or NaN. */
function twoDigits(s: string, i: number): number {
  const a = s.charCodeAt(i) - 48;
  const b = s.charCodeAt(i + 1) - 48;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : NaN;
}

/**
 * Epoch milliseconds of an ISO 8601 timestamp, as `Date.parse` gives them. Orders store their
 * times as `Date#toISOString()` writes them (`2026-11-25T04:00:00.000Z`); for exactly that shape,
 * with an unambiguous date (day ≤ 28, year ≥ 1000), the fields are read directly, which is about
 * twice as fast as `Date.parse` — and parsing timestamps is most of the work of a summary. Every
 * other string goes to `Date.parse`, so the answer is always the same as its.
 *
 * @example
 * parseIsoTime('2026-11-25T04:00:00.000Z') // → 1795579200000
 * parseIsoTime('2026-11-25T12:00:00+08:00') // → 1795579200000 (via Date.parse)
 */
export function parseIsoTime(s: string): number {
  if (
    s.length === 24 &&
    s.charCodeAt(23) === 90 && // Z
    s.charCodeAt(4) === 45 &&
    s.charCodeAt(7) === 45 &&
    s.charCodeAt(10) === 84 && // T
    s.charCodeAt(13) === 58 &&
    s.charCodeAt(16) === 58 &&
    s.charCodeAt(19) === 46
  ) {
    const year = twoDigits(s, 0) * 100 + twoDigits(s, 2);
    const month = twoDigits(s, 5);
    const day = twoDigits(s, 8);
    const hour = twoDigits(s, 11);
    const minute = twoDigits(s, 14);
    const second = twoDigits(s, 17);
    const last = s.charCodeAt(22) - 48;
    const ms = last >= 0 && last <= 9 ? twoDigits(s, 20) * 10 + last : NaN;
    // Only dates every engine reads alike; the rest (day 29–31, hour 24, years < 1000) go the slow way.
    if (year >= 1000 && month >= 1 && month <= 12 && day >= 1 && day <= 28 && hour <= 23 && minute <= 59 && second <= 59 && ms >= 0) {
      return Date.UTC(year, month - 1, day, hour, minute, second, ms);
    }
  }
  return Date.parse(s);
}
