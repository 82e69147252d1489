import { createPublicKey, verify } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createCloudDatabaseStandIn, type CloudDatabaseStandIn } from '../../src/testing/index.js';
import { makeKeyPair } from '../wechat/support/certs.js';
import { API_V3_KEY, encryptResource, notificationBody, signedHeaders, transactionResource } from '../wechat/support/notify.js';
import { loadFunctionFile, orderkitBuild, stubCloud } from './support/cloud-functions.js';

/**
 * The example cloud functions end to end, as deployed (their own files, orderkit's CommonJS build)
 * against the cloud database TEST DOUBLE and a recording `cloud` stub: a shopper places and pays,
 * WeChat Pay calls back (genuinely, repeatedly, and forged), the shop ships, the timer sweeps and
 * delivers subscribe messages and the shipping-info upload, a refund runs through cloudPay.
 */
const SHOPPER = 'oShopper000000000000000001';
const STAFF = 'oStaff0000000000000000000001';
const SUB_MCH_ID = '1900000109';

let build: ReturnType<typeof orderkitBuild>;
// The functions log what they refuse; keep the test output clean but check the logs where it matters.
const errorLog = vi.spyOn(console, 'error').mockImplementation(() => undefined);
beforeAll(() => {
  build = orderkitBuild();
});
afterAll(() => {
  errorLog.mockRestore();
});

function clockAt(iso: string) {
  let t = Date.parse(iso);
  return {
    now: () => new Date(t),
    advance(ms: number) {
      t += ms;
    },
  };
}

function setup(extra: Record<string, unknown> = {}) {
  const db: CloudDatabaseStandIn = createCloudDatabaseStandIn();
  const stub = stubCloud(db);
  const clock = clockAt('2026-11-25T04:00:00.000Z');
  const load = (name: string) => loadFunctionFile(name, 'handler.js', stub.cloud);
  const common = { cloud: stub.cloud, ...build, clock };
  const shop = loadFunctionFile('order', 'shop.js', stub.cloud);
  const orderSettings = { ...loadFunctionFile('order', 'settings.js', stub.cloud).readSettings({ SUB_MCH_ID, MERCHANT_OPENIDS: STAFF }), ...extra };
  const order = load('order').createOrderFunction({ ...common, shop, settings: orderSettings, random: () => 0.5, wechatpayClient: extra.wechatpayClient });
  const payCallback = load('payCallback').createPayCallback({ ...common, settings: { ...loadFunctionFile('payCallback', 'settings.js', stub.cloud).readSettings({ SUB_MCH_ID }), ...extra } });
  const templates = loadFunctionFile('sweeper', 'templates.js', stub.cloud).createTemplates({ TEMPLATE_ORDER_PAID: 'TPL-PAID', TEMPLATE_ORDER_SHIPPED: 'TPL-SHIPPED', TEMPLATE_REFUND_STARTED: 'TPL-REFUND' });
  const sweeper = load('sweeper').createSweeper({ ...common, templates, settings: { ...loadFunctionFile('sweeper', 'settings.js', stub.cloud).readSettings({ SUB_MCH_ID }), ...extra } });
  return {
    db,
    stub,
    clock,
    async call(openid: string, data: Record<string, unknown>) {
      stub.as({ OPENID: openid, CLIENTIP: '10.0.0.8' });
      return order(data, {});
    },
    async wechatPays(event: Record<string, unknown>, source = 'wx_paycallback') {
      stub.as({ SOURCE: source });
      return payCallback(event, {});
    },
    payCallback,
    sweeper,
    async sweep() {
      stub.as({});
      return sweeper({ Type: 'Timer', TriggerName: 'everyMinute', Time: clock.now().toISOString() }, {});
    },
  };
}

async function placeAndPay(env: ReturnType<typeof setup>) {
  const placed = await env.call(SHOPPER, { action: 'place', cart: [{ sku: 'OAT-1KG', quantity: 2 }, { sku: 'MILK-250', quantity: 1 }], address: { name: '张三', phone: '13812345678', province: '广东省', city: '深圳市', detail: '科技园 1 号' }, idempotencyKey: 'visit-1' });
  expect(placed.ok).toBe(true);
  const pay = await env.call(SHOPPER, { action: 'pay', orderId: placed.order.id });
  expect(pay.ok).toBe(true);
  const params = env.stub.calls.unifiedOrder[env.stub.calls.unifiedOrder.length - 1] as Record<string, any>;
  const callback = { returnCode: 'SUCCESS', resultCode: 'SUCCESS', subMchId: SUB_MCH_ID, subOpenid: SHOPPER, totalFee: params.totalFee, feeType: 'CNY', transactionId: `4200${params.outTradeNo}`.slice(0, 28), outTradeNo: params.outTradeNo, timeEnd: '20261125120500', attach: params.attach };
  return { placed, pay, params, callback };
}

