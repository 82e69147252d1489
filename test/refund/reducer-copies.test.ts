import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { definePolicy } from '../../src/order/policy.js';
import { approveAfterSale, lineHoldings, refundSucceeded, requestAfterSale } from '../../src/refund/index.js';
import type { ReducerContext } from '../../src/refund/types.js';
import { shippedQuantities, type AfterSale, type CommandOf, type Order, type Refund } from '../../src/order/index.js';
import { movedAfterSale, movedRefund } from '../../src/refund/copies.js';
import { ctx, CUSTOMER, deepFreeze, GATEWAY, MERCHANT, paidOrder, shipped, T0 } from './fixtures.js';

/**
 * A reducer run copies the order once and writes its later moves into that copy
 * (src/refund/engine.ts, `Step.owned`): the caller's order is never touched, and keys a caller
 * put on it still come back, whichever path the after-sale takes.
 */
function must<T extends { ok: boolean }>(r: T): Extract<T, { ok: true }> {
  if (!r.ok) throw (r as unknown as { error: Error }).error;
  return r as Extract<T, { ok: true }>;
}

describe('after-sale reducers copy the order once', () => {
  for (const restockOnReturn of [true, false]) {
    for (const shipAll of [true, false]) {
      it(`request → approve → refund leaves every input as it was (restock ${restockOnReturn}, ${shipAll ? 'all' : 'part'} shipped)`, () => {
        const policy = definePolicy({ restockOnReturn, autoApproveRefundBeforeShipment: false });
        const base = paidOrder({ lines: [{ id: 'a', sku: 'A', listPrice: 1000, quantity: 3 }, { id: 'b', sku: 'B', listPrice: 500, quantity: 1 }], freight: 600 });
        const sent = shipped(base, shipAll ? undefined : [{ lineId: 'a', quantity: 1 }]);
        const order = deepFreeze({ ...sent, shopNote: 'kept' } as Order);
        const before = JSON.stringify(order);
        const requested = must(requestAfterSale(order, { type: 'REQUEST_AFTER_SALE', kind: 'refund_only', items: [{ lineId: 'a', quantity: 2 }], reason: 'r' }, ctx(CUSTOMER, T0, policy)));
        expect(JSON.stringify(order)).toBe(before);
        expect((requested.order as unknown as { shopNote?: string }).shopNote).toBe('kept');
        const id = requested.order.afterSales[0]!.id;
        const input = deepFreeze(requested.order);
        const approved = must(approveAfterSale(input, { type: 'APPROVE_AFTER_SALE', afterSaleId: id }, ctx(MERCHANT, T0, policy)));
        expect(approved.order).not.toBe(input);
        expect(input.refunds).toHaveLength(0);
        expect(input.afterSales[0]!.status).toBe('requested');
        expect((approved.order as unknown as { shopNote?: string }).shopNote).toBe('kept');
        expect(approved.order.afterSales[0]!.status).toBe('refunding');
        expect(approved.order.refunds.map((r) => r.id)).toEqual([approved.order.afterSales[0]!.refundId]);
        // Units that never left the warehouse go back to stock on approval; shipped ones do not.
        const release = approved.effects.find((e) => e.type === 'inventory.release');
        if (restockOnReturn && !shipAll) expect(release).toEqual({ type: 'inventory.release', items: [{ sku: 'A', quantity: 2 }], reason: 'refund_before_shipment' });
        else expect(release).toBeUndefined();
        const done = must(refundSucceeded(deepFreeze(approved.order), { type: 'REFUND_SUCCEEDED', refundId: approved.order.refunds[0]!.id }, ctx(GATEWAY, T0, policy)));
        expect(done.order.afterSales[0]!.status).toBe('refunded');
        expect(done.order.refunds[0]!.status).toBe('succeeded');
        expect(approved.order.refunds[0]!.status).toBe('pending');
        expect((done.order as unknown as { shopNote?: string }).shopNote).toBe('kept');
        expect(done.data).toEqual({ refundId: done.order.refunds[0]!.id, amount: done.order.refunds[0]!.amount, refundReason: 'after_sale', afterSaleStatus: 'refunded', afterSaleId: id });
      });
    }
  }
});

