// @vitest-environment jsdom
/**
 * The mini program pages against the REAL cloud functions: checkout and order detail rendered in
 * miniprogram-simulate, `wx.cloud.callFunction` wired to the deployed `order` function
 * (examples/cloud-functions/cloudfunctions/order/index.js on orderkit's CommonJS build), the
 * payment result delivered by the real `payCallback` function as cloudPay would call it, and the
 * cloud database played by its TEST DOUBLE, whose mini program side enforces the `orders`
 * security rule the example's README prescribes (`doc.customerId == auth.openid`) on `watch()`
 * (support/watch.ts counts what it pushes). The detail page must turn from 待付款 to 待发货
 * through `watch` alone, with the query that rule allows.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createCloudDatabaseStandIn, type CloudDatabaseStandIn } from '../../src/testing/index.js';
import { loadFunctionFile, stubCloud } from '../wx-cloud/support/cloud-functions.js';
import { createMiniProgram, settle, tap, text } from './support/harness.js';
import { createWatchHub } from './support/watch.js';
import { createWxStub, lastToast } from './support/wx-stub.js';

const SHOPPER = 'oShopper000000000000000001';
const SUB_MCH_ID = '1900000109';
const ADDRESS = { name: '张三', phone: '13812345678', province: '广东省', city: '深圳市', detail: '科技园 1 号' };

const errorLog = vi.spyOn(console, 'error').mockImplementation(() => undefined);
afterAll(() => errorLog.mockRestore());

/** Loads a function's index.js as deployed, with its environment variables set while it loads. */
function deploy(name: string, cloud: unknown, env: Record<string, string>) {
  const saved: Record<string, string | undefined> = {};
  for (const k of Object.keys(env)) {
    saved[k] = process.env[k];
    process.env[k] = env[k];
  }
  try {
    return loadFunctionFile(name, 'index.js', cloud) as { main: (event: unknown, context: unknown) => Promise<any> };
  } finally {
    for (const k of Object.keys(env)) {
      if (saved[k] === undefined) delete process.env[k];
      else process.env[k] = saved[k];
    }
  }
}

function world() {
  const hub = createWatchHub();
  const db: CloudDatabaseStandIn = createCloudDatabaseStandIn({
    beforeOperation: hub.beforeOperation,
    rules: { orders: { read: 'doc.customerId == auth.openid' } },
  });
  hub.attach(db);
  const server = stubCloud(db);
  const order = deploy('order', server.cloud, { SUB_MCH_ID });
  const payCallback = deploy('payCallback', server.cloud, { SUB_MCH_ID });
  // The mini program: its `wx` calls the real function as SHOPPER and watches the same database.
  const client = createWxStub(async (data) => {
    server.as({ OPENID: SHOPPER, CLIENTIP: '10.0.0.8' });
    return order.main(data, {});
  });
  client.wx.cloud.database = vi.fn(() => hub.miniProgramDatabase(SHOPPER));
  const mp = createMiniProgram(client.wx, { globalData: { cart: [{ sku: 'OAT-1KG', quantity: 2 }, { sku: 'MILK-250', quantity: 1 }] } });
  mp.require('config').subscribeTemplateIds = ['TPL-PAID', 'TPL-SHIPPED'];
  /** What WeChat Pay sends to payCallback once the shopper paid (cloudPay's v2 fields). */
  async function wechatPayConfirms() {
    const params = server.calls.unifiedOrder[server.calls.unifiedOrder.length - 1] as Record<string, any>;
    server.as({ SOURCE: 'wx_paycallback' });
    return payCallback.main(
      {
        returnCode: 'SUCCESS',
        resultCode: 'SUCCESS',
        subMchId: SUB_MCH_ID,
        subOpenid: SHOPPER,
        totalFee: params.totalFee,
        feeType: 'CNY',
        transactionId: `4200${params.outTradeNo}`.slice(0, 28),
        outTradeNo: params.outTradeNo,
        timeEnd: '20261125120500',
        attach: params.attach,
      },
      {},
    );
  }
  return { hub, db, server, client, mp, wechatPayConfirms };
}

