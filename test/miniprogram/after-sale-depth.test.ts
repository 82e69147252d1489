// @vitest-environment jsdom
import { describe, expect, it } from 'vitest';
import { formatFen, orderView, type Order } from '../../src/index.js';
import { completed, customer, days, merchant, shipped, step } from '../view/fixtures.js';
import { createFakeOrderFunction } from './support/fake-order-function.js';
import { byKey, createMiniProgram, settle, tap, text } from './support/harness.js';
import { createWxStub, lastToast } from './support/wx-stub.js';

/**
 * The after-sales depth on the shopper's pages (docs/after-sales.md "Beyond a plain refund"): the
 * 换货 form, the answers to a 协商 offer, and what the detail shows of a return shipping fee, a
 * freight-only refund and an exchange. The merchant's side (proposing, 退运费, shipping the
 * replacement) is the Express example's (test/express/after-sale-depth.test.ts): the shopper's
 * view never offers those buttons.
 */
function open(order: Order, path: string, now = days(1.5)) {
  const fake = createFakeOrderFunction(now);
  fake.add(order);
  const stub = createWxStub(fake);
  const page = createMiniProgram(stub.wx).page(path);
  return { fake, stub, page, wx: stub.wx };
}
const plus = (page: any, i: number) => page.querySelectorAll('.step.plus')[i];

describe('pages/after-sale: the exchange form', () => {
  it('换货 from the detail opens the form; it takes shipped units and a reason, quotes nothing, and files an exchange that moves no money', async () => {
    const order = shipped();
    const detail = open(order, 'pages/order-detail/index');
    await detail.page.instance.onLoad({ id: order.id });
    await settle();
    // The shopper's view offers 换货; the page leads to the form, sending nothing.
    expect(orderView(order, { actor: customer, now: days(1.5) }).actions.map((a) => a.key)).toContain('requestExchange');
    await tap(byKey(detail.page.querySelectorAll('.order-action'), 'requestExchange')[0]);
    expect(detail.wx.navigateTo).toHaveBeenCalledWith({ url: `/pages/after-sale/index?id=${order.id}&mode=exchange` });
    expect(detail.stub.actions()).toEqual(['get']);

    const { page, stub, wx, fake } = open(order, 'pages/after-sale/index');
    await page.instance.onLoad({ id: order.id, mode: 'exchange' });
    await settle();
    expect(text(page.querySelector('.exchange-note'))).toContain('不涉及退款');
    expect(page.querySelectorAll('.line').map(text)).toEqual(order.lines.map((l) => `${l.title}共 ${l.quantity} 件，可换 ${l.quantity} 件−0+`));
    await tap(plus(page, 1));
    await tap(page.querySelector('.submit-exchange'));
    expect(lastToast(wx)).toBe('请选择换货原因');
    expect(stub.actions()).toEqual(['get']);
    page.instance.onReason({ detail: { value: '1' } });
    page.instance.onDetailInput({ detail: { value: '想换一盒新的' } });
    await tap(page.querySelector('.submit-exchange'));
    expect(stub.calls().pop()).toEqual({ action: 'requestExchange', orderId: order.id, items: [{ lineId: 'L2', quantity: 1 }], reason: '商品质量问题：想换一盒新的' });
    const saved = fake.orders.get(order.id)!;
    expect(saved.afterSales[0]).toMatchObject({ kind: 'exchange', amount: 0, items: [{ lineId: 'L2', quantity: 1 }] });
    expect(saved.refunds).toEqual([]);
    expect(wx.redirectTo).toHaveBeenCalledWith({ url: `/pages/order-detail/index?id=${order.id}` });
  });

  it('a refused exchange (the window closed) shows the typed message and leaves the order as it was', async () => {
    const order = completed();
    const { page, stub, wx, fake } = open(order, 'pages/after-sale/index', days(10));
    await page.instance.onLoad({ id: order.id, mode: 'exchange' });
    await settle();
    await tap(plus(page, 0));
    page.instance.onReason({ detail: { value: '0' } });
    await tap(page.querySelector('.submit-exchange'));
    const reply = await (stub.wx.cloud.callFunction.mock.results[1].value as Promise<any>);
    expect(reply.result).toMatchObject({ ok: false, error: { code: 'WINDOW_CLOSED' } });
    expect(lastToast(wx)).toBe(reply.result.error.messages['zh-CN']);
    expect(fake.orders.get(order.id)).toBe(order);
    expect(wx.redirectTo).not.toHaveBeenCalled();
  });
});

