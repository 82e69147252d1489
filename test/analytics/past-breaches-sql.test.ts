import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PGlite } from '@electric-sql/pglite';
import { migrate, pastBreachesSql, PostgresOrderStore, type PostgresDatabase } from '../../src/adapters/postgres/index.js';
import { migrateAnalytics } from '../../src/adapters/postgres/analytics-sql.js';
import { pastBreachesSqlTuned, type PastBreachTuning } from '../../src/adapters/postgres/analytics-past-breaches-sql.js';
import { toSqlDriver } from '../../src/adapters/postgres/driver.js';
import { bottlenecks, orderFacts, pastBreaches, stageSpan, STAGES, toDurationFigures, type Stage } from '../../src/analytics/index.js';
import { OrderSchema, type Order } from '../../src/order/index.js';
import { describeRealPg } from '../support/pg.js';
import { freshPGlite } from '../support/pglite.js';
import { buildOrder } from './support/build-order.js';
import { loadThroughStore } from './support/load-orders.js';
import { randomOrders, START } from './support/random-orders.js';

/**
 * The past SLA breaches (docs/analytics.md "Past breaches"): `pastBreachesSql` equals
 * `pastBreaches`, which equals `bottlenecks` over the range with its open breaches left out, for
 * random ranges (whole UTC days and partial ones), service levels (on rollup bucket boundaries and
 * equal to some order's duration among them), stages, limits, and every way the SQL lists the
 * worst (the duration index after a conclusive probe, or the range's facts).
 */

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** Fulfilment durations that sit on and around a rollup bucket boundary, and a tie of equal durations. */
function boundaryOrders(): Order[] {
  const at = START + 12 * DAY + 5 * HOUR;
  const plan = (id: string, placedAt: number, fulfilmentMs: number): Order =>
    buildOrder({ id, placedAt, lines: [{ sku: 'EDGE', quantity: 1, payable: 100 }], paidAfterMs: 1000, parcelsAfterPaidMs: [fulfilmentMs] });
  return [
    plan('edge-48h', at, 48 * HOUR), // exactly 48 h: on time at 48 h
    plan('edge-48h+1', at + 1, 48 * HOUR + 1),
    plan('edge-48h-1', at + 2, 48 * HOUR - 1),
    plan('edge-cut', at + DAY, 172_000_000), // the start of 48 h's bucket
    plan('edge-next', at + DAY + 1, 173_000_000), // the start of the next bucket
    plan('edge-tie-b', at + 2 * DAY, 50 * HOUR),
    plan('edge-tie-a', at + 2 * DAY + 7, 50 * HOUR),
    plan('edge-tie-c', at + 3 * DAY, 50 * HOUR),
  ];
}

/** Finished durations of the orders per stage, to draw service levels from. */
function durations(orders: Order[]): Record<Stage, number[]> {
  const out: Record<Stage, number[]> = { payment: [], fulfilment: [], delivery: [], confirmation: [] };
  for (const o of orders) {
    const f = orderFacts(o);
    for (const stage of STAGES) {
      const { start, end } = stageSpan(f, stage);
      if (!Number.isNaN(start) && !Number.isNaN(end) && end > start) out[stage].push(end - start);
    }
  }
  return out;
}

/** A service level in hours: a quarter hour multiple, or one derived from a real duration (equal, ±1 ms, its bucket's ends). */
function slaArb(ds: number[]): fc.Arbitrary<number> {
  const quarter = fc.integer({ min: 1, max: 400 }).map((q) => q / 4);
  if (ds.length === 0) return quarter;
  const derived = fc.tuple(fc.constantFrom(...ds), fc.constantFrom('equal', 'minus', 'plus', 'cut', 'next')).map(([d, how]) => {
    const unit = d < 1000 ? 1 : 10 ** (String(d).length - 3);
    const ms = { equal: d, minus: d - 1, plus: d + 1, cut: toDurationFigures(d), next: toDurationFigures(d) + unit }[how];
    return Math.max(1, ms) / HOUR;
  });
  return fc.oneof(quarter, derived, derived);
}

const rangeArb = fc.oneof(
  // Whole UTC days.
  fc.tuple(fc.integer({ min: -2, max: 40 }), fc.integer({ min: 1, max: 44 })).map(([d, n]) => ({ from: new Date(START + d * DAY), to: new Date(START + (d + n) * DAY) })),
  // Anywhere, partial days at either end or inside one day.
  fc.tuple(fc.integer({ min: -3 * DAY, max: 40 * DAY }), fc.integer({ min: 1, max: 44 * DAY })).map(([a, n]) => ({ from: new Date(START + a), to: new Date(START + a + n) })),
);

const tuningArb: fc.Arbitrary<PastBreachTuning | null> = fc.oneof(
  fc.constant(null),
  // A probe shorter than the data: conclusive or not, depending on the range.
  fc.integer({ min: 0, max: 6 }).map((k) => ({ probeSize: (limit: number) => limit + k, directLimit: 1_000 })),
  // The range read at once.
  fc.constant({ probeSize: () => 10_000, directLimit: 0 }),
);

