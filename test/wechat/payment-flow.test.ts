import { beforeAll, describe, expect, it } from 'vitest';
import { WxCloudOrderStore } from '../../src/adapters/wx-cloud/index.js';
import { createCloudDatabaseStandIn } from '../../src/testing/index.js';
import { createOrderNumber, createOrderService, MemoryOrderStore, transition, type Order, type OrderService, type OrderStore } from '../../src/index.js';
import {
  applyPaymentNotice,
  applyRefundNotice,
  buildJsapiPrepay,
  buildRefundRequestFromEffect,
  createKeyRing,
  fromCloudPayCallback,
  handlePaymentNotification,
  handleRefundNotification,
  notificationResponse,
  type WechatPayKeyRing,
} from '../../src/wechat/index.js';
import { makeKeyPair, type TestKeyPair } from './support/certs.js';
import { API_V3_KEY, APPID, encryptResource, MCHID, notificationBody, refundResource, signedHeaders, transactionResource } from './support/notify.js';

/**
 * Notifications end to end: signed and encrypted as WeChat sends them, verified, turned into
 * commands and dispatched through the service into a store (in memory, and the cloud store on its
 * test double), exactly as the integrations do.
 */
const SERIAL = 'PUB_KEY_ID_0119000001092026112500000000000002';
const T0 = new Date('2026-11-25T04:00:00.000Z');
const config = { appid: APPID, mchid: MCHID, notifyUrl: 'https://shop.example/wechatpay/notify' };
let platform: TestKeyPair;
let ring: WechatPayKeyRing;

beforeAll(() => {
  platform = makeKeyPair();
  const r = createKeyRing({ [SERIAL]: platform.publicPem });
  if (!r.ok) throw r.error;
  ring = r.keyRing;
});

const stores: Array<[string, () => Promise<OrderStore>]> = [
  ['MemoryOrderStore', async () => new MemoryOrderStore()],
  [
    'WxCloudOrderStore on the cloud database test double',
    async () => {
      const store = new WxCloudOrderStore(createCloudDatabaseStandIn());
      await store.ensureCollections();
      return store;
    },
  ],
];

function seeded(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648;
  };
}

