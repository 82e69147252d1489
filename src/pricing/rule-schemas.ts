import * as z from '../zod.js';
import { CountSchema, FenSchema, IdSchema, TimestampSchema } from '../order/primitives.js';

/**
 * The shop's pricing rules as plain data (docs/pricing.md "Data shapes"). A shop adds a promotion by writing one of
 * these objects, never code. Objects are strict: a misspelt field (`threshhold`) is an error, not a
 * silently ignored rule that never fires.
 *
 * Percentages are integer basis points (1 bp = 0.01 %): `offBp: 1500` is 15 % off, i.e. 8.5 折.
 * Money is integer fen. Windows are ISO 8601 timestamps, half-open: `from ≤ now < to`.
 */

/**
 * Basis points off a price: 1 … 10000 (10000 = free).
 *
 * @example
 * BasisPointsSchema.parse(1500) // 15 % off = 8.5 折
 */
export const BasisPointsSchema = z.lazySchema(() => z.int().check(z.minimum(1), z.maximum(10_000)));
const RuleIdSchema = IdSchema;
// The leaf schemas below are built with the first rule schema that uses them, not when the module
// loads: a cloud function's first call may never parse rules written this way (docs/benchmarks.md,
// "Cold start"). Rules are parsed once, when compiled, so the lazy wrapper costs nothing per price.
const SkuSchema = z.lazySchema(() => z.string().check(z.minLength(1), z.maxLength(64)));
const CategorySchema = z.lazySchema(() => z.string().check(z.minLength(1), z.maxLength(64)));
const PositiveFenSchema = z.lazySchema(() => FenSchema.check(z.minimum(1)));

/** `build`'s result, built on the first call and shared by every later one. */
function once<T>(build: () => T): () => T {
  let built: T | undefined;
  return () => (built ??= build());
}

/**
 * A validity window, half-open: valid when `from ≤ now < to`.
 *
 * @example
 * WindowSchema.parse({ from: '2025-06-01T00:00:00+08:00', to: '2025-06-19T00:00:00+08:00' })
 */
export const WindowSchema = z.lazySchema(() => z.strictObject({ from: TimestampSchema, to: TimestampSchema }));
export type Window = z.output<typeof WindowSchema>;

/**
 * Which lines a rule covers. `all` (the default when a rule has no scope), a list of categories, or
 * a list of SKUs. `excludeSkus` carves goods out of `all` and `category` (常见于"特价商品不参与").
 *
 * @example
 * ScopeSchema.parse({ kind: 'category', categories: ['tea'], excludeSkus: ['TEA-GIFT'] })
 */
export const ScopeSchema = z.lazySchema(() => z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('all'), excludeSkus: z.optional(z.array(SkuSchema)) }),
  z.strictObject({
    kind: z.literal('category'),
    categories: z.array(CategorySchema).check(z.minLength(1)),
    excludeSkus: z.optional(z.array(SkuSchema)),
  }),
  z.strictObject({ kind: z.literal('skus'), skus: z.array(SkuSchema).check(z.minLength(1)) }),
]));
export type Scope = z.output<typeof ScopeSchema>;

/** Per-SKU prices in fen, for member prices and flash sales that name a price instead of a rate. */
const PriceMapSchema = z.lazySchema(() => z.record(SkuSchema, FenSchema));

/**
 * 会员价: a member of one of `levels` pays a lower unit price. Either a rate off the list price over
 * a scope, or explicit per-SKU prices. (A cart line may also carry its own `memberPrice`.)
 *
 * @example
 * MemberPriceRuleSchema.parse({ id: 'gold-95', kind: 'percent', levels: ['gold'], offBp: 500 })
 */
export const MemberPriceRuleSchema = z.lazySchema(() => z.discriminatedUnion('kind', [
  z.strictObject({
    id: RuleIdSchema,
    kind: z.literal('percent'),
    levels: z.array(z.string().check(z.minLength(1), z.maxLength(64))).check(z.minLength(1)),
    offBp: BasisPointsSchema,
    scope: z.optional(ScopeSchema),
  }),
  z.strictObject({
    id: RuleIdSchema,
    kind: z.literal('price'),
    levels: z.array(z.string().check(z.minLength(1), z.maxLength(64))).check(z.minLength(1)),
    prices: PriceMapSchema,
  }),
]));
export type MemberPriceRule = z.output<typeof MemberPriceRuleSchema>;

/**
 * 限时折扣: a rate off, or per-SKU flash prices, inside a window. Applies to the unit price.
 *
 * @example
 * TimedDiscountRuleSchema.parse({ id: '618', kind: 'price', prices: { 'TEA-LJ': 9900 },
 *   window: { from: '2025-06-18T00:00:00+08:00', to: '2025-06-19T00:00:00+08:00' } })
 */
