import { describe, expect, it } from 'vitest';
import { placeOrder, transition } from '../../src/lifecycle/index.js';
import type { Order } from '../../src/order/index.js';
import { NOW, at, gateway, line, merchant, quoteOf } from '../lifecycle/fixtures.js';

/**
 * A refund on an order paid from several sources goes back to its sources (docs/payment-sources.md
 * "Refunds"); a part no source can take must never vanish: the command fails with a typed error and
 * nothing is written. The caps keep every command within the sources (a random search over
 * after-sales, failures, retries, bill refunds and cancels found no way there), so the test reaches
 * it through a stored order whose sources do not cover its paid amount (hand-edited or damaged).
 */
function mixedOrder(): Order {
  const placed = placeOrder({ id: 'o1', number: 'N1', customerId: 'u1', quote: quoteOf([line('l1', 2, 1000)]), payWith: { balance: 1000 } }, { now: NOW });
  if (!placed.ok) throw placed.error;
  const paid = transition(placed.order, { type: 'PAYMENT_SUCCEEDED', amount: 1000, transactionId: 'wx1' }, { now: at(1000), actor: gateway });
  if (!paid.ok) throw paid.error;
  return paid.order;
}

describe('a refund its sources cannot take', () => {
  it('a well-formed order routes every fen (the merchant cancel gives back 2000 in two entries)', () => {
    const r = transition(mixedOrder(), { type: 'CANCEL', reason: '缺货' }, { now: at(2000), actor: merchant });
    if (!r.ok) throw r.error;
    expect(r.order.refunds.reduce((s, x) => s + x.amount, 0)).toBe(2000);
  });

  for (const [why, command, actor] of [
    ['a merchant cancel', { type: 'CANCEL', reason: '缺货' }, merchant],
  ] as const) {
    it(`${why}: REFUND_EXCEEDS_SOURCES, nothing written (before, the part no source took was dropped)`, () => {
      const order = mixedOrder();
      // Paid 2500 on record, but the sources collected 1000 + 1000.
      const damaged: Order = { ...order, payment: { ...order.payment, paidAmount: 2500 }, pricing: { ...order.pricing } };
      const r = transition(damaged, command as never, { now: at(2000), actor });
      if (r.ok) {
        // What the old code did: entries summing to less than the refund.
        expect(r.order.refunds.reduce((s, x) => s + x.amount, 0)).toBe(2500);
      }
      expect(r.ok ? 'accepted' : r.error.code).toBe('REFUND_EXCEEDS_SOURCES');
      if (!r.ok) {
        expect(r.error.messages['zh-CN'].length).toBeGreaterThan(0);
        expect(r.error.messages.en).toMatch(/source/);
        expect(r.error.details).toMatchObject({ unrouted: 500 });
      }
    });
  }
});
