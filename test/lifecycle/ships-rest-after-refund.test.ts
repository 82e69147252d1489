import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { allowedActions, transition } from '../../src/lifecycle/index.js';
import type { Command, Order } from '../../src/order/index.js';
import { customer, gateway, line, merchant, must, NOW, place, system } from './fixtures.js';

/**
 * A partially shipped order whose every unit not shipped is refunded (refund-only) has nothing
 * left to ship: it becomes `shipped`, with its auto-confirm clock, instead of waiting for ever in
 * partially_shipped (the liveness finding of docs/lifecycle.md "Checking a lifecycle exhaustively").
 */

function partlyShipped(units = 3, shipNow = 1): Order {
  const placed = place({ lines: [line('a', units, 1000)] });
  const paid = must(placed, { type: 'PAYMENT_SUCCEEDED', amount: units * 1000, transactionId: 'tx-1' }, gateway).order;
  return must(paid, { type: 'SHIP', logisticsType: 'express', items: [{ lineId: 'a', quantity: shipNow }], trackingNo: 'SF1', expressCompany: 'SF' }, merchant).order;
}

const refundOnly = (quantity: number): Command => ({ type: 'REQUEST_AFTER_SALE', kind: 'refund_only', items: [{ lineId: 'a', quantity }], reason: '不要了' });

const approve = (order: Order): Order => must(order, { type: 'APPROVE_AFTER_SALE', afterSaleId: order.afterSales.at(-1)!.id }, merchant).order;

describe('refunding every unit not shipped', () => {
  it('approving a refund of the rest makes the order shipped and starts auto-confirm', () => {
    const asked = must(partlyShipped(), refundOnly(2), customer).order;
    // Something has shipped, so the request waits for the merchant: until then it counts for nothing.
    expect(asked.afterSales[0]!.status).toBe('requested');
    expect(asked.status).toBe('partially_shipped');
    const r = must(asked, { type: 'APPROVE_AFTER_SALE', afterSaleId: asked.afterSales[0]!.id }, merchant);
    expect(r.order.afterSales[0]!.status).toBe('refunding');
    expect(r.order.status).toBe('shipped');
    expect(r.order.deadlines.autoConfirmAt).toBeDefined();
    expect(r.effects.some((e) => e.type === 'schedule' && (e as { command: Command }).command.type === 'AUTO_CONFIRM')).toBe(true);
    // The order goes on as any shipped order: confirmed, then completed.
    expect(must(r.order, { type: 'CONFIRM_RECEIPT' }, customer).order.status).toBe('completed');
  });

  it('a rejected request gives the units back: the merchant ships them', () => {
    const asked = must(partlyShipped(), refundOnly(2), customer).order;
    const rejected = must(asked, { type: 'REJECT_AFTER_SALE', afterSaleId: asked.afterSales[0]!.id, reason: '已发出' }, merchant).order;
    expect(rejected.status).toBe('partially_shipped');
    expect(allowedActions(rejected, merchant, NOW)).toContain('SHIP');
    expect(must(rejected, { type: 'SHIP', logisticsType: 'express', trackingNo: 'SF2', expressCompany: 'SF' }, merchant).order.status).toBe('shipped');
  });

  it('a refund of part of the rest keeps it partially shipped, and the last unit can still ship', () => {
    const order = approve(must(partlyShipped(), refundOnly(1), customer).order);
    expect(order.status).toBe('partially_shipped');
    expect(allowedActions(order, merchant, NOW)).toContain('SHIP');
    expect(must(order, { type: 'SHIP', logisticsType: 'express', trackingNo: 'SF2', expressCompany: 'SF' }, merchant).order.status).toBe('shipped');
  });

  it('property: after any approved refund-only split, the order is shipped exactly when nothing is left to ship', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 6 }), fc.integer({ min: 1, max: 5 }), fc.array(fc.integer({ min: 1, max: 3 }), { maxLength: 4 }), (units, shipped, asks) => {
        fc.pre(shipped < units);
        let order = partlyShipped(units, shipped);
        let refunded = 0;
        for (const q of asks) {
          const r = transition(order, refundOnly(q), { now: NOW, actor: customer });
          if (!r.ok) continue;
          order = approve(r.order);
          refunded += q;
        }
        // A refund-only claim takes never-shipped units first; beyond them it refunds shipped ones kept.
        const left = Math.max(0, units - shipped - refunded);
        expect(order.status).toBe(left === 0 ? 'shipped' : 'partially_shipped');
        // Settling every refund closes the order only when every unit was refunded (no freight here).
        for (const refund of order.refunds.filter((x) => x.status === 'pending')) {
          order = must(order, { type: 'REFUND_SUCCEEDED', refundId: refund.id }, system).order;
        }
        expect(order.status).toBe(refunded >= units ? 'closed' : left === 0 ? 'shipped' : 'partially_shipped');
      }),
      { numRuns: 200 },
    );
  });
});
