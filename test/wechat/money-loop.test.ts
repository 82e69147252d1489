import { beforeAll, describe, expect, it } from 'vitest';
import { createOrderService, MemoryOrderStore, type Order, type OrderService } from '../../src/index.js';
import { applyPaymentNotice, createKeyRing, handlePaymentNotification, type WechatPayKeyRing } from '../../src/wechat/index.js';
import { makeKeyPair, type TestKeyPair } from './support/certs.js';
import { API_V3_KEY, APPID, encryptResource, MCHID, notificationBody, signedHeaders, transactionResource } from './support/notify.js';

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
