// @vitest-environment jsdom
/**
 * Issue 24 on the REAL `order` cloud function (examples/cloud-functions/cloudfunctions/order on
 * orderkit's CommonJS build, the cloud database played by its test double): an address before
 * ordering, after-sale photos with their limits, deleting an order, the logistics trace through the
 * tracking port, and another shopper's order answering reads and commands alike. The last test
 * runs the pages against it with a security rule that refuses every watch: after paying, the
 * detail page still reaches 待发货, through its reads.
 */
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { orderView } from '../../src/index.js';
import { createCloudDatabaseStandIn, type CloudDatabaseStandIn } from '../../src/testing/index.js';
import { StandInTracking } from '../../src/tracking/index.js';
import { loadFunctionFile, orderkitBuild, stubCloud } from '../wx-cloud/support/cloud-functions.js';
import { createMiniProgram, settle, tap, text } from './support/harness.js';
import { openPage } from './support/shopper.js';
import { createWatchHub } from './support/watch.js';
import { createWxStub } from './support/wx-stub.js';

const SHOPPER = 'oShopper000000000000000001';
const STRANGER = 'oStranger00000000000000009';
const STAFF = 'oStaff000000000000000000001';
const ADDRESS = { name: '张三', phone: '13812345678', province: '广东省', city: '深圳市', detail: '科技园 1 号' };

const errorLog = vi.spyOn(console, 'error').mockImplementation(() => undefined);
afterAll(() => errorLog.mockRestore());

const { orderkit, wechatpay, wxCloud } = orderkitBuild();

function world(options: { rules?: Record<string, { read: string }> } = {}) {
  const hub = createWatchHub();
  const db: CloudDatabaseStandIn = createCloudDatabaseStandIn({ beforeOperation: hub.beforeOperation, ...(options.rules ? { rules: options.rules } : {}) });
  hub.attach(db);
  const server = stubCloud(db);
  const { readSettings } = loadFunctionFile('order', 'settings.js', server.cloud);
  const shop = loadFunctionFile('order', 'shop.js', server.cloud);
  const { createOrderFunction } = loadFunctionFile('order', 'handler.js', server.cloud);
  const tracking = new StandInTracking();
  const settings = readSettings({ SUB_MCH_ID: '1900000109', MERCHANT_OPENIDS: STAFF });
  const handle = createOrderFunction({ cloud: server.cloud, orderkit, wechatpay, wxCloud, settings, shop, tracking });
  const as = (openid: string) => async (data: Record<string, unknown>) => {
    server.as({ OPENID: openid, CLIENTIP: '10.0.0.8' });
    return handle(data, {});
  };
  const service = orderkit.createOrderService({ store: new wxCloud.WxCloudOrderStore(db) });
  async function paidOrder(cart = [{ sku: 'OAT-1KG', quantity: 2 }]) {
    const placed = await as(SHOPPER)({ action: 'place', cart, address: ADDRESS });
    if (!placed.ok) throw new Error(JSON.stringify(placed.error));
    const order = await service.get(placed.order.id);
    const r = await service.dispatch(order.id, { type: 'PAYMENT_SUCCEEDED', amount: order.pricing.total, transactionId: `tx-${order.id}` }, { type: 'payment', gateway: 'cloudpay' });
    if (!r.ok) throw r.error;
    return r.order;
  }
  return { hub, db, server, shopper: as(SHOPPER), stranger: as(STRANGER), staff: as(STAFF), service, tracking, paidOrder };
}