describe('pages/order-detail: 协商退款, 退运费, freight-only refund, exchange', () => {
  function offered(): Order {
    let order = shipped();
    order = step(order, { type: 'REQUEST_AFTER_SALE', kind: 'refund_only', items: [{ lineId: 'L1', quantity: 1 }], reason: '有瑕疵' }, customer, days(1.2));
    return step(order, { type: 'PROPOSE_REFUND', afterSaleId: order.afterSales[0]!.id, amount: 1000, note: '小瑕疵，退一部分' }, merchant, days(1.3));
  }

  it('shows the offer with accept and decline for the shopper only; accepting refunds the agreed amount', async () => {
    const order = offered();
    const { page, stub, fake } = open(order, 'pages/order-detail/index');
    await page.instance.onLoad({ id: order.id });
    await settle();
    const panel = page.querySelector('.after-sale');
    expect(text(panel)).toContain(`商家协商退款 ${formatFen(1000)}：小瑕疵，退一部分`);
    const actions = page.querySelectorAll('.after-sale-action');
    expect(actions.map((n: any) => n.dom.getAttribute('data-key'))).toEqual(expect.arrayContaining(['acceptRefundProposal', 'declineRefundProposal']));
    // The merchant's buttons never reach the shopper's page.
    expect(actions.map((n: any) => n.dom.getAttribute('data-key'))).not.toContain('proposeRefund');
    await tap(byKey(actions, 'acceptRefundProposal')[0]);
    expect(stub.calls().pop()).toEqual({ action: 'acceptRefundProposal', orderId: order.id, afterSaleId: order.afterSales[0]!.id });
    expect(fake.orders.get(order.id)!.refunds.map((r) => r.amount)).toEqual([1000]);
  });

  it('declining keeps the request under review and sends the answer', async () => {
    const order = offered();
    const { page, stub, fake } = open(order, 'pages/order-detail/index');
    await page.instance.onLoad({ id: order.id });
    await settle();
    await tap(byKey(page.querySelectorAll('.after-sale-action'), 'declineRefundProposal')[0]);
    expect(stub.calls().pop()).toEqual({ action: 'declineRefundProposal', orderId: order.id, afterSaleId: order.afterSales[0]!.id });
    const saved = fake.orders.get(order.id)!;
    expect(saved.afterSales[0]!.status).toBe('requested');
    expect(saved.afterSales[0]!.proposals!.map((p) => p.status)).toEqual(['declined']);
    expect(page.querySelectorAll('.after-sale-action').map((n: any) => n.dom.getAttribute('data-key'))).not.toContain('acceptRefundProposal');
  });

  it('shows a return shipping fee with its treatment, a freight-only refund, and an exchange with its replacement parcel', async () => {
    let order = shipped();
    order = step(order, { type: 'REQUEST_AFTER_SALE', kind: 'return_and_refund', items: [{ lineId: 'L1', quantity: 1 }], reason: '不要了' }, customer, days(1.1));
    const ret = order.afterSales[0]!.id;
    order = step(order, { type: 'APPROVE_AFTER_SALE', afterSaleId: ret }, merchant, days(1.15));
    order = step(order, { type: 'SET_RETURN_SHIPPING_FEE', afterSaleId: ret, fee: 600, treatment: 'deduct' }, merchant, days(1.16));
    order = step(order, { type: 'REQUEST_FREIGHT_REFUND', amount: 300, reason: '发货慢了' }, merchant, days(1.17));
    order = step(order, { type: 'REQUEST_EXCHANGE', items: [{ lineId: 'L2', quantity: 1 }], reason: '换新' }, customer, days(1.2));
    const ex = order.afterSales[2]!.id;
    order = step(order, { type: 'APPROVE_AFTER_SALE', afterSaleId: ex }, merchant, days(1.21));
    order = step(order, { type: 'RETURN_RECEIVED', afterSaleId: ex }, merchant, days(1.3));
    order = step(order, { type: 'SHIP_EXCHANGE', afterSaleId: ex, trackingNo: 'SF2', expressCompany: '顺丰' }, merchant, days(1.4));
    const { page } = open(order, 'pages/order-detail/index');
    await page.instance.onLoad({ id: order.id });
    await settle();
    expect(text(page.querySelector('.return-fee'))).toBe(`退货运费 ${formatFen(600)}：从退款中扣除`);
    expect(text(page.querySelector('.freight-only'))).toBe('仅退运费');
    expect(text(page.querySelector('.exchange'))).toBe('换货 1 项，换货商品已寄出：顺丰 SF2');
  });
});
