import { OrderkitError, isOrderkitError } from '../errors/orderkit-error.js';
import type { Cart } from './cart-schema.js';
import { compilePricingRules, type PricingRuleSet } from './compile-rules.js';
import { runPricing, type PricingRun } from './engine.js';
import type { Quote } from './quote.js';
import { readCart } from './read-cart.js';
import type { PricingRules } from './rule-schemas.js';
import { ok, fail, type Result } from '../errors/result.js';

/** What pricing needs besides the cart and the rules: the time, passed in (pricing never reads a clock). */
export interface PricingContext {
  now: Date;
}

export type PriceCartResult = Result<{ quote: Quote }>;

/** @internal shared by priceCart and bestCoupons: validate everything, run, never throw. */
export function guarded<T extends object>(
  cart: unknown,
  rules: PricingRules | PricingRuleSet | unknown,
  ctx: PricingContext,
  run: (cart: Cart, rules: PricingRuleSet, now: number) => T,
): Result<T> {
  try {
    const now = ctx !== null && typeof ctx === 'object' && ctx.now instanceof Date ? ctx.now.getTime() : NaN;
    if (Number.isNaN(now)) {
      return fail(new OrderkitError({
          code: 'INVALID_CONTEXT',
          message: { 'zh-CN': 'ctx.now 必须是有效的 Date', en: 'ctx.now must be a valid Date' },
          path: ['now'],
        }));
    }
    const c = readCart(cart);
    if (!c.ok) return c;
    const r = compilePricingRules(rules);
    if (!r.ok) return r;
    return ok(run(c.cart, r.rules, now));
  } catch (e) {
    if (isOrderkitError(e)) return fail(e as OrderkitError);
    // Not expected: a bug. Still a typed error, so a checkout never crashes on a thrown TypeError.
    return fail(new OrderkitError({
        code: 'PRICING_FAILED',
        message: { 'zh-CN': '定价失败（内部错误）', en: 'pricing failed (internal error)' },
        details: { cause: e instanceof Error ? e.message : String(e) },
      }));
  }
}

/**
 * Prices a cart: member price → timed discount → 满减 → coupons → points → freight
 * (docs/pricing.md). Returns a quote whose lines carry every discount's allocation and their net
 * `payable`, ready for `placeOrder` to store; or a typed error (`INVALID_CART`, `INVALID_RULES`,
 * `RULE_*`, `COUPON_UNKNOWN_DEFINITION`, `POINTS_EXCEED_BALANCE`, …) and never a partial quote.
 *
 * `cart.coupons` are the coupons the shopper applies. If they cannot all be used together, the
 * combination that saves the most is kept (the `bestCoupons` rule) and the others are listed in
 * `quote.rejectedCoupons` with the reason, as are coupons that are expired or do not apply.
 *
 * Pass rules compiled once with `compilePricingRules`/`definePricingRules`; raw rules work too
 * but are validated again on every call.
 *
 * @example
 * const rules = definePricingRules({
 *   fullReductions: [{ id: 'mj', kind: 'threshold', threshold: 9900, off: 1000 }],
 *   freight: { defaultFee: 800, freeOver: 9900 },
 * });
 * const r = priceCart({ lines: [{ id: 'l1', sku: 'TEA', title: '龙井', listPrice: 12800, quantity: 1 }] }, rules, { now: new Date('2026-11-25T04:00:00Z') });
 * if (r.ok) r.quote.total; // 11800: 128 − 10, free shipping
 */
export function priceCart(cart: Cart, rules: PricingRules | PricingRuleSet, ctx: PricingContext): PriceCartResult {
  return guarded(cart, rules, ctx, (c, r, now): { quote: Quote } => {
    const run: PricingRun = runPricing(c, r.compiled, now, c.coupons ?? [], ['coupons']);
    return { quote: run.quote };
  });
}
