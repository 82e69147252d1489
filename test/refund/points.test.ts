import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { placeOrder, transition } from '../../src/lifecycle/index.js';
import { allocate } from '../../src/money/index.js';
import { OrderSchema, type Actor, type Command, type Effect, type Order } from '../../src/order/index.js';
import { definePolicy } from '../../src/order/policy.js';
import { definePricingRules, priceCart, type PricingRules } from '../../src/pricing/index.js';

/**
 * Points after the order (issue 19 item 5, docs/pricing.md "Points after the order"): spent points
 * come back on cancel, expiry and full refund, and in proportion (whole points, largest remainder)
 * on partial refunds; 赠送积分 are granted on completion and clawed back in proportion by later
 * refunds; `maxPoints` caps what one order may spend.
 */

const T0 = new Date('2026-11-25T04:00:00.000Z');
const CUSTOMER: Actor = { type: 'customer', id: 'u1' };
const MERCHANT: Actor = { type: 'merchant', id: 'staff-1' };
const GATEWAY: Actor = { type: 'payment', gateway: 'wechatpay' };
const SYSTEM: Actor = { type: 'system' };
const policy = definePolicy({ autoApproveRefundBeforeShipment: false });

const POINTS: PricingRules['points'] = { rate: { points: 100, fen: 100 }, maxShareBp: 5000, earn: { points: 1, fen: 100 } };

function place(lines: Array<{ id: string; sku: string; listPrice: number; quantity: number }>, points: number, rules: PricingRules = { points: POINTS }): Order {
  const priced = priceCart({ lines: lines.map((l) => ({ ...l, title: l.sku })), pointsBalance: points, pointsToUse: 'max' }, definePricingRules(rules), { now: T0 });
  if (!priced.ok) throw priced.error;
  const r = placeOrder({ id: 'o1', number: '20261125120000123456', customerId: 'u1', quote: priced.quote }, { now: T0, policy });
  if (!r.ok) throw r.error;
  return r.order;
}

function step(order: Order, command: Command, actor: Actor, now = T0): { order: Order; effects: Effect[] } {
  const r = transition(order, command, { now, actor, policy });
  if (!r.ok) throw r.error;
  expect(OrderSchema.safeParse(r.order).success).toBe(true);
  return { order: r.order, effects: r.effects };
}

const pay = (o: Order) => step(o, { type: 'PAYMENT_SUCCEEDED', amount: o.pricing.total, transactionId: 'wx-1' }, GATEWAY).order;
const pointsEffects = (effects: Effect[], type: Effect['type']) => effects.filter((e) => e.type === type).map((e) => (e as { points: number }).points);

