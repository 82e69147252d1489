export {
  MemoryGroupStore,
  createGroupBuy,
  groupBuyLifecycle,
  groupOf,
  groupPaymentSucceeded,
  groupCompleted,
  groupFailed,
  GROUP_BUY_STATUSES,
} from './group-buy.js';
export type { Group, GroupMember, GroupStatus, GroupStore, GroupResult, GroupBuy, GroupBuyOptions, GroupBuyMetadata, SettleReport } from './group-buy.js';
export { flowErrors } from './errors.js';
export {
  createPresale,
  presaleLifecycle,
  presaleOf,
  presaleRefundSplit,
  placePresaleRefunds,
  withDeduction,
  payDeposit,
  payBalance,
  balanceExpired,
  presalePaymentSucceeded,
  presaleCancel,
  presaleAdjustPrice,
  presaleRecordGatewayRefund,
  PRESALE_STATUSES,
} from './presale.js';
export type { Presale, PresaleOptions, PresaleTerms, PresalePart, PresaleMetadata, PresaleRefundPlacement } from './presale.js';
