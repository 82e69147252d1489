import { RequestFreightRefundSchema } from '../../order/index.js';
import { defineCommand } from '../define.js';
import { AFTER_SALE_ROW } from './refs.js';

/** 申请退运费: a refund of freight only (docs/after-sales.md "Freight-only refund"); the merchant's own is approved at once. */
export const requestFreightRefund = defineCommand({
  type: 'REQUEST_FREIGHT_REFUND',
  schema: RequestFreightRefundSchema,
  actors: ['customer', 'merchant'],
  label: { 'zh-CN': '申请退运费', en: 'Request a freight refund' },
  rows: [AFTER_SALE_ROW],
  button: { key: 'requestFreightRefund', label: { 'zh-CN': '退运费', en: 'Refund freight' }, rank: 61 },
  http: { path: '/after-sales/freight', operationId: 'requestFreightRefund' },
});
