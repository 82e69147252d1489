import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  breakdown,
  cohorts,
  couponEffect,
  customers,
  heatmap,
  ordersBehind,
  parseFigure,
  refunds,
  trend,
  type Figure,
  type InsightOptions,
} from '../../src/analytics/index.js';
import { CHANNELS, PROVINCES, randomOrders, START } from './support/random-orders.js';

/*
 * Drill-down: the orders behind each figure are exactly the ones the figure counted, for random
 * shops, ranges, zones and filters.
 */

const DAY = 86_400_000;
const zones = ['Asia/Shanghai', 'UTC', 'America/New_York'];
const caseArb = fc.record({
  seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
  offset: fc.integer({ min: -3 * DAY, max: 30 * DAY }),
  span: fc.integer({ min: DAY, max: 40 * DAY }),
  timeZone: fc.constantFrom(...zones),
  filter: fc.option(fc.record({ channel: fc.constantFrom(...CHANNELS), province: fc.constantFrom(...PROVINCES.filter((p) => p !== '')) }, { requiredKeys: [] }), { nil: undefined }),
});

const distinctCustomers = (rows: Array<{ customerId: string }>) => new Set(rows.map((r) => r.customerId)).size;

describe('ordersBehind', () => {
  it('lists exactly the orders each figure counted', () => {
    fc.assert(
      fc.property(caseArb, ({ seed, offset, span, timeZone, filter }) => {
        const orders = randomOrders(80, seed, START, 40 * DAY, 20);
        const options: InsightOptions = { from: new Date(START + offset), to: new Date(START + offset + span), timeZone, ...(filter ? { filter } : {}) };
        const all = (figure: Figure) => ordersBehind(orders, options, figure, 10_000);
        const t = trend(orders, options).figures;
        expect(all({ figure: 'placed' }).total).toBe(t.placed.current);
        expect(all({ figure: 'paid' }).total).toBe(t.paid.current);
        expect(all({ figure: 'paid' }).orders.reduce((s, o) => s + o.paidAmount, 0)).toBe(t.gmv.current);
        expect(all({ figure: 'refunded' }).total).toBe(t.refundedOrders.current);

        const from = options.from.getTime();
        const to = options.to.getTime();
        const inRange = (iso: string | null) => iso !== null && Date.parse(iso) >= from && Date.parse(iso) < to;
        for (const dimension of ['province', 'channel'] as const) {
          for (const r of breakdown(orders, options, dimension).rows) {
            const listed = all({ figure: 'segment', dimension, key: r.key ?? '' }).orders;
            expect(listed.filter((o) => inRange(o.placedAt)).length).toBe(r.placed);
            expect(listed.filter((o) => inRange(o.paidAt)).length).toBe(r.paid);
          }
        }
        const h = heatmap(orders, options);
        for (let d = 0; d < 7; d++) for (const hour of [0, 9, 12, 20, 23]) expect(all({ figure: 'heatmap', weekday: d + 1, hour }).total).toBe(h.cells[d]![hour]);

        for (const c of cohorts(orders, options, 'week').cohorts) {
          c.retained.forEach((n, k) => expect(distinctCustomers(all({ figure: 'cohort', by: 'week', period: c.period, offset: k }).orders)).toBe(n));
        }
        const cust = customers(orders, options);
        expect(distinctCustomers(all({ figure: 'new_customers' }).orders)).toBe(cust.newCustomers);
        expect(distinctCustomers(all({ figure: 'repeat_customers' }).orders)).toBe(cust.repeatCustomers);
        for (const s of refunds(orders, options).skus) expect(all({ figure: 'sku', sku: s.sku }).total).toBe(s.orders);
        expect(all({ figure: 'coupon' }).total).toBe(couponEffect(orders, options).couponOrders);
      }),
      { numRuns: 30 },
    );
  });

  it('cuts the list at the limit and keeps the total', () => {
    const orders = randomOrders(60, 7, START, 40 * DAY, 10);
    const r = ordersBehind(orders, { from: new Date(START - DAY), to: new Date(START + 50 * DAY), timeZone: 'UTC' }, { figure: 'placed' }, 5);
    expect(r.total).toBe(60);
    expect(r.orders.length).toBe(5);
    expect(r.orders.map((o) => o.placedAt)).toEqual([...r.orders.map((o) => o.placedAt)].sort().reverse());
  });

  it('refuses an unknown figure or a bad part with its path', () => {
    const bad: Array<[Record<string, unknown>, string]> = [
      [{ figure: 'bogus' }, 'figure'],
      [{ figure: 'segment', dimension: 'city' }, 'dimension'],
      [{ figure: 'heatmap', weekday: '8', hour: '1' }, 'weekday'],
      [{ figure: 'heatmap', weekday: '1', hour: '24' }, 'hour'],
      [{ figure: 'cohort', period: 'last week', offset: '0' }, 'period'],
      // A date that does not exist names no period (it listed no orders, as if the cell were empty).
      [{ figure: 'cohort', period: '2026-13-45', offset: '0' }, 'period'],
      [{ figure: 'cohort', by: 'month', period: '2026-02-30', offset: '0' }, 'period'],
      // Nor does a day other than the period's first: a Tuesday for weeks, the 2nd for months.
      [{ figure: 'cohort', by: 'week', period: '2026-11-17', offset: '0' }, 'period'],
      [{ figure: 'cohort', by: 'month', period: '2026-11-02', offset: '0' }, 'period'],
      [{ figure: 'sku' }, 'sku'],
    ];
    for (const [q, path] of bad) {
      const r = parseFigure(q);
      expect(r.ok).toBe(false);
      if (!r.ok) {
        expect(r.error.code).toBe('INVALID_ANALYTICS_OPTIONS');
        expect(r.error.path).toEqual([path]);
      }
    }
    expect(parseFigure({ figure: 'heatmap', weekday: '5', hour: '20' })).toEqual({ ok: true, value: { figure: 'heatmap', weekday: 5, hour: 20 } });
    expect(parseFigure({ figure: 'cohort', period: '2026-11-16', offset: '1' })).toEqual({ ok: true, value: { figure: 'cohort', by: 'week', period: '2026-11-16', offset: 1 } });
    expect(parseFigure({ figure: 'cohort', by: 'month', period: '2026-11-01', offset: '0' })).toEqual({ ok: true, value: { figure: 'cohort', by: 'month', period: '2026-11-01', offset: 0 } });
  });
});
