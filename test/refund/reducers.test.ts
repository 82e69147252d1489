import { describe, expect, it } from 'vitest';
import { definePolicy } from '../../src/order/policy.js';
import { OrderSchema, type Order } from '../../src/order/index.js';
import {
  approveAfterSale,
  cancelAfterSale,
  isFullyRefunded,
  nextRefundId,
  refundableBalance,
  refundFailed,
  refundSucceeded,
  rejectAfterSale,
  requestAfterSale,
  retryRefund,
  returnReceived,
  returnShipped,
  type AfterSaleStepResult,
} from '../../src/refund/index.js';
import { CUSTOMER, ctx, deepFreeze, GATEWAY, MERCHANT, OTHER_CUSTOMER, paidOrder, shipped, T0, withLedgerEntry } from './fixtures.js';

const noAuto = definePolicy({ autoApproveRefundBeforeShipment: false });
const base = () => deepFreeze(paidOrder({ lines: [{ id: 'A', sku: 'SKU-A', listPrice: 1000, quantity: 3 }, { id: 'B', sku: 'SKU-B', listPrice: 500, quantity: 2 }], freight: 800 }));

function ok(r: AfterSaleStepResult): Extract<AfterSaleStepResult, { ok: true }> {
  if (!r.ok) throw r.error;
  expect(OrderSchema.safeParse(r.order).success).toBe(true);
  return deepFreeze(r);
}
function err(r: AfterSaleStepResult) {
  if (r.ok) throw new Error('expected a failure');
  return r.error;
}
const request = (order: Order, extra: Partial<{ kind: 'refund_only' | 'return_and_refund'; items: Array<{ lineId: string; quantity: number }>; afterSaleId: string }> = {}, c = ctx()) =>
  requestAfterSale(order, { type: 'REQUEST_AFTER_SALE', kind: extra.kind ?? 'refund_only', reason: '不想要了', ...extra }, c);

describe('refund-only before shipment', () => {
  it('is approved at once by default: ledger entry, payment.refund, stock back, both sides told', () => {
    const r = ok(request(base(), { items: [{ lineId: 'A', quantity: 2 }] }));
    const a = r.order.afterSales[0]!;
    expect(a.status).toBe('refunding');
    expect(r.order.refunds).toHaveLength(1);
    const refund = r.order.refunds[0]!;
    expect(refund).toMatchObject({ id: a.refundId, amount: 2000, status: 'pending', reason: 'after_sale', afterSaleId: a.id, attempts: 1 });
    expect(r.effects.map((e) => e.type)).toEqual(['notify', 'payment.refund', 'inventory.release', 'notify']);
    expect(r.effects[1]).toMatchObject({ refundId: refund.id, amount: 2000, total: 4800, outTradeNo: r.order.payment.outTradeNo, transactionId: '4200000000000001' });
    expect(r.effects[2]).toMatchObject({ items: [{ sku: 'SKU-A', quantity: 2 }] });
    expect(r.data).toMatchObject({ autoApproved: true, from: null, to: 'refunding', amount: 2000 });
  });

  it('waits for the merchant when the policy does not auto-approve', () => {
    const r = ok(request(base(), {}, ctx(CUSTOMER, T0, noAuto)));
    expect(r.order.afterSales[0]!.status).toBe('requested');
    expect(r.order.refunds).toHaveLength(0);
    expect(r.effects).toEqual([expect.objectContaining({ type: 'notify', to: 'merchant', template: 'after_sale_requested' })]);
    const approved = ok(approveAfterSale(r.order, { type: 'APPROVE_AFTER_SALE', afterSaleId: r.order.afterSales[0]!.id }, ctx(MERCHANT, T0, noAuto)));
    expect(approved.order.afterSales[0]!.status).toBe('refunding');
    expect(approved.order.refunds[0]!.amount).toBe(4800); // 3000 + 1000 + 800 freight
    expect(approved.data).toMatchObject({ from: 'requested', to: 'refunding' });
  });
});

