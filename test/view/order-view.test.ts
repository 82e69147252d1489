import { describe, expect, it } from 'vitest';
import {
  ACTIONS,
  createLifecycle,
  formatFen,
  orderListItemView,
  orderView,
  transition,
  type Actor,
  type CommandType,
  type Order,
  type ViewLifecycle,
} from '../../src/index.js';
import {
  CUSTOMER,
  T0,
  cancelled,
  completed,
  customer,
  days,
  merchant,
  minutes,
  paid,
  placed,
  sampleCart,
  shipped,
  step,
  system,
} from './fixtures.js';

const keys = (order: Order, actor: Actor, now: Date) => orderView(order, { actor, now }).actions.map((a) => a.key);

describe('orderView: buttons for each status', () => {
  it('an unpaid order offers 修改地址, 取消订单 and 去支付 to its owner, with the pay-by countdown', () => {
    const order = placed();
    const view = orderView(order, { actor: customer, now: minutes(10) });
    expect(view.status).toBe('pending_payment');
    expect(view.statusLabel).toBe('待付款');
    expect(view.actions.map((a) => [a.key, a.label, a.primary])).toEqual([
      ['changeAddress', '修改地址', false],
      ['cancel', '取消订单', false],
      ['pay', '去支付', true],
    ]);
    expect(view.countdown).toEqual({
      kind: 'payBy',
      label: '剩余支付时间',
      at: order.deadlines.payBy,
      atText: '2026-11-25 12:30',
      remainingMs: 20 * 60_000,
      deadlineText: '请于今天 12:30前付款',
    });
  });

  it('hides 去支付 once pay-by has passed, even before the sweeper closed the order', () => {
    const order = placed();
    const at = new Date(Date.parse(order.deadlines.payBy!));
    expect(keys(order, customer, new Date(at.getTime() - 1))).toContain('pay');
    expect(keys(order, customer, at)).not.toContain('pay');
    expect(orderView(order, { actor: customer, now: days(1) }).countdown?.remainingMs).toBe(0);
  });

  it('never shows 去支付 to anyone but the owner', () => {
    const order = placed();
    expect(keys(order, merchant, minutes(1))).not.toContain('pay');
    expect(keys(order, { type: 'customer', id: 'someone-else' }, minutes(1))).toEqual([]);
  });

  it('paid: the customer may cancel or ask for after-sales, the merchant ships', () => {
    const order = paid();
    const view = orderView(order, { actor: customer, now: minutes(20) });
    expect(view.statusLabel).toBe('待发货');
    expect(view.actions.map((a) => a.key)).toEqual(['changeAddress', 'cancel', 'requestAfterSale']);
    expect(view.countdown).toBeNull();
    expect(view.paid).toEqual({ fen: order.pricing.total, text: formatFen(order.pricing.total) });
    expect(view.paidAtText).toBe('2026-11-25 12:05');
    const shop = keys(order, merchant, minutes(20));
    expect(shop[shop.length - 1]).toBe('ship');
    expect(shop).not.toContain('pay');
  });

  it('shipped: 查看物流, 申请售后, 确认收货 and the auto-confirm countdown', () => {
    const order = shipped();
    const view = orderView(order, { actor: customer, now: days(1.5) });
    expect(view.statusLabel).toBe('待收货');
    expect(view.actions.map((a) => a.label)).toEqual(['查看物流', '申请售后', '换货', '确认收货']);
    expect(view.countdown?.kind).toBe('autoConfirmAt');
    expect(view.countdown?.remainingMs).toBe(Date.parse(order.deadlines.autoConfirmAt!) - days(1.5).getTime());
    expect(view.shipments).toHaveLength(1);
    expect(view.shipments[0]).toMatchObject({ logisticsLabel: '快递', trackingNo: 'SF1234567890', expressCompany: '顺丰速运' });
    expect(view.shipments[0]!.items.map((i) => [i.title, i.quantity])).toEqual([
      ['有机燕麦片 1kg', 2],
      ['纯牛奶 250ml', 6],
    ]);
    expect(view.lines.map((l) => l.shippedQuantity)).toEqual([2, 6]);
  });

  it('completed and closed orders', () => {
    const done = orderView(completed(), { actor: customer, now: days(3) });
    expect(done.statusLabel).toBe('已完成');
    expect(done.actions.map((a) => a.key)).toEqual(['viewLogistics', 'requestAfterSale', 'requestExchange']);
    expect(done.countdown).toBeNull();
    expect(done.deadlines.afterSaleUntilText).toBeDefined();

    const closed = orderView(cancelled(), { actor: customer, now: minutes(4) });
    expect(closed.statusLabel).toBe('已关闭');
    expect(closed.closeReason).toBe('customer_cancelled');
    expect(closed.closeReasonLabel).toBe('买家取消');
    expect(closed.actions).toEqual([]);
  });

  it('speaks English when asked', () => {
    const view = orderView(placed(), { actor: customer, now: minutes(1), locale: 'en' });
    expect(view.statusLabel).toBe('Awaiting payment');
    expect(view.actions.map((a) => a.label)).toEqual(['Change address', 'Cancel order', 'Pay now']);
    expect(view.actions[2]!.labels).toEqual({ 'zh-CN': '去支付', en: 'Pay now' });
    expect(view.countdown?.label).toBe('Time left to pay');
  });
});

