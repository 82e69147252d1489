import type { Actor, Line } from '../../src/order/index.js';
import type { Quote } from '../../src/pricing/quote.js';
import type { Clock } from '../../src/service/index.js';
import { line } from '../lifecycle/fixtures.js';

export const START = new Date('2026-11-25T04:00:00.000Z');
export const MINUTE = 60_000;
export const DAY = 86_400_000;

export const customer: Actor = { type: 'customer', id: 'u1' };
export const merchant: Actor = { type: 'merchant', id: 'staff-1' };
export const gateway: Actor = { type: 'payment', gateway: 'wechatpay' };

/** A clock the test moves by hand. */
export function manualClock(start: Date = START): Clock & { advance(ms: number): void; set(d: Date): void } {
  let t = start.getTime();
  return {
    now: () => new Date(t),
    advance(ms) {
      t += ms;
    },
    set(d) {
      t = d.getTime();
    },
  };
}

/** A line of `quantity` × `unit` fen, nothing off (the lifecycle tests' own). */
export { line };

export function quote(lines: Line[] = [line('a', 5, 1000), line('b', 1, 500)], freight = 0): Quote {
  const items = lines.reduce((s, l) => s + l.payable, 0);
  return {
    lines,
    adjustments: [],
    itemsTotal: items,
    discountTotal: 0,
    freight,
    pointsUsed: 0,
    pointsDeduction: 0,
    total: items + freight,
    savings: 0,
    couponIds: [],
    rejectedCoupons: [],
  };
}

/** Sequential ids, so tests can name the orders they placed. */
export function sequentialIds(prefix = 'o'): { orderId(): string; orderNumber(): string } {
  let n = 0;
  let m = 0;
  return {
    orderId: () => `${prefix}${++n}`,
    orderNumber: () => `N${prefix.toUpperCase()}${String(++m).padStart(6, '0')}`,
  };
}

export const pay = (amount: number, transactionId = 'tx-1') => ({ type: 'PAYMENT_SUCCEEDED' as const, amount, transactionId });
