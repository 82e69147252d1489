import { RecordStrayPaymentSchema } from '../../order/index.js';
import { defineCommand } from '../define.js';
import { ANY_STATUS, STRAY_REFUND } from './refs.js';

/**
 * 异常支付退款: verified money that cannot pay the order (a superseded attempt, a wrong amount, a
 * second transaction) is recorded and refunded in full; the status does not change.
 */
export const recordStrayPayment = defineCommand({
  type: 'RECORD_STRAY_PAYMENT',
  schema: RecordStrayPaymentSchema,
  actors: ['payment', 'system'],
  label: { 'zh-CN': '异常支付退款', en: 'Stray payment refunded' },
  rows: [
    { from: ANY_STATUS, guard: 'isRecordedStrayPayment', description: 'no-op' },
    { from: ANY_STATUS, guard: 'strayPaymentAcceptable', actions: STRAY_REFUND },
  ],
});
