import { ReturnReceivedSchema } from '../../order/index.js';
import { defineCommand } from '../define.js';
import { AFTER_SALE_END_ROW } from './refs.js';

/** 商家收到退货: the returned goods arrived; the refund starts. */
export const returnReceived = defineCommand({
  type: 'RETURN_RECEIVED',
  schema: ReturnReceivedSchema,
  actors: ['merchant'],
  label: { 'zh-CN': '商家收到退货', en: 'Return received' },
  rows: [AFTER_SALE_END_ROW],
  button: { key: 'returnReceived', label: { 'zh-CN': '确认收到退货', en: 'Return received' }, rank: 150, primary: true, perAfterSale: (afterSaleId) => ({ type: 'RETURN_RECEIVED', afterSaleId }) },
  http: { path: '/after-sales/:afterSaleId/return-received', operationId: 'returnReceived' },
});
