import type { AutomationPolicy } from '../order/policy.js';
import type { Actor, Effect, Order, OrderEvent } from '../order/index.js';
import type { OrderService } from '../service/index.js';
import { isVersionConflict, type OrderStore } from '../storage/index.js';
import { OrderkitError } from '../errors/orderkit-error.js';
import { paysBackOrderMoney } from '../refund/ledger.js';
import { holtWinters, MIN_FORECAST_DAYS } from './forecast.js';
import { parseIsoTime } from './iso-time.js';
import { ratio } from './rounding.js';

/*
 * Automatic actions (docs/analytics.md "Automatic actions"). The decisions are pure functions of an
 * order, the clock and the shop's policy (`dueAutomations`); `runAutomations` applies them through
 * the store, one commit per order and rule, under an idempotency key of that order and rule, so the
 * store itself refuses a second firing (at most once, also across workers and restarts).
 */

export const AUTOMATION_RULES = ['payment_reminder', 'shipping_alert', 'fast_refund'] as const;
/** The rules that act on one order. The anomaly alert acts on the shop's day instead. */
export type AutomationRule = (typeof AUTOMATION_RULES)[number];

/** The event type an automatic action writes in the order's log, with `data.rule` and `data.reason`. */
export const AUTOMATION_EVENT = 'AUTOMATION_FIRED';
/** The actor of an automatic action's commits and of the approval 极速退款 sends. */
export const AUTOMATION_ACTOR: Actor = { type: 'merchant', id: 'automation' };

export interface Bilingual {
  'zh-CN': string;
  en: string;
}

/** A customer's history as 极速退款 judges it: the other orders they paid, and how many were refunded. */
export interface CustomerHistory {
  paidOrders: number;
  refundedOrders: number;
}

/** An action the policy asks for on one order now, and why. */
export interface DueAutomation {
  rule: AutomationRule;
  orderId: string;
  orderNumber: string;
  /** `orderId:automation:rule` — the id of the effect it emits (the approval's own effects aside). */
  id: string;
  /** The after-sale 极速退款 approves. */
  afterSaleId?: string;
  reason: Bilingual;
  /** The figures behind the decision (minutes left, amount, the customer's history…). */
  facts: Record<string, string | number>;
}

/** The idempotency key of one rule on one order: the store keeps at most one commit under it. */
export function automationKey(rule: AutomationRule, orderId: string): string {
  return `automation:${rule}:${orderId}`;
}

/**
 * The customer's paid and refunded orders, the order being judged left out.
 *
 * @example
 * customerHistory(orders.filter((o) => o.customerId === order.customerId), order.id) // { paidOrders: 5, refundedOrders: 0 }
 */
export function customerHistory(orders: readonly Order[], exceptOrderId: string): CustomerHistory {
  let paidOrders = 0;
  let refundedOrders = 0;
  for (const o of orders) {
    if (o.id === exceptOrderId) continue;
    if ((o.paidAt ?? o.payment.paidAt) === undefined) continue;
    paidOrders++;
    if (o.refunds.some((r) => r.status === 'succeeded' && paysBackOrderMoney(o, r))) refundedOrders++;
  }
  return { paidOrders, refundedOrders };
}

const HOUR = 3_600_000;
const MINUTE = 60_000;

/**
 * What the policy's rules ask for on this order at `now` (docs/analytics.md "Automatic actions").
 * Pure: whether a rule already fired is the store's to say (`runAutomations`).
 *
 * @example
 * dueAutomations(order, new Date(), { paymentReminder: { minutesBefore: 10 } }) // [{ rule: 'payment_reminder', … }] in the last 10 minutes before payBy
 */
