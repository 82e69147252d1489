import { RejectAfterSaleSchema } from '../../order/index.js';
import { defineCommand } from '../define.js';
import { AFTER_SALE_END_ROW } from './refs.js';

/** 拒绝售后, with a reason the shopper sees. */
export const rejectAfterSale = defineCommand({
  type: 'REJECT_AFTER_SALE',
  schema: RejectAfterSaleSchema,
  actors: ['merchant'],
  label: { 'zh-CN': '拒绝售后', en: 'Reject after-sales' },
  rows: [AFTER_SALE_END_ROW],
  button: { key: 'rejectAfterSale', label: { 'zh-CN': '拒绝', en: 'Reject' }, rank: 120, perAfterSale: (afterSaleId) => ({ type: 'REJECT_AFTER_SALE', afterSaleId, reason: 'probe' }) },
  http: { path: '/after-sales/:afterSaleId/reject', operationId: 'rejectAfterSale' },
});
