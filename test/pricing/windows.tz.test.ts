import { describe, expect, it } from 'vitest';
import { definePricingRules, priceCart } from '../../src/pricing/index.js';

/**
 * Windows are absolute instants (ISO 8601 with an offset) and `ctx.now` is a Date, so pricing must
 * not depend on the host's TZ. npm test runs this file again under TZ=UTC and America/New_York.
 */
const rules = definePricingRules({
  timedDiscounts: [
    { id: '618', kind: 'percent', offBp: 1000, window: { from: '2025-06-18T00:00:00+08:00', to: '2025-06-19T00:00:00+08:00' } },
  ],
  coupons: [{ id: 'week', kind: 'fixed', off: 100, validity: { kind: 'days_after_claim', days: 7 } }],
});
const cart = {
  lines: [{ id: 'l1', sku: 'TEA', title: '茶', listPrice: 10000, quantity: 1 }],
  coupons: [{ id: 'w', definitionId: 'week', claimedAt: '2025-06-12T00:00:00+08:00' }],
};
const at = (iso: string) => {
  const r = priceCart(cart, rules, { now: new Date(iso) });
  if (!r.ok) throw r.error;
  return { total: r.quote.total, rejected: r.quote.rejectedCoupons.map((c) => c.code) };
};

describe('windows in any host time zone', () => {
  it('starts and ends the timed discount at the exact instants', () => {
    expect(at('2025-06-17T15:59:59.999Z').total).toBe(9900); // 23:59:59.999 Beijing, the day before: coupon only
    expect(at('2025-06-17T16:00:00Z').total).toBe(8900); // 00:00 Beijing on the 18th: 9 折 − ¥1
    expect(at('2025-06-18T15:59:59Z').total).toBe(8900);
    expect(at('2025-06-18T16:00:00Z')).toEqual({ total: 10000, rejected: ['COUPON_EXPIRED'] }); // 618 over; 7 × 24 h after the claim
  });
});
