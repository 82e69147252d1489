import * as z from '../zod.js';
import { ActorSchema } from './actor.js';
import {
  CountSchema,
  FenSchema,
  IdSchema,
  LocalizedTextSchema,
  QuantitySchema,
  SignedFenSchema,
  TimestampSchema,
} from './primitives.js';
import { AfterSaleStatusSchema, CloseReasonSchema, OrderStatusSchema, RefundStatusSchema } from './status.js';
import { OrderDeliverySchema } from './delivery.js';

/**
 * Where a discount on a line came from. Stored at placement (and at a price adjustment) and read by
 * refunds, which never re-run promotions (docs/pricing.md "How allocations feed refunds").
 */
export const DISCOUNT_SOURCES = [
  'member_price',
  'timed_discount',
  'full_reduction',
  'coupon',
  'points',
  'price_adjustment',
] as const;
export const DiscountSourceSchema = z.enum(DISCOUNT_SOURCES);
export type DiscountSource = (typeof DISCOUNT_SOURCES)[number];

/** One discount's share of one line, in fen. Positive amounts lower the line's payable. */
export const AllocationSchema = z.lazySchema(() => z.object({
  source: DiscountSourceSchema,
  /** The rule, coupon or adjustment id the money came from. */
  sourceId: z.string().check(z.minLength(1)),
  amount: SignedFenSchema,
}));
export type Allocation = z.output<typeof AllocationSchema>;

export const FULFILLMENTS = ['physical', 'virtual'] as const;
export const FulfillmentSchema = z.enum(FULFILLMENTS);
export type Fulfillment = (typeof FULFILLMENTS)[number];

/**
 * An order line. `listPrice × quantity` is what the shelf said; `unitPrice` is the price per unit
 * after member price and timed discount (per-unit rules, kept as `allocations` too); `payable` is
 * the cash this line costs after every allocation, including points. Σ payable + freight = total.
 */
export const LineSchema = z.lazySchema(() => z.object({
  id: IdSchema,
  sku: z.string().check(z.minLength(1), z.maxLength(64)),
  title: z.string().check(z.minLength(1), z.maxLength(200)),
  category: z.optional(z.string().check(z.maxLength(64))),
  image: z.optional(z.string().check(z.maxLength(1024))),
  fulfillment: z._default(FulfillmentSchema, 'physical'),
  listPrice: FenSchema,
  unitPrice: FenSchema,
  quantity: QuantitySchema,
  /** unitPrice × quantity */
  subtotal: FenSchema,
  allocations: z.array(AllocationSchema),
  payable: FenSchema,
}));
export type Line = z.output<typeof LineSchema>;

export const AddressSchema = z.lazySchema(() => z.object({
  name: z.string().check(z.minLength(1), z.maxLength(64)),
  phone: z.string().check(z.minLength(3), z.maxLength(32)),
  province: z.string().check(z.maxLength(64)),
  city: z.string().check(z.maxLength(64)),
  district: z.optional(z.string().check(z.maxLength(64))),
  detail: z.string().check(z.minLength(1), z.maxLength(256)),
  postalCode: z.optional(z.string().check(z.maxLength(16))),
}));
export type Address = z.output<typeof AddressSchema>;

/** An order-level adjustment, explained: what it was, how much, and which lines carried it. */
export const AdjustmentSchema = z.lazySchema(() => z.object({
  id: z.string().check(z.minLength(1)),
  source: z.union([DiscountSourceSchema, z.literal('freight')]),
  sourceId: z.string().check(z.minLength(1)),
  amount: SignedFenSchema,
  lineIds: z.array(IdSchema),
  reason: LocalizedTextSchema,
}));
export type Adjustment = z.output<typeof AdjustmentSchema>;

/**
 * 赠送积分: what the order earns when it completes (docs/pricing.md "Points"). `rate`: every
 * `rate.fen` fen of goods paid (Σ line payable, after every discount and points) earn
 * `rate.points` points, in whole blocks; `bonus`: points a 满减送 reward adds. Kept as the rule,
 * not a number, so the figure follows the payables the order really has when it completes.
 */
