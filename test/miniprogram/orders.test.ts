// @vitest-environment jsdom
import { describe, expect, it } from 'vitest';
import type { Order } from '../../src/index.js';
import { cancelled, completed, customer, days, minutes, paid, placed, shipped, step } from '../view/fixtures.js';
import { createFakeOrderFunction } from './support/fake-order-function.js';
import { byKey, createMiniProgram, settle, tap, text } from './support/harness.js';
import { createWxStub, lastToast } from './support/wx-stub.js';

/** n orders placed a minute apart (newest last), a mix of statuses. */
function orders(n: number): Order[] {
  const out: Order[] = [];
  for (let i = 0; i < n; i++) {
    const at = minutes(i);
    const o = placed({ now: at, id: `o-${String(i).padStart(3, '0')}` });
    if (i % 4 === 1) out.push(paid(o, minutes(i + 1)));
    else if (i % 4 === 2) out.push(shipped(paid(o, minutes(i + 1)), days(1)));
    else if (i % 4 === 3) out.push(completed(shipped(paid(o, minutes(i + 1)), days(1)), days(2)));
    else out.push(o);
  }
  return out;
}

function open(list: Order[], now = days(3)) {
  const fake = createFakeOrderFunction(now);
  for (const o of list) fake.add(o);
  const stub = createWxStub(fake);
  const mp = createMiniProgram(stub.wx);
  const page = mp.page('pages/orders/index');
  return { fake, stub, page, wx: stub.wx };
}

const cards = (page: any) => page.querySelectorAll('.order-card');
const cardNumbers = (page: any) => cards(page).map((c: any) => text(c.querySelector('.number')).replace('订单号 ', ''));

describe('pages/orders', () => {
  it('loads the first page of 全部 with the tab counts from the function', async () => {
    const list = orders(45);
    const { page, stub } = open(list);
    await page.instance.onLoad({});
    await settle();
    expect(stub.calls()).toEqual([{ action: 'list', tab: 'all', cursor: null, limit: 20 }]);
    expect(page.querySelectorAll('.tab-label').map(text)).toEqual(['全部', '待付款', '待发货', '待收货', '已完成', '售后']);
    // Counts shown on every tab but 全部 (only when non-zero).
    expect(page.querySelectorAll('.tab-count').map(text)).toEqual(['12', '11', '11', '11']);
    expect(cards(page)).toHaveLength(20);
    // Newest first.
    expect(cardNumbers(page)[0]).toBe(list[44]!.number);
    expect(text(page.querySelector('.tab.active'))).toContain('全部');
  });

  it('loads 20 more at the bottom, and stops at the end', async () => {
    const list = orders(45);
    const { page, stub } = open(list);
    await page.instance.onLoad({});
    await settle();
    await page.instance.onReachBottom();
    await settle();
    expect(stub.calls()[1]).toEqual({ action: 'list', tab: 'all', cursor: '20', limit: 20 });
    expect(cards(page)).toHaveLength(40);
    await page.instance.onReachBottom();
    await settle();
    expect(cards(page)).toHaveLength(45);
    expect(page.instance.data.finished).toBe(true);
    expect(text(page.querySelector('.footer-note'))).toBe('没有更多了');
    await page.instance.onReachBottom();
    await settle();
    expect(stub.calls()).toHaveLength(3);
    expect(new Set(cardNumbers(page)).size).toBe(45);
  });

  it('a tab shows only its orders; switching resets paging', async () => {
    const list = orders(45);
    const { page, stub } = open(list);
    await page.instance.onLoad({});
    await settle();
    await tap(byKey(page.querySelectorAll('.tab'), 'to_receive')[0]);
    expect(stub.calls()[1]).toEqual({ action: 'list', tab: 'to_receive', cursor: null, limit: 20 });
    expect(cards(page)).toHaveLength(11);
    for (const c of cards(page)) expect(text(c.querySelector('.status'))).toBe('待收货');
    expect(text(page.querySelector('.tab.active'))).toContain('待收货');
    await tap(byKey(page.querySelectorAll('.tab'), 'pending_payment')[0]);
    // The pending orders were placed up to 44 minutes before "now": pay-by passed for most of them.
    expect(cards(page)).toHaveLength(12);
    for (const c of cards(page)) expect(text(c.querySelector('.status'))).toBe('待付款');
  });

  it('opens a tab from the query and shows an empty state', async () => {
    const { page } = open([placed()]);
    await page.instance.onLoad({ tab: 'after_sale' });
    await settle();
    expect(cards(page)).toHaveLength(0);
    expect(text(page.querySelector('.empty'))).toBe('暂无订单');
  });

  it('pull-down refresh reloads the first page and the counts, then stops the animation', async () => {
    const list = orders(3);
    const { page, stub, fake, wx } = open(list);
    await page.instance.onLoad({});
    await settle();
    fake.add(placed({ now: days(2.9), id: 'o-new' }));
    await page.instance.onPullDownRefresh();
    await settle();
    expect(stub.calls()[1]).toEqual({ action: 'list', tab: 'all', cursor: null, limit: 20 });
    expect(cards(page)).toHaveLength(4);
    expect(wx.stopPullDownRefresh).toHaveBeenCalledTimes(1);
  });

  it('tapping a card opens its detail page; its buttons run the action and refresh the list', async () => {
    const order = placed({ now: days(3) });
    const { page, stub, wx, fake } = open([order], days(3));
    await page.instance.onLoad({});
    await settle();
    await tap(cards(page)[0].querySelector('.title'));
    expect(wx.navigateTo).toHaveBeenCalledWith({ url: `/pages/order-detail/index?id=${order.id}` });
    await tap(byKey(cards(page)[0].querySelectorAll('.action'), 'cancel')[0]);
    expect(stub.actions()).toEqual(['list', 'cancel', 'list']);
    expect(fake.orders.get(order.id)!.status).toBe('closed');
    expect(text(cards(page)[0].querySelector('.status'))).toBe('已关闭');
    expect(lastToast(wx)).toBe('订单已取消');
  });

  it('a network error shows a message and keeps what was loaded', async () => {
    const { page, wx } = open(orders(25));
    await page.instance.onLoad({});
    await settle();
    wx.cloud.callFunction.mockRejectedValueOnce(new Error('network'));
    await page.instance.onReachBottom();
    await settle();
    expect(cards(page)).toHaveLength(20);
    expect(lastToast(wx)).toBe('网络开小差了，请稍后再试');
    expect(page.instance.data.loading).toBe(false);
  });

  it('an after-sale shows under 售后 with its flag', async () => {
    const withAs = step(paid(), { type: 'REQUEST_AFTER_SALE', kind: 'refund_only', reason: '不想要了' }, customer, minutes(30));
    const { page } = open([withAs, cancelled()], minutes(40));
    await page.instance.onLoad({ tab: 'after_sale' });
    await settle();
    expect(cards(page)).toHaveLength(1);
    expect(text(cards(page)[0].querySelector('.after-sale-flag'))).toBe('售后处理中');
  });
});
