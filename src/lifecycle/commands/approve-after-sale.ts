import { ApproveAfterSaleSchema } from '../../order/index.js';
import { defineCommand } from '../define.js';
import { AFTER_SALE_END_ROW, AFTER_SALE_SHIPS_REST_ROW } from './refs.js';

/**
 * 同意售后: a refund-only request starts its refund; a return waits for the parcel. Also resends a failed refund.
 * Also on a closed order: a request still open when a refund made in the merchant platform closed it is
 * approved for what is left of the payment, nothing (docs/after-sales.md "Refunds the ledger did not know").
 */
export const approveAfterSale = defineCommand({
  type: 'APPROVE_AFTER_SALE',
  schema: ApproveAfterSaleSchema,
  actors: ['merchant'],
  label: { 'zh-CN': '同意售后', en: 'Approve after-sales' },
  rows: [AFTER_SALE_SHIPS_REST_ROW, AFTER_SALE_END_ROW],
  button: { key: 'approveAfterSale', label: { 'zh-CN': '同意', en: 'Approve' }, rank: 130, primary: true, perAfterSale: (afterSaleId) => ({ type: 'APPROVE_AFTER_SALE', afterSaleId }) },
  http: { path: '/after-sales/:afterSaleId/approve', operationId: 'approveAfterSale' },
});
