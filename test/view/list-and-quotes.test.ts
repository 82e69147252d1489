import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ORDER_LIST_TABS,
  bestCoupons,
  countOrdersByTab,
  couponOptionsView,
  formatFen,
  orderListItemView,
  orderListTab,
  orderListTabsView,
  orderMatchesTab,
  priceCart,
  quoteView,
  refundQuote,
  refundQuoteView,
  defaultPolicy,
  type WalletCoupon,
} from '../../src/index.js';
import { T0, cancelled, completed, customer, days, minutes, paid, placed, quoteFor, rules, sampleCart, shipped, step } from './fixtures.js';

describe('order list', () => {
  it('has the six tabs of 我的订单 mapped to statuses', () => {
    expect(ORDER_LIST_TABS.map((t) => [t.key, t.label['zh-CN'], t.statuses])).toEqual([
      ['all', '全部', null],
      ['pending_payment', '待付款', ['pending_payment']],
      ['to_ship', '待发货', ['paid', 'partially_shipped']],
      ['to_receive', '待收货', ['shipped', 'delivered']],
      ['completed', '已完成', ['completed']],
      ['after_sale', '售后', null],
    ]);
    expect(orderListTab('nonsense').key).toBe('all');
  });

  it('puts each order under its tab and counts them', () => {
    const withAfterSale = step(paid(), { type: 'REQUEST_AFTER_SALE', kind: 'refund_only', reason: '不想要了' }, customer, minutes(30));
    const orders = [placed(), paid(), shipped(), completed(), cancelled(), withAfterSale];
    expect(orderMatchesTab(orders[0]!, 'pending_payment')).toBe(true);
    expect(orderMatchesTab(orders[1]!, 'to_ship')).toBe(true);
    expect(orderMatchesTab(orders[2]!, 'to_receive')).toBe(true);
    expect(orderMatchesTab(orders[3]!, 'completed')).toBe(true);
    expect(orderMatchesTab(orders[4]!, 'completed')).toBe(false);
    expect(orderMatchesTab(withAfterSale, 'after_sale')).toBe(true);
    const counts = countOrdersByTab(orders);
    expect(counts.all).toBe(6);
    expect(counts.after_sale).toBe(1);
    // Auto-approved before shipment, its refund still pending: the order waits under 待发货 and 售后.
    expect(withAfterSale.status).toBe('paid');
    expect(orderListItemView(withAfterSale, { actor: customer, now: minutes(31) }).afterSaleOpen).toBe(true);
    expect(orderListTabsView(counts).map((t) => `${t.label}${t.count}`)).toEqual(['全部6', '待付款1', '待发货2', '待收货1', '已完成1', '售后1']);
    expect(orderListTabsView({}, 'en')[0]).toEqual({ key: 'all', label: 'All', count: 0 });
  });

  it('a card: cover, title with the number of products, item count, total and buttons', () => {
    const order = placed();
    const card = orderListItemView(order, { actor: customer, now: minutes(1) });
    expect(card).toMatchObject({
      id: order.id,
      number: order.number,
      statusLabel: '待付款',
      title: '有机燕麦片 1kg 等 2 件商品',
      image: 'https://img.example/oat.png',
      lineCount: 2,
      itemCount: 8,
      total: { fen: order.pricing.total, text: formatFen(order.pricing.total) },
      createdAtText: '2026-11-25 12:00',
      afterSaleOpen: false,
    });
    expect(card.actions.map((a) => a.key)).toEqual(['changeAddress', 'cancel', 'pay']);
    expect(card.countdown?.remainingMs).toBe(29 * 60_000);
    const single = orderListItemView(placed({ cart: sampleCart({ lines: [{ id: 'L9', sku: 'TEA', title: '龙井', listPrice: 100, quantity: 3 }] }) }), { actor: customer, now: T0, locale: 'en' });
    expect(single.title).toBe('龙井');
    expect(orderListItemView(cancelled(), { actor: customer, now: days(1) }).closeReasonLabel).toBe('买家取消');
  });
});

