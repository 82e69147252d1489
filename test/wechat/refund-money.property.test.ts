import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { createOrderService, MemoryOrderStore, type Effect, type OrderService } from '../../src/index.js';
import { applyPaymentNotice, applyRefundNotice, createKeyRing, handlePaymentNotification, handleRefundNotification, reconcileWechatPayDay, type WechatPayKeyRing } from '../../src/wechat/index.js';
import { tradeBillText } from './support/bills.js';
import { makeKeyPair, type TestKeyPair } from './support/certs.js';
import { API_V3_KEY, APPID, encryptResource, MCHID, notificationBody, refundResource, signedHeaders, transactionResource } from './support/notify.js';

/**
 * The refund money loop as WeChat Pay sees it (docs/after-sales.md "Refund states", docs/wechat.md
 * "Refunds"). A small model of WeChat Pay takes every `payment.refund` effect the service emits:
 * a new `out_refund_no` is a refund request for that transaction, an `abnormal` one re-sends an
 * ABNORMAL refund; WeChat answers each request once with SUCCESS, ABNORMAL or CLOSED (final),
 * its notifications are delivered signed and may be repeated, and the merchant retries failed
 * refunds and cancels orders at any time. The shopper may pay a second time (a stray payment,
 * refunded in full), and the merchant may give money back by hand in the merchant platform, which
 * the daily reconciliation then finds in the bill; a refund notification may be lost, and only
 * the bill shows that refund paid. Properties, for any interleaving:
 * - per transaction, the refunds WeChat was asked for (not closed) and the ones made by hand never
 *   exceed what it collected, and the ledger records exactly what WeChat paid back;
 * - once WeChat has answered every request and every failed refund has been retried, an order the
 *   merchant cancelled has given back everything it was paid, and every stray payment in full (no
 *   money stuck in a refund nobody can send again).
 */
const SERIAL = 'PUB_KEY_ID_0119000001092026112500000000000004';
const T0 = new Date('2026-11-25T04:00:00.000Z');
const NUMBER = '20261125000000000010';
const TX = '4200000000202611250000000010';
const TX2 = '4200000000202611250000000012';
const merchant = { type: 'merchant' as const, id: 'staff-1' };
let platform: TestKeyPair;
let ring: WechatPayKeyRing;
beforeAll(() => {
  platform = makeKeyPair();
  const r = createKeyRing({ [SERIAL]: platform.publicPem });
  if (!r.ok) throw r.error;
  ring = r.keyRing;
});

type Answer = 'SUCCESS' | 'ABNORMAL' | 'CLOSED';
type Step =
  | { kind: 'request'; quantity: number }
  | { kind: 'answer'; pick: number; answer: Answer }
  | { kind: 'repeat'; pick: number }
  | { kind: 'retry'; pick: number }
  | { kind: 'cancel' }
  | { kind: 'pay-again'; amount: number }
  | { kind: 'by-hand'; pick: number }
  | { kind: 'silent-success'; pick: number }
  | { kind: 'reconcile' };

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constant('request' as const), quantity: fc.integer({ min: 1, max: 2 }) }),
  fc.record({ kind: fc.constant('answer' as const), pick: fc.nat(9), answer: fc.constantFrom<Answer>('SUCCESS', 'ABNORMAL', 'ABNORMAL', 'CLOSED') }),
  fc.record({ kind: fc.constant('repeat' as const), pick: fc.nat(9) }),
  fc.record({ kind: fc.constant('retry' as const), pick: fc.nat(9) }),
  fc.constant({ kind: 'cancel' as const }),
  fc.record({ kind: fc.constant('pay-again' as const), amount: fc.constantFrom(9900, 9800) }),
  fc.record({ kind: fc.constant('by-hand' as const), pick: fc.nat(1) }),
  fc.record({ kind: fc.constant('silent-success' as const), pick: fc.nat(9) }),
  fc.constant({ kind: 'reconcile' as const }),
);

interface WechatRefund {
  transactionId: string;
  amount: number;
  /** PROCESSING until WeChat answers; an ABNORMAL one is PROCESSING again once re-sent. */
  state: 'PROCESSING' | Answer;
  /** The last answer WeChat notified (what a repeat delivers). */
  notified?: Answer;
  /** The money has left the merchant: answered SUCCESS, or ABNORMAL (held for the shopper); CLOSED gives it back. */
  out: boolean;
}

