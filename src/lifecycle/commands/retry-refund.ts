import { RetryRefundSchema } from '../../order/index.js';
import { defineCommand } from '../define.js';
import { ANY_STATUS } from './refs.js';

/** 重新退款: sends a failed refund again under the same refund id and amount, in any status. */
export const retryRefund = defineCommand({
  type: 'RETRY_REFUND',
  schema: RetryRefundSchema,
  actors: ['merchant', 'system'],
  label: { 'zh-CN': '重新退款', en: 'Retry refund' },
  rows: [{ from: ANY_STATUS, guard: 'afterSaleAccepted', actions: ['applyAfterSale'] }],
});
