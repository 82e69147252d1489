import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { allowedActions, definePolicy, transition } from '../../src/lifecycle/index.js';
import type { Actor, Command, Order } from '../../src/order/index.js';
import { committedAmount } from '../../src/refund/index.js';
import { customer, gateway, line, merchant, must, NOW, place, system } from './fixtures.js';

/**
 * A merchant cancel refunds the order in full. After-sales still open at that moment are closed
 * with it (docs/after-sales.md "Closing with after-sales open"): otherwise one whose refund had
 * failed stays `refunding` for ever, its retry refused because the full refund took its money.
 */

const twoUnits = (): Order => {
  const placed = place({ lines: [line('a', 2, 1000)] });
  return must(placed, { type: 'PAYMENT_SUCCEEDED', amount: 2000, transactionId: 'tx-1' }, gateway).order;
};

const requestOne: Command = { type: 'REQUEST_AFTER_SALE', kind: 'refund_only', items: [{ lineId: 'a', quantity: 1 }], reason: '不想要了' };

function heldOrPaidOut(order: Order): number {
  return order.refunds.filter((r) => r.reason !== 'stray_payment' && r.status !== 'failed').reduce((s, r) => s + r.amount, 0);
}

describe('merchant cancel with an after-sale whose refund failed (the stuck 退款中)', () => {
  function stuckCandidate(): Order {
    let order = twoUnits();
    order = must(order, requestOne, customer).order;
    expect(order.afterSales[0]!.status).toBe('refunding');
    const first = order.refunds[0]!;
    order = must(order, { type: 'REFUND_FAILED', refundId: first.id, reason: 'NOTENOUGH' }, gateway).order;
    return must(order, { type: 'CANCEL', reason: '缺货' }, merchant).order;
  }

  it('refunds ¥20.00 once, closes the after-sale, and commits no more than was paid', () => {
    const order = stuckCandidate();
    expect(order.status).toBe('closed');
    const live = order.refunds.filter((r) => r.status !== 'failed');
    expect(live.map((r) => [r.reason, r.amount, r.status])).toEqual([['merchant_cancel', 2000, 'pending']]);
    expect(order.afterSales.map((a) => a.status)).toEqual(['cancelled']);
    expect(committedAmount(order)).toBe(2000);
    expect(committedAmount(order)).toBeLessThanOrEqual(order.payment.paidAmount);
  });

  it('leaves nothing that can still pay out the superseded refund, and nothing stuck', () => {
    const order = stuckCandidate();
    const failed = order.refunds.find((r) => r.status === 'failed')!;
    // No button offers a retry of the superseded refund …
    expect(allowedActions(order, merchant, NOW)).not.toContain('RETRY_REFUND');
    // … the command is refused, and a late success report cannot pay out twice.
    expect(transition(order, { type: 'RETRY_REFUND', refundId: failed.id }, { now: NOW, actor: merchant }).ok).toBe(false);
    const late = transition(order, { type: 'REFUND_SUCCEEDED', refundId: failed.id }, { now: NOW, actor: gateway });
    expect(late.ok ? 'accepted' : late.error.code).toBe('REFUND_EXCEEDS_PAID');
    // The full refund settles normally.
    const full = order.refunds.find((r) => r.reason === 'merchant_cancel')!;
    const settled = must(order, { type: 'REFUND_SUCCEEDED', refundId: full.id, amount: 2000 }, gateway).order;
    expect(settled.refunds.filter((r) => r.status === 'succeeded').reduce((s, r) => s + r.amount, 0)).toBe(2000);
  });

  it('records which after-sales the cancel closed in the event', () => {
    let order = twoUnits();
    order = must(order, requestOne, customer).order;
    order = must(order, { type: 'REFUND_FAILED', refundId: order.refunds[0]!.id, reason: 'NOTENOUGH' }, gateway).order;
    const r = must(order, { type: 'CANCEL' }, merchant);
    expect(r.events[0]!.data).toMatchObject({ supersededAfterSales: [order.afterSales[0]!.id], refundAmount: 2000 });
  });
});

