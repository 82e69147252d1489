import { RequestFreightRefundSchema } from '../../order/index.js';
import { defineCommand } from '../define.js';
import { AFTER_SALE_ROW } from './refs.js';

/**
 * 退运费: the merchant refunds freight only, no goods (docs/after-sales.md "Freight-only refund"); approved at once.
 * A shopper who wants the freight back asks with REQUEST_AFTER_SALE; the merchant can answer with this.
 */
export const requestFreightRefund = defineCommand({
  type: 'REQUEST_FREIGHT_REFUND',
  schema: RequestFreightRefundSchema,
  actors: ['merchant'],
  label: { 'zh-CN': '退运费', en: 'Refund freight' },
  rows: [AFTER_SALE_ROW],
  button: { key: 'requestFreightRefund', label: { 'zh-CN': '退运费', en: 'Refund freight' }, rank: 61 },
  http: { path: '/after-sales/freight', operationId: 'requestFreightRefund' },
});
