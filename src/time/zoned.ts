import { orderkitError } from '../errors/orderkit-error.js';
import { parseIsoTimestamp } from './iso.js';

/**
 * Wall-clock time in a shop's time zone: the one place where orderkit turns an instant into the
 * shop's calendar and back (deadlines, after-sale and refund windows, order numbers, views, WeChat
 * timestamps, analytics days).
 *
 * Written here over `Intl.DateTimeFormat` instead of taken from date-fns / date-fns-tz, for speed:
 * those packages cost a cloud function about 160 ms of CPU on its cold start (their CommonJS index
 * loads some 250 files), and date-fns-tz asks Intl again on every call, which made it the hottest
 * cost of after-sale steps (docs/benchmarks.md). Here a zone's offset is asked from Intl once per
 * zone and hour and cached, so the hot path is arithmetic. It uses only `formatToParts` with
 * numeric fields and `hourCycle: 'h23'`, which Node 16 supports (the `longOffset` time-zone names
 * that newer libraries read are missing there).
 *
 * A time zone is an IANA name ('Asia/Shanghai') or, as date-fns-tz accepted, a fixed offset
 * ('Z', '+08', '+08:00', '+0800'); '' means UTC.
 */

/** A span of calendar time; every field is optional (the shape date-fns calls `Duration`). */
export interface Duration {
  years?: number;
  months?: number;
  weeks?: number;
  days?: number;
  hours?: number;
  minutes?: number;
  seconds?: number;
}

const HOUR = 3_600_000;
const DAY = 86_400_000;
const MAX_CACHED_HOURS = 50_000;

// ---- offsets -------------------------------------------------------------------------------------

const FIXED_HH = /^([+-]\d{2})$/;
const FIXED_HHMM = /^([+-])(\d{2}):?(\d{2})$/;

