import { AcceptRefundProposalSchema } from '../../order/index.js';
import { defineCommand } from '../define.js';
import { AFTER_SALE_ROW, AFTER_SALE_SHIPS_REST_ROW } from './refs.js';

/** 接受协商: the shopper takes the merchant's offer; the after-sale is approved for that amount. */
export const acceptRefundProposal = defineCommand({
  type: 'ACCEPT_REFUND_PROPOSAL',
  schema: AcceptRefundProposalSchema,
  actors: ['customer'],
  label: { 'zh-CN': '接受协商金额', en: 'Accept the proposal' },
  rows: [AFTER_SALE_SHIPS_REST_ROW, AFTER_SALE_ROW],
  button: { key: 'acceptRefundProposal', label: { 'zh-CN': '接受', en: 'Accept' }, rank: 126, primary: true, perAfterSale: (afterSaleId) => ({ type: 'ACCEPT_REFUND_PROPOSAL', afterSaleId }) },
  http: { path: '/after-sales/:afterSaleId/proposals/accept', operationId: 'acceptRefundProposal' },
});
