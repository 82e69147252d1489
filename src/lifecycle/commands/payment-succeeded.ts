import { PaymentSucceededSchema } from '../../order/index.js';
import { defineCommand } from '../define.js';
import { AFTER_SALE_OPEN, BECOMES_PAID, STRAY_REFUND } from './refs.js';

/**
 * 支付成功: a verified gateway notification. Pays an unpaid order; the same transaction again is a
 * no-op; a payment that cannot pay the order (after close, already paid by another transaction) is
 * a stray payment, recorded and refunded (docs/lifecycle.md "Edits and payment attempts").
 */
export const paymentSucceeded = defineCommand({
  type: 'PAYMENT_SUCCEEDED',
  schema: PaymentSucceededSchema,
  actors: ['payment'],
  label: { 'zh-CN': '支付成功', en: 'Payment succeeded' },
  rows: [
    { from: ['pending_payment', 'closed'], guard: 'isRecordedStrayPayment', description: 'no-op' },
    { from: 'pending_payment', to: 'paid', guard: 'paysPhysicalOrder', actions: ['recordPayment', ...BECOMES_PAID] },
    { from: 'pending_payment', to: 'shipped', guard: 'paysVirtualOrder', actions: ['recordPayment', ...BECOMES_PAID] },
    { from: 'closed', guard: 'isPaymentAfterClose', actions: STRAY_REFUND },
    { from: [...AFTER_SALE_OPEN, 'closed'], guard: 'isDuplicatePayment', description: 'no-op' },
  ],
  // 去支付 starts a payment; the command itself comes later from the gateway.
  button: { key: 'pay', label: { 'zh-CN': '去支付', en: 'Pay now' }, rank: 100, primary: true },
});