describe('after shipment', () => {
  it('refund-only of shipped goods needs approval and releases no stock', () => {
    const r = ok(request(shipped(base()), { items: [{ lineId: 'B', quantity: 1 }] }));
    expect(r.order.afterSales[0]!.status).toBe('requested');
    const a = ok(approveAfterSale(r.order, { type: 'APPROVE_AFTER_SALE', afterSaleId: r.order.afterSales[0]!.id }, ctx(MERCHANT)));
    expect(a.effects.map((e) => e.type)).toEqual(['payment.refund', 'notify']);
  });

  it('refund-only of the never-shipped part of a partly shipped order releases just those units', () => {
    const order = shipped(base(), [{ lineId: 'A', quantity: 1 }]);
    const r = ok(request(order, { items: [{ lineId: 'A', quantity: 2 }] }));
    const a = ok(approveAfterSale(r.order, { type: 'APPROVE_AFTER_SALE', afterSaleId: r.order.afterSales[0]!.id }, ctx(MERCHANT)));
    expect(a.effects.find((e) => e.type === 'inventory.release')).toMatchObject({ items: [{ sku: 'SKU-A', quantity: 2 }] });
    const more = ok(request(a.order, { items: [{ lineId: 'A', quantity: 1 }] }));
    const b = ok(approveAfterSale(more.order, { type: 'APPROVE_AFTER_SALE', afterSaleId: more.order.afterSales[1]!.id }, ctx(MERCHANT)));
    expect(b.effects.some((e) => e.type === 'inventory.release')).toBe(false); // the third unit shipped
  });

  it('return and refund: approve → awaiting_return → shipped back → received → refunding', () => {
    const order = shipped(base());
    const r = ok(request(order, { kind: 'return_and_refund', items: [{ lineId: 'A', quantity: 1 }] }));
    const id = r.order.afterSales[0]!.id;
    const approved = ok(approveAfterSale(r.order, { type: 'APPROVE_AFTER_SALE', afterSaleId: id }, ctx(MERCHANT)));
    expect(approved.order.afterSales[0]!.status).toBe('awaiting_return');
    expect(approved.order.refunds).toHaveLength(0);
    expect(approved.effects).toEqual([expect.objectContaining({ to: 'customer', template: 'after_sale_approved' })]);

    const ship = { type: 'RETURN_SHIPPED' as const, afterSaleId: id, trackingNo: 'SF1', expressCompany: 'SF' };
    expect(err(returnShipped(approved.order, ship, ctx(OTHER_CUSTOMER))).code).toBe('FORBIDDEN');
    const sent = ok(returnShipped(approved.order, ship, ctx(CUSTOMER)));
    expect(sent.order.afterSales[0]).toMatchObject({ status: 'awaiting_return', returnShipment: { trackingNo: 'SF1', expressCompany: 'SF' } });
    expect(err(cancelAfterSale(sent.order, { type: 'CANCEL_AFTER_SALE', afterSaleId: id }, ctx(CUSTOMER))).code).toBe('INVALID_AFTER_SALE_TRANSITION');
    // The tracking number is sent once: the merchant may already be looking for that parcel.
    expect(err(returnShipped(sent.order, { ...ship, trackingNo: 'SF2' }, ctx(CUSTOMER))).code).toBe('INVALID_AFTER_SALE_TRANSITION');

    const got = ok(returnReceived(sent.order, { type: 'RETURN_RECEIVED', afterSaleId: id }, ctx(MERCHANT)));
    const a = got.order.afterSales[0]!;
    expect(a.status).toBe('refunding');
    expect(a.returnedAt).toBe(T0.toISOString());
    expect(got.order.refunds[0]).toMatchObject({ id: a.refundId, amount: 1000, status: 'pending' });
    expect(got.effects.map((e) => e.type)).toEqual(['inventory.release', 'payment.refund']);
    expect(got.data).toMatchObject({ from: 'awaiting_return', to: 'refunding' });

    const noRestock = ok(returnReceived(sent.order, { type: 'RETURN_RECEIVED', afterSaleId: id }, ctx(MERCHANT, T0, definePolicy({ restockOnReturn: false }))));
    expect(noRestock.effects.map((e) => e.type)).toEqual(['payment.refund']);
  });

  it('a return can be withdrawn before the parcel is sent', () => {
    const r = ok(request(shipped(base()), { kind: 'return_and_refund' }));
    const id = r.order.afterSales[0]!.id;
    const approved = ok(approveAfterSale(r.order, { type: 'APPROVE_AFTER_SALE', afterSaleId: id }, ctx(MERCHANT)));
    const c = ok(cancelAfterSale(approved.order, { type: 'CANCEL_AFTER_SALE', afterSaleId: id }, ctx(CUSTOMER)));
    expect(c.order.afterSales[0]!.status).toBe('cancelled');
    expect(ok(request(c.order, { kind: 'return_and_refund' })).order.afterSales[1]!.amount).toBe(4000);
  });
});

