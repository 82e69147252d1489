import { ExpireSchema } from '../../order/index.js';
import { defineCommand } from '../define.js';
import { closeAs } from './refs.js';

/** 超时关闭: the sweeper closes an order not paid by `deadlines.payBy`. */
export const expire = defineCommand({
  type: 'EXPIRE',
  schema: ExpireSchema,
  actors: ['system'],
  label: { 'zh-CN': '超时关闭', en: 'Payment timed out' },
  rows: [{ from: 'pending_payment', to: 'closed', guard: 'payDeadlinePassed', actions: [closeAs('payment_timeout'), 'closePayment', 'releaseInventory', 'releaseCoupons', 'settlePoints'] }],
});
