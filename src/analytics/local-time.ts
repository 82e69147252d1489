import { wallClockAt } from '../time/zoned.js';
import type { CohortPeriod } from './insight-types.js';

const DAY = 86_400_000;
/** 1970-01-05, the first Monday after the epoch, in days since the epoch. */
const FIRST_MONDAY = 4;

/** Where an instant falls on the shop's clock: ISO weekday (1 = Monday) and hour. */
export function weekdayHour(ms: number, timeZone: string): { isodow: number; hour: number } {
  const wall = new Date(wallClockAt(ms, timeZone));
  return { isodow: ((wall.getUTCDay() + 6) % 7) + 1, hour: wall.getUTCHours() };
}

/**
 * The calendar period (a week from Monday, or a month) holding `ms` in the zone: `index` counts
 * periods from a fixed origin, so that index differences are "periods later"; `label` is the
 * period's first day. The SQL analyses compute the same from `date_trunc` on local time.
 */
export function periodOf(ms: number, timeZone: string, by: CohortPeriod): { index: number; label: string } {
  const wall = wallClockAt(ms, timeZone);
  const day = Math.floor(wall / DAY);
  if (by === 'week') {
    const isodow = ((new Date(day * DAY).getUTCDay() + 6) % 7) + 1;
    const monday = day - (isodow - 1);
    return { index: (monday - FIRST_MONDAY) / 7, label: new Date(monday * DAY).toISOString().slice(0, 10) };
  }
  const d = new Date(day * DAY);
  return { index: d.getUTCFullYear() * 12 + d.getUTCMonth(), label: new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1)).toISOString().slice(0, 10) };
}
