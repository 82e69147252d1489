// @vitest-environment jsdom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { formatFen, orderView, transition, type Order } from '../../src/index.js';
import { customer, days, merchant, minutes, paid, placed, shipped, step, system } from '../view/fixtures.js';
import { createFakeOrderFunction } from './support/fake-order-function.js';
import { byKey, createMiniProgram, flat, settle, tap, text } from './support/harness.js';
import { createWxStub, lastToast } from './support/wx-stub.js';

const TEMPLATES = ['TPL_PAID', 'TPL_SHIPPED', 'TPL_REFUND'];

function open(order: Order, now: Date) {
  const fake = createFakeOrderFunction(now);
  fake.add(order);
  const stub = createWxStub(fake);
  const mp = createMiniProgram(stub.wx);
  mp.require('config').subscribeTemplateIds = TEMPLATES.slice();
  const page = mp.page('pages/order-detail/index');
  return { fake, stub, mp, page, wx: stub.wx };
}

async function load(page: any, id: string) {
  await page.instance.onLoad({ id });
  await settle();
}

const buttons = (page: any) => page.querySelectorAll('.order-action').map(text);
/** The buttons the function's view lists for the shopper at `now`: the page must show exactly these. */
const expected = (order: Order, now: Date) => orderView(order, { actor: customer, now }).actions.map((a) => a.label);

