import fc from 'fast-check';
import { formatInTimeZone } from 'date-fns-tz';
import { describe, expect, it } from 'vitest';
import { calendarDays } from '../../src/analytics/index.js';

// Runs again under TZ=UTC and TZ=America/New_York (npm test): the host zone must never leak in.
const zones = ['Asia/Shanghai', 'UTC', 'America/New_York', 'Europe/London', 'Australia/Lord_Howe', 'America/Santiago', 'Asia/Kathmandu'];
const DAY = 86_400_000;

describe('calendarDays', () => {
  it('puts every instant of the range on the day date-fns-tz names for it', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...zones),
        fc.integer({ min: Date.parse('2024-01-01T00:00:00Z'), max: Date.parse('2027-12-01T00:00:00Z') }),
        fc.integer({ min: 1, max: 400 * DAY }),
        fc.array(fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }), { minLength: 1, maxLength: 20 }),
        (timeZone, fromMs, span, picks) => {
          const days = calendarDays(new Date(fromMs), new Date(fromMs + span), timeZone);
          for (const p of picks) {
            const t = fromMs + Math.floor(p * span);
            expect(days.dates[days.indexOf(t)]).toBe(formatInTimeZone(new Date(t), timeZone, 'yyyy-MM-dd'));
          }
          expect(days.indexOf(fromMs - 1)).toBe(-1);
          expect(days.indexOf(fromMs + span)).toBe(-1);
          // Consecutive, no gaps: one more than the whole days between first and last.
          const first = Date.parse(`${days.dates[0]}T00:00:00Z`);
          const last = Date.parse(`${days.dates[days.dates.length - 1]}T00:00:00Z`);
          expect(days.dates.length).toBe((last - first) / DAY + 1);
        },
      ),
      { numRuns: 120 },
    );
  });

  it('starts each day at its first local instant, also across daylight-saving jumps', () => {
    for (const timeZone of zones) {
      const days = calendarDays(new Date('2026-01-01T00:00:00Z'), new Date('2027-01-01T00:00:00Z'), timeZone);
      days.starts.forEach((start, i) => {
        if (i === 0) return;
        expect(formatInTimeZone(new Date(start), timeZone, 'yyyy-MM-dd')).toBe(days.dates[i]);
        expect(formatInTimeZone(new Date(start - 1), timeZone, 'yyyy-MM-dd')).toBe(days.dates[i - 1]);
      });
    }
  });
});
