import fc from 'fast-check';
import { describe, it, expect } from 'vitest';
import { transition } from '../../src/lifecycle/index.js';
import { OrderSchema, type Command } from '../../src/order/index.js';
import { at, customer, gateway, line, merchant, must, place } from '../lifecycle/fixtures.js';

const weird = fc.oneof(fc.constant(0), fc.constant(-1), fc.constant(0.5), fc.constant(1e21), fc.constant(Number.MAX_SAFE_INTEGER), fc.constant(NaN), fc.constant(Infinity), fc.constant('1'), fc.constant(null), fc.integer({ min: -5, max: 5 }), fc.constant(2 ** 53));
const lineId = fc.constantFrom('a', 'b', 'zz', '', 'a ');
/**
 * Adversarial single inputs through transition(): zero, negative, fractional, huge, non-numeric
 * amounts and quantities, unknown, empty and duplicated line ids, on after-sale and refund
 * commands. Every one is either a typed refusal or a schema-valid order whose ledger entries are
 * whole positive fen (a 0-fen RECORD_GATEWAY_REFUND used to be stored as an entry).
 */
describe('untrusted amounts and line ids', () => {
  it('never throw, never store a refund of 0 or a fraction of a fen', () => {
    let o = place({ lines: [line('a', 2, 1000), line('b', 1, 500)], freight: 300 });
    o = must(o, { type: 'PAYMENT_SUCCEEDED', amount: 2800, transactionId: 'wx1' }, gateway).order;
    const shipped = must(o, { type: 'SHIP', logisticsType: 'express', items: [{ lineId: 'a', quantity: 1 }], trackingNo: 'SF', expressCompany: 'SF' }, merchant, at(1000)).order;
    const withAs = must(shipped, { type: 'REQUEST_AFTER_SALE', kind: 'return_and_refund', items: [{ lineId: 'a', quantity: 1 }], reason: 'r' }, customer, at(2000)).order;
    const asId = withAs.afterSales[0]!.id;
    const cmd = fc.oneof(
      fc.record({ type: fc.constant('REQUEST_AFTER_SALE'), kind: fc.constantFrom('refund_only', 'return_and_refund', 'exchange'), items: fc.array(fc.record({ lineId, quantity: weird }), { maxLength: 3 }), reason: fc.constant('r') }),
      fc.record({ type: fc.constant('PROPOSE_REFUND'), afterSaleId: fc.constantFrom(asId, 'x'), amount: weird }),
      fc.record({ type: fc.constant('SET_RETURN_SHIPPING_FEE'), afterSaleId: fc.constantFrom(asId), fee: weird, treatment: fc.constantFrom('refund', 'deduct') }),
      fc.record({ type: fc.constant('REQUEST_FREIGHT_REFUND'), amount: weird, reason: fc.constant('r') }),
      fc.record({ type: fc.constant('REQUEST_EXCHANGE'), items: fc.array(fc.record({ lineId, quantity: weird, unitPrice: weird }), { maxLength: 3 }), reason: fc.constant('r') }),
      fc.record({ type: fc.constant('REFUND_SUCCEEDED'), refundId: fc.constantFrom('x', ''), amount: weird }),
      fc.record({ type: fc.constant('RECORD_GATEWAY_REFUND'), refundId: fc.constant('M'), amount: weird }),
      fc.record({ type: fc.constant('ADJUST_PRICE'), newTotal: weird, reason: fc.constant('r') }),
    );
    fc.assert(fc.property(fc.constantFrom(o, shipped, withAs), cmd, fc.constantFrom(customer, merchant, gateway), (order, c, actor) => {
      let r;
      try { r = transition(order, c as unknown as Command, { now: at(5000), actor }); } catch (e) { throw new Error(`threw ${String(e)} on ${JSON.stringify(c)}`); }
      if (!r.ok) { expect(r.error.code).toMatch(/^[A-Z_]+$/); return; }
      expect(OrderSchema.safeParse(r.order).success).toBe(true);
      for (const x of r.order.refunds) expect(Number.isSafeInteger(x.amount) && x.amount > 0).toBe(true);
      for (const a of r.order.afterSales) expect(Number.isSafeInteger(a.amount) && a.amount >= 0).toBe(true);
    }), { numRuns: 3000 });
  });
});
