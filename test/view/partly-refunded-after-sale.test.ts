import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { placeOrder, transition } from '../../src/lifecycle/index.js';
import type { Actor, Command, Order } from '../../src/order/index.js';
import { priceCart } from '../../src/pricing/index.js';
import { definePolicy } from '../../src/order/policy.js';
import { formatFen } from '../../src/money/index.js';
import { orderView } from '../../src/view/index.js';

/**
 * An after-sale part of whose refund was paid, then closed by the merchant's cancel of the order
 * (docs/after-sales.md "Closing with after-sales open"): on an order paid with the balance and
 * WeChat Pay the balance's share of its refund came back at once, WeChat Pay's failed, and the
 * cancel made it `cancelled` (its rest is in the full refund). Views said 已撤销 / Cancelled beside
 * its ¥30.00, hiding the ¥20.00 that did go back for it.
 */

const NOW = new Date('2026-11-25T04:00:00.000Z');
const shopper: Actor = { type: 'customer', id: 'u1' };
const shop: Actor = { type: 'merchant', id: 'staff-1' };
const wechat: Actor = { type: 'payment', gateway: 'wechatpay' };
const balance: Actor = { type: 'payment', gateway: 'balance' };
const policy = definePolicy({ autoApproveRefundBeforeShipment: false });

/** 2 × ¥30.00 of tea, ¥50.00 from the balance and ¥10.00 by WeChat Pay; one refunded (refund only). */
function refundOfOne(): { order: Order; must: (c: Command, a: Actor) => Order } {
  const priced = priceCart({ lines: [{ id: 'L1', sku: 'TEA', title: '茶', listPrice: 3000, quantity: 2 }] }, {}, { now: NOW });
  if (!priced.ok) throw priced.error;
  const placed = placeOrder({ id: 'o1', number: '20261125120000123456', customerId: 'u1', quote: priced.quote, payWith: { balance: 5000 } }, { now: NOW, policy });
  if (!placed.ok) throw placed.error;
  let order = placed.order;
  const must = (command: Command, actor: Actor) => {
    const r = transition(order, command, { now: NOW, actor, policy });
    if (!r.ok) throw new Error(`${command.type}: ${r.error.code}`);
    order = r.order;
    return order;
  };
  must({ type: 'PAYMENT_SUCCEEDED', amount: 1000, transactionId: 'wx-1' }, wechat);
  must({ type: 'REQUEST_AFTER_SALE', kind: 'refund_only', items: [{ lineId: 'L1', quantity: 1 }], reason: '不要了' }, shopper);
  // ¥10.00 from WeChat Pay (its own entry), ¥20.00 back to the balance (`<id>B`).
  must({ type: 'APPROVE_AFTER_SALE', afterSaleId: order.afterSales[0]!.id }, shop);
  return { order, must };
}

describe('an after-sale part of whose refund was paid before the order was cancelled', () => {
  it('shows what was refunded for it, not 已撤销', () => {
    const { order: asked, must } = refundOfOne();
    const own = asked.afterSales[0]!.refundId!;
    const piece = asked.refunds.find((r) => r.id !== own)!;
    must({ type: 'REFUND_SUCCEEDED', refundId: piece.id, amount: 2000 }, balance);
    must({ type: 'REFUND_FAILED', refundId: own, reason: 'NOTENOUGH' }, wechat);
    const order = must({ type: 'CANCEL', reason: '缺货' }, shop);
    expect(order.afterSales[0]!.status).toBe('cancelled');
    const zh = orderView(order, { actor: shopper, now: NOW }).afterSales[0]!;
    expect(zh).toMatchObject({ status: 'cancelled', statusLabel: '部分退款（¥20.00）', refunded: { fen: 2000, text: '¥20.00' }, amount: { fen: 3000 } });
    const en = orderView(order, { actor: shop, now: NOW, locale: 'en' }).afterSales[0]!;
    expect(en).toMatchObject({ statusLabel: 'Partly refunded (¥20.00)', refunded: { fen: 2000 } });
  });

  it('a cancelled after-sale that paid nothing still reads 已撤销, and a refunded one shows its whole amount', () => {
    const { order: asked, must } = refundOfOne();
    const own = asked.afterSales[0]!.refundId!;
    const piece = asked.refunds.find((r) => r.id !== own)!;
    must({ type: 'REFUND_SUCCEEDED', refundId: piece.id, amount: 2000 }, balance);
    must({ type: 'REFUND_SUCCEEDED', refundId: own, amount: 1000 }, wechat);
    let order = must({ type: 'REQUEST_AFTER_SALE', kind: 'refund_only', items: [{ lineId: 'L1', quantity: 1 }], reason: '再退一件' }, shopper);
    const [done, second] = orderView(order, { actor: shopper, now: NOW }).afterSales;
    expect(done).toMatchObject({ status: 'refunded', statusLabel: '已退款', refunded: { fen: 3000 } });
    expect(second!.refunded).toBeUndefined();
    order = must({ type: 'CANCEL', reason: '缺货' }, shop);
    const view = orderView(order, { actor: shopper, now: NOW }).afterSales[1]!;
    expect(view).toMatchObject({ status: 'cancelled', statusLabel: '已撤销' });
    expect(view.refunded).toBeUndefined();
  });
});

