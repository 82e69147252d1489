import { addInZoneMs, type Duration } from '../time/zoned.js';
import { isoTimestamp } from './iso.js';

/**
 * Deadlines in the shop's calendar. "7 days after shipment" means seven calendar days on the
 * shop's wall clock (Asia/Shanghai by default), whatever zone the server runs in. The zoned-time
 * rule itself (offsets, calendar arithmetic, DST gaps) lives in src/time/zoned.ts, shared with the
 * after-sale windows, order numbers and views.
 */

export { addInZone, zoneOffsetAt } from '../time/zoned.js';

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