export const PointsEarnSchema = z.lazySchema(() => z.object({
  rate: z.optional(z.object({ points: z.int().check(z.minimum(1), z.maximum(1_000_000)), fen: FenSchema.check(z.minimum(1)) })),
  bonus: z.optional(CountSchema),
}));
export type PointsEarn = z.output<typeof PointsEarnSchema>;

export const OrderPricingSchema = z.lazySchema(() => z.object({
  /** Σ listPrice × quantity */
  itemsTotal: FenSchema,
  /** Σ line.allocations (everything that lowered the price, points included) */
  discountTotal: SignedFenSchema,
  freight: FenSchema,
  pointsUsed: CountSchema,
  pointsDeduction: FenSchema,
  /** What the shopper pays: Σ line.payable + freight. */
  total: FenSchema,
  adjustments: z.array(AdjustmentSchema),
  couponIds: z.array(z.string()),
  /** 赠送积分 earned on completion; absent: the order earns none. */
  pointsEarn: z.optional(PointsEarnSchema),
}));
export type OrderPricing = z.output<typeof OrderPricingSchema>;

export const PAYMENT_ATTEMPT_STATUSES = ['open', 'paid', 'closed'] as const;
/** One try at collecting the money, with its own WeChat Pay `out_trade_no`. */
export const PaymentAttemptSchema = z.lazySchema(() => z.object({
  outTradeNo: z.string().check(z.minLength(1), z.maxLength(32)),
  amount: FenSchema,
  status: z.enum(PAYMENT_ATTEMPT_STATUSES),
  createdAt: TimestampSchema,
}));
export type PaymentAttempt = z.output<typeof PaymentAttemptSchema>;

/** A verified payment that could not pay the order; it is refunded in full, never dropped. */
export const StrayPaymentSchema = z.lazySchema(() => z.object({
  transactionId: z.string().check(z.minLength(1)),
  outTradeNo: z.string().check(z.minLength(1)),
  amount: FenSchema,
  paidAt: TimestampSchema,
  recordedAt: TimestampSchema,
  reason: z.string(),
  refundId: z.string().check(z.minLength(1)),
}));
export type StrayPayment = z.output<typeof StrayPaymentSchema>;

/**
 * Where an order's money comes from when it is paid from more than one source (docs/payment-sources.md):
 * the shopper's stored balance (余额/储值卡) and WeChat Pay for the rest. Σ amount = pricing.total.
 * `transactionId` is set once the source has collected (the balance at placement, WeChat Pay on
 * PAYMENT_SUCCEEDED); `returnedAt` when the balance was credited back because the order closed
 * unpaid. Refunds name a source by its `transactionId`. Stored-order version 4.
 */
export const PAYMENT_SOURCE_KINDS = ['balance', 'wechat'] as const;
export type PaymentSourceKind = (typeof PAYMENT_SOURCE_KINDS)[number];
export const PaymentSourceSchema = z.lazySchema(() => z.object({
  kind: z.enum(PAYMENT_SOURCE_KINDS),
  amount: FenSchema,
  outTradeNo: z.string().check(z.minLength(1), z.maxLength(32)),
  transactionId: z.optional(z.string().check(z.minLength(1), z.maxLength(64))),
  paidAt: z.optional(TimestampSchema),
  returnedAt: z.optional(TimestampSchema),
}));
export type PaymentSource = z.output<typeof PaymentSourceSchema>;

export const PaymentSchema = z.lazySchema(() => z.object({
  attempts: z.array(PaymentAttemptSchema),
  /** Fen actually collected for this order (0 until paid). */
  paidAmount: FenSchema,
  paidAt: z.optional(TimestampSchema),
  transactionId: z.optional(z.string()),
  outTradeNo: z.optional(z.string()),
  gateway: z.optional(z.string()),
  stray: z.array(StrayPaymentSchema),
  /** When WeChat settled the payment to the merchant (RECORD_SETTLEMENT, from its order events). */
  settledAt: z.optional(TimestampSchema),
  /** Several sources (balance + WeChat Pay); absent: WeChat Pay (or cloudPay) alone. Version 4. */
  sources: z.optional(z.array(PaymentSourceSchema)),
}));
export type Payment = z.output<typeof PaymentSchema>;