describe('the order function: an address before ordering', () => {
  it('physical goods without an address: ADDRESS_REQUIRED with its path and both languages, and nothing is written', async () => {
    const w = world();
    const quote = await w.shopper({ action: 'quote', cart: [{ sku: 'OAT-1KG', quantity: 1 }] });
    expect(quote.needsAddress).toBe(true);
    const r = await w.shopper({ action: 'place', cart: [{ sku: 'OAT-1KG', quantity: 1 }], idempotencyKey: 'k1' });
    expect(r).toMatchObject({ ok: false, error: { code: 'ADDRESS_REQUIRED', path: ['address'], messages: { 'zh-CN': '请选择收货地址' } } });
    expect(r.error.messages.en).toMatch(/address/);
    expect((await w.shopper({ action: 'list', tab: 'all' })).items).toEqual([]);
    // A virtual-only cart (an e-card) needs none.
    const card = await w.shopper({ action: 'quote', cart: [{ sku: 'CARD-50', quantity: 1 }] });
    expect(card.needsAddress).toBe(false);
    expect((await w.shopper({ action: 'place', cart: [{ sku: 'CARD-50', quantity: 1 }] })).ok).toBe(true);
    // The same key with an address places the order: the refusal held nothing back.
    expect((await w.shopper({ action: 'place', cart: [{ sku: 'OAT-1KG', quantity: 1 }], idempotencyKey: 'k1', address: ADDRESS })).ok).toBe(true);
  });
});

describe('the order function: another shopper’s order', () => {
  it('answers every read and every command exactly as for an order that does not exist', async () => {
    const w = world();
    const order = await w.paidOrder();
    const calls = (orderId: string) => [
      { action: 'get', orderId },
      { action: 'pay', orderId },
      { action: 'cancel', orderId },
      { action: 'confirmReceipt', orderId },
      { action: 'changeAddress', orderId, address: ADDRESS },
      { action: 'requestAfterSale', orderId, kind: 'refund_only', reason: '不想要了' },
      { action: 'refundQuote', orderId, kind: 'refund_only' },
      { action: 'deleteOrder', orderId },
      { action: 'trace', orderId },
      { action: 'command', orderId, command: { type: 'CONFIRM_RECEIPT' } },
    ];
    const theirs = [];
    for (const c of calls(order.id)) theirs.push(await w.stranger(c));
    const missing = [];
    for (const c of calls('no-such-order')) missing.push(await w.stranger(c));
    expect(theirs).toEqual(missing);
    for (const r of theirs) expect(r).toMatchObject({ ok: false, error: { code: 'ORDER_NOT_FOUND' } });
    // Nothing of the order leaks into the answers.
    expect(JSON.stringify(theirs)).not.toContain(order.number);
    expect((await w.service.get(order.id)).version).toBe(order.version);
  });
});

