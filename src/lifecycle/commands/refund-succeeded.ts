import { RefundSucceededSchema } from '../../order/index.js';
import { defineCommand } from '../define.js';
import { AFTER_SALE_OPEN, ANY_STATUS, closeAs } from './refs.js';

/** 退款成功: the gateway's refund result. The refund that returns the last fen closes the order. */
export const refundSucceeded = defineCommand({
  type: 'REFUND_SUCCEEDED',
  schema: RefundSucceededSchema,
  actors: ['payment', 'system'],
  label: { 'zh-CN': '退款成功', en: 'Refund succeeded' },
  rows: [
    { from: ANY_STATUS, guard: 'afterSaleUnchanged', description: 'no-op' },
    { from: AFTER_SALE_OPEN, to: 'closed', guard: 'refundSettlesOrder', actions: ['applyAfterSale', closeAs('fully_refunded'), 'settlePoints'] },
    { from: ANY_STATUS, guard: 'afterSaleAccepted', actions: ['applyAfterSale', 'settlePoints'] },
  ],
});