export const TimedDiscountRuleSchema = z.lazySchema(() => z.discriminatedUnion('kind', [
  z.strictObject({
    id: RuleIdSchema,
    kind: z.literal('percent'),
    window: WindowSchema,
    offBp: BasisPointsSchema,
    scope: z.optional(ScopeSchema),
  }),
  z.strictObject({ id: RuleIdSchema, kind: z.literal('price'), window: WindowSchema, prices: PriceMapSchema }),
]));
export type TimedDiscountRule = z.output<typeof TimedDiscountRuleSchema>;

/**
 * One tier of a tiered 满减: spend at least `threshold`, save `off`.
 *
 * @example
 * TierSchema.parse({ threshold: 20000, off: 2500 }) // 满 200 减 25
 */
export const TierSchema = z.lazySchema(() => z.strictObject({ threshold: PositiveFenSchema, off: PositiveFenSchema }));
export type Tier = z.output<typeof TierSchema>;

/**
 * 满减送 rewards: given when the activity's condition is met, besides (or instead of) money off.
 * `freeShipping` waives the whole freight; `bonusPoints` are earned on completion with 赠送积分;
 * `gift` adds a line with payable 0 (id `gift:<activity id>`).
 *
 * @example
 * RewardsSchema.parse({ freeShipping: true, bonusPoints: 200, gift: { sku: 'CUP', title: '杯子', quantity: 1 } })
 */
export const RewardsSchema = z.lazySchema(() => z.strictObject({
  freeShipping: z.optional(z.literal(true)),
  bonusPoints: z.optional(z.int().check(z.minimum(1), z.maximum(100_000_000))),
  gift: z.optional(z.strictObject({ sku: SkuSchema, title: z.string().check(z.minLength(1), z.maxLength(200)), quantity: z.int().check(z.minimum(1), z.maximum(1000)) })),
}));
export type Rewards = z.output<typeof RewardsSchema>;

/** The fields every 满减 kind shares, built once, with the first of them. */
const fullReductionCommon = once(() => ({
  id: RuleIdSchema,
  scope: z.optional(ScopeSchema),
  /** Optional: the activity runs only inside this window. */
  window: z.optional(WindowSchema),
  /** 满减送: what else the shopper gets when the condition is met. */
  rewards: z.optional(RewardsSchema),
}));
const UnitsSchema = z.lazySchema(() => z.int().check(z.minimum(1), z.maximum(1_000_000)));

/**
 * 满减, order level, split over the lines in scope:
 * - `threshold`: 满 99 减 10;
 * - `tiered`: 满 100 减 10 / 满 200 减 25 / … (the highest tier reached applies);
 * - `per_step`: 每满 100 减 15, optionally capped (最多减 `cap`).
 *
 * @example
 * FullReductionRuleSchema.parse({ id: 'mm', kind: 'per_step', step: 10000, off: 1500, cap: 4500 })
 */
export const FullReductionRuleSchema = z.lazySchema(() => z.discriminatedUnion('kind', [
  z.strictObject({ ...fullReductionCommon(), kind: z.literal('threshold'), threshold: PositiveFenSchema, off: PositiveFenSchema }),
  z.strictObject({ ...fullReductionCommon(), kind: z.literal('tiered'), tiers: z.array(TierSchema).check(z.minLength(1), z.maxLength(50)) }),
  z.strictObject({
    ...fullReductionCommon(),
    kind: z.literal('per_step'),
    step: PositiveFenSchema,
    off: PositiveFenSchema,
    cap: z.optional(PositiveFenSchema),
  }),
  /** 满 N 件减 X: the highest tier whose `minUnits` the units in scope reach; tiers listed ascending. */
  z.strictObject({
    ...fullReductionCommon(),
    kind: z.literal('count_off'),
    tiers: z.array(z.strictObject({ minUnits: UnitsSchema, off: PositiveFenSchema })).check(z.minLength(1), z.maxLength(50)),
  }),
  /** N 件 M 折: `offBp` off the lines in scope once their units reach `minUnits`; tiers listed ascending. */
  z.strictObject({
    ...fullReductionCommon(),
    kind: z.literal('count_percent'),
    tiers: z.array(z.strictObject({ minUnits: UnitsSchema, offBp: BasisPointsSchema })).check(z.minLength(1), z.maxLength(50)),
  }),
  /** 满送 without money off: the rewards once the amount and/or the units in scope reach the minimums (both, when both are given). */
  z.strictObject({
    ...fullReductionCommon(),
    kind: z.literal('reward'),
    minAmount: z.optional(PositiveFenSchema),
    minUnits: z.optional(UnitsSchema),
    rewards: RewardsSchema,
  }),
]));
export type FullReductionRule = z.output<typeof FullReductionRuleSchema>;

