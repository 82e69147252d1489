import { describe, expect, it } from 'vitest';
import { placeOrder, transition } from '../../src/lifecycle/index.js';
import type { Actor, Command, Order } from '../../src/order/index.js';
import { sourceRefunds, succeededRefundTotal } from '../../src/refund/index.js';
import { NOW, at, gateway, line, merchant, quoteOf, system } from '../lifecycle/fixtures.js';

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