describe('the order function: after-sale photos', () => {
  const folder = (orderId: string) => `cloud://env-1.656e/after-sale/${orderId}/`;

  it('stores up to 9 file ids on the after-sale, shown to the shopper and to the shop', async () => {
    const w = world();
    const order = await w.paidOrder();
    const photos = Array.from({ length: 9 }, (_, i) => `${folder(order.id)}p${i}.jpg`);
    const r = await w.shopper({ action: 'requestAfterSale', orderId: order.id, kind: 'refund_only', reason: '破损', items: [{ lineId: 'L1', quantity: 1 }], photos });
    expect(r.ok).toBe(true);
    expect(r.order.afterSales[0].photos).toEqual(photos);
    const stored = await w.service.get(order.id);
    expect(stored.afterSales[0].photos).toEqual(photos);
    const shop = orderView(stored, { actor: { type: 'merchant', id: STAFF }, now: new Date() });
    expect(shop.afterSales[0]!.photos).toEqual(photos);
  });

  it('too many, not a file id, or another order’s folder: a typed error with the path, and nothing is submitted', async () => {
    const w = world();
    const order = await w.paidOrder();
    const other = await w.paidOrder([{ sku: 'TEA-100', quantity: 1 }]);
    const base = { action: 'requestAfterSale', orderId: order.id, kind: 'refund_only', reason: '破损', items: [{ lineId: 'L1', quantity: 1 }] };
    const ten = Array.from({ length: 10 }, (_, i) => `${folder(order.id)}p${i}.jpg`);
    expect(await w.shopper({ ...base, photos: ten })).toMatchObject({ ok: false, error: { code: 'TOO_MANY_PHOTOS', path: ['photos'], messages: { 'zh-CN': '最多上传 9 张图片' } } });
    expect(await w.shopper({ ...base, photos: ['wxfile://tmp/1.jpg'] })).toMatchObject({ ok: false, error: { code: 'INVALID_PHOTOS', path: ['photos', 0] } });
    expect(await w.shopper({ ...base, photos: [`${folder(order.id)}ok.jpg`, `${folder(other.id)}theirs.jpg`] })).toMatchObject({ ok: false, error: { code: 'INVALID_PHOTOS', path: ['photos', 1] } });
    expect(await w.shopper({ ...base, photos: 'cloud://x' })).toMatchObject({ ok: false, error: { code: 'INVALID_PHOTOS', path: ['photos'] } });
    expect(await w.shopper({ ...base, photos: [`${folder(order.id)}${'x'.repeat(600)}.jpg`] })).toMatchObject({ ok: false, error: { code: 'INVALID_PHOTOS' } });
    expect((await w.service.get(order.id)).afterSales).toEqual([]);
  });

  it('this order’s folder anywhere but right after the environment, or a nested path: INVALID_PHOTOS, nothing submitted', async () => {
    const w = world();
    const order = await w.paidOrder();
    const other = await w.paidOrder([{ sku: 'TEA-100', quantity: 1 }]);
    const base = { action: 'requestAfterSale', orderId: order.id, kind: 'refund_only', reason: '破损', items: [{ lineId: 'L1', quantity: 1 }] };
    const mine = `/after-sale/${order.id}/`;
    for (const id of [
      `${folder(other.id)}theirs.jpg?${mine}`,
      `${folder(other.id)}theirs.jpg#${mine}x`,
      `cloud://env-1.656e/shop-private${mine}x.jpg`,
      `${folder(order.id)}../../after-sale/${other.id}/theirs.jpg`,
      `${folder(order.id)}sub/x.jpg`,
      `${folder(order.id)}`,
      `cloud://${mine}x.jpg`,
    ]) {
      expect(await w.shopper({ ...base, photos: [id] }), id).toMatchObject({ ok: false, error: { code: 'INVALID_PHOTOS', path: ['photos', 0] } });
    }
    expect((await w.service.get(order.id)).afterSales).toEqual([]);
    expect((await w.shopper({ ...base, photos: [`${folder(order.id)}mf3k2-0-1x9.jpg`] })).ok).toBe(true);
  });
});

describe('the order function: deleting an order', () => {
  it('hidden from the shopper (list, counts, reads) and kept for the shop; only a finished order with nothing pending', async () => {
    const w = world();
    const order = await w.paidOrder();
    // Paid and not finished: the button is not offered and the command is refused.
    expect((await w.shopper({ action: 'get', orderId: order.id })).order.actions.map((a: { key: string }) => a.key)).not.toContain('deleteOrder');
    expect((await w.shopper({ action: 'deleteOrder', orderId: order.id })).ok).toBe(false);
    const ship = await w.staff({ action: 'ship', orderId: order.id, trackingNo: 'SF100', expressCompany: '顺丰速运' });
    expect(ship.ok).toBe(true);
    expect((await w.shopper({ action: 'confirmReceipt', orderId: order.id })).ok).toBe(true);
    const done = await w.shopper({ action: 'get', orderId: order.id });
    expect(done.order.actions.find((a: { key: string }) => a.key === 'deleteOrder')).toMatchObject({ label: '删除订单', command: 'DELETE_ORDER' });
    const countsBefore = (await w.shopper({ action: 'list', tab: 'all' })).tabs;
    expect((await w.shopper({ action: 'deleteOrder', orderId: order.id })).ok).toBe(true);

    const list = await w.shopper({ action: 'list', tab: 'all' });
    expect(list.items.map((i: { id: string }) => i.id)).not.toContain(order.id);
    const count = (tabs: Array<{ key: string; count: number }>, key: string) => tabs.find((t) => t.key === key)!.count;
    expect(count(list.tabs, 'all')).toBe(count(countsBefore, 'all') - 1);
    // An old link: said plainly to its owner, and every command refused the same way.
    expect(await w.shopper({ action: 'get', orderId: order.id })).toMatchObject({ ok: false, error: { code: 'ORDER_DELETED', messages: { 'zh-CN': '订单已删除' } } });
    expect(await w.shopper({ action: 'requestAfterSale', orderId: order.id, kind: 'refund_only', reason: 'x' })).toMatchObject({ ok: false, error: { code: 'ORDER_DELETED' } });
    // Another shopper still learns nothing.
    expect(await w.stranger({ action: 'get', orderId: order.id })).toEqual(await w.stranger({ action: 'get', orderId: 'nope' }));
    // The shop keeps it, unchanged but for the mark.
    const kept = await w.service.get(order.id);
    expect(kept.status).toBe('completed');
    expect(typeof kept.deletedByCustomerAt).toBe('string');
    expect(kept.pricing).toEqual((await w.service.get(order.id)).pricing);
  });
});