describe('reducers as transition() calls them (ReducerContext.schemaCopies)', () => {
  it('give the same after-sales, refunds, payment, deadlines, effects and data as a public call; only keys outside the schema are left out of the order', () => {
    const policy = definePolicy({ autoApproveRefundBeforeShipment: false });
    const base = paidOrder({ lines: [{ id: 'a', sku: 'A', listPrice: 1000, quantity: 3 }, { id: 'b', sku: 'B', listPrice: 500, quantity: 1 }], freight: 600 });
    const order = deepFreeze({ ...shipped(base, [{ lineId: 'a', quantity: 1 }]), shopNote: 'kept' } as Order);
    const publicCtx = (actor: typeof CUSTOMER) => ctx(actor, T0, policy);
    const laneCtx = (actor: typeof CUSTOMER): ReducerContext => ({ ...ctx(actor, T0, policy), schemaCopies: true });
    const same = (a: { ok: boolean }, b: { ok: boolean }) => {
      const x = must(a as never) as { order: Order; effects: unknown; data?: unknown };
      const y = must(b as never) as { order: Order; effects: unknown; data?: unknown };
      for (const key of ['afterSales', 'refunds', 'payment', 'deadlines', 'lines', 'shipments', 'status'] as const) expect(y.order[key]).toStrictEqual(x.order[key]);
      expect(y.effects).toStrictEqual(x.effects);
      expect(y.data).toStrictEqual(x.data);
      expect((x.order as unknown as { shopNote?: string }).shopNote).toBe('kept');
      expect('shopNote' in y.order).toBe(false);
      return x.order;
    };
    const request: CommandOf<'REQUEST_AFTER_SALE'> = { type: 'REQUEST_AFTER_SALE', kind: 'refund_only', items: [{ lineId: 'a', quantity: 2 }], reason: 'r' };
    const requested = same(requestAfterSale(order, request, publicCtx(CUSTOMER)), requestAfterSale(order, request, laneCtx(CUSTOMER)));
    const approve = { type: 'APPROVE_AFTER_SALE', afterSaleId: requested.afterSales[0]!.id } as const;
    const input = deepFreeze(requested);
    const approved = same(approveAfterSale(input, approve, publicCtx(MERCHANT)), approveAfterSale(input, approve, laneCtx(MERCHANT)));
    const result = { type: 'REFUND_SUCCEEDED', refundId: approved.refunds[0]!.id } as const;
    const frozen = deepFreeze(approved);
    same(refundSucceeded(frozen, result, publicCtx(GATEWAY)), refundSucceeded(frozen, result, laneCtx(GATEWAY)));
  });
});

describe('lineHoldings counts shipped units as shippedQuantities does', () => {
  it('on small orders (summed per line) and large ones (through the map) alike', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 12 }),
        fc.array(fc.array(fc.record({ line: fc.nat(14), quantity: fc.integer({ min: 1, max: 4 }) }), { minLength: 1, maxLength: 9 }), { maxLength: 8 }),
        (lineCount, parcels) => {
          const lines = Array.from({ length: lineCount }, (_, i) => ({ id: `L${i}`, quantity: 1 + (i % 5) }));
          const shipments = parcels.map((items, s) => ({ id: `S${s}`, items: items.map((it) => ({ lineId: `L${it.line}`, quantity: it.quantity })) }));
          const order = { lines, shipments, afterSales: [] } as unknown as Order;
          const counted = shippedQuantities(order);
          for (const h of lineHoldings(order).values()) expect(h.shipped).toBe(Math.min(h.line.quantity, counted.get(h.line.id) ?? 0));
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('movedAfterSale and movedRefund keep every other own key', () => {
  // Written against the rule itself: the copy has the input's own keys with their values (an own
  // key holding undefined included), the new status and time, and, for a ledger entry, no
  // failureReason / gatewayStatus unless asked to keep them.
  const key = fc.constantFrom('lines', 'rejectReason', 'returnShipment', 'returnedAt', 'refundId', 'photos', 'quotedAmount', 'shopNote', 'x',
    'afterSaleId', 'transactionId', 'outTradeNo', 'gatewayRefundId', 'failureReason', 'gatewayStatus', 'replaces', 'replacedBy', 'abnormalHandling');
  const value = fc.constantFrom<unknown>(undefined, 'v', 0, ['p'], { a: 1 });
  const extras = fc.dictionary(key, value, { maxKeys: 6 });
  // Inherited keys the copies do not read by name are left behind (only own keys are kept).
  const inherited = fc.option(fc.dictionary(fc.constantFrom('photos', 'quotedAmount', 'shopNote', 'x'), value, { maxKeys: 2 }), { nil: undefined });
  const withProto = (own: Record<string, unknown>, proto: Record<string, unknown> | undefined) => (proto === undefined ? own : Object.assign(Object.create(proto) as object, own));
  const ownCopy = (o: object) => Object.fromEntries(Object.keys(o).map((k) => [k, (o as Record<string, unknown>)[k]]));

  it('movedAfterSale', () => {
    fc.assert(
      fc.property(extras, inherited, (extra, proto) => {
        const base = { id: 'N1-AS1', kind: 'refund_only', status: 'requested', items: [], amount: 1, shippingAmount: 0, reason: 'r', requestedBy: CUSTOMER, requestedAt: 't0', updatedAt: 't0' };
        const a = withProto({ ...base, ...extra }, proto) as unknown as AfterSale;
        const expected = { ...ownCopy(a), status: 'approved', updatedAt: 't1' };
        expect(movedAfterSale(a, 'approved', 't1')).toStrictEqual(expected);
      }),
      { numRuns: 500 },
    );
  });

  it('movedRefund', () => {
    fc.assert(
      fc.property(extras, inherited, fc.boolean(), fc.boolean(), (extra, proto, keepReason, keepGatewayStatus) => {
        const base = { id: 'N1R1', reason: 'after_sale', amount: 1, status: 'failed', createdAt: 't0', updatedAt: 't0', attempts: 1 };
        const r = withProto({ ...base, ...extra }, proto) as unknown as Refund;
        const expected: Record<string, unknown> = { ...ownCopy(r), status: 'pending', updatedAt: 't1' };
        if (!keepReason) delete expected['failureReason'];
        if (!keepGatewayStatus) delete expected['gatewayStatus'];
        expect(movedRefund(r, 'pending', 't1', keepReason, keepGatewayStatus)).toStrictEqual(expected);
      }),
      { numRuns: 500 },
    );
  });
});