describe('pages/order-detail', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: minutes(1), toFake: ['setInterval', 'clearInterval', 'setTimeout', 'clearTimeout', 'Date'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('renders the view the function returns: status, what each line cost, receipt, buttons', async () => {
    const order = placed();
    const { page, stub } = open(order, minutes(1));
    await load(page, order.id);
    expect(stub.calls()[0]).toEqual({ action: 'get', orderId: order.id });
    expect(text(page.querySelector('.status-label'))).toBe('待付款');
    expect(page.querySelectorAll('.line-payable').map(text)).toEqual(order.lines.map((l) => formatFen(l.payable)));
    expect(page.querySelectorAll('.adjustment').map(flat)).toEqual(['满减满¥100减¥10-¥10.00']);
    // The receipt adds up on screen: goods + freight − discounts = total.
    expect(flat(page.querySelector('.freight-row'))).toBe(`运费+${formatFen(800)}`);
    expect(order.pricing.itemsTotal + 800 - 1000).toBe(order.pricing.total);
    expect(text(page.querySelector('.total'))).toContain(formatFen(order.pricing.total));
    expect(buttons(page)).toEqual(expected(order, minutes(1)));
    expect(buttons(page)).toEqual(expect.arrayContaining(['取消订单', '去支付']));
    expect(stub.watchers).toHaveLength(1);
    expect(stub.watchers[0]).toMatchObject({ collection: 'orders', docId: order.id, closed: false });
    // The query the `orders` security rule accepts: it names the owner (docs/wechat.md, "Live order pages").
    expect(stub.watchers[0]!.condition).toEqual({ _id: order.id, customerId: '{openid}' });
  });

  it('counts down to pay-by every second and, when it passes, asks the function again (no more 去支付)', async () => {
    const order = placed();
    const { page, stub, fake } = open(order, minutes(1));
    await load(page, order.id);
    expect(text(page.querySelector('.countdown-text'))).toBe('29:00');
    vi.advanceTimersByTime(1000);
    expect(text(page.querySelector('.countdown-text'))).toBe('28:59');
    vi.advanceTimersByTime(60_000);
    expect(text(page.querySelector('.countdown-text'))).toBe('27:59');
    fake.now.value = minutes(30);
    vi.advanceTimersByTime(28 * 60_000);
    await settle();
    expect(stub.actions()).toEqual(['get', 'get']);
    expect(buttons(page)).toEqual(expected(order, minutes(30)));
    expect(buttons(page)).not.toContain('去支付');
    expect(buttons(page)).toContain('取消订单');
    expect(vi.getTimerCount()).toBe(0);
  });

  it('去支付: asks for subscriptions first, then pays with the parameters from the function', async () => {
    const order = placed();
    const { page, stub, wx, fake } = open(order, minutes(1));
    await load(page, order.id);
    await tap(byKey(page.querySelectorAll('.order-action'), 'pay')[0]);
    expect(wx.requestSubscribeMessage).toHaveBeenCalledTimes(1);
    expect(wx.requestSubscribeMessage.mock.calls[0][0].tmplIds).toEqual(TEMPLATES);
    expect(stub.calls()[1]).toEqual({ action: 'pay', orderId: order.id });
    expect(wx.requestPayment).toHaveBeenCalledTimes(1);
    expect(wx.requestPayment.mock.calls[0][0]).toMatchObject({ timeStamp: '1764043200', nonceStr: 'n0nce', package: `prepay_id=wx${order.number}`, signType: 'RSA', paySign: 'c2lnbmF0dXJl' });
    expect(wx.requestSubscribeMessage.mock.invocationCallOrder[0]).toBeLessThan(wx.cloud.callFunction.mock.invocationCallOrder[1]);
    expect(lastToast(wx)).toBe('支付成功');
    // The order changes only when the payment callback arrives; the page re-reads it.
    expect(fake.orders.get(order.id)!.status).toBe('pending_payment');
  });

  it('a refused subscription does not stop the payment', async () => {
    const order = placed();
    const { page, wx } = open(order, minutes(1));
    wx.requestSubscribeMessage.mockImplementation((o: any) => o.fail({ errMsg: 'requestSubscribeMessage:fail user deny', errCode: 20004 }));
    await load(page, order.id);
    await tap(byKey(page.querySelectorAll('.order-action'), 'pay')[0]);
    expect(wx.requestPayment).toHaveBeenCalledTimes(1);
    expect(lastToast(wx)).toBe('支付成功');
  });

  it('a cancelled or failed payment leaves the order as it was, with a message in Chinese', async () => {
    const order = placed();
    const { page, wx, fake } = open(order, minutes(1));
    await load(page, order.id);
    wx.requestPayment.mockImplementationOnce((o: any) => o.fail({ errMsg: 'requestPayment:fail cancel' }));
    await tap(byKey(page.querySelectorAll('.order-action'), 'pay')[0]);
    expect(lastToast(wx)).toBe('已取消支付，订单仍可在有效期内支付');
    wx.requestPayment.mockImplementationOnce((o: any) => o.fail({ errMsg: 'requestPayment:fail (-1)' }));
    await tap(byKey(page.querySelectorAll('.order-action'), 'pay')[0]);
    expect(lastToast(wx)).toBe('支付未完成，请稍后在订单详情中重试');
    expect(fake.orders.get(order.id)).toBe(order);
    expect(text(page.querySelector('.status-label'))).toBe('待付款');
    expect(buttons(page)).toEqual(expected(order, minutes(1)));
    expect(page.instance.data.busy).toBe(false);
  });

  it('a network error from callFunction keeps the page and the order, and says so', async () => {
    const order = placed();
    const { page, wx, fake } = open(order, minutes(1));
    await load(page, order.id);
    wx.cloud.callFunction.mockRejectedValueOnce(new Error('cloud.callFunction:fail -404011 network error'));
    await tap(byKey(page.querySelectorAll('.order-action'), 'cancel')[0]);
    expect(wx.showModal).toHaveBeenCalledTimes(1);
    expect(lastToast(wx)).toBe('网络开小差了，请稍后再试');
    expect(fake.orders.get(order.id)).toBe(order);
    expect(text(page.querySelector('.status-label'))).toBe('待付款');
    expect(buttons(page)).toEqual(expected(order, minutes(1)));
  });

  it('an action the order no longer allows (changed elsewhere): the typed error is shown and the view reloaded', async () => {
    const order = placed();
    const { page, wx, fake, stub } = open(order, minutes(1));
    await load(page, order.id);
    // Meanwhile the sweeper expired it.
    const expired = step(order, { type: 'EXPIRE' }, system, minutes(31));
    fake.replace(expired);
    fake.now.value = minutes(32);
    await tap(byKey(page.querySelectorAll('.order-action'), 'cancel')[0]);
    const cancelReply = await (stub.wx.cloud.callFunction.mock.results[1].value as Promise<any>);
    expect(cancelReply.result.ok).toBe(false);
    expect(lastToast(wx)).toBe(cancelReply.result.error.messages['zh-CN']);
    expect(stub.actions()).toEqual(['get', 'cancel', 'get']);
    expect(text(page.querySelector('.status-label'))).toBe('已关闭');
    expect(text(page.querySelector('.close-reason'))).toBe('超时未支付');
    expect(buttons(page)).toEqual([]);
    expect(fake.orders.get(order.id)).toBe(expired);
  });

  it('去支付 on an order paid or closed meanwhile: no payment sheet, a message, the order as it is now', async () => {
    const order = placed();
    const { page, wx, fake, stub } = open(order, minutes(1));
    await load(page, order.id);
    fake.replace(paid(order, minutes(2)));
    await tap(byKey(page.querySelectorAll('.order-action'), 'pay')[0]);
    expect(wx.requestPayment).not.toHaveBeenCalled();
    expect(lastToast(wx)).toBe('订单状态已变化，无需支付');
    expect(stub.actions()).toEqual(['get', 'pay', 'get']);
    expect(text(page.querySelector('.status-label'))).toBe('待发货');
  });

  it('修改地址 opens the WeChat address picker and sends the chosen address in orderkit’s shape', async () => {
    const order = placed();
    const { page, wx, stub, fake } = open(order, minutes(1));
    await load(page, order.id);
    wx.chooseAddress.mockImplementationOnce((o: any) => o.success({ userName: '李四', telNumber: '13900005678', provinceName: '浙江省', cityName: '杭州市', countyName: '西湖区', detailInfo: '文三路 2 号', postalCode: '310000' }));
    await tap(byKey(page.querySelectorAll('.order-action'), 'changeAddress')[0]);
    expect(stub.calls()[1]).toEqual({
      action: 'changeAddress',
      orderId: order.id,
      address: { name: '李四', phone: '13900005678', province: '浙江省', city: '杭州市', district: '西湖区', detail: '文三路 2 号', postalCode: '310000' },
    });
    expect(fake.orders.get(order.id)!.address?.name).toBe('李四');
    expect(text(page.querySelector('.address'))).toContain('浙江省 杭州市 西湖区 文三路 2 号');
    // Closing the picker sends nothing.
    wx.chooseAddress.mockImplementationOnce((o: any) => o.fail({ errMsg: 'chooseAddress:fail cancel' }));
    await tap(byKey(page.querySelectorAll('.order-action'), 'changeAddress')[0]);
    expect(stub.actions()).toEqual(['get', 'changeAddress']);
  });

  it('cancel asks first; saying no sends nothing', async () => {
    const order = placed();
    const { page, wx, stub } = open(order, minutes(1));
    await load(page, order.id);
    wx.showModal.mockImplementationOnce((o: any) => o.success({ confirm: false, cancel: true }));
    await tap(byKey(page.querySelectorAll('.order-action'), 'cancel')[0]);
    expect(stub.actions()).toEqual(['get']);
    await tap(byKey(page.querySelectorAll('.order-action'), 'cancel')[0]);
    expect(stub.actions()).toEqual(['get', 'cancel']);
    expect(text(page.querySelector('.status-label'))).toBe('已关闭');
    expect(lastToast(wx)).toBe('订单已取消');
  });

  it('updates live: a change event on the watched document re-fetches the view', async () => {
    const order = placed();
    const { page, stub, fake } = open(order, minutes(1));
    await load(page, order.id);
    stub.watchers[0]!.onChange({ type: 'init', docs: [{ _id: order.id, version: order.version }], docChanges: [] });
    await settle();
    expect(stub.actions()).toEqual(['get']);
    const nowPaid = paid(order, minutes(2));
    fake.replace(nowPaid);
    stub.watchers[0]!.onChange({ docs: [{ _id: order.id, version: nowPaid.version }], docChanges: [{ dataType: 'update' }] });
    await settle();
    expect(stub.actions()).toEqual(['get', 'get']);
    expect(text(page.querySelector('.status-label'))).toBe('待发货');
    expect(buttons(page)).toEqual(expected(nowPaid, minutes(1)));
    expect(buttons(page)).toContain('申请售后');
    expect(buttons(page)).not.toContain('去支付');
    expect(page.querySelector('.countdown')).toBeUndefined();
  });

  it('closes the watcher and the timer on unload', async () => {
    const order = placed();
    const { page, stub } = open(order, minutes(1));
    await load(page, order.id);
    expect(vi.getTimerCount()).toBe(1);
    page.instance.onUnload();
    expect(stub.watchers[0]!.closed).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('shipped: 确认收货 and the auto-confirm countdown; 查看物流 shows the parcel’s trace', async () => {
    const order = shipped();
    const { page, wx, stub } = open(order, days(1.5));
    vi.setSystemTime(days(1.5));
    await load(page, order.id);
    expect(buttons(page)).toEqual(expected(order, days(1.5)));
    expect(buttons(page)).toEqual(['查看物流', '申请售后', '换货', '确认收货']);
    expect(text(page.querySelector('.countdown'))).toContain('距自动确认收货');
    expect(text(page.querySelector('.countdown-text'))).toMatch(/^6天 12:00:00$/);
    await tap(byKey(page.querySelectorAll('.order-action'), 'viewLogistics')[0]);
    expect(stub.calls()[1]).toEqual({ action: 'trace', orderId: order.id, shipmentId: order.shipments[0]!.id });
    expect(text(page.querySelector('.trace-state'))).toBe('运输中');
    expect(page.querySelectorAll('.checkpoint').map(text)[0]).toContain('快件已到达【深圳转运中心】');
    await tap(page.querySelector('.tracking-no'));
    expect(wx.setClipboardData).toHaveBeenCalledWith({ data: 'SF1234567890' });
    await tap(byKey(page.querySelectorAll('.order-action'), 'confirmReceipt')[0]);
    expect(stub.calls()[2]).toEqual({ action: 'confirmReceipt', orderId: order.id });
    expect(text(page.querySelector('.status-label'))).toBe('已完成');
  });

  it('申请售后 opens the after-sale page; an approved return shows 填写退货单号 on its after-sale', async () => {
    let order = shipped();
    order = step(order, { type: 'REQUEST_AFTER_SALE', kind: 'return_and_refund', items: [{ lineId: 'L1', quantity: 1 }], reason: '商品质量问题' }, customer, days(1.2));
    const asId = order.afterSales[0]!.id;
    order = step(order, { type: 'APPROVE_AFTER_SALE', afterSaleId: asId }, merchant, days(1.3));
    const { page, wx } = open(order, days(1.4));
    await load(page, order.id);
    expect(text(page.querySelector('.after-sale'))).toContain('退货退款');
    const ret = byKey(page.querySelectorAll('.after-sale-action'), 'returnShipped')[0];
    expect(text(ret)).toBe('填写退货单号');
    await tap(ret);
    expect(wx.navigateTo).toHaveBeenLastCalledWith({ url: `/pages/after-sale/index?id=${order.id}&afterSaleId=${asId}` });
    await tap(byKey(page.querySelectorAll('.order-action'), 'requestAfterSale')[0]);
    expect(wx.navigateTo).toHaveBeenLastCalledWith({ url: `/pages/after-sale/index?id=${order.id}` });
  });

  it('shows the order as it is for every status the library can reach', async () => {
    const sequence: Array<[Order, Date, string]> = [];
    let o = placed();
    sequence.push([o, minutes(1), '待付款']);
    o = paid(o);
    sequence.push([o, minutes(10), '待发货']);
    o = step(o, { type: 'SHIP', items: [{ lineId: 'L1', quantity: 1 }], trackingNo: 'SF1', expressCompany: '顺丰' }, merchant, days(1));
    sequence.push([o, days(1), '部分发货']);
    o = step(o, { type: 'SHIP', trackingNo: 'SF2', expressCompany: '顺丰' }, merchant, days(1.1));
    sequence.push([o, days(1.2), '待收货']);
    const r = transition(o, { type: 'DELIVER' }, { now: days(2), actor: merchant });
    expect(r.ok).toBe(true);
    if (r.ok) sequence.push([r.order, days(2), '已签收']);
    for (const [order, now, label] of sequence) {
      const { page } = open(order, now);
      await load(page, order.id);
      expect(text(page.querySelector('.status-label'))).toBe(label);
      expect(page.querySelectorAll('.shipment')).toHaveLength(order.shipments.length);
    }
  });
});
