import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  AUTOMATION_EVENT,
  customerHistory,
  detectAnomalies,
  dueAutomations,
  firedOn,
  memoryAlertLedger,
  runAutomations,
  sendAnomalyAlerts,
  type DayFigures,
} from '../../src/analytics/index.js';
import { MINUTE } from '../service/fixtures.js';
import { RULES, shop } from './support/automation-shop.js';

const HOUR = 60 * MINUTE;

describe('automatic actions', () => {
  it('fire at most once per order and rule, however runs interleave and whenever they run', async () => {
    await fc.assert(
      fc.asyncProperty(
        // Each run: minutes after placement, and how many workers run at that moment.
        fc.array(fc.record({ at: fc.integer({ min: 0, max: 72 * 60 }), workers: fc.integer({ min: 1, max: 3 }) }), { minLength: 1, maxLength: 6 }),
        async (runs) => {
          const { clock, service, ids } = await shop();
          const start = clock.now().getTime();
          const fired: string[] = [];
          for (const run of [...runs].sort((a, b) => a.at - b.at)) {
            const now = new Date(start + run.at * MINUTE);
            clock.set(now);
            const reports = await Promise.all(Array.from({ length: run.workers }, () => runAutomations(service, { now, rules: RULES })));
            for (const r of reports) fired.push(...r.fired.map((f) => `${f.orderId}:${f.rule}`));
          }
          // The reports never say the same (order, rule) twice…
          expect(new Set(fired).size).toBe(fired.length);
          for (const id of ids) {
            const log = await service.history(id);
            const rules = firedOn(log).map((f) => f.rule);
            // …nor does any order's log,
            expect(new Set(rules).size).toBe(rules.length);
            // and 极速退款 approved at most one after-sale of an order.
            const order = (await service.get(id))!;
            expect(order.afterSales.filter((a) => a.status !== 'requested').length).toBeLessThanOrEqual(1);
            expect(log.filter((e) => e.type === AUTOMATION_EVENT).length).toBe(rules.length);
          }
        },
      ),
      { numRuns: 25 },
    );
  });

  it('fires each rule when due, with its effect in the outbox under a stable id', async () => {
    const { clock, store, service, ids } = await shop();
    const start = clock.now().getTime();
    // 25 minutes in: the unpaid orders have 5 minutes left to pay.
    const now = new Date(start + 25 * MINUTE);
    const report = await runAutomations(service, { now, rules: RULES });
    const byRule = (rule: string) => report.fired.filter((f) => f.rule === rule).map((f) => f.orderId).sort();
    expect(byRule('payment_reminder')).toEqual(ids.slice(0, 2).sort());
    expect(byRule('shipping_alert')).toEqual([]);
    // o5 and o6: one paid order each of the same customer besides themselves, none refunded.
    expect(byRule('fast_refund')).toEqual(ids.slice(4).sort());
    const claimed = await store.claim(100, 60_000, now);
    const ids_ = claimed.map((c) => c.effect.id);
    for (const id of ids.slice(0, 2)) expect(ids_).toContain(`${id}:automation:payment_reminder`);
    expect(claimed.filter((c) => c.effect.type === 'payment.refund').length).toBe(2);
    // A second run at the same moment finds everything fired already.
    const again = await runAutomations(service, { now, rules: RULES });
    expect(again.fired).toEqual([]);
    // 43 hours after payment the paid orders (o3, o4) are 5 h from the 48 h SLA.
    const later = await runAutomations(service, { now: new Date(start + 43 * HOUR), rules: RULES });
    expect(later.fired.map((f) => `${f.orderId}:${f.rule}`).sort()).toEqual(ids.slice(2, 4).map((id) => `${id}:shipping_alert`).sort());
    expect(later.fired[0]!.reason.en).toMatch(/h left before the shipping SLA/);
  });

  it('does not refund fast for a customer whose history does not qualify', () => {
    const property = fc.property(fc.integer({ min: 0, max: 20 }), fc.integer({ min: 0, max: 20 }), fc.integer({ min: 1, max: 5000 }), (paid, refundedRaw, amount) => {
      const refunded = Math.min(paid, refundedRaw);
      const base = { id: 'x', number: 'N1', status: 'shipped', deadlines: {}, payment: {}, afterSales: [{ id: 'as1', kind: 'refund_only', status: 'requested', amount }] };
      const due = dueAutomations(base as never, new Date(0), { fastRefund: { maxAmount: 1000, minPaidOrders: 3, maxRefundRate: 0.2 } }, { paidOrders: paid, refundedOrders: refunded });
      const qualifies = amount <= 1000 && paid >= 3 && refunded / paid <= 0.2;
      expect(due.length).toBe(qualifies ? 1 : 0);
    });
    fc.assert(property);
  });

  it('counts a customer\'s history without the order judged', () => {
    const o = (id: string, paid: boolean, refunded: boolean) => ({ id, paidAt: paid ? '2026-01-01T00:00:00Z' : undefined, payment: {}, refunds: refunded ? [{ status: 'succeeded', reason: 'after_sale' }] : [] });
    expect(customerHistory([o('a', true, false), o('b', true, true), o('c', false, false), o('x', true, true)] as never, 'x')).toEqual({ paidOrders: 2, refundedOrders: 1 });
  });
});

describe('the anomaly alert', () => {
  const days = (n: number, f: (i: number) => number): DayFigures[] =>
    Array.from({ length: n }, (_, i) => ({ date: new Date(Date.UTC(2026, 10, 1 + i)).toISOString().slice(0, 10), orders: f(i), paid: f(i), refundedOrders: Math.round(f(i) * 0.05) }));
  const weekly = (i: number) => [40, 42, 41, 45, 60, 80, 70][i % 7]! + (i % 3);

  it('says it has too little data below two weeks', () => {
    const check = detectAnomalies(days(10, weekly), { date: '2026-11-11', orders: 5, paid: 5, refundedOrders: 0 });
    expect(check.ok).toBe(false);
    if (!check.ok) expect(check.message.en).toMatch(/at least 14 days/);
  });

  it('alerts once for a day far outside the band, and not for an ordinary day', async () => {
    const history = days(28, weekly);
    const ordinary = { date: '2026-11-29', orders: weekly(28), paid: weekly(28), refundedOrders: Math.round(weekly(28) * 0.05) };
    const quiet = detectAnomalies(history, ordinary);
    expect(quiet.ok && quiet.alerts).toEqual([]);
    const spike = { date: '2026-11-29', orders: 400, paid: 400, refundedOrders: 200 };
    const check = detectAnomalies(history, spike);
    expect(check.ok && check.alerts.map((a) => `${a.id}:${a.direction}`)).toEqual(['anomaly:orders:2026-11-29:above', 'anomaly:refund_rate:2026-11-29:above']);
    const ledger = memoryAlertLedger();
    const sent: string[] = [];
    await sendAnomalyAlerts(check, ledger, (a) => void sent.push(a.id));
    await sendAnomalyAlerts(check, ledger, (a) => void sent.push(a.id));
    expect(sent).toEqual(['anomaly:orders:2026-11-29', 'anomaly:refund_rate:2026-11-29']);
  });
});