/** The offset of a fixed-offset zone ('Z', '+08', '-05:30'), NaN for a malformed one, undefined for an IANA name. */
function fixedOffset(timeZone: string): number | undefined {
  if (timeZone === '' || timeZone === 'Z') return 0;
  let m = FIXED_HH.exec(timeZone);
  if (m) {
    const hours = parseInt(m[1]!, 10);
    return hours >= -23 && hours <= 23 ? hours * HOUR : Number.NaN;
  }
  m = FIXED_HHMM.exec(timeZone);
  if (m) {
    const hours = parseInt(m[2]!, 10);
    const minutes = parseInt(m[3]!, 10);
    if (hours > 23 || minutes > 59) return Number.NaN;
    const abs = hours * HOUR + minutes * 60_000;
    return m[1] === '+' ? abs : -abs;
  }
  return undefined;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (f === undefined) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/**
 * Asks Intl: the zone's wall clock at `ms` as if it were UTC, minus `ms` truncated to the second.
 * Throws RangeError for a zone the runtime does not know.
 */
function offsetFromIntl(ms: number, timeZone: string): number {
  let year = 0;
  let month = 1;
  let day = 1;
  let hour = 0;
  let minute = 0;
  let second = 0;
  for (const part of formatterFor(timeZone).formatToParts(ms)) {
    switch (part.type) {
      case 'year': year = parseInt(part.value, 10); break;
      case 'month': month = parseInt(part.value, 10); break;
      case 'day': day = parseInt(part.value, 10); break;
      case 'hour': hour = parseInt(part.value, 10) % 24; break; // some ICU builds say 24 at midnight
      case 'minute': minute = parseInt(part.value, 10); break;
      case 'second': second = parseInt(part.value, 10); break;
      default: break;
    }
  }
  const d = new Date(0);
  d.setUTCFullYear(year, month - 1, day); // setUTCFullYear, not Date.UTC: years 0–99 stay themselves
  d.setUTCHours(hour, minute, second, 0);
  const over = ms % 1000;
  return d.getTime() - (ms - (over >= 0 ? over : 1000 + over));
}

/**
 * Zones whose offset has been fixed since an instant, by the IANA time-zone database: the
 * People's Republic of China has kept UTC+8 without daylight saving since its last DST ended on
 * 1991-09-14T17:00Z. From then on the offset is known without asking Intl: creating the first
 * `Intl.DateTimeFormat` loads ICU's locale and zone data, about a quarter of a cloud function's
 * first-call CPU, and a shop in Asia/Shanghai (the default) should not pay it. Earlier instants
 * still go through Intl. (test/time/zoned.test.ts checks the entry against Intl.)
 */
export const FIXED_OFFSET_SINCE: ReadonlyMap<string, { readonly since: number; readonly offset: number }> = new Map([
  ['Asia/Shanghai', { since: Date.UTC(1991, 8, 14, 17), offset: 8 * HOUR }],
]);

const SHANGHAI = 'Asia/Shanghai';
const SHANGHAI_FIXED = FIXED_OFFSET_SINCE.get(SHANGHAI)!;

const offsetCache = new Map<string, Map<number, number>>();
const checkedZones = new Set<string>();
let lastZone = '';
let lastHour = Number.NaN;
let lastOffset = 0;

/**
 * The zone's offset from UTC in milliseconds at the instant `ms` (Asia/Shanghai → 28 800 000).
 * Throws `INVALID_TIME_ZONE` for a zone the runtime does not know.
 *
 * @example
 * zoneOffsetAt(Date.parse('2026-07-01T00:00:00Z'), 'America/New_York') // -14 400 000
 */
export function zoneOffsetAt(ms: number, timeZone: string): number {
  // The default zone first, without the map lookup (every deadline asks twice).
  if (timeZone === SHANGHAI && ms >= SHANGHAI_FIXED.since) return SHANGHAI_FIXED.offset;
  const known = FIXED_OFFSET_SINCE.get(timeZone);
  if (known !== undefined && ms >= known.since) return known.offset;
  const hour = Math.floor(ms / HOUR);
  if (hour === lastHour && timeZone === lastZone) return lastOffset;
  let zone = offsetCache.get(timeZone);
  if (zone === undefined) {
    assertTimeZone(timeZone);
    const fixed = fixedOffset(timeZone);
    if (fixed !== undefined) return fixed;
    zone = new Map();
    offsetCache.set(timeZone, zone);
  }
  let offset = zone.get(hour);
  if (offset === undefined) {
    const atStart = offsetFromIntl(hour * HOUR, timeZone);
    const atEnd = offsetFromIntl(hour * HOUR + HOUR - 1, timeZone);
    if (atStart !== atEnd) return offsetFromIntl(ms, timeZone); // a transition inside this hour: no caching
    offset = atStart;
    if (zone.size >= MAX_CACHED_HOURS) zone.clear();
    zone.set(hour, offset);
  }
  lastZone = timeZone;
  lastHour = hour;
  lastOffset = offset;
  return offset;
}

/** True when `timeZone` is an IANA name this runtime knows, or a well-formed fixed offset. */
export function isKnownTimeZone(timeZone: string): boolean {
  if (checkedZones.has(timeZone) || FIXED_OFFSET_SINCE.has(timeZone)) return true;
  const fixed = fixedOffset(timeZone);
  let ok: boolean;
  if (fixed !== undefined) ok = Number.isFinite(fixed);
  else {
    try {
      ok = Number.isFinite(offsetFromIntl(0, timeZone));
    } catch {
      ok = false;
    }
  }
  if (ok) checkedZones.add(timeZone);
  return ok;
}

function assertTimeZone(timeZone: string): void {
  if (isKnownTimeZone(timeZone)) return;
  throw orderkitError(
    'INVALID_TIME_ZONE',
    { 'zh-CN': `无法识别的时区 ${timeZone}，请使用 IANA 时区名（如 Asia/Shanghai）`, en: `unknown time zone ${timeZone}; use an IANA name such as Asia/Shanghai` },
    { path: ['policy', 'timeZone'], details: { timeZone } },
  );
}

// ---- wall clock ↔ instant ---------------------------------------------------------------------

/**
 * The zone's wall clock at `ms`, as milliseconds whose UTC fields are the wall-clock fields
 * (`new Date(wall).getUTCHours()` is the hour on the shop's clock).
 */
export function wallClockAt(ms: number, timeZone: string): number {
  return ms + zoneOffsetAt(ms, timeZone);
}

/**
 * Wall-clock milliseconds (as if the zone were UTC) back to the instant, DST-aware. A wall time in
 * a spring-forward gap does not exist: neither offset round-trips, so it is read with the offset
 * from before the change (the smaller one), which moves it forward by the gap, as Temporal's
 * 'compatible' disambiguation does: 02:30 on the New York spring day is 03:30 EDT. A repeated wall
 * time (autumn) is read with the offset the first probe finds.
 */
export function instantOfWallClock(wallMs: number, timeZone: string): number {
  const first = zoneOffsetAt(wallMs, timeZone);
  let instant = wallMs - first;
  const second = zoneOffsetAt(instant, timeZone);
  if (second !== first) {
    instant = wallMs - second;
    if (zoneOffsetAt(instant, timeZone) !== second) instant = wallMs - Math.min(first, second);
  }
  return instant;
}

/**
 * date-fns `addMonths` on wall-clock milliseconds: the same day of the month `amount` months
 * later, or the last day of that month when it is shorter (31 Jan + 1 month = 28/29 Feb).
 */
function addMonthsToWall(wall: number, amount: number): number {
  if (!amount) return wall;
  const date = new Date(wall);
  const dayOfMonth = date.getUTCDate();
  const endOfMonth = new Date(wall);
  endOfMonth.setUTCMonth(date.getUTCMonth() + amount + 1, 0);
  if (dayOfMonth >= endOfMonth.getUTCDate()) return endOfMonth.getTime();
  date.setUTCFullYear(endOfMonth.getUTCFullYear(), endOfMonth.getUTCMonth(), dayOfMonth);
  return date.getTime();
}

/**
 * `ms + duration` on the calendar of `timeZone`, in milliseconds: months and years are calendar
 * months there (a month from 31 Jan is 28/29 Feb), weeks and days are wall-clock days (so a day
 * across a DST change is 23 or 25 hours), hours, minutes and seconds are added to the wall clock.
 * The host's own zone never takes part.
 */
export function addInZoneMs(ms: number, duration: Duration, timeZone: string): number {
  const offset = zoneOffsetAt(ms, timeZone);
  let wall = ms + offset;
  if (duration.years || duration.months) wall = addMonthsToWall(wall, (duration.months ?? 0) + (duration.years ?? 0) * 12);
  wall += ((duration.weeks ?? 0) * 7 + (duration.days ?? 0)) * DAY + ((duration.hours ?? 0) * 3600 + (duration.minutes ?? 0) * 60 + (duration.seconds ?? 0)) * 1000;
  // Common case: no offset change in between, the wall clock maps straight back.
  if (zoneOffsetAt(wall - offset, timeZone) === offset) return wall - offset;
  return instantOfWallClock(wall, timeZone);
}

/** The remembered `addInZoneMs` result for a stored timestamp (see `addInZoneToTimestamp`). */
interface TimestampSum {
  text: string;
  timeZone: string;
  years: number | undefined;
  months: number | undefined;
  weeks: number | undefined;
  days: number | undefined;
  hours: number | undefined;
  minutes: number | undefined;
  seconds: number | undefined;
  end: number;
}

let lastSum: TimestampSum | undefined;

/**
 * `addInZoneMs(parseIsoTimestamp(text), duration, timeZone)`, the last answer remembered: a
 * deadline counted from a time stored on the order (the refund period from `paidAt`) is asked for
 * on every after-sale step of that order, and reading the text back and adding the duration cost
 * more than the rest of the check (docs/benchmarks.md, "Lifecycle"). One entry, not a map of
 * texts: a text just joined by `isoTimestamp` had to be hashed in the runtime before a map could
 * look it up, which cost as much as the sum itself (docs/benchmarks.md, "aftersale6"); the steps
 * of one order ask with the same text one after another. The entry is kept with everything the
 * answer depends on: the text, the zone and every field of the duration (compared by value, so a
 * policy object edited in place is never answered from an old entry). A zone the runtime does not
 * know still throws (nothing is remembered for it).
 *
 * @example
 * addInZoneToTimestamp('2026-11-25T04:05:00.000Z', { days: 365 }, 'Asia/Shanghai') // Date.parse('2027-11-25T04:05:00.000Z')
 */
export function addInZoneToTimestamp(text: string, duration: Duration, timeZone: string): number {
  const hit = lastSum;
  if (
    hit !== undefined &&
    hit.text === text &&
    hit.timeZone === timeZone &&
    hit.days === duration.days &&
    hit.years === duration.years &&
    hit.months === duration.months &&
    hit.weeks === duration.weeks &&
    hit.hours === duration.hours &&
    hit.minutes === duration.minutes &&
    hit.seconds === duration.seconds
  ) {
    return hit.end;
  }
  const end = addInZoneMs(parseIsoTimestamp(text), duration, timeZone);
  lastSum = {
    text,
    timeZone,
    years: duration.years,
    months: duration.months,
    weeks: duration.weeks,
    days: duration.days,
    hours: duration.hours,
    minutes: duration.minutes,
    seconds: duration.seconds,
    end,
  };
  return end;
}

/**
 * `date + duration` on the calendar of `timeZone` (see `addInZoneMs`).
 *
 * @example
 * addInZone(new Date('2026-11-25T04:00:00Z'), { days: 7 }, 'Asia/Shanghai') // 2026-12-02T04:00:00Z
 * addInZone(new Date('2026-03-07T17:00:00Z'), { days: 1 }, 'America/New_York') // 2026-03-08T16:00:00Z (23 h)
 */
export function addInZone(date: Date, duration: Duration, timeZone: string): Date {
  return new Date(addInZoneMs(date.getTime(), duration, timeZone));
}

/**
 * The first instant of the zone's wall-clock `yyyy-MM-dd` date-time `HH:mm:ss` (or midnight when
 * no time is given), as date-fns-tz's `fromZonedTime` read a zone-less string.
 *
 * @example
 * instantOfZonedDate('2026-11-25', 'Asia/Shanghai') // Date.parse('2026-11-24T16:00:00Z')
 */
export function instantOfZonedDate(date: string, timeZone: string, time = '00:00:00'): number {
  return instantOfWallClock(Date.parse(`${date}T${time}Z`), timeZone);
}

// ---- formatting ---------------------------------------------------------------------------------

const TOKENS = /'[^']*'|yyyy|SSS|xxx|MM|dd|HH|mm|ss|M|d/g;

