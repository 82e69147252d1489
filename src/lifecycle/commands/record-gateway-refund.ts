import { RecordGatewayRefundSchema } from '../../order/index.js';
import { defineCommand } from '../define.js';
import { AFTER_SALE_OPEN, ANY_STATUS, closeAs } from './refs.js';

/**
 * 账单退款入账: a refund found in WeChat's bill that the ledger did not know (the daily
 * reconciliation, docs/wechat.md). The refund that returns the last fen closes the order.
 */
export const recordGatewayRefund = defineCommand({
  type: 'RECORD_GATEWAY_REFUND',
  schema: RecordGatewayRefundSchema,
  actors: ['payment', 'system'],
  label: { 'zh-CN': '账单退款入账', en: 'Gateway refund recorded' },
  rows: [
    { from: ANY_STATUS, guard: 'afterSaleUnchanged', description: 'no-op' },
    { from: AFTER_SALE_OPEN, to: 'closed', guard: 'gatewayRefundSettlesOrder', actions: ['applyAfterSale', closeAs('fully_refunded'), 'settlePoints'] },
    { from: ANY_STATUS, guard: 'afterSaleAccepted', actions: ['applyAfterSale'] },
  ],
});