/**
 * How long a claimed coupon can be used: a fixed window, or N days (× 24 h) after claiming.
 *
 * @example
 * CouponValiditySchema.parse({ kind: 'days_after_claim', days: 7 })
 */
export const CouponValiditySchema = z.lazySchema(() => z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('window'), from: TimestampSchema, to: TimestampSchema }),
  z.strictObject({ kind: z.literal('days_after_claim'), days: z.int().check(z.minimum(1), z.maximum(3650)) }),
]));
export type CouponValidity = z.output<typeof CouponValiditySchema>;

/** The fields every coupon kind shares, built once, with the first of them. */
const couponCommon = once(() => ({
  id: RuleIdSchema,
  /** What the shopper sees on the coupon: "店铺券", or one title per language. */
  title: z.optional(z.union([z.string().check(z.minLength(1), z.maxLength(64)), z.strictObject({ 'zh-CN': z.string().check(z.minLength(1), z.maxLength(64)), en: z.string().check(z.minLength(1), z.maxLength(64)) })])),
  scope: z.optional(ScopeSchema),
  validity: CouponValiditySchema,
  /**
   * Default false: the coupon must be the only one in the order. Stackable coupons combine with
   * each other, at most one per `exclusiveGroup`.
   */
  stackable: z.optional(z.boolean()),
  exclusiveGroup: z.optional(z.string().check(z.minLength(1), z.maxLength(64))),
}));

/**
 * A coupon definition (券模板). The shopper's wallet holds claimed coupons that point here.
 * - `fixed`: ¥`off` off, no minimum (无门槛券);
 * - `percent`: `offBp` off, at most `cap`, optionally only above `threshold`;
 * - `threshold`: 满 `threshold` 减 `off`.
 *
 * @example
 * CouponDefinitionSchema.parse({ id: 'p80', kind: 'percent', offBp: 2000, cap: 2000,
 *   validity: { kind: 'window', from: '2025-06-01T00:00:00Z', to: '2025-07-01T00:00:00Z' } })
 */
export const CouponDefinitionSchema = z.lazySchema(() => z.discriminatedUnion('kind', [
  z.strictObject({ ...couponCommon(), kind: z.literal('fixed'), off: PositiveFenSchema }),
  z.strictObject({
    ...couponCommon(),
    kind: z.literal('percent'),
    offBp: BasisPointsSchema,
    cap: z.optional(PositiveFenSchema),
    threshold: z.optional(PositiveFenSchema),
  }),
  z.strictObject({ ...couponCommon(), kind: z.literal('threshold'), threshold: PositiveFenSchema, off: PositiveFenSchema }),
]));
export type CouponDefinition = z.output<typeof CouponDefinitionSchema>;

/**
 * 积分抵现: `rate.points` points pay `rate.fen` fen (100 积分抵 ¥1 → `{ points: 100, fen: 100 }`);
 * points are spent in whole blocks of `rate.points`. At most `maxShareBp` of the goods (after
 * 满减 and coupons, never freight) may be paid with points; fewer than `minPoints` are not used.
 *
 * @example
 * PointsRuleSchema.parse({ rate: { points: 100, fen: 100 }, maxShareBp: 5000 }) // 100 积分抵 ¥1，最多抵 50 %
 */
export const PointsRuleSchema = z.lazySchema(() => z.strictObject({
  rate: z.strictObject({ points: z.int().check(z.minimum(1), z.maximum(1_000_000)), fen: PositiveFenSchema }),
  maxShareBp: BasisPointsSchema,
  minPoints: z.optional(CountSchema),
  /** At most this many points per order (每单最多使用), beside the `maxShareBp` cap. */
  maxPoints: z.optional(CountSchema.check(z.minimum(1))),
  /**
   * 赠送积分: every `fen` fen of goods paid (after every discount and points) earn `points` points,
   * in whole blocks, credited when the order completes (docs/pricing.md "Points after the order").
   */
  earn: z.optional(z.strictObject({ points: z.int().check(z.minimum(1), z.maximum(1_000_000)), fen: PositiveFenSchema })),
}));
export type PointsRule = z.output<typeof PointsRuleSchema>;

