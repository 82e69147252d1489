import { OrderkitError } from '../errors/orderkit-error.js';
import { takeShare } from './arith.js';
import type { CompiledFreight, CompiledRules } from './compile-rules.js';
import { recordDiscount, type PricingState } from './state.js';
import { reasons } from './texts.js';

/** The pointsToUse the cart asks for, checked against the balance and the rules. */
function requestedPoints(state: PricingState, rules: CompiledRules): number {
  const { pointsToUse, pointsBalance } = state.cart;
  if (pointsToUse === undefined) return 0;
  if (pointsToUse === 'max') return pointsBalance ?? 0;
  if (pointsToUse > 0 && rules.points === null) {
    throw new OrderkitError({
      code: 'POINTS_NOT_ACCEPTED',
      message: { 'zh-CN': '本店未开启积分抵扣', en: 'this shop does not take points' },
      path: ['pointsToUse'],
    });
  }
  // No balance given is a balance of 0, as for 'max': points the cart does not show it holds are
  // never spent (docs/pricing.md "Points").
  const balance = pointsBalance ?? 0;
  if (pointsToUse > balance) {
    throw new OrderkitError({
      code: 'POINTS_EXCEED_BALANCE',
      message: {
        'zh-CN': `要使用 ${pointsToUse} 积分，但只有 ${balance} 积分`,
        en: `asked to use ${pointsToUse} points with only ${balance} available`,
      },
      path: ['pointsToUse'],
    });
  }
  return pointsToUse;
}

/**
 * Stage 5: 积分抵现. Whole blocks of `rate.points`, at most `maxShareBp` of the goods' payable
 * after coupons (rounded down: the cap is never exceeded) and at most `maxPoints` points, split
 * over every line by payable.
 * Fewer than `minPoints` are not used at all. Freight is never paid with points.
 */
export function applyPoints(state: PricingState, rules: CompiledRules): { pointsUsed: number; deduction: number } {
  const wanted = requestedPoints(state, rules);
  const rule = rules.points;
  if (rule === null || wanted === 0) return { pointsUsed: 0, deduction: 0 };
  let base = 0;
  for (const p of state.payables) base += p;
  const product = base * rule.maxShareBp;
  const capFen = Number.isSafeInteger(product) ? Math.floor(product / 10_000) : Number((BigInt(base) * BigInt(rule.maxShareBp)) / 10_000n);
  let blocks = Math.min(Math.floor(wanted / rule.rate.points), Math.floor(capFen / rule.rate.fen));
  if (rule.maxPoints !== undefined) blocks = Math.min(blocks, Math.floor(rule.maxPoints / rule.rate.points));
  const pointsUsed = blocks * rule.rate.points;
  if (blocks === 0 || pointsUsed < (rule.minPoints ?? 0)) return { pointsUsed: 0, deduction: 0 };
  const deduction = blocks * rule.rate.fen;
  const all = state.sorted.map((_, k) => k);
  const { parts } = takeShare(state.payables, all, deduction);
  recordDiscount(state, all, parts, 'points', 'points', deduction, reasons.points(pointsUsed, deduction));
  return { pointsUsed, deduction };
}

/** The fee before any free-shipping waiver: 0 without a rule or without physical goods. */
export function freightFee(state: PricingState, freight: CompiledFreight | null): number {
  if (freight === null) return 0;
  let physical = false;
  for (const l of state.lines) if (l.fulfillment === 'physical') physical = true;
  if (!physical) return 0;
  const region = state.cart.region;
  const byRegion = region === undefined ? undefined : freight.byRegion.get(region);
  return byRegion ?? freight.defaultFee;
}

/** Σ payable of the goods right now (after coupons and before points, when called at stage 4). */
export function goodsPayable(state: PricingState): number {
  let sum = 0;
  for (const p of state.payables) sum += p;
  return sum;
}

/**
 * Stage 6: 运费. `base` is the goods' payable after 满减 and coupons and before points
 * (`after_discounts`), or Σ list price × quantity (`before_discounts`). When it reaches
 * `freeOver` the fee is waived and an adjustment says so.
 */
export function applyFreight(state: PricingState, freight: CompiledFreight | null, fee: number, base: number): number {
  if (freight === null || fee === 0 || freight.freeOver === null || base < freight.freeOver) return fee;
  state.adjustments.push({
    id: 'freight:free_shipping',
    source: 'freight',
    sourceId: 'free_shipping',
    amount: fee,
    lineIds: [],
    reason: reasons.freeShipping(freight.freeOver),
  });
  return 0;
}

