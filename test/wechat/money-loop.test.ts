import { beforeAll, describe, expect, it } from 'vitest';
import { createOrderService, MemoryOrderStore, type Order, type OrderService } from '../../src/index.js';
import { applyPaymentNotice, applyRefundNotice, buildRefundRequestFromEffect, createKeyRing, handlePaymentNotification, handleRefundNotification, notificationResponse, parseTradeBill, reconcileWechatPayDay, type WechatPayKeyRing } from '../../src/wechat/index.js';
import { tradeBillText } from './support/bills.js';
import { makeKeyPair, type TestKeyPair } from './support/certs.js';
import { API_V3_KEY, APPID, encryptResource, MCHID, notificationBody, refundResource, signedHeaders, transactionResource } from './support/notify.js';

/**
 * The money loop end to end (docs/wechat.md "Which order does a notification pay?", "The amount
 * check, idempotency and money that cannot pay the order"): signed notifications through the
 * service into the memory store, checked for money that is lost, kept twice or paid back twice.
 */
const SERIAL = 'PUB_KEY_ID_0119000001092026112500000000000003';
const T0 = new Date('2026-11-25T04:00:00.000Z');
let platform: TestKeyPair;
let ring: WechatPayKeyRing;
beforeAll(() => {
  platform = makeKeyPair();
  const r = createKeyRing({ [SERIAL]: platform.publicPem });
  if (!r.ok) throw r.error;
  ring = r.keyRing;
});

let now: Date;
let service: OrderService;
function fresh(): void {
  now = new Date(T0);
  service = createOrderService({ store: new MemoryOrderStore(), clock: { now: () => now } });
}
async function place(number: string): Promise<Order> {
  const r = await service.place({
    id: `id-${number}`,
    number,
    customerId: 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o',
    cart: { lines: [{ id: 'L1', sku: 'OAT-1KG', title: '有机燕麦片 1kg', listPrice: 3300, quantity: 3 }] },
    rules: {},
    address: { name: '张三', phone: '13812345678', province: '广东省', city: '深圳市', detail: '科技园 1 号' },
  });
  if (!r.ok) throw r.error;
  return r.order;
}
function deliver(resource: unknown, eventType = 'TRANSACTION.SUCCESS') {
  const rawBody = notificationBody(encryptResource(resource), eventType);
  return { headers: signedHeaders(rawBody, { privateKey: platform.privateKey, serial: SERIAL }, now), rawBody, keys: ring, apiV3Key: API_V3_KEY, now, expect: { mchid: MCHID, appid: APPID } };
}

describe('which order a verified payment pays', () => {
  it('the out_trade_no decides, not an attach naming another order: the paid order is paid, the other is untouched', async () => {
    fresh();
    const a = await place('20261125000000000001');
    const b = await place('20261125000000000002');
    const n = handlePaymentNotification(deliver(transactionResource({ out_trade_no: a.number, attach: b.id, amount: { total: 9900, currency: 'CNY' } })));
    if (!n.ok) throw n.error;
    const applied = await applyPaymentNotice(service, n, { gateway: 'wechatpay' });
    expect(applied.ok).toBe(true);
    const paidA = (await service.get(a.id))!;
    const untouchedB = (await service.get(b.id))!;
    expect(paidA.status).toBe('paid');
    expect(paidA.payment.transactionId).toBe(n.transactionId);
    // Before the fix the payment went to B, which kept it as a stray payment and refunded it,
    // while A stayed unpaid (and was later found paid by the query or the bill: shipped for free).
    expect(untouchedB.version).toBe(b.version);
    expect(untouchedB.payment.stray).toEqual([]);
    expect(untouchedB.refunds).toEqual([]);
  });

  it("a shop's own order number that ends like an attempt suffix (WX-20261125-002) is still found, with or without attach", async () => {
    fresh();
    const a = await place('WX-20261125-002');
    const b = await place('WX-20261125-003');
    // The bare number before the suffix is another order: it must not take the payment either.
    const c = await place('WX-20261125');
    const withAttach = handlePaymentNotification(deliver(transactionResource({ out_trade_no: a.number, attach: a.id, transaction_id: '4200000000202611250000000021', amount: { total: 9900, currency: 'CNY' } })));
    const without = handlePaymentNotification(deliver(transactionResource({ out_trade_no: b.number, attach: undefined, transaction_id: '4200000000202611250000000022', amount: { total: 9900, currency: 'CNY' } })));
    if (!withAttach.ok) throw withAttach.error;
    if (!without.ok) throw without.error;
    expect((await applyPaymentNotice(service, withAttach, { gateway: 'wechatpay' })).ok).toBe(true);
    expect((await applyPaymentNotice(service, without, { gateway: 'wechatpay' })).ok).toBe(true);
    expect((await service.get(a.id))!.status).toBe('paid');
    expect((await service.get(b.id))!.status).toBe('paid');
    const untouched = (await service.get(c.id))!;
    expect(untouched.version).toBe(c.version);
    expect(untouched.payment.stray).toEqual([]);
  });

  it('an attach that is not an order id at all (a merchant tag) still pays the order of the out_trade_no', async () => {
    fresh();
    const a = await place('20261125000000000003');
    const n = handlePaymentNotification(deliver(transactionResource({ out_trade_no: a.number, attach: 'campaign=double11', amount: { total: 9900, currency: 'CNY' } })));
    if (!n.ok) throw n.error;
    const applied = await applyPaymentNotice(service, n, { gateway: 'wechatpay' });
    expect(applied.ok).toBe(true);
    expect((await service.get(a.id))!.status).toBe('paid');
  });
});

