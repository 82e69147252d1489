import * as z from '../zod.js';
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

/**
 * A coupon the shopper has claimed (领取), pointing at a coupon definition in the rules.
 *
 * @example
 * WalletCouponSchema.parse({ id: 'w-5', definitionId: 'shop-5', claimedAt: '2025-06-10T09:00:00+08:00' })
 */
export const WalletCouponSchema = z.lazySchema(() => z.object({
  id: IdSchema,
  definitionId: IdSchema,
  /** When it was claimed: required for `days_after_claim` validity. */
  claimedAt: z.optional(TimestampSchema),
}));
export type WalletCoupon = z.output<typeof WalletCouponSchema>;

export const MAX_CART_LINES = 1000;
export const MAX_WALLET_COUPONS = 100;

/**
 * One line of a cart: a SKU, its shelf price per unit in fen and a whole quantity.
 *
 * @example
 * CartLineSchema.parse({ id: 'l1', sku: 'TEA-LJ', title: '明前龙井', category: 'tea', listPrice: 12800, quantity: 1 })
 */
export const CartLineSchema = z.lazySchema(() => z.object({
  id: IdSchema,
  sku: z.string().check(z.minLength(1), z.maxLength(64)),
  title: z.string().check(z.minLength(1), z.maxLength(200)),
  category: z.optional(z.string().check(z.maxLength(64))),
  image: z.optional(z.string().check(z.maxLength(1024))),
  fulfillment: z.optional(FulfillmentSchema),
  /** Shelf price per unit, in fen. */
  listPrice: FenSchema,
  quantity: QuantitySchema,
  /** This line's own member price per unit (used when the cart has a `member`). */
  memberPrice: z.optional(FenSchema),
  /** The 运费模板 this SKU ships under (`rules.freight.templates[].id`); absent: `defaultTemplate`, else the flat fee. */
  freightTemplate: z.optional(IdSchema),
  /** Weight of one unit in grams, for templates charged by weight. */
  weight: z.optional(z.int().check(z.minimum(0), z.maximum(100_000_000))),
  /** Volume of one unit in cm³, for templates charged by volume. */
  volume: z.optional(z.int().check(z.minimum(0), z.maximum(100_000_000))),
}));
export type CartLine = z.output<typeof CartLineSchema>;

function unique<T>(key: (item: T) => string, what: string) {
  return (items: T[], ctx: z.core.$RefinementCtx) => {
    const seen = new Set<string>();
    items.forEach((item, i) => {
      const k = key(item);
      if (seen.has(k)) ctx.addIssue({ code: 'custom', path: [i, 'id'], message: `duplicate ${what} id ${k}` });
      seen.add(k);
    });
  };
}

/**
 * A cart to price: lines (unique ids), and optionally the member level, region, points and coupons.
 *
 * @example
 * CartSchema.safeParse({ lines: [{ id: 'l1', sku: 'TEA', title: '茶', listPrice: 1990, quantity: 2 }], region: '浙江' }).success // true
 */
export const CartSchema = z.lazySchema(() => z.object({
  lines: z
    .array(CartLineSchema).check(z.minLength(1), z.maxLength(MAX_CART_LINES), z.superRefine(unique((l: CartLine) => l.id, 'line'))),
  /** The shopper's membership, if any: member prices for `level` apply. */
  member: z.optional(z.object({ level: z.string().check(z.minLength(1), z.maxLength(64)) })),
  /** Freight region key (a province), matched against `byRegion` and template rows; absent: freight by template is pending. */
  region: z.optional(z.string().check(z.minLength(1), z.maxLength(64))),
  /** Points the shopper owns. */
  pointsBalance: z.optional(CountSchema),
  /** Points to spend: a number, or 'max' for as many as the balance and the cap allow. */
  pointsToUse: z.optional(z.union([CountSchema, z.literal('max')])),
  /** Coupons the shopper applies (from their wallet). */
  coupons: z.optional(z
    .array(WalletCouponSchema).check(z.maxLength(MAX_WALLET_COUPONS), z.superRefine(unique((c: WalletCoupon) => c.id, 'coupon')))),
}));
export type Cart = z.output<typeof CartSchema>;

/**
 * The shopper's claimed coupons, as `bestCoupons` takes them (ids unique).
 *
 * @example
 * WalletSchema.parse([{ id: 'w1', definitionId: 'shop-5' }, { id: 'w2', definitionId: 'plat-10' }])
 */
export const WalletSchema = z.lazySchema(() => z
  .array(WalletCouponSchema).check(z.maxLength(MAX_WALLET_COUPONS), z.superRefine(unique((c: WalletCoupon) => c.id, 'coupon'))));
export type Wallet = z.output<typeof WalletSchema>;
