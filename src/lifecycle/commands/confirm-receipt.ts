import { ConfirmReceiptSchema } from '../../order/index.js';
import { defineCommand } from '../define.js';

/** 确认收货: the shopper completes the order. */
export const confirmReceipt = defineCommand({
  type: 'CONFIRM_RECEIPT',
  schema: ConfirmReceiptSchema,
  actors: ['customer'],
  label: { 'zh-CN': '确认收货', en: 'Confirm receipt' },
  rows: [{ from: ['shipped', 'delivered'], to: 'completed', actions: ['complete', 'settlePoints'] }],
  button: { key: 'confirmReceipt', rank: 90, primary: true },
  http: { path: '/confirm', operationId: 'confirmReceipt' },
});
