import { RecordSettlementSchema } from '../../order/index.js';
import { defineCommand } from '../define.js';

/** 结算入账: WeChat settled the payment (its order events): kept on the payment, status unchanged. */
export const recordSettlement = defineCommand({
  type: 'RECORD_SETTLEMENT',
  schema: RecordSettlementSchema,
  actors: ['payment', 'system'],
  label: { 'zh-CN': '结算入账', en: 'Settlement recorded' },
  rows: [
    { from: ['paid', 'partially_shipped', 'shipped', 'delivered', 'completed', 'closed'], guard: 'isRecordedSettlement', description: 'no-op' },
    { from: ['paid', 'partially_shipped', 'shipped', 'delivered', 'completed', 'closed'], guard: 'settlementAcceptable', actions: ['recordSettlement'] },
  ],
});
