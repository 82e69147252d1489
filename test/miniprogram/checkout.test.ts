// @vitest-environment jsdom
import { describe, expect, it } from 'vitest';
import { formatFen } from '../../src/index.js';
import { T0 } from '../view/fixtures.js';
import { createFakeOrderFunction } from './support/fake-order-function.js';
import { byKey, createMiniProgram, flat, settle, tap, text } from './support/harness.js';
import { createWxStub, lastToast } from './support/wx-stub.js';

const TEA_CART = [{ sku: 'TEA-100', quantity: 2 }];

function open(cart = TEA_CART) {
  const fake = createFakeOrderFunction(T0);
  const stub = createWxStub(fake);
  const mp = createMiniProgram(stub.wx, { globalData: { cart } });
  mp.require('config').subscribeTemplateIds = ['TPL_PAID', ''];
  const page = mp.page('pages/checkout/index');
  return { fake, stub, page, wx: stub.wx };
}

async function load(page: any, query: Record<string, string> = {}) {
  await page.instance.onLoad(query);
  await settle();
}

describe('pages/checkout', () => {
  it('prices the cart through the function with the best coupon preselected and every reason shown', async () => {
    const { page, stub } = open();
    await load(page);
    expect(stub.calls()).toEqual([{ action: 'quote', cart: TEA_CART, couponIds: null }]);
    // ¥600 of tea: 满100减10, the best coupon (满500减20) and free shipping.
    expect(page.querySelectorAll('.adjustment').map(flat)).toEqual([
      '满减满¥100减¥10-¥10.00',
      '优惠券优惠券「满500减20」：满¥500减¥20-¥20.00',
      '运费满¥199包邮-¥8.00',
    ]);
    expect(text(page.querySelector('.total'))).toBe(formatFen(60000 - 1000 - 2000));
    // Freight before the waiver, so the rows add up: 600 + 8 − 10 − 20 − 8 = 570.
    expect(flat(page.querySelector('.freight-row'))).toBe('运费+¥8.00');
    expect(text(page.querySelector('.selected-coupon'))).toBe('已选 1 张 ›');
    expect(page.querySelectorAll('.line-payable').map(text)).toEqual([formatFen(57000)]);
  });

  it('the coupon picker lists the wallet, marks the best, and re-prices with the chosen one', async () => {
    const { page, stub } = open();
    await load(page);
    await tap(page.querySelector('.coupon-row'));
    expect(page.querySelectorAll('.coupon').map(text)).toEqual(['满500减20最优', '店铺券 ¥5', '不使用优惠券']);
    await tap(page.querySelectorAll('.coupon')[1]);
    expect(stub.calls()[1]).toEqual({ action: 'quote', cart: TEA_CART, couponIds: ['w1'] });
    expect(text(page.querySelector('.total'))).toBe(formatFen(60000 - 1000 - 500));
    await tap(page.querySelector('.coupon-row'));
    await tap(page.querySelector('.coupon.none'));
    expect(stub.calls()[2]).toEqual({ action: 'quote', cart: TEA_CART, couponIds: [] });
    expect(text(page.querySelector('.total'))).toBe(formatFen(60000 - 1000));
    expect(text(page.querySelector('.selected-coupon'))).toBe('不使用 ›');
  });

  it('submit: subscriptions asked in the tap, then place (with an idempotency key), then pay, then the detail page', async () => {
    const { page, stub, wx, fake } = open();
    await load(page);
    await tap(page.querySelector('.address'));
    expect(text(page.querySelector('.address'))).toContain('张三');
    await tap(page.querySelector('.submit'));
    expect(wx.requestSubscribeMessage).toHaveBeenCalledTimes(1);
    expect(wx.requestSubscribeMessage.mock.calls[0][0].tmplIds).toEqual(['TPL_PAID']);
    const [, place, pay] = stub.calls();
    expect(place).toMatchObject({ action: 'place', cart: TEA_CART, couponIds: ['w2'], address: { name: '张三', province: '广东省', district: '南山区' } });
    expect(String(place!.idempotencyKey)).toMatch(/^checkout-/);
    const order = [...fake.orders.values()][0]!;
    expect(order.pricing.total).toBe(57000);
    expect(pay).toEqual({ action: 'pay', orderId: order.id });
    expect(wx.requestPayment).toHaveBeenCalledTimes(1);
    // Paid: the detail page opens in 支付确认中 (issue 24).
    expect(wx.redirectTo).toHaveBeenCalledWith({ url: `/pages/order-detail/index?id=${order.id}&paying=1` });
    expect(lastToast(wx)).toBe('支付成功');
  });

  it('a double tap places one order', async () => {
    const { page, stub } = open();
    await load(page);
    page.querySelector('.submit').dispatchEvent('tap');
    page.querySelector('.submit').dispatchEvent('tap');
    await settle();
    expect(stub.actions().filter((a) => a === 'place')).toHaveLength(1);
  });

  it('a cancelled payment still goes to the placed order (待付款, payable later) with a message', async () => {
    const { page, wx, fake } = open();
    await load(page);
    wx.requestPayment.mockImplementationOnce((o: any) => o.fail({ errMsg: 'requestPayment:fail cancel' }));
    await tap(page.querySelector('.submit'));
    const order = [...fake.orders.values()][0]!;
    expect(order.status).toBe('pending_payment');
    expect(lastToast(wx)).toBe('已取消支付，订单仍可在有效期内支付');
    expect(wx.redirectTo).toHaveBeenCalledWith({ url: `/pages/order-detail/index?id=${order.id}` });
  });

  it('a failed place stays on the page with the message, re-prices, and keeps the same idempotency key for the retry', async () => {
    const { page, stub, wx, fake } = open();
    await load(page);
    stub.handle(async (data) =>
      data.action === 'place'
        ? { ok: false, error: { code: 'COUPON_EXPIRED', messages: { 'zh-CN': '优惠券已过期，请重新选择', en: 'coupon expired' } } }
        : fake(data),
    );
    await tap(page.querySelector('.submit'));
    expect(lastToast(wx)).toBe('优惠券已过期，请重新选择');
    expect(text(page.querySelector('.notice.error'))).toBe('优惠券已过期，请重新选择');
    expect(stub.actions()).toEqual(['quote', 'place', 'quote']);
    expect(page.instance.data.submitting).toBe(false);
    wx.cloud.callFunction.mockRejectedValueOnce(new Error('network'));
    await tap(page.querySelector('.submit'));
    expect(lastToast(wx)).toBe('网络开小差了，请稍后再试');
    const keys = stub.calls().filter((c) => c.action === 'place').map((c) => c.idempotencyKey);
    expect(keys).toHaveLength(2);
    expect(keys[0]).toBe(keys[1]);
    expect(wx.requestPayment).not.toHaveBeenCalled();
    expect(fake.orders.size).toBe(0);
  });

  it('reads the cart from the query when given', async () => {
    const { page, stub } = open();
    await load(page, { cart: encodeURIComponent(JSON.stringify([{ sku: 'MILK-250', quantity: 3 }])) });
    expect(stub.calls()[0]).toEqual({ action: 'quote', cart: [{ sku: 'MILK-250', quantity: 3 }], couponIds: null });
    expect(byKey(page.querySelectorAll('.coupon-row'), 'x')).toEqual([]);
    // The ¥5 shop coupon is the best one here; no free shipping below ¥199.
    expect(text(page.querySelector('.total'))).toBe(formatFen(350 * 3 - 500 + 800));
  });
});
