export {
  succeededRefundTotal,
  pendingRefundTotal,
  holdsMoney,
  refundedByTransaction,
  refundableBalance,
  refundCount,
  findRefund,
  nextRefundId,
  openRefund,
} from './ledger.js';
export type { OpenRefundInput } from './ledger.js';
export type { AfterSaleContext, AfterSaleStepResult } from './types.js';
export { refundQuote } from './quote.js';
export type { RefundRequest, RefundQuote, RefundQuoteLine, RefundQuoteContext, RefundQuoteResult } from './quote.js';
export { cumulativeShare, unitShareRuns, lineRefundAmount } from './unit-shares.js';
export type { UnitShareRun } from './unit-shares.js';
export { lineHoldings, unshippableQuantities, shippingHeld, afterSaleLineAmounts } from './holdings.js';
export type { LineHolding } from './holdings.js';
export { committedAmount, availableToRefund, plannedRefundCount } from './caps.js';
export { supersedeOpenAfterSales, refundRetryable } from './supersede.js';
export type { CapOptions } from './caps.js';
export { refundDeadline, afterSaleWindowEnd, checkAfterSaleWindow, checkRefundPeriod } from './windows.js';
export {
  AFTER_SALE_TRANSITIONS,
  AFTER_SALE_COMMAND_TYPES,
  AFTER_SALE_GUARD_LABELS,
  FINAL_AFTER_SALE_STATUSES,
  findAfterSaleTransition,
  afterSaleGuardHolds,
} from './after-sale-states.js';
export type { AfterSaleTransition, AfterSaleGuard, AfterSaleCommandType } from './after-sale-states.js';
export { requestAfterSale, actsForRequester } from './request.js';
export { afterSaleCommands } from './actions.js';
export { approveAfterSale, rejectAfterSale, cancelAfterSale, returnShipped, returnReceived, findAfterSale } from './review.js';
export { refundSucceeded, refundFailed, retryRefund, isFullyRefunded, lateSuccessFits } from './results.js';
export { recordGatewayRefund } from './gateway-refund.js';
export type { PaidTransaction } from './gateway-refund.js';
export type { PointsTargets, PointsSettlement } from './points.js';
export {
  requestFreightRefund,
  requestExchange,
  proposeRefund,
  acceptRefundProposal,
  declineRefundProposal,
  setReturnShippingFee,
  shipExchange,
  proposalLimit,
  freightLeft,
} from './depth.js';
export type {
  RequestFreightRefundInput,
  RequestExchangeInput,
  ProposeRefundInput,
  AnswerProposalInput,
  SetReturnShippingFeeInput,
  ShipExchangeInput,
} from './depth.js';
export { AFTER_SALE_CREATING_COMMANDS } from './after-sale-states.js';
export { freightShares, lineFreightRefund } from './freight-split.js';
export { afterSaleOfRefund } from './ledger.js';
export { splitOverParts, REFUND_ROUTE_ORDER, paymentSourcesOf, sourceOf, sourceByTransaction, refundRoutes, sourceRefunds } from './routes.js';
export type { RoutePart, RouteShare, SourceShare } from './routes.js';
