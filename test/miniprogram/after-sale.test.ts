// @vitest-environment jsdom
import { describe, expect, it } from 'vitest';
import { defaultPolicy, formatFen, refundQuote, type Order } from '../../src/index.js';
import { completed, customer, days, merchant, shipped, step } from '../view/fixtures.js';
import { createFakeOrderFunction } from './support/fake-order-function.js';
import { createMiniProgram, settle, tap, text } from './support/harness.js';
import { createWxStub, lastToast } from './support/wx-stub.js';

function open(order: Order, now = days(1.5)) {
  const fake = createFakeOrderFunction(now);
  fake.add(order);
  const stub = createWxStub(fake);
  const page = createMiniProgram(stub.wx).page('pages/after-sale/index');
  return { fake, stub, page, wx: stub.wx };
}

const plus = (page: any, i: number) => page.querySelectorAll('.step.plus')[i];

describe('pages/after-sale: the request form', () => {
  it('quotes the exact refund from the function after each choice, before submitting', async () => {
    const order = shipped();
    const { page, stub } = open(order);
    await page.instance.onLoad({ id: order.id });
    await settle();
    expect(page.querySelectorAll('.line').map(text)).toEqual([
      `有机燕麦片 1kg实付 ${formatFen(order.lines[0]!.payable)}，共 2 件，可申请 2 件−0+`,
      `纯牛奶 250ml实付 ${formatFen(order.lines[1]!.payable)}，共 6 件，可申请 6 件−0+`,
    ]);
    expect(page.querySelector('.quote-amount')).toBeUndefined();
    await tap(plus(page, 0));
    expect(stub.calls()[1]).toEqual({ action: 'refundQuote', orderId: order.id, kind: 'refund_only', items: [{ lineId: 'L1', quantity: 1 }] });
    const one = refundQuote(order, { kind: 'refund_only', items: [{ lineId: 'L1', quantity: 1 }] }, { now: days(1.5), policy: defaultPolicy });
    if (!one.ok) throw one.error;
    expect(text(page.querySelector('.quote-amount'))).toBe(formatFen(one.quote.amount));
    await tap(plus(page, 0));
    // Both units of the line: exactly what was paid for it.
    expect(text(page.querySelector('.quote-amount'))).toBe(formatFen(order.lines[0]!.payable));
    // A third unit does not exist: the stepper stops at the cap from the view and sends nothing.
    await tap(plus(page, 0));
    expect(stub.actions()).toEqual(['get', 'refundQuote', 'refundQuote']);
  });

  it('submits the request with the chosen lines, kind and reason, then goes to the order', async () => {
    const order = shipped();
    const { page, stub, wx, fake } = open(order);
    await page.instance.onLoad({ id: order.id });
    await settle();
    const kinds = page.querySelectorAll('.kind');
    expect(kinds.map(text)).toEqual(['仅退款', '退货退款']);
    await tap(kinds.find((n: any) => n.dom.getAttribute('data-kind') === 'return_and_refund'));
    expect(page.instance.data.kind).toBe('return_and_refund');
    await tap(plus(page, 1));
    await tap(page.querySelector('.submit'));
    expect(lastToast(wx)).toBe('请选择售后原因');
    page.instance.onReason({ detail: { value: '1' } });
    page.instance.onDetailInput({ detail: { value: '盒子压坏了' } });
    await tap(page.querySelector('.submit'));
    expect(stub.calls().pop()).toEqual({
      action: 'requestAfterSale',
      orderId: order.id,
      kind: 'return_and_refund',
      items: [{ lineId: 'L2', quantity: 1 }],
      reason: '商品质量问题：盒子压坏了',
    });
    const saved = fake.orders.get(order.id)!;
    expect(saved.afterSales).toHaveLength(1);
    expect(saved.afterSales[0]).toMatchObject({ kind: 'return_and_refund', reason: '商品质量问题：盒子压坏了' });
    expect(wx.redirectTo).toHaveBeenCalledWith({ url: `/pages/order-detail/index?id=${order.id}` });
  });

  it('a request outside the after-sale window: the typed message shows inline and nothing is submitted', async () => {
    const order = completed();
    const { page, stub, wx, fake } = open(order, days(10));
    await page.instance.onLoad({ id: order.id });
    await settle();
    await tap(plus(page, 0));
    const reply = await (stub.wx.cloud.callFunction.mock.results[1].value as Promise<any>);
    expect(reply.result).toMatchObject({ ok: false, error: { code: 'WINDOW_CLOSED' } });
    expect(text(page.querySelector('.quote-error'))).toBe(reply.result.error.messages['zh-CN']);
    expect(page.querySelector('.quote-amount')).toBeUndefined();
    page.instance.onReason({ detail: { value: '0' } });
    await tap(page.querySelector('.submit'));
    expect(lastToast(wx)).toBe(reply.result.error.messages['zh-CN']);
    expect(stub.actions()).toEqual(['get', 'refundQuote']);
    expect(fake.orders.get(order.id)).toBe(order);
  });
});