describe('reject and cancel', () => {
  it('a rejected request frees its units and tells the customer why', () => {
    const r = ok(request(shipped(base())));
    const id = r.order.afterSales[0]!.id;
    const rej = ok(rejectAfterSale(r.order, { type: 'REJECT_AFTER_SALE', afterSaleId: id, reason: '已超出质保' }, ctx(MERCHANT)));
    expect(rej.order.afterSales[0]).toMatchObject({ status: 'rejected', rejectReason: '已超出质保' });
    expect(rej.effects).toEqual([expect.objectContaining({ to: 'customer', template: 'after_sale_rejected' })]);
    expect(ok(request(rej.order)).order.afterSales).toHaveLength(2);
    expect(err(rejectAfterSale(rej.order, { type: 'REJECT_AFTER_SALE', afterSaleId: id, reason: 'x' }, ctx(MERCHANT))).code).toBe('INVALID_AFTER_SALE_TRANSITION');
  });

  it('only the requesting customer may withdraw a request', () => {
    const r = ok(request(shipped(base())));
    const id = r.order.afterSales[0]!.id;
    const e = err(cancelAfterSale(r.order, { type: 'CANCEL_AFTER_SALE', afterSaleId: id }, ctx(OTHER_CUSTOMER)));
    expect(e.code).toBe('FORBIDDEN');
    expect(e.messages['zh-CN']).toContain('申请人');
    expect(ok(cancelAfterSale(r.order, { type: 'CANCEL_AFTER_SALE', afterSaleId: id }, ctx(CUSTOMER))).order.afterSales[0]!.status).toBe('cancelled');
  });

  it('a merchant withdraws only a request a merchant filed; a shopper\'s request is approved or rejected', () => {
    const mine = ok(request(shipped(base())));
    expect(err(cancelAfterSale(mine.order, { type: 'CANCEL_AFTER_SALE', afterSaleId: mine.order.afterSales[0]!.id }, ctx(MERCHANT))).code).toBe('FORBIDDEN');
    const filed = ok(request(shipped(base()), {}, ctx(MERCHANT)));
    const id = filed.order.afterSales[0]!.id;
    expect(ok(cancelAfterSale(filed.order, { type: 'CANCEL_AFTER_SALE', afterSaleId: id }, ctx(MERCHANT))).order.afterSales[0]!.status).toBe('cancelled');
    // The order's customer may withdraw what the merchant filed for them; another customer may not.
    expect(ok(cancelAfterSale(filed.order, { type: 'CANCEL_AFTER_SALE', afterSaleId: id }, ctx(CUSTOMER))).order.afterSales[0]!.status).toBe('cancelled');
    expect(err(cancelAfterSale(filed.order, { type: 'CANCEL_AFTER_SALE', afterSaleId: id }, ctx(OTHER_CUSTOMER))).code).toBe('FORBIDDEN');
  });

  it('unknown and duplicate after-sale ids are typed errors', () => {
    const r = ok(request(shipped(base()), { afterSaleId: 'AS-1' }));
    expect(err(request(r.order, { afterSaleId: 'AS-1' })).code).toBe('AFTER_SALE_EXISTS');
    expect(err(approveAfterSale(r.order, { type: 'APPROVE_AFTER_SALE', afterSaleId: 'nope' }, ctx(MERCHANT))).code).toBe('UNKNOWN_AFTER_SALE');
    expect(err(returnReceived(r.order, { type: 'RETURN_RECEIVED', afterSaleId: 'AS-1' }, ctx(MERCHANT))).code).toBe('INVALID_AFTER_SALE_TRANSITION');
  });
});

