import { describe, expect, it } from 'vitest';
import { placeOrder, transition } from '../../src/lifecycle/index.js';
import type { Actor, Command, Order } from '../../src/order/index.js';
import { sourceRefunds, succeededRefundTotal } from '../../src/refund/index.js';
import { NOW, at, customer, gateway, line, merchant, quoteOf, system } from '../lifecycle/fixtures.js';

/**
 * Each payment source gives back at most what it collected (docs/payment-sources.md "The rules",
 * docs/after-sales.md "Σ refunds per transaction ≤ its total"), also when a refund fails and is
 * retried after another refund came in, and when the daily reconciliation records a refund.
 */

/** 2 × ¥10.00, ¥10.00 from the balance and ¥10.00 by WeChat Pay, paid. */
function mixedOrder(): Order {
  const placed = placeOrder({ id: 'o1', number: 'N1', customerId: 'u1', quote: quoteOf([line('l1', 2, 1000)]), payWith: { balance: 1000 } }, { now: NOW });
  if (!placed.ok) throw placed.error;
  const paid = transition(placed.order, { type: 'PAYMENT_SUCCEEDED', amount: 1000, transactionId: 'wx1' }, { now: at(1000), actor: gateway });
  if (!paid.ok) throw paid.error;
  return paid.order;
}

function run(order: Order, command: Command, actor: Actor, t: number): Order {
  const r = transition(order, command, { now: at(t), actor });
  if (!r.ok) throw new Error(`${command.type}: ${r.error.code}`);
  return r.order;
}

function withinEachSource(order: Order): void {
  for (const s of sourceRefunds(order)) expect(s.refunded + s.pending, s.kind).toBeLessThanOrEqual(s.paid);
}

describe('a failed WeChat Pay refund keeps its room on WeChat Pay until it is retried', () => {
  it('a second request goes to the balance, and the retry of the first fits on WeChat Pay', () => {
    let order = mixedOrder();
    order = run(order, { type: 'REQUEST_AFTER_SALE', kind: 'refund_only', items: [{ lineId: 'l1', quantity: 1 }], reason: '买多了' }, customer, 2000);
    const first = order.refunds[0]!;
    expect([first.amount, first.transactionId]).toEqual([1000, 'wx1']);
    order = run(order, { type: 'REFUND_FAILED', refundId: first.id, reason: 'NOTENOUGH' }, gateway, 3000);
    order = run(order, { type: 'REQUEST_AFTER_SALE', kind: 'refund_only', items: [{ lineId: 'l1', quantity: 1 }], reason: '不要了' }, customer, 4000);
    // Before the fix this second refund took WeChat Pay's ¥10.00 again, and the retry below sent
    // ¥20.00 back through a payment of ¥10.00 while the balance's ¥10.00 never came back.
    expect(order.refunds[1]).toMatchObject({ amount: 1000, transactionId: 'balance:N1' });
    withinEachSource(order);
    order = run(order, { type: 'APPROVE_AFTER_SALE', afterSaleId: order.afterSales[0]!.id }, merchant, 5000);
    expect(order.refunds[0]).toMatchObject({ id: first.id, status: 'pending', transactionId: 'wx1' });
    withinEachSource(order);
    expect(sourceRefunds(order).map((s) => [s.kind, s.pending])).toEqual([['balance', 1000], ['wechat', 1000]]);
  });

  it('a retry that no longer fits on its own source is not sent, on it or on another source', () => {
    let order = mixedOrder();
    order = run(order, { type: 'REQUEST_AFTER_SALE', kind: 'refund_only', items: [{ lineId: 'l1', quantity: 1 }], reason: '买多了' }, customer, 2000);
    order = run(order, { type: 'REFUND_FAILED', refundId: order.refunds[0]!.id, reason: 'NOTENOUGH' }, gateway, 3000);
    // The merchant refunded ¥10.00 by hand in the merchant platform; the reconciliation records it.
    order = run(order, { type: 'RECORD_GATEWAY_REFUND', refundId: 'MANUAL-1', amount: 1000 }, system, 4000);
    // The refund made by hand paid it: the after-sale ends without a payment (it was refused and
    // stayed refunding for good before; docs/after-sales.md "Refunds the ledger did not know").
    const retry = transition(order, { type: 'APPROVE_AFTER_SALE', afterSaleId: order.afterSales[0]!.id }, { now: at(5000), actor: merchant });
    if (!retry.ok) throw retry.error;
    expect(retry.order.afterSales[0]).toMatchObject({ status: 'refunded', amount: 0, quotedAmount: 1000 });
    expect(retry.effects.filter((e) => e.type === 'payment.refund' || e.type === 'balance.credit')).toEqual([]);
    withinEachSource(retry.order);
    expect(succeededRefundTotal(retry.order)).toBe(1000);
  });
});

