import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addInZone, deadlineAfter, definePolicy, isDue, transition, zoneOffsetAt } from '../../src/lifecycle/index.js';
import { isoTimestamp } from '../../src/lifecycle/iso.js';
import { customer, gateway, merchant, must, pay, place } from './fixtures.js';

/**
 * Deadlines live on the shop's calendar, never the host's: npm test runs this file again with
 * TZ=UTC and TZ=America/New_York, and every expectation below is written in the shop's zone.
 */

/** Calendar months on UTC fields with the end-of-month rule, written out (date-fns' own `add` reads the host zone). */
function addMonthsUtc(ms: number, months: number): number {
  const d = new Date(ms);
  const target = d.getUTCMonth() + months;
  const lastDay = new Date(Date.UTC(d.getUTCFullYear(), target + 1, 0)).getUTCDate();
  return Date.UTC(d.getUTCFullYear(), target, Math.min(d.getUTCDate(), lastDay), d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds(), d.getUTCMilliseconds());
}

/**
 * The wall clock of an instant in a zone, straight from Intl. (date-fns-tz's formatInTimeZone goes
 * through a host-local Date and shows a shop time that falls into the host's own DST gap an hour
 * late, so it cannot be the oracle under TZ=America/New_York.)
 */
const partsFormat = new Map<string, Intl.DateTimeFormat>();
function wallParts(ms: number, zone: string): number[] {
  let f = partsFormat.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
    partsFormat.set(zone, f);
  }
  const get = (type: string) => Number(f!.formatToParts(ms).find((p) => p.type === type)!.value);
  return [get('year'), get('month'), get('day'), get('hour'), get('minute'), get('second'), ((ms % 1000) + 1000) % 1000];
}
/** The wall clock as milliseconds of a UTC-field date. */
const wallMs = (ms: number, zone: string): number => {
  const [y, mo, d, h, mi, s, milli] = wallParts(ms, zone) as [number, number, number, number, number, number, number];
  return Date.UTC(y, mo - 1, d, h, mi, s, milli);
};
const wall = (d: Date | string, zone: string): string => new Date(wallMs(new Date(d).getTime(), zone)).toISOString().slice(0, 19).replace('T', ' ');

describe('addInZone', () => {
  it('adds calendar days on the shop’s wall clock (Asia/Shanghai has no DST)', () => {
    expect(addInZone(new Date('2026-11-25T04:00:00Z'), { days: 7 }, 'Asia/Shanghai').toISOString()).toBe('2026-12-02T04:00:00.000Z');
    expect(deadlineAfter(new Date('2026-11-25T15:50:00Z'), { minutes: 30 }, 'Asia/Shanghai')).toBe('2026-11-25T16:20:00.000Z');
  });

  it('keeps the wall-clock time across a DST change in the shop’s zone', () => {
    // 2026-03-08 is the US spring-forward day: seven calendar days are 167 hours there.
    const from = new Date('2026-03-05T17:00:00Z'); // 12:00 in New York (EST)
    const to = addInZone(from, { days: 7 }, 'America/New_York');
    expect(wall(to, 'America/New_York')).toBe('2026-03-12 12:00:00');
    expect(to.getTime() - from.getTime()).toBe(167 * 3_600_000);
    // And the same instant in Shanghai is plain 7 × 24 h.
    expect(addInZone(from, { days: 7 }, 'Asia/Shanghai').getTime() - from.getTime()).toBe(168 * 3_600_000);
  });

  it('moves a wall time that falls into a spring-forward gap forward by the gap', () => {
    // London, 27 March 2022: 01:00 GMT jumps to 02:00 BST. 00:30 + 30 min lands in the gap.
    expect(addInZone(new Date('2022-03-27T00:30:00Z'), { minutes: 30 }, 'Europe/London').toISOString()).toBe('2022-03-27T01:00:00.000Z');
    // New York, 8 March 2026: 02:30 does not exist; a day after 02:30 on the 7th is 03:30 EDT.
    expect(wall(addInZone(new Date('2026-03-07T07:30:00Z'), { days: 1 }, 'America/New_York'), 'America/New_York')).toBe('2026-03-08 03:30:00');
  });

  it('adds months with date-fns’ end-of-month rule', () => {
    // 31 Jan 10:00 Shanghai + 1 month → 28 Feb 10:00 Shanghai.
    expect(wall(addInZone(new Date('2026-01-31T02:00:00Z'), { months: 1 }, 'Asia/Shanghai'), 'Asia/Shanghai')).toBe('2026-02-28 10:00:00');
  });

  it('agrees with date-fns add on the shop’s wall clock, for any instant, duration and zone', () => {
    const zones = ['Asia/Shanghai', 'America/New_York', 'Europe/London', 'Australia/Lord_Howe', 'UTC'];
    fc.assert(
      fc.property(
        fc.integer({ min: Date.parse('2020-01-01T00:00:00Z'), max: Date.parse('2030-12-31T00:00:00Z') }),
        fc.record({ months: fc.integer({ min: 0, max: 14 }), days: fc.integer({ min: 0, max: 400 }), hours: fc.integer({ min: 0, max: 48 }), minutes: fc.integer({ min: 0, max: 90 }) }),
        fc.constantFrom(...zones),
        (ms, duration, zone) => {
          const result = addInZone(new Date(ms), duration, zone);
          // Oracle: the wall clock as UTC fields, date-fns add on them, read back as a wall clock.
          const expectedWall = addMonthsUtc(wallMs(ms, zone), duration.months) + duration.days * 86_400_000 + (duration.hours * 60 + duration.minutes) * 60_000;
          const got = wallMs(result.getTime(), zone);
          // Identical, except for a wall time that falls into a DST gap: it moves forward by the gap.
          const gap = zoneOffsetAt(result.getTime() + 3 * 3_600_000, zone) - zoneOffsetAt(result.getTime() - 3 * 3_600_000, zone);
          if (got !== expectedWall) expect(got - expectedWall).toBe(gap);
        },
      ),
      { numRuns: 400 },
    );
  });

  it('zoneOffsetAt knows the zone at each instant', () => {
    expect(zoneOffsetAt(Date.parse('2026-07-01T00:00:00Z'), 'America/New_York')).toBe(-4 * 3_600_000);
    expect(zoneOffsetAt(Date.parse('2026-01-01T00:00:00Z'), 'America/New_York')).toBe(-5 * 3_600_000);
    expect(zoneOffsetAt(Date.parse('2026-01-01T00:00:00Z'), 'Asia/Shanghai')).toBe(8 * 3_600_000);
    expect(zoneOffsetAt(Date.parse('2026-01-01T00:00:00Z'), 'Asia/Kolkata')).toBe(5.5 * 3_600_000);
    // Across the exact transition instant (2026-03-08 07:00 UTC in New York).
    expect(zoneOffsetAt(Date.parse('2026-03-08T06:59:59.999Z'), 'America/New_York')).toBe(-5 * 3_600_000);
    expect(zoneOffsetAt(Date.parse('2026-03-08T07:00:00.000Z'), 'America/New_York')).toBe(-4 * 3_600_000);
  });

  it('isDue is now ≥ deadline', () => {
    expect(isDue('2026-11-25T04:30:00.000Z', new Date('2026-11-25T04:29:59.999Z'))).toBe(false);
    expect(isDue('2026-11-25T04:30:00.000Z', new Date('2026-11-25T04:30:00.000Z'))).toBe(true);
    expect(isDue(undefined, new Date())).toBe(false);
  });
});

