import { OrderkitError, type IssuePath, type LocalizedText } from '../errors/orderkit-error.js';
import { percentOf, poolOf, takeOnly, takeShare } from './arith.js';
import type { WalletCoupon } from './cart-schema.js';
import type { CompiledCoupon, CompiledRules } from './compile-rules.js';
import type { RejectedCoupon } from './quote.js';
import { inScope, type CompiledScope } from './scope.js';
import { membersOf, recordDiscount, type PricingState } from './state.js';
import { reasons, rejections } from './texts.js';

/**
 * Stage 4, part one: which of the offered coupons could be used on this cart, and what each would
 * save on its own. Thresholds and percentages look at the payable of the lines in the coupon's
 * scope after 满减 and before any coupon, so a coupon's face value never depends on which other
 * coupons come with it; only the last fen can (a discount never exceeds what is left to cover).
 */
export interface CouponCandidate {
  readonly walletId: string;
  readonly coupon: CompiledCoupon;
  /** Positions in `state.sorted` of the lines in scope. */
  readonly members: readonly number[];
  /** Σ payable of those lines before coupons. */
  readonly pool: number;
  /** Face value on this cart: `off`, or the capped percentage of `pool`. */
  readonly nominal: number;
  /** What it saves alone: min(nominal, pool), always > 0 for a candidate. */
  readonly saving: number;
  readonly reason: LocalizedText;
}

const DAY_MS = 86_400_000;

function reject(walletId: string, [code, reason]: [string, LocalizedText]): RejectedCoupon {
  return { couponId: walletId, code, reason };
}

function faceValue(coupon: CompiledCoupon, pool: number): { threshold: number | undefined; nominal: number; what: LocalizedText } {
  const d = coupon.definition;
  switch (d.kind) {
    case 'fixed':
      return { threshold: undefined, nominal: d.off, what: reasons.fixedCoupon(d.off) };
    case 'threshold':
      return { threshold: d.threshold, nominal: d.off, what: reasons.threshold(d.threshold, d.off) };
    case 'percent': {
      const raw = percentOf(pool, d.offBp);
      return {
        threshold: d.threshold,
        nominal: d.cap !== undefined && raw > d.cap ? d.cap : raw,
        what: reasons.percentCoupon(d.offBp, d.cap, d.threshold),
      };
    }
  }
}

/**
 * Splits the offered coupons into candidates and rejections. A coupon pointing at a definition the
 * rules do not have, or a `days_after_claim` coupon without `claimedAt`, is bad data rather than
 * an unusable coupon: that is an `OrderkitError`, not a rejection.
 */
export function assessCoupons(
  state: PricingState,
  rules: CompiledRules,
  offered: readonly WalletCoupon[],
  path: IssuePath,
): { candidates: CouponCandidate[]; rejected: RejectedCoupon[] } {
  const candidates: CouponCandidate[] = [];
  const rejected: RejectedCoupon[] = [];
  const membersByScope = new Map<CompiledScope, number[]>();
  for (let i = 0; i < offered.length; i++) {
    const w = offered[i]!;
    const coupon = rules.coupons.get(w.definitionId);
    if (!coupon) {
      throw new OrderkitError({
        code: 'COUPON_UNKNOWN_DEFINITION',
        message: { 'zh-CN': `优惠券 ${w.id} 指向不存在的券模板 ${w.definitionId}`, en: `coupon ${w.id} points at an unknown definition ${w.definitionId}` },
        path: [...path, i, 'definitionId'],
      });
    }
    const v = coupon.definition.validity;
    let from: number;
    let to: number;
    if (v.kind === 'window') {
      from = Date.parse(v.from);
      to = Date.parse(v.to);
    } else {
      if (w.claimedAt === undefined) {
        throw new OrderkitError({
          code: 'COUPON_CLAIM_TIME_MISSING',
          message: { 'zh-CN': `优惠券 ${w.id} 领取后 ${v.days} 天有效，需要 claimedAt`, en: `coupon ${w.id} is valid ${v.days} days after claim and needs claimedAt` },
          path: [...path, i, 'claimedAt'],
        });
      }
      from = Date.parse(w.claimedAt);
      to = from + v.days * DAY_MS;
    }
    if (state.now < from) {
      rejected.push(reject(w.id, rejections.notStarted()));
      continue;
    }
    if (state.now >= to) {
      rejected.push(reject(w.id, rejections.expired()));
      continue;
    }
    let members = membersByScope.get(coupon.scope);
    if (!members) {
      members = membersOf(state, (l) => inScope(coupon.scope, l.sku, l.category));
      membersByScope.set(coupon.scope, members);
    }
    if (members.length === 0) {
      rejected.push(reject(w.id, rejections.notApplicable()));
      continue;
    }
    const pool = poolOf(state.payables, members);
    const face = faceValue(coupon, pool);
    if (face.threshold !== undefined && pool < face.threshold) {
      rejected.push(reject(w.id, rejections.belowThreshold(face.threshold, face.threshold - pool)));
      continue;
    }
    const saving = face.nominal < pool ? face.nominal : pool;
    if (saving <= 0) {
      rejected.push(reject(w.id, rejections.noSaving()));
      continue;
    }
    const title = coupon.definition.title;
    candidates.push({ walletId: w.id, coupon, members, pool, nominal: face.nominal, saving, reason: reasons.coupon(title, face.what) });
  }
  return { candidates, rejected };
}

/** The order coupons are applied in: by wallet coupon id, so the same set always splits the same way. */
export function byWalletId(a: CouponCandidate, b: CouponCandidate): number {
  return a.walletId < b.walletId ? -1 : a.walletId > b.walletId ? 1 : 0;
}

/**
 * What a set of coupons (sorted by `byWalletId`) takes off, on a scratch copy of the payables.
 * The very same arithmetic as `applyCoupons`, so the coupon search and the quote cannot disagree.
 */
export function simulateCoupons(payables: Float64Array, chosen: readonly CouponCandidate[]): number {
  const scratch = payables.slice();
  let total = 0;
  for (const c of chosen) total += takeOnly(scratch, c.members, c.nominal);
  return total;
}

/** Stage 4, part two: applies the chosen coupons (sorted by `byWalletId`) to the state. */
export function applyCoupons(state: PricingState, chosen: readonly CouponCandidate[]): void {
  for (const c of chosen) {
    const { taken, parts } = takeShare(state.payables, c.members, c.nominal);
    if (taken > 0) recordDiscount(state, c.members, parts, 'coupon', c.walletId, taken, c.reason);
  }
}
