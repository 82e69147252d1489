import { ReturnShippedSchema } from '../../order/index.js';
import { defineCommand } from '../define.js';
import { AFTER_SALE_END_ROW } from './refs.js';

/** 买家寄回: the shopper enters the return parcel's tracking number (once). */
export const returnShipped = defineCommand({
  type: 'RETURN_SHIPPED',
  schema: ReturnShippedSchema,
  actors: ['customer'],
  label: { 'zh-CN': '买家寄回', en: 'Return sent back' },
  rows: [AFTER_SALE_END_ROW],
  button: {
    key: 'returnShipped',
    label: { 'zh-CN': '填写退货单号', en: 'Enter return tracking' },
    rank: 140,
    primary: true,
    perAfterSale: (afterSaleId) => ({ type: 'RETURN_SHIPPED', afterSaleId, trackingNo: 'PROBE', expressCompany: 'PROBE' }),
  },
  http: { path: '/after-sales/:afterSaleId/return-shipped', operationId: 'returnShipped' },
});
