import { AutoConfirmSchema } from '../../order/index.js';
import { defineCommand } from '../define.js';

/** 自动确认收货: the sweeper completes a shipped order once `deadlines.autoConfirmAt` has passed. */
export const autoConfirm = defineCommand({
  type: 'AUTO_CONFIRM',
  schema: AutoConfirmSchema,
  actors: ['system'],
  label: { 'zh-CN': '自动确认收货', en: 'Receipt confirmed automatically' },
  rows: [{ from: ['shipped', 'delivered'], to: 'completed', guard: 'autoConfirmDue', actions: ['complete', 'settlePoints'] }],
});
