import { defaultPolicy } from '../order/policy.js';
import { formatFen } from '../money/index.js';
import {
  AFTER_SALE_STATUS_LABELS,
  CLOSE_REASON_LABELS,
  REFUND_STATUS_LABELS,
  quantitiesByLine,
  shippedQuantities,
  type Adjustment,
  type LineQuantity,
  type Order,
} from '../order/index.js';
import { lineHoldings } from '../refund/holdings.js';
import { refundedFor, succeededRefundTotal } from '../refund/ledger.js';
import { sourceByTransaction, sourceRefunds } from '../refund/routes.js';

/** The names of payment sources on a page. */
const SOURCE_LABELS = { balance: { 'zh-CN': '余额', en: 'Balance' }, wechat: { 'zh-CN': '微信支付', en: 'WeChat Pay' } } as const;
import { afterSaleActions, orderActions } from './actions.js';
import { lineMoneyView } from './line-view.js';
import { moneyView, shopTime, type ViewLocale } from './format.js';
import {
  ADJUSTMENT_SOURCE_LABELS,
  AFTER_SALE_KIND_LABELS,
  COUNTDOWN_LABELS,
  LOGISTICS_LABELS,
  REFUND_REASON_LABELS,
  statusLabelOf,
} from './labels.js';
import { checkViewOptions } from './options.js';
import type { PaymentSourceView } from './types.js';
import { CUSTOMER_CANCEL_REASON, CUSTOMER_CANCEL_REASON_TEXT } from '../lifecycle/rules/after-sale.js';
import { deliveryView } from './delivery-view.js';
import type {
  AdjustmentView,
  AfterSaleView,
  CountdownView,
  DeadlinesView,
  LineView,
  OrderView,
  PricingView,
  ViewOptions,
} from './types.js';

/**
 * The deadline a shopper is waiting on: pay-by while unpaid, auto-confirm while the goods travel.
 * Null when nothing is running (or the order carries no such deadline).
 *
 * @example
 * orderCountdown(order, { now, policy })?.remainingMs // → 1_800_000 right after placement
 */
export function orderCountdown(
  order: Order,
  options: { now: Date; policy?: ViewOptions['policy']; locale?: ViewLocale },
): CountdownView | null {
  let kind: CountdownView['kind'] | null = null;
  if (order.status === 'pending_payment') kind = 'payBy';
  else if (order.status === 'shipped' || order.status === 'delivered') kind = 'autoConfirmAt';
  if (kind === null) return null;
  const at = order.deadlines[kind];
  if (at === undefined) return null;
  const timeZone = (options.policy ?? defaultPolicy).timeZone;
  const locale = options.locale ?? 'zh-CN';
  return {
    kind,
    label: COUNTDOWN_LABELS[kind][locale],
    at,
    atText: shopTime(at, timeZone),
    remainingMs: Math.max(0, Date.parse(at) - options.now.getTime()),
    deadlineText: deadlineSentence(kind, at, options.now, timeZone, locale),
  };
}

const EN_MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/**
 * When, said the way people say it: 今天/明天/后天 or the date (with the year only when it is not
 * this year's), then the clock time, all in the shop's time zone.
 */
function naturalWhen(at: string, now: Date, timeZone: string, locale: ViewLocale): string {
  const [date = '', clock = ''] = shopTime(at, timeZone).split(' ');
  const today = shopTime(now.toISOString(), timeZone).split(' ')[0] ?? '';
  const dayNumber = (d: string) => Date.parse(`${d}T00:00:00Z`) / 86_400_000;
  const diff = dayNumber(date) - dayNumber(today);
  const [y = '', m = '', d = ''] = date.split('-');
  if (locale === 'zh-CN') {
    const words = ['今天', '明天', '后天'];
    const day = diff >= 0 && diff <= 2 ? words[diff]! : `${y === today.slice(0, 4) ? '' : `${y}年`}${Number(m)}月${Number(d)}日`;
    return `${day} ${clock}`;
  }
  const words = ['today', 'tomorrow'];
  const day = diff >= 0 && diff <= 1 ? words[diff]! : `${EN_MONTHS[Number(m) - 1] ?? m} ${Number(d)}${y === today.slice(0, 4) ? '' : ` ${y}`}`;
  return `${day} ${clock}`;
}