export function dueAutomations(order: Order, now: Date, rules: AutomationPolicy, history?: CustomerHistory): DueAutomation[] {
  const out: DueAutomation[] = [];
  const t = now.getTime();
  const due = (rule: AutomationRule, reason: Bilingual, facts: Record<string, string | number>, afterSaleId?: string): void => {
    out.push({ rule, orderId: order.id, orderNumber: order.number, id: `${order.id}:automation:${rule}`, reason, facts, ...(afterSaleId ? { afterSaleId } : {}) });
  };
  const reminder = rules.paymentReminder;
  if (reminder && order.status === 'pending_payment' && order.deadlines.payBy !== undefined) {
    const payBy = parseIsoTime(order.deadlines.payBy);
    const left = payBy - t;
    if (left > 0 && left <= reminder.minutesBefore * MINUTE) {
      const minutes = Math.ceil(left / MINUTE);
      due('payment_reminder', { 'zh-CN': `距支付截止还有 ${minutes} 分钟（规则：提前 ${reminder.minutesBefore} 分钟提醒）`, en: `${minutes} min left to pay (rule: remind ${reminder.minutesBefore} min before)` }, { payBy: order.deadlines.payBy, minutesLeft: minutes });
    }
  }
  const alert = rules.shippingAlert;
  const paidText = order.paidAt ?? order.payment.paidAt;
  if (alert && (order.status === 'paid' || order.status === 'partially_shipped') && paidText !== undefined) {
    const dueAt = parseIsoTime(paidText) + alert.slaHours * HOUR;
    const left = dueAt - t;
    if (left <= alert.hoursBefore * HOUR) {
      const hours = Math.round((left / HOUR) * 10) / 10;
      const reason: Bilingual = left > 0
        ? { 'zh-CN': `距发货时限（付款后 ${alert.slaHours} 小时）还有 ${hours} 小时`, en: `${hours} h left before the shipping SLA (${alert.slaHours} h after payment)` }
        : { 'zh-CN': `已超过发货时限（付款后 ${alert.slaHours} 小时）${-hours} 小时`, en: `${-hours} h past the shipping SLA (${alert.slaHours} h after payment)` };
      due('shipping_alert', reason, { shipBy: new Date(dueAt).toISOString(), hoursLeft: hours });
    }
  }
  const fast = rules.fastRefund;
  if (fast && history) {
    const request = order.afterSales.find((a) => a.kind === 'refund_only' && a.status === 'requested' && a.amount <= fast.maxAmount);
    const rate = ratio(history.refundedOrders, history.paidOrders);
    if (request && history.paidOrders >= fast.minPaidOrders && rate !== null && rate <= fast.maxRefundRate) {
      due(
        'fast_refund',
        {
          'zh-CN': `仅退款 ¥${(request.amount / 100).toFixed(2)} ≤ ¥${(fast.maxAmount / 100).toFixed(2)}；该顾客已付款 ${history.paidOrders} 单，退款率 ${(rate * 100).toFixed(1)}%`,
          en: `refund only ¥${(request.amount / 100).toFixed(2)} ≤ ¥${(fast.maxAmount / 100).toFixed(2)}; the customer paid ${history.paidOrders} orders, ${(rate * 100).toFixed(1)}% refunded`,
        },
        { amount: request.amount, paidOrders: history.paidOrders, refundRate: rate },
        request.id,
      );
    }
  }
  return out;
}

// ---- running them ------------------------------------------------------------------------------

export interface FiredAutomation extends DueAutomation {
  at: string;
  /** The outbox effects the firing wrote (a notify; for 极速退款 the approval's refund effects). */
  effectIds: string[];
}

export interface AutomationRunReport {
  now: string;
  /** Orders looked at. */
  checked: number;
  fired: FiredAutomation[];
  /** Due, but fired before (the store kept the first) or lost a race to another worker. */
  skipped: number;
}

export interface AutomationRunOptions {
  now: Date;
  rules: AutomationPolicy;
  /** At most this many orders per status looked at (default 1000). */
  maxOrders?: number;
}

async function listAll(service: OrderService, status: Order['status'][], max: number, customerId?: string): Promise<Order[]> {
  const out: Order[] = [];
  let cursor: string | null = null;
  do {
    const page = await service.list({ status, limit: 100, cursor, order: 'oldest', ...(customerId !== undefined ? { customerId } : {}) });
    out.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor && out.length < max);
  return out.slice(0, max);
}

function automationEvent(order: Order, now: Date, due: DueAutomation, effectIds: string[]): OrderEvent {
  return {
    orderId: order.id,
    version: order.version + 1,
    type: AUTOMATION_EVENT,
    actor: AUTOMATION_ACTOR,
    from: order.status,
    to: order.status,
    at: now.toISOString(),
    data: { rule: due.rule, reason: due.reason, facts: due.facts, effectIds },
  };
}