describe('caps at approval', () => {
  it('two requests that together exceed what is left cannot both be approved', () => {
    const one = ok(request(shipped(base()), { items: [{ lineId: 'B', quantity: 1 }] }));
    const two = ok(request(one.order, { items: [{ lineId: 'B', quantity: 1 }] }));
    // Meanwhile money left through another channel (a partial refund outside after-sales): 800 remain.
    const squeezed = withLedgerEntry(two.order, { amount: 4000, status: 'succeeded' });
    const [a1, a2] = squeezed.afterSales;
    const first = ok(approveAfterSale(squeezed, { type: 'APPROVE_AFTER_SALE', afterSaleId: a1!.id }, ctx(MERCHANT)));
    expect(first.order.refunds.at(-1)!.amount).toBe(500);
    const e = err(approveAfterSale(first.order, { type: 'APPROVE_AFTER_SALE', afterSaleId: a2!.id }, ctx(MERCHANT)));
    expect(e.code).toBe('REFUND_EXCEEDS_PAID');
    expect(e.details).toMatchObject({ requested: 500, available: 300 });
  });

  it('a new request is quoted against what open requests already hold', () => {
    const order = withLedgerEntry(shipped(base()), { amount: 4000, status: 'succeeded' });
    const one = ok(request(order, { items: [{ lineId: 'B', quantity: 1 }] }));
    const e = err(request(one.order, { items: [{ lineId: 'B', quantity: 1 }] }));
    expect(e.code).toBe('REFUND_EXCEEDS_PAID');
    expect(e.details).toMatchObject({ requested: 500, available: 300 });
  });

  it('an approved return reserves its amount before any refund exists', () => {
    const one = ok(request(shipped(base()), { kind: 'return_and_refund', items: [{ lineId: 'A', quantity: 1 }] }));
    const two = ok(request(one.order, { kind: 'refund_only', items: [{ lineId: 'B', quantity: 1 }] }));
    const squeezed = withLedgerEntry(two.order, { amount: 3500, status: 'succeeded' }); // 1300 left
    const approvedReturn = ok(approveAfterSale(squeezed, { type: 'APPROVE_AFTER_SALE', afterSaleId: two.order.afterSales[0]!.id }, ctx(MERCHANT)));
    expect(approvedReturn.order.refunds).toHaveLength(1); // no refund yet for the return
    const e = err(approveAfterSale(approvedReturn.order, { type: 'APPROVE_AFTER_SALE', afterSaleId: two.order.afterSales[1]!.id }, ctx(MERCHANT)));
    expect(e.code).toBe('REFUND_EXCEEDS_PAID');
    expect(e.details).toMatchObject({ requested: 500, available: 300 });
  });

  it('TOO_MANY_REFUNDS when approving would pass maxPartialRefunds', () => {
    const p = definePolicy({ maxPartialRefunds: 1 });
    const one = ok(request(shipped(base()), { items: [{ lineId: 'A', quantity: 1 }] }, ctx(CUSTOMER, T0, p)));
    expect(err(request(one.order, { items: [{ lineId: 'A', quantity: 1 }] }, ctx(CUSTOMER, T0, p))).code).toBe('TOO_MANY_REFUNDS');
  });

  it('REFUND_PERIOD_OVER when the approval comes after refundWithin', () => {
    const r = ok(request(shipped(base()), {}, ctx(CUSTOMER, T0, definePolicy({ refundWithin: { days: 1 } }))));
    const late = new Date('2026-11-26T05:00:00.000Z');
    const e = err(approveAfterSale(r.order, { type: 'APPROVE_AFTER_SALE', afterSaleId: r.order.afterSales[0]!.id }, ctx(MERCHANT, late, definePolicy({ refundWithin: { days: 1 } }))));
    expect(e.code).toBe('REFUND_PERIOD_OVER');
  });
});