function deadlineSentence(kind: CountdownView['kind'], at: string, now: Date, timeZone: string, locale: ViewLocale): string {
  const when = naturalWhen(at, now, timeZone, locale);
  if (locale === 'zh-CN') return kind === 'payBy' ? `请于${when}前付款` : `${when}自动确认收货`;
  return kind === 'payBy' ? `Pay by ${when}` : `Receipt is confirmed automatically ${when.startsWith('to') ? '' : 'on '}${when}`;
}

/**
 * Every adjustment lowers the total when positive (a waived freight fee too: 满 ¥199 包邮 is an
 * adjustment of the fee); a negative one is a raise (改价 upwards).
 */
function signedText(adj: Adjustment): string {
  return adj.amount < 0 ? `+${formatFen(-adj.amount)}` : `-${formatFen(adj.amount)}`;
}

/**
 * The freight fee before any waiver: what the 运费 row of a receipt shows, so that
 * itemsTotal − Σ adjustments + freightFee = total.
 *
 * @example
 * freightFee(order.pricing) // → 800 even when 满 ¥199 包邮 waived it (pricing.freight is then 0)
 */
export function freightFee(pricing: { freight: number; adjustments: readonly Adjustment[] }): number {
  let fee = pricing.freight;
  for (const a of pricing.adjustments) if (a.source === 'freight') fee += a.amount;
  return fee;
}

/**
 * An adjustment as a receipt line: heading, the reason in the page's language, and the amount.
 *
 * @example
 * adjustmentView(order.pricing.adjustments[0]).signedText // → '-¥20.00'
 */
export function adjustmentView(adj: Adjustment, locale: ViewLocale = 'zh-CN'): AdjustmentView {
  return {
    id: adj.id,
    source: adj.source,
    sourceLabel: ADJUSTMENT_SOURCE_LABELS[adj.source][locale],
    reason: adj.reason[locale],
    amount: moneyView(adj.amount),
    signedText: signedText(adj),
  };
}

function pricingView(order: Order, locale: ViewLocale): PricingView {
  const p = order.pricing;
  return {
    itemsTotal: moneyView(p.itemsTotal),
    discountTotal: moneyView(p.discountTotal),
    freight: moneyView(p.freight),
    freightFee: moneyView(freightFee(p)),
    pointsUsed: p.pointsUsed,
    pointsDeduction: moneyView(p.pointsDeduction),
    total: moneyView(p.total),
    adjustments: p.adjustments.map((a) => adjustmentView(a, locale)),
  };
}


function lineViews(order: Order, locale: ViewLocale): LineView[] {
  const shipped = shippedQuantities(order);
  const refunded = quantitiesByLine(order.afterSales.filter((a) => a.status === 'refunded').map((a) => a.items));
  const holdings = lineHoldings(order);
  return order.lines.map((l) => {
    const h = holdings.get(l.id);
    const v: LineView = {
      ...lineMoneyView(l, locale),
      shippedQuantity: shipped.get(l.id) ?? 0,
      refundedQuantity: refunded.get(l.id) ?? 0,
      refundableQuantity: h ? h.refundable : 0,
      returnableQuantity: h ? h.returnable : 0,
    };
    return v;
  });
}

function itemsWithTitles(order: Order, items: ReadonlyArray<LineQuantity>): Array<{ lineId: string; title: string; quantity: number }> {
  return items.map((it) => {
    const line = order.lines.find((l) => l.id === it.lineId);
    return { lineId: it.lineId, title: line ? line.title : it.lineId, quantity: it.quantity };
  });
}

function deadlinesView(order: Order, timeZone: string): DeadlinesView {
  const d: DeadlinesView = {};
  const { payBy, autoConfirmAt, afterSaleUntil } = order.deadlines;
  if (payBy !== undefined) Object.assign(d, { payBy, payByText: shopTime(payBy, timeZone) });
  if (autoConfirmAt !== undefined) Object.assign(d, { autoConfirmAt, autoConfirmAtText: shopTime(autoConfirmAt, timeZone) });
  if (afterSaleUntil !== undefined) Object.assign(d, { afterSaleUntil, afterSaleUntilText: shopTime(afterSaleUntil, timeZone) });
  return d;
}