function pad(n: number, width: number): string {
  const s = String(Math.abs(n));
  return (n < 0 ? '-' : '') + (s.length >= width ? s : '0'.repeat(width - s.length) + s);
}

function offsetText(offsetMs: number): string {
  const minutes = Math.round(offsetMs / 60_000);
  const abs = Math.abs(minutes);
  return `${minutes < 0 ? '-' : '+'}${pad(Math.floor(abs / 60), 2)}:${pad(abs % 60, 2)}`;
}

/**
 * The instant on the zone's wall clock, written with date-fns's pattern letters (the subset
 * orderkit uses): `yyyy` `MM` `M` `dd` `d` `HH` `mm` `ss` `SSS`, `xxx` for the offset (`+08:00`),
 * and `'…'` for literal text. Throws RangeError for an invalid date or an unknown zone, as
 * date-fns-tz's `formatInTimeZone` did.
 *
 * @example
 * formatInZone(new Date('2026-11-25T04:00:00Z'), 'Asia/Shanghai', "yyyy-MM-dd'T'HH:mm:ssxxx") // '2026-11-25T12:00:00+08:00'
 */
export function formatInZone(date: Date | number, timeZone: string, pattern: string): string {
  const ms = typeof date === 'number' ? date : date.getTime();
  if (!Number.isFinite(ms)) throw new RangeError('Invalid time value');
  if (!isKnownTimeZone(timeZone)) throw new RangeError(`Invalid time zone specified: ${timeZone}`);
  const offset = zoneOffsetAt(ms, timeZone);
  const wall = new Date(ms + offset);
  return pattern.replace(TOKENS, (token) => {
    switch (token) {
      case 'yyyy': return pad(wall.getUTCFullYear(), 4);
      case 'MM': return pad(wall.getUTCMonth() + 1, 2);
      case 'M': return String(wall.getUTCMonth() + 1);
      case 'dd': return pad(wall.getUTCDate(), 2);
      case 'd': return String(wall.getUTCDate());
      case 'HH': return pad(wall.getUTCHours(), 2);
      case 'mm': return pad(wall.getUTCMinutes(), 2);
      case 'ss': return pad(wall.getUTCSeconds(), 2);
      case 'SSS': return pad(wall.getUTCMilliseconds(), 3);
      case 'xxx': return offsetText(offset);
      default: return token.slice(1, -1); // a quoted literal
    }
  });
}
