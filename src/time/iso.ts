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
for (let i = 0; i < 100; i++) PAD2.push(i < 10 ? `0${i}` : String(i));
// The clock part in three pieces, so that a timestamp is four strings joined, not nine:
// ':ss.' per second and 'sssZ' per millisecond (made at load, 1,060 short strings), 'HH:mm' per
// minute of the day (1,440, each made the first time it is needed).
const SECONDS: string[] = [];
for (let i = 0; i < 60; i++) SECONDS.push(`:${PAD2[i]!}.`);
const MILLIS: string[] = [];
for (let i = 0; i < 1000; i++) MILLIS.push(`${i < 10 ? '00' : i < 100 ? '0' : ''}${i}Z`);
const MINUTES: Array<string | undefined> = new Array<string | undefined>(1440).fill(undefined);
// A few recent days, direct-mapped by day number: a transition writes "now" and a deadline days
// later, so one slot would thrash.
const SLOTS = 8;
const cachedDays: number[] = new Array<number>(SLOTS).fill(Number.NaN);
const cachedPrefixes: string[] = new Array<string>(SLOTS).fill('');

// The last two instants written: one transition writes its "now" several times (the event, the
// order, an after-sale, a refund entry) and often one deadline between them.
let lastMs = Number.NaN;
let lastText = '';
let otherMs = Number.NaN;
let otherText = '';

export function isoTimestamp(ms: number): string {
  if (ms === lastMs) return lastText;
  if (ms === otherMs) return otherText;
  if (!(ms >= 0 && ms <= MAX) || ms !== Math.floor(ms)) return new Date(ms).toISOString();
  const rest = ms % DAY;
  const day = ms - rest;
  const slot = (day / DAY) & (SLOTS - 1);
  if (cachedDays[slot] !== day) {
    cachedPrefixes[slot] = new Date(day).toISOString().slice(0, 11);
    cachedDays[slot] = day;
  }
  const minute = (rest / 60_000) | 0;
  let hm = MINUTES[minute];
  if (hm === undefined) {
    hm = `${PAD2[(minute / 60) | 0]!}:${PAD2[minute % 60]!}`;
    MINUTES[minute] = hm;
  }
  otherMs = lastMs;
  otherText = lastText;
  lastMs = ms;
  lastText = cachedPrefixes[slot]! + hm + SECONDS[((rest % 60_000) / 1000) | 0]! + MILLIS[rest % 1000]!;
  return lastText;
}

/**
 * `Date.parse` of a timestamp, faster for the shape `isoTimestamp` writes
 * ('YYYY-MM-DDTHH:mm:ss.sssZ', years 1970–9999): every refund step reads the payment time back,
 * and V8's general date parser cost more than the rest of the check. Anything else (another shape,
 * an out-of-range field) goes to `Date.parse`, so the answer is always `Date.parse`'s.
 *
 * @example
 * parseIsoTimestamp('2026-11-25T04:00:00.000Z') // 1795579200000
 */
export function parseIsoTimestamp(s: string): number {
  if (s.length !== 24 || s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45 || s.charCodeAt(10) !== 84 || s.charCodeAt(13) !== 58 || s.charCodeAt(16) !== 58 || s.charCodeAt(19) !== 46 || s.charCodeAt(23) !== 90) {
    return Date.parse(s);
  }
  const year = digits(s, 0, 4);
  const month = digits(s, 5, 2);
  const day = digits(s, 8, 2);
  const hour = digits(s, 11, 2);
  const minute = digits(s, 14, 2);
  const second = digits(s, 17, 2);
  const milli = digits(s, 20, 3);
  if (!(year >= 1970) || !(month >= 1 && month <= 12) || !(day >= 1 && day <= 28) || !(hour <= 23) || !(minute <= 59) || !(second <= 59) || !(milli >= 0)) {
    return Date.parse(s); // days 29–31 too: the month's length is the runtime's to check
  }
  // Days from 1970-01-01 to the first of the month (the civil-from-days rule, years from March).
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const mp = month > 2 ? month - 3 : month + 9;
  const doy = Math.floor((153 * mp + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  const days = era * 146_097 + doe - 719_468;
  return days * DAY + hour * 3_600_000 + minute * 60_000 + second * 1000 + milli;
}

/** The decimal number in `s[from, from + n)`, NaN unless every character is a digit. */
function digits(s: string, from: number, n: number): number {
  let v = 0;
  for (let i = from; i < from + n; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return Number.NaN;
    v = v * 10 + c;
  }
  return v;
}