describe('the order function: logistics trace', () => {
  it('the trace from the tracking port; not known yet, provider down, a garbled answer: typed errors, never a 500', async () => {
    const w = world();
    const order = await w.paidOrder();
    expect(await w.shopper({ action: 'trace', orderId: order.id })).toMatchObject({ ok: false, error: { code: 'SHIPMENT_NOT_FOUND' } });
    await w.staff({ action: 'ship', orderId: order.id, trackingNo: 'SF200', expressCompany: '顺丰速运' });
    expect(await w.shopper({ action: 'trace', orderId: order.id })).toMatchObject({ ok: false, error: { code: 'TRACKING_NOT_FOUND', messages: { 'zh-CN': '暂无物流信息，请稍后再查' } } });
    w.tracking.put('SF200', { state: 'out_for_delivery', checkpoints: [{ at: '2026-11-26T01:00:00Z', text: '已揽收' }, { at: '2026-11-27T02:00:00Z', text: '派送中，快递员 李师傅', location: '深圳' }] });
    const ok = await w.shopper({ action: 'trace', orderId: order.id });
    expect(ok.ok).toBe(true);
    expect(ok.trace).toMatchObject({ trackingNo: 'SF200', expressCompany: '顺丰速运', state: 'out_for_delivery', stateLabel: '派送中' });
    expect(ok.trace.checkpoints.map((c: { text: string }) => c.text)).toEqual(['派送中，快递员 李师傅', '已揽收']);
    expect(ok.trace.checkpoints[0].atText).toBe('2026-11-27 10:00');
    // The provider was asked with the phone's last four digits (顺丰 needs them); the page never sees them.
    expect(w.tracking.queries.at(-1)).toEqual({ trackingNo: 'SF200', expressCompany: '顺丰速运', phoneTail: '5678' });
    expect(JSON.stringify(ok)).not.toContain('5678');
    w.tracking.mode = 'down';
    expect(await w.shopper({ action: 'trace', orderId: order.id })).toMatchObject({ ok: false, error: { code: 'TRACKING_UNAVAILABLE', details: { reason: 'provider_error' } } });
    w.tracking.mode = 'garbled';
    expect(await w.shopper({ action: 'trace', orderId: order.id })).toMatchObject({ ok: false, error: { code: 'TRACKING_UNAVAILABLE', details: { reason: 'bad_reply' } } });
    expect(await w.shopper({ action: 'trace', orderId: order.id, shipmentId: 'S404' })).toMatchObject({ ok: false, error: { code: 'SHIPMENT_NOT_FOUND', path: ['shipmentId'] } });
  });
});