describe('a payment for an order that closed unpaid', () => {
  it('its notification is reported as a stray payment, refunded once however often it comes', async () => {
    fresh();
    const a = await place('20261125000000000004');
    const cancelled = await service.dispatch(a.id, { type: 'CANCEL' }, { type: 'customer', id: a.customerId });
    if (!cancelled.ok) throw cancelled.error;
    expect(cancelled.order.status).toBe('closed');
    const n = handlePaymentNotification(deliver(transactionResource({ out_trade_no: a.number, attach: a.id, amount: { total: 9900, currency: 'CNY' } })));
    if (!n.ok) throw n.error;
    for (let i = 0; i < 3; i++) {
      const applied = await applyPaymentNotice(service, n, { gateway: 'wechatpay' });
      expect(notificationResponse(applied).status).toBe(204);
      expect(applied.ok && applied.stray).toBe(true);
      if (applied.ok && applied.stray) expect(applied.strayReason).toBe('order_closed');
    }
    const stored = (await service.get(a.id))!;
    expect(stored.status).toBe('closed');
    expect(stored.payment.paidAmount).toBe(0);
    expect(stored.payment.stray.map((x) => [x.transactionId, x.amount])).toEqual([[n.transactionId, 9900]]);
    expect(stored.refunds.map((r) => [r.reason, r.amount, r.status])).toEqual([['stray_payment', 9900, 'pending']]);
  });

  it('found in the bill, it is reported as stray (kept and refunded), not as applied to the order', async () => {
    fresh();
    const a = await place('20261125000000000005');
    const cancelled = await service.dispatch(a.id, { type: 'CANCEL' }, { type: 'customer', id: a.customerId });
    if (!cancelled.ok) throw cancelled.error;
    const tradeBill = tradeBillText([{ at: '2026-11-25 12:10:00', transactionId: '4200000000202611250000000005', outTradeNo: a.number, amount: 9900 }]);
    now = new Date('2026-11-26T02:00:00.000Z');
    const r = await reconcileWechatPayDay(service, { billDate: '2026-11-25', mchid: MCHID, tradeBill, now });
    if (!r.ok) throw r.error;
    expect(r.report.findings.map((f) => [f.kind, f.outcome, f.orderId])).toEqual([['payment_missing', 'stray', a.id]]);
    expect(r.report.counts).toMatchObject({ applied: 0, stray: 1 });
    const stored = (await service.get(a.id))!;
    expect(stored.status).toBe('closed');
    expect(stored.refunds.map((x) => [x.reason, x.amount])).toEqual([['stray_payment', 9900]]);
  });
});

