import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AfterSale, Order } from '../../src/order/index.js';
import { afterSaleNotice, afterSaleNotifyData, notifyEffect } from '../../src/refund/effects.js';

/**
 * `afterSaleNotice` writes its data as literals for the keys the reducers pass (src/refund/effects.ts):
 * it must stay `notifyEffect(to, template, order, { ...afterSaleNotifyData(a), [key]: value })`, the
 * same keys in the same order, for those keys and for any other.
 */
describe('afterSaleNotice', () => {
  it('equals the spread it stands for, key order included', () => {
    const key = fc.oneof(fc.constantFrom('refundId', 'reason', 'amount', 'kind', 'afterSaleId', 'orderNumber', 'returnRequired'), fc.string({ maxLength: 12 }));
    fc.assert(
      fc.property(
        fc.constantFrom<'customer' | 'merchant'>('customer', 'merchant'),
        fc.string({ maxLength: 20 }),
        fc.string({ maxLength: 30 }),
        fc.string({ maxLength: 30 }),
        fc.constantFrom<AfterSale['kind']>('refund_only', 'return_and_refund', 'exchange'),
        fc.integer({ min: 0, max: 1_000_000 }),
        key,
        fc.oneof(fc.string({ maxLength: 20 }), fc.integer(), fc.constant(undefined)),
        (to, template, number, id, kind, amount, k, value) => {
          fc.pre(k !== '__proto__');
          const order = { number } as Order;
          const a = { id, kind, amount } as AfterSale;
          const got = afterSaleNotice(to, template, order, a, k, value);
          const want = notifyEffect(to, template, order, { ...afterSaleNotifyData(a), [k]: value });
          expect(got).toStrictEqual(want);
          expect(Object.keys((got as { data: object }).data)).toEqual(Object.keys((want as { data: object }).data));
        },
      ),
      { numRuns: 300 },
    );
  });
});
