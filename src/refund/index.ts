export { succeededRefundTotal, pendingRefundTotal, refundableBalance, nextRefundId, openRefund } from './ledger.js';
export type { OpenRefundInput } from './ledger.js';
