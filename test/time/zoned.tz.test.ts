import { add, format } from 'date-fns';
import { formatInTimeZone, fromZonedTime, toZonedTime } from 'date-fns-tz';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { OrderkitError } from '../../src/errors/orderkit-error.js';
import {
  addInZone,
  FIXED_OFFSET_SINCE,
  formatInZone,
  instantOfZonedDate,
  isKnownTimeZone,
  zoneOffsetAt,
  type Duration,
} from '../../src/time/zoned.js';

/**
 * src/time/zoned.ts replaced date-fns and date-fns-tz (kept as devDependencies for these
 * comparisons only): every function is checked against what the old implementation said, on
 * random instants from 1975 to 2100 in zones with and without daylight saving, half-hour and
 * 45-minute offsets, southern-hemisphere DST and a zone that changed its standard offset.
 * npm test runs this file again with TZ=UTC and TZ=America/New_York.
 */
const ZONES = [
  'Asia/Shanghai',
  'Asia/Tokyo',
  'Asia/Kolkata',
  'Asia/Kathmandu',
  'Australia/Lord_Howe',
  'America/New_York',
  'America/Sao_Paulo',
  'Europe/London',
  'Europe/Moscow',
  'Pacific/Apia',
  'UTC',
] as const;
const FIXED = ['+08:00', '-05:30', '+0545', '+09', 'Z'] as const;

const instant = fc.integer({ min: Date.UTC(1975, 0, 1), max: Date.UTC(2100, 0, 1) });
const zone = fc.constantFrom(...ZONES);
const PATTERNS = ['yyyyMMddHHmmss', 'yyyy-MM-dd HH:mm', 'yyyy年M月d日 HH:mm', "yyyy-MM-dd'T'HH:mm:ssxxx", "yyyy-MM-dd'T'HH:mm:ss.SSSxxx", 'yyyy-MM-dd', 'xxx'];

/**
 * The offset date-fns-tz wrote for an instant ('xxx', as the former deadline code read it).
 * (date-fns-tz's getTimezoneOffset is no oracle: it reads its date as a wall time, so at a
 * transition it answers the offset of the hour before.)
 */
function formerOffset(ms: number, tz: string): number {
  const text = formatInTimeZone(ms, tz, 'xxx');
  const sign = text.startsWith('-') ? -1 : 1;
  return sign * (Number(text.slice(1, 3)) * 60 + Number(text.slice(4, 6))) * 60_000;
}

/** True when the host zone has one offset all year (the old refund-window code read host fields). */
/**
 * The zone's wall clock straight from Intl. date-fns-tz's formatInTimeZone is no oracle on a host
 * with DST: it shifts the instant into a host-local Date, and a wall time that falls in the host's
 * own spring-forward gap comes out an hour late (Australia/Lord_Howe 2097-03-10 02:00 read as 03:00
 * under TZ=America/New_York, whose clocks skip 02:00–03:00 that night).
 */
const intlWall = (t: number, tz: string): string => {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone: tz, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' }).formatToParts(t);
  const get = (type: string) => parts.find((p) => p.type === type)!.value;
  return `${get('year')}-${get('month')}-${get('day')}T${get('hour')}:${get('minute')}:${get('second')}`;
};
const hostWithoutDst = new Date(Date.UTC(2026, 0, 1)).getTimezoneOffset() === new Date(Date.UTC(2026, 6, 1)).getTimezoneOffset();

