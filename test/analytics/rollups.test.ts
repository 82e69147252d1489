import { PGlite } from '@electric-sql/pglite';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compactAnalytics, migrate, migrateAnalytics, PostgresOrderStore, summarizeSql, type PostgresDatabase } from '../../src/adapters/postgres/index.js';
import { cutDurationSql } from '../../src/adapters/postgres/analytics-rollups.js';
import { cohortsSql, customersSql } from '../../src/adapters/postgres/analytics-insights-sql.js';
import { toSqlDriver } from '../../src/adapters/postgres/driver.js';
import { cohorts, customers, DURATION_FIGURES, summarize, toDurationFigures } from '../../src/analytics/index.js';
import type { Order } from '../../src/order/index.js';
import { describeRealPg, migratedPool } from '../support/pg.js';
import { loadEvolving } from './support/load-orders.js';
import { randomOrders, START } from './support/random-orders.js';
import { freshPGlite } from '../support/pglite.js';

const DAY = 86_400_000;
const zones = ['Asia/Shanghai', 'UTC', 'America/New_York', 'Asia/Kathmandu'];
const rangeArb = fc
  .tuple(fc.integer({ min: -2 * DAY, max: 30 * DAY }), fc.integer({ min: 1, max: 40 * DAY }), fc.constantFrom(...zones))
  .map(([offset, span, timeZone]) => ({ from: new Date(START + offset), to: new Date(START + offset + span), timeZone }));

describe('durations to three significant figures', () => {
  it('never reorders durations, stays within 1 % below the value, and keeps short ones whole', () => {
    fc.assert(
      fc.property(fc.integer({ min: -1e12, max: 1e12 }), fc.integer({ min: -1e12, max: 1e12 }), (a, b) => {
        const [lo, hi] = a <= b ? [a, b] : [b, a];
        expect(toDurationFigures(lo)).toBeLessThanOrEqual(toDurationFigures(hi));
        const cut = toDurationFigures(a);
        expect(Math.abs(cut)).toBeLessThanOrEqual(Math.abs(a));
        expect(Math.abs(a) - Math.abs(cut)).toBeLessThan(Math.max(1, Math.abs(a) / 10 ** (DURATION_FIGURES - 1)));
        if (Math.abs(a) < 10 ** DURATION_FIGURES) expect(cut).toBe(a);
      }),
    );
  });
});

interface Counts {
  pending: number;
  folded: number;
  duplicateKeys: number;
}

async function rollupCounts(db: PostgresDatabase, schema: string): Promise<Counts> {
  const s = `"${schema}"`;
  const r = await toSqlDriver(db).query<Counts>(
    `select (select count(*) from ${s}.rollup_placed where not compacted)::int + (select count(*) from ${s}.rollup_stage where not compacted)::int as pending,
            (select count(*) from ${s}.rollup_placed where compacted)::int as folded,
            (select count(*) from (select 1 from ${s}.rollup_stage where compacted group by day, stage, ms having count(*) > 1) d)::int as "duplicateKeys"`,
  );
  return r.rows[0]!;
}

/** Orders that change several times, summarised from pending deltas, then folded, then from both. */
async function rollupSuite(db: PostgresDatabase, schema: string, seed: number): Promise<void> {
  const store = new PostgresOrderStore({ db, schema });
  await migrateAnalytics(db, { schema });
  const first = await loadEvolving(store, randomOrders(120, seed, START, 30 * DAY));
  // Everything so far waits as deltas: the summary must already be exact.
  expect((await rollupCounts(db, schema)).pending).toBeGreaterThan(0);
  const whole = { from: new Date(START - DAY), to: new Date(START + 40 * DAY), timeZone: 'Asia/Shanghai' };
  expect(await summarizeSql(db, { ...whole, schema, compact: false })).toEqual(summarize(first, whole));

  expect(await compactAnalytics(db, { schema })).toEqual({ folded: true });
  const folded = await rollupCounts(db, schema);
  expect(folded).toMatchObject({ pending: 0, duplicateKeys: 0 });
  expect(folded.folded).toBeGreaterThan(0);

  // More orders after the fold: folded rows and fresh deltas together.
  const later = await loadEvolving(store, randomOrders(80, seed + 1, START + 5 * DAY, 20 * DAY).map((o) => ({ ...o, id: `late-${o.id}`, number: `L${o.number}`.slice(0, 32) })));
  const all: Order[] = [...first, ...later];
  await fc.assert(
    fc.asyncProperty(rangeArb, fc.boolean(), async (range, compact) => {
      expect(await summarizeSql(db, { ...range, schema, compact })).toEqual(summarize(all, range));
    }),
    { numRuns: 12 },
  );
}