export const LineQuantitySchema = z.lazySchema(() => z.object({ lineId: IdSchema, quantity: QuantitySchema }));
export type LineQuantity = z.output<typeof LineQuantitySchema>;

export const LOGISTICS_TYPES = ['express', 'same_city', 'virtual', 'pickup'] as const;
export const LogisticsTypeSchema = z.enum(LOGISTICS_TYPES);
export type LogisticsType = (typeof LOGISTICS_TYPES)[number];

export const ShipmentSchema = z.lazySchema(() => z.object({
  id: IdSchema,
  items: z.array(LineQuantitySchema).check(z.minLength(1)),
  logisticsType: LogisticsTypeSchema,
  trackingNo: z.optional(z.string().check(z.maxLength(128))),
  expressCompany: z.optional(z.string().check(z.maxLength(64))),
  shippedAt: TimestampSchema,
  deliveredAt: z.optional(TimestampSchema),
}));
export type Shipment = z.output<typeof ShipmentSchema>;

/** `exchange` (换货): goods come back and a replacement goes out; no money moves (docs/after-sales.md "Exchange"). */
export const AFTER_SALE_KINDS = ['refund_only', 'return_and_refund', 'exchange'] as const;
export const AfterSaleKindSchema = z.enum(AFTER_SALE_KINDS);
export type AfterSaleKind = (typeof AFTER_SALE_KINDS)[number];

export const PROPOSAL_STATUSES = ['pending', 'accepted', 'declined', 'superseded'] as const;
/** One offer of the merchant in a negotiated refund (协商退款) and what became of it. */
export const RefundProposalSchema = z.lazySchema(() => z.object({
  amount: FenSchema,
  note: z.optional(z.string().check(z.maxLength(200))),
  proposedBy: ActorSchema,
  proposedAt: TimestampSchema,
  status: z.enum(PROPOSAL_STATUSES),
  answeredAt: z.optional(TimestampSchema),
  declineReason: z.optional(z.string().check(z.maxLength(200))),
}));
export type RefundProposal = z.output<typeof RefundProposalSchema>;

export const RETURN_SHIPPING_TREATMENTS = ['refund', 'deduct'] as const;
/** The return parcel's fee: `refund` adds it to the refund, `deduct` takes it off. */
export const ReturnShippingFeeSchema = z.lazySchema(() => z.object({
  fee: FenSchema,
  treatment: z.enum(RETURN_SHIPPING_TREATMENTS),
  setBy: ActorSchema,
  setAt: TimestampSchema,
}));
export type ReturnShippingFee = z.output<typeof ReturnShippingFeeSchema>;

/** 换货: the replacement units (same price as the originals) and their parcel. */
export const ExchangeSchema = z.lazySchema(() => z.object({
  items: z.array(z.object({ lineId: IdSchema, quantity: QuantitySchema, sku: z.string().check(z.minLength(1), z.maxLength(64)) })),
  shipment: z.optional(z.object({
    trackingNo: z.string().check(z.minLength(1), z.maxLength(128)),
    expressCompany: z.string().check(z.minLength(1), z.maxLength(64)),
    shippedAt: TimestampSchema,
  })),
}));
export type Exchange = z.output<typeof ExchangeSchema>;

