import { describe, expect, it } from 'vitest';
import { definePolicy } from '../../src/order/policy.js';
import { afterSaleWindowEnd, checkAfterSaleWindow, checkRefundPeriod, refundDeadline } from '../../src/refund/index.js';
import { completed, paidOrder, shipped } from './fixtures.js';

/** Run again under TZ=UTC and TZ=America/New_York by `npm test`: the host zone must never leak in. */
const order = () => paidOrder({ lines: [{ id: 'A', listPrice: 1000, quantity: 1 }] });

describe('after-sale windows on the shop calendar', () => {
  it('falls back to completedAt + afterSaleWindow in the shop zone, across a DST change', () => {
    // 2026-03-07 11:30 in New York (EST, UTC−5); DST starts 2026-03-08. Seven calendar days later
    // is 2026-03-14 11:30 EDT (UTC−4) = 15:30Z, not 16:30Z.
    const o = { ...shipped(order()), status: 'completed' as const, completedAt: '2026-03-07T16:30:00.000Z' };
    const ny = definePolicy({ timeZone: 'America/New_York' });
    expect(afterSaleWindowEnd(o, ny)!.toISOString()).toBe('2026-03-14T15:30:00.000Z');
    expect(afterSaleWindowEnd(o, definePolicy())!.toISOString()).toBe('2026-03-14T16:30:00.000Z');
  });

  it('a stored afterSaleUntil wins, and the window is open before completion', () => {
    const o = completed(shipped(order()), '2026-11-28T02:00:00.000Z', 15);
    expect(afterSaleWindowEnd(o, definePolicy())!.toISOString()).toBe('2026-12-13T02:00:00.000Z');
    expect(afterSaleWindowEnd(shipped(order()), definePolicy())).toBeUndefined();
    expect(checkAfterSaleWindow(shipped(order()), new Date('2030-01-01T00:00:00Z'), definePolicy())).toBeUndefined();
    expect(checkAfterSaleWindow(o, new Date('2026-12-13T02:00:00.001Z'), definePolicy())?.code).toBe('WINDOW_CLOSED');
  });

  it('refundWithin counts 365 shop-calendar days from payment', () => {
    const o = order(); // paid 2026-11-25T04:00Z = 12:00 in Shanghai
    expect(refundDeadline(o, definePolicy())!.toISOString()).toBe('2027-11-25T04:00:00.000Z');
    expect(checkRefundPeriod(o, new Date('2027-11-25T04:00:00.000Z'), definePolicy())).toBeUndefined();
    expect(checkRefundPeriod(o, new Date('2027-11-25T04:00:00.001Z'), definePolicy())?.code).toBe('REFUND_PERIOD_OVER');
  });
});
