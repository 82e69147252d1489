import { z } from 'zod';
import { CountSchema, FenSchema, IdSchema, QuantitySchema, TimestampSchema } from '../order/primitives.js';
import { FulfillmentSchema } from '../order/order-schema.js';

/**
 * What a shopper is about to buy, as the shop's server sends it to `priceCart`. Cart objects are
 * not strict (a line may carry the shop's own fields, which pricing ignores), unlike rules.
 *
 * `priceCart` checks carts with a hand-written validator (`readCart`) because a zod parse of a
 * 50-line cart costs more than pricing it; a property test keeps the two in agreement. These schemas
 * are the documented contract and what `toJSONSchema` can export.
 */

/** A coupon the shopper has claimed (领取), pointing at a coupon definition in the rules. */
export const WalletCouponSchema = z.object({
  id: IdSchema,
  definitionId: IdSchema,
  /** When it was claimed: required for `days_after_claim` validity. */
  claimedAt: TimestampSchema.optional(),
});
export type WalletCoupon = z.infer<typeof WalletCouponSchema>;

export const MAX_CART_LINES = 1000;
export const MAX_WALLET_COUPONS = 100;

export const CartLineSchema = z.object({
  id: IdSchema,
  sku: z.string().min(1).max(64),
  title: z.string().min(1).max(200),
  category: z.string().max(64).optional(),
  image: z.string().max(1024).optional(),
  fulfillment: FulfillmentSchema.optional(),
  /** Shelf price per unit, in fen. */
  listPrice: FenSchema,
  quantity: QuantitySchema,
  /** This line's own member price per unit (used when the cart has a `member`). */
  memberPrice: FenSchema.optional(),
});
export type CartLine = z.infer<typeof CartLineSchema>;

function unique<T>(key: (item: T) => string, what: string) {
  return (items: T[], ctx: z.RefinementCtx) => {
    const seen = new Set<string>();
    items.forEach((item, i) => {
      const k = key(item);
      if (seen.has(k)) ctx.addIssue({ code: 'custom', path: [i, 'id'], message: `duplicate ${what} id ${k}` });
      seen.add(k);
    });
  };
}

export const CartSchema = z.object({
  lines: z
    .array(CartLineSchema)
    .min(1)
    .max(MAX_CART_LINES)
    .superRefine(unique((l: CartLine) => l.id, 'line')),
  /** The shopper's membership, if any: member prices for `level` apply. */
  member: z.object({ level: z.string().min(1).max(64) }).optional(),
  /** Freight region key, matched against `rules.freight.byRegion` (e.g. a province). */
  region: z.string().min(1).max(64).optional(),
  /** Points the shopper owns. */
  pointsBalance: CountSchema.optional(),
  /** Points to spend: a number, or 'max' for as many as the balance and the cap allow. */
  pointsToUse: z.union([CountSchema, z.literal('max')]).optional(),
  /** Coupons the shopper applies (from their wallet). */
  coupons: z
    .array(WalletCouponSchema)
    .max(MAX_WALLET_COUPONS)
    .superRefine(unique((c: WalletCoupon) => c.id, 'coupon'))
    .optional(),
});
export type Cart = z.infer<typeof CartSchema>;

export const WalletSchema = z
  .array(WalletCouponSchema)
  .max(MAX_WALLET_COUPONS)
  .superRefine(unique((c: WalletCoupon) => c.id, 'coupon'));
export type Wallet = z.infer<typeof WalletSchema>;
