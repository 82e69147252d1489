import { describe, expect, it } from 'vitest';
import { allowedActions, transition } from '../../src/lifecycle/index.js';
import { at, customer, errorCode, gateway, merchant, must, MINUTE, pay, place } from './fixtures.js';

// A failed refund frees its amount and is sent again under the SAME refund id (docs/after-sales.md), so
// WeChat Pay can never pay it out twice. RETRY_REFUND covers refunds without an after-sale:
// a merchant cancel and a stray payment.
describe('RETRY_REFUND', () => {
  const cancelled = () => must(pay(place()), { type: 'CANCEL', reason: '缺货' }, merchant, at(MINUTE)).order;

  it('re-sends a failed merchant-cancel refund with the same id and amount, then settles it', () => {
    const order = cancelled();
    const refund = order.refunds[0]!;
    const failed = must(order, { type: 'REFUND_FAILED', refundId: refund.id, reason: 'ABNORMAL' }, gateway, at(2 * MINUTE)).order;
    expect(failed.refunds[0]!.status).toBe('failed');
    expect(allowedActions(failed, merchant, at(3 * MINUTE))).toContain('RETRY_REFUND');

    const retried = must(failed, { type: 'RETRY_REFUND', refundId: refund.id }, merchant, at(3 * MINUTE));
    expect(retried.order.refunds).toHaveLength(1);
    expect(retried.order.refunds[0]).toMatchObject({ id: refund.id, amount: refund.amount, status: 'pending', attempts: 2 });
    const effect = retried.effects.find((e) => e.type === 'payment.refund');
    expect(effect).toMatchObject({ refundId: refund.id, amount: refund.amount });
    expect(retried.order.version).toBe(failed.version + 1);
    expect(retried.order.status).toBe('closed');

    const settled = must(retried.order, { type: 'REFUND_SUCCEEDED', refundId: refund.id }, gateway, at(4 * MINUTE)).order;
    expect(settled.refunds[0]!.status).toBe('succeeded');
  });

  it('refuses a refund that has not failed, an unknown id, and a customer, changing nothing', () => {
    const order = cancelled();
    const refundId = order.refunds[0]!.id;
    for (const [command, actor, code] of [
      [{ type: 'RETRY_REFUND', refundId } as const, merchant, 'REFUND_NOT_FAILED'],
      [{ type: 'RETRY_REFUND', refundId: 'nope' } as const, merchant, 'UNKNOWN_REFUND'],
      [{ type: 'RETRY_REFUND', refundId } as const, customer, 'FORBIDDEN'],
    ] as const) {
      const r = transition(order, command, { now: at(2 * MINUTE), actor });
      expect(errorCode(r)).toBe(code);
    }
    expect(allowedActions(order, merchant, at(2 * MINUTE))).not.toContain('RETRY_REFUND');
  });

  it('re-sends a failed stray-payment refund on an unpaid order', () => {
    const order = place();
    const stray = must(order, { type: 'RECORD_STRAY_PAYMENT', amount: 123, transactionId: 'tx-s', outTradeNo: order.number }, gateway, at(MINUTE)).order;
    const refundId = stray.payment.stray[0]!.refundId;
    const failed = must(stray, { type: 'REFUND_FAILED', refundId, reason: 'ABNORMAL' }, gateway, at(2 * MINUTE)).order;
    const retried = must(failed, { type: 'RETRY_REFUND', refundId }, merchant, at(3 * MINUTE));
    expect(retried.order.status).toBe('pending_payment');
    expect(retried.effects.find((e) => e.type === 'payment.refund')).toMatchObject({ refundId, amount: 123 });
  });
});