describe('spent points come back', () => {
  it('all of them on a cancel before payment, and on expiry, through the outbox like coupons', () => {
    const o = place([{ id: 'L1', sku: 'TEA', listPrice: 10000, quantity: 1 }], 3000);
    expect(o.pricing.pointsUsed).toBe(3000);
    const cancelled = step(o, { type: 'CANCEL' }, CUSTOMER);
    expect(cancelled.effects.filter((e) => e.type === 'points.release')).toEqual([
      expect.objectContaining({ type: 'points.release', customerId: 'u1', points: 3000, reason: 'customer_cancelled' }),
    ]);
    expect(cancelled.order.points).toEqual({ released: 3000, granted: 0, clawedBack: 0 });
    const expired = step(o, { type: 'EXPIRE' }, SYSTEM, new Date(T0.getTime() + 31 * 60_000));
    expect(pointsEffects(expired.effects, 'points.release')).toEqual([3000]);
  });

  it('in whole points per unit on partial refunds (334 + 333 + 333), and the rest with the refund that closes the order', () => {
    // One line, 3 units, 1,000 points paid ¥10 of it: units carry 334, 333, 333 points.
    let o = pay(place([{ id: 'L1', sku: 'TEA', listPrice: 3333, quantity: 3 }], 1000));
    expect(o.pricing.pointsUsed).toBe(1000);
    const released: number[] = [];
    for (let k = 0; k < 3; k++) {
      o = step(o, { type: 'REQUEST_AFTER_SALE', kind: 'refund_only', items: [{ lineId: 'L1', quantity: 1 }], reason: 'r' }, CUSTOMER).order;
      const id = o.afterSales[k]!.id;
      o = step(o, { type: 'APPROVE_AFTER_SALE', afterSaleId: id }, MERCHANT).order;
      // Nothing moves before the money is back.
      expect(o.points?.released ?? 0).toBe(released.reduce((s, x) => s + x, 0));
      const refund = o.refunds[k]!;
      const done = step(o, { type: 'REFUND_SUCCEEDED', refundId: refund.id, amount: refund.amount }, GATEWAY);
      o = done.order;
      released.push(...pointsEffects(done.effects, 'points.release'));
    }
    expect(released).toEqual([334, 333, 333]);
    expect(o).toMatchObject({ status: 'closed', closeReason: 'fully_refunded', points: { released: 1000 } });
  });

  it('a merchant cancel after payment gives every point back at once', () => {
    const o = pay(place([{ id: 'L1', sku: 'TEA', listPrice: 5000, quantity: 2 }], 2000));
    const r = step(o, { type: 'CANCEL' }, MERCHANT);
    expect(pointsEffects(r.effects, 'points.release')).toEqual([2000]);
    // The refund's success later moves nothing more.
    const later = step(r.order, { type: 'REFUND_SUCCEEDED', refundId: r.order.refunds[0]!.id, amount: r.order.refunds[0]!.amount }, GATEWAY);
    expect(later.effects.some((e) => e.type.startsWith('points.'))).toBe(false);
  });

  it('maxPoints caps one order beside the share cap', () => {
    const rules: PricingRules = { points: { rate: { points: 100, fen: 100 }, maxShareBp: 5000, maxPoints: 1250 } };
    const priced = priceCart({ lines: [{ id: 'L1', sku: 'TEA', title: 'tea', listPrice: 10000, quantity: 1 }], pointsBalance: 9000, pointsToUse: 'max' }, rules, { now: T0 });
    if (!priced.ok) throw priced.error;
    // Share cap: 50 % of ¥100 = 5,000 points; maxPoints 1,250 → 12 whole blocks of 100.
    expect(priced.quote).toMatchObject({ pointsUsed: 1200, pointsDeduction: 1200, total: 8800 });
  });
});

describe('赠送积分', () => {
  it('are granted on completion and clawed back in proportion by a later refund', () => {
    let o = pay(place([{ id: 'A', sku: 'A', listPrice: 4000, quantity: 2 }, { id: 'B', sku: 'B', listPrice: 2001, quantity: 1 }], 0));
    // Goods paid ¥100.01 → 100 points at 1 per yuan; split by payable 8000 : 2001 → 80 : 20.
    expect(o.pricing.pointsEarn).toEqual({ rate: { points: 1, fen: 100 } });
    o = step(o, { type: 'SHIP', logisticsType: 'express' }, MERCHANT).order;
    const done = step(o, { type: 'CONFIRM_RECEIPT' }, CUSTOMER);
    expect(pointsEffects(done.effects, 'points.grant')).toEqual([100]);
    o = done.order;
    o = step(o, { type: 'REQUEST_AFTER_SALE', kind: 'return_and_refund', items: [{ lineId: 'A', quantity: 1 }], reason: 'r' }, CUSTOMER).order;
    const id = o.afterSales[0]!.id;
    o = step(o, { type: 'APPROVE_AFTER_SALE', afterSaleId: id }, MERCHANT).order;
    o = step(o, { type: 'RETURN_SHIPPED', afterSaleId: id, trackingNo: 'SF1', expressCompany: 'SF' }, CUSTOMER).order;
    o = step(o, { type: 'RETURN_RECEIVED', afterSaleId: id }, MERCHANT).order;
    const refunded = step(o, { type: 'REFUND_SUCCEEDED', refundId: o.refunds[0]!.id, amount: o.refunds[0]!.amount }, GATEWAY);
    // One of A's two units: 80 / 2 = 40 points back.
    expect(pointsEffects(refunded.effects, 'points.clawback')).toEqual([40]);
    expect(refunded.order.points).toMatchObject({ granted: 100, clawedBack: 40 });
  });

  it('a refund before completion lowers what completion grants', () => {
    let o = pay(place([{ id: 'A', sku: 'A', listPrice: 3000, quantity: 3 }], 0));
    o = step(o, { type: 'SHIP', logisticsType: 'express' }, MERCHANT).order;
    o = step(o, { type: 'REQUEST_AFTER_SALE', kind: 'refund_only', items: [{ lineId: 'A', quantity: 1 }], reason: 'r' }, CUSTOMER).order;
    o = step(o, { type: 'APPROVE_AFTER_SALE', afterSaleId: o.afterSales[0]!.id }, MERCHANT).order;
    o = step(o, { type: 'REFUND_SUCCEEDED', refundId: o.refunds[0]!.id, amount: o.refunds[0]!.amount }, GATEWAY).order;
    const done = step(o, { type: 'CONFIRM_RECEIPT' }, CUSTOMER);
    expect(pointsEffects(done.effects, 'points.grant')).toEqual([60]);
  });
});

