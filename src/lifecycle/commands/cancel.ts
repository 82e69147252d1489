import { CancelSchema } from '../../order/index.js';
import { defineCommand } from '../define.js';
import { closeAs, notify } from './refs.js';

/**
 * 取消订单. Unpaid: closes the order (the shopper's or the shop's cancel). Paid: the shop's cancel
 * refunds in full and closes; the shopper's becomes a refund-only after-sale request for the whole order.
 * The shop's CANCEL with reason `out_of_stock` (the service sends it when a payment finds no stock
 * under 付款减库存) closes a paid order as `out_of_stock`, refunded in full.
 */
export const cancel = defineCommand({
  type: 'CANCEL',
  schema: CancelSchema,
  actors: ['customer', 'merchant'],
  label: { 'zh-CN': '取消订单', en: 'Cancel order' },
  rows: [
    { from: 'pending_payment', to: 'closed', guard: 'sentByCustomer', actions: [closeAs('customer_cancelled'), 'closePayment', 'releaseInventory', 'releaseCoupons', 'settlePoints'] },
    {
      from: 'pending_payment',
      to: 'closed',
      guard: 'sentByMerchant',
      actions: [closeAs('merchant_cancelled'), 'closePayment', 'releaseInventory', 'releaseCoupons', 'settlePoints', notify('customer', 'order_cancelled')],
    },
    {
      // 付款减库存: the payment found no stock; the service closes the order (docs/inventory.md).
      // A virtual order is `shipped` as soon as it is paid.
      from: ['paid', 'shipped'],
      to: 'closed',
      guard: 'stockRanOut',
      actions: [closeAs('out_of_stock'), { type: 'refundInFull', params: { reason: 'out_of_stock' } }, 'releaseInventory', 'releaseCoupons', 'settlePoints', notify('customer', 'order_cancelled', ['refund'])],
    },
    {
      from: 'paid',
      to: 'closed',
      guard: 'sentByMerchant',
      actions: [closeAs('merchant_cancelled'), { type: 'refundInFull', params: { reason: 'merchant_cancel' } }, 'releaseInventory', 'releaseCoupons', 'settlePoints', notify('customer', 'order_cancelled', ['refund'])],
    },
    { from: 'paid', guard: 'customerCancelRequestsRefund', actions: ['applyAfterSale', 'settlePoints'] },
  ],
  button: { key: 'cancel', rank: 50 },
  http: { path: '/cancel', operationId: 'cancelOrder' },
});
