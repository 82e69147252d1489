import type { LocalizedText } from '../errors/orderkit-error.js';
import type { Result } from '../errors/result.js';
import type { Cart, WalletCoupon } from './cart-schema.js';
import type { PricingRuleSet } from './compile-rules.js';
import { runPricing } from './engine.js';
import { guarded, type PricingContext } from './price-cart.js';
import type { Quote, RejectedCoupon } from './quote.js';
import { readWallet } from './read-cart.js';
import type { PricingRules } from './rule-schemas.js';
import { yuan } from './texts.js';

/** One coupon of the chosen combination and what it takes off this cart. */
export interface ChosenCoupon {
  couponId: string;
  amount: number;
  reason: LocalizedText;
}

export interface BestCoupons {
  /** The wallet ids to apply, sorted. Empty when no coupon lowers the price. */
  couponIds: string[];
  /** Fen saved against using no coupon: money off the goods minus any free shipping lost. */
  savings: number;
  chosen: ChosenCoupon[];
  /** Every other wallet coupon and why it was left out (expired, below threshold, not stackable…). */
  rejected: RejectedCoupon[];
  /** The cart priced with the chosen coupons: what the shopper will see at checkout. */
  quote: Quote;
  /** True when the search proved the choice optimal (always, unless its state budget ran out). */
  optimal: boolean;
  explanation: LocalizedText;
}

/**
 * Picks the coupons from the shopper's wallet that save the most on this cart, under the stacking
 * rules (a coupon is used alone unless `stackable`; stackable coupons combine, at most one per
 * `exclusiveGroup`). Ties go to fewer coupons, then to the smaller list of wallet ids. Never worse
 * than the best single usable coupon. `cart.coupons` is ignored: the wallet is the offer.
 * The search is a branch-and-bound, then an exact search for the fewest coupons reaching a proven
 * best or an exact search over states, not an enumeration of subsets (see select-coupons.ts and
 * docs/pricing.md "bestCoupons").
 *
 * @example
 * const r = bestCoupons(cart, [
 *   { id: 'w1', definitionId: 'shop-5' },
 *   { id: 'w2', definitionId: 'mj-199-30' },
 * ], rules, { now: new Date('2026-11-25T04:00:00Z') });
 * if (r.ok) console.log(r.couponIds, r.explanation['zh-CN']);
 */
export function bestCoupons(
  cart: Cart,
  wallet: readonly WalletCoupon[],
  rules: PricingRules | PricingRuleSet,
  ctx: PricingContext,
): Result<BestCoupons> {
  const w = readWallet(wallet);
  if (!w.ok) return w;
  return guarded(cart, rules, ctx, (c, r, now): BestCoupons => {
    const { quote, choice } = runPricing(c, r.compiled, now, w.wallet, ['wallet']);
    const chosen: ChosenCoupon[] = quote.adjustments
      .filter((a) => a.source === 'coupon')
      .map((a) => ({ couponId: a.sourceId, amount: a.amount, reason: a.reason }));
    const savings = choice === null ? 0 : choice.savings;
    const explanation: LocalizedText =
      chosen.length === 0
        ? { 'zh-CN': '没有能让本单更便宜的优惠券', en: 'No coupon lowers the price of this order' }
        : {
            'zh-CN': `使用 ${chosen.length} 张优惠券，共省 ${yuan(savings)}`,
            en: `Using ${chosen.length} coupon${chosen.length > 1 ? 's' : ''} saves ${yuan(savings)}`,
          };
    return {
      couponIds: quote.couponIds,
      savings,
      chosen,
      rejected: quote.rejectedCoupons,
      quote,
      optimal: choice === null ? true : choice.optimal,
      explanation,
    };
  });
}