/** The effect a notifying rule emits; its id is stable: one per order and rule. */
export function automationEffect(due: DueAutomation, rules: AutomationPolicy): Effect | null {
  if (due.rule === 'payment_reminder') {
    return { id: due.id, orderId: due.orderId, type: 'notify', to: 'customer', template: rules.paymentReminder?.template ?? 'payment_reminder', data: { number: due.orderNumber, ...due.facts } };
  }
  if (due.rule === 'shipping_alert') {
    return { id: due.id, orderId: due.orderId, type: 'notify', to: 'merchant', template: rules.shippingAlert?.template ?? 'shipping_sla_warning', data: { number: due.orderNumber, ...due.facts } };
  }
  return null;
}

/**
 * Writes the firing in the order's log (and its effect in the outbox) under the rule's key; false
 * when the key was used before or another worker changed the order first.
 */
async function record(service: OrderService, order: Order, now: Date, due: DueAutomation, effects: Effect[], effectIds: string[]): Promise<boolean> {
  try {
    await service.store.commit({
      order: { ...order, version: order.version + 1, updatedAt: now.toISOString() },
      expectedVersion: order.version,
      events: [automationEvent(order, now, due, effectIds)],
      effects,
      idempotencyKey: automationKey(due.rule, order.id),
    });
    return true;
  } catch (error) {
    if (isVersionConflict(error)) return false;
    throw error;
  }
}

async function fire(service: OrderService, order: Order, now: Date, due: DueAutomation, rules: AutomationPolicy): Promise<FiredAutomation | null> {
  if (await service.store.findIdempotency(automationKey(due.rule, order.id))) return null;
  if (due.rule !== 'fast_refund') {
    const effect = automationEffect(due, rules)!;
    return (await record(service, order, now, due, [effect], [effect.id])) ? { ...due, at: now.toISOString(), effectIds: [effect.id] } : null;
  }
  // 极速退款: the approval is an ordinary command (its refund effects come from the lifecycle), sent
  // under the rule's key so a repeat is a replay; then the firing is written in the log.
  const approved = await service.dispatch(order.id, { type: 'APPROVE_AFTER_SALE', afterSaleId: due.afterSaleId! }, AUTOMATION_ACTOR, { idempotencyKey: automationKey(due.rule, order.id) });
  if (!approved.ok) return null;
  const effectIds = approved.effects.map((e) => e.id);
  return (await record(service, approved.order, now, due, [], effectIds)) ? { ...due, at: now.toISOString(), effectIds } : null;
}

/**
 * Applies the policy's per-order rules at `now`: 催付 to unpaid orders near their `payBy`,
 * 发货超时预警 for paid orders near their shipping SLA, 极速退款 for small refund-only requests of
 * customers whose history qualifies. Each fires at most once per order and rule.
 *
 * @example
 * const report = await runAutomations(service, { now: new Date(), rules: { paymentReminder: { minutesBefore: 10 } } });
 * report.fired.map((f) => f.reason.en); // ["8 min left to pay (rule: remind 10 min before)"]
 */
export async function runAutomations(service: OrderService, options: AutomationRunOptions): Promise<AutomationRunReport> {
  const { now, rules } = options;
  const max = options.maxOrders ?? 1000;
  const report: AutomationRunReport = { now: now.toISOString(), checked: 0, fired: [], skipped: 0 };
  const candidates: Order[] = [];
  if (rules.paymentReminder) candidates.push(...(await listAll(service, ['pending_payment'], max)));
  if (rules.shippingAlert) candidates.push(...(await listAll(service, ['paid', 'partially_shipped'], max)));
  if (rules.fastRefund) {
    const open = await listAll(service, ['paid', 'partially_shipped', 'shipped', 'delivered', 'completed'], max);
    candidates.push(...open.filter((o) => o.afterSales.some((a) => a.kind === 'refund_only' && a.status === 'requested')));
  }
  const seen = new Set<string>();
  for (const listed of candidates) {
    if (seen.has(listed.id)) continue;
    seen.add(listed.id);
    report.checked++;
    let history: CustomerHistory | undefined;
    if (rules.fastRefund && listed.afterSales.some((a) => a.status === 'requested')) {
      history = customerHistory(await listAll(service, ['paid', 'partially_shipped', 'shipped', 'delivered', 'completed', 'closed'], max, listed.customerId), listed.id);
    }
    for (const due of dueAutomations(listed, now, rules, history)) {
      // Each rule on the order as it is now: an earlier rule's firing changed its version.
      const order = await service.get(listed.id);
      if (!order) continue;
      const still = dueAutomations(order, now, rules, history).find((d) => d.rule === due.rule);
      const fired = still ? await fire(service, order, now, still, rules) : null;
      if (fired) report.fired.push(fired);
      else report.skipped++;
    }
  }
  return report;
}

