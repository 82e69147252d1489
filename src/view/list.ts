import type { LocalizedText } from '../errors/orderkit-error.js';
import { defaultPolicy } from '../order/policy.js';
import { CLOSE_REASON_LABELS, type Order, type OrderStatus } from '../order/index.js';
import { statusLabelOf } from './labels.js';
import { orderActions } from './actions.js';
import { moneyView, shopTime, type ViewLocale } from './format.js';
import { orderCountdown } from './order-view.js';
import type { OrderListItemView, ViewOptions } from './types.js';
import { checkViewOptions } from './options.js';

export type OrderListTabKey = 'all' | 'pending_payment' | 'to_ship' | 'to_receive' | 'completed' | 'after_sale';

/**
 * One tab of 我的订单. A tab is either a set of statuses (what the store's `list({ status })`
 * query takes) or "has an after-sale", which cuts across statuses: a refunded order may be
 * completed or closed.
 */
export interface OrderListTab {
  key: OrderListTabKey;
  label: LocalizedText;
  /** Null: every status. */
  statuses: readonly OrderStatus[] | null;
  /** Only orders with at least one after-sale. */
  afterSale: boolean;
}

/**
 * The tabs of 我的订单, in order. 部分发货 sits under 待发货 (something is still to ship) and 已签收
 * under 待收货 (receipt is not confirmed yet); closed orders show only under 全部.
 *
 * @example
 * ORDER_LIST_TABS.map((t) => t.label['zh-CN']) // → ['全部', '待付款', '待发货', '待收货', '已完成', '售后']
 */
export const ORDER_LIST_TABS: readonly OrderListTab[] = [
  { key: 'all', label: { 'zh-CN': '全部', en: 'All' }, statuses: null, afterSale: false },
  { key: 'pending_payment', label: { 'zh-CN': '待付款', en: 'To pay' }, statuses: ['pending_payment'], afterSale: false },
  { key: 'to_ship', label: { 'zh-CN': '待发货', en: 'To ship' }, statuses: ['paid', 'partially_shipped'], afterSale: false },
  { key: 'to_receive', label: { 'zh-CN': '待收货', en: 'To receive' }, statuses: ['shipped', 'delivered'], afterSale: false },
  { key: 'completed', label: { 'zh-CN': '已完成', en: 'Completed' }, statuses: ['completed'], afterSale: false },
  { key: 'after_sale', label: { 'zh-CN': '售后', en: 'After-sales' }, statuses: null, afterSale: true },
];

/**
 * The tab definition for a key; unknown keys (a stale link, a typo) fall back to 全部.
 *
 * @example
 * orderListTab('to_ship').statuses // → ['paid', 'partially_shipped']
 */
export function orderListTab(key: string): OrderListTab {
  for (const t of ORDER_LIST_TABS) if (t.key === key) return t;
  return ORDER_LIST_TABS[0]!;
}

/**
 * Whether an order belongs under a tab.
 *
 * @example
 * orderMatchesTab(paidOrder, 'to_ship') // → true
 */
export function orderMatchesTab(order: Order, key: OrderListTabKey | string): boolean {
  const tab = orderListTab(key);
  if (tab.afterSale) return order.afterSales.length > 0;
  return tab.statuses === null || tab.statuses.indexOf(order.status) >= 0;
}

/**
 * How many orders fall under each tab (the numbers on the tabs).
 *
 * @example
 * countOrdersByTab(orders) // → { all: 12, pending_payment: 1, to_ship: 2, to_receive: 3, completed: 5, after_sale: 1 }
 */
export function countOrdersByTab(orders: Iterable<Order>): Record<OrderListTabKey, number> {
  const counts: Record<OrderListTabKey, number> = { all: 0, pending_payment: 0, to_ship: 0, to_receive: 0, completed: 0, after_sale: 0 };
  for (const o of orders) for (const t of ORDER_LIST_TABS) if (orderMatchesTab(o, t.key)) counts[t.key] += 1;
  return counts;
}

/**
 * The tabs with labels in one language and their counts, ready for a tab bar.
 *
 * @example
 * orderListTabsView(countOrdersByTab(orders))[1] // → { key: 'pending_payment', label: '待付款', count: 1 }
 */
export function orderListTabsView(
  counts: Partial<Record<OrderListTabKey, number>>,
  locale: ViewLocale = 'zh-CN',
): Array<{ key: OrderListTabKey; label: string; count: number }> {
  return ORDER_LIST_TABS.map((t) => ({ key: t.key, label: t.label[locale], count: counts[t.key] ?? 0 }));
}

const OPEN_AFTER_SALE = ['requested', 'approved', 'awaiting_return', 'returned', 'refunding'];

/**
 * One card of the order list: cover, title, count, total, status and the same buttons as the
 * detail page.
 *
 * @example
 * orderListItemView(order, { actor, now }).title // → '有机燕麦片 1kg 等 3 件商品'
 */
export function orderListItemView(order: Order, options: ViewOptions): OrderListItemView {
  checkViewOptions(options, 'orderListItemView');
  const locale = options.locale ?? 'zh-CN';
  const policy = options.policy ?? defaultPolicy;
  const first = order.lines[0]!;
  let itemCount = 0;
  for (const l of order.lines) itemCount += l.quantity;
  const more = order.lines.length > 1;
  const title = more ? (locale === 'zh-CN' ? `${first.title} 等 ${order.lines.length} 件商品` : `${first.title} and ${order.lines.length - 1} more`) : first.title;
  const v: OrderListItemView = {
    id: order.id,
    number: order.number,
    version: order.version,
    status: order.status,
    statusLabel: statusLabelOf(order.status, locale, options.statusLabels ?? options.lifecycle?.statusLabels),
    title,
    lineCount: order.lines.length,
    itemCount,
    total: moneyView(order.pricing.total),
    createdAtText: shopTime(order.createdAt, policy.timeZone),
    afterSaleOpen: order.afterSales.some((a) => OPEN_AFTER_SALE.indexOf(a.status) >= 0),
    countdown: orderCountdown(order, { now: options.now, policy, locale }),
    actions: orderActions(order, { actor: options.actor, now: options.now, policy, locale, lifecycle: options.lifecycle, actions: options.actions }),
  };
  if (first.image !== undefined) v.image = first.image;
  if (order.closeReason !== undefined) v.closeReasonLabel = CLOSE_REASON_LABELS[order.closeReason][locale];
  return v;
}