describe('isoTimestamp', () => {
  it('is exactly Date#toISOString', () => {
    fc.assert(
      fc.property(fc.integer({ min: -62_198_755_200_000, max: 300_000_000_000_000 }), (ms) => {
        expect(isoTimestamp(ms)).toBe(new Date(ms).toISOString());
      }),
      { numRuns: 2000 },
    );
  });

  it('is exactly Date#toISOString when instants repeat in any order (the remembered instants)', () => {
    const instant = fc.constantFrom(0, 59_999, 1_795_579_200_000, 1_795_579_260_001, 1_796_184_000_999, 253_402_300_799_999, -1, 1.5);
    fc.assert(
      fc.property(fc.array(instant, { minLength: 1, maxLength: 12 }), (list) => {
        for (const ms of list) expect(isoTimestamp(ms)).toBe(new Date(ms).toISOString());
      }),
      { numRuns: 300 },
    );
  });
});

describe('lifecycle deadlines follow policy.timeZone', () => {
  it('auto-confirm and after-sale windows are calendar days in the shop’s zone', () => {
    const policy = definePolicy({ timeZone: 'America/New_York' });
    const paid = pay(place({ policy }));
    // Shipped at 12:00 New York on 5 March; the spring-forward falls inside the 7 days.
    const shipped = must(paid, { type: 'SHIP', logisticsType: 'express' }, merchant, new Date('2026-03-05T17:00:00Z'), policy).order;
    expect(wall(shipped.deadlines.autoConfirmAt!, 'America/New_York')).toBe('2026-03-12 12:00:00');
    const done = must(shipped, { type: 'CONFIRM_RECEIPT' }, customer, new Date('2026-03-06T04:59:00Z'), policy).order;
    expect(wall(done.deadlines.afterSaleUntil!, 'America/New_York')).toBe('2026-03-12 23:59:00');
  });

  it('payBy is now + payWithin and EXPIRE respects it exactly', () => {
    const now = new Date('2026-11-25T15:45:00Z'); // 23:45 in Shanghai: the window crosses midnight there
    const order = place({ now });
    expect(order.deadlines.payBy).toBe('2026-11-25T16:15:00.000Z');
    expect(transition(order, { type: 'EXPIRE' }, { now: new Date('2026-11-25T16:14:59.999Z'), actor: { type: 'system' } }).ok).toBe(false);
    expect(transition(order, { type: 'EXPIRE' }, { now: new Date('2026-11-25T16:15:00.000Z'), actor: { type: 'system' } }).ok).toBe(true);
    void gateway;
  });
});