describe('a stray payment refunded in the merchant platform (found in the bill)', () => {
  // The order is paid by TP; a second payment TS is kept as stray and its refund is CLOSED; the
  // merchant then gives TS back by hand in the merchant platform, and the bill shows that refund.
  async function doublePaidWithManualStrayRefund() {
    fresh();
    const a = await place('20261125000000000006');
    const payment = { type: 'payment' as const, gateway: 'wechatpay' };
    const paid = await service.dispatch(a.id, { type: 'PAYMENT_SUCCEEDED', amount: 9900, transactionId: 'TP-4200000006' }, payment);
    if (!paid.ok) throw paid.error;
    const second = await service.dispatch(a.id, { type: 'PAYMENT_SUCCEEDED', amount: 9900, transactionId: 'TS-4200000006' }, payment);
    if (!second.ok) throw second.error;
    expect(second.strayPayment?.code).toBe('ALREADY_PAID');
    const strayRefund = second.order.payment.stray[0]!.refundId;
    const closed = await service.dispatch(a.id, { type: 'REFUND_FAILED', refundId: strayRefund, reason: 'CLOSED', gatewayStatus: 'CLOSED' }, payment);
    if (!closed.ok) throw closed.error;
    const tradeBill = tradeBillText([], [{ at: '2026-11-25 15:00:00', transactionId: 'TS-4200000006', outTradeNo: a.number, gatewayRefundId: '50300006', refundId: 'MANUAL-0006', amount: 9900 }]);
    now = new Date('2026-11-26T02:00:00.000Z');
    const r = await reconcileWechatPayDay(service, { billDate: '2026-11-25', mchid: MCHID, tradeBill, now });
    if (!r.ok) throw r.error;
    expect(r.report.findings.map((f) => [f.kind, f.outcome])).toEqual([['refund_not_in_ledger', 'recorded']]);
    return { a, strayRefund };
  }

  it('does not count against the order: the order stays paid, and a cancel refunds all it was paid', async () => {
    const { a } = await doublePaidWithManualStrayRefund();
    const stored = (await service.get(a.id))!;
    // Before the fix the stray's refund counted as the order's money: the order closed as
    // fully_refunded though TP was never given back.
    expect(stored.status).toBe('paid');
    const cancel = await service.dispatch(a.id, { type: 'CANCEL', reason: '缺货' }, { type: 'merchant', id: 'staff-1' });
    if (!cancel.ok) throw cancel.error;
    const refunds = cancel.effects.filter((e) => e.type === 'payment.refund');
    expect(refunds.map((e) => e.type === 'payment.refund' && [e.transactionId, e.amount])).toEqual([['TP-4200000006', 9900]]);
  });

  it('the stray refund cannot be sent again: that transaction has given everything back', async () => {
    const { a, strayRefund } = await doublePaidWithManualStrayRefund();
    const before = (await service.get(a.id))!;
    const retry = await service.dispatch(a.id, { type: 'RETRY_REFUND', refundId: strayRefund }, { type: 'merchant', id: 'staff-1' });
    expect(retry.ok).toBe(false);
    if (!retry.ok) expect(retry.error.code).toBe('REFUND_EXCEEDS_PAID');
    expect((await service.get(a.id))!.version).toBe(before.version);
  });
});