// ---- the property ------------------------------------------------------------------------

/** Σ of the first `n` unit shares of `total` over `quantity` units, computed unit by unit. */
function firstUnits(total: number, quantity: number, n: number): number {
  const units = allocate(total, new Array<number>(quantity).fill(1));
  return units.slice(0, n).reduce((s, x) => s + x, 0);
}

/** What the test expects, worked out from the order without the module under test. */
function expected(order: Order): { kept: number; held: number } {
  const closed = order.status === 'closed';
  const lines = order.lines.slice().sort((x, y) => (x.sku < y.sku ? -1 : x.sku > y.sku ? 1 : x.id < y.id ? -1 : 1));
  const refunded = new Map<string, number>();
  for (const a of order.afterSales) if (a.status === 'refunded') for (const i of a.items) refunded.set(i.lineId, (refunded.get(i.lineId) ?? 0) + i.quantity);
  const used = order.pricing.pointsUsed;
  const spentWeights = lines.map((l) => l.allocations.filter((a) => a.source === 'points').reduce((s, a) => s + a.amount, 0));
  const spent = used === 0 ? lines.map(() => 0) : allocate(used, spentWeights);
  let kept = 0;
  lines.forEach((l, i) => (kept += spent[i]! - firstUnits(spent[i]!, l.quantity, refunded.get(l.id) ?? 0)));
  const goods = order.lines.reduce((s, l) => s + l.payable, 0);
  const earnable = Math.floor(goods / 100) + (order.pricing.pointsEarn?.bonus ?? 0);
  const payables = lines.map((l) => l.payable);
  const earned = earnable === 0 ? lines.map(() => 0) : allocate(earnable, payables.some((p) => p > 0) ? payables : lines.map((l) => l.quantity));
  let held = 0;
  lines.forEach((l, i) => (held += earned[i]! - firstUnits(earned[i]!, l.quantity, refunded.get(l.id) ?? 0)));
  return { kept: closed ? 0 : kept, held: closed || order.completedAt === undefined ? 0 : held };
}

const arbLines = fc.array(fc.record({ listPrice: fc.integer({ min: 1, max: 20_000 }), quantity: fc.integer({ min: 1, max: 4 }) }), { minLength: 1, maxLength: 3 });

