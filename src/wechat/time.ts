import { formatInZone, isKnownTimeZone } from '../time/zoned.js';
import { AN_OBJECT, A_VALID_DATE, badArgument, isObject, isValidDateValue } from './errors.js';

/**
 * WeChat's clocks. Pay v3 speaks RFC 3339 with an offset (`2026-11-25T12:00:00+08:00`), the v2
 * fields of `cloud.cloudPay` speak Beijing wall time without a zone (`20261125120000`). China has
 * had no daylight saving since 1991, so Beijing time is a fixed UTC+8 and parsing it needs no
 * zone database; formatting goes through src/time/zoned.ts for other zones a shop may choose.
 */

const BEIJING_OFFSET_MS = 8 * 3600 * 1000;

/**
 * RFC 3339 in the given zone with its numeric offset.
 *
 * @example
 * formatRfc3339(new Date('2026-11-25T04:30:00Z')) // '2026-11-25T12:30:00+08:00'
 * formatRfc3339(new Date('2026-11-25T04:30:00.120Z'), 'Asia/Shanghai', { milliseconds: true })
 * // '2026-11-25T12:30:00.120+08:00'
 */
export function formatRfc3339(date: Date, timeZone = 'Asia/Shanghai', options: { milliseconds?: boolean } = {}): string {
  if (!isValidDateValue(date)) throw badArgument('formatRfc3339', 'date', A_VALID_DATE);
  if (typeof timeZone !== 'string' || !isKnownTimeZone(timeZone)) throw badArgument('formatRfc3339', 'timeZone', { 'zh-CN': 'IANA 时区名', en: 'an IANA time zone name' });
  if (!isObject(options)) throw badArgument('formatRfc3339', 'options', AN_OBJECT);
  const pattern = options.milliseconds ? "yyyy-MM-dd'T'HH:mm:ss.SSSxxx" : "yyyy-MM-dd'T'HH:mm:ssxxx";
  return formatInZone(date, timeZone, pattern);
}

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/i;

/** A v3 timestamp (`success_time`, `create_time`) as a Date, or null when it is not RFC 3339. */
export function parseRfc3339(text: unknown): Date | null {
  if (typeof text !== 'string') return null;
  const m = RFC3339.exec(text);
  if (!m) return null;
  const [, y, mo, d, h, mi, s] = m;
  if (!validWallTime(+y!, +mo!, +d!, +h!, +mi!, +s!)) return null;
  const t = Date.parse(text);
  return Number.isNaN(t) ? null : new Date(t);
}

function validWallTime(y: number, mo: number, d: number, h: number, mi: number, s: number): boolean {
  if (mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || s > 59) return false;
  const probe = new Date(Date.UTC(y, mo - 1, d));
  return probe.getUTCFullYear() === y && probe.getUTCMonth() === mo - 1 && probe.getUTCDate() === d;
}

function fromBeijing(y: number, mo: number, d: number, h: number, mi: number, s: number): Date | null {
  if (!validWallTime(y, mo, d, h, mi, s)) return null;
  return new Date(Date.UTC(y, mo - 1, d, h, mi, s) - BEIJING_OFFSET_MS);
}

/** `yyyyMMddHHmmss` in Beijing time (cloudPay `timeEnd`) as a Date, or null. */
export function parseBeijingCompact(text: unknown): Date | null {
  if (typeof text !== 'string' && typeof text !== 'number') return null;
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/.exec(String(text));
  if (!m) return null;
  return fromBeijing(+m[1]!, +m[2]!, +m[3]!, +m[4]!, +m[5]!, +m[6]!);
}

/** `yyyy-MM-dd HH:mm:ss` in Beijing time (v2 refund `successTime`) as a Date, or null. */
export function parseBeijingDateTime(text: unknown): Date | null {
  if (typeof text !== 'string') return null;
  const m = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})$/.exec(text);
  if (!m) return null;
  return fromBeijing(+m[1]!, +m[2]!, +m[3]!, +m[4]!, +m[5]!, +m[6]!);
}

/** A Date as `yyyyMMddHHmmss` Beijing time, the format of v2 `time_expire`. */
export function formatBeijingCompact(date: Date): string {
  if (!isValidDateValue(date)) throw badArgument('formatBeijingCompact', 'date', A_VALID_DATE);
  const b = new Date(date.getTime() + BEIJING_OFFSET_MS);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${p(b.getUTCFullYear(), 4)}${p(b.getUTCMonth() + 1)}${p(b.getUTCDate())}${p(b.getUTCHours())}${p(b.getUTCMinutes())}${p(b.getUTCSeconds())}`;
}


export function isValidDate(value: unknown): value is Date {
  return value instanceof Date && !Number.isNaN(value.getTime());
}
