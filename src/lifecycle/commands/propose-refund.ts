import { ProposeRefundSchema } from '../../order/index.js';
import { defineCommand } from '../define.js';
import { AFTER_SALE_ROW } from './refs.js';

/** 协商退款: the merchant offers a partial amount on a request under review (docs/after-sales.md "Negotiated refunds"). */
export const proposeRefund = defineCommand({
  type: 'PROPOSE_REFUND',
  schema: ProposeRefundSchema,
  actors: ['merchant'],
  label: { 'zh-CN': '协商退款', en: 'Propose a refund amount' },
  rows: [AFTER_SALE_ROW],
  button: { key: 'proposeRefund', label: { 'zh-CN': '协商金额', en: 'Propose amount' }, rank: 125, perAfterSale: (afterSaleId) => ({ type: 'PROPOSE_REFUND', afterSaleId, amount: 1 }) },
  http: { path: '/after-sales/:afterSaleId/proposals', operationId: 'proposeRefund' },
});