function candidates(order: Order, now: Date): Array<[Command, Actor, Date]> {
  const out: Array<[Command, Actor, Date]> = [];
  if (order.status === 'pending_payment') {
    out.push([{ type: 'PAYMENT_SUCCEEDED', amount: order.pricing.total, transactionId: 'wx-1' }, GATEWAY, now]);
    // 改价 down (to half, to the freight-free goods minus one fen, to 0): the payables the points follow change.
    for (const newTotal of [Math.floor(order.pricing.total / 2), order.pricing.total - 1, 0]) {
      out.push([{ type: 'ADJUST_PRICE', newTotal, reason: '老客优惠' }, MERCHANT, now]);
    }
    out.push([{ type: 'CANCEL' }, CUSTOMER, now], [{ type: 'EXPIRE' }, SYSTEM, new Date(now.getTime() + 3_600_000)]);
  }
  out.push([{ type: 'CANCEL' }, MERCHANT, now], [{ type: 'SHIP', logisticsType: 'express' }, MERCHANT, now], [{ type: 'CONFIRM_RECEIPT' }, CUSTOMER, now]);
  for (const l of order.lines) {
    out.push([{ type: 'REQUEST_AFTER_SALE', kind: 'refund_only', items: [{ lineId: l.id, quantity: 1 }], reason: 'r' }, CUSTOMER, now]);
    out.push([{ type: 'REQUEST_AFTER_SALE', kind: 'return_and_refund', items: [{ lineId: l.id, quantity: 1 }], reason: 'r' }, CUSTOMER, now]);
  }
  for (const a of order.afterSales) {
    out.push([{ type: 'APPROVE_AFTER_SALE', afterSaleId: a.id }, MERCHANT, now], [{ type: 'REJECT_AFTER_SALE', afterSaleId: a.id, reason: 'no' }, MERCHANT, now]);
    out.push([{ type: 'RETURN_SHIPPED', afterSaleId: a.id, trackingNo: 'SF1', expressCompany: 'SF' }, CUSTOMER, now], [{ type: 'RETURN_RECEIVED', afterSaleId: a.id }, MERCHANT, now]);
  }
  for (const r of order.refunds) {
    out.push([{ type: 'REFUND_SUCCEEDED', refundId: r.id, amount: r.amount }, GATEWAY, now], [{ type: 'REFUND_FAILED', refundId: r.id, reason: 'NOTENOUGH' }, GATEWAY, now]);
  }
  return out;
}

describe('points ledger property', () => {
  it('at every step: spent = released + kept, released and earned − clawed back follow the refunded units exactly', () => {
    fc.assert(
      fc.property(arbLines, fc.integer({ min: 0, max: 50_000 }), fc.array(fc.nat(), { minLength: 1, maxLength: 20 }), fc.integer({ min: 0, max: 3000 }), (specs, balance, picks, bonus) => {
        // 满减送 bonus points on top of the earning rule (none when 0).
        const rules: PricingRules = bonus === 0 ? { points: POINTS } : { points: POINTS, fullReductions: [{ id: 'song', kind: 'reward', minAmount: 1, rewards: { bonusPoints: bonus } }] };
        let order = place(specs.map((s, i) => ({ id: `L${i}`, sku: `S${(i * 7) % 3}`, ...s })), balance, rules);
        if (bonus > 0) expect(order.pricing.pointsEarn?.bonus).toBe(bonus);
        let released = 0;
        let granted = 0;
        let clawed = 0;
        for (const pick of picks) {
          // Among the commands the order accepts now, so that runs reach refunds and completion.
          const accepted = [];
          for (const [command, actor, now] of candidates(order, T0)) {
            const r = transition(order, command, { now, actor, policy });
            if (r.ok && r.changed) accepted.push(r);
          }
          if (accepted.length === 0) break;
          const r = accepted[pick % accepted.length]!;
          order = r.order;
          for (const e of r.effects) {
            if (e.type === 'points.release') released += e.points;
            if (e.type === 'points.grant') granted += e.points;
            if (e.type === 'points.clawback') clawed += e.points;
          }
          const used = order.pricing.pointsUsed;
          const want = expected(order);
          // Spent = released + kept, with "kept" worked out independently from the refunded units.
          expect(released + want.kept).toBe(used);
          expect(order.points?.released ?? 0).toBe(released);
          // Earned − clawed back ≥ 0, and exactly the share of the units the shopper kept.
          expect(granted - clawed).toBeGreaterThanOrEqual(0);
          expect(granted - clawed).toBe(want.held);
          expect((order.points?.granted ?? 0) - (order.points?.clawedBack ?? 0)).toBe(granted - clawed);
        }
      }),
      { numRuns: 60 },
    );
  });
});

