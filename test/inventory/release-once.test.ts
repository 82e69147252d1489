import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { definePolicy } from '../../src/lifecycle/index.js';
import type { Effect, Order } from '../../src/order/index.js';
import { transition } from '../../src/lifecycle/index.js';
import { customer, gateway, line, merchant, must, NOW, place } from '../lifecycle/fixtures.js';

/**
 * Stock is released once: a refund-only after-sale approved before shipping gives its units back
 * when its refund starts, and a later close gives back only what is left (`stockStillHeld`,
 * docs/inventory.md). Before the fix a merchant cancel released 3 units of an order of 2.
 */

type Release = Extract<Effect, { type: 'inventory.release' }>;
const released = (effects: Effect[]): number =>
  effects.filter((e): e is Release => e.type === 'inventory.release').reduce((s, e) => s + e.items.reduce((t, i) => t + i.quantity, 0), 0);

function paid(quantity: number): Order {
  const placed = place({ lines: [line('a', quantity, 1000)] });
  return must(placed, { type: 'PAYMENT_SUCCEEDED', amount: 1000 * quantity, transactionId: 'tx-1' }, gateway).order;
}

describe('inventory.release is computed once per unit', () => {
  it('refund-only 1 of 2 before shipping, then a merchant cancel: 1 + 1 units, not 1 + 2', () => {
    const first = must(paid(2), { type: 'REQUEST_AFTER_SALE', kind: 'refund_only', items: [{ lineId: 'a', quantity: 1 }], reason: '不想要了' }, customer);
    expect(released(first.effects)).toBe(1);
    const cancel = must(first.order, { type: 'CANCEL', reason: '缺货' }, merchant);
    expect(released(cancel.effects)).toBe(1);
  });

  it('the same after its refund failed and the cancel superseded it', () => {
    const first = must(paid(2), { type: 'REQUEST_AFTER_SALE', kind: 'refund_only', items: [{ lineId: 'a', quantity: 1 }], reason: '不想要了' }, customer);
    const failed = must(first.order, { type: 'REFUND_FAILED', refundId: first.order.refunds[0]!.id, reason: 'NOTENOUGH' }, gateway);
    const cancel = must(failed.order, { type: 'CANCEL', reason: '缺货' }, merchant);
    expect(released(first.effects) + released(failed.effects) + released(cancel.effects)).toBe(2);
  });

  it('without restockOnReturn the approval releases nothing and the cancel releases all', () => {
    const policy = definePolicy({ restockOnReturn: false });
    const first = must(paid(2), { type: 'REQUEST_AFTER_SALE', kind: 'refund_only', items: [{ lineId: 'a', quantity: 1 }], reason: 'x' }, customer, NOW, policy);
    expect(released(first.effects)).toBe(0);
    expect(released(must(first.order, { type: 'CANCEL' }, merchant, NOW, policy).effects)).toBe(2);
  });

  it('property: refund-only requests of any sizes, refunds failed or not, then a cancel release exactly the order', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 6 }), fc.array(fc.tuple(fc.integer({ min: 1, max: 6 }), fc.boolean()), { maxLength: 3 }), (quantity, asks) => {
        let order = paid(quantity);
        let total = 0;
        for (const [n, fail] of asks) {
          const r = transition(order, { type: 'REQUEST_AFTER_SALE', kind: 'refund_only', items: [{ lineId: 'a', quantity: n }], reason: 'x' }, { now: NOW, actor: customer });
          if (!r.ok) continue;
          order = r.order;
          total += released(r.effects);
          const pending = order.refunds.find((x) => x.status === 'pending');
          if (fail && pending) {
            const f = must(order, { type: 'REFUND_FAILED', refundId: pending.id, reason: 'NOTENOUGH' }, gateway);
            order = f.order;
            total += released(f.effects);
          }
        }
        if (order.status === 'paid') {
          const c = must(order, { type: 'CANCEL' }, merchant);
          total += released(c.effects);
          expect(total).toBe(quantity);
        }
        expect(total).toBeLessThanOrEqual(quantity);
      }),
      { numRuns: 150 },
    );
  });
});
