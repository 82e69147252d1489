import { RefundFailedSchema } from '../../order/index.js';
import { defineCommand } from '../define.js';
import { ANY_STATUS } from './refs.js';

/** 退款失败: the gateway's refund result; the refund can be sent again (RETRY_REFUND). */
export const refundFailed = defineCommand({
  type: 'REFUND_FAILED',
  schema: RefundFailedSchema,
  actors: ['payment', 'system'],
  label: { 'zh-CN': '退款失败', en: 'Refund failed' },
  rows: [
    { from: ANY_STATUS, guard: 'afterSaleUnchanged', description: 'no-op' },
    { from: ANY_STATUS, guard: 'afterSaleAccepted', actions: ['applyAfterSale'] },
  ],
});