describe('orderView: lines, money and after-sales', () => {
  it('shows what was paid for each line and explains the receipt', () => {
    const order = placed();
    const view = orderView(order, { actor: customer, now: minutes(1) });
    expect(view.lines.map((l) => l.payable.fen)).toEqual(order.lines.map((l) => l.payable));
    expect(view.lines[0]!.allocations[0]).toMatchObject({ source: 'full_reduction', sourceLabel: '满减' });
    const p = view.pricing;
    expect(p.adjustments[0]).toMatchObject({ sourceLabel: '满减', reason: '满 ¥100 减 ¥10', signedText: '-¥10.00' });
    let adjustments = 0;
    for (const a of p.adjustments) adjustments += a.amount.fen;
    expect(p.itemsTotal.fen - adjustments + p.freightFee.fen).toBe(p.total.fen);
    expect(view.address?.text).toBe('广东省 深圳市 南山区 科技园路 1 号');
    expect(view.createdAtText).toBe('2026-11-25 12:00');
  });

  it('a waived freight fee is an adjustment and still adds up', () => {
    const cart = sampleCart({ lines: [{ id: 'L1', sku: 'OAT-1KG', title: '燕麦', listPrice: 30000, quantity: 1 }] });
    const view = orderView(placed({ cart }), { actor: customer, now: minutes(1) });
    const waiver = view.pricing.adjustments.find((a) => a.source === 'freight');
    expect(waiver).toMatchObject({ sourceLabel: '运费', reason: '满 ¥199 包邮', signedText: '-¥8.00' });
    expect(view.pricing.freight.fen).toBe(0);
    expect(view.pricing.freightFee.fen).toBe(800);
  });

  it('after-sales: 撤销申请 while requested, 填写退货单号 once a return is approved, refunds with labels', () => {
    let order = shipped();
    order = step(order, { type: 'REQUEST_AFTER_SALE', kind: 'return_and_refund', items: [{ lineId: 'L1', quantity: 1 }], reason: '商品质量问题' }, customer, days(1.2));
    const asId = order.afterSales[0]!.id;
    let view = orderView(order, { actor: customer, now: days(1.3) });
    expect(view.afterSales[0]).toMatchObject({ kindLabel: '退货退款', statusLabel: '待审核', reason: '商品质量问题' });
    expect(view.afterSales[0]!.items).toEqual([{ lineId: 'L1', title: '有机燕麦片 1kg', quantity: 1 }]);
    expect(view.afterSales[0]!.actions.map((a) => [a.key, a.afterSaleId])).toEqual([['cancelAfterSale', asId]]);
    // The shop reviews it (whether it may also withdraw a shopper's request is the lifecycle's call).
    const merchantKeys = orderView(order, { actor: merchant, now: days(1.3) }).afterSales[0]!.actions.map((a) => a.key);
    expect(merchantKeys.slice(-3)).toEqual(['rejectAfterSale', 'proposeRefund', 'approveAfterSale']);
    expect(merchantKeys).not.toContain('returnShipped');

    order = step(order, { type: 'APPROVE_AFTER_SALE', afterSaleId: asId }, merchant, days(1.4));
    view = orderView(order, { actor: customer, now: days(1.5) });
    expect(view.afterSales[0]!.actions.map((a) => a.key)).toContain('returnShipped');
    // Per-after-sale buttons never show up among the order's own buttons.
    expect(view.actions.every((a) => a.afterSaleId === undefined)).toBe(true);

    order = step(order, { type: 'RETURN_SHIPPED', afterSaleId: asId, trackingNo: 'YT0001', expressCompany: '圆通' }, customer, days(1.6));
    order = step(order, { type: 'RETURN_RECEIVED', afterSaleId: asId }, merchant, days(2));
    view = orderView(order, { actor: customer, now: days(2) });
    expect(view.afterSales[0]!.returnShipment).toMatchObject({ trackingNo: 'YT0001', expressCompany: '圆通' });
    expect(view.refunds).toHaveLength(1);
    expect(view.refunds[0]).toMatchObject({ statusLabel: '退款处理中', reasonLabel: '售后退款', afterSaleId: asId });
    expect(view.refunds[0]!.amount.fen).toBe(order.afterSales[0]!.amount);

    order = step(order, { type: 'REFUND_SUCCEEDED', refundId: order.refunds[0]!.id }, system, days(2.1));
    view = orderView(order, { actor: customer, now: days(2.2) });
    expect(view.refunds[0]!.statusLabel).toBe('退款成功');
    expect(view.refunded.fen).toBe(order.refunds[0]!.amount);
    expect(view.lines[0]!.refundedQuantity).toBe(1);
    expect(view.lines[0]!.refundableQuantity).toBe(1);
  });
});