describe.each(stores)('payment notifications through the service (%s)', (_name, makeStore) => {
  let now: Date;
  let service: OrderService;
  let store: OrderStore;

  async function place(): Promise<Order> {
    const number = createOrderNumber({ now, random: seeded(42) });
    const r = await service.place({
      id: number,
      number,
      customerId: 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o',
      cart: { lines: [{ id: 'L1', sku: 'OAT-1KG', title: '有机燕麦片 1kg', listPrice: 3300, quantity: 3 }] },
      rules: {},
      address: { name: '张三', phone: '13812345678', province: '广东省', city: '深圳市', detail: '科技园 1 号' },
    });
    if (!r.ok) throw r.error;
    return r.order;
  }

  function deliver(resource: unknown, eventType = 'TRANSACTION.SUCCESS', at = now) {
    const rawBody = notificationBody(encryptResource(resource), eventType);
    return { headers: signedHeaders(rawBody, { privateKey: platform.privateKey, serial: SERIAL }, at), rawBody, keys: ring, apiV3Key: API_V3_KEY, now: at, expect: { mchid: MCHID, appid: APPID } };
  }

  async function fresh(): Promise<Order> {
    now = new Date(T0);
    store = await makeStore();
    service = createOrderService({ store, clock: { now: () => now } });
    return place();
  }

  it('the same notification delivered 15 times changes the order once', async () => {
    const order = await fresh();
    const prepay = buildJsapiPrepay(order, config);
    expect(prepay.ok && prepay.request.body).toMatchObject({ out_trade_no: order.number, attach: order.id, amount: { total: 9900, currency: 'CNY' }, time_expire: '2026-11-25T12:30:00+08:00' });
    const resource = transactionResource({ out_trade_no: order.number, attach: order.id, amount: { total: 9900, currency: 'CNY' } });
    const replies: number[] = [];
    for (let i = 0; i < 15; i++) {
      now = new Date(T0.getTime() + 60_000 + i * 5_000);
      const n = handlePaymentNotification(deliver(resource));
      expect(n.ok).toBe(true);
      if (!n.ok) return;
      const applied = await applyPaymentNotice(service, n, { gateway: 'wechatpay' });
      replies.push(notificationResponse(applied).status);
    }
    expect(replies).toEqual(Array(15).fill(204));
    const paid = (await service.get(order.id))!;
    expect(paid.status).toBe('paid');
    expect(paid.version).toBe(2);
    expect(paid.payment).toMatchObject({ paidAmount: 9900, transactionId: '4200001234202611251234567890', outTradeNo: order.number, gateway: 'wechatpay' });
    expect((await service.history(order.id)).map((e) => e.version)).toEqual([1, 2]);
    const effects = await store.claim(1000, 1000, new Date(T0.getTime() + 86_400_000));
    expect(effects.filter((e) => e.effect.id.startsWith(`${order.id}:2:`)).length).toBeGreaterThan(0);
    expect(effects.filter((e) => e.effect.id.startsWith(`${order.id}:3:`))).toEqual([]);
  });

  it('an amount that differs from the attempt is AMOUNT_MISMATCH in transition, and never pays the order', async () => {
    const order = await fresh();
    const before = JSON.stringify(order);
    const n = handlePaymentNotification(deliver(transactionResource({ out_trade_no: order.number, attach: order.id, amount: { total: 9800, currency: 'CNY' } })));
    expect(n.ok).toBe(true);
    if (!n.ok) return;
    const direct = transition(order, n.command, { now, actor: { type: 'payment', gateway: 'wechatpay' } });
    expect(direct.ok).toBe(false);
    if (!direct.ok) expect(direct.error.code).toBe('AMOUNT_MISMATCH');
    expect(JSON.stringify(order)).toBe(before);

    const applied = await applyPaymentNotice(service, n, { gateway: 'wechatpay' });
    const stored = (await service.get(order.id))!;
    expect(stored.status).toBe('pending_payment');
    expect(stored.payment.paidAmount).toBe(0);
    if (applied.ok) {
      // Where the lifecycle supports RECORD_STRAY_PAYMENT the money is kept on record for a refund.
      expect(applied.stray).toBe(true);
      expect(stored.payment.stray.map((s) => s.amount)).toEqual([9800]);
    } else {
      expect(applied.error.code).toBe('AMOUNT_MISMATCH');
      expect(stored.version).toBe(1);
      expect(notificationResponse(applied).status).toBeGreaterThanOrEqual(400);
    }
  });

  it('a notification for another merchant is refused before it reaches the order', async () => {
    const order = await fresh();
    const n = handlePaymentNotification(deliver(transactionResource({ mchid: '1230000109', out_trade_no: order.number, attach: order.id })));
    expect(n.ok).toBe(false);
    expect(notificationResponse(n).status).toBe(400);
    if (!n.ok) expect(n.error.code).toBe('MCHID_MISMATCH');
    expect((await service.get(order.id))!.version).toBe(1);
  });

  it('refunds: the refund effect becomes a request, its notification settles the ledger; an unknown refund is refused', async () => {
    const order = await fresh();
    const pay = handlePaymentNotification(deliver(transactionResource({ out_trade_no: order.number, attach: order.id })));
    if (!pay.ok) throw pay.error;
    expect((await applyPaymentNotice(service, pay, { gateway: 'wechatpay' })).ok).toBe(true);
    now = new Date(T0.getTime() + 3_600_000);
    const asked = await service.dispatch(order.id, { type: 'REQUEST_AFTER_SALE', kind: 'refund_only', reason: '不想要了' }, { type: 'customer', id: order.customerId });
    expect(asked.ok).toBe(true);
    if (!asked.ok) return;
    const refundEffect = asked.effects.find((e) => e.type === 'payment.refund');
    expect(refundEffect).toBeDefined();
    if (refundEffect?.type !== 'payment.refund') return;
    const request = buildRefundRequestFromEffect(refundEffect, { notifyUrl: 'https://shop.example/wechatpay/refund' });
    expect(request.ok && request.request.body).toMatchObject({ out_refund_no: refundEffect.refundId, amount: { refund: 9900, total: 9900, currency: 'CNY' } });

    now = new Date(T0.getTime() + 3_700_000);
    const unknown = handleRefundNotification(deliver(refundResource({ out_trade_no: order.number, out_refund_no: `${order.number}R9`, amount: { total: 9900, refund: 9900 } }), 'REFUND.SUCCESS'));
    if (!unknown.ok) throw unknown.error;
    const before = (await service.get(order.id))!;
    const refused = await applyRefundNotice(service, unknown, { gateway: 'wechatpay' });
    expect(refused.ok).toBe(false);
    if (!refused.ok) expect(refused.error.code).toBe('UNKNOWN_REFUND');
    expect((await service.get(order.id))!.version).toBe(before.version);

    const done = handleRefundNotification(deliver(refundResource({ out_trade_no: order.number, out_refund_no: refundEffect.refundId, amount: { total: 9900, refund: 9900 } }), 'REFUND.SUCCESS'));
    if (!done.ok) throw done.error;
    for (let i = 0; i < 3; i++) expect((await applyRefundNotice(service, done, { gateway: 'wechatpay' })).ok).toBe(true);
    const closed = (await service.get(order.id))!;
    expect(closed.refunds.map((r) => [r.id, r.status])).toEqual([[refundEffect.refundId, 'succeeded']]);
    expect(closed.status).toBe('closed');
    expect(closed.closeReason).toBe('fully_refunded');
  });

  it('without attach, the order is found by its number even when its id is not the number; an unknown number changes nothing', async () => {
    now = new Date(T0);
    store = await makeStore();
    service = createOrderService({ store, clock: { now: () => now } });
    const placed = await service.place({
      customerId: 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o',
      cart: { lines: [{ id: 'L1', sku: 'OAT-1KG', title: '有机燕麦片 1kg', listPrice: 3300, quantity: 3 }] },
      rules: {},
    });
    if (!placed.ok) throw placed.error;
    const order = placed.order;
    expect(order.id).not.toBe(order.number);

    const stranger = handlePaymentNotification(deliver(transactionResource({ out_trade_no: '20261125NOSUCHORDER', attach: undefined, amount: { total: 9900, currency: 'CNY' } })));
    if (!stranger.ok) throw stranger.error;
    expect(stranger.attach).toBeUndefined();
    const refused = await applyPaymentNotice(service, stranger, { gateway: 'wechatpay' });
    expect(refused.ok).toBe(false);
    if (!refused.ok) {
      expect(refused.error.code).toBe('UNKNOWN_ORDER');
      expect(refused.error.messages['zh-CN']).toContain('订单号');
    }
    expect((await service.get(order.id))!.version).toBe(1);

    const n = handlePaymentNotification(deliver(transactionResource({ out_trade_no: order.number, attach: undefined, amount: { total: 9900, currency: 'CNY' } })));
    if (!n.ok) throw n.error;
    expect(n.attach).toBeUndefined();
    const applied = await applyPaymentNotice(service, n, { gateway: 'wechatpay' });
    expect(applied.ok).toBe(true);
    expect((await service.get(order.id))!.status).toBe('paid');
  });

  it('cloudPay: a genuine callback pays the order, a forged one never reaches it', async () => {
    const order = await fresh();
    const event = { returnCode: 'SUCCESS', resultCode: 'SUCCESS', subMchId: MCHID, totalFee: 9900, transactionId: '4200009999', outTradeNo: order.number, timeEnd: '20261125120500', attach: order.id };
    const forged = fromCloudPayCallback(event, { SOURCE: 'wx_client', OPENID: order.customerId });
    expect(forged.ok).toBe(false);
    expect((await service.get(order.id))!.status).toBe('pending_payment');
    const genuine = fromCloudPayCallback(event, { SOURCE: 'wx_paycallback' }, { subMchId: MCHID });
    if (!genuine.ok) throw genuine.error;
    const r = await applyPaymentNotice(service, genuine, { gateway: 'cloudpay' });
    expect(r.ok).toBe(true);
    expect((await service.get(order.id))!.payment).toMatchObject({ paidAmount: 9900, gateway: 'cloudpay', paidAt: '2026-11-25T04:05:00.000Z' });
  });
});
