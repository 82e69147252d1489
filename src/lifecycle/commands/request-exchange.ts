import { RequestExchangeSchema } from '../../order/index.js';
import { defineCommand } from '../define.js';
import { AFTER_SALE_ROW } from './refs.js';

/** 申请换货: shipped units go back, replacements of the same price come out; no money moves (docs/after-sales.md "Exchange"). */
export const requestExchange = defineCommand({
  type: 'REQUEST_EXCHANGE',
  schema: RequestExchangeSchema,
  actors: ['customer', 'merchant'],
  label: { 'zh-CN': '申请换货', en: 'Request an exchange' },
  rows: [AFTER_SALE_ROW],
  button: { key: 'requestExchange', label: { 'zh-CN': '换货', en: 'Exchange' }, rank: 62 },
  http: { path: '/after-sales/exchange', operationId: 'requestExchange' },
});