describe('formatInZone', () => {
  // date-fns-tz built a host-local Date from the wall fields, so a shop's wall time inside the
  // HOST's spring-forward gap came out an hour late (a host-zone leak): compared on hosts without DST.
  it.runIf(hostWithoutDst)('writes what date-fns-tz formatInTimeZone wrote, for any instant, zone and pattern orderkit uses', () => {
    fc.assert(
      fc.property(instant, zone, fc.constantFrom(...PATTERNS), (ms, tz, pattern) => {
        expect(formatInZone(new Date(ms), tz, pattern)).toBe(formatInTimeZone(new Date(ms), tz, pattern));
      }),
      { numRuns: 3000 },
    );
  });

  it('writes the wall clock Intl gives for the zone, on any host', () => {
    fc.assert(
      fc.property(instant, zone, (ms, tz) => {
        const parts = new Intl.DateTimeFormat('en-US', { timeZone: tz, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' }).formatToParts(ms);
        const get = (type: string) => parts.find((p) => p.type === type)!.value;
        expect(formatInZone(ms, tz, 'yyyy-MM-dd HH:mm:ss')).toBe(`${get('year')}-${get('month')}-${get('day')} ${get('hour')}:${get('minute')}:${get('second')}`);
      }),
      { numRuns: 2000 },
    );
  });

  it('reads fixed offsets as date-fns-tz did', () => {
    // The wall clock of a fixed offset is the instant shifted by it: the oracle. date-fns-tz agrees
    // except on a host whose own DST gap holds that wall time (TZ=America/New_York: +09 at
    // 2043-03-07T17:00Z, wall time 2043-03-08 02:00, which it wrote as 03:00); there the oracle decides.
    const minutes = { '+08:00': 480, '-05:30': -330, '+0545': 345, '+09': 540, Z: 0 } as const;
    const expected = (ms: number, tz: (typeof FIXED)[number]) => {
      const m = minutes[tz];
      const wall = new Date(ms + m * 60_000).toISOString().slice(0, 23);
      const sign = m < 0 ? '-' : '+';
      const abs = Math.abs(m);
      return `${wall}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
    };
    fc.assert(
      fc.property(instant, fc.constantFrom(...FIXED), (ms, tz) => {
        const ours = formatInZone(ms, tz, "yyyy-MM-dd'T'HH:mm:ss.SSSxxx");
        expect(ours).toBe(expected(ms, tz));
        const former = formatInTimeZone(ms, tz, "yyyy-MM-dd'T'HH:mm:ss.SSSxxx");
        if (former === expected(ms, tz)) expect(ours).toBe(former);
      }),
    );
    // The counterexample seed 2067536813 found under TZ=America/New_York.
    expect(formatInZone(2309360400000, '+09', "yyyy-MM-dd'T'HH:mm:ss.SSSxxx")).toBe('2043-03-08T02:00:00.000+09:00');
  });

  it('throws a RangeError for an unknown zone or an invalid date, as date-fns-tz did', () => {
    expect(() => formatInZone(new Date(0), 'Mars/Olympus', 'yyyy')).toThrow(RangeError);
    expect(() => formatInTimeZone(new Date(0), 'Mars/Olympus', 'yyyy')).toThrow(RangeError);
    expect(() => formatInZone(new Date(Number.NaN), 'Asia/Shanghai', 'yyyy')).toThrow(RangeError);
    expect(() => formatInZone(0, '+25:00', 'yyyy')).toThrow(RangeError);
  });
});

describe('zoneOffsetAt', () => {
  it('is the offset date-fns-tz computed, for any instant and zone', () => {
    fc.assert(
      fc.property(instant, zone, (ms, tz) => {
        expect(zoneOffsetAt(ms, tz)).toBe(formerOffset(ms, tz));
      }),
      { numRuns: 3000 },
    );
  });

  it('Asia/Shanghai has the fixed offset its table entry says from that instant on, and not just before it', () => {
    const entry = FIXED_OFFSET_SINCE.get('Asia/Shanghai')!;
    fc.assert(
      fc.property(fc.integer({ min: entry.since, max: Date.UTC(2200, 0, 1) }), (ms) => {
        expect(formerOffset(ms, 'Asia/Shanghai')).toBe(entry.offset);
        expect(zoneOffsetAt(ms, 'Asia/Shanghai')).toBe(entry.offset);
      }),
    );
    // The hour before: still daylight saving (UTC+9), which only Intl knows.
    expect(zoneOffsetAt(entry.since - 1, 'Asia/Shanghai')).toBe(9 * 3_600_000);
    expect(zoneOffsetAt(Date.UTC(1988, 6, 1), 'Asia/Shanghai')).toBe(formerOffset(Date.UTC(1988, 6, 1), 'Asia/Shanghai'));
  });

  it('throws INVALID_TIME_ZONE for a zone the runtime does not know', () => {
    expect(isKnownTimeZone('Mars/Olympus')).toBe(false);
    expect(isKnownTimeZone('Asia/Shanghai')).toBe(true);
    expect(isKnownTimeZone('-05:30')).toBe(true);
    let caught: unknown;
    try {
      zoneOffsetAt(0, 'Mars/Olympus');
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(OrderkitError);
    expect((caught as OrderkitError).code).toBe('INVALID_TIME_ZONE');
  });
});

describe('addInZone', () => {
  const duration: fc.Arbitrary<Duration> = fc.record(
    {
      years: fc.integer({ min: 0, max: 3 }),
      months: fc.integer({ min: 0, max: 14 }),
      weeks: fc.integer({ min: 0, max: 3 }),
      days: fc.integer({ min: 0, max: 400 }),
      hours: fc.integer({ min: 0, max: 48 }),
      minutes: fc.integer({ min: 0, max: 90 }),
      seconds: fc.integer({ min: 0, max: 90 }),
    },
    { requiredKeys: [] },
  );

  // The refund windows' former code. It read the host's fields, so a wall time in a host DST gap
  // moved; on a host without DST it is the rule, and the new code must agree with it there.
  it.runIf(hostWithoutDst)('agrees with the former refund-window code, fromZonedTime(add(toZonedTime())), on a host without DST', () => {
    fc.assert(
      fc.property(instant, zone, duration, (ms, tz, d) => {
        const before = fromZonedTime(add(toZonedTime(new Date(ms), tz), d), tz).getTime();
        const after = addInZone(new Date(ms), d, tz).getTime();
        if (after === before) return;
        // They differ only where a DST change makes the target wall time special: one that does not
        // exist (the former code read it an hour early, orderkit moves it forward by the gap, as
        // every deadline did) or one that happens twice (both are readings of it: orderkit keeps the
        // offset it started from, as deadlines always did, the former code took the earlier one).
        const wallOf = (t: number) => formatInTimeZone(t, tz, "yyyy-MM-dd'T'HH:mm:ss");
        const wanted = format(add(toZonedTime(new Date(ms), tz), d), "yyyy-MM-dd'T'HH:mm:ss"); // host-local fields = the zone's wall clock
        const skipped = wallOf(after) !== wanted;
        const repeated = wallOf(after) === wanted && wallOf(before) === wanted;
        expect(skipped || repeated).toBe(true);
        expect(Math.abs(after - before)).toBeLessThanOrEqual(3_600_000);
      }),
      { numRuns: 2000 },
    );
  });

  it('lands on the same wall-clock time a number of calendar days later, whatever the DST in between', () => {
    fc.assert(
      fc.property(instant, zone, fc.integer({ min: 1, max: 400 }), (ms, tz, days) => {
        const to = addInZone(new Date(ms), { days }, tz).getTime();
        const wallBefore = intlWall(ms, tz).slice(11);
        const wallAfter = intlWall(to, tz).slice(11);
        // Equal unless the target wall time falls in a gap (then it moves forward by the gap).
        if (wallAfter !== wallBefore) expect(zoneOffsetAt(to, tz)).not.toBe(zoneOffsetAt(to - 3 * 3_600_000, tz));
        // …and on the calendar date `days` later, or the day after when that date was skipped
        // (Pacific/Apia skipped 30 December 2011: its offset changed by a whole day).
        const dateOf = (t: number) => Date.parse(intlWall(t, tz).slice(0, 10));
        const diff = (dateOf(to) - dateOf(ms)) / 86_400_000;
        if (diff !== days) {
          expect(diff).toBe(days + 1);
          expect(zoneOffsetAt(to, tz)).not.toBe(zoneOffsetAt(to - 2 * 86_400_000, tz));
        }
      }),
      { numRuns: 2000 },
    );
  });
});

describe('instantOfZonedDate', () => {
  it('is date-fns-tz fromZonedTime of the same wall time, outside DST gaps', () => {
    fc.assert(
      fc.property(instant, zone, fc.constantFrom('00:00:00', '12:00:00', '23:30:00'), (ms, tz, time) => {
        const date = intlWall(ms, tz).slice(0, 10);
        const mine = instantOfZonedDate(date, tz, time);
        if (intlWall(mine, tz) !== `${date}T${time}`) {
          // Not that wall time: only because it does not exist that day (the zone's offset changed just before).
          expect(zoneOffsetAt(mine, tz)).not.toBe(zoneOffsetAt(mine - 3 * 3_600_000, tz));
        } else if (hostWithoutDst) {
          // date-fns-tz is an oracle only on a host without DST (see intlWall).
          expect(mine).toBe(fromZonedTime(`${date}T${time}`, tz).getTime());
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('moves a wall time inside a spring-forward gap forward by the gap', () => {
    // 2026-03-08 02:30 does not exist in New York: it is read as 03:30 EDT.
    expect(new Date(instantOfZonedDate('2026-03-08', 'America/New_York', '02:30:00')).toISOString()).toBe('2026-03-08T07:30:00.000Z');
  });
});