describe('我的订单 on the real function: 删除订单 from a card', () => {
  it('the card offers 删除订单 on a finished order; after the dialog it is gone from the list and the counts', async () => {
    const w = world();
    const order = await w.paidOrder();
    await w.staff({ action: 'ship', orderId: order.id, trackingNo: 'SF300', expressCompany: '顺丰速运' });
    await w.shopper({ action: 'confirmReceipt', orderId: order.id });
    const other = await w.paidOrder([{ sku: 'TEA-100', quantity: 1 }]);
    const client = createWxStub(w.shopper);
    const mp = createMiniProgram(client.wx);
    const list = await openPage(mp, 'pages/orders/index');
    for (let i = 0; i < 50 && list.querySelectorAll('.order-card').length < 2; i++) await settle(2);
    const cards = list.querySelectorAll('.order-card');
    expect(cards).toHaveLength(2);
    const finished = cards.find((c: any) => text(c.querySelector('.number')).includes(order.number));
    const button = finished.querySelectorAll('.action').find((n: any) => n.dom.getAttribute('data-key') === 'deleteOrder');
    expect(text(button)).toBe('删除订单');
    button.dispatchEvent('tap');
    for (let i = 0; i < 100 && list.querySelectorAll('.order-card').length !== 1; i++) await settle(2);
    expect(client.wx.showModal.mock.calls[0][0].title).toBe('删除订单');
    expect(list.querySelectorAll('.order-card').map((c: any) => text(c.querySelector('.number')))).toEqual([`订单号 ${other.number}`]);
    expect(text(list.querySelector('.tab.active'))).toContain('全部');
    expect((await w.service.get(order.id)).status).toBe('completed');
  });
});

describe('pages on the real function, every watch refused', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('checkout pays, the detail page opens in 支付确认中, its watch is refused, and its reads find 待发货 once WeChat Pay confirms', async () => {
    const w = world({ rules: { orders: { read: 'false' } } });
    const client = createWxStub(w.shopper);
    client.wx.cloud.database = vi.fn(() => w.hub.miniProgramDatabase(SHOPPER));
    const mp = createMiniProgram(client.wx, { globalData: { cart: [{ sku: 'TEA-100', quantity: 1 }] } });
    mp.require('config').subscribeTemplateIds = [];
    const checkout = await openPage(mp, 'pages/checkout/index');
    await tap(checkout.querySelector('.submit'));
    // No address yet: refused on the page, nothing placed.
    expect(client.actions()).toEqual(['quote']);
    await tap(checkout.querySelector('.address'));
    await tap(checkout.querySelector('.submit'));
    for (let i = 0; i < 200 && client.wx.redirectTo.mock.calls.length === 0; i++) await settle(1);
    const url: string = client.wx.redirectTo.mock.calls[0][0].url;
    expect(url).toMatch(/&paying=1$/);
    const orderId = /id=([^&]+)/.exec(url)![1]!;

    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'] });
    const detail = await openPage(mp, 'pages/order-detail/index', { id: orderId, paying: '1' });
    for (let i = 0; i < 20 && w.hub.errors().length === 0; i++) await settle(2);
    expect(w.hub.errors()).toHaveLength(1);
    expect(text(detail.querySelector('.status-label'))).toBe('支付确认中');
    await vi.advanceTimersByTimeAsync(1000);
    await settle();
    expect(text(detail.querySelector('.status-label'))).toBe('支付确认中');

    // WeChat Pay's notification, as the payCallback function would record it.
    const order = await w.service.get(orderId);
    expect((await w.service.dispatch(orderId, { type: 'PAYMENT_SUCCEEDED', amount: order.pricing.total, transactionId: 'tx-refused-watch' }, { type: 'payment', gateway: 'cloudpay' })).ok).toBe(true);
    await vi.advanceTimersByTimeAsync(1000);
    await settle();
    expect(text(detail.querySelector('.status-label'))).toBe('待发货');
    expect(detail.querySelectorAll('.order-action').map(text)).not.toContain('去支付');
    detail.instance.onUnload();
  });
});
