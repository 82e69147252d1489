import { describe, expect, it } from 'vitest';
import { demoRules } from '../../examples/express/src/catalog.js';
import { seedDemoShop } from '../../examples/express/src/demo/seed.js';
import { breakdown, cohorts, couponEffect, customers, heatmap, refunds, skuPairs, summarize } from '../../src/analytics/index.js';
import { MemoryOrderStore, type Order, type OrderStore } from '../../src/index.js';

async function everyOrder(store: OrderStore): Promise<Order[]> {
  const all: Order[] = [];
  let cursor: string | null = null;
  do {
    const page = await store.list({ limit: 100, cursor, order: 'oldest' });
    all.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return all;
}

async function seed(seedValue: number, days: number) {
  const store = new MemoryOrderStore();
  const end = new Date('2026-11-25T04:00:00Z');
  const report = await seedDemoShop({ batch: (body) => body(store), rules: demoRules(end), end, days, seed: seedValue, batchSize: 50 });
  return { store, end, report, orders: await everyOrder(store) };
}

describe('the demo shop seeder', () => {
  it('writes a realistic history through the service: timeouts, shipments, refunds, returns', async () => {
    const { store, end, report, orders } = await seed(7, 12);
    expect(report.orders).toBe(orders.length);
    expect(orders.length).toBeGreaterThan(250);
    // Refusals are rare races (a return asked after the sweeper confirmed, say), not a broken script.
    expect(report.refused / report.steps).toBeLessThan(0.05);
    const s = summarize(orders, { from: new Date(end.getTime() - 12 * 86_400_000), to: end, timeZone: 'Asia/Shanghai' });
    expect(s.closeReasons.payment_timeout).toBeGreaterThan(0);
    expect(s.closeReasons.customer_cancelled).toBeGreaterThan(0);
    expect(s.closeReasons.fully_refunded).toBeGreaterThan(0);
    expect(s.revenue.refunded).toBeGreaterThan(0);
    expect(s.stageDurations.every((d) => d.count > 0)).toBe(true);
    expect(orders.some((o) => o.afterSales.some((a) => a.kind === 'return_and_refund' && a.status === 'refunded'))).toBe(true);
    // Every change went through the service: each order's audit log has one event per version.
    for (const o of orders.slice(0, 40)) expect((await store.history(o.id)).length).toBe(o.version);
  });

  // docs/analytics.md "The dashboard": each chart of the insights page has something to say.
  it('makes repeat customers, home provinces, usual channels, busy hours, coupons and refund reasons', async () => {
    const { end, orders } = await seed(7, 21);
    const o = { from: new Date(end.getTime() - 21 * 86_400_000), to: end, timeZone: 'Asia/Shanghai' };
    const c = customers(orders, o);
    expect(c.repeatCustomers / c.customers).toBeGreaterThan(0.05);
    // Customers come back in later weeks: some cohort keeps customers past its first week.
    expect(cohorts(orders, o, 'week').cohorts.some((x) => x.retained.slice(1).some((n) => n > 0))).toBe(true);
    const provinces = breakdown(orders, o, 'province').rows;
    expect(provinces.filter((r) => r.paid > 0).length).toBeGreaterThanOrEqual(6);
    // Not uniform: the top province has several times the orders of the smallest.
    expect(provinces[0]!.placed).toBeGreaterThan(3 * provinces[provinces.length - 1]!.placed);
    expect(breakdown(orders, o, 'channel').rows.map((r) => r.key).sort()).toEqual(['live', 'mini_program', 'share']);
    // Orders follow the shop's clock: the evening peak is busier than the small hours and the morning.
    const h = heatmap(orders, o).cells;
    const at = (hour: number) => h.reduce((sum, day) => sum + day[hour]!, 0);
    expect(at(20) + at(21)).toBeGreaterThan(4 * (at(2) + at(3)));
    expect(at(20) + at(21)).toBeGreaterThan(at(8) + at(9));
    const coupons = couponEffect(orders, o);
    expect(coupons.couponOrders).toBeGreaterThan(0);
    expect(coupons.couponDiscount).toBeGreaterThan(0);
    expect(skuPairs(orders, o).pairs.length).toBeGreaterThan(0);
    expect(refunds(orders, o).reasons.some((r) => r.reason !== null)).toBe(true);
  });

  it('is the same shop on every machine (seeded randomness, fake clock)', async () => {
    const a = await seed(3, 3);
    const b = await seed(3, 3);
    expect(b.orders.map((o) => [o.id, o.status, o.version, o.pricing.total])).toEqual(a.orders.map((o) => [o.id, o.status, o.version, o.pricing.total]));
  });
});
