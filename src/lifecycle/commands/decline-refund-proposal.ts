import { DeclineRefundProposalSchema } from '../../order/index.js';
import { defineCommand } from '../define.js';
import { AFTER_SALE_ROW } from './refs.js';

/** 拒绝协商: the shopper declines the offer; the request stays under review. */
export const declineRefundProposal = defineCommand({
  type: 'DECLINE_REFUND_PROPOSAL',
  schema: DeclineRefundProposalSchema,
  actors: ['customer'],
  label: { 'zh-CN': '拒绝协商金额', en: 'Decline the proposal' },
  rows: [AFTER_SALE_ROW],
  button: { key: 'declineRefundProposal', label: { 'zh-CN': '不接受', en: 'Decline' }, rank: 127, perAfterSale: (afterSaleId) => ({ type: 'DECLINE_REFUND_PROPOSAL', afterSaleId }) },
  http: { path: '/after-sales/:afterSaleId/proposals/decline', operationId: 'declineRefundProposal' },
});
