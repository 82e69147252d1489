import { formatInZone, instantOfZonedDate } from '../time/zoned.js';

/** The most days a daily series may span (about ten years); more is almost surely a mistake. */
export const MAX_SERIES_DAYS = 3660;

export interface CalendarDays {
  /** `yyyy-MM-dd` of every day touched by [from, to), in order. */
  dates: string[];
  /** Epoch ms of each day's first instant in the zone (`starts[i]` belongs to `dates[i]`). */
  starts: number[];
  /** Index into `dates` of the day holding `t`, or -1 outside [from, to). */
  indexOf(t: number): number;
}

/** The calendar date after `date` (`yyyy-MM-dd`), by pure date arithmetic. */
function nextDate(date: string): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + 1)).toISOString().slice(0, 10);
}

/**
 * The first instant whose local date is `date`. Usually local midnight, but in zones that jump
 * over midnight for daylight saving the day starts later, so check and walk forward.
 */
function startOfLocalDay(date: string, timeZone: string): number {
  let t = instantOfZonedDate(date, timeZone);
  // A skipped midnight resolves a skipped midnight to an instant that may fall on the day before.
  for (let i = 0; i < 8 && formatInZone(new Date(t), timeZone, 'yyyy-MM-dd') < date; i++) t += 15 * 60_000;
  // …or it may be late by the skipped amount: step back while the previous quarter-hour is still `date`.
  for (let i = 0; i < 8 && formatInZone(new Date(t - 15 * 60_000), timeZone, 'yyyy-MM-dd') === date; i++) t -= 15 * 60_000;
  return t;
}

/**
 * The shop's calendar days covering [from, to), with a fast lookup from an instant to its day:
 * the day boundaries are found once, then each timestamp is a binary search instead of a time-zone
 * conversion (which costs microseconds and would dominate a summary of a million orders).
 *
 * @example
 * const days = calendarDays(new Date('2026-11-01T00:00:00Z'), new Date('2026-11-03T00:00:00Z'), 'Asia/Shanghai');
 * days.dates                                           // → ['2026-11-01', '2026-11-02', '2026-11-03']
 * days.indexOf(Date.parse('2026-11-01T16:30:00Z'))     // → 1 (00:30 on 2 November in Shanghai)
 */
export function calendarDays(from: Date, to: Date, timeZone: string): CalendarDays {
  const fromMs = from.getTime();
  const toMs = to.getTime();
  const dates: string[] = [];
  const starts: number[] = [];
  if (toMs > fromMs) {
    const last = formatInZone(new Date(toMs - 1), timeZone, 'yyyy-MM-dd');
    let date = formatInZone(from, timeZone, 'yyyy-MM-dd');
    while (date <= last && dates.length <= MAX_SERIES_DAYS) {
      dates.push(date);
      starts.push(startOfLocalDay(date, timeZone));
      date = nextDate(date);
    }
  }
  return {
    dates,
    starts,
    indexOf(t: number): number {
      if (!(t >= fromMs && t < toMs)) return -1;
      let lo = 0;
      let hi = starts.length - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (starts[mid]! <= t) lo = mid;
        else hi = mid - 1;
      }
      return lo;
    },
  };
}
