import type { IssuePath } from '../errors/orderkit-error.js';
import { invalidAmount } from '../money/assert-fen.js';
import type { Cart, WalletCoupon } from './cart-schema.js';
import type { CompiledRules } from './compile-rules.js';
import { applyCoupons, assessCoupons, byWalletId, type CouponCandidate } from './coupons.js';
import { applyFullReductions } from './full-reduction.js';
import { planFreight, usesTemplates } from './freight-templates.js';
import { applyFreight, applyPoints, freightFee, goodsPayable } from './points-freight.js';
import type { Quote, RejectedCoupon } from './quote.js';
import { canStack, selectCoupons, type CouponChoice } from './select-coupons.js';
import { createState, type PricingState } from './state.js';
import { applyUnitPrices } from './unit-prices.js';
import { reasons, rejections } from './texts.js';

/**
 * The pipeline, in its fixed order (docs/pricing.md "The order of the rules"):
 * member price → timed discount → 满减 → coupons → points → freight.
 * Throws `OrderkitError` for bad data it can only see while pricing (an unknown coupon
 * definition, more points than the balance); the public functions turn that into a result.
 */
export interface PricingRun {
  readonly quote: Quote;
  /** null when no coupon could be used at all. */
  readonly choice: CouponChoice | null;
}

function byCouponId(a: RejectedCoupon, b: RejectedCoupon): number {
  return a.couponId < b.couponId ? -1 : a.couponId > b.couponId ? 1 : 0;
}

function chooseCoupons(state: PricingState, rules: CompiledRules, candidates: CouponCandidate[], fee: number): CouponChoice {
  const f = rules.freight;
  // With a `before_discounts` base no coupon can cost free shipping, so there is no step.
  const freeOver = f !== null && f.base === 'after_discounts' ? f.freeOver : null;
  return selectCoupons(candidates, state.payables, { fee, base: goodsPayable(state), freeOver });
}

/** Picks the coupons to apply among the usable ones (sorted by wallet id in the result). */
export type CouponChooser = (state: PricingState, rules: CompiledRules, candidates: CouponCandidate[], fee: number) => CouponChoice;

