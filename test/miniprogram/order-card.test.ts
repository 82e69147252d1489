// @vitest-environment jsdom
import { describe, expect, it } from 'vitest';
import { formatFen, orderListItemView } from '../../src/index.js';
import { customer, days, minutes, placed, shipped } from '../view/fixtures.js';
import { byKey, createMiniProgram, settle, tap, text } from './support/harness.js';
import { createWxStub } from './support/wx-stub.js';

describe('components/order-card', () => {
  it('renders a list view of an order: status, title, count, total through money.wxs, buttons', async () => {
    const mp = createMiniProgram(createWxStub().wx);
    const order = placed();
    const view = orderListItemView(order, { actor: customer, now: minutes(1) });
    const card = mp.component('components/order-card/index', { order: view });
    await settle();
    expect(text(card.querySelector('.status'))).toBe('待付款');
    expect(text(card.querySelector('.title'))).toBe('有机燕麦片 1kg 等 2 件商品');
    expect(text(card.querySelector('.price'))).toBe(formatFen(order.pricing.total));
    expect(card.querySelectorAll('.action').map(text)).toEqual(view.actions.map((a) => a.label));
    expect(card.querySelectorAll('.action').map(text)).toContain('去支付');
    expect(card.querySelector('.action.primary').dom.getAttribute('data-key')).toBe('pay');
  });

  it('reports taps to the page: open and action with the order id and key', async () => {
    const mp = createMiniProgram(createWxStub().wx);
    const order = shipped();
    const card = mp.component('components/order-card/index', { order: orderListItemView(order, { actor: customer, now: days(1.5) }) });
    const events: Array<[string, unknown]> = [];
    card.addEventListener('open', (e: { detail: unknown }) => events.push(['open', e.detail]));
    card.addEventListener('action', (e: { detail: unknown }) => events.push(['action', e.detail]));
    await tap(byKey(card.querySelectorAll('.action'), 'confirmReceipt')[0]);
    await tap(card.querySelector('.title'));
    expect(events).toEqual([
      ['action', { orderId: order.id, key: 'confirmReceipt', command: 'CONFIRM_RECEIPT', label: '确认收货', afterSaleId: '' }],
      ['open', { orderId: order.id }],
    ]);
  });

  it('ignores taps on its buttons while busy', async () => {
    const mp = createMiniProgram(createWxStub().wx);
    const card = mp.component('components/order-card/index', { order: orderListItemView(placed(), { actor: customer, now: minutes(1) }), busy: true });
    let fired = 0;
    card.addEventListener('action', () => (fired += 1));
    await tap(card.querySelectorAll('.action')[0]);
    expect(fired).toBe(0);
    expect(card.querySelectorAll('.action.disabled').length).toBe(card.querySelectorAll('.action').length);
  });
});
