/**
 * `npm run bench -- analytics-insights`: the decision-support analyses of orderkit/postgres over
 * 1,000,000 orders with 250,000 customers, provinces, channels, coupons and after-sale refunds, on
 * the real PostgreSQL server, each beside a hand-written SQL baseline over the same data in the
 * same run (interleaved rounds, medians). Two dashboard ranges: the last 7 and the last 30 days.
 *
 * Also the write cost of the segment rollups: the same place → pay → ship sequence through the
 * service on a schema without the analytics trigger, with the trigger as it was before the segment
 * rollups, and with them, in alternating rounds.
 *
 * DATABASE_URL names the server. The orders stay in the schema `orderkit_bench_insights` between
 * runs (loading takes minutes). ANALYTICS_BENCH_ORDERS changes the size (default 1,000,000).
 */
import { loadavg } from 'node:os';
import pg from 'pg';
import {
  breakdownSql,
  cohortsSql,
  compactAnalytics,
  couponEffectSql,
  customersSql,
  dailySeriesSql,
  heatmapSql,
  migrate,
  migrateAnalytics,
  openBreachesSql,
  pastBreachesSql,
  ordersBehindSql,
  PostgresOrderStore,
  bottlenecksSql,
  refundsSql,
  skuPairsSql,
  topSkusBySegmentSql,
  trendSql,
} from '../src/adapters/postgres/index.js';
import type { Order } from '../src/order/index.js';
import { nextDueAt } from '../src/lifecycle/due.js';
import { migrationSql } from '../src/adapters/postgres/analytics-projection.js';
import { SEGMENTS_VERSION } from '../src/adapters/postgres/analytics-segments.js';
import { OPEN_ROLLUP_VERSION } from '../src/adapters/postgres/analytics-open-rollup.js';
import { COHORTS_VERSION, CUSTOMERS_VERSION, DEFAULT_COHORT_ZONE } from '../src/adapters/postgres/analytics-customers.js';
import { createOrderService } from '../src/service/index.js';
import { buildOrder } from '../test/analytics/support/build-order.js';
import { randomOrders, START } from '../test/analytics/support/random-orders.js';
import { machineLine, table, writeSection } from './report.js';

const URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const N = Number(process.env.ANALYTICS_BENCH_ORDERS ?? 1_000_000);
const CUSTOMERS = Math.max(1, Math.floor(N / 4));
const SCHEMA = 'orderkit_bench_insights';
const DATASET = `insight-orders-v1:${N}`;
const CHUNK = 5_000;
const DAY = 86_400_000;
const ROUNDS = 5;

function chunk(i: number): Order[] {
  return randomOrders(Math.min(CHUNK, N - i * CHUNK), 5_000 + i, START, 40 * DAY, CUSTOMERS);
}

async function load(pool: pg.Pool): Promise<number> {
  const started = Date.now();
  await pool.query(`drop schema if exists ${SCHEMA} cascade`);
  await migrate(pool, { schema: SCHEMA });
  const chunks = Math.ceil(N / CHUNK);
  let next = 0;
  const writer = async () => {
    for (let i = next++; i < chunks; i = next++) {
      const orders = chunk(i);
      await pool.query(
        `insert into ${SCHEMA}.orders (id, number, customer_id, status, version, created_at, updated_at, due_at, doc)
         select * from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::int[], $6::timestamptz[], $7::timestamptz[], $8::timestamptz[], $9::jsonb[])`,
        [
          orders.map((o) => o.id),
          orders.map((o) => o.number),
          orders.map((o) => o.customerId),
          orders.map((o) => o.status),
          orders.map((o) => o.version),
          orders.map((o) => o.createdAt),
          orders.map((o) => o.updatedAt),
          orders.map((o) => nextDueAt(o)),
          orders.map((o) => JSON.stringify(o)),
        ],
      );
      if (i % 20 === 0) process.stdout.write(`\r  loading ${Math.min((i + 1) * CHUNK, N).toLocaleString()} / ${N.toLocaleString()} orders`);
    }
  };
  await Promise.all([writer(), writer(), writer()]);
  process.stdout.write('\n  building the facts projection…\n');
  await migrateAnalytics(pool, { schema: SCHEMA });
  for (const t of ['orders', 'order_facts', 'order_line_facts']) await pool.query(`vacuum analyze ${SCHEMA}.${t}`);
  await pool.query(`create table ${SCHEMA}.bench_dataset (name text primary key)`);
  await pool.query(`insert into ${SCHEMA}.bench_dataset values ($1)`, [DATASET]);
  return Date.now() - started;
}