async function agreementSuite(db: PostgresDatabase, schema: string, seed: number): Promise<void> {
  const store = new PostgresOrderStore({ db, schema });
  const orders = [...randomOrders(260, seed, START, 40 * DAY), ...boundaryOrders()];
  for (const o of orders) OrderSchema.parse(o);
  // Half exist before the projection (back-fill), half arrive after (the trigger, pending deltas).
  await loadThroughStore(store, orders.slice(0, 130));
  await migrateAnalytics(db, { schema });
  await loadThroughStore(store, orders.slice(130));
  const ds = durations(orders);
  const slas = fc.record(
    Object.fromEntries(STAGES.map((s) => [s, fc.option(slaArb(ds[s]), { nil: undefined })])) as Record<Stage, fc.Arbitrary<number | undefined>>,
  );

  await fc.assert(
    fc.asyncProperty(rangeArb, slas, fc.integer({ min: 0, max: 30 }), tuningArb, fc.boolean(), async (range, sla, limit, tuning, compact) => {
      const slaHours = Object.fromEntries(Object.entries(sla).filter(([, h]) => h !== undefined));
      const options = { ...range, now: new Date(START + 45 * DAY), slaHours, limit };
      const memory = pastBreaches(orders, options);
      // pastBreaches is bottlenecks over the range, open breaches left out.
      const all = bottlenecks(orders, { ...options, limit: Number.MAX_SAFE_INTEGER }).breaches.filter((b) => !b.open);
      expect(memory.total).toBe(all.length);
      expect(memory.breaches).toEqual(all.slice(0, limit));
      for (const stage of STAGES) expect(memory.byStage[stage]).toBe(all.filter((b) => b.stage === stage).length);
      const sqlOptions = { ...options, schema, compact };
      const sql = tuning === null ? await pastBreachesSql(db, sqlOptions) : await pastBreachesSqlTuned(db, sqlOptions, tuning);
      expect(sql).toEqual(memory);
    }),
    { numRuns: 60 },
  );

  // Not vacuous: breaches of several stages, and the boundary orders decided one by one.
  const whole = { from: new Date(START - DAY), to: new Date(START + 45 * DAY), now: new Date(START + 45 * DAY), limit: 500 };
  const many = await pastBreachesSql(db, { ...whole, schema, slaHours: { payment: 0.1, fulfilment: 24, delivery: 48, confirmation: 96 } });
  expect(STAGES.filter((s) => many.byStage[s] > 0).length).toBe(4);
  const at48 = await pastBreachesSql(db, { ...whole, schema, slaHours: { fulfilment: 48 } });
  const ids = at48.breaches.map((b) => b.orderId);
  expect(ids).toContain('edge-48h+1');
  expect(ids).toContain('edge-next');
  expect(ids).not.toContain('edge-48h');
  expect(ids).not.toContain('edge-48h-1');
  expect(ids).not.toContain('edge-cut');
  const ties = ids.filter((id) => id.startsWith('edge-tie'));
  expect(ties).toEqual(['edge-tie-a', 'edge-tie-b', 'edge-tie-c']);
  expect(at48).toEqual(pastBreaches(orders, { ...whole, slaHours: { fulfilment: 48 } }));
}

async function typedErrors(db: PostgresDatabase): Promise<void> {
  const ok = { from: new Date(START), to: new Date(START + DAY), now: new Date(START + 2 * DAY) };
  const bad: Array<[Record<string, unknown>, (string | number)[]]> = [
    [{ ...ok, from: new Date(NaN) }, ['from']],
    [{ ...ok, from: undefined }, ['from']],
    [{ ...ok, to: new Date('nope') }, ['to']],
    [{ ...ok, to: ok.from }, ['to']],
    [{ ...ok, now: undefined }, ['now']],
    [{ ...ok, limit: -1 }, ['limit']],
    [{ ...ok, limit: 1.5 }, ['limit']],
    [{ ...ok, slaHours: { fulfilment: 0 } }, ['slaHours', 'fulfilment']],
    [{ ...ok, slaHours: { fulfilment: 876_001 } }, ['slaHours', 'fulfilment']],
    [{ ...ok, slaHours: { shipping: 3 } }, ['slaHours', 'shipping']],
  ];
  for (const [options, path] of bad) {
    const expected = { code: 'INVALID_ANALYTICS_OPTIONS', path };
    expect(() => pastBreaches([], options as never)).toThrow(expect.objectContaining(expected));
    await expect(pastBreachesSql(db, options as never)).rejects.toMatchObject(expected);
  }
  // The longest service level accepted computes in SQL too.
  expect(await pastBreachesSql(db, { ...ok, slaHours: { fulfilment: 876_000 } })).toEqual(pastBreaches([], { ...ok, slaHours: { fulfilment: 876_000 } }));
}

describe('pastBreachesSql agrees with pastBreaches and bottlenecks (PGlite)', () => {
  let db: PGlite;
  beforeAll(async () => {
    db = await freshPGlite();
    await migrate(db);
  });
  afterAll(async () => {
    await db.close();
  });

  it('on a generated shop, for random ranges, service levels, stages, limits and listing paths', async () => {
    await agreementSuite(db, 'orderkit', 31);
  });

  it('refuses bad input with the same typed error in memory and in SQL', async () => {
    await typedErrors(db);
  });

  it('migrateAnalytics gives a database migrated before the duration indexes its indexes', async () => {
    const driver = toSqlDriver(db);
    await driver.query(`drop index orderkit.order_facts_fulfilment_ms_idx`);
    await driver.query(`drop index orderkit.order_facts_created_durations_idx`);
    await migrateAnalytics(db);
    const found = await driver.query<{ n: number }>(
      `select count(*)::int as n from pg_indexes where schemaname = 'orderkit' and indexname in (${[...STAGES.map((s) => `'order_facts_${s}_ms_idx'`), `'order_facts_created_durations_idx'`].join(', ')})`,
    );
    expect(found.rows[0]?.n).toBe(5);
  });
});

await describeRealPg('pastBreachesSql agrees with pastBreaches and bottlenecks (PostgreSQL server)', (pg) => {
  afterAll(() => pg.dispose());
  it('on a generated shop, for random ranges, service levels, stages, limits and listing paths', async () => {
    const pool = pg.pool(4);
    await migrate(pool, { schema: pg.schema });
    await agreementSuite(pool, pg.schema, 37);
  });
});