describe('checkout quote and coupon picker', () => {
  const wallet: WalletCoupon[] = [
    { id: 'w1', definitionId: 'shop-5' },
    { id: 'w2', definitionId: 'big-20' },
  ];
  const bigCart = sampleCart({ lines: [{ id: 'L1', sku: 'OAT-1KG', title: '燕麦', listPrice: 30000, quantity: 2 }] });

  it('quoteView explains every number and adds up', () => {
    const v = quoteView(quoteFor(bigCart));
    expect(v.lines[0]).toMatchObject({ title: '燕麦', quantity: 2, unitPrice: { fen: 30000, text: '¥300.00' } });
    expect(v.adjustments.map((a) => `${a.sourceLabel} ${a.reason} ${a.signedText}`)).toEqual(['满减 满 ¥100 减 ¥10 -¥10.00', '运费 满 ¥199 包邮 -¥8.00']);
    let adj = 0;
    for (const a of v.adjustments) adj += a.amount.fen;
    expect(v.itemsTotal.fen - adj + v.freightFee.fen).toBe(v.total.fen);
    expect(v.needsPayment).toBe(true);
  });

  it('preselects the best coupon, keeps the others pickable or says why not', () => {
    const best = bestCoupons(bigCart, wallet, rules, { now: T0 });
    if (!best.ok) throw best.error;
    const options = couponOptionsView({ wallet, best, definitions: [{ id: 'shop-5', title: '店铺券 ¥5' }, { id: 'big-20', title: '满500减20' }] });
    expect(options.map((o) => [o.id, o.title, o.usable, o.best, o.selected])).toEqual([
      ['w2', '满500减20', true, true, true],
      ['w1', '店铺券 ¥5', true, false, false],
    ]);
    expect(options[0]!.saving).toEqual({ fen: 2000, text: '¥20.00' });
    expect(options[1]!.reason).toBe('不可与已选优惠券叠加使用');

    // The shopper picks the other coupon: the shown quote changes, the best mark does not.
    const shown = priceCart({ ...bigCart, coupons: [wallet[0]!] }, rules, { now: T0 });
    if (!shown.ok) throw shown.error;
    const picked = couponOptionsView({ wallet, best, shown: shown.quote });
    expect(picked.find((o) => o.selected)?.id).toBe('w1');
    expect(picked.find((o) => o.best)?.id).toBe('w2');
  });

  it('an unusable coupon sorts last with its reason', () => {
    const small = sampleCart();
    const best = bestCoupons(small, wallet, rules, { now: T0 });
    if (!best.ok) throw best.error;
    const options = couponOptionsView({ wallet, best });
    expect(options.map((o) => [o.id, o.usable])).toEqual([
      ['w1', true],
      ['w2', false],
    ]);
    expect(options[1]!.reason).toMatch(/差|满/);
    expect(options[1]!.title).toBe('优惠券 w2');
  });

  it('takes a coupon title in both languages, as the pricing rules may write it', () => {
    const best = bestCoupons(bigCart, wallet, rules, { now: T0 });
    if (!best.ok) throw best.error;
    const definitions = [{ id: 'big-20', title: { 'zh-CN': '满500减20', en: '20 off 500' } }];
    expect(couponOptionsView({ wallet, best, definitions })[0]!.title).toBe('满500减20');
    expect(couponOptionsView({ wallet, best, definitions, locale: 'en' })[0]!.title).toBe('20 off 500');
  });
});

describe('refundQuoteView', () => {
  it('shows the exact refund for a choice, line by line', () => {
    const order = shipped();
    const r = refundQuote(order, { kind: 'return_and_refund', items: [{ lineId: 'L1', quantity: 1 }] }, { now: days(1.5), policy: defaultPolicy });
    if (!r.ok) throw r.error;
    const v = refundQuoteView(r.quote);
    expect(v.kindLabel).toBe('退货退款');
    expect(v.amount).toEqual({ fen: r.quote.amount, text: formatFen(r.quote.amount) });
    expect(v.lines).toHaveLength(1);
    expect(v.lines[0]).toMatchObject({ lineId: 'L1', title: '有机燕麦片 1kg', quantity: 1 });
    expect(v.shippingAmount.fen).toBe(0);
    expect(v.shippingReason.length).toBeGreaterThan(0);
    expect(v.note).toContain(formatFen(r.quote.amount));
  });

  it('refunding every unit of a line returns exactly its payable, whatever the split', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 997 }), (qty, price) => {
        const order = shipped(paid(placed({ cart: sampleCart({ lines: [{ id: 'L1', sku: 'S', title: 'x', listPrice: price * 37, quantity: qty }] }) })));
        const r = refundQuote(order, { kind: 'refund_only', items: [{ lineId: 'L1', quantity: qty }] }, { now: days(1.5), policy: defaultPolicy });
        if (!r.ok) throw r.error;
        const v = refundQuoteView(r.quote);
        expect(v.lines[0]!.amount.fen).toBe(order.lines[0]!.payable);
        expect(v.amount.fen).toBe(v.itemsAmount.fen + v.shippingAmount.fen);
      }),
      { numRuns: 40 },
    );
  });
});