describe('property: a page shows what went back for each after-sale', () => {
  it('random orders paid from the balance and WeChat Pay, a refund split over both settling or failing, then the merchant\'s cancel', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5000 }),
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 1, max: 3 }),
        fc.double({ min: 0.01, max: 0.99, noNaN: true }),
        fc.constantFrom('succeed' as const, 'fail' as const, 'pending' as const),
        fc.boolean(),
        (price, quantity, take, share, wechatOutcome, balancePaid) => {
          const priced = priceCart({ lines: [{ id: 'L1', sku: 'TEA', title: '茶', listPrice: price, quantity }] }, {}, { now: NOW });
          if (!priced.ok) throw priced.error;
          const total = priced.quote.total;
          if (total < 2) return;
          const part = Math.min(total - 1, Math.max(1, Math.floor(total * share)));
          const placed = placeOrder({ id: 'o1', number: '20261125120000123456', customerId: 'u1', quote: priced.quote, payWith: { balance: part } }, { now: NOW, policy });
          if (!placed.ok) throw placed.error;
          let order = placed.order;
          const run = (command: Command, actor: Actor) => {
            const r = transition(order, command, { now: NOW, actor, policy });
            if (r.ok) order = r.order;
            return r.ok;
          };
          expect(run({ type: 'PAYMENT_SUCCEEDED', amount: total - part, transactionId: 'wx-1' }, wechat)).toBe(true);
          if (!run({ type: 'REQUEST_AFTER_SALE', kind: 'refund_only', items: [{ lineId: 'L1', quantity: Math.min(take, quantity) }], reason: 'r' }, shopper)) return;
          expect(run({ type: 'APPROVE_AFTER_SALE', afterSaleId: order.afterSales[0]!.id }, shop)).toBe(true);
          for (const r of order.refunds) {
            const onBalance = r.transactionId?.startsWith('balance:') === true;
            if (onBalance && balancePaid) run({ type: 'REFUND_SUCCEEDED', refundId: r.id, amount: r.amount }, balance);
            if (!onBalance && wechatOutcome === 'succeed') run({ type: 'REFUND_SUCCEEDED', refundId: r.id, amount: r.amount }, wechat);
            if (!onBalance && wechatOutcome === 'fail') run({ type: 'REFUND_FAILED', refundId: r.id, reason: 'NOTENOUGH' }, wechat);
          }
          run({ type: 'CANCEL', reason: '缺货' }, shop);
          const a = order.afterSales[0]!;
          // Its entries: those naming it, and the balance's share `<id>B` of its own.
          let back = 0;
          for (const r of order.refunds) if (r.status === 'succeeded' && (r.afterSaleId === a.id || r.id === `${a.refundId}B`)) back += r.amount;
          const view = orderView(order, { actor: shopper, now: NOW }).afterSales[0]!;
          expect(view.refunded?.fen ?? 0).toBe(back);
          if (a.status === 'cancelled') expect(view.statusLabel).toBe(back > 0 ? `部分退款（${formatFen(back)}）` : '已撤销');
        },
      ),
      { numRuns: 300 },
    );
  });
});