export const AfterSaleSchema = z.lazySchema(() => z.object({
  id: IdSchema,
  kind: AfterSaleKindSchema,
  status: AfterSaleStatusSchema,
  items: z.array(LineQuantitySchema),
  /** Quoted at request time from stored line payables (refundQuote). */
  amount: FenSchema,
  shippingAmount: FenSchema,
  /**
   * The quote's amount per line (Σ = amount − shippingAmount). Later quotes subtract these from a
   * line's cumulative unit shares, so that every unit of a line, however split, sums to its payable.
   */
  lines: z.optional(z.array(z.object({ lineId: IdSchema, quantity: QuantitySchema, amount: FenSchema }))),
  reason: z.string().check(z.maxLength(500)),
  requestedBy: ActorSchema,
  requestedAt: TimestampSchema,
  updatedAt: TimestampSchema,
  rejectReason: z.optional(z.string().check(z.maxLength(500))),
  returnShipment: z.optional(z
    .object({ trackingNo: z.string().check(z.minLength(1), z.maxLength(128)), expressCompany: z.string().check(z.minLength(1), z.maxLength(64)), shippedAt: TimestampSchema })),
  returnedAt: z.optional(TimestampSchema),
  refundId: z.optional(z.string()),
  /**
   * The amount quoted at request time, kept once a negotiation (协商退款) or a return shipping fee
   * changed `amount` (docs/after-sales.md "Negotiated refunds"). `lines` and `shippingAmount` stay
   * as quoted: they say which units and freight the after-sale settles; `amount` is what it pays.
   */
  quotedAmount: z.optional(FenSchema),
  /** The merchant's proposals and the shopper's answers, oldest first (协商历史). */
  proposals: z.optional(z.array(RefundProposalSchema)),
  /** 退运费: the return parcel's fee, refunded to the shopper or deducted from the refund. */
  returnShippingFee: z.optional(ReturnShippingFeeSchema),
  /** A refund of freight only (no goods): `items` and `lines` are empty, `amount = shippingAmount`. */
  freightOnly: z.optional(z.literal(true)),
  /** 换货: what goes out in exchange, and the replacement parcel once shipped. */
  exchange: z.optional(ExchangeSchema),
  /**
   * The SKUs of the units this return or exchange sends back, per line, when some of them are not
   * the line's own SKU (they are the replacement of an earlier exchange). Absent: every unit is the
   * line's SKU. Stored-order version 5 (docs/after-sales.md "Exchange", docs/storage.md).
   */
  skus: z.optional(z.array(z.object({ lineId: IdSchema, sku: z.string().check(z.minLength(1), z.maxLength(64)), quantity: QuantitySchema }))),
  /**
   * Photos the shopper attached to the request: cloud storage file ids (`cloud://…`) or URLs, at
   * most 9. Stored-order version 3 (docs/storage.md "Stored order versions").
   */
  photos: z.optional(z.array(z.string().check(z.minLength(1), z.maxLength(512))).check(z.maxLength(9))),
}));
export type AfterSale = z.output<typeof AfterSaleSchema>;

/** `gateway`: a refund WeChat Pay made that the ledger did not know (found by reconciliation). */
/** `out_of_stock` (stored version 3): the full refund of a paid order whose stock ran out (付款减库存). */
export const REFUND_REASONS = ['after_sale', 'merchant_cancel', 'late_payment', 'stray_payment', 'gateway', 'out_of_stock'] as const;
/**
 * One entry of the refund ledger. `id` is the `out_refund_no`: created (and persisted) before the
 * gateway is called and reused on every retry, so a refund can never be paid out twice.
 */
export const RefundSchema = z.lazySchema(() => z.object({
  id: z.string().check(z.minLength(1), z.maxLength(64)),
  reason: z.enum(REFUND_REASONS),
  afterSaleId: z.optional(z.string()),
  amount: FenSchema,
  status: RefundStatusSchema,
  /** The payment transaction this refund returns money from. */
  transactionId: z.optional(z.string()),
  outTradeNo: z.optional(z.string()),
  /** The gateway's own refund id, once it reports a result. */
  gatewayRefundId: z.optional(z.string()),
  createdAt: TimestampSchema,
  updatedAt: TimestampSchema,
  attempts: z.int().check(z.minimum(1)),
  failureReason: z.optional(z.string()),
  /**
   * Why the gateway failed it, when it said: `CLOSED` (retried only under a new refund id) or
   * `ABNORMAL` (the money left the merchant but could not reach the shopper: it stays held, and
   * is retried through WeChat Pay's abnormal-refund request). docs/after-sales.md "Refund states".
   */
  gatewayStatus: z.optional(z.enum(['CLOSED', 'ABNORMAL'])),
  /** The entry this one re-issues after that one was CLOSED. */
  replaces: z.optional(z.string().check(z.minLength(1), z.maxLength(64))),
  /** The entry that re-issued this CLOSED one: this id is never paid again. */
  replacedBy: z.optional(z.string().check(z.minLength(1), z.maxLength(64))),
  /** How an ABNORMAL refund was sent again: to the shopper's new card, or for the merchant to handle. */
  abnormalHandling: z.optional(z.enum(['USER_BANK_CARD', 'MERCHANT_BANK_CARD'])),
}));
export type Refund = z.output<typeof RefundSchema>;
/** Where an ABNORMAL refund goes when it is sent again (WeChat Pay's abnormal-refund `type`). */
export const ABNORMAL_REFUND_HANDLINGS = ['USER_BANK_CARD', 'MERCHANT_BANK_CARD'] as const;
export type AbnormalRefundHandling = (typeof ABNORMAL_REFUND_HANDLINGS)[number];