describe('refund results', () => {
  const refunding = () => ok(request(base(), { items: [{ lineId: 'A', quantity: 1 }] }));

  it('REFUND_SUCCEEDED settles the entry and the after-sale; a repeat changes nothing', () => {
    const r = refunding();
    const id = r.order.refunds[0]!.id;
    const s = ok(refundSucceeded(r.order, { type: 'REFUND_SUCCEEDED', refundId: id, amount: 1000, gatewayRefundId: 'G1' }, ctx(GATEWAY)));
    expect(s.order.refunds[0]).toMatchObject({ status: 'succeeded', gatewayRefundId: 'G1' });
    expect(s.order.afterSales[0]!.status).toBe('refunded');
    expect(s.effects).toEqual([expect.objectContaining({ to: 'customer', template: 'refund_succeeded' })]);
    const again = ok(refundSucceeded(s.order, { type: 'REFUND_SUCCEEDED', refundId: id }, ctx(GATEWAY)));
    expect(again.order).toBe(s.order);
    expect(again.effects).toEqual([]);
    expect(again.data).toMatchObject({ duplicate: true });
  });

  it('unknown ids and wrong amounts are refused', () => {
    const r = refunding();
    expect(err(refundSucceeded(r.order, { type: 'REFUND_SUCCEEDED', refundId: 'X' }, ctx(GATEWAY))).code).toBe('UNKNOWN_REFUND');
    expect(err(refundFailed(r.order, { type: 'REFUND_FAILED', refundId: 'X', reason: 'r' }, ctx(GATEWAY))).code).toBe('UNKNOWN_REFUND');
    const e = err(refundSucceeded(r.order, { type: 'REFUND_SUCCEEDED', refundId: r.order.refunds[0]!.id, amount: 999 }, ctx(GATEWAY)));
    expect(e.code).toBe('REFUND_AMOUNT_MISMATCH');
    expect(e.path).toEqual(['amount']);
  });

  it('REFUND_FAILED frees the amount; APPROVE again retries under the same id and amount', () => {
    const r = refunding();
    const refund = r.order.refunds[0]!;
    expect(refundableBalance(r.order)).toBe(3800);
    const f = ok(refundFailed(r.order, { type: 'REFUND_FAILED', refundId: refund.id, reason: 'NOTENOUGH' }, ctx(GATEWAY)));
    expect(f.order.refunds[0]).toMatchObject({ status: 'failed', failureReason: 'NOTENOUGH' });
    expect(f.order.afterSales[0]!.status).toBe('refunding');
    expect(refundableBalance(f.order)).toBe(4800);
    expect(f.effects).toEqual([expect.objectContaining({ to: 'merchant', template: 'refund_failed' })]);
    expect(ok(refundFailed(f.order, { type: 'REFUND_FAILED', refundId: refund.id, reason: 'again' }, ctx(GATEWAY))).order).toBe(f.order);

    const later = new Date('2026-11-25T06:00:00.000Z');
    const retry = ok(approveAfterSale(f.order, { type: 'APPROVE_AFTER_SALE', afterSaleId: r.order.afterSales[0]!.id }, ctx(MERCHANT, later)));
    expect(retry.order.refunds).toHaveLength(1);
    expect(retry.order.refunds[0]).toMatchObject({ id: refund.id, amount: refund.amount, status: 'pending', attempts: 2, updatedAt: later.toISOString() });
    expect(retry.order.refunds[0]!.failureReason).toBeUndefined();
    expect(retry.effects).toEqual([expect.objectContaining({ type: 'payment.refund', refundId: refund.id, amount: refund.amount })]);
    // While the retry is pending, approving again is not a second retry.
    expect(err(approveAfterSale(retry.order, { type: 'APPROVE_AFTER_SALE', afterSaleId: r.order.afterSales[0]!.id }, ctx(MERCHANT))).code).toBe('INVALID_AFTER_SALE_TRANSITION');
  });

  it('a failure after success is refused', () => {
    const r = refunding();
    const id = r.order.refunds[0]!.id;
    const s = ok(refundSucceeded(r.order, { type: 'REFUND_SUCCEEDED', refundId: id }, ctx(GATEWAY)));
    expect(err(refundFailed(s.order, { type: 'REFUND_FAILED', refundId: id, reason: 'x' }, ctx(GATEWAY))).code).toBe('REFUND_ALREADY_SUCCEEDED');
  });

  it('completes and retries the lifecycle’s own entries (merchant cancel, late payment)', () => {
    const order = deepFreeze({ ...withLedgerEntry(base(), { amount: 4800, reason: 'merchant_cancel' }), status: 'closed' as const, closeReason: 'merchant_cancelled' as const });
    const id = order.refunds[0]!.id;
    const f = ok(refundFailed(order, { type: 'REFUND_FAILED', refundId: id, reason: 'SYSTEMERROR' }, ctx(GATEWAY)));
    const retried = ok(retryRefund(f.order, { refundId: id }, ctx(MERCHANT)));
    expect(retried.effects).toEqual([expect.objectContaining({ type: 'payment.refund', refundId: id, amount: 4800, total: 4800 })]);
    expect(err(retryRefund(retried.order, { refundId: id }, ctx(MERCHANT))).code).toBe('REFUND_NOT_FAILED');
    const s = ok(refundSucceeded(retried.order, { type: 'REFUND_SUCCEEDED', refundId: id, amount: 4800 }, ctx(GATEWAY)));
    expect(isFullyRefunded(s.order)).toBe(true);
    expect(isFullyRefunded(retried.order)).toBe(false);
  });

  it('isFullyRefunded only when succeeded refunds equal a non-zero payment', () => {
    expect(isFullyRefunded(base())).toBe(false);
    const zero = { ...base(), payment: { ...base().payment, paidAmount: 0 } };
    expect(isFullyRefunded(zero)).toBe(false);
    expect(isFullyRefunded(withLedgerEntry(base(), { amount: 4799, status: 'succeeded' }))).toBe(false);
    expect(isFullyRefunded(withLedgerEntry(base(), { amount: 4800, status: 'succeeded' }))).toBe(true);
  });
});