describe('the analytics rollups on PGlite', () => {
  let db: PGlite;
  beforeAll(async () => {
    db = await freshPGlite();
    await migrate(db, { schema: 'rollups' });
  });
  afterAll(async () => {
    await db.close();
  });

  it('stay exact through status changes, refunds, renamed lines and folding', async () => {
    await rollupSuite(db, 'rollups', 5);
  });

  // In the same PGlite (starting one costs seconds of the run).
  it('cut durations to three significant figures as toDurationFigures does', async () => {
    const values = fc.sample(fc.oneof(fc.integer({ min: -1e12, max: 1e12 }), fc.integer({ min: -5000, max: 5000 })), 500);
    const r = await db.query<{ cut: string }>(`select ${cutDurationSql('v')}::text as cut from unnest($1::bigint[]) with ordinality as t(v, i) order by i`, [values]);
    expect(r.rows.map((row) => Number(row.cut))).toEqual(values.map(toDurationFigures));
  });
});

await describeRealPg('the analytics rollups on the real PostgreSQL', (real) => {
  const pools = migratedPool(real, 10);

  it('stay exact through status changes, refunds, renamed lines and folding', async () => {
    await rollupSuite(pools(), real.schema, 17);
  });

  it('stay exact when orders are written by 6 writers while folds run beside them', async () => {
    const pool = pools();
    const schema = `${real.schema}_c`;
    await migrate(pool, { schema });
    await migrateAnalytics(pool, { schema });
    const store = new PostgresOrderStore({ db: pool, schema });
    const orders = randomOrders(240, 99, START, 20 * DAY);
    let writing = true;
    let folds = 0;
    const folder = (async () => {
      while (writing) {
        if ((await compactAnalytics(pool, { schema })).folded) folds++;
        await new Promise((r) => setTimeout(r, 5));
      }
    })();
    const written = await Promise.all(Array.from({ length: 6 }, (_, w) => loadEvolving(store, orders.filter((_, i) => i % 6 === w))));
    writing = false;
    await folder;
    expect(folds).toBeGreaterThan(1);
    const range = { from: new Date(START - DAY), to: new Date(START + 30 * DAY), timeZone: 'Asia/Shanghai' };
    expect(await summarizeSql(pool, { ...range, schema })).toEqual(summarize(written.flat(), range));
    expect(await rollupCounts(pool, schema)).toMatchObject({ pending: 0, duplicateKeys: 0 });
    // The customer chains (analytics-customers.ts): the writers pay orders of the same customers
    // while folds recompute their chains; whatever a fold missed is still marked dirty.
    for (const compact of [false, true]) {
      expect(await customersSql(pool, { ...range, schema, compact })).toEqual(customers(written.flat(), range));
      expect(await cohortsSql(pool, { ...range, schema, compact }, 'week')).toEqual(cohorts(written.flat(), range, 'week'));
    }
    const mid = { ...range, from: new Date(START + 7 * DAY + 3_600_000 / 3) };
    expect(await customersSql(pool, { ...mid, schema })).toEqual(customers(written.flat(), mid));
    // The cohort rollup the folds moved, over Shanghai's whole days alone (its zone, midnight to midnight).
    const days = { from: new Date(START - 8 * 3_600_000), to: new Date(START + 20 * DAY - 8 * 3_600_000), timeZone: 'Asia/Shanghai' };
    for (const by of ['week', 'month'] as const) expect(await cohortsSql(pool, { ...days, schema }, by)).toEqual(cohorts(written.flat(), days, by));
    await pool.query(`drop schema "${schema}" cascade`);
  });
});
