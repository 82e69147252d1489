import type { LocalizedText } from '../errors/orderkit-error.js';
import { defaultLifecycle } from '../lifecycle/transition.js';
import { ORDER_STATUS_LABELS, type AfterSaleKind, type CommandType, type DiscountSource, type LogisticsType, type Refund } from '../order/index.js';

/**
 * What a button does, in the shop's words. Most keys stand for one command; `viewLogistics` opens
 * the parcel's tracking and sends nothing, and `pay` starts a payment (the command itself,
 * `PAYMENT_SUCCEEDED`, comes later from the verified gateway notification).
 */
export type ActionKey =
  | 'pay'
  | 'cancel'
  | 'changeAddress'
  | 'confirmReceipt'
  | 'requestAfterSale'
  | 'viewLogistics'
  | 'cancelAfterSale'
  | 'returnShipped'
  | 'ship'
  | 'deliver'
  | 'adjustPrice'
  | 'addRemark'
  | 'approveAfterSale'
  | 'rejectAfterSale'
  | 'returnReceived';

export interface ActionDefinition {
  /** One of orderkit's keys, or the shop's own for a command an extended chart added. */
  key: ActionKey | (string & {});
  /** The command the button leads to; null for a button that only shows something. */
  command: CommandType | (string & {}) | null;
  label: LocalizedText;
  /** The main call to action of its row (filled button). */
  primary: boolean;
  /** Sits on one after-sale (needs its id) rather than on the whole order. */
  perAfterSale: boolean;
  /** For a per-after-sale button: the command a dry run tries for one after-sale (the command file's `button.perAfterSale`). */
  probe?: (afterSaleId: string) => { type: string };
}

/** 查看物流: opens the parcel's tracking and sends nothing, so no command file holds it. */
const VIEW_LOGISTICS: ActionDefinition = { key: 'viewLogistics', command: null, label: { 'zh-CN': '查看物流', en: 'Track parcel' }, primary: false, perAfterSale: false };

/** A lifecycle's buttons with 查看物流 first: the table a view renders. */
export function buttonsOf(buttons: readonly ActionDefinition[]): readonly ActionDefinition[] {
  return [VIEW_LOGISTICS, ...buttons];
}

/**
 * Every button orderkit knows, in display order (left to right; WeChat shops put the main action
 * last): 查看物流 and each built-in command's `button` (src/lifecycle/commands/). Commands that
 * only timers or gateways send (`EXPIRE`, `AUTO_CONFIRM`, `REFUND_*`, `RECORD_STRAY_PAYMENT`,
 * `RECORD_GATEWAY_REFUND`, `RECORD_SETTLEMENT`) have none.
 *
 * @example
 * ACTIONS.find((a) => a.key === 'confirmReceipt')?.label['zh-CN'] // → '确认收货'
 */
export const ACTIONS: readonly ActionDefinition[] = buttonsOf(defaultLifecycle.buttons);

/** 仅退款 / 退货退款. @example AFTER_SALE_KIND_LABELS.refund_only['zh-CN'] // → '仅退款' */
export const AFTER_SALE_KIND_LABELS: Readonly<Record<AfterSaleKind, LocalizedText>> = {
  refund_only: { 'zh-CN': '仅退款', en: 'Refund only' },
  return_and_refund: { 'zh-CN': '退货退款', en: 'Return and refund' },
  exchange: { 'zh-CN': '换货', en: 'Exchange' },
};

/** How a parcel travels. @example LOGISTICS_LABELS.pickup['zh-CN'] // → '到店自提' */
export const LOGISTICS_LABELS: Readonly<Record<LogisticsType, LocalizedText>> = {
  express: { 'zh-CN': '快递', en: 'Express' },
  same_city: { 'zh-CN': '同城配送', en: 'Same-city delivery' },
  virtual: { 'zh-CN': '无需物流', en: 'No shipping (virtual goods)' },
  pickup: { 'zh-CN': '到店自提', en: 'In-store pickup' },
};

/** Why money went back. @example REFUND_REASON_LABELS.after_sale['zh-CN'] // → '售后退款' */
export const REFUND_REASON_LABELS: Readonly<Record<Refund['reason'], LocalizedText>> = {
  after_sale: { 'zh-CN': '售后退款', en: 'After-sales refund' },
  merchant_cancel: { 'zh-CN': '商家取消退款', en: 'Refund for a merchant cancel' },
  late_payment: { 'zh-CN': '订单关闭后支付，全额退回', en: 'Paid after the order closed; refunded in full' },
  stray_payment: { 'zh-CN': '重复或无效支付，全额退回', en: 'Duplicate or invalid payment; refunded in full' },
  gateway: { 'zh-CN': '对账发现的微信支付退款', en: 'WeChat Pay refund found by reconciliation' },
  out_of_stock: { 'zh-CN': '库存不足，全额退款', en: 'Out of stock; refunded in full' },
};

/**
 * Where a price change came from, as a heading beside its amount; the adjustment's own `reason`
 * says the details.
 *
 * @example ADJUSTMENT_SOURCE_LABELS.full_reduction['zh-CN'] // → '满减'
 */
export const ADJUSTMENT_SOURCE_LABELS: Readonly<Record<DiscountSource | 'freight', LocalizedText>> = {
  member_price: { 'zh-CN': '会员价', en: 'Member price' },
  timed_discount: { 'zh-CN': '限时折扣', en: 'Timed discount' },
  full_reduction: { 'zh-CN': '满减', en: 'Spend-and-save' },
  coupon: { 'zh-CN': '优惠券', en: 'Coupon' },
  points: { 'zh-CN': '积分抵扣', en: 'Points' },
  price_adjustment: { 'zh-CN': '商家改价', en: 'Price adjusted by the shop' },
  freight: { 'zh-CN': '运费', en: 'Shipping' },
};

/**
 * A status label from `extra` (an extended chart's own statuses, or the shop's wording), then
 * orderkit's, then the status itself, so a view never breaks on a status it does not know.
 *
 * @example
 * statusLabelOf('ready_for_pickup', 'zh-CN', { ready_for_pickup: { 'zh-CN': '待自提', en: 'Ready for pickup' } }) // → '待自提'
 */
export function statusLabelOf(status: string, locale: keyof LocalizedText, extra?: Readonly<Record<string, LocalizedText>>): string {
  const own = extra && Object.prototype.hasOwnProperty.call(extra, status) ? extra[status] : undefined;
  if (own) return own[locale];
  const known = (ORDER_STATUS_LABELS as Readonly<Record<string, LocalizedText>>)[status];
  return known ? known[locale] : status;
}

/** Headings of the two countdowns a shopper sees. @example COUNTDOWN_LABELS.payBy['zh-CN'] // → '剩余支付时间' */
export const COUNTDOWN_LABELS: Readonly<Record<'payBy' | 'autoConfirmAt', LocalizedText>> = {
  payBy: { 'zh-CN': '剩余支付时间', en: 'Time left to pay' },
  autoConfirmAt: { 'zh-CN': '距自动确认收货', en: 'Receipt is confirmed automatically in' },
};