describe('pages/after-sale: the return form', () => {
  function approvedReturn(): Order {
    let order = shipped();
    order = step(order, { type: 'REQUEST_AFTER_SALE', kind: 'return_and_refund', items: [{ lineId: 'L1', quantity: 2 }], reason: '尺码不合适' }, customer, days(1.2));
    return step(order, { type: 'APPROVE_AFTER_SALE', afterSaleId: order.afterSales[0]!.id }, merchant, days(1.3));
  }

  it('sends the return tracking number for an approved return', async () => {
    const order = approvedReturn();
    const asId = order.afterSales[0]!.id;
    const { page, stub, wx, fake } = open(order);
    await page.instance.onLoad({ id: order.id, afterSaleId: asId });
    await settle();
    expect(text(page.querySelector('.return-form'))).toContain(formatFen(order.afterSales[0]!.amount));
    await tap(page.querySelector('.submit-return'));
    expect(lastToast(wx)).toBe('请填写快递公司和运单号');
    page.instance.onCompanyInput({ detail: { value: ' 中通快递 ' } });
    page.instance.onTrackingInput({ detail: { value: 'ZT7788' } });
    await tap(page.querySelector('.submit-return'));
    expect(stub.calls().pop()).toEqual({ action: 'returnShipped', orderId: order.id, afterSaleId: asId, trackingNo: 'ZT7788', expressCompany: '中通快递' });
    expect(fake.orders.get(order.id)!.afterSales[0]!.returnShipment).toMatchObject({ trackingNo: 'ZT7788', expressCompany: '中通快递' });
    expect(wx.redirectTo).toHaveBeenCalled();
  });

  it('a return already sent (changed on another device) shows where it stands and no form', async () => {
    let order = approvedReturn();
    const asId = order.afterSales[0]!.id;
    order = step(order, { type: 'RETURN_SHIPPED', afterSaleId: asId, trackingNo: 'A1', expressCompany: '顺丰' }, customer, days(1.4));
    const { page } = open(order);
    await page.instance.onLoad({ id: order.id, afterSaleId: asId });
    await settle();
    expect(page.querySelector('.return-form')).toBeUndefined();
    expect(text(page.querySelector('.return-closed'))).toContain('该售后当前无需填写退货信息');
  });

  it('a stale form: the function refuses, the page says why and reloads', async () => {
    const order = approvedReturn();
    const asId = order.afterSales[0]!.id;
    const { page, stub, wx, fake } = open(order);
    await page.instance.onLoad({ id: order.id, afterSaleId: asId });
    await settle();
    fake.replace(step(order, { type: 'CANCEL_AFTER_SALE', afterSaleId: asId }, customer, days(1.4)));
    page.instance.onCompanyInput({ detail: { value: '中通' } });
    page.instance.onTrackingInput({ detail: { value: 'ZT1' } });
    await tap(page.querySelector('.submit-return'));
    const reply = await (stub.wx.cloud.callFunction.mock.results[1].value as Promise<any>);
    expect(reply.result.ok).toBe(false);
    expect(lastToast(wx)).toBe(reply.result.error.messages['zh-CN']);
    expect(wx.redirectTo).not.toHaveBeenCalled();
  });
});
