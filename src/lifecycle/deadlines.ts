import { add, type Duration } from 'date-fns';
import { formatInTimeZone } from 'date-fns-tz';
import { orderkitError } from '../errors/orderkit-error.js';
import { isoTimestamp } from './iso.js';

/**
 * Deadlines in the shop's calendar. "7 days after shipment" means seven calendar days on the
 * shop's wall clock (Asia/Shanghai by default), whatever zone the server runs in.
 *
 * How: the instant is moved to the shop's wall clock with the zone's offset (from date-fns-tz,
 * which reads the IANA database through Intl), date-fns `add` does the calendar arithmetic on a
 * Date whose fields are read in UTC (so the host zone is never consulted), and the wall-clock
 * result is mapped back to an instant with the offset in force then. This is what
 * `fromZonedTime(add(toZonedTime(d, tz), duration), tz)` means, without its dependence on the
 * host's own DST gaps (a shop time that does not exist on the host's clock shifts by an hour
 * there). Offsets are cached per zone and hour, so the hot path does no Intl work.
 */

const HOUR = 3_600_000;
const MAX_CACHED_HOURS = 50_000;
const offsetCache = new Map<string, Map<number, number>>();
let lastZone = '';
let lastHour = Number.NaN;
let lastOffset = 0;

function offsetFromIntl(ms: number, timeZone: string): number {
  // 'xxx' → '+08:00'; the offset that date-fns-tz computes for this exact instant.
  const text = formatInTimeZone(ms, timeZone, 'xxx');
  const sign = text.charCodeAt(0) === 45 ? -1 : 1;
  const hours = (text.charCodeAt(1) - 48) * 10 + (text.charCodeAt(2) - 48);
  const minutes = (text.charCodeAt(4) - 48) * 10 + (text.charCodeAt(5) - 48);
  return sign * (hours * 60 + minutes) * 60_000;
}

/**
 * The zone's offset from UTC in milliseconds at the instant `ms` (Asia/Shanghai → 28 800 000).
 * Throws `INVALID_TIME_ZONE` for a zone the runtime does not know.
 *
 * @example
 * zoneOffsetAt(Date.parse('2026-07-01T00:00:00Z'), 'America/New_York') // -14 400 000
 */
