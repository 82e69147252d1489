import { describe, expect, it } from 'vitest';
import { demoRules } from '../../examples/express/src/catalog.js';
import { seedDemoShop } from '../../examples/express/src/demo/seed.js';
import { summarize } from '../../src/analytics/index.js';
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

  it('is the same shop on every machine (seeded randomness, fake clock)', async () => {
    const a = await seed(3, 3);
    const b = await seed(3, 3);
    expect(b.orders.map((o) => [o.id, o.status, o.version, o.pricing.total])).toEqual(a.orders.map((o) => [o.id, o.status, o.version, o.pricing.total]));
  });
});