describe('example cloud functions (on the cloud database test double)', () => {
  it('index.js is a thin shell: it initialises wx-server-sdk and exports main', async () => {
    const db = createCloudDatabaseStandIn();
    const stub = stubCloud(db);
    const mod = loadFunctionFile('order', 'index.js', stub.cloud);
    expect(typeof mod.main).toBe('function');
    expect(stub.cloud.initialised).toEqual({ env: stub.cloud.DYNAMIC_CURRENT_ENV });
    stub.as({ OPENID: SHOPPER });
    const quote = await mod.main({ action: 'quote', cart: [{ sku: 'TEA-100', quantity: 1 }] }, {});
    expect(quote.ok).toBe(true);
    expect(quote.coupons.map((c: { id: string }) => c.id).sort()).toEqual([`${SHOPPER}-new-10`, `${SHOPPER}-tea-15`]);
    stub.as({});
    expect((await mod.main({ action: 'list' }, {})).error.code).toBe('UNAUTHENTICATED');
    for (const name of ['payCallback', 'sweeper']) expect(typeof loadFunctionFile(name, 'index.js', stub.cloud).main).toBe('function');
  });

  it('place → pay (cloudPay) → callback ×3 → ship → sweep (messages, shipping info) → confirm', async () => {
    const env = setup();
    const { placed, pay, params, callback } = await placeAndPay(env);
    const orderId = placed.order.id;
    expect(placed.order.actions.map((a: { key: string }) => a.key)).toContain('pay');
    expect(pay.payment.package).toMatch(/^prepay_id=/);
    expect(params).toMatchObject({ outTradeNo: orderId, subMchId: SUB_MCH_ID, functionName: 'payCallback', envId: 'test-env-1a2b', spbillCreateIp: '10.0.0.8', attach: orderId, timeExpire: '20261125123000' });
    // The quote the shopper saw is what they are asked to pay: 2×33.00 + 59.90, free shipping over 99, new-shopper coupon −10.
    expect(params.totalFee).toBe(2 * 3300 + 5990 - 1000);

    // A double tap on 提交订单 (the same request, with the same idempotency key) makes no second order.
    const again = await env.call(SHOPPER, { action: 'place', cart: [{ sku: 'OAT-1KG', quantity: 2 }, { sku: 'MILK-250', quantity: 1 }], address: { name: '张三', phone: '13812345678', province: '广东省', city: '深圳市', detail: '科技园 1 号' }, idempotencyKey: 'visit-1' });
    expect(again.order.id).toBe(orderId);
    // The same key with another cart is another request: refused, not answered with the first order.
    const other = await env.call(SHOPPER, { action: 'place', cart: [{ sku: 'OAT-1KG', quantity: 1 }], address: { name: '张三', phone: '13812345678', province: '广东省', city: '深圳市', detail: '科技园 1 号' }, idempotencyKey: 'visit-1' });
    expect([other.ok, other.error?.code]).toEqual([false, 'IDEMPOTENCY_KEY_REUSED']);

    // Anyone can call payCallback; only SOURCE wx_paycallback is WeChat Pay.
    const forged = await env.wechatPays(callback, 'wx_client');
    expect(forged.errcode).not.toBe(0);
    expect(errorLog.mock.calls.some((c) => String(c[1]).includes('FORGED_CALLBACK'))).toBe(true);
    expect((await env.call(SHOPPER, { action: 'get', orderId })).order.status).toBe('pending_payment');
    for (let i = 0; i < 3; i++) expect(await env.wechatPays(callback)).toEqual({ errcode: 0, errmsg: 'OK' });
    const paid = (await env.call(SHOPPER, { action: 'get', orderId })).order;
    expect(paid.status).toBe('paid');
    expect(paid.version).toBe(2);

    // Someone else cannot see or touch the order.
    expect((await env.call('oSomeoneElse', { action: 'get', orderId })).error.code).toBe('ORDER_NOT_FOUND');
    expect((await env.call(SHOPPER, { action: 'ship', orderId, trackingNo: 'SF1', expressCompany: 'SF' })).error.code).toBe('FORBIDDEN');
    const shipped = await env.call(STAFF, { action: 'ship', orderId, trackingNo: 'SF1234567890', expressCompany: 'SF' });
    expect(shipped.ok).toBe(true);

    env.clock.advance(60_000);
    const run = await env.sweep();
    expect(run.drain.failed).toBe(0);
    const messages = env.stub.calls.subscribeMessage as Array<Record<string, any>>;
    expect(messages.map((m) => m.templateId).sort()).toEqual(['TPL-PAID', 'TPL-SHIPPED']);
    const paidMessage = messages.find((m) => m.templateId === 'TPL-PAID')!;
    expect(paidMessage).toMatchObject({ touser: SHOPPER, page: `pages/order-detail/index?id=${orderId}`, miniprogramState: 'formal' });
    expect(paidMessage.data.amount3.value).toBe('115.90元');
    expect(paidMessage.data.character_string1.value).toBe(orderId);
    expect(env.stub.calls.uploadShippingInfo).toEqual([
      {
        order_key: { order_number_type: 2, transaction_id: callback.transactionId },
        logistics_type: 1,
        delivery_mode: 1,
        shipping_list: [{ tracking_no: 'SF1234567890', express_company: 'SF', item_desc: '有机燕麦片 1kg*2；纯牛奶 250ml×12*1', contact: { receiver_contact: '138****5678' } }],
        upload_time: '2026-11-25T12:01:00.000+08:00',
        payer: { openid: SHOPPER },
      },
    ]);
    // Delivered once: a second run finds nothing left to send.
    await env.sweep();
    expect(env.stub.calls.subscribeMessage).toHaveLength(2);
    expect(env.stub.calls.uploadShippingInfo).toHaveLength(1);

    const confirmed = await env.call(SHOPPER, { action: 'confirmReceipt', orderId });
    expect(confirmed.ok && confirmed.order.status).toBe('completed');
    const list = await env.call(SHOPPER, { action: 'list', tab: 'completed' });
    expect(list.items.map((i: { id: string }) => i.id)).toEqual([orderId]);
    expect(list.tabs.find((t: { key: string }) => t.key === 'all').count).toBe(1);
  });

  it('payCallback without SUB_MCH_ID applies no cloudPay result (NOT_CONFIGURED, WeChat calls again): it could not check the merchant', async () => {
    const env = setup();
    const { placed, callback } = await placeAndPay(env);
    const unset = loadFunctionFile('payCallback', 'handler.js', env.stub.cloud).createPayCallback({
      cloud: env.stub.cloud,
      ...build,
      clock: env.clock,
      settings: loadFunctionFile('payCallback', 'settings.js', env.stub.cloud).readSettings({}),
    });
    env.stub.as({ SOURCE: 'wx_paycallback' });
    expect(await unset(callback, {})).toEqual({ errcode: -1, errmsg: 'NOT_CONFIGURED' });
    expect(errorLog.mock.calls.some((c) => String(c[1]).includes('SUB_MCH_ID'))).toBe(true);
    expect((await env.call(SHOPPER, { action: 'get', orderId: placed.order.id })).order.status).toBe('pending_payment');
    // Once configured, the same callback pays the order.
    expect(await env.wechatPays(callback)).toEqual({ errcode: 0, errmsg: 'OK' });
    expect((await env.call(SHOPPER, { action: 'get', orderId: placed.order.id })).order.status).toBe('paid');
  });

  it('the timer expires an unpaid order after asking cloudPay, and closes the payment', async () => {
    const env = setup();
    const placed = await env.call(SHOPPER, { action: 'place', cart: [{ sku: 'TEA-100', quantity: 1 }], address: { name: '张三', phone: '13812345678', province: '广东省', city: '深圳市', detail: '科技园 1 号' } });
    await env.call(SHOPPER, { action: 'pay', orderId: placed.order.id });
    env.clock.advance(29 * 60_000);
    expect((await env.sweep()).sweep.expired).toBe(0);
    env.clock.advance(2 * 60_000);
    const run = await env.sweep();
    expect(run.sweep.expired).toBe(1);
    expect(env.stub.calls.queryOrder).toHaveLength(1);
    const closed = (await env.call(SHOPPER, { action: 'get', orderId: placed.order.id })).order;
    expect(closed.status).toBe('closed');
    expect(env.stub.calls.closeOrder).toEqual([expect.objectContaining({ subMchId: SUB_MCH_ID, outTradeNo: placed.order.id })]);
  });

  it('the sweeper answers only its timer: a call from the mini program (a user OPENID) is FORBIDDEN, sweeps nothing and tells nothing', async () => {
    const env = setup();
    const placed = await env.call(SHOPPER, { action: 'place', cart: [{ sku: 'TEA-100', quantity: 1 }], address: { name: '张三', phone: '13812345678', province: '广东省', city: '深圳市', detail: '科技园 1 号' } });
    await env.call(SHOPPER, { action: 'pay', orderId: placed.order.id });
    env.clock.advance(31 * 60_000);
    for (const event of [{}, { Type: 'Timer', TriggerName: 'everyMinute', Time: env.clock.now().toISOString() }]) {
      env.stub.as({ OPENID: SHOPPER, CLIENTIP: '10.0.0.8' });
      const refused = await (env as any).sweeper(event, {});
      expect(refused).toEqual({ ok: false, error: expect.objectContaining({ code: 'FORBIDDEN', path: [] }) });
      expect(refused.error.messages['zh-CN']).toMatch(/定时/);
      expect(Object.keys(refused).sort()).toEqual(['error', 'ok']);
    }
    expect(env.stub.calls.queryOrder).toHaveLength(0);
    expect((await env.call(SHOPPER, { action: 'get', orderId: placed.order.id })).order.status).toBe('pending_payment');
    // The timer itself still sweeps.
    expect((await env.sweep()).sweep.expired).toBe(1);
  });

  it('the timer finds a payment whose callback never came and applies it instead of expiring', async () => {
    const env = setup();
    const placed = await env.call(SHOPPER, { action: 'place', cart: [{ sku: 'TEA-100', quantity: 1 }], address: { name: '张三', phone: '13812345678', province: '广东省', city: '深圳市', detail: '科技园 1 号' } });
    await env.call(SHOPPER, { action: 'pay', orderId: placed.order.id });
    const { totalFee } = env.stub.calls.unifiedOrder[0] as { totalFee: number };
    env.stub.behaviour.queryOrder = async (p: any) => ({ returnCode: 'SUCCESS', resultCode: 'SUCCESS', tradeState: 'SUCCESS', totalFee, transactionId: '4200000000000000000000000001', outTradeNo: p.outTradeNo, timeEnd: '20261125121000' });
    env.clock.advance(31 * 60_000);
    const run = await env.sweep();
    expect(run.sweep.paidLate).toBe(1);
    expect((await env.call(SHOPPER, { action: 'get', orderId: placed.order.id })).order.status).toBe('paid');
  });

  it('a subscribe message the user has no subscription for (43101) is not retried and fails nothing', async () => {
    const env = setup();
    env.stub.behaviour.subscribeMessage = async () => {
      throw Object.assign(new Error('openapi.subscribeMessage.send:fail user refuse to accept the msg'), { errCode: 43101 });
    };
    const { callback } = await placeAndPay(env);
    await env.wechatPays(callback);
    const first = await env.sweep();
    expect(first.drain.failed).toBe(0);
    expect(env.stub.calls.subscribeMessage).toHaveLength(1);
    env.clock.advance(3_600_000);
    await env.sweep();
    expect(env.stub.calls.subscribeMessage).toHaveLength(1);
  });

  it('a refund: requested in the mini program, sent by the timer through cloudPay, settled by its callback', async () => {
    const env = setup();
    const { placed, callback } = await placeAndPay(env);
    const orderId = placed.order.id;
    await env.wechatPays(callback);
    const quote = await env.call(SHOPPER, { action: 'refundQuote', orderId, kind: 'refund_only' });
    expect(quote.ok).toBe(true);
    const asked = await env.call(SHOPPER, { action: 'requestAfterSale', orderId, kind: 'refund_only', reason: '不想要了' });
    expect(asked.ok).toBe(true);
    await env.sweep();
    const refund = env.stub.calls.refund[0] as Record<string, any>;
    expect(refund).toMatchObject({ subMchId: SUB_MCH_ID, totalFee: callback.totalFee, refundFee: callback.totalFee, functionName: 'payCallback', transactionId: callback.transactionId });
    const refundCallback = { returnCode: 'SUCCESS', subMchId: SUB_MCH_ID, reqInfo: { outTradeNo: orderId, outRefundNo: refund.outRefundNo, refundId: '5000000001', refundFee: refund.refundFee, totalFee: refund.totalFee, refundStatus: 'SUCCESS', successTime: '2026-11-25 13:00:00' } };
    expect(await env.wechatPays(refundCallback)).toEqual({ errcode: 0, errmsg: 'OK' });
    const closed = (await env.call(SHOPPER, { action: 'get', orderId })).order;
    expect(closed.status).toBe('closed');
    const unknown = await env.wechatPays({ ...refundCallback, reqInfo: { ...refundCallback.reqInfo, outRefundNo: `${orderId}R9` } });
    expect(unknown.errcode).toBe(0); // acknowledged (logged): retrying cannot make the refund known
  });

  it('Pay v3: prepay + paySign from the order function, the signed notification through the HTTP access service', async () => {
    const merchant = makeKeyPair();
    const platform = makeKeyPair();
    const serial = 'PUB_KEY_ID_0119000001092026112500000000000009';
    const sent: Array<Record<string, any>> = [];
    const v3 = {
      payMode: 'v3',
      appid: 'wxd678efh567hg6787',
      mchid: '1900000109',
      serialNo: '3775B6A45ACD588826D15E583A95F5DD',
      privateKey: merchant.privatePem,
      notifyUrl: 'https://pay.shop.example/payCallback',
      apiV3Key: API_V3_KEY,
      platformKeys: { [serial]: platform.publicPem },
      wechatpayClient: {
        send: async (request: Record<string, any>) => {
          sent.push(request);
          return { prepay_id: 'wx25120000000000000000000000001' };
        },
      },
    };
    const env = setup(v3);
    const placed = await env.call(SHOPPER, { action: 'place', cart: [{ sku: 'TEA-100', quantity: 1 }], address: { name: '张三', phone: '13812345678', province: '广东省', city: '深圳市', detail: '科技园 1 号' } });
    const pay = await env.call(SHOPPER, { action: 'pay', orderId: placed.order.id });
    expect(pay.ok).toBe(true);
    expect(sent[0]).toMatchObject({ method: 'POST', path: '/v3/pay/transactions/jsapi', body: { out_trade_no: placed.order.id, payer: { openid: SHOPPER } } });
    const p = pay.payment;
    const message = `${v3.appid}\n${p.timeStamp}\n${p.nonceStr}\n${p.package}\n`;
    expect(verify('RSA-SHA256', Buffer.from(message), createPublicKey(merchant.publicPem), Buffer.from(p.paySign, 'base64'))).toBe(true);

    const total = sent[0]!.body.amount.total;
    const rawBody = notificationBody(encryptResource(transactionResource({ out_trade_no: placed.order.id, attach: placed.order.id, amount: { total, currency: 'CNY' } })));
    const headers = signedHeaders(rawBody, { privateKey: platform.privateKey, serial }, env.clock.now());
    const reply = await env.payCallback({ httpMethod: 'POST', path: '/payCallback', headers, body: Buffer.from(rawBody).toString('base64'), isBase64Encoded: true }, {});
    expect(reply).toMatchObject({ statusCode: 204, body: '' });
    const tampered = await env.payCallback({ httpMethod: 'POST', path: '/payCallback', headers, body: rawBody.replace('"id"', '"id" '), isBase64Encoded: false }, {});
    expect(tampered.statusCode).toBe(401);
    expect(JSON.parse(tampered.body).code).toBe('FAIL');
    expect((await env.call(SHOPPER, { action: 'get', orderId: placed.order.id })).order.status).toBe('paid');
  });

  it('stock (docs/inventory.md): the quote shows what is left and the 限购, over the 限购 is refused, an expired order gives back, a 付款减库存 payment that finds none closes out_of_stock', async () => {
    const env = setup();
    const address = { name: '张三', phone: '13812345678', province: '广东省', city: '深圳市', detail: '科技园 1 号' };
    const quote = await env.call(SHOPPER, { action: 'quote', cart: [{ sku: 'TEA-100', quantity: 1 }, { sku: 'OAT-1KG', quantity: 2 }] });
    expect(quote.stock).toEqual([
      { sku: 'TEA-100', available: 200, perCustomer: 5 },
      { sku: 'OAT-1KG', available: 500 },
    ]);
    const over = await env.call(SHOPPER, { action: 'place', cart: [{ sku: 'TEA-100', quantity: 6 }], address });
    expect([over.ok, over.error.code]).toEqual([false, 'LIMIT_REACHED']);
    expect(over.error.messages['zh-CN']).toContain('限购');
    const placed = await env.call(SHOPPER, { action: 'place', cart: [{ sku: 'OAT-1KG', quantity: 2 }], address });
    expect(placed.ok).toBe(true);
    const oat = () => env.call(SHOPPER, { action: 'quote', cart: [{ sku: 'OAT-1KG', quantity: 1 }] }).then((q) => q.stock[0].available);
    expect(await oat()).toBe(498);
    // Not paid in time: the timer closes it and the units are back.
    env.clock.advance(31 * 60_000);
    await env.sweep();
    expect((await env.call(SHOPPER, { action: 'get', orderId: placed.order.id })).order.closeReason).toBe('payment_timeout');
    expect(await oat()).toBe(500);

    // The gift card is taken at payment; none left by then: closed out_of_stock, refunded in full.
    const card = await env.call(SHOPPER, { action: 'place', cart: [{ sku: 'CARD-50', quantity: 1 }] });
    expect(card.ok).toBe(true);
    const shop = new build.wxCloud.WxCloudInventory(env.db);
    await shop.configure({ sku: 'CARD-50', available: 0, policy: 'take_on_payment' });
    await env.call(SHOPPER, { action: 'pay', orderId: card.order.id });
    const params = env.stub.calls.unifiedOrder[env.stub.calls.unifiedOrder.length - 1] as Record<string, any>;
    const callback = { returnCode: 'SUCCESS', resultCode: 'SUCCESS', subMchId: SUB_MCH_ID, subOpenid: SHOPPER, totalFee: params.totalFee, feeType: 'CNY', transactionId: `4200${params.outTradeNo}`.slice(0, 28), outTradeNo: params.outTradeNo, timeEnd: '20261125123500', attach: params.attach };
    expect(await env.wechatPays(callback)).toEqual({ errcode: 0, errmsg: 'OK' });
    const closed = (await env.call(SHOPPER, { action: 'get', orderId: card.order.id })).order;
    expect([closed.status, closed.closeReason]).toEqual(['closed', 'out_of_stock']);
    expect(closed.closeReasonLabel).toBe('库存不足，已全额退款');
    const stored = env.db.dump('orders').find((o) => o._id === card.order.id) as { refunds: Array<{ amount: number; reason: string }> };
    expect(stored.refunds.map((r) => [r.amount, r.reason])).toEqual([[params.totalFee, 'out_of_stock']]);
  });

  it('delivery modes (docs/delivery.md): the quote offers them and prices the choice; a pickup order gets a six-digit code; an unknown store places nothing', async () => {
    const env = setup();
    const cart = [{ sku: 'OAT-1KG', quantity: 1 }];
    const express = await env.call(SHOPPER, { action: 'quote', cart });
    expect(express.ok && express.deliveryOptions.modes).toEqual(['express', 'local', 'pickup']);
    expect(express.delivery).toEqual({ mode: 'express' });
    const slot = express.deliveryOptions.local.slots[0];
    expect(Date.parse(slot.start)).toBeGreaterThanOrEqual(Date.parse('2026-11-25T05:00:00.000Z'));
    const local = await env.call(SHOPPER, { action: 'quote', cart, delivery: { mode: 'local', zone: 'futian', slot } });
    expect(local.ok && [local.quote.freight.fen, local.delivery.mode]).toEqual([900, 'local']);
    const nowhere = await env.call(SHOPPER, { action: 'place', cart, delivery: { mode: 'pickup', storeId: 'nowhere' } });
    expect(!nowhere.ok && [nowhere.error.code, nowhere.error.path]).toEqual(['PICKUP_STORE_UNKNOWN', ['delivery', 'storeId']]);
    expect(env.db.dump('orders')).toEqual([]);
    const placed = await env.call(SHOPPER, { action: 'place', cart, delivery: { mode: 'pickup', storeId: 'sz-nanshan' } });
    expect(placed.ok, JSON.stringify(placed)).toBe(true);
    expect([placed.order.pricing.freight.fen, placed.order.delivery.modeLabel, placed.order.delivery.store.name]).toEqual([0, '到店自提', '南山门店']);
    const stored = env.db.dump('orders')[0] as { delivery: { code: string } };
    expect(stored.delivery.code).toMatch(/^[0-9]{6}$/);
    // Not paid yet: the page does not show the code.
    expect(placed.order.delivery.pickupCode).toBeUndefined();
  });
});
