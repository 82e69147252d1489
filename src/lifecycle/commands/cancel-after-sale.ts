import { CancelAfterSaleSchema } from '../../order/index.js';
import { defineCommand } from '../define.js';
import { AFTER_SALE_END_ROW } from './refs.js';

/** 撤销申请: whoever filed the request withdraws it before money moves. */
export const cancelAfterSale = defineCommand({
  type: 'CANCEL_AFTER_SALE',
  schema: CancelAfterSaleSchema,
  actors: ['customer', 'merchant'],
  label: { 'zh-CN': '撤销售后申请', en: 'Withdraw after-sales request' },
  rows: [AFTER_SALE_END_ROW],
  button: { key: 'cancelAfterSale', label: { 'zh-CN': '撤销申请', en: 'Withdraw request' }, rank: 110, perAfterSale: (afterSaleId) => ({ type: 'CANCEL_AFTER_SALE', afterSaleId }) },
  http: { path: '/after-sales/:afterSaleId/cancel', operationId: 'cancelAfterSale' },
});
