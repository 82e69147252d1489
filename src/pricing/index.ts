export type { Quote, RejectedCoupon } from './quote.js';
export { priceCart } from './price-cart.js';
export type { PricingContext, PriceCartResult } from './price-cart.js';
export { bestCoupons } from './best-coupons.js';
export type { BestCoupons, ChosenCoupon } from './best-coupons.js';
export { compilePricingRules, definePricingRules, PricingRuleSet } from './compile-rules.js';
export { readCart, readWallet } from './read-cart.js';
export {
  CartSchema,
  WalletCouponSchema,
  WalletSchema,
  MAX_CART_LINES,
  MAX_WALLET_COUPONS,
} from './cart-schema.js';
export type { Cart, CartLine, WalletCoupon, Wallet } from './cart-schema.js';
export {
  PricingRulesSchema,
} from './rule-schemas.js';
export type {
  PricingRules,
  Scope,
  Window,
  MemberPriceRule,
  TimedDiscountRule,
  FullReductionRule,
  Tier,
  CouponDefinition,
  CouponValidity,
  PointsRule,
  FreightRule,
  FreightTemplate,
  FreightRow,
  FreightFree,
  Rewards,
} from './rule-schemas.js';
export type { FreightPart } from './freight-templates.js';
export { reorder, reorderLines } from './reorder.js';
export type { CatalogItem, ReorderChange, ReorderReport, ReorderInput } from './reorder.js';
export {
  priceDelivery,
  localDeliveryFee,
  DeliveryRulesSchema,
  DeliveryChoiceSchema,
  DistanceBandSchema,
  DeliveryZoneSchema,
} from './delivery.js';
export type { DeliveryRules, LocalDeliveryRules, DeliveryChoice, PriceDeliveryContext } from './delivery.js';
