import { describe, expect, it } from 'vitest';
import { PostgresOrderStore } from '../../src/adapters/postgres/index.js';
import { WxCloudOrderStore } from '../../src/adapters/wx-cloud/index.js';
import { detectAnomalies, emitAnomalyAlerts, SHOP_EFFECTS_ID, type AnomalyCheck, type DayFigures } from '../../src/analytics/index.js';
import { createMemoryOrderData, MemoryOrderStore, type OrderStore } from '../../src/storage/index.js';
import { createCloudDatabaseStandIn, type StandInOperation } from '../../src/testing/index.js';
import { describeRealPg, migratedPool } from '../support/pg.js';

/**
 * The anomaly alert goes out through the outbox once per day and figure: two service instances
 * checking the same day at the same moment, again and again, and an instance started afresh, write
 * one effect per alert between them (docs/analytics.md "Automatic actions").
 */

const days = (n: number, f: (i: number) => number): DayFigures[] =>
  Array.from({ length: n }, (_, i) => ({ date: new Date(Date.UTC(2026, 10, 1 + i)).toISOString().slice(0, 10), orders: f(i), paid: f(i), refundedOrders: Math.round(f(i) * 0.05) }));
const weekly = (i: number) => [40, 42, 41, 45, 60, 80, 70][i % 7]! + (i % 3);
const check: AnomalyCheck = detectAnomalies(days(28, weekly), { date: '2026-11-29', orders: 400, paid: 400, refundedOrders: 200 });
const IDS = ['anomaly:orders:2026-11-29', 'anomaly:refund_rate:2026-11-29'];

/** Two instances, ten rounds of both emitting at once, then a restarted one: each alert written once. */
async function raceSuite(a: OrderStore, b: OrderStore, restarted: () => OrderStore): Promise<void> {
  expect(check.ok && check.alerts.map((x) => x.id)).toEqual(IDS);
  const emitted: string[] = [];
  for (let round = 0; round < 10; round++) {
    const both = await Promise.all([emitAnomalyAlerts(a, check), emitAnomalyAlerts(b, check)]);
    for (const sent of both) emitted.push(...sent.map((x) => x.id));
  }
  expect(emitted.sort()).toEqual(IDS);
  const claimed = await a.claim(10, 30_000);
  expect(claimed.map((e) => e.effect.id).sort()).toEqual(IDS);
  expect(claimed.every((e) => e.effect.orderId === SHOP_EFFECTS_ID && e.effect.type === 'notify')).toBe(true);
  // Delivered, then checked again by a fresh process: still nothing new.
  for (const e of claimed) await a.complete(e.effect.id);
  expect(await emitAnomalyAlerts(restarted(), check)).toEqual([]);
  expect(await b.claim(10, 30_000)).toEqual([]);
  // Another day is another alert.
  const next = detectAnomalies(days(28, weekly), { date: '2026-11-30', orders: 400, paid: 400, refundedOrders: 200 });
  expect((await emitAnomalyAlerts(b, next)).map((x) => x.id)).toEqual(['anomaly:orders:2026-11-30', 'anomaly:refund_rate:2026-11-30']);
}

describe('anomaly alerts through the outbox (memory)', () => {
  it('are written once per day and figure across instances and restarts', async () => {
    const data = createMemoryOrderData();
    await raceSuite(new MemoryOrderStore({ data }), new MemoryOrderStore({ data }), () => new MemoryOrderStore({ data }));
  });

  it('are refused by a store that cannot write effects outside an order', async () => {
    const store = new MemoryOrderStore();
    const bare = { ...store, enqueueEffects: undefined } as unknown as OrderStore;
    await expect(emitAnomalyAlerts(bare, check)).rejects.toMatchObject({ code: 'UNSUPPORTED', path: ['store', 'enqueueEffects'] });
    // Nothing to send needs no store support.
    expect(await emitAnomalyAlerts(bare, { ...check, ok: false } as AnomalyCheck)).toEqual([]);
  });
});

describe('anomaly alerts through the outbox (wx-cloud, stand-in)', () => {
  it('are written once per day and figure across instances and restarts', async () => {
    const db = createCloudDatabaseStandIn();
    const store = () => new WxCloudOrderStore(db);
    await store().ensureCollections();
    await raceSuite(store(), store(), store);
  });

  it('count an insert whose answer was lost as written, once', async () => {
    // The first outbox insert applies and its answer is lost; the store reads the record back and
    // knows it by its token. A second instance never counts it.
    let lose = true;
    const fault = (op: StandInOperation) => {
      if (lose && op.collection === 'order_outbox' && op.kind === 'add') {
        lose = false;
        return 'timeout-after' as const;
      }
      return null;
    };
    const db = createCloudDatabaseStandIn({ fault });
    const a = new WxCloudOrderStore(db);
    await a.ensureCollections();
    expect((await emitAnomalyAlerts(a, check)).map((x) => x.id)).toEqual(IDS);
    expect(lose).toBe(false);
    expect(await emitAnomalyAlerts(new WxCloudOrderStore(db), check)).toEqual([]);
    expect(db.dump('order_outbox').map((d) => d._id)).toEqual(IDS);
  });

  it('refuses an effect the cloud database cannot store, writing nothing', async () => {
    const db = createCloudDatabaseStandIn();
    const store = new WxCloudOrderStore(db);
    await store.ensureCollections();
    const bad = { id: 'anomaly:x:2026-11-29', orderId: 'shop', type: 'notify', to: 'merchant', template: 'anomaly_alert', data: { 'a.b': 1 } };
    await expect(store.enqueueEffects([bad as never])).rejects.toMatchObject({ code: 'INVALID_COMMIT', path: expect.arrayContaining(['a.b']) });
    expect(db.dump('order_outbox')).toEqual([]);
  });
});

await describeRealPg('anomaly alerts through the outbox (PostgreSQL server)', (real) => {
  const pool = migratedPool(real, 4);
  it('are written once per day and figure by two instances racing, and after a restart', async () => {
    const other = real.pool(4);
    try {
      const store = (db: typeof other) => new PostgresOrderStore({ db, schema: real.schema });
      await raceSuite(store(pool()), store(other), () => store(real.pool(2)));
    } finally {
      await other.end();
    }
  });
});
