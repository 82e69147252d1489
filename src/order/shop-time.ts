import { formatInZone } from '../time/zoned.js';

/**
 * A moment as the shop's wall-clock time, `yyyy-MM-dd HH:mm` in `timeZone` (never the host's zone:
 * a cloud function runs in UTC while the shop lives in Asia/Shanghai). Views and the messages of
 * errors both print times through here, so a shopper reads "已于 2026-03-08 10:00 截止" rather
 * than a UTC ISO string. The zone rule is src/time/zoned.ts, shared with every deadline.
 *
 * An unknown zone or an invalid moment gives the ISO text back instead of throwing: this runs
 * while an error message is being written, which must never fail itself.
 *
 * @example
 * shopTime('2026-11-25T04:00:00.000Z', 'Asia/Shanghai') // → '2026-11-25 12:00'
 */
export function shopTime(at: string | number | Date, timeZone: string): string {
  const date = at instanceof Date ? at : new Date(at);
  const ms = date.getTime();
  if (ms !== ms) return String(at);
  try {
    return formatInZone(ms, timeZone, 'yyyy-MM-dd HH:mm');
  } catch {
    return date.toISOString();
  }
}