describe('orderView: the lifecycle is pluggable', () => {
  it('buttons follow the lifecycle it is given (an extended chart)', () => {
    const order = paid();
    const calls: Array<[string, Actor]> = [];
    const lifecycle: ViewLifecycle = {
      allowedActions: (o, actor) => {
        calls.push([o.id, actor]);
        return actor.type === 'customer' ? (['CONFIRM_RECEIPT'] as CommandType[]) : [];
      },
      transition,
    };
    const view = orderView(order, { actor: customer, now: minutes(30), lifecycle });
    expect(view.actions.map((a) => a.key)).toEqual(['confirmReceipt']);
    expect(calls.some(([, a]) => a.type === 'customer' && a.id === CUSTOMER)).toBe(true);
  });

  it('every command button of the table maps to a command and every after-sale button needs an id', () => {
    for (const def of ACTIONS) {
      if (def.key === 'viewLogistics') expect(def.command).toBeNull();
      else expect(def.command).not.toBeNull();
      expect(def.label['zh-CN'].length).toBeGreaterThan(0);
      expect(def.label.en.length).toBeGreaterThan(0);
    }
    expect(new Set(ACTIONS.map((a) => a.key)).size).toBe(ACTIONS.length);
    expect(T0.toISOString()).toBe('2026-11-25T04:00:00.000Z');
  });
});

describe('orderView: an extended chart (到店自提) brings its own statuses and buttons', () => {
  it('labels a status orderkit does not know and shows a button for the chart’s own command', () => {
    // Type check: any lifecycle createLifecycle() compiles can drive a view.
    const compiled: ViewLifecycle = createLifecycle();
    expect(typeof compiled.allowedActions).toBe('function');
    const order = { ...paid(), status: 'ready_for_pickup' } as unknown as Order;
    const lifecycle: ViewLifecycle = {
      allowedActions: (o, actor) => ((o.status as string) === 'ready_for_pickup' && actor.type === 'customer' ? ['PICKED_UP'] : []),
      transition: () => ({ ok: false }),
    };
    const actions = [...ACTIONS, { key: 'pickedUp', command: 'PICKED_UP', label: { 'zh-CN': '确认取货', en: 'Picked up' }, primary: true, perAfterSale: false }];
    const statusLabels = { ready_for_pickup: { 'zh-CN': '待自提', en: 'Ready for pickup' } };
    const view = orderView(order, { actor: customer, now: days(1), lifecycle, actions, statusLabels });
    expect(view.statusLabel).toBe('待自提');
    expect(view.actions.map((a) => [a.key, a.command, a.label])).toEqual([['pickedUp', 'PICKED_UP', '确认取货']]);
    // Without the labels the status still renders (as itself) rather than breaking the page.
    expect(orderView(order, { actor: customer, now: days(1), lifecycle }).statusLabel).toBe('ready_for_pickup');
    expect(orderListItemView(order, { actor: customer, now: days(1), lifecycle, actions, statusLabels }).statusLabel).toBe('待自提');
  });
});

describe('orderView: 商家备注 are the shop\'s own', () => {
  it('staff see the notes; the shopper\'s view has none (before, the mini program\'s order page showed them to the shopper)', () => {
    const noted = step(paid(), { type: 'ADD_REMARK', text: '顾客难缠，电话 13800138000' }, merchant, minutes(5));
    expect(noted.merchantNotes).toHaveLength(1);
    expect(orderView(noted, { actor: merchant, now: minutes(6) }).merchantNotes.map((n) => n.text)).toEqual(['顾客难缠，电话 13800138000']);
    const shopper = orderView(noted, { actor: customer, now: minutes(6) });
    expect(shopper.merchantNotes).toEqual([]);
    expect(JSON.stringify(shopper)).not.toContain('顾客难缠');
  });
});