async function cached(pool: pg.Pool): Promise<boolean> {
  try {
    return (await pool.query(`select name from ${SCHEMA}.bench_dataset`)).rows[0]?.name === DATASET;
  } catch {
    return false;
  }
}

type WriteKind = 'plain' | 'facts' | 'segments' | 'open' | 'customers' | 'chainsOnly';

/**
 * Milliseconds per write of place → pay → ship (200 orders of 50 customers a round, one at a
 * time, rounds alternating between six kinds of schema: no trigger, the trigger without the
 * segment rollups, open-order rollup and customer chains, with the segment rollups only, with the
 * open-order rollup too, with the customer chains too, the same without the cohort rollup; the
 * first round is a warm-up). Also the milliseconds of the compactAnalytics that follows each
 * round of the last two kinds (it folds the
 * round's rollup deltas and recomputes its 50 customers' chains, moving the customer and cohort
 * rollups; on the last kind the fold as it was before the cohort rollup: a schema without the
 * rollup's zone skips it).
 */
async function writeCost(pool: pg.Pool): Promise<Record<WriteKind | 'fold' | 'foldChainsOnly', number>> {
  const perWrite: Record<WriteKind | 'fold' | 'foldChainsOnly', number[]> = { plain: [], facts: [], segments: [], open: [], customers: [], chainsOnly: [], fold: [], foldChainsOnly: [] };
  for (let round = 0; round < 5; round++) {
    for (const kind of ['plain', 'facts', 'segments', 'open', 'customers', 'chainsOnly'] as const) {
      const schema = `orderkit_bench_writes_${kind.toLowerCase()}`;
      await pool.query(`drop schema if exists ${schema} cascade`);
      await migrate(pool, { schema });
      if (kind !== 'plain') await migrateAnalytics(pool, { schema });
      if (kind === 'chainsOnly') await pool.query(`drop table ${schema}.rollup_cohort; delete from ${schema}.analytics_meta where key in ('cohorts_version', 'cohort_zone')`);
      if (kind !== 'plain' && kind !== 'customers' && kind !== 'chainsOnly') {
        // The trigger without its segment-rollup part (what a commit cost before them), without
        // its open-order part (before that), or without its customer-chain part (before that).
        const c = await pool.connect();
        try {
          await c.query(`begin; set local search_path to ${schema}; ${migrationSql(`"${schema}"`, { segments: kind !== 'facts', open: kind === 'open', customers: false })}; commit;`);
        } finally {
          c.release();
        }
      }
      const service = createOrderService({ store: new PostgresOrderStore({ db: pool, schema }) });
      const t = performance.now();
      for (let i = 0; i < 200; i++) {
        const placed = buildOrder({ id: `w${round}-${i}`, customerId: `c${i % 50}`, placedAt: Date.now(), lines: [{ sku: 'TEA-01', quantity: 2, payable: 3000 }, { sku: 'CUP-01', quantity: 1, payable: 900 }] });
        await service.store.create(placed, { events: [], effects: [] });
        await service.dispatch(placed.id, { type: 'PAYMENT_SUCCEEDED', amount: placed.pricing.total, transactionId: `T${placed.id}` }, { type: 'payment', gateway: 'bench' });
        await service.dispatch(placed.id, { type: 'SHIP' }, { type: 'merchant', id: 'm1' });
      }
      if (round > 0) perWrite[kind].push((performance.now() - t) / 600);
      if (kind === 'customers' || kind === 'chainsOnly') {
        const f = performance.now();
        await compactAnalytics(pool, { schema });
        if (round > 0) perWrite[kind === 'customers' ? 'fold' : 'foldChainsOnly'].push(performance.now() - f);
      }
      await pool.query(`drop schema ${schema} cascade`);
    }
  }
  return {
    plain: median(perWrite.plain),
    facts: median(perWrite.facts),
    segments: median(perWrite.segments),
    open: median(perWrite.open),
    customers: median(perWrite.customers),
    chainsOnly: median(perWrite.chainsOnly),
    fold: median(perWrite.fold),
    foldChainsOnly: median(perWrite.foldChainsOnly),
  };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const ms = (x: number) => `${x.toFixed(0)} ms`;
const pct = (a: number, b: number): string => {
  const p = (a / b - 1) * 100;
  return `${p >= 0 ? '+' : '−'}${Math.abs(p).toFixed(0)} %`;
};

async function main(): Promise<void> {
  const pool = new pg.Pool({ connectionString: URL, max: 4 });
  let loadMs: number | null = null;
  let built: { what: string; ms: number } | null = null;
  if (await cached(pool)) {
    const t = Date.now();
    // The segment and open-order rollups and the customer chains are (re)built by migrateAnalytics when missing or of another version.
    const missing = (
      await pool.query(
        `select to_regclass('${SCHEMA}.rollup_segment') is null or coalesce((select value from ${SCHEMA}.analytics_meta where key = 'segments_version'), '') <> $1 as segments,
           to_regclass('${SCHEMA}.rollup_open') is null or coalesce((select value from ${SCHEMA}.analytics_meta where key = 'open_version'), '') <> $2 as open,
           to_regclass('${SCHEMA}.customer_chain') is null or coalesce((select value from ${SCHEMA}.analytics_meta where key = 'customers_version'), '') <> $3 as customers,
           to_regclass('${SCHEMA}.rollup_cohort') is null or coalesce((select value from ${SCHEMA}.analytics_meta where key = 'cohorts_version'), '') <> $4
             or coalesce((select value from ${SCHEMA}.analytics_meta where key = 'cohort_zone'), '') <> $5 as cohorts,
           to_regclass('${SCHEMA}.order_facts_fulfilment_ms_idx') is null as durations`,
        [SEGMENTS_VERSION, OPEN_ROLLUP_VERSION, CUSTOMERS_VERSION, COHORTS_VERSION, DEFAULT_COHORT_ZONE],
      )
    ).rows[0] as { segments: boolean; open: boolean; customers: boolean; cohorts: boolean; durations: boolean };
    await migrateAnalytics(pool, { schema: SCHEMA });
    const what = [
      missing.segments ? 'the segment rollups (from the facts)' : '',
      missing.open ? 'the open-order rollup (from the facts)' : '',
      missing.customers ? 'the customer chains (from the facts) and the cohort rollup' : missing.cohorts ? 'the cohort rollup (from the chains)' : '',
      missing.durations ? 'the stage duration indexes of the past breaches' : '',
    ]
      .filter((x) => x !== '')
      .join(' and ');
    if (what !== '') built = { what, ms: Date.now() - t };
  } else {
    loadMs = await load(pool);
  }
  for (const t of ['rollup_segment', 'rollup_segment_sku', 'rollup_segment_pair', 'rollup_segment_refund', 'rollup_open', 'customer_chain', 'rollup_customer', 'rollup_cohort']) await pool.query(`vacuum analyze ${SCHEMA}.${t}`);
  const segmentRows = (
    await pool.query(
      `select ${['rollup_segment', 'rollup_segment_sku', 'rollup_segment_pair', 'rollup_segment_refund'].map((t) => `(select count(*) from ${SCHEMA}.${t})`).join(' + ')} as n`,
    )
  ).rows[0].n as string;
  const openRows = (await pool.query(`select count(*) as n from ${SCHEMA}.rollup_open`)).rows[0].n as string;
  const chain = (
    await pool.query(`select (select count(*) from ${SCHEMA}.customer_chain) as chain, (select count(*) from ${SCHEMA}.rollup_customer) as rollup, (select count(*) from ${SCHEMA}.rollup_cohort) as cohort`)
  ).rows[0] as { chain: string; rollup: string; cohort: string };
  const f = `${SCHEMA}.order_facts`;
  const l = `${SCHEMA}.order_line_facts`;
  const o = `${SCHEMA}.orders`;
  const end = Date.parse('2026-11-10T00:00:00+08:00');
  const results: string[][] = [];
  const verdicts: string[] = [];
  for (const days of [7, 30]) {
    const options = { from: new Date(end - days * DAY), to: new Date(end), timeZone: 'Asia/Shanghai', schema: SCHEMA };
    const p = [options.from.toISOString(), options.to.toISOString()];
    const prev = [new Date(end - 2 * days * DAY).toISOString(), options.from.toISOString()];
    const q = (sql: string, params: unknown[] = p) => () => pool.query(sql, params);
    // The drill-down one would write by hand: count the facts matching `where`, list the newest 200, read their documents.
    const drillBaseline = (where: string, params: unknown[]) => async () => {
      await pool.query(`select count(*) from ${f} where ${where}`, params);
      const ids = (await pool.query(`select order_id from ${f} where ${where} order by created_at desc, order_id limit 200`, params)).rows.map((r) => r.order_id as string);
      await pool.query(`select doc from ${o} where id = any($1::text[])`, [ids]);
    };
    // Each analysis beside the hand-written query one would write for its core figure.
    const cases: Array<[string, () => Promise<unknown>, string, () => Promise<unknown>]> = [
      ['breakdownSql(province)', () => breakdownSql(pool, options, 'province'),
        'GROUP BY province of the facts paid in the range', q(`select province, count(*), sum(paid_amount) from ${f} where paid_at >= $1 and paid_at < $2 group by 1`)],
      ['breakdownSql(channel)', () => breakdownSql(pool, options, 'channel'),
        'GROUP BY channel of the facts paid in the range', q(`select channel, count(*), sum(paid_amount) from ${f} where paid_at >= $1 and paid_at < $2 group by 1`)],
      ['trendSql (range and the one before)', () => trendSql(pool, options),
        'count and GMV paid, both periods', async () => { await pool.query(`select count(*), sum(paid_amount) from ${f} where paid_at >= $1 and paid_at < $2`, p); await pool.query(`select count(*), sum(paid_amount) from ${f} where paid_at >= $1 and paid_at < $2`, prev); }],
      ['customersSql (repeat rate, new vs returning)', () => customersSql(pool, options),
        'distinct customers paid in the range', q(`select count(distinct customer_id) from ${f} where paid_at >= $1 and paid_at < $2`)],
      ['cohortsSql(week)', () => cohortsSql(pool, options, 'week'),
        'first paid order per customer (all facts), cohort sizes', q(`select date_trunc('week', first at time zone 'Asia/Shanghai'), count(*) from (select customer_id, min(paid_at) as first from ${f} where paid_at is not null group by 1) c where first >= $1 and first < $2 group by 1`)],
      ['cohortsSql(month)', () => cohortsSql(pool, options, 'month'),
        'first paid order per customer (all facts), cohort sizes', q(`select date_trunc('month', first at time zone 'Asia/Shanghai'), count(*) from (select customer_id, min(paid_at) as first from ${f} where paid_at is not null group by 1) c where first >= $1 and first < $2 group by 1`)],
      ['heatmapSql', () => heatmapSql(pool, options),
        'GROUP BY weekday, hour of the facts placed in the range', q(`select extract(isodow from created_at at time zone 'Asia/Shanghai'), extract(hour from created_at at time zone 'Asia/Shanghai'), count(*) from ${f} where created_at >= $1 and created_at < $2 group by 1, 2`)],
      ['topSkusBySegmentSql(channel)', () => topSkusBySegmentSql(pool, options, 'channel'),
        'GROUP BY sku of the lines paid in the range', q(`select sku, sum(payable), sum(quantity) from ${l} where paid_at >= $1 and paid_at < $2 group by 1`)],
      ['skuPairsSql', () => skuPairsSql(pool, options),
        'self-join of the lines paid in the range', q(`select a.sku, b.sku, count(*) from ${l} a join ${l} b on a.order_id = b.order_id and a.sku < b.sku where a.paid_at >= $1 and a.paid_at < $2 group by 1, 2`)],
      ['refundsSql (reasons, per-SKU rate)', () => refundsSql(pool, options),
        'refund reasons from the documents placed in the range', q(`select r->>'reason', count(*) from ${o}, jsonb_array_elements(doc->'refunds') r where created_at >= $1 and created_at < $2 and r->>'status' = 'succeeded' group by 1`)],
      ['couponEffectSql', () => couponEffectSql(pool, options),
        'coupon orders from the documents placed in the range', q(`select count(*) filter (where jsonb_array_length(doc->'pricing'->'couponIds') > 0), count(*) from ${o} where created_at >= $1 and created_at < $2`)],
      ['dailySeriesSql(channel live) (the forecast\'s filtered daily series)', () => dailySeriesSql(pool, { ...options, filter: { channel: 'live' } }),
        'GROUP BY local day of the facts placed (orders) and paid (GMV) in the range, channel live',
        q(`select d, sum(placed), sum(gmv) from (
             select (created_at at time zone 'Asia/Shanghai')::date as d, 1 as placed, 0::bigint as gmv from ${f} where created_at >= $1 and created_at < $2 and channel = 'live'
             union all
             select (paid_at at time zone 'Asia/Shanghai')::date, 0, paid_amount from ${f} where paid_at >= $1 and paid_at < $2 and channel = 'live'
           ) x group by 1`)],
      // The drill-down: the total and the newest 200 orders behind a figure, with their documents.
      ['ordersBehindSql(paid)', () => ordersBehindSql(pool, options, { figure: 'paid' }),
        'count, then the newest 200 paid in the range with their documents', drillBaseline(`paid_at >= $1 and paid_at < $2`, p)],
      ['ordersBehindSql(segment province 浙江省)', () => ordersBehindSql(pool, options, { figure: 'segment', dimension: 'province', key: '浙江省' }),
        'the same, placed or paid in the range in 浙江省', drillBaseline(`((created_at >= $1 and created_at < $2) or (paid_at >= $1 and paid_at < $2)) and province = $3`, [...p, '浙江省'])],
      ['ordersBehindSql(refunded)', () => ordersBehindSql(pool, options, { figure: 'refunded' }),
        'the same, paid in the range with a refund', drillBaseline(`paid_at >= $1 and paid_at < $2 and refunded > 0`, p)],
      ['ordersBehindSql(new_customers)', () => ordersBehindSql(pool, options, { figure: 'new_customers' }),
        'the same, paid in the range by customers without an earlier paid order',
        drillBaseline(`paid_at >= $1 and paid_at < $2 and not exists (select 1 from ${f} g where g.customer_id = ${f}.customer_id and g.paid_at < $1)`, p)],
      ['openBreachesSql (open SLA breaches at now, worst 50)', () => openBreachesSql(pool, { schema: SCHEMA, now: options.to, slaHours: { payment: 0.5, fulfilment: 48 } }),
        'bottlenecksSql over the range (open and past breaches, scans the range\'s facts)', () => bottlenecksSql(pool, { schema: SCHEMA, now: options.to, from: options.from, to: options.to, slaHours: { payment: 0.5, fulfilment: 48 } })],
      ['pastBreachesSql (orders of the range that finished a stage late: total, worst 100)', () => pastBreachesSql(pool, { schema: SCHEMA, now: options.to, from: options.from, to: options.to, slaHours: { payment: 0.5, fulfilment: 48 }, limit: 100 }),
        'bottlenecksSql over the range, its finished-late breaches (scans the range\'s facts)', async () => (await bottlenecksSql(pool, { schema: SCHEMA, now: options.to, from: options.from, to: options.to, slaHours: { payment: 0.5, fulfilment: 48 }, limit: Number.MAX_SAFE_INTEGER })).breaches.filter((b) => !b.open).slice(0, 100)],
    ];
    const times = cases.map(() => ({ ours: [] as number[], base: [] as number[] }));
    for (let round = 0; round <= ROUNDS; round++) {
      for (let i = 0; i < cases.length; i++) {
        const [, ours, , base] = cases[i]!;
        let t = performance.now();
        await ours();
        const a = performance.now() - t;
        t = performance.now();
        await base();
        const b = performance.now() - t;
        if (round > 0) {
          times[i]!.ours.push(a);
          times[i]!.base.push(b);
        }
      }
    }
    cases.forEach(([name, , baseName], i) => {
      const a = median(times[i]!.ours);
      const b = median(times[i]!.base);
      results.push([`${days} days`, name, ms(a), `${baseName}: ${ms(b)}`, a <= 100 ? 'met' : '**NOT met**']);
      if (a > 100) verdicts.push(`${name} over ${days} days: ${ms(a)}`);
    });
  }
  const loadBefore = loadavg()[0]!;
  const writes = await writeCost(pool);
  const n = (await pool.query(`select count(*)::int as n, count(distinct customer_id)::int as c from ${f}`)).rows[0] as { n: number; c: number };
  const v = (await pool.query('show server_version')).rows[0].server_version as string;
  await pool.end();
  const markdown = `## Analytics: decision-support analyses over ${n.n.toLocaleString('en-US')} orders

\`npm run bench -- analytics-insights\`. ${machineLine()}
PostgreSQL ${v}; load average at the end ${loadavg().map((x) => x.toFixed(1)).join(' / ')}.
${n.n.toLocaleString('en-US')} orders of ${n.c.toLocaleString('en-US')} customers over 40 days (about 25,000 a day)${loadMs === null ? ' (cached dataset)' : `; loading them and building the projection took ${(loadMs / 1000).toFixed(0)} s`}${built === null ? '' : `; migrateAnalytics built ${built.what} of the cached dataset in ${(built.ms / 1000).toFixed(1)} s`}.
Medians of ${ROUNDS} interleaved rounds after a warm-up; the range ends at 2026-11-10 00:00 Shanghai.
Goal: each dashboard query ≤ 100 ms at 1M orders.

${table(['range', 'query', 'median', 'hand-written baseline (same run)', '≤ 100 ms'], results)}

${verdicts.length === 0 ? 'Goal **met** for every query.' : `Goal **NOT met** for: ${verdicts.join('; ')}.`}
Breakdowns, trend, heatmap, products, pairs, refunds, coupons and the forecast's daily series read the segment rollups (per hour and per UTC
day × channel × province, with SKU, pair and refund-reason tables; ${Number(segmentRows).toLocaleString('en-US')} rows here)
for the range's whole hours and days, and the facts only for its sub-hour edges. The daily series gives each UTC day row to the local day holding most
of it and moves the other hours with their hour rows (in Asia/Shanghai a local day is one day row and 8 hour rows per segment). The open-breach list counts each
stage's breaches from the open-order rollup (${Number(openRows).toLocaleString('en-US')} rows here) for the whole hours before now − SLA and from the
stage's partial index for the last part of an hour, and reads only its 50 most overdue orders from that index.
The past breaches count each stage's finished-late orders from rollup_stage (durations to three significant figures per UTC
day of placing) for the range's whole UTC days, from the stage's duration index for the one bucket holding the service level,
and from the facts for the partial days at the edges; they list the worst 100 from the duration index after a probe of at
most 10,000 of its entries (the range's facts when the probe cannot tell).
The drill-down (\`ordersBehindSql\`) takes its totals from the rollups (the new customers' orders from the cohort rollup's
\`orders\`), reads its lists through indexes until it has \`limit\` orders, and reads the documents of the listed orders only.
Customers and cohorts read the customer chains (one row per paid order and filter scope with the customer's previous
two paid times and first one; ${Number(chain.chain).toLocaleString('en-US')} rows here): customersSql adds up their rollup
(${Number(chain.rollup).toLocaleString('en-US')} rows) and reads the chain only where p1 or p2 lies in the UTC day holding the
range's start, and the partial UTC days at its ends. cohortsSql in the zone given to migrateAnalytics (Asia/Shanghai here) adds up
the cohort rollup (per scope, local day of the first paid order and local day paid; ${Number(chain.cohort).toLocaleString('en-US')} rows here) for the range's
whole local days and reads the chain only for its partial first and last local days (none here: the range runs from midnight to midnight);
in another zone it reads the chain rows of the range's new customers through an index.

Write cost (place → pay → ship through the service, 200 orders a round, median of 4 alternating rounds of six schemas, load
average ${loadBefore.toFixed(1)} at the start): ${writes.plain.toFixed(2)} ms per write without the analytics trigger,
${writes.facts.toFixed(2)} ms with the trigger as it was before the segment rollups (${pct(writes.facts, writes.plain)}),
${writes.segments.toFixed(2)} ms with them (${pct(writes.segments, writes.plain)} over none, ${pct(writes.segments, writes.facts)} over the trigger before),
${writes.open.toFixed(2)} ms with the open-order rollup too (${pct(writes.open, writes.plain)} over none, ${pct(writes.open, writes.segments)} over the trigger without the open-order rollup),
${writes.customers.toFixed(2)} ms with the customer chains too, the trigger as it is now (${pct(writes.customers, writes.plain)} over none, ${pct(writes.customers, writes.open)} over the trigger without them).
The compactAnalytics after each round of the last kind (the round's rollup deltas, its 50 customers' chains and their moves of the customer and cohort rollups): ${writes.fold.toFixed(0)} ms;
the same round and fold on a schema without the cohort rollup (the fold as it was before it; ${writes.chainsOnly.toFixed(2)} ms per write, the same trigger): ${writes.foldChainsOnly.toFixed(0)} ms.
The cohort rollup adds no work to the trigger: only the fold moves it.
`;
  console.log(markdown);
  writeSection('analytics-insights', markdown);
}

await main();
