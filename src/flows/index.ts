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