describe('a merchant cancel while an after-sale refund is ABNORMAL', () => {
  it('keeps that after-sale and its held money: the abnormal refund can still be sent, and everything paid comes back once', async () => {
    fresh();
    const a = await place('20261125000000000007');
    const pay = handlePaymentNotification(deliver(transactionResource({ out_trade_no: a.number, attach: a.id, transaction_id: '4200000000202611250000000007', amount: { total: 9900, currency: 'CNY' } })));
    if (!pay.ok) throw pay.error;
    expect((await applyPaymentNotice(service, pay, { gateway: 'wechatpay' })).ok).toBe(true);
    now = new Date(T0.getTime() + 3_600_000);
    const asked = await service.dispatch(a.id, { type: 'REQUEST_AFTER_SALE', kind: 'refund_only', reason: '少了一袋', items: [{ lineId: 'L1', quantity: 1 }] }, { type: 'customer', id: a.customerId });
    if (!asked.ok) throw asked.error;
    const r1 = asked.order.refunds[0]!;
    expect(r1.amount).toBe(3300);
    const refundNotice = (status: 'SUCCESS' | 'ABNORMAL') => {
      const n = handleRefundNotification(deliver(refundResource({ out_trade_no: a.number, transaction_id: pay.transactionId, out_refund_no: r1.id, refund_status: status, amount: { total: 9900, refund: 3300, payer_total: 9900, payer_refund: 3300 } }), `REFUND.${status}`));
      if (!n.ok) throw n.error;
      return n;
    };
    const abnormal = await applyRefundNotice(service, refundNotice('ABNORMAL'), { gateway: 'wechatpay' });
    expect(abnormal.ok).toBe(true);

    const cancel = await service.dispatch(a.id, { type: 'CANCEL', reason: '缺货' }, { type: 'merchant', id: 'staff-1' });
    if (!cancel.ok) throw cancel.error;
    const full = cancel.effects.filter((e) => e.type === 'payment.refund');
    // The ABNORMAL 33.00 is held (it left the merchant), so the full refund is the other 66.00 …
    expect(full.map((e) => e.type === 'payment.refund' && e.amount)).toEqual([6600]);
    // … and the after-sale that owns the held money stays open: before the fix it was cancelled
    // ("its money went back with the full refund", which it did not) and its retry refused.
    expect(cancel.order.afterSales.map((x) => x.status)).toEqual(['refunding']);

    const retry = await service.dispatch(a.id, { type: 'RETRY_REFUND', refundId: r1.id }, { type: 'merchant', id: 'staff-1' });
    if (!retry.ok) throw retry.error;
    const again = retry.effects.filter((e) => e.type === 'payment.refund');
    expect(again.map((e) => e.type === 'payment.refund' && [e.refundId, e.amount, e.abnormal?.type])).toEqual([[r1.id, 3300, 'MERCHANT_BANK_CARD']]);
    const request = again[0]!.type === 'payment.refund' ? buildRefundRequestFromEffect(again[0]!, {}) : null;
    expect(request?.ok && request.request.path).toBe('/v3/refund/domestic/refunds/50000000382019052709732678859/apply-abnormal-refund');

    const done = await applyRefundNotice(service, refundNotice('SUCCESS'), { gateway: 'wechatpay' });
    expect(done.ok).toBe(true);
    const stored = (await service.get(a.id))!;
    expect(stored.afterSales.map((x) => x.status)).toEqual(['refunded']);
    const live = stored.refunds.filter((r) => r.status === 'pending' || r.status === 'succeeded').reduce((sum, r) => sum + r.amount, 0);
    expect(live).toBe(9900);
  });
});

describe('a bill that lists a payment or a refund twice', () => {
  const pay = { at: '2026-11-25 12:00:00', transactionId: '4200000000202611250000000008', outTradeNo: '20261125000000000008', amount: 9900 };
  const refund = { at: '2026-11-25 15:00:00', transactionId: pay.transactionId, outTradeNo: pay.outTradeNo, gatewayRefundId: '50300008', refundId: '20261125000000000008R1', amount: 3300 };

  it('is refused naming the repeated line, though its totals add up (they are written from the rows)', () => {
    const twicePaid = parseTradeBill(tradeBillText([pay, { ...pay, at: '2026-11-25 12:00:01' }]), { billDate: '2026-11-25', mchid: MCHID });
    expect(twicePaid.ok).toBe(false);
    if (!twicePaid.ok) {
      expect(twicePaid.error.code).toBe('BILL_MALFORMED');
      expect(twicePaid.error.path).toEqual(['bill', 3]);
      expect(twicePaid.error.messages.en).toContain('repeats line 2');
    }
    const twiceRefunded = parseTradeBill(tradeBillText([pay], [refund, { ...refund, gatewayRefundId: '50300009' }]), { billDate: '2026-11-25', mchid: MCHID });
    expect(twiceRefunded.ok).toBe(false);
    if (!twiceRefunded.ok) expect(twiceRefunded.error.path).toEqual(['bill', 4]);
    // One payment and one refund of the same transaction are two different rows.
    expect(parseTradeBill(tradeBillText([pay], [refund]), { billDate: '2026-11-25', mchid: MCHID }).ok).toBe(true);
  });

  it('changes no order when reconciled: the repeated payment is neither applied twice nor matched twice', async () => {
    fresh();
    const a = await place(pay.outTradeNo);
    now = new Date('2026-11-26T02:00:00.000Z');
    const r = await reconcileWechatPayDay(service, { billDate: '2026-11-25', mchid: MCHID, tradeBill: tradeBillText([pay, pay]), now });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.code).toBe('BILL_MALFORMED');
    expect((await service.get(a.id))!.version).toBe(a.version);
  });
});