/**
 * 运费: the cart's `region` fee (or `defaultFee`), waived when the goods reach `freeOver`. The base
 * of that threshold is `after_discounts` by default (after 满减 and coupons, before points), or
 * `before_discounts` (Σ list price × quantity). A cart with only virtual goods ships free.
 *
 * @example
 * FreightRuleSchema.parse({ defaultFee: 800, byRegion: { 新疆: 2000 }, freeOver: 9900 })
 */
const RegionSchema = z.lazySchema(() => z.string().check(z.minLength(1), z.maxLength(64)));

/**
 * One row of a 运费模板: the regions (provinces) it prices, or none for the default row; the first
 * `first` units (件 / g / cm³) cost `firstFee`, every started `additional` units more cost
 * `additionalFee` (首件/首重 + 续件/续重).
 *
 * @example
 * FreightRowSchema.parse({ regions: ['新疆', '西藏'], first: 1, firstFee: 2000, additional: 1, additionalFee: 1000 })
 */
export const FreightRowSchema = z.lazySchema(() => z.strictObject({
  regions: z.optional(z.array(RegionSchema).check(z.minLength(1))),
  first: z.int().check(z.minimum(1), z.maximum(100_000_000)),
  firstFee: FenSchema,
  additional: z.int().check(z.minimum(1), z.maximum(100_000_000)),
  additionalFee: FenSchema,
}));
export type FreightRow = z.output<typeof FreightRowSchema>;

/**
 * A 包邮 condition of a template: in `regions` (or everywhere), free when the goods under the
 * template reach `minAmount` and/or `minUnits` (both must hold when both are given).
 *
 * @example
 * FreightFreeSchema.parse({ minAmount: 9900 })
 */
export const FreightFreeSchema = z.lazySchema(() => z.strictObject({
  regions: z.optional(z.array(RegionSchema).check(z.minLength(1))),
  minAmount: z.optional(PositiveFenSchema),
  minUnits: z.optional(z.int().check(z.minimum(1), z.maximum(100_000_000))),
}));
export type FreightFree = z.output<typeof FreightFreeSchema>;

/**
 * 运费模板: charged by count (件), weight (g) or volume (cm³).
 *
 * @example
 * FreightTemplateSchema.parse({ id: 'std', charge: 'count', rows: [{ first: 1, firstFee: 800, additional: 1, additionalFee: 200 }] })
 */
export const FreightTemplateSchema = z.lazySchema(() => z.strictObject({
  id: RuleIdSchema,
  charge: z.enum(['count', 'weight', 'volume']),
  rows: z.array(FreightRowSchema).check(z.minLength(1), z.maxLength(100)),
  free: z.optional(z.array(FreightFreeSchema).check(z.maxLength(100))),
}));
export type FreightTemplate = z.output<typeof FreightTemplateSchema>;

export const FreightRuleSchema = z.lazySchema(() => z.strictObject({
  /** The flat fee for goods under no template. */
  defaultFee: FenSchema,
  byRegion: z.optional(z.record(RegionSchema, FenSchema)),
  freeOver: z.optional(PositiveFenSchema),
  base: z.optional(z.enum(['after_discounts', 'before_discounts'])),
  /** 运费模板, one per kind of goods; a cart line names its own (`freightTemplate`). */
  templates: z.optional(z.array(FreightTemplateSchema).check(z.maxLength(200))),
  /** The template of lines that name none; absent: those lines pay the flat fee. */
  defaultTemplate: z.optional(RuleIdSchema),
}));
export type FreightRule = z.output<typeof FreightRuleSchema>;

/**
 * Every rule a shop prices with. `catalogue`, when given, lists the SKUs and categories that exist,
 * so that a scope naming an unknown one is caught when the rules are compiled instead of silently
 * never matching.
 *
 * @example
 * PricingRulesSchema.safeParse({ fullReductions: [{ id: 'mj', kind: 'threshold', threshold: 9900, off: 1000 }] }).success // true
 */
export const PricingRulesSchema = z.lazySchema(() => z.strictObject({
  catalogue: z.optional(z
    .strictObject({ skus: z.optional(z.array(SkuSchema)), categories: z.optional(z.array(CategorySchema)) })),
  memberPrices: z.optional(z.array(MemberPriceRuleSchema)),
  timedDiscounts: z.optional(z.array(TimedDiscountRuleSchema)),
  fullReductions: z.optional(z.array(FullReductionRuleSchema)),
  coupons: z.optional(z.array(CouponDefinitionSchema)),
  points: z.optional(PointsRuleSchema),
  freight: z.optional(FreightRuleSchema),
}));
export type PricingRules = z.output<typeof PricingRulesSchema>;