describe('RECORD_GATEWAY_REFUND on an order paid with the balance and WeChat Pay', () => {
  it('is capped by what WeChat Pay collected, not by the order total', () => {
    const order = mixedOrder();
    const tooMuch = transition(order, { type: 'RECORD_GATEWAY_REFUND', refundId: 'MANUAL-1', amount: 2000 }, { now: at(2000), actor: system });
    expect(tooMuch.ok ? 'accepted' : tooMuch.error.code).toBe('REFUND_EXCEEDS_PAID');
    const fits = transition(order, { type: 'RECORD_GATEWAY_REFUND', refundId: 'MANUAL-1', amount: 1000 }, { now: at(2000), actor: system });
    expect(fits.ok).toBe(true);
    if (fits.ok) withinEachSource(fits.order);
  });

  it('after a full refund nothing more can be recorded against WeChat Pay (refunds never exceed what was paid)', () => {
    let order = run(mixedOrder(), { type: 'CANCEL', reason: '缺货' }, merchant, 2000);
    for (const r of order.refunds) order = run(order, { type: 'REFUND_SUCCEEDED', refundId: r.id, amount: r.amount }, gateway, 3000);
    expect(succeededRefundTotal(order)).toBe(2000);
    const again = transition(order, { type: 'RECORD_GATEWAY_REFUND', refundId: 'MANUAL-2', amount: 1000 }, { now: at(4000), actor: system });
    expect(again.ok ? 'accepted' : again.error.code).toBe('REFUND_EXCEEDS_PAID');
  });
});

describe('a late success of a failed refund on an order paid with the balance and WeChat Pay', () => {
  it('is refused when WeChat Pay has nothing left for it, though the order as a whole has (the balance part)', () => {
    let order = mixedOrder();
    order = run(order, { type: 'REQUEST_AFTER_SALE', kind: 'refund_only', items: [{ lineId: 'l1', quantity: 1 }], reason: '买多了' }, customer, 2000);
    const first = order.refunds[0]!;
    order = run(order, { type: 'REFUND_FAILED', refundId: first.id, reason: 'SYSTEMERROR' }, gateway, 3000);
    order = run(order, { type: 'RECORD_GATEWAY_REFUND', refundId: 'MANUAL-1', amount: 1000 }, system, 4000);
    // Before, this was accepted: ¥20.00 refunded through a ¥10.00 WeChat payment, and the order
    // closed as fully refunded while the balance's ¥10.00 never came back.
    const late = transition(order, { type: 'REFUND_SUCCEEDED', refundId: first.id, amount: 1000 }, { now: at(5000), actor: gateway });
    expect(late.ok ? 'accepted' : late.error.code).toBe('REFUND_EXCEEDS_PAID');
  });

  it('is accepted while it still fits on WeChat Pay', () => {
    let order = mixedOrder();
    order = run(order, { type: 'REQUEST_AFTER_SALE', kind: 'refund_only', items: [{ lineId: 'l1', quantity: 1 }], reason: '买多了' }, customer, 2000);
    const first = order.refunds[0]!;
    order = run(order, { type: 'REFUND_FAILED', refundId: first.id, reason: 'SYSTEMERROR' }, gateway, 3000);
    order = run(order, { type: 'REFUND_SUCCEEDED', refundId: first.id, amount: 1000 }, gateway, 4000);
    expect(order.refunds[0]!.status).toBe('succeeded');
    withinEachSource(order);
  });
});