describe('a refund WeChat closes after it was reported ABNORMAL', () => {
  it('is recorded CLOSED, not dropped as a repeat: its money is free again and the retry sends it under a new number', async () => {
    fresh();
    const a = await place('20261125000000000011');
    const pay = handlePaymentNotification(deliver(transactionResource({ out_trade_no: a.number, attach: a.id, transaction_id: '4200000000202611250000000011', amount: { total: 9900, currency: 'CNY' } })));
    if (!pay.ok) throw pay.error;
    expect((await applyPaymentNotice(service, pay, { gateway: 'wechatpay' })).ok).toBe(true);
    const merchant = { type: 'merchant' as const, id: 'staff-1' };
    const cancel = await service.dispatch(a.id, { type: 'CANCEL', reason: '缺货' }, merchant);
    if (!cancel.ok) throw cancel.error;
    const r1 = cancel.order.refunds[0]!;
    const notice = (status: 'ABNORMAL' | 'CLOSED') => {
      now = new Date(now.getTime() + 60_000);
      const n = handleRefundNotification(deliver(refundResource({ out_trade_no: a.number, transaction_id: pay.transactionId, out_refund_no: r1.id, refund_status: status, amount: { total: 9900, refund: 9900, payer_total: 9900, payer_refund: 9900 } }), `REFUND.${status}`));
      if (!n.ok) throw n.error;
      return applyRefundNotice(service, n, { gateway: 'wechatpay' });
    };
    expect((await notice('ABNORMAL')).ok).toBe(true);
    // The merchant sends it again through the abnormal-refund request; WeChat then delivers the
    // ABNORMAL notification once more (its first 2xx was lost), and finally closes the refund.
    expect((await service.dispatch(a.id, { type: 'RETRY_REFUND', refundId: r1.id }, merchant)).ok).toBe(true);
    expect((await notice('ABNORMAL')).ok).toBe(true);
    expect((await notice('CLOSED')).ok).toBe(true);
    const closed = (await service.get(a.id))!;
    // Before the fix the CLOSED report was taken for a repeat: the entry stayed ABNORMAL, holding
    // 99.00 that WeChat had given back, and every retry sent an abnormal-refund request for a
    // refund WeChat had closed: the shopper was never paid.
    expect(closed.refunds.map((r) => [r.id, r.status, r.gatewayStatus])).toEqual([[r1.id, 'failed', 'CLOSED']]);
    const retry = await service.dispatch(a.id, { type: 'RETRY_REFUND', refundId: r1.id }, merchant);
    if (!retry.ok) throw retry.error;
    const sent = retry.effects.filter((e) => e.type === 'payment.refund');
    expect(sent.map((e) => e.type === 'payment.refund' && [e.refundId !== r1.id, e.amount, e.abnormal])).toEqual([[true, 9900, undefined]]);
    // A CLOSED report repeated is still a no-op.
    const version = (await service.get(a.id))!.version;
    expect((await notice('CLOSED')).ok).toBe(true);
    expect((await service.get(a.id))!.version).toBe(version);
  });
});