describe('merchant cancel with other open after-sales', () => {
  it('a request not yet reviewed is closed too (nothing could move it on a closed order)', () => {
    const policy = definePolicy({ autoApproveRefundBeforeShipment: false });
    let order = twoUnits();
    order = must(order, requestOne, customer, NOW, policy).order;
    expect(order.afterSales[0]!.status).toBe('requested');
    order = must(order, { type: 'CANCEL' }, merchant, NOW, policy).order;
    expect(order.afterSales[0]!.status).toBe('cancelled');
    expect(order.refunds.map((r) => r.amount)).toEqual([2000]);
  });

  it('an after-sale whose refund is still pending keeps it: the cancel refunds the rest, and a later failure can be retried', () => {
    let order = twoUnits();
    order = must(order, requestOne, customer).order;
    const first = order.refunds[0]!;
    order = must(order, { type: 'CANCEL' }, merchant).order;
    expect(order.afterSales[0]!.status).toBe('refunding');
    expect(order.refunds.map((r) => [r.amount, r.status])).toEqual([
      [1000, 'pending'],
      [1000, 'pending'],
    ]);
    order = must(order, { type: 'REFUND_FAILED', refundId: first.id, reason: 'NOTENOUGH' }, gateway).order;
    expect(allowedActions(order, merchant, NOW)).toContain('RETRY_REFUND');
    order = must(order, { type: 'RETRY_REFUND', refundId: first.id }, merchant).order;
    order = must(order, { type: 'REFUND_SUCCEEDED', refundId: first.id }, gateway).order;
    expect(order.afterSales[0]!.status).toBe('refunded');
    expect(committedAmount(order)).toBeLessThanOrEqual(order.payment.paidAmount);
  });
});

describe('property: a merchant cancel after any after-sale history', () => {
  const actors: Record<string, Actor> = { customer, merchant, gateway, system };
  type Step = { kind: 'request'; quantity: number } | { kind: 'fail' | 'succeed' | 'retry'; pick: number };
  const stepArb: fc.Arbitrary<Step> = fc.oneof(
    fc.record({ kind: fc.constant('request' as const), quantity: fc.integer({ min: 1, max: 2 }) }),
    fc.record({ kind: fc.constantFrom('fail' as const, 'succeed' as const, 'retry' as const), pick: fc.nat(3) }),
  );

  it('leaves committed ≤ paid, refunds ≤ paid, and every open after-sale with a live refund', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3000 }), fc.array(stepArb, { maxLength: 6 }), fc.boolean(), (quantity, unit, steps, autoApprove) => {
        const policy = definePolicy({ autoApproveRefundBeforeShipment: autoApprove });
        let order = must(place({ lines: [line('a', quantity, unit)], policy }), { type: 'PAYMENT_SUCCEEDED', amount: quantity * unit, transactionId: 'tx-1' }, gateway, NOW, policy).order;
        for (const step of steps) {
          let command: Command;
          let actor: Actor;
          if (step.kind === 'request') {
            command = { type: 'REQUEST_AFTER_SALE', kind: 'refund_only', items: [{ lineId: 'a', quantity: Math.min(step.quantity, quantity) }], reason: 'r' };
            actor = actors.customer!;
          } else {
            const refund = order.refunds[step.pick % Math.max(1, order.refunds.length)];
            if (refund === undefined) continue;
            command =
              step.kind === 'fail'
                ? { type: 'REFUND_FAILED', refundId: refund.id, reason: 'x' }
                : step.kind === 'succeed'
                  ? { type: 'REFUND_SUCCEEDED', refundId: refund.id }
                  : { type: 'RETRY_REFUND', refundId: refund.id };
            actor = step.kind === 'retry' ? actors.merchant! : actors.gateway!;
          }
          const r = transition(order, command, { now: NOW, actor, policy });
          if (r.ok) order = r.order;
        }
        const cancelled = transition(order, { type: 'CANCEL' }, { now: NOW, actor: merchant, policy });
        if (!cancelled.ok) return; // already closed (fully refunded)
        const after = cancelled.order;
        const paid = after.payment.paidAmount;
        expect(heldOrPaidOut(after)).toBe(paid);
        expect(committedAmount(after)).toBeLessThanOrEqual(paid);
        for (const a of after.afterSales) {
          if (a.status === 'cancelled' || a.status === 'rejected' || a.status === 'refunded') continue;
          const refund = after.refunds.find((r) => r.id === a.refundId);
          expect(a.status).toBe('refunding');
          expect(refund?.status).toBe('pending');
        }
      }),
      { numRuns: 300 },
    );
  });
});