describe('freight held by a withdrawn request', () => {
  it('comes back with the next request that takes the last money', () => {
    const order = deepFreeze(paidOrder({ lines: [{ id: 'A', listPrice: 100, quantity: 1 }, { id: 'B', listPrice: 1, quantity: 3, allocations: [{ source: 'coupon', sourceId: 'c', amount: 2 }] }], freight: 500 }));
    const c = ctx(CUSTOMER, T0, noAuto);
    const a = ok(request(order, { items: [{ lineId: 'A', quantity: 1 }] }, c));
    expect(a.order.afterSales[0]).toMatchObject({ amount: 100, shippingAmount: 0 });
    // B's 1 fen sits on its first unit (shares 1, 0, 0): claiming it takes the last money and the freight.
    const b1 = ok(request(a.order, { items: [{ lineId: 'B', quantity: 1 }] }, c));
    expect(b1.order.afterSales[1]).toMatchObject({ amount: 501, shippingAmount: 500 });
    // The next unit of B is worth nothing: its request completes at once without a refund.
    const b2 = ok(request(b1.order, { items: [{ lineId: 'B', quantity: 1 }] }, ctx(CUSTOMER, T0)));
    expect(b2.order.afterSales[2]).toMatchObject({ amount: 0, status: 'refunded' });
    expect(b2.order.refunds.length).toBe(b1.order.refunds.length);
    const withdrawn = ok(cancelAfterSale(b1.order, { type: 'CANCEL_AFTER_SALE', afterSaleId: b1.order.afterSales[1]!.id }, c));
    const rest = ok(request(withdrawn.order, {}, c));
    expect(rest.order.afterSales[2]).toMatchObject({ items: [{ lineId: 'B', quantity: 3 }], amount: 501, shippingAmount: 500 });
  });
});

describe('refund ids', () => {
  it('never reuses an id taken by a stray payment’s refund', () => {
    const order = base();
    const stray = { transactionId: 't2', outTradeNo: `${order.number}-2`, amount: 100, paidAt: T0.toISOString(), recordedAt: T0.toISOString(), reason: 'superseded', refundId: `${order.number}R1` };
    const withStray = { ...order, payment: { ...order.payment, stray: [stray] } };
    expect(nextRefundId(order)).toBe(`${order.number}R1`);
    expect(nextRefundId(withStray)).toBe(`${order.number}R2`);
  });

  it('a stray payment’s refund does not count against the order’s paid amount', () => {
    const order = withLedgerEntry(base(), { amount: 999, reason: 'stray_payment', status: 'pending' });
    expect(refundableBalance(order)).toBe(4800);
  });
});