export function runPricing(
  cart: Cart,
  rules: CompiledRules,
  now: number,
  offered: readonly WalletCoupon[],
  offeredPath: IssuePath,
  choose: CouponChooser = chooseCoupons,
): PricingRun {
  const state = createState(cart, now);
  applyUnitPrices(state, rules);
  applyFullReductions(state, rules);

  const { candidates, rejected } = assessCoupons(state, rules, offered, offeredPath);
  // With templates, or once a 满减送 activity waived the freight, the coupon search sees no
  // free-shipping step (docs/pricing.md "bestCoupons").
  const templated = usesTemplates(state, rules.freight);
  const flatFee = templated ? 0 : freightFee(state, rules.freight);
  const fee = state.rewards.freeShipping !== null ? 0 : flatFee;
  let choice: CouponChoice | null = null;
  const couponIds: string[] = [];
  if (candidates.length > 0) {
    choice = choose(state, rules, candidates, fee);
    const before = state.adjustments.length;
    applyCoupons(state, choice.chosen);
    for (let a = before; a < state.adjustments.length; a++) couponIds.push(state.adjustments[a]!.sourceId);
    const used = new Set(couponIds);
    for (const c of candidates) {
      if (used.has(c.walletId)) continue;
      // Chosen but left nothing to take (possible only if the search ran out of budget), or
      // compatible with the choice yet not worth adding: no extra saving. Otherwise: not stackable.
      const fits = choice.chosen.indexOf(c) >= 0 || canStack(choice.chosen.concat(c));
      const [code, reason] = fits ? rejections.noExtraSaving() : rejections.notStackable();
      rejected.push({ couponId: c.walletId, code, reason });
    }
  }
  rejected.sort(byCouponId);

  const freightBase = rules.freight?.base === 'before_discounts' ? state.itemsTotal : goodsPayable(state);
  // Template freight looks at the payables after coupons and before points: planned here.
  const plan = templated ? planFreight(state, rules.freight) : null;
  const { pointsUsed, deduction } = applyPoints(state, rules);
  let freight: number;
  let grossFee: number;
  if (plan !== null) {
    for (const part of plan.parts) {
      if (!part.free) continue;
      const sourceId = part.templateId === null ? 'free_shipping' : `template:${part.templateId}`;
      const reason = part.templateId === null ? reasons.freeShipping(rules.freight!.freeOver!) : reasons.templateFreeShipping(part.templateId);
      state.adjustments.push({ id: `freight:${sourceId}`, source: 'freight', sourceId, amount: part.fee, lineIds: part.lineIds, reason });
    }
    freight = plan.fee;
    grossFee = plan.gross;
  } else {
    freight = applyFreight(state, rules.freight, flatFee, freightBase);
    grossFee = flatFee;
  }
  const activity = state.rewards.freeShipping;
  if (activity !== null && freight > 0) {
    state.adjustments.push({ id: `freight:${activity}`, source: 'freight', sourceId: activity, amount: freight, lineIds: [], reason: reasons.rewardFreeShipping(activity) });
    freight = 0;
  }

  let payable = 0;
  for (let k = 0; k < state.sorted.length; k++) {
    const line = state.sorted[k]!;
    line.subtotal = line.unitPrice * line.quantity;
    line.payable = state.payables[k]!;
    payable += line.payable;
  }
  const lines = state.lines;
  // 满减送 gifts: lines of their own with payable 0, after the cart's lines.
  for (const gift of state.rewards.gifts) lines.push(gift);
  // Goods and freight are each safe integers, their sum need not be: refuse it rather than quote
  // a total (and savings) that placeOrder would reject or that would drift (docs/pricing.md "Errors").
  if (!Number.isSafeInteger(state.itemsTotal + grossFee)) throw invalidAmount(state.itemsTotal + grossFee, { path: ['freight'] });
  const total = payable + freight;
  const quote: Quote = {
    lines,
    adjustments: state.adjustments,
    itemsTotal: state.itemsTotal,
    discountTotal: state.itemsTotal - payable,
    freight,
    pointsUsed,
    pointsDeduction: deduction,
    total,
    savings: state.itemsTotal + grossFee - total,
    couponIds,
    rejectedCoupons: rejected,
  };
  const earn = rules.points?.earn;
  const bonus = state.rewards.bonusPoints;
  if (earn !== undefined || bonus > 0) {
    // 赠送积分 on the goods paid, plus 满减送 bonus points; the same formula the refund module
    // reads from the stored rule (src/refund/points.ts earnablePoints), so quote and order agree.
    quote.pointsEarn = {};
    quote.pointsEarned = bonus;
    if (earn !== undefined) {
      quote.pointsEarn.rate = { points: earn.points, fen: earn.fen };
      quote.pointsEarned += Math.floor(payable / earn.fen) * earn.points;
      if (!Number.isSafeInteger(quote.pointsEarned)) throw invalidAmount(quote.pointsEarned, { path: ['pointsEarned'] });
    }
    if (bonus > 0) quote.pointsEarn.bonus = bonus;
  }
  if (plan !== null) {
    quote.freightDetail = plan.parts;
    // A 满减送 free-shipping reward waives the whole freight, whatever the region: nothing waits.
    if (plan.pending && activity === null) quote.freightPending = true;
  }
  return { quote, choice };
}

/**
 * @internal For tests and the benchmark's naive baseline: prices the cart with exactly these
 * coupons (every usable one is applied, no search). Not part of the public API.
 */
export function priceWithCoupons(cart: Cart, rules: CompiledRules, now: number, coupons: readonly WalletCoupon[]): Quote {
  return runPricing(cart, rules, now, coupons, ['coupons'], (_s, _r, candidates) => ({
    chosen: candidates.slice().sort(byWalletId),
    savings: NaN,
    optimal: true,
  })).quote;
}
