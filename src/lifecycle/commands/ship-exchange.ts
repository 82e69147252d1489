import { ShipExchangeSchema } from '../../order/index.js';
import { defineCommand } from '../define.js';
import { AFTER_SALE_END_ROW } from './refs.js';

/** 换货发出: the replacement parcel of an exchange whose return arrived; the exchange is done. */
export const shipExchange = defineCommand({
  type: 'SHIP_EXCHANGE',
  schema: ShipExchangeSchema,
  actors: ['merchant'],
  label: { 'zh-CN': '寄出换货商品', en: 'Ship the replacement' },
  rows: [AFTER_SALE_END_ROW],
  button: {
    key: 'shipExchange',
    label: { 'zh-CN': '寄出换货', en: 'Ship replacement' },
    rank: 155,
    primary: true,
    perAfterSale: (afterSaleId) => ({ type: 'SHIP_EXCHANGE', afterSaleId, trackingNo: 'probe', expressCompany: 'probe' }),
  },
  http: { path: '/after-sales/:afterSaleId/exchange-shipment', operationId: 'shipExchange' },
});
