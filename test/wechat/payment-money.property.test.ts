import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { createOrderService, MemoryOrderStore, type OrderService } from '../../src/index.js';
import { applyPaymentNotice, createKeyRing, handlePaymentNotification, notificationResponse, reconcileWechatPayDay, type WechatPayKeyRing } from '../../src/wechat/index.js';
import { makeKeyPair, type TestKeyPair } from './support/certs.js';
import { tradeBillText, type BillPaymentRow } from './support/bills.js';
import { API_V3_KEY, APPID, encryptResource, MCHID, notificationBody, signedHeaders, transactionResource } from './support/notify.js';

/**
 * Payments as WeChat Pay delivers them (docs/wechat.md "The amount check, idempotency and money
 * that cannot pay the order"): any number of transactions for any attempt of an order, with the
 * right amount or one fen off, repeated, interleaved with 改价, cancel and expiry, with `attach`
 * naming the order, another order or nothing, and the day's bill reconciled at the end. For any
 * interleaving every verified transaction is answered 2xx and is either the one payment of its
 * order or a stray payment refunded exactly once in full, and no other order is touched.
 */
const SERIAL = 'PUB_KEY_ID_0119000001092026112500000000000005';
const T0 = new Date('2026-11-25T04:00:00.000Z');
const NUMBER = '20261125000000000020';
const OTHER = '20261125000000000021';
let platform: TestKeyPair;
let ring: WechatPayKeyRing;
beforeAll(() => {
  platform = makeKeyPair();
  const r = createKeyRing({ [SERIAL]: platform.publicPem });
  if (!r.ok) throw r.error;
  ring = r.keyRing;
});

type Step =
  | { kind: 'pay'; tx: number; attempt: number; off: number; attach: 'order' | 'other' | 'none' | 'tag' }
  | { kind: 'adjust'; total: number }
  | { kind: 'cancel' }
  | { kind: 'expire' };

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constant('pay' as const), tx: fc.nat(3), attempt: fc.nat(2), off: fc.constantFrom(0, 0, 0, 1, -1), attach: fc.constantFrom<'order' | 'other' | 'none' | 'tag'>('order', 'order', 'other', 'none', 'tag') }),
  fc.record({ kind: fc.constant('adjust' as const), total: fc.integer({ min: 9000, max: 9900 }) }),
  fc.constant({ kind: 'cancel' as const }),
  fc.constant({ kind: 'expire' as const }),
);

describe('payments through WeChat Pay notifications: properties', () => {
  it('every verified transaction is the payment of its order or a stray payment refunded once in full', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { maxLength: 12 }), fc.boolean(), async (steps, reconcile) => {
        let now = new Date(T0);
        const service: OrderService = createOrderService({ store: new MemoryOrderStore(), clock: { now: () => now } });
        const place = async (number: string) => {
          const r = await service.place({ id: `id-${number}`, number, customerId: 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o', cart: { lines: [{ id: 'L1', sku: 'OAT-1KG', title: '有机燕麦片 1kg', listPrice: 3300, quantity: 3 }] }, rules: {}, address: { name: '张三', phone: '13812345678', province: '广东省', city: '深圳市', detail: '科技园 1 号' } });
          if (!r.ok) throw r.error;
          return r.order;
        };
        const order = await place(NUMBER);
        const other = await place(OTHER);
        const sent = new Map<string, { amount: number; outTradeNo: string; attach: string | undefined }>();
        for (const s of steps) {
          now = new Date(now.getTime() + 1000);
          if (s.kind === 'pay') {
            const id = `42000000002026112500000000${s.tx}`;
            let tx = sent.get(id);
            if (tx === undefined) {
              const attempts = (await service.get(order.id))!.payment.attempts;
              const attempt = attempts[Math.min(s.attempt, attempts.length - 1)]!;
              const attach = { order: order.id, other: other.id, none: undefined, tag: 'campaign=double11' }[s.attach];
              tx = { amount: attempt.amount + s.off, outTradeNo: attempt.outTradeNo, attach };
              sent.set(id, tx);
            }
            const rawBody = notificationBody(encryptResource(transactionResource({ out_trade_no: tx.outTradeNo, transaction_id: id, attach: tx.attach, amount: { total: tx.amount, currency: 'CNY' } })));
            const n = handlePaymentNotification({ headers: signedHeaders(rawBody, { privateKey: platform.privateKey, serial: SERIAL }, now), rawBody, keys: ring, apiV3Key: API_V3_KEY, now, expect: { mchid: MCHID, appid: APPID } });
            if (!n.ok) throw n.error;
            expect(notificationResponse(await applyPaymentNotice(service, n, { gateway: 'wechatpay' })).status).toBe(204);
          } else if (s.kind === 'adjust') {
            await service.dispatch(order.id, { type: 'ADJUST_PRICE', newTotal: s.total, reason: '老客优惠' }, { type: 'merchant', id: 'staff-1' });
          } else if (s.kind === 'cancel') {
            await service.dispatch(order.id, { type: 'CANCEL', reason: '不想要了' }, { type: 'customer', id: order.customerId });
          } else {
            await service.dispatch(order.id, { type: 'EXPIRE' }, { type: 'system' });
          }
        }
        if (reconcile && sent.size > 0) {
          const rows: BillPaymentRow[] = [...sent].map(([transactionId, tx], i) => ({ at: `2026-11-25 12:0${i}:00`, transactionId, outTradeNo: tx.outTradeNo, amount: tx.amount }));
          now = new Date('2026-11-26T02:00:00.000Z');
          const r = await reconcileWechatPayDay(service, { billDate: '2026-11-25', mchid: MCHID, tradeBill: tradeBillText(rows), now });
          if (!r.ok) throw r.error;
          expect(r.report.counts.flagged).toBe(0);
        }
        const final = (await service.get(order.id))!;
        for (const [id, tx] of sent) {
          const isPayment = final.payment.transactionId === id;
          const strays = final.payment.stray.filter((x) => x.transactionId === id);
          expect(Number(isPayment) + strays.length).toBe(1);
          const strayRefunds = final.refunds.filter((r) => r.transactionId === id && r.reason === 'stray_payment');
          if (isPayment) {
            expect(final.payment.paidAmount).toBe(tx.amount);
            expect(strayRefunds).toEqual([]);
          } else {
            expect(strayRefunds.map((r) => r.amount)).toEqual([tx.amount]);
          }
          const back = final.refunds.filter((r) => r.transactionId === id && r.status !== 'failed').reduce((sum, r) => sum + r.amount, 0);
          expect(back).toBeLessThanOrEqual(tx.amount);
        }
        // The other order was never paid, and never kept anyone's money.
        const untouched = (await service.get(other.id))!;
        expect(untouched.version).toBe(other.version);
      }),
      { numRuns: 300 },
    );
  }, 120_000);
});