/**
 * What fired on one order, from its log.
 *
 * @example
 * firedOn(await service.history(orderId)) // [{ rule: 'payment_reminder', at, reason, facts, effectIds }]
 */
export function firedOn(events: readonly OrderEvent[]): Array<{ orderId: string; rule: AutomationRule; at: string; reason: Bilingual; facts: Record<string, string | number>; effectIds: string[] }> {
  return events
    .filter((e) => e.type === AUTOMATION_EVENT && e.data !== undefined)
    .map((e) => {
      const d = e.data as { rule: AutomationRule; reason: Bilingual; facts: Record<string, string | number>; effectIds: string[] };
      return { orderId: e.orderId, rule: d.rule, at: e.at, reason: d.reason, facts: d.facts, effectIds: d.effectIds };
    });
}

// ---- the anomaly alert -------------------------------------------------------------------------

/** One day of the shop: orders placed, orders paid, and of those how many were refunded. */
export interface DayFigures {
  date: string;
  orders: number;
  paid: number;
  refundedOrders: number;
}

export type AnomalyMetric = 'orders' | 'refund_rate';

export interface AnomalyAlert {
  /** `anomaly:metric:date` — stable: one alert per day and figure. */
  id: string;
  metric: AnomalyMetric;
  date: string;
  actual: number;
  expected: number;
  low: number;
  high: number;
  direction: 'above' | 'below';
  reason: Bilingual;
}

export type AnomalyCheck =
  | { ok: true; date: string; alerts: AnomalyAlert[]; bands: Record<AnomalyMetric, { actual: number; expected: number; low: number; high: number }> }
  | { ok: false; reason: 'too_little_data'; days: number; needed: number; message: Bilingual };

const Z95 = 1.96;
const round = (v: number, d: number): number => Math.round(v * 10 ** d) / 10 ** d;

/**
 * Judges `day` against a one-day Holt-Winters forecast fitted on `history` (the consecutive days
 * before it): an alert for each figure outside the 95 % band. The refund rate is the share of the
 * day's paid orders refunded.
 *
 * @example
 * declare const last28Days: DayFigures[]; // consecutive days, oldest first
 * const check = detectAnomalies(last28Days, { date: '2026-11-24', orders: 120, paid: 110, refundedOrders: 30 });
 * if (check.ok) check.alerts.forEach((a) => console.log(a.reason.en));
 */
export function detectAnomalies(history: readonly DayFigures[], day: DayFigures): AnomalyCheck {
  if (history.length < MIN_FORECAST_DAYS) {
    return {
      ok: false, reason: 'too_little_data', // an answer, not an error (as the forecast's, docs/analytics.md "Forecast")
      days: history.length,
      needed: MIN_FORECAST_DAYS,
      message: { 'zh-CN': `异常检测至少需要 ${MIN_FORECAST_DAYS} 天的历史数据，目前只有 ${history.length} 天`, en: `anomaly detection needs at least ${MIN_FORECAST_DAYS} days of history, there are ${history.length}` },
    };
  }
  const rate = (d: DayFigures): number => (d.paid === 0 ? 0 : d.refundedOrders / d.paid);
  const series: Record<AnomalyMetric, { values: number[]; actual: number; decimals: number }> = {
    orders: { values: history.map((d) => d.orders), actual: day.orders, decimals: 1 },
    refund_rate: { values: history.map(rate), actual: round(rate(day), 4), decimals: 4 },
  };
  const alerts: AnomalyAlert[] = [];
  const bands = {} as Record<AnomalyMetric, { actual: number; expected: number; low: number; high: number }>;
  for (const metric of ['orders', 'refund_rate'] as const) {
    const s = series[metric];
    const fit = holtWinters(s.values, 1);
    const expected = Math.max(0, fit.forecast[0]!);
    const half = Z95 * fit.rmse;
    const low = round(Math.max(0, expected - half), s.decimals);
    const high = round(expected + half, s.decimals);
    bands[metric] = { actual: s.actual, expected: round(expected, s.decimals), low, high };
    if (s.actual >= low && s.actual <= high) continue;
    const direction = s.actual > high ? 'above' : 'below';
    const show = (v: number) => (metric === 'orders' ? String(v) : `${(v * 100).toFixed(1)}%`);
    const name = metric === 'orders' ? { zh: '订单量', en: 'orders' } : { zh: '退款率', en: 'refund rate' };
    alerts.push({
      id: `anomaly:${metric}:${day.date}`,
      metric,
      date: day.date,
      actual: s.actual,
      expected: round(expected, s.decimals),
      low,
      high,
      direction,
      reason: {
        'zh-CN': `${day.date} ${name.zh} ${show(s.actual)}，${direction === 'above' ? '高于' : '低于'}预测区间 ${show(low)}–${show(high)}`,
        en: `${day.date} ${name.en} ${show(s.actual)}, ${direction} the forecast band ${show(low)}–${show(high)}`,
      },
    });
  }
  return { ok: true, date: day.date, alerts, bands };
}