/** The label of a cancelled after-sale part of whose refund was paid (its amount follows). */
const PARTLY_REFUNDED = { 'zh-CN': '部分退款', en: 'Partly refunded' } as const;

/**
 * Everything an order detail page shows, for one actor at one moment: labels in the page's
 * language, every amount as fen beside its text, the running countdown, and exactly the buttons
 * the lifecycle allows. A page that renders this never repeats an orderkit rule.
 *
 * @example
 * const view = orderView(order, { actor: { type: 'customer', id: openid }, now: new Date() });
 * view.statusLabel                   // → '待付款'
 * view.actions.map((a) => a.label)   // → ['取消订单', '去支付']
 * view.countdown?.remainingMs        // → 1_800_000
 */
export function orderView(order: Order, options: ViewOptions): OrderView {
  checkViewOptions(options, 'orderView');
  const locale = options.locale ?? 'zh-CN';
  const policy = options.policy ?? defaultPolicy;
  const tz = policy.timeZone;
  const ctx = { actor: options.actor, now: options.now, policy, locale, lifecycle: options.lifecycle, actions: options.actions };
  const afterSales: AfterSaleView[] = order.afterSales.map((a) => {
    const v: AfterSaleView = {
      id: a.id,
      kind: a.kind,
      kindLabel: AFTER_SALE_KIND_LABELS[a.kind][locale],
      status: a.status,
      statusLabel: AFTER_SALE_STATUS_LABELS[a.status][locale],
      items: itemsWithTitles(order, a.items),
      amount: moneyView(a.amount),
      shippingAmount: moneyView(a.shippingAmount),
      reason: a.reason,
      requestedAtText: shopTime(a.requestedAt, tz),
      actions: afterSaleActions(order, a, ctx),
    };
    if (a.reason === CUSTOMER_CANCEL_REASON) v.reason = CUSTOMER_CANCEL_REASON_TEXT[locale];
    if (a.photos !== undefined && a.photos.length > 0) v.photos = a.photos.slice();
    if (a.rejectReason !== undefined) v.rejectReason = a.rejectReason;
    if (a.proposals !== undefined && a.proposals.length > 0) {
      v.proposals = a.proposals.map((p) => {
        const out: NonNullable<AfterSaleView['proposals']>[number] = { amount: moneyView(p.amount), status: p.status };
        if (p.note !== undefined) out.note = p.note;
        if (p.declineReason !== undefined) out.declineReason = p.declineReason;
        return out;
      });
      const last = a.proposals[a.proposals.length - 1]!;
      if (last.status === 'pending' && a.status === 'requested') {
        v.openProposal = { amount: moneyView(last.amount), proposedAtText: shopTime(last.proposedAt, tz) };
        if (last.note !== undefined) v.openProposal.note = last.note;
      }
    }
    if (a.quotedAmount !== undefined) v.quotedAmount = moneyView(a.quotedAmount);
    const back = refundedFor(order, a.id);
    if (back > 0) {
      v.refunded = moneyView(back);
      // Closed by a merchant cancel after part of its refund was paid: 已撤销 would hide that money
      // went back for it (docs/after-sales.md "Closing with after-sales open").
      if (a.status === 'cancelled') v.statusLabel = `${PARTLY_REFUNDED[locale]}${locale === 'en' ? ` (${v.refunded.text})` : `（${v.refunded.text}）`}`;
    }
    if (a.returnShippingFee !== undefined) v.returnShippingFee = { fee: moneyView(a.returnShippingFee.fee), treatment: a.returnShippingFee.treatment };
    if (a.freightOnly === true) v.freightOnly = true;
    if (a.exchange !== undefined) {
      v.exchange = { items: a.exchange.items.map((i) => ({ ...i })) };
      if (a.exchange.shipment !== undefined) {
        v.exchange.trackingNo = a.exchange.shipment.trackingNo;
        v.exchange.expressCompany = a.exchange.shipment.expressCompany;
      }
    }
    if (a.returnShipment !== undefined) {
      v.returnShipment = {
        trackingNo: a.returnShipment.trackingNo,
        expressCompany: a.returnShipment.expressCompany,
        shippedAtText: shopTime(a.returnShipment.shippedAt, tz),
      };
    }
    return v;
  });
  const view: OrderView = {
    id: order.id,
    number: order.number,
    version: order.version,
    status: order.status,
    statusLabel: statusLabelOf(order.status, locale, options.statusLabels ?? options.lifecycle?.statusLabels),
    lines: lineViews(order, locale),
    pricing: pricingView(order, locale),
    paid: moneyView(order.payment.paidAmount),
    refunded: moneyView(succeededRefundTotal(order)),
    // 商家备注 are the shop's own notes: a shopper's view has none (docs/views.md).
    merchantNotes: options.actor?.type === 'customer' ? [] : order.merchantNotes.map((n) => ({ text: n.text, atText: shopTime(n.at, tz) })),
    shipments: order.shipments.map((s) => {
      const v: OrderView['shipments'][number] = {
        id: s.id,
        logisticsType: s.logisticsType,
        logisticsLabel: LOGISTICS_LABELS[s.logisticsType][locale],
        shippedAt: s.shippedAt,
        shippedAtText: shopTime(s.shippedAt, tz),
        items: itemsWithTitles(order, s.items),
      };
      if (s.trackingNo !== undefined) v.trackingNo = s.trackingNo;
      if (s.expressCompany !== undefined) v.expressCompany = s.expressCompany;
      if (s.deliveredAt !== undefined) v.deliveredAtText = shopTime(s.deliveredAt, tz);
      return v;
    }),
    refunds: order.refunds.map((r) => {
      const v: OrderView['refunds'][number] = {
        id: r.id,
        amount: moneyView(r.amount),
        status: r.status,
        statusLabel: REFUND_STATUS_LABELS[r.status][locale],
        reason: r.reason,
        reasonLabel: REFUND_REASON_LABELS[r.reason][locale],
        createdAtText: shopTime(r.createdAt, tz),
      };
      if (r.afterSaleId !== undefined) v.afterSaleId = r.afterSaleId;
      const source = sourceByTransaction(order, r.transactionId);
      if (source !== undefined) v.routeLabel = SOURCE_LABELS[source.kind][locale];
      return v;
    }),
    afterSales,
    delivery: deliveryView(order, { actor: options.actor, locale, timeZone: tz }),
    deadlines: deadlinesView(order, tz),
    countdown: orderCountdown(order, { now: options.now, policy, locale }),
    actions: orderActions(order, ctx),
    createdAtText: shopTime(order.createdAt, tz),
  };
  if (order.closeReason !== undefined) {
    view.closeReason = order.closeReason;
    view.closeReasonLabel = CLOSE_REASON_LABELS[order.closeReason][locale];
  }
  if (order.address !== undefined) {
    const a = order.address;
    view.address = { name: a.name, phone: a.phone, text: [a.province, a.city, a.district ?? '', a.detail].filter((s) => s !== '').join(' ') };
  }
  if (order.buyerRemark !== undefined) view.buyerRemark = order.buyerRemark;
  const adjusted = order.pricing.adjustments.filter((a) => a.source === 'price_adjustment');
  if (adjusted.length > 0) {
    // What the shopper needs: the price now, and why it changed (all 改价 together, the latest reason).
    const sum = adjusted.reduce((s, a) => s + a.amount, 0) + order.pricing.adjustments.filter((a) => a.source === 'freight' && adjusted.some((p) => p.sourceId === a.sourceId)).reduce((s, a) => s + a.amount, 0);
    const last = adjusted[adjusted.length - 1]!;
    view.priceAdjustment = { reason: last.reason[locale], total: moneyView(order.pricing.total), amount: moneyView(sum), signedText: signedText({ ...last, amount: sum }) };
  }
  if (order.payment.paidAt !== undefined) view.paidAtText = shopTime(order.payment.paidAt, tz);
  if (order.payment.sources !== undefined) {
    view.paymentSources = sourceRefunds(order).map((s, i) => {
      const v: PaymentSourceView = { kind: s.kind, label: SOURCE_LABELS[s.kind][locale], paid: moneyView(s.paid), refunded: moneyView(s.refunded), pending: moneyView(s.pending) };
      if (order.payment.sources![i]!.returnedAt !== undefined) v.returned = true;
      return v;
    });
  }
  return view;
}
