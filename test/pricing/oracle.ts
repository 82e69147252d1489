import type { CouponDefinition, PricingRuleSet, Cart, WalletCoupon } from '../../src/pricing/index.js';
import { priceWithCoupons } from '../../src/pricing/engine.js';

/**
 * The brute-force answer to "which coupons save the most": price every subset of the wallet from
 * scratch and keep the best valid one. Written against the stacking rules as the docs state them,
 * independently of the search in src/pricing/select-coupons.ts. Exponential: small wallets only.
 */
export function stacksByTheRules(defs: readonly CouponDefinition[]): boolean {
  if (defs.length <= 1) return true;
  if (defs.some((d) => d.stackable !== true)) return false;
  const groups = defs.map((d) => d.exclusiveGroup).filter((g): g is string => g !== undefined);
  return new Set(groups).size === groups.length;
}

function lexLess(a: string[], b: string[]): boolean {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i]! < b[i]!;
  return a.length < b.length;
}

export interface OracleAnswer {
  savings: number;
  ids: string[];
  /** Savings of every usable single coupon, by wallet id. */
  singles: Map<string, number>;
}

export function bruteForceBestCoupons(cart: Cart, wallet: readonly WalletCoupon[], rules: PricingRuleSet, now: Date): OracleAnswer {
  const at = now.getTime();
  const defs = new Map((rules.rules.coupons ?? []).map((d) => [d.id, d]));
  const none = priceWithCoupons(cart, rules.compiled, at, []);
  const cost0 = none.total + none.pointsDeduction;
  let best: { savings: number; ids: string[] } = { savings: 0, ids: [] };
  const singles = new Map<string, number>();
  for (let mask = 1; mask < 1 << wallet.length; mask++) {
    const subset = wallet.filter((_, i) => (mask & (1 << i)) !== 0);
    if (!stacksByTheRules(subset.map((w) => defs.get(w.definitionId)!))) continue;
    const q = priceWithCoupons(cart, rules.compiled, at, subset);
    if (q.rejectedCoupons.length > 0) continue; // a coupon in it cannot be used at all
    const savings = cost0 - (q.total + q.pointsDeduction);
    const ids = subset.map((w) => w.id).sort();
    if (subset.length === 1) singles.set(ids[0]!, savings);
    if (savings > best.savings || (savings === best.savings && (ids.length < best.ids.length || (ids.length === best.ids.length && lexLess(ids, best.ids))))) {
      best = { savings, ids };
    }
  }
  return { ...best, singles };
}
