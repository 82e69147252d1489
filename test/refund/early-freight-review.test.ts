import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { transition } from '../../src/lifecycle/index.js';
import { definePolicy } from '../../src/order/policy.js';
import type { Actor, Command, Order } from '../../src/order/index.js';
import { buildLine, CUSTOMER, MERCHANT, T0 } from './fixtures.js';
import { arbLines, viaTransition } from './harness.js';

/**
 * A refund-only request before shipment is approved at once (`autoApproveRefundBeforeShipment`),
 * but not one that asks the freight back (`includeShipping: true`) while goods are left to ship:
 * the shop would pay that freight again to send the rest. The merchant reviews it (approve as
 * asked, offer less, or reject); docs/after-sales.md "Rules".
 */

const policy = definePolicy(); // before_shipment, auto-approve

function run(order: Order, command: Record<string, unknown>, actor: Actor): Order {
  const r = transition(order, command as Command, { now: T0, actor, policy });
  if (!r.ok) throw new Error(`${String(command.type)}: ${r.error.code} ${r.error.message}`);
  return r.order;
}

describe('freight asked back before the last money is reviewed, never auto-approved', () => {
  it('worked case: one of two T-shirts with includeShipping: true waits for the merchant; without it, approved at once', () => {
    const lines = [buildLine({ id: 'T', sku: 'TEE-L', title: 'T-shirt', listPrice: 3000, quantity: 2 }), buildLine({ id: 'M', sku: 'MUG', title: 'Mug', listPrice: 5000, quantity: 1 })];
    const paid = viaTransition.start(lines, 1000, policy);
    const asked = run(paid, { type: 'REQUEST_AFTER_SALE', kind: 'refund_only', items: [{ lineId: 'T', quantity: 1 }], includeShipping: true, reason: '不想要了' }, CUSTOMER);
    expect(asked.afterSales[0]).toMatchObject({ status: 'requested', amount: 4000, shippingAmount: 1000 });
    expect(asked.refunds).toEqual([]);
    // The merchant may still approve it as asked.
    const approved = run(asked, { type: 'APPROVE_AFTER_SALE', afterSaleId: asked.afterSales[0]!.id }, MERCHANT);
    expect(approved.refunds.map((r) => r.amount)).toEqual([4000]);
    const plain = run(paid, { type: 'REQUEST_AFTER_SALE', kind: 'refund_only', items: [{ lineId: 'T', quantity: 1 }], reason: '不想要了' }, CUSTOMER);
    expect(plain.afterSales[0]).toMatchObject({ status: 'refunding', amount: 3000, shippingAmount: 0 });
    // The whole order (a shopper's cancel) brings the freight with the last money, at once.
    const all = run(paid, { type: 'REQUEST_AFTER_SALE', kind: 'refund_only', includeShipping: true, reason: '不要了' }, CUSTOMER);
    expect(all.afterSales[0]).toMatchObject({ status: 'refunding', amount: 12000, shippingAmount: 1000 });
  });

  it('property: an auto-approved request carries freight only when it takes the last money', () => {
    fc.assert(
      fc.property(arbLines, fc.integer({ min: 1, max: 1500 }), fc.array(fc.record({ line: fc.nat(5), qty: fc.integer({ min: 1, max: 6 }), ship: fc.boolean() }), { minLength: 1, maxLength: 4 }), (lines, freight, asks) => {
        let o = viaTransition.start(lines, freight, policy);
        if (o.status !== 'paid') return;
        for (const ask of asks) {
          const line = o.lines[ask.line % o.lines.length]!;
          const r = transition(o, { type: 'REQUEST_AFTER_SALE', kind: 'refund_only', items: [{ lineId: line.id, quantity: ask.qty }], includeShipping: ask.ship, reason: 'r' } as Command, { now: T0, actor: CUSTOMER, policy });
          if (!r.ok) continue;
          o = r.order;
          const a = o.afterSales[o.afterSales.length - 1]!;
          if (a.status === 'requested' || a.shippingAmount === 0) continue;
          // Approved at once with freight: nothing is left to pay for after it.
          const goods = o.lines.reduce((s, l) => s + l.payable, 0);
          const taken = o.afterSales.filter((x) => x.status !== 'rejected' && x.status !== 'cancelled').reduce((s, x) => s + x.amount - x.shippingAmount, 0);
          expect(taken).toBe(goods);
        }
      }),
      { numRuns: 300 },
    );
  });
});