async function run(steps: Step[]) {
  let now = new Date(T0);
  const service: OrderService = createOrderService({ store: new MemoryOrderStore(), clock: { now: () => now } });
  const placed = await service.place({
    id: 'order-10',
    number: NUMBER,
    customerId: 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o',
    cart: { lines: [{ id: 'L1', sku: 'OAT-1KG', title: '有机燕麦片 1kg', listPrice: 3300, quantity: 3 }] },
    rules: {},
    address: { name: '张三', phone: '13812345678', province: '广东省', city: '深圳市', detail: '科技园 1 号' },
  });
  if (!placed.ok) throw placed.error;
  const orderId = placed.order.id;
  const deliver = (resource: unknown, eventType: string) => {
    const rawBody = notificationBody(encryptResource(resource), eventType);
    return { headers: signedHeaders(rawBody, { privateKey: platform.privateKey, serial: SERIAL }, now), rawBody, keys: ring, apiV3Key: API_V3_KEY, now, expect: { mchid: MCHID, appid: APPID } };
  };
  const pay = handlePaymentNotification(deliver(transactionResource({ out_trade_no: NUMBER, transaction_id: TX, attach: orderId, amount: { total: 9900, currency: 'CNY' } }), 'TRANSACTION.SUCCESS'));
  if (!pay.ok) throw pay.error;
  const paid = await applyPaymentNotice(service, pay, { gateway: 'wechatpay' });
  if (!paid.ok) throw paid.error;

  const wechat = new Map<string, WechatRefund>();
  const collected = new Map<string, number>([[TX, 9900]]);
  let paidBack = 0;
  let manual = 0;
  const take = (effects: readonly Effect[]) => {
    for (const e of effects) {
      if (e.type !== 'payment.refund') continue;
      const known = wechat.get(e.refundId);
      if (e.abnormal !== undefined) {
        // The abnormal-refund request re-sends money WeChat still holds for that refund.
        if (known?.state === 'ABNORMAL') known.state = 'PROCESSING';
        continue;
      }
      // WeChat matches requests by out_refund_no: the same number again is the same refund.
      if (known === undefined) wechat.set(e.refundId, { transactionId: e.transactionId ?? TX, amount: e.amount, state: 'PROCESSING', out: false });
    }
  };
  const notify = async (refundId: string, answer: Answer) => {
    const w = wechat.get(refundId)!;
    now = new Date(now.getTime() + 1000);
    const total = collected.get(w.transactionId)!;
    const n = handleRefundNotification(deliver(refundResource({ out_trade_no: NUMBER, transaction_id: w.transactionId, out_refund_no: refundId, refund_status: answer, amount: { total, refund: w.amount, payer_total: total, payer_refund: w.amount } }), `REFUND.${answer}`));
    if (!n.ok) throw n.error;
    const r = await applyRefundNotice(service, n, { gateway: 'wechatpay' });
    if (r.ok) take(r.effects);
  };
  const answer = async (refundId: string, a: Answer) => {
    const w = wechat.get(refundId)!;
    w.state = a;
    w.notified = a;
    w.out = a !== 'CLOSED';
    if (a === 'SUCCESS') paidBack += w.amount;
    await notify(refundId, a);
  };
  const retry = async (refundId: string) => {
    now = new Date(now.getTime() + 1000);
    const r = await service.dispatch(orderId, { type: 'RETRY_REFUND', refundId }, merchant);
    if (r.ok) take(r.effects);
  };
  /** What WeChat was asked to give back from a transaction and has not closed (so it is out, or may go out). */
  const asked = (tx: string) => [...wechat.values()].filter((w) => w.transactionId === tx && w.state !== 'CLOSED').reduce((sum, w) => sum + w.amount, 0);
  const pick = (n: number, which: (w: WechatRefund) => boolean) => {
    const ids = [...wechat].filter(([, w]) => which(w)).map(([id]) => id);
    return ids.length === 0 ? undefined : ids[n % ids.length];
  };

  for (const s of steps) {
    now = new Date(now.getTime() + 60_000);
    if (s.kind === 'request') {
      const r = await service.dispatch(orderId, { type: 'REQUEST_AFTER_SALE', kind: 'refund_only', reason: '不想要了', items: [{ lineId: 'L1', quantity: s.quantity }] }, { type: 'customer', id: placed.order.customerId });
      if (r.ok) take(r.effects);
    } else if (s.kind === 'cancel') {
      const r = await service.dispatch(orderId, { type: 'CANCEL', reason: '缺货' }, merchant);
      if (r.ok) take(r.effects);
    } else if (s.kind === 'answer') {
      const id = pick(s.pick, (w) => w.state === 'PROCESSING');
      if (id !== undefined) await answer(id, s.answer);
    } else if (s.kind === 'repeat') {
      const id = pick(s.pick, (w) => w.notified !== undefined);
      if (id !== undefined) await notify(id, wechat.get(id)!.notified!);
    } else if (s.kind === 'pay-again') {
      if (collected.has(TX2)) continue;
      collected.set(TX2, s.amount);
      const again = handlePaymentNotification(deliver(transactionResource({ out_trade_no: NUMBER, transaction_id: TX2, attach: orderId, amount: { total: s.amount, currency: 'CNY' } }), 'TRANSACTION.SUCCESS'));
      if (!again.ok) throw again.error;
      const r = await applyPaymentNotice(service, again, { gateway: 'wechatpay' });
      if (!r.ok) throw r.error;
      take(r.effects);
    } else if (s.kind === 'silent-success') {
      // WeChat pays a refund back, and its notification is lost: only the bill will say so.
      const id = pick(s.pick, (w) => w.state === 'PROCESSING');
      if (id === undefined) continue;
      const w = wechat.get(id)!;
      w.state = 'SUCCESS';
      w.out = true;
      paidBack += w.amount;
    } else if (s.kind === 'reconcile') {
      // The day's bill lists every refund WeChat paid back (and the payments).
      const refunds = [...wechat].filter(([, w]) => w.state === 'SUCCESS').map(([refundId, w], i) => ({ at: `2026-11-25 23:${String(10 + i).padStart(2, '0')}:00`, transactionId: w.transactionId, outTradeNo: NUMBER, gatewayRefundId: `5040000${i}`, refundId, amount: w.amount }));
      const payments = [...collected].map(([transactionId, amount], i) => ({ at: `2026-11-25 12:0${i}:00`, transactionId, outTradeNo: NUMBER, amount }));
      const r = await reconcileWechatPayDay(service, { billDate: '2026-11-25', mchid: MCHID, tradeBill: tradeBillText(payments, refunds), now });
      if (!r.ok) throw r.error;
    } else if (s.kind === 'by-hand') {
      // The merchant gives back by hand what WeChat still allows on that transaction (at most 33.00).
      const tx = [...collected.keys()][s.pick % collected.size]!;
      const amount = Math.min(3300, collected.get(tx)! - asked(tx));
      if (amount <= 0) continue;
      // Not beside an after-sale of the order's payment: an after-sale refunds its own amount, and
      // money of it given back by hand is a case for a person, left out here.
      if (tx === TX && (await service.get(orderId))!.afterSales.length > 0) continue;
      const refundId = `MANUAL-${++manual}`;
      wechat.set(refundId, { transactionId: tx, amount, state: 'SUCCESS', out: true, notified: 'SUCCESS' });
      paidBack += amount;
      const tradeBill = tradeBillText([], [{ at: '2026-11-25 23:00:00', transactionId: tx, outTradeNo: NUMBER, gatewayRefundId: `5030000${manual}`, refundId, amount }]);
      const r = await reconcileWechatPayDay(service, { billDate: '2026-11-25', mchid: MCHID, tradeBill, now });
      if (!r.ok) throw r.error;
    } else {
      const order = (await service.get(orderId))!;
      const failed = order.refunds.filter((r) => r.status === 'failed');
      if (failed.length > 0) await retry(failed[s.pick % failed.length]!.id);
    }
    // Per transaction, never more asked back (or held) than it brought in.
    for (const [tx, amount] of collected) expect(asked(tx), `${tx}`).toBeLessThanOrEqual(amount);
  }
  return { service, orderId, wechat, collected, answer, retry, paidBack: () => paidBack };
}

