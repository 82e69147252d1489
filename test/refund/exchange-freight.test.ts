import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { transition } from '../../src/lifecycle/index.js';
import { definePolicy, type Policy } from '../../src/order/policy.js';
import type { Actor, Command, Order } from '../../src/order/index.js';
import { isFullyRefunded, succeededRefundTotal } from '../../src/refund/index.js';
import { buildLine, CUSTOMER, GATEWAY, MERCHANT, T0 } from './fixtures.js';
import { arbLines, viaTransition } from './harness.js';

/**
 * An open exchange (换货) holds its units but refunds nothing (docs/after-sales.md "Exchange"):
 * the shopper keeps goods for them, so a refund of everything else has not taken the last money
 * and does not bring the freight back. The freight comes back with the request that really takes
 * the last money (the replacement's refund), once.
 */

const policy = definePolicy({ refundShipping: 'always' });

function run(order: Order, command: Record<string, unknown>, actor: Actor, p: Policy = policy): Order {
  const r = transition(order, command as Command, { now: T0, actor, policy: p });
  if (!r.ok) throw new Error(`${String(command.type)}: ${r.error.code} ${r.error.message}`);
  return r.order;
}

const last = (o: Order) => o.afterSales[o.afterSales.length - 1]!;

/** Approves (when still requested), receives (a return) and settles every pending refund of the after-sale just asked. */
function settle(o: Order): Order {
  const a = last(o);
  if (a.status === 'requested') o = run(o, { type: 'APPROVE_AFTER_SALE', afterSaleId: a.id }, MERCHANT);
  if (last(o).status === 'awaiting_return') o = run(o, { type: 'RETURN_RECEIVED', afterSaleId: a.id }, MERCHANT);
  for (const r of o.refunds) if (r.status === 'pending') o = run(o, { type: 'REFUND_SUCCEEDED', refundId: r.id }, GATEWAY);
  return o;
}

describe('freight and an open exchange', () => {
  it('worked case: one T-shirt out for exchange; the other T-shirt and the mug refunded without the freight; the cancelled exchange leaves it with the shop', () => {
    const lines = [buildLine({ id: 'T', sku: 'TEE-L', title: 'T-shirt', listPrice: 3000, quantity: 2 }), buildLine({ id: 'M', sku: 'MUG', title: 'Mug', listPrice: 5000, quantity: 1 })];
    let o = run(viaTransition.start(lines, 1000, policy), { type: 'SHIP', logisticsType: 'express', trackingNo: 'SF1', expressCompany: 'SF' }, MERCHANT);
    o = run(o, { type: 'REQUEST_EXCHANGE', items: [{ lineId: 'T', quantity: 1, sku: 'TEE-M' }], reason: '尺码偏大' }, CUSTOMER);
    const ex = last(o).id;
    o = settle(run(o, { type: 'REQUEST_AFTER_SALE', kind: 'refund_only', reason: '其余不要了' }, CUSTOMER));
    expect(last(o)).toMatchObject({ amount: 8000, shippingAmount: 0 });
    // The shopper withdraws the exchange and keeps the T-shirt: the freight was never refunded.
    o = run(o, { type: 'CANCEL_AFTER_SALE', afterSaleId: ex }, CUSTOMER);
    expect(succeededRefundTotal(o)).toBe(8000);
    // Refunding that T-shirt too is the last money: the freight comes back with it.
    o = settle(run(o, { type: 'REQUEST_AFTER_SALE', kind: 'return_and_refund', reason: '也退了' }, CUSTOMER));
    expect(last(o)).toMatchObject({ amount: 4000, shippingAmount: 1000 });
    expect(o).toMatchObject({ status: 'closed', closeReason: 'fully_refunded' });
  });

  it('property: with an exchange open, refunding the rest carries no freight unless the exchanged units are worth nothing; after the exchange, refunding the replacement brings it back once and the whole payment is returned', () => {
    fc.assert(
      fc.property(arbLines, fc.integer({ min: 1, max: 1500 }), fc.nat(), fc.nat(), (lines, freight, pickLine, pickQty) => {
        let o = viaTransition.start(lines, freight, policy);
        if (o.status !== 'paid') return;
        o = run(o, { type: 'SHIP', logisticsType: 'express', trackingNo: 'SF1', expressCompany: 'SF' }, MERCHANT);
        const line = o.lines[pickLine % o.lines.length]!;
        const quantity = 1 + (pickQty % line.quantity);
        o = run(o, { type: 'REQUEST_EXCHANGE', items: [{ lineId: line.id, quantity }], reason: 'swap' }, CUSTOMER);
        const exchangeWorth = last(o).lines!.reduce((s, l) => s + l.amount, 0);
        const goods = o.lines.reduce((s, l) => s + l.payable, 0);
        const rest = transition(o, { type: 'REQUEST_AFTER_SALE', kind: 'refund_only', reason: 'rest' } as Command, { now: T0, actor: CUSTOMER, policy });
        if (rest.ok) {
          expect(last(rest.order).shippingAmount).toBe(exchangeWorth === 0 ? freight : 0);
          o = settle(rest.order);
        } else {
          expect(rest.error.code).toBe('NOTHING_TO_REFUND');
          expect(goods - exchangeWorth).toBe(0);
        }
        // Exchanged units worth nothing: that refund was the last money and closed the order.
        if (o.status === 'closed') {
          expect(isFullyRefunded(o)).toBe(true);
          return;
        }
        // The exchange completes; the replacement is then refunded too.
        const id = o.afterSales.find((a) => a.kind === 'exchange')!.id;
        o = run(o, { type: 'APPROVE_AFTER_SALE', afterSaleId: id }, MERCHANT);
        o = run(o, { type: 'RETURN_RECEIVED', afterSaleId: id }, MERCHANT);
        o = run(o, { type: 'SHIP_EXCHANGE', afterSaleId: id, trackingNo: 'SF2', expressCompany: 'SF' }, MERCHANT);
        const back = transition(o, { type: 'REQUEST_AFTER_SALE', kind: 'return_and_refund', items: [{ lineId: line.id, quantity }], reason: 'no' } as Command, { now: T0, actor: CUSTOMER, policy });
        if (!back.ok) throw new Error(back.error.code);
        o = settle(back.order);
        const freightBack = o.afterSales.reduce((s, a) => s + (a.status === 'refunded' ? a.shippingAmount : 0), 0);
        expect(freightBack).toBe(freight);
        expect(succeededRefundTotal(o)).toBe(o.payment.paidAmount);
        expect(isFullyRefunded(o)).toBe(true);
      }),
      { numRuns: 200 },
    );
  });
});