/** Waits, in real time, until `done()` holds (the stand-in and the watch both run on setImmediate). */
async function until(done: () => boolean, rounds = 400): Promise<void> {
  for (let i = 0; i < rounds && !done(); i++) await settle(1);
}

describe('mini program ↔ real cloud functions (cloud database test double)', () => {
  beforeAll(() => {
    // orderkit's CommonJS build must exist (npm test builds it when stale).
    expect(() => loadFunctionFile('order', 'shop.js', {})).not.toThrow();
  });

  it('checkout places and pays; the detail page shows 待发货 through watch, without a refresh', async () => {
    const w = world();

    // 确认订单: the function prices the cart with the best coupon; submit places and pays.
    const checkout = w.mp.page('pages/checkout/index');
    await checkout.instance.onLoad({});
    await until(() => !checkout.instance.data.loading);
    expect(w.client.actions()).toEqual(['quote']);
    const quoted = checkout.instance.data.quote;
    expect(quoted.total.fen).toBe(2 * 3300 + 5990 - 1000);
    expect(text(checkout.querySelector('.total'))).toBe(quoted.total.text);
    await tap(checkout.querySelector('.address'));
    checkout.querySelector('.submit').dispatchEvent('tap');
    await until(() => w.client.wx.redirectTo.mock.calls.length > 0);
    expect(w.client.actions()).toEqual(['quote', 'place', 'pay']);
    expect(w.client.wx.requestSubscribeMessage).toHaveBeenCalledTimes(1);
    const payment = w.client.wx.requestPayment.mock.calls[0][0];
    expect(payment.package).toMatch(/^prepay_id=/);
    const url: string = w.client.wx.redirectTo.mock.calls[0][0].url;
    const orderId = /id=([^&]+)/.exec(url)![1]!;
    expect(w.server.calls.unifiedOrder).toHaveLength(1);
    expect((w.server.calls.unifiedOrder[0] as any).totalFee).toBe(quoted.total.fen);

    // 订单详情: opened as the redirect says; the payment callback has not come yet.
    const detail = w.mp.page('pages/order-detail/index');
    const before = w.client.actions().length;
    await detail.instance.onLoad({ id: orderId });
    await until(() => w.hub.delivered() >= 1);
    expect(text(detail.querySelector('.status-label'))).toBe('待付款');
    // Exactly the buttons the function's view lists.
    const shownBefore = detail.querySelectorAll('.order-action').map(text);
    expect(shownBefore).toEqual(detail.instance.data.order.actions.map((a: { label: string }) => a.label));
    expect(shownBefore).toEqual(expect.arrayContaining(['取消订单', '去支付']));
    expect(w.hub.open()).toBe(1);
    expect(w.hub.errors()).toEqual([]);
    // The rule refuses what the page must not do: `doc(id).watch()` carries no customerId.
    const refused: unknown[] = [];
    w.hub.miniProgramDatabase(SHOPPER).collection('orders').doc(orderId).watch({ onChange: () => undefined, onError: (e: unknown) => refused.push(e) });
    await until(() => refused.length > 0);
    expect(refused[0]).toMatchObject({ errCode: -502003 });
    // And another shopper's query on this order sees nothing.
    expect((await w.hub.miniProgramDatabase('oSomeoneElse').collection('orders').where({ _id: orderId, customerId: '{openid}' }).get()).data).toEqual([]);
    // The init snapshot names the version on screen: no second fetch.
    await settle(5);
    expect(w.client.actions().slice(before)).toEqual(['get']);

    // WeChat Pay calls payCallback; the order document changes; the watcher pushes it.
    expect(await w.wechatPayConfirms()).toEqual({ errcode: 0, errmsg: 'OK' });
    await until(() => text(detail.querySelector('.status-label')) === '待发货');
    expect(text(detail.querySelector('.status-label'))).toBe('待发货');
    const shownAfter = detail.querySelectorAll('.order-action').map(text);
    expect(shownAfter).toEqual(detail.instance.data.order.actions.map((a: { label: string }) => a.label));
    expect(shownAfter).toContain('申请售后');
    expect(shownAfter).not.toContain('去支付');
    expect(detail.querySelector('.countdown')).toBeUndefined();
    expect(text(detail.querySelector('.meta'))).toContain('付款时间');
    // Only the watcher asked again: no pull-down, no onShow, no timer.
    expect(w.client.actions().slice(before)).toEqual(['get', 'get']);
    expect(w.client.wx.stopPullDownRefresh).not.toHaveBeenCalled();

    // Leaving the page closes the watcher: later changes reach nobody.
    detail.instance.onUnload();
    expect(w.hub.open()).toBe(0);
    const delivered = w.hub.delivered();
    w.server.as({ OPENID: SHOPPER });
    const after = await w.client.wx.cloud.callFunction({ name: 'order', data: { action: 'cancel', orderId } });
    expect(after.result.ok).toBe(true);
    await settle(20);
    expect(w.hub.delivered()).toBe(delivered);
    checkout.instance.onUnload?.();
  });

  it('someone else changed the order: the page shows the function’s typed error in Chinese and the state as it is', async () => {
    const w = world();
    w.client.wx.cloud.callFunction.mockClear();
    const placed = await w.client.wx.cloud.callFunction({ name: 'order', data: { action: 'place', cart: [{ sku: 'TEA-100', quantity: 1 }], address: ADDRESS } });
    const orderId = placed.result.order.id;
    const detail = w.mp.page('pages/order-detail/index');
    await detail.instance.onLoad({ id: orderId });
    await until(() => w.hub.delivered() >= 1);
    // The shopper cancels on another phone; this page has not heard of it yet: close the watcher first.
    detail.instance.stopWatching();
    const elsewhere = await w.client.wx.cloud.callFunction({ name: 'order', data: { action: 'cancel', orderId } });
    expect(elsewhere.result.ok).toBe(true);
    expect(detail.querySelectorAll('.order-action').map(text)).toContain('取消订单');
    const tapped = detail.querySelectorAll('.order-action').find((n: any) => n.dom.getAttribute('data-key') === 'cancel');
    tapped.dispatchEvent('tap');
    await until(() => text(detail.querySelector('.status-label')) === '已关闭');
    const refused = await (w.client.wx.cloud.callFunction.mock.results.at(-2)!.value as Promise<any>);
    expect(refused.result.ok).toBe(false);
    expect(lastToast(w.client.wx)).toBe(refused.result.error.messages['zh-CN']);
    expect(/[\u4e00-\u9fa5]/.test(lastToast(w.client.wx) ?? '')).toBe(true);
    // Closed: nothing to do but 删除订单 (this demo's lifecycle adds it).
    expect(detail.querySelectorAll('.order-action').map(text)).toEqual(['删除订单']);
    detail.instance.onUnload();

    // 去支付 on an order cancelled elsewhere: the real function answers with no payment to make.
    const second = await w.client.wx.cloud.callFunction({ name: 'order', data: { action: 'place', cart: [{ sku: 'TEA-100', quantity: 2 }], address: ADDRESS } });
    const secondId = second.result.order.id;
    const page2 = w.mp.page('pages/order-detail/index');
    await page2.instance.onLoad({ id: secondId });
    await until(() => w.hub.delivered() >= 2);
    page2.instance.stopWatching();
    expect((await w.client.wx.cloud.callFunction({ name: 'order', data: { action: 'cancel', orderId: secondId } })).result.ok).toBe(true);
    const unifiedBefore = w.server.calls.unifiedOrder.length;
    page2.querySelectorAll('.order-action').find((n: any) => n.dom.getAttribute('data-key') === 'pay').dispatchEvent('tap');
    await until(() => text(page2.querySelector('.status-label')) === '已关闭');
    expect(lastToast(w.client.wx)).toBe('订单状态已变化，无需支付');
    expect(w.client.wx.requestPayment).not.toHaveBeenCalled();
    expect(w.server.calls.unifiedOrder.length).toBe(unifiedBefore);
    page2.instance.onUnload();
  });
});
