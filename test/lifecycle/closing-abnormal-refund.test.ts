import { describe, expect, it } from 'vitest';
import { transition } from '../../src/lifecycle/index.js';
import type { Actor, Command, Order } from '../../src/order/index.js';
import { committedAmount, pendingRefundTotal, succeededRefundTotal } from '../../src/refund/index.js';
import { at, customer, gateway, line, merchant, place } from './fixtures.js';

/**
 * A merchant cancel while an after-sale's refund is ABNORMAL (docs/after-sales.md "Closing with
 * after-sales open", "Refund states"): that money left the merchant and is held by WeChat Pay, so
 * the full refund does not take it, and the after-sale keeps its entry so that the abnormal-refund
 * retry can still bring it to the shopper.
 */

function run(order: Order, command: Command, actor: Actor, t: number): Order {
  const r = transition(order, command, { now: at(t), actor });
  if (!r.ok) throw new Error(`${command.type}: ${r.error.code}`);
  return r.order;
}

/** 2 × ¥10.00 paid; one unit refunded, WeChat Pay answered ABNORMAL; then the merchant cancels. */
function cancelledWithAbnormalRefund(): Order {
  let order = place({ lines: [line('a', 2, 1000)] });
  order = run(order, { type: 'PAYMENT_SUCCEEDED', amount: 2000, transactionId: 'wx1' }, gateway, 1000);
  order = run(order, { type: 'REQUEST_AFTER_SALE', kind: 'refund_only', items: [{ lineId: 'a', quantity: 1 }], reason: '买多了' }, customer, 2000);
  order = run(order, { type: 'REFUND_FAILED', refundId: order.refunds[0]!.id, reason: 'ABNORMAL', gatewayStatus: 'ABNORMAL', gatewayRefundId: 'g1' }, gateway, 3000);
  return run(order, { type: 'CANCEL', reason: '缺货' }, merchant, 4000);
}

describe('merchant cancel with an ABNORMAL after-sale refund', () => {
  it('refunds the rest (¥10.00) and keeps the after-sale with its held refund, not cancelled', () => {
    const order = cancelledWithAbnormalRefund();
    expect(order.status).toBe('closed');
    expect(order.refunds.map((r) => [r.amount, r.status])).toEqual([[1000, 'failed'], [1000, 'pending']]);
    // Before the fix the after-sale was cancelled: its ¥10.00, held by WeChat Pay, could no
    // longer be retried (RETRY_REFUND: INVALID_AFTER_SALE_TRANSITION), so the shopper got ¥10.00 of ¥20.00.
    expect(order.afterSales[0]!.status).toBe('refunding');
    expect(committedAmount(order)).toBeLessThanOrEqual(order.payment.paidAmount);
  });

  it('the abnormal-refund retry still goes out, and every fen paid comes back once', () => {
    let order = cancelledWithAbnormalRefund();
    const [abnormal, rest] = order.refunds;
    const retried = transition(order, { type: 'RETRY_REFUND', refundId: abnormal!.id }, { now: at(5000), actor: merchant });
    expect(retried.ok).toBe(true);
    if (!retried.ok) return;
    const effect = retried.effects.find((e) => e.type === 'payment.refund');
    expect(effect).toMatchObject({ refundId: abnormal!.id, amount: 1000, abnormal: { gatewayRefundId: 'g1' } });
    order = retried.order;
    expect(succeededRefundTotal(order) + pendingRefundTotal(order)).toBe(2000);
    order = run(order, { type: 'REFUND_SUCCEEDED', refundId: rest!.id, amount: 1000 }, gateway, 6000);
    order = run(order, { type: 'REFUND_SUCCEEDED', refundId: abnormal!.id, amount: 1000 }, gateway, 7000);
    expect(succeededRefundTotal(order)).toBe(2000);
    expect(order.afterSales[0]!.status).toBe('refunded');
  });
});
