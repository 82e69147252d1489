/**
 * wx-orderkit/advanced: the building blocks under the root entry, for code that composes its own
 * steps: each built-in command's zod schema, the order's part schemas, the after-sale and refund
 * steps, ledger, holdings and unit-share arithmetic, the compiled chart, payment attempts and the
 * stray-payment rule. Types are exported from the root entry (docs/architecture.md).
 */
export { invalidAmount } from './money/index.js';
export {
  SignedFenSchema,
  unstorablePath,
  UNSTORABLE_STRING,
  refuseUnstorableStrings,
  OrderStatusSchema,
  CloseReasonSchema,
  AfterSaleStatusSchema,
  RefundStatusSchema,
  DISCOUNT_SOURCES,
  DiscountSourceSchema,
  AllocationSchema,
  FulfillmentSchema,
  LineSchema,
  AdjustmentSchema,
  OrderPricingSchema,
  PAYMENT_ATTEMPT_STATUSES,
  PaymentAttemptSchema,
  StrayPaymentSchema,
  PaymentSchema,
  LineQuantitySchema,
  LogisticsTypeSchema,
  ShipmentSchema,
  AfterSaleKindSchema,
  AfterSaleSchema,
  RefundSchema,
  ABNORMAL_REFUND_HANDLINGS,
  DeadlinesSchema,
  NoteSchema,
  PaymentSucceededSchema,
  CancelSchema,
  ExpireSchema,
  ShipSchema,
  DeliverSchema,
  ConfirmReceiptSchema,
  AutoConfirmSchema,
  RequestAfterSaleSchema,
  ApproveAfterSaleSchema,
  RejectAfterSaleSchema,
  CancelAfterSaleSchema,
  ReturnShippedSchema,
  ReturnReceivedSchema,
  RefundSucceededSchema,
  RefundFailedSchema,
  RetryRefundSchema,
  AdjustPriceSchema,
  ChangeAddressSchema,
  AddRemarkSchema,
  RecordStrayPaymentSchema,
  RecordGatewayRefundSchema,
  RecordSettlementSchema,
  isCheckedCommand,
  OrderEventSchema,
  EffectSchema,
  MAX_ORDER_NUMBER_LENGTH,
  OUT_TRADE_NO_PATTERN,
} from './order/index.js';
export {
  compileChart,
  ACTION_EFFECTS,
  lifecycleErrors,
  MAX_PAYMENT_ATTEMPTS,
  attemptOutTradeNo,
  currentAttempt,
  nextAttemptOutTradeNo,
  orderNumberOfOutTradeNo,
  editErrors,
  isStrayPaymentRefusal,
  strayPaymentFor,
  deleteOrder,
} from './lifecycle/index.js';
export {
  holdsMoney,
  refundedByTransaction,
  refundCount,
  nextRefundId,
  openRefund,
  cumulativeShare,
  unitShareRuns,
  lineRefundAmount,
  lineHoldings,
  unshippableQuantities,
  shippingHeld,
  freightShares,
  lineFreightRefund,
  afterSaleOfRefund,
  afterSaleLineAmounts,
  plannedRefundCount,
  supersedeOpenAfterSales,
  refundRetryable,
  AFTER_SALE_TRANSITIONS,
  AFTER_SALE_COMMAND_TYPES,
  AFTER_SALE_GUARD_LABELS,
  FINAL_AFTER_SALE_STATUSES,
  findAfterSaleTransition,
  afterSaleGuardHolds,
  requestAfterSale,
  actsForRequester,
  afterSaleCommands,
  approveAfterSale,
  rejectAfterSale,
  cancelAfterSale,
  returnShipped,
  returnReceived,
  refundSucceeded,
  refundFailed,
  retryRefund,
  isFullyRefunded,
  lateSuccessFits,
  recordGatewayRefund,
} from './refund/index.js';
export {
  anonymizeCustomer,
  anonymizeFinishedOrders,
  personalDataRedaction,
  finishedAt,
  ANONYMOUS_PREFIX,
  type AnonymizeOptions,
  type AnonymizeReport,
  type RetentionOptions,
} from './service/index.js';
export type { PersonalDataRedaction } from './storage/index.js';
export {
  splitOverParts,
  REFUND_ROUTE_ORDER,
  paymentSourcesOf,
  sourceOf,
  sourceByTransaction,
  refundRoutes,
  sourceRefunds,
} from './refund/index.js';
export type { RoutePart, RouteShare, SourceShare, PaidTransaction } from './refund/index.js';
export { PAYMENT_SOURCE_KINDS, PaymentSourceSchema } from './order/index.js';
export type { PaymentSource, PaymentSourceKind } from './order/index.js';
export { planSources, balanceTransactionId, capturedBalance, sourceErrors } from './lifecycle/index.js';
export type { PayWith } from './lifecycle/index.js';
export { MemoryBalance, BALANCE_ERROR_CODES, isBalanceError, placeWithCompensation } from './balance/index.js';
export { reorderLines } from './pricing/index.js';
export type { BalancePort, BalanceMovement, BalanceResult, OrderBalance, BalanceErrorCode } from './balance/index.js';
/** What `placeWithCompensation`'s `doubt` hook is told of a placement left in doubt (docs/payment-sources.md). */
export type { DoubtNote } from './storage/index.js';
// Delivery modes (docs/delivery.md).
export {
  DELIVERY_MODES,
  DeliveryModeSchema,
  DeliverySlotSchema,
  RiderSchema,
  DeliveryProofSchema,
  PickupStoreSchema,
  QuoteDeliverySchema,
  PickupCodeSchema,
  OrderDeliverySchema,
  DispatchRiderSchema,
  RecordDeliveryProofSchema,
  VerifyPickupCodeSchema,
  deliveryModeOf,
} from './order/index.js';
export { localDeliveryFee, DeliveryRulesSchema, DeliveryChoiceSchema, DistanceBandSchema, DeliveryZoneSchema } from './pricing/index.js';
export { deliveryView, DELIVERY_MODE_LABELS } from './view/index.js';
