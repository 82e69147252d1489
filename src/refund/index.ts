export { succeededRefundTotal, pendingRefundTotal, refundableBalance, nextRefundId, openRefund } from './ledger.js';
export type { OpenRefundInput } from './ledger.js';
export type { AfterSaleContext, AfterSaleStepResult } from './types.js';
export {
  requestAfterSale,
  approveAfterSale,
  rejectAfterSale,
  cancelAfterSale,
  returnShipped,
  returnReceived,
  refundSucceeded,
  refundFailed,
  isFullyRefunded,
} from './reducers.js';