describe('a CLOSED refund of everything left, after part of it was given back by hand', () => {
  async function paid(number: string) {
    fresh();
    const a = await place(number);
    const r = await service.dispatch(a.id, { type: 'PAYMENT_SUCCEEDED', amount: 9900, transactionId: `TP-${number}` }, { type: 'payment', gateway: 'wechatpay' });
    if (!r.ok) throw r.error;
    return a;
  }
  async function byHand(a: Order, transactionId: string, refundId: string, amount: number) {
    const tradeBill = tradeBillText([], [{ at: '2026-11-25 15:00:00', transactionId, outTradeNo: a.number, gatewayRefundId: '50300013', refundId, amount }]);
    now = new Date('2026-11-26T02:00:00.000Z');
    const r = await reconcileWechatPayDay(service, { billDate: '2026-11-25', mchid: MCHID, tradeBill, now });
    if (!r.ok) throw r.error;
    expect(r.report.findings.map((f) => [f.refundId, f.outcome])).toEqual([[refundId, 'recorded']]);
  }
  const payment = { type: 'payment' as const, gateway: 'wechatpay' };
  const merchant = { type: 'merchant' as const, id: 'staff-1' };

  it("a stray payment's refund is sent again for what is left of it, not refused for ever", async () => {
    const a = await paid('20261125000000000013');
    const second = await service.dispatch(a.id, { type: 'PAYMENT_SUCCEEDED', amount: 9900, transactionId: 'TS-13' }, payment);
    if (!second.ok) throw second.error;
    const strayRefund = second.order.payment.stray[0]!.refundId;
    expect((await service.dispatch(a.id, { type: 'REFUND_FAILED', refundId: strayRefund, reason: 'CLOSED', gatewayStatus: 'CLOSED' }, payment)).ok).toBe(true);
    await byHand(a, 'TS-13', 'MANUAL-13', 3300);
    const retry = await service.dispatch(a.id, { type: 'RETRY_REFUND', refundId: strayRefund }, merchant);
    if (!retry.ok) throw retry.error;
    const sent = retry.effects.filter((e) => e.type === 'payment.refund');
    expect(sent.map((e) => e.type === 'payment.refund' && [e.transactionId, e.amount, e.total])).toEqual([['TS-13', 6600, 9900]]);
  });

  it("a merchant cancel's refund is sent again for what is left of the payment", async () => {
    const a = await paid('20261125000000000014');
    const cancel = await service.dispatch(a.id, { type: 'CANCEL', reason: '缺货' }, merchant);
    if (!cancel.ok) throw cancel.error;
    const r1 = cancel.order.refunds[0]!.id;
    expect((await service.dispatch(a.id, { type: 'REFUND_FAILED', refundId: r1, reason: 'CLOSED', gatewayStatus: 'CLOSED' }, payment)).ok).toBe(true);
    await byHand(a, 'TP-20261125000000000014', 'MANUAL-14', 3300);
    const retry = await service.dispatch(a.id, { type: 'RETRY_REFUND', refundId: r1 }, merchant);
    if (!retry.ok) throw retry.error;
    const sent = retry.effects.filter((e) => e.type === 'payment.refund');
    expect(sent.map((e) => e.type === 'payment.refund' && e.amount)).toEqual([6600]);
    // Everything given back once: 33.00 by hand, 66.00 by the new refund.
    const order = (await service.get(a.id))!;
    expect(order.refunds.filter((r) => r.status === 'pending' || r.status === 'succeeded').reduce((s, r) => s + r.amount, 0)).toBe(9900);
  });
});

describe("the reconciliation of a shop's own order number that ends like an attempt suffix", () => {
  it('matches the payment to its order, never to the order numbered like the part before the suffix', async () => {
    fresh();
    const a = await place('WX-20261125-002');
    const c = await place('WX-20261125');
    const n = handlePaymentNotification(deliver(transactionResource({ out_trade_no: a.number, attach: a.id, transaction_id: '4200000000202611250000000031', amount: { total: 9900, currency: 'CNY' } })));
    if (!n.ok) throw n.error;
    expect((await applyPaymentNotice(service, n, { gateway: 'wechatpay' })).ok).toBe(true);
    const lost = await place('WX-20261125-003'); // its notification never came
    const tradeBill = tradeBillText([
      { at: '2026-11-25 12:10:00', transactionId: n.transactionId, outTradeNo: a.number, amount: 9900 },
      { at: '2026-11-25 12:11:00', transactionId: '4200000000202611250000000032', outTradeNo: lost.number, amount: 9900 },
    ]);
    now = new Date('2026-11-26T02:00:00.000Z');
    const r = await reconcileWechatPayDay(service, { billDate: '2026-11-25', mchid: MCHID, tradeBill, now });
    if (!r.ok) throw r.error;
    // Before the fix both rows went to WX-20261125: A's payment was kept there as a stray payment
    // and refunded (A shipped for money given back), and the lost payment too.
    expect(r.report.counts).toMatchObject({ matched: 1, applied: 1, stray: 0, flagged: 0 });
    expect((await service.get(lost.id))!.status).toBe('paid');
    const untouched = (await service.get(c.id))!;
    expect(untouched.version).toBe(c.version);
    expect(untouched.refunds).toEqual([]);
  });
});
