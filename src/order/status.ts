import * as z from '../zod.js';
import type { LocalizedText } from '../errors/orderkit-error.js';

export const ORDER_STATUSES = [
  'pending_payment',
  'paid',
  'partially_shipped',
  'shipped',
  'delivered',
  'completed',
  'closed',
] as const;
export const OrderStatusSchema = z.enum(ORDER_STATUSES);
export type OrderStatus = (typeof ORDER_STATUSES)[number];

/** The tab a shopper sees for each status. */
export const ORDER_STATUS_LABELS: Readonly<Record<OrderStatus, LocalizedText>> = {
  pending_payment: { 'zh-CN': '待付款', en: 'Awaiting payment' },
  paid: { 'zh-CN': '待发货', en: 'To be shipped' },
  partially_shipped: { 'zh-CN': '部分发货', en: 'Partially shipped' },
  shipped: { 'zh-CN': '待收货', en: 'Shipped' },
  delivered: { 'zh-CN': '已签收', en: 'Delivered' },
  completed: { 'zh-CN': '已完成', en: 'Completed' },
  closed: { 'zh-CN': '已关闭', en: 'Closed' },
};

/** `out_of_stock` (stored version 3): 付款减库存 and the payment found no stock; refunded in full. */
export const CLOSE_REASONS = ['payment_timeout', 'customer_cancelled', 'merchant_cancelled', 'fully_refunded', 'out_of_stock'] as const;
export const CloseReasonSchema = z.enum(CLOSE_REASONS);
export type CloseReason = (typeof CLOSE_REASONS)[number];

export const CLOSE_REASON_LABELS: Readonly<Record<CloseReason, LocalizedText>> = {
  payment_timeout: { 'zh-CN': '超时未支付', en: 'Payment timed out' },
  customer_cancelled: { 'zh-CN': '买家取消', en: 'Cancelled by the customer' },
  merchant_cancelled: { 'zh-CN': '商家取消', en: 'Cancelled by the merchant' },
  fully_refunded: { 'zh-CN': '已全额退款', en: 'Fully refunded' },
  out_of_stock: { 'zh-CN': '库存不足，已全额退款', en: 'Out of stock; refunded in full' },
};

export const AFTER_SALE_STATUSES = [
  'requested',
  'approved',
  'rejected',
  'awaiting_return',
  'returned',
  'refunding',
  'refunded',
  'cancelled',
  'exchanged',
] as const;
export const AfterSaleStatusSchema = z.enum(AFTER_SALE_STATUSES);
export type AfterSaleStatus = (typeof AFTER_SALE_STATUSES)[number];

export const AFTER_SALE_STATUS_LABELS: Readonly<Record<AfterSaleStatus, LocalizedText>> = {
  requested: { 'zh-CN': '待审核', en: 'Requested' },
  approved: { 'zh-CN': '已同意', en: 'Approved' },
  rejected: { 'zh-CN': '已拒绝', en: 'Rejected' },
  awaiting_return: { 'zh-CN': '待买家退货', en: 'Awaiting return' },
  returned: { 'zh-CN': '商家已收货', en: 'Return received' },
  refunding: { 'zh-CN': '退款中', en: 'Refunding' },
  refunded: { 'zh-CN': '已退款', en: 'Refunded' },
  cancelled: { 'zh-CN': '已撤销', en: 'Cancelled' },
  exchanged: { 'zh-CN': '已换货', en: 'Exchanged' },
};

export const REFUND_STATUSES = ['pending', 'succeeded', 'failed'] as const;
export const RefundStatusSchema = z.enum(REFUND_STATUSES);
export type RefundStatus = (typeof REFUND_STATUSES)[number];

export const REFUND_STATUS_LABELS: Readonly<Record<RefundStatus, LocalizedText>> = {
  pending: { 'zh-CN': '退款处理中', en: 'Refund pending' },
  succeeded: { 'zh-CN': '退款成功', en: 'Refund succeeded' },
  failed: { 'zh-CN': '退款失败', en: 'Refund failed' },
};

/** Label of a status in one language: `statusLabel('paid')` → '待发货'. */
export function statusLabel(status: OrderStatus, locale: keyof LocalizedText = 'zh-CN'): string {
  return ORDER_STATUS_LABELS[status][locale];
}
