// @vitest-environment jsdom
/**
 * Issue 24, "honest words": every page rendered in every status a stored order can be in (the
 * fixtures of the current stored-order version, test/fixtures/orders/v<N>/, which cover every
 * order status and every resting after-sale and refund state), and every text on the screen is
 * Chinese. What may carry Latin letters is named here, and is data, not words of the page: the
 * order number, SKUs, tracking numbers with their carrier, and product titles the shop typed.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ORDER_LIST_TABS, ORDER_SCHEMA_VERSION, ORDER_STATUSES, upgradeStoredOrder, type Order } from '../../src/index.js';
import { CUSTOMER, days } from '../view/fixtures.js';
import { createFakeOrderFunction } from './support/fake-order-function.js';
import { createMiniProgram, settle, text } from './support/harness.js';
import { openPage } from './support/shopper.js';
import { createWxStub } from './support/wx-stub.js';

const DIR = join(__dirname, `../fixtures/orders/v${ORDER_SCHEMA_VERSION}`);

function fixtures(): Array<{ scenario: string; order: Order; at: Date }> {
  return readdirSync(DIR)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => {
      const fx = JSON.parse(readFileSync(join(DIR, f), 'utf8'));
      const { doc } = upgradeStoredOrder('fx', JSON.parse(fx.memory.doc), { owned: true });
      const order = { ...(doc as Order), customerId: CUSTOMER, id: `fx-${fx.scenario}` };
      return { scenario: fx.scenario as string, order, at: new Date(Date.parse(fx.at) + 60_000) };
    });
}

/** The data an order carries that may be in Latin letters, longest first. */
function allowedData(order: Order): string[] {
  const out = [order.number];
  for (const l of order.lines) out.push(l.sku, l.title);
  for (const s of order.shipments) out.push(s.trackingNo ?? '', s.expressCompany ?? '');
  for (const a of order.afterSales) {
    if (a.returnShipment) out.push(a.returnShipment.trackingNo, a.returnShipment.expressCompany);
    for (const p of a.photos ?? []) out.push(p);
  }
  return out.filter((s) => s !== '').sort((a, b) => b.length - a.length);
}

/** The page's text with the allowed data taken out; what is left must hold no Latin letter. */
function wordsLeft(page: any, allowed: string[]): string {
  let t = String(page.dom.textContent ?? '');
  for (const a of allowed) t = t.split(a).join(' ');
  return t.replace(/\s+/g, ' ');
}

const LATIN = /[A-Za-z]+/g;

describe('every text on a zh-CN screen is Chinese (order numbers, SKUs, tracking numbers and product titles aside)', () => {
  const all = fixtures();

  it('the fixtures cover every order status', () => {
    expect(new Set(all.map((f) => f.order.status))).toEqual(new Set(ORDER_STATUSES));
  });

  // One page per kind, shown every fixture in turn (as pull-down or onShow would show a changed
  // order): the template is what is checked, and one render tree keeps the run short.
  it('订单详情 in every status, with its trace and in 支付确认中', async () => {
    const found: Record<string, string[]> = {};
    const fake = createFakeOrderFunction(days(0));
    for (const { order } of all) {
      fake.add(order);
      for (const s of order.shipments) if (s.trackingNo) fake.tracking.put(s.trackingNo, { state: 'in_transit', checkpoints: [{ at: order.updatedAt, text: '快件已到达【上海转运中心】' }] });
    }
    const mp = createMiniProgram(createWxStub(fake).wx);
    const page = await openPage(mp, 'pages/order-detail/index', { id: all[0]!.order.id });
    for (const { scenario, order, at } of all) {
      fake.now.value = at;
      page.instance.setData({ orderId: order.id, order: null, trace: null, traceError: '', confirming: false, confirmSlow: false });
      await page.instance.refresh();
      if (order.shipments.length > 0) await page.instance.loadTrace();
      await settle(2);
      expect(page.instance.data.order.id).toBe(order.id);
      expect(text(page.querySelector('.status-label'))).not.toBe('');
      const last = order.shipments[order.shipments.length - 1];
      if (last?.trackingNo) expect(page.querySelector('.trace-state')).toBeDefined();
      else if (last) expect(page.querySelector('.trace-error')).toBeDefined();
      const left = wordsLeft(page, allowedData(order)).match(LATIN);
      if (left) found[scenario] = left;
      if (order.status === 'pending_payment') {
        page.instance.setData({ confirming: true });
        await settle(2);
        const confirming = wordsLeft(page, allowedData(order)).match(LATIN);
        if (confirming) found[`${scenario} (支付确认中)`] = confirming;
      }
      page.instance.stopCountdown();
    }
    page.instance.onUnload();
    expect(found).toEqual({});
  });

  it('我的订单 with every status on one list, on every tab', async () => {
    const fake = createFakeOrderFunction(days(3));
    for (const { order } of all) fake.add(order);
    const mp = createMiniProgram(createWxStub(fake).wx);
    const page = await openPage(mp, 'pages/orders/index');
    const allowed = all.flatMap((f) => allowedData(f.order)).sort((a, b) => b.length - a.length);
    const found: Record<string, string[]> = {};
    for (const tab of ORDER_LIST_TABS.map((t) => t.key)) {
      await page.instance.onTabTap({ currentTarget: { dataset: { key: tab } } });
      await settle();
      const left = wordsLeft(page, allowed).match(LATIN);
      if (left) found[tab] = left;
    }
    expect(page.querySelectorAll('.order-card').length).toBeGreaterThan(0);
    expect(found).toEqual({});
  });

  it('申请售后 for every order, and the return form of every after-sale', async () => {
    const found: Record<string, string[]> = {};
    const fake = createFakeOrderFunction(days(0));
    for (const { order } of all) fake.add(order);
    const mp = createMiniProgram(createWxStub(fake).wx);
    const form = await openPage(mp, 'pages/after-sale/index', { id: all[0]!.order.id });
    for (const { scenario, order, at } of all) {
      fake.now.value = at;
      for (const afterSaleId of ['', ...order.afterSales.map((a) => a.id)]) {
        form.instance.setData({ orderId: order.id, afterSaleId, mode: afterSaleId ? 'return' : 'request', order: null, loading: true });
        await form.instance.load();
        await settle(2);
        expect(form.instance.data.order.id).toBe(order.id);
        expect(form.querySelector('.skeleton')).toBeUndefined();
        const left = wordsLeft(form, allowedData(order)).match(LATIN);
        if (left) found[`${scenario}${afterSaleId ? ` ${afterSaleId}` : ''}`] = left;
      }
    }
    expect(found).toEqual({});
  });

  it('确认订单 with its coupon picker open', async () => {
    const fake = createFakeOrderFunction(days(0));
    const mp = createMiniProgram(createWxStub(fake).wx, { globalData: { cart: [{ sku: 'OAT-1KG', quantity: 2 }, { sku: 'TEA-100', quantity: 2 }] } });
    const page = await openPage(mp, 'pages/checkout/index');
    await page.instance.onOpenCoupons();
    await settle();
    const left = wordsLeft(page, ['OAT-1KG', 'TEA-100', '有机燕麦片 1kg', '明前龙井 100g']).match(LATIN);
    expect(left).toBeNull();
  });
});
