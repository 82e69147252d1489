import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { transition } from '../../src/lifecycle/index.js';
import { definePolicy, type Policy } from '../../src/order/policy.js';
import type { Actor, Command, Order } from '../../src/order/index.js';
import { isFullyRefunded, refundQuote, shippingHeld, succeededRefundTotal } from '../../src/refund/index.js';
import { buildLine, CUSTOMER, GATEWAY, MERCHANT, T0 } from './fixtures.js';
import { arbLines, viaTransition } from './harness.js';

/**
 * A freight-only refund of part of the freight (REQUEST_FREIGHT_REFUND with an amount), then the
 * goods (docs/after-sales.md "Freight-only refund"): freight comes back once at most, and what the
 * freight-only refunds did not take still comes back with the last money when the policy refunds
 * freight. Refunding everything then returns exactly what was paid.
 */

function run(order: Order, command: Record<string, unknown>, actor: Actor, policy: Policy): Order {
  const r = transition(order, command as Command, { now: T0, actor, policy });
  if (!r.ok) throw new Error(`${String(command.type)}: ${r.error.code} ${r.error.message}`);
  return r.order;
}

function succeedPending(order: Order, policy: Policy): Order {
  for (const r of order.refunds) if (r.status === 'pending') order = run(order, { type: 'REFUND_SUCCEEDED', refundId: r.id }, GATEWAY, policy);
  return order;
}

describe('a partial freight-only refund, then everything else', () => {
  it('worked case: ¥4.00 of ¥10.00 freight back first; the whole-order refund brings the other ¥6.00 with the goods', () => {
    const policy = definePolicy({ refundShipping: 'always' });
    const lines = [buildLine({ id: 'T', sku: 'TEE-L', title: 'T-shirt', listPrice: 3000, quantity: 2 }), buildLine({ id: 'M', sku: 'MUG', title: 'Mug', listPrice: 5000, quantity: 1 })];
    let o = viaTransition.start(lines, 1000, policy);
    o = run(o, { type: 'SHIP', logisticsType: 'express', trackingNo: 'SF1', expressCompany: 'SF' }, MERCHANT, policy);
    o = succeedPending(run(o, { type: 'REQUEST_FREIGHT_REFUND', amount: 400, reason: '发货慢' }, MERCHANT, policy), policy);
    const q = refundQuote(o, { kind: 'refund_only' }, { now: T0, policy });
    expect(q.ok && [q.quote.itemsAmount, q.quote.shippingAmount, q.quote.amount]).toEqual([11000, 600, 11600]);
    // includeShipping: true asks for what is left of it too.
    const asked = refundQuote(o, { kind: 'refund_only', items: [{ lineId: 'M', quantity: 1 }], includeShipping: true }, { now: T0, policy });
    expect(asked.ok && asked.quote.shippingAmount).toBe(600);
    o = run(o, { type: 'REQUEST_AFTER_SALE', kind: 'refund_only', reason: 'all' }, CUSTOMER, policy);
    const id = o.afterSales[o.afterSales.length - 1]!.id;
    o = succeedPending(run(o, { type: 'APPROVE_AFTER_SALE', afterSaleId: id }, MERCHANT, policy), policy);
    expect(o.afterSales[o.afterSales.length - 1]).toMatchObject({ amount: 11600, shippingAmount: 600 });
    expect(succeededRefundTotal(o)).toBe(12000);
    expect(o).toMatchObject({ status: 'closed', closeReason: 'fully_refunded' });
  });

  it('property: after freight-only refunds of any part of the freight, a whole-order refund returns exactly what is left of the payment; Σ freight refunded = freight', () => {
    fc.assert(
      fc.property(
        arbLines,
        fc.integer({ min: 2, max: 1500 }),
        fc.array(fc.integer({ min: 1, max: 1500 }), { minLength: 1, maxLength: 3 }),
        fc.constantFrom('always' as const, 'before_shipment' as const),
        fc.boolean(),
        (lines, freight, cuts, refundShipping, shipFirst) => {
          const policy = definePolicy({ refundShipping, autoApproveRefundBeforeShipment: true });
          let o = viaTransition.start(lines, freight, policy);
          if (o.status !== 'paid') return;
          if (shipFirst) o = run(o, { type: 'SHIP', logisticsType: 'express', trackingNo: 'SF1', expressCompany: 'SF' }, MERCHANT, policy);
          // Freight-only refunds that leave some freight behind (each takes at most what is left − 1).
          for (const cut of cuts) {
            const left = freight - shippingHeld(o);
            if (left <= 1) break;
            o = succeedPending(run(o, { type: 'REQUEST_FREIGHT_REFUND', amount: 1 + (cut % (left - 1)), reason: 'late' }, MERCHANT, policy), policy);
          }
          const goods = o.lines.reduce((s, l) => s + l.payable, 0);
          if (goods === 0) return;
          const r = transition(o, { type: 'REQUEST_AFTER_SALE', kind: 'refund_only', reason: 'all' } as Command, { now: T0, actor: CUSTOMER, policy });
          if (!r.ok) throw new Error(r.error.code);
          o = r.order;
          const a = o.afterSales[o.afterSales.length - 1]!;
          if (a.status === 'requested') o = run(o, { type: 'APPROVE_AFTER_SALE', afterSaleId: a.id }, MERCHANT, policy);
          o = succeedPending(o, policy);
          const freightBack = refundShipping === 'always' || !shipFirst;
          if (freightBack) {
            expect(shippingHeld(o)).toBe(freight);
            expect(succeededRefundTotal(o)).toBe(o.payment.paidAmount);
            expect(isFullyRefunded(o)).toBe(true);
            expect(o.status).toBe('closed');
          } else {
            expect(succeededRefundTotal(o)).toBeLessThan(o.payment.paidAmount);
          }
          expect(shippingHeld(o)).toBeLessThanOrEqual(freight);
        },
      ),
      { numRuns: 200 },
    );
  });
});
