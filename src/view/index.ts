export { orderView, orderCountdown, adjustmentView, freightFee } from './order-view.js';
export { orderActions, afterSaleActions } from './actions.js';
export type { ActionContext } from './actions.js';
export {
  ORDER_LIST_TABS,
  orderListTab,
  orderMatchesTab,
  countOrdersByTab,
  orderListTabsView,
  orderListItemView,
} from './list.js';
export type { OrderListTab, OrderListTabKey } from './list.js';
export { quoteView } from './quote-view.js';
export { lineMoneyView } from './line-view.js';
export { refundQuoteView } from './refund-quote-view.js';
export { couponOptionsView } from './coupon-view.js';
export type { CouponOptionView, CouponOptionsInput } from './coupon-view.js';
export type { RefundQuoteView } from './refund-quote-view.js';
export type { QuoteView, QuoteLineView } from './quote-view.js';
export { moneyView, shopTime } from './format.js';
export { deliveryView, DELIVERY_MODE_LABELS } from './delivery-view.js';
export type { DeliveryView } from './delivery-view.js';
export type { MoneyView, ViewLocale } from './format.js';
export {
  ACTIONS,
  AFTER_SALE_KIND_LABELS,
  LOGISTICS_LABELS,
  REFUND_REASON_LABELS,
  ADJUSTMENT_SOURCE_LABELS,
  COUNTDOWN_LABELS,
  statusLabelOf,
} from './labels.js';
export type { ActionKey, ActionDefinition } from './labels.js';
export type {
  ViewOptions,
  ViewLifecycle,
  ViewTransitionResult,
  ActionButton,
  CountdownView,
  AllocationView,
  LineMoneyView,
  LineView,
  AdjustmentView,
  PricingView,
  ShipmentView,
  RefundView,
  AfterSaleView,
  DeadlinesView,
  OrderView,
  PaymentSourceView,
  OrderListItemView,
} from './types.js';