export const DeadlinesSchema = z.lazySchema(() => z.object({
  payBy: z.optional(TimestampSchema),
  autoConfirmAt: z.optional(TimestampSchema),
  afterSaleUntil: z.optional(TimestampSchema),
}));
export type Deadlines = z.output<typeof DeadlinesSchema>;

export const NoteSchema = z.lazySchema(() => z.object({ text: z.string().check(z.maxLength(200)), by: ActorSchema, at: TimestampSchema }));
export type Note = z.output<typeof NoteSchema>;

/** An order's sales channel: a short code of letters, digits, '_' and '-'. */
export const ChannelSchema = z.string().check(z.regex(/^[0-9A-Za-z_-]{1,32}$/));

export const OrderSchema = z.lazySchema(() => z.object({
  id: IdSchema,
  /** The order number people see and WeChat Pay's first `out_trade_no`; it never changes. */
  number: z.string().check(z.minLength(1), z.maxLength(32)),
  version: z.int().check(z.minimum(1)),
  status: OrderStatusSchema,
  closeReason: z.optional(CloseReasonSchema),
  customerId: IdSchema,
  currency: z.literal('CNY'),
  fulfillment: FulfillmentSchema,
  lines: z.array(LineSchema).check(z.minLength(1)),
  address: z.optional(AddressSchema),
  buyerRemark: z.optional(z.string().check(z.maxLength(200))),
  merchantNotes: z.array(NoteSchema),
  pricing: OrderPricingSchema,
  payment: PaymentSchema,
  shipments: z.array(ShipmentSchema),
  afterSales: z.array(AfterSaleSchema),
  refunds: z.array(RefundSchema),
  deadlines: DeadlinesSchema,
  createdAt: TimestampSchema,
  updatedAt: TimestampSchema,
  paidAt: z.optional(TimestampSchema),
  shippedAt: z.optional(TimestampSchema),
  deliveredAt: z.optional(TimestampSchema),
  completedAt: z.optional(TimestampSchema),
  closedAt: z.optional(TimestampSchema),
  /**
   * Points moved so far (docs/pricing.md "Points after the order"): spent points given back
   * (`released` ≤ pricing.pointsUsed), earned points granted on completion and clawed back by later
   * refunds. Absent: nothing moved yet (orders stored before points were settled read as zeros).
   */
  points: z.optional(z.object({
    released: CountSchema,
    granted: CountSchema,
    clawedBack: CountSchema,
    /** When the earned points were granted (completion); absent: not yet. */
    grantedAt: z.optional(TimestampSchema),
  })),
  /** Free-form data of the shop's own (channel, store id…); orderkit never reads it. */
  metadata: z.optional(z.record(z.string(), z.unknown())),
  /**
   * Where the order came from ('mini_program', 'live', 'share'…), set at placement and never
   * changed; the analytics break figures down by it (docs/analytics.md "Channels"). Stored-order
   * version 2 (docs/storage.md "Stored order versions").
   */
  channel: z.optional(ChannelSchema),
  /**
   * When the shopper deleted the order from their list (DELETE_ORDER, docs/mini-program.md
   * "Deleting an order"): hidden from the shopper's lists and reads, kept as it is for the shop and
   * the analytics. Stored-order version 3.
   */
  deletedByCustomerAt: z.optional(TimestampSchema),
  /**
   * How the order reaches the shopper: express, local courier (同城配送) or store pickup (到店自提);
   * absent: express (docs/delivery.md). Stored-order version 4.
   */
  delivery: z.optional(OrderDeliverySchema),
}));

export type Order = z.output<typeof OrderSchema>;