// ---- 协商退款: the points follow the agreed money ---------------------------------------------

describe('a negotiated refund (协商退款) gives back points in proportion to the agreed amount', () => {
  /** One line shipped; `units` of it asked back refund-only; the merchant offers `offer` of the quote; accepted and paid; then completed. */
  function negotiated(spec: { listPrice: number; quantity: number }, balance: number, units: number, offerPerMille: number) {
    let o = pay(place([{ id: 'L1', sku: 'TEA', ...spec }], balance));
    o = step(o, { type: 'SHIP', logisticsType: 'express', trackingNo: 'SF1', expressCompany: 'SF' }, MERCHANT).order;
    o = step(o, { type: 'CONFIRM_RECEIPT' }, CUSTOMER).order;
    o = step(o, { type: 'REQUEST_AFTER_SALE', kind: 'refund_only', items: [{ lineId: 'L1', quantity: units }], reason: '有瑕疵' }, CUSTOMER).order;
    const a = o.afterSales[0]!;
    const offer = Math.max(1, Math.floor((a.amount * offerPerMille) / 1000));
    o = step(o, { type: 'PROPOSE_REFUND', afterSaleId: a.id, amount: offer }, MERCHANT).order;
    o = step(o, { type: 'ACCEPT_REFUND_PROPOSAL', afterSaleId: a.id }, CUSTOMER).order;
    const done = step(o, { type: 'REFUND_SUCCEEDED', refundId: o.refunds[0]!.id, amount: o.refunds[0]!.amount }, GATEWAY);
    return { order: done.order, quoted: a.amount, offer, released: pointsEffects(done.effects, 'points.release'), clawedBack: pointsEffects(done.effects, 'points.clawback') };
  }

  it('worked case: 1,500 points paid ¥15.00 of a ¥30.00 unit; ¥0.01 agreed of its ¥15.00 quote gives back 1 point, not 1,500', () => {
    const r = negotiated({ listPrice: 3000, quantity: 2 }, 3000, 1, 0);
    expect([r.quoted, r.offer]).toEqual([1500, 1]);
    expect(r.released).toEqual([1]);
    // Half agreed: half the unit's points.
    expect(negotiated({ listPrice: 3000, quantity: 2 }, 3000, 1, 500).released).toEqual([750]);
    // The whole quote agreed (no discount): every point of the unit, as a plain refund.
    expect(negotiated({ listPrice: 3000, quantity: 2 }, 3000, 1, 1000).released).toEqual([1500]);
  });

  it('property: points released and earned points taken back are the units’ shares × agreed / quoted, rounded down', () => {
    fc.assert(
      fc.property(
        fc.record({ listPrice: fc.integer({ min: 200, max: 20_000 }), quantity: fc.integer({ min: 1, max: 4 }) }),
        fc.integer({ min: 100, max: 50_000 }),
        fc.nat(),
        fc.integer({ min: 0, max: 1000 }),
        (spec, balance, pick, perMille) => {
          const units = 1 + (pick % spec.quantity);
          const r = negotiated(spec, balance, units, perMille);
          const o = r.order;
          const spent = o.pricing.pointsUsed;
          const own = firstUnits(spent, spec.quantity, units);
          const released = r.released.reduce((s, x) => s + x, 0);
          expect(released).toBe(Math.floor((own * r.offer) / r.quoted));
          // Never more points than the agreed part of the money.
          expect(released * r.quoted).toBeLessThanOrEqual(own * r.offer);
          const earnable = Math.floor(o.lines[0]!.payable / 100);
          const clawed = r.clawedBack.reduce((s, x) => s + x, 0);
          expect(clawed).toBe(Math.floor((firstUnits(earnable, spec.quantity, units) * r.offer) / r.quoted));
        },
      ),
      { numRuns: 150 },
    );
  });
});
