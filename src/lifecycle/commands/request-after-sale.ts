import { RequestAfterSaleSchema } from '../../order/index.js';
import { defineCommand } from '../define.js';
import { AFTER_SALE_ROW } from './refs.js';

/** 申请售后: refund only or return and refund, for some lines or the whole order. */
export const requestAfterSale = defineCommand({
  type: 'REQUEST_AFTER_SALE',
  schema: RequestAfterSaleSchema,
  actors: ['customer', 'merchant'],
  label: { 'zh-CN': '申请售后', en: 'Request after-sales' },
  rows: [AFTER_SALE_ROW],
  button: { key: 'requestAfterSale', label: { 'zh-CN': '申请售后', en: 'Request after-sales' }, rank: 60 },
  http: { path: '/after-sales', operationId: 'requestAfterSale' },
});
