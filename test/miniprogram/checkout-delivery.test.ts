// @vitest-environment jsdom
import { describe, expect, it } from 'vitest';
import { formatFen, transition } from '../../src/index.js';
import { T0 } from '../view/fixtures.js';
import { createFakeOrderFunction } from './support/fake-order-function.js';
import { createMiniProgram, settle, tap, text } from './support/harness.js';
import { createWxStub } from './support/wx-stub.js';

/**
 * The checkout's delivery modes and the order detail's delivery panel (issue 21 item 5,
 * docs/delivery.md): the page sends the chosen mode with the quote and the placement, shows the
 * fee the function priced, and the detail page shows the pickup code, the store, the slot, the rider.
 */
const CART = [{ sku: 'OAT-1KG', quantity: 1 }];

function open() {
  const fake = createFakeOrderFunction(T0);
  const stub = createWxStub(fake);
  const mp = createMiniProgram(stub.wx, { globalData: { cart: CART } });
  mp.require('config').subscribeTemplateIds = [''];
  return { fake, stub, mp, page: mp.page('pages/checkout/index'), wx: stub.wx };
}

describe('pages/checkout: delivery modes', () => {
  it('express by default (no delivery sent); local sends the zone and slot and shows the zone fee; pickup costs nothing', async () => {
    const { page, stub } = open();
    await page.instance.onLoad({});
    await settle();
    expect(stub.calls()[0]).toEqual({ action: 'quote', cart: CART, couponIds: null });
    expect(page.querySelectorAll('.delivery-mode').map(text)).toEqual(['快递', '同城配送', '到店自提']);
    const express = text(page.querySelector('.total'));

    await tap(page.querySelectorAll('.delivery-mode')[1]);
    expect(stub.calls()[1]).toEqual({ action: 'quote', cart: CART, couponIds: null, delivery: { mode: 'local', zone: 'nanshan', slot: { start: '2026-11-25T18:00:00+08:00', end: '2026-11-25T19:00:00+08:00' } } });
    await tap(page.querySelectorAll('.zone')[1]);
    expect(stub.calls()[2]!['delivery']).toMatchObject({ zone: 'futian' });
    expect(text(page.querySelector('.freight-row'))).toContain('配送费');
    // ¥59.90 of oats less the best coupon (¥5 shop coupon): the express rule charges ¥8.00; 福田区 costs ¥9.00.
    expect(text(page.querySelector('.total'))).toBe(formatFen(5990 - 500 + 900));

    await tap(page.querySelectorAll('.delivery-mode')[2]);
    expect(stub.calls()[3]).toEqual({ action: 'quote', cart: CART, couponIds: null, delivery: { mode: 'pickup', storeId: 'sz-nanshan' } });
    expect(text(page.querySelector('.total'))).toBe(formatFen(5990 - 500));
    expect(express).toBe(formatFen(5990 - 500 + 800));
  });

  it('places a pickup order with its mode; the detail page shows the store and the code once paid', async () => {
    const { page, stub, fake, mp, wx } = open();
    await page.instance.onLoad({});
    await settle();
    await tap(page.querySelectorAll('.delivery-mode')[2]);
    await tap(page.querySelector('.submit'));
    const place = stub.calls().find((c) => c.action === 'place')!;
    expect(place['delivery']).toEqual({ mode: 'pickup', storeId: 'sz-nanshan' });
    const order = [...fake.orders.values()][0]!;
    expect(order.delivery).toMatchObject({ mode: 'pickup', store: { id: 'sz-nanshan' } });
    const paid = transition(order, { type: 'PAYMENT_SUCCEEDED', amount: order.pricing.total, transactionId: 'tx' }, { now: T0, actor: { type: 'payment', gateway: 'wechatpay' } });
    if (!paid.ok) throw paid.error;
    fake.replace(paid.order);
    expect(wx.redirectTo).toHaveBeenCalled();
    const detail = mp.page('pages/order-detail/index');
    await detail.instance.onLoad({ id: order.id });
    await settle();
    expect(text(detail.querySelector('.delivery-mode'))).toBe('到店自提');
    expect(text(detail.querySelector('.pickup-code .code'))).toBe('482913');
    expect(text(detail.querySelector('.store'))).toContain('南山门店');
  });
});