export function zoneOffsetAt(ms: number, timeZone: string): number {
  const hour = Math.floor(ms / HOUR);
  if (hour === lastHour && timeZone === lastZone) return lastOffset;
  let zone = offsetCache.get(timeZone);
  if (zone === undefined) {
    assertTimeZone(timeZone);
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

function assertTimeZone(timeZone: string): void {
  let ok = true;
  try {
    ok = Number.isFinite(offsetFromIntl(0, timeZone));
  } catch {
    ok = false;
  }
  if (!ok) {
    throw orderkitError(
      'INVALID_TIME_ZONE',
      { 'zh-CN': `无法识别的时区 ${timeZone}，请使用 IANA 时区名（如 Asia/Shanghai）`, en: `unknown time zone ${timeZone}; use an IANA name such as Asia/Shanghai` },
      { path: ['policy', 'timeZone'], details: { timeZone } },
    );
  }
}

/**
 * A Date whose calendar fields are its UTC fields: date-fns reads and writes a date only through
 * these methods, so `add` on a WallClock does calendar arithmetic on the shop's wall time without
 * the host zone ever taking part.
 */
class WallClock extends Date {
  constructor(value: number | Date) {
    super(typeof value === 'number' ? value : value.getTime());
  }
  override getFullYear(): number { return this.getUTCFullYear(); }
  override getMonth(): number { return this.getUTCMonth(); }
  override getDate(): number { return this.getUTCDate(); }
  override getDay(): number { return this.getUTCDay(); }
  override getHours(): number { return this.getUTCHours(); }
  override getMinutes(): number { return this.getUTCMinutes(); }
  override getSeconds(): number { return this.getUTCSeconds(); }
  override getMilliseconds(): number { return this.getUTCMilliseconds(); }
  override getTimezoneOffset(): number { return 0; }
  override setFullYear(y: number, m?: number, d?: number): number {
    return m === undefined ? this.setUTCFullYear(y) : d === undefined ? this.setUTCFullYear(y, m) : this.setUTCFullYear(y, m, d);
  }
  override setMonth(m: number, d?: number): number { return d === undefined ? this.setUTCMonth(m) : this.setUTCMonth(m, d); }
  override setDate(d: number): number { return this.setUTCDate(d); }
  override setHours(h: number, m?: number, s?: number, ms?: number): number {
    return this.setUTCHours(h, m ?? this.getUTCMinutes(), s ?? this.getUTCSeconds(), ms ?? this.getUTCMilliseconds());
  }
  override setMinutes(m: number, s?: number, ms?: number): number {
    return this.setUTCMinutes(m, s ?? this.getUTCSeconds(), ms ?? this.getUTCMilliseconds());
  }
  override setSeconds(s: number, ms?: number): number { return this.setUTCSeconds(s, ms ?? this.getUTCMilliseconds()); }
  override setMilliseconds(ms: number): number { return this.setUTCMilliseconds(ms); }
}

/** Wall-clock milliseconds (as if the zone were UTC) back to the instant, DST-aware. */
function wallToInstant(wallMs: number, timeZone: string): number {
  const first = zoneOffsetAt(wallMs, timeZone);
  let instant = wallMs - first;
  const second = zoneOffsetAt(instant, timeZone);
  if (second !== first) {
    instant = wallMs - second;
    // A wall time in a spring-forward gap does not exist: neither offset round-trips. Read it with
    // the offset from before the change (the smaller one), which moves it forward by the gap, as
    // Temporal's 'compatible' disambiguation does: 02:30 on the New York spring day is 03:30 EDT.
    if (zoneOffsetAt(instant, timeZone) !== second) instant = wallMs - Math.min(first, second);
  }
  return instant;
}

/**
 * `date + duration` on the calendar of `timeZone`: days and months are calendar days and months
 * there (a month from 31 Jan is 28/29 Feb; a day across a DST change is 23 or 25 hours).
 *
 * Months and years go through date-fns `add`; weeks, days, hours, minutes and seconds are added
 * to the wall-clock milliseconds directly, which is exactly what `add` does with them on a
 * UTC-field date (a wall-clock day is always 24 h), without its allocations.
 *
 * @example
 * addInZone(new Date('2026-11-25T04:00:00Z'), { days: 7 }, 'Asia/Shanghai') // 2026-12-02T04:00:00Z
 */
export function addInZone(date: Date, duration: Duration, timeZone: string): Date {
  return new Date(addInZoneMs(date.getTime(), duration, timeZone));
}

function addInZoneMs(ms: number, duration: Duration, timeZone: string): number {
  const offset = zoneOffsetAt(ms, timeZone);
  let wall = ms + offset;
  if (duration.years || duration.months) wall = add(new WallClock(wall), { years: duration.years ?? 0, months: duration.months ?? 0 }).getTime();
  wall += ((duration.weeks ?? 0) * 7 + (duration.days ?? 0)) * 86_400_000 + clockMs(duration);
  // Common case: no offset change in between, the wall clock maps straight back.
  if (zoneOffsetAt(wall - offset, timeZone) === offset) return wall - offset;
  return wallToInstant(wall, timeZone);
}

function clockMs(d: Duration): number {
  return ((d.hours ?? 0) * 3600 + (d.minutes ?? 0) * 60 + (d.seconds ?? 0)) * 1000;
}

/**
 * The ISO timestamp (UTC, as orders store it) of `duration` after `from` in the shop's calendar.
 *
 * @example
 * deadlineAfter(new Date('2026-11-25T04:00:00Z'), { minutes: 30 }, 'Asia/Shanghai') // '2026-11-25T04:30:00.000Z'
 */
export function deadlineAfter(from: Date, duration: Duration, timeZone: string): string {
  return isoTimestamp(addInZoneMs(from.getTime(), duration, timeZone));
}

/**
 * True when the deadline has come: `now ≥ deadline`. An absent deadline has never come.
 *
 * @example
 * isDue('2026-11-25T04:30:00.000Z', new Date('2026-11-25T04:30:00Z')) // true
 */
export function isDue(deadline: string | undefined, now: Date): boolean {
  return deadline !== undefined && now.getTime() >= Date.parse(deadline);
}