describe('refunds through WeChat Pay notifications: properties', () => {
  it('no more money leaves the merchant than was paid, and the ledger records exactly what WeChat paid back', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { maxLength: 16 }), async (steps) => {
        // The day's reconciliation at the end: refunds whose notification was lost are in the bill.
        const { service, orderId, paidBack } = await run([...steps, { kind: 'reconcile' }]);
        const order = (await service.get(orderId))!;
        const succeeded = order.refunds.filter((r) => r.status === 'succeeded').reduce((sum, r) => sum + r.amount, 0);
        expect(succeeded).toBe(paidBack());
      }),
      { numRuns: 300 },
    );
  }, 120_000);

  it('after a merchant cancel, once WeChat answers everything SUCCESS and failed refunds are retried, every transaction came back in full', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { maxLength: 14 }), async (steps) => {
        const { service, orderId, wechat, collected, answer, retry } = await run([...steps, { kind: 'cancel' }]);
        // Settle: WeChat answers every open request SUCCESS; the merchant retries every failed entry.
        for (let round = 0; round < 6; round++) {
          for (const [id, w] of wechat) if (w.state === 'PROCESSING') await answer(id, 'SUCCESS');
          const order = (await service.get(orderId))!;
          for (const r of order.refunds) if (r.status === 'failed' && r.replacedBy === undefined) await retry(r.id);
        }
        const order = (await service.get(orderId))!;
        expect(order.status).toBe('closed');
        for (const [tx, amount] of collected) {
          const back = [...wechat.values()].filter((w) => w.transactionId === tx && w.state === 'SUCCESS').reduce((sum, w) => sum + w.amount, 0);
          expect(back, tx).toBe(amount);
        }
      }),
      { numRuns: 300 },
    );
  }, 120_000);
});
