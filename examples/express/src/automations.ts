import {
  detectAnomalies,
  emitAnomalyAlerts,
  memoryAlertLedger,
  runAutomations,
  sendAnomalyAlerts,
  summarize,
  type AlertLedger,
  type AnomalyAlert,
  type AnomalyCheck,
  type AutomationPolicy,
  type DayFigures,
  type FiredAutomation,
} from './orderkit/analytics.js';
import type { Clock, Order, OrderService } from './orderkit/index.js';

const DAY = 86_400_000;
const KEEP = 200;

/** The demo shop's automatic actions (docs/analytics.md "Automatic actions"). */
export const DEMO_AUTOMATIONS: AutomationPolicy = {
  paymentReminder: { minutesBefore: 10 },
  shippingAlert: { slaHours: 48, hoursBefore: 6 },
  fastRefund: { maxAmount: 5000, minPaidOrders: 2, maxRefundRate: 0.2 },
  anomalyAlert: {},
};

export interface AutomationView {
  rules: AutomationPolicy;
  /** The latest firings, newest first (what fired, on which order, why, which effects). */
  fired: FiredAutomation[];
  /** Anomaly alerts sent, newest first. */
  alerts: AnomalyAlert[];
  /** The last check of yesterday against the forecast band (or why there is none). */
  lastCheck: AnomalyCheck | null;
  lastRunAt: string | null;
}

/**
 * Runs the shop's automatic actions (a worker round, or POST /analytics/automations/run) and keeps
 * the latest firings for the dashboard. At most once per order and rule is the store's to keep
 * (`runAutomations`); this list is only the dashboard's memory of what fired in this process.
 */
export class Automations {
  private fired: FiredAutomation[] = [];
  private alerts: AnomalyAlert[] = [];
  private lastCheck: AnomalyCheck | null = null;
  private lastRunAt: string | null = null;
  private readonly ledger: AlertLedger;

  constructor(
    private readonly options: { service: OrderService; clock: Clock; rules?: AutomationPolicy; timeZone: string; ledger?: AlertLedger; send?: (alert: AnomalyAlert) => void },
  ) {
    this.ledger = options.ledger ?? memoryAlertLedger();
  }

  get rules(): AutomationPolicy {
    return this.options.rules ?? DEMO_AUTOMATIONS;
  }

  async run(): Promise<{ fired: FiredAutomation[]; alerts: AnomalyAlert[] }> {
    const now = this.options.clock.now();
    const report = await runAutomations(this.options.service, { now, rules: this.rules });
    this.fired = [...report.fired.reverse(), ...this.fired].slice(0, KEEP);
    let alerts: AnomalyAlert[] = [];
    if (this.rules.anomalyAlert) {
      this.lastCheck = await this.checkYesterday(now);
      // Through the outbox when the store can write shop-wide effects (memory, PostgreSQL): once per
      // day and figure across instances and restarts; otherwise this process's ledger.
      const store = this.options.service.store;
      alerts =
        typeof store.enqueueEffects === 'function'
          ? await emitAnomalyAlerts(store, this.lastCheck, { ...(this.rules.anomalyAlert.template === undefined ? {} : { template: this.rules.anomalyAlert.template }), now })
          : await sendAnomalyAlerts(this.lastCheck, this.ledger, () => undefined);
      for (const a of alerts) this.options.send?.(a);
      this.alerts = [...alerts, ...this.alerts].slice(0, KEEP);
    }
    this.lastRunAt = now.toISOString();
    return { fired: report.fired, alerts };
  }

  view(): AutomationView {
    return { rules: this.rules, fired: this.fired, alerts: this.alerts, lastCheck: this.lastCheck, lastRunAt: this.lastRunAt };
  }

  /** Yesterday (the last whole day in the shop's zone) against the 28 days before it. */
  private async checkYesterday(now: Date): Promise<AnomalyCheck> {
    const orders: Order[] = [];
    let cursor: string | null = null;
    const since = new Date(now.getTime() - 31 * DAY);
    do {
      const page = await this.options.service.list({ from: since, limit: 100, cursor, order: 'oldest' });
      orders.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);
    const s = summarize(orders, { from: since, to: now, timeZone: this.options.timeZone });
    // The summary's daily series counts refunds by the day they happened; the anomaly rule wants
    // the share of each day's paid orders refunded, so that is counted here from the orders.
    const byDay = new Map<string, { paid: number; refunded: number }>();
    const dayOf = (iso: string) => new Intl.DateTimeFormat('en-CA', { timeZone: this.options.timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(iso));
    for (const o of orders) {
      const paidAt = o.paidAt ?? o.payment.paidAt;
      if (!paidAt) continue;
      const d = byDay.get(dayOf(paidAt)) ?? { paid: 0, refunded: 0 };
      d.paid++;
      if (o.refunds.some((r) => r.status === 'succeeded' && r.reason !== 'stray_payment')) d.refunded++;
      byDay.set(dayOf(paidAt), d);
    }
    // Whole days only: the first day of the window and today are partial.
    const days: DayFigures[] = s.daily.slice(1, -1).map((d) => ({ date: d.date, orders: d.placed, paid: byDay.get(d.date)?.paid ?? 0, refundedOrders: byDay.get(d.date)?.refunded ?? 0 }));
    // History starts with the shop's first order: empty days before it are not a quiet shop.
    while (days.length > 0 && days[0]!.orders === 0) days.shift();
    const yesterday = days.pop();
    if (!yesterday) return detectAnomalies([], { date: dayOf(now.toISOString()), orders: 0, paid: 0, refundedOrders: 0 });
    return detectAnomalies(days, yesterday);
  }
}
