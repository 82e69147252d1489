import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { OrderkitError } from '../../../src/errors/index.js';
import { MAX_ORDER_NUMBER_LENGTH, OUT_TRADE_NO_PATTERN, createOrderNumber } from '../../../src/order/index.js';

/**
 * The oracle: the wall clock of `zone` at `ms` as yyyyMMddHHmmss, straight from Intl. (date-fns-tz
 * was the oracle before; under a host in America/New_York it printed 03:00 for 02:00 UTC on
 * 2024-03-10, the host's own daylight-saving gap, and failed this property on a correct number.)
 */
function wallClock(ms: number, zone: string): string {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' }).formatToParts(new Date(ms));
  const get = (type: string) => parts.find((p) => p.type === type)!.value;
  return `${get('year')}${get('month')}${get('day')}${get('hour')}${get('minute')}${get('second')}`;
}

/** Re-run with TZ=UTC and TZ=America/New_York by npm test: the date prefix is the shop's calendar. */
describe('createOrderNumber', () => {
  it('starts with the shop’s wall time, whatever the host zone', () => {
    // 2026-11-25 16:30 UTC is already 26 November 00:30 in Shanghai.
    const n = createOrderNumber({ now: new Date('2026-11-25T16:30:00Z'), random: () => 0.5 });
    expect(n).toBe('20261126003000' + '5555555555');
    const ny = createOrderNumber({ now: new Date('2026-11-25T16:30:00Z'), random: () => 0, timeZone: 'America/New_York', prefix: 'WX', randomDigits: 6 });
    expect(ny).toBe('WX20261125113000000000');
  });

  it('is ≤ 32 characters of the out_trade_no alphabet (no *), with room for an attempt suffix', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: Date.parse('2000-01-01'), max: Date.parse('2099-12-31') }),
        fc.stringMatching(/^[A-Z0-9]{0,4}$/),
        fc.integer({ min: 6, max: 10 }),
        fc.array(fc.double({ min: 0, max: 0.999999, noNaN: true }), { minLength: 10, maxLength: 10 }),
        fc.constantFrom('Asia/Shanghai', 'UTC', 'America/New_York'),
        (ms, prefix, digits, randoms, timeZone) => {
          let k = 0;
          const n = createOrderNumber({ now: new Date(ms), random: () => randoms[k++ % randoms.length]!, prefix, randomDigits: digits, timeZone });
          expect(n.length).toBeLessThanOrEqual(MAX_ORDER_NUMBER_LENGTH);
          expect(`${n}-99`.length).toBeLessThanOrEqual(32);
          expect(OUT_TRADE_NO_PATTERN.test(n)).toBe(true);
          expect(n).not.toContain('*');
          expect(n.startsWith(prefix + wallClock(ms, timeZone))).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('rejects a bad prefix or digit count with typed errors', () => {
    const codeOf = (fn: () => unknown) => {
      try {
        fn();
      } catch (e) {
        return (e as OrderkitError).code;
      }
      return undefined;
    };
    expect(codeOf(() => createOrderNumber({ now: new Date(0), random: Math.random, prefix: 'abc' }))).toBe('INVALID_ORDER_NUMBER_PREFIX');
    expect(codeOf(() => createOrderNumber({ now: new Date(0), random: Math.random, randomDigits: 3 }))).toBe('INVALID_ORDER_NUMBER_DIGITS');
  });
});