/** The outbox `orderId` of shop-wide effects: an anomaly alert belongs to the shop's day, not to an order. */
export const SHOP_EFFECTS_ID = 'shop';

/**
 * The effect an anomaly alert emits: a notify to the merchant whose id is the alert's stable id
 * (`anomaly:metric:date`), so the outbox holds it at most once.
 */
export function anomalyEffect(alert: AnomalyAlert, template = 'anomaly_alert'): Effect {
  const { id, metric, date, actual, expected, low, high, direction, reason } = alert;
  return { id, orderId: SHOP_EFFECTS_ID, type: 'notify', to: 'merchant', template, data: { metric, date, actual, expected, low, high, direction, reason } };
}

/**
 * Emits each alert of \`check\` as an outbox effect (\`anomalyEffect\`) through the store: once per
 * day and figure, also when several instances check the same day at once or a process restarts, as
 * the outbox keeps one effect per id (\`OrderStore.enqueueEffects\`). The outbox worker delivers it
 * like any other notify. Answers the alerts emitted now; a store without \`enqueueEffects\` is
 * refused with UNSUPPORTED.
 *
 * @example
 * declare const days: DayFigures[];
 * declare const store: OrderStore;
 * const emitted = await emitAnomalyAlerts(store, detectAnomalies(days.slice(0, -1), days[days.length - 1]!));
 */
export async function emitAnomalyAlerts(store: OrderStore, check: AnomalyCheck, options: { template?: string; now?: Date } = {}): Promise<AnomalyAlert[]> {
  if (!check.ok || check.alerts.length === 0) return [];
  if (typeof store.enqueueEffects !== 'function') {
    throw new OrderkitError({
      code: 'UNSUPPORTED',
      message: { 'zh-CN': '该存储不能写入不属于订单的副作用，无法发出异常告警', en: 'this store cannot write effects outside an order, so it cannot emit anomaly alerts' },
      path: ['store', 'enqueueEffects'],
    });
  }
  const written = new Set(await store.enqueueEffects(check.alerts.map((a) => anomalyEffect(a, options.template)), options.now));
  return check.alerts.filter((a) => written.has(a.id));
}

/** Where anomaly alerts are remembered: `claim` answers true only the first time for an id. */
export interface AlertLedger {
  claim(id: string): Promise<boolean>;
}

/**
 * A ledger in memory (one process only: it forgets on restart). Prefer \`emitAnomalyAlerts\`, which
 * keeps the once-only rule in the store's outbox.
 *
 * @example
 * const ledger = memoryAlertLedger();
 * await ledger.claim('anomaly:orders:2026-12-05'); // true, then false
 */
export function memoryAlertLedger(): AlertLedger {
  const seen = new Set<string>();
  return {
    claim: async (id) => {
      if (seen.has(id)) return false;
      seen.add(id);
      return true;
    },
  };
}

/**
 * Sends each alert of `check` once: the ledger keeps the ids sent. Answers the alerts sent now.
 *
 * @example
 * declare const days: DayFigures[];
 * const ledger = memoryAlertLedger();
 * await sendAnomalyAlerts(detectAnomalies(days.slice(0, -1), days[days.length - 1]!), ledger, (a) => console.log(a.reason['zh-CN']));
 */
export async function sendAnomalyAlerts(check: AnomalyCheck, ledger: AlertLedger, send: (alert: AnomalyAlert) => Promise<void> | void): Promise<AnomalyAlert[]> {
  if (!check.ok) return [];
  const sent: AnomalyAlert[] = [];
  for (const alert of check.alerts) {
    if (!(await ledger.claim(alert.id))) continue;
    await send(alert);
    sent.push(alert);
  }
  return sent;
}
