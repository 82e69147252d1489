/**
 * `npm run bench -- analytics`: the analytics summary over 1,000,000 orders, in SQL on the real
 * PostgreSQL server (summarizeSql over the facts projection) and in memory (summarize), beside a
 * hand-written GROUP BY funnel baseline measured in the same run.
 *
 * DATABASE_URL names the server (default postgres://postgres@127.0.0.1:5432/test). The generated
 * orders stay in the schema `orderkit_bench_analytics` between runs (loading a million order
 * documents takes minutes; the next run finds them and starts measuring at once).
 * ANALYTICS_BENCH_ORDERS changes the size (default 1,000,000).
 */
import { loadavg } from 'node:os';
import pg from 'pg';
import { isDeepStrictEqual } from 'node:util';
import { migrate, migrateAnalytics, summarizeSql, bottlenecksSql, PostgresOrderStore } from '../src/adapters/postgres/index.js';
import { createOrderService } from '../src/service/index.js';
import { buildOrder } from '../test/analytics/support/build-order.js';
import { summarize } from '../src/analytics/index.js';
import type { Order } from '../src/order/index.js';
import { nextDueAt } from '../src/lifecycle/due.js';
import { randomOrders, START } from '../test/analytics/support/random-orders.js';
import { machineLine, table, writeSection } from './report.js';

const URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const N = Number(process.env.ANALYTICS_BENCH_ORDERS ?? 1_000_000);
const SCHEMA = 'orderkit_bench_analytics';
/** Bump when the generator changes, so a cached dataset from an older generator is reloaded. */
const DATASET = `random-orders-v1:${N}`;
const CHUNK = 5_000;
const DAY = 86_400_000;
const ROUNDS = 7;

const chunkSeed = (i: number) => 1_000 + i;
function chunk(i: number): Order[] {
  return randomOrders(Math.min(CHUNK, N - i * CHUNK), chunkSeed(i), START, 40 * DAY);
}

async function load(pool: pg.Pool): Promise<number> {
  const started = Date.now();
  await pool.query(`drop schema if exists ${SCHEMA} cascade`);
  await migrate(pool, { schema: SCHEMA });
  const chunks = Math.ceil(N / CHUNK);
  let next = 0;
  // Four writers, each a multi-row INSERT of 5,000 orders from arrays (one round trip per chunk).
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
  await Promise.all([writer(), writer(), writer(), writer()]);
  process.stdout.write('\n  building the facts projection…\n');
  await migrateAnalytics(pool, { schema: SCHEMA });
  await pool.query(`vacuum analyze ${SCHEMA}.orders`);
  await pool.query(`vacuum analyze ${SCHEMA}.order_facts`);
  await pool.query(`vacuum analyze ${SCHEMA}.order_line_facts`);
  await pool.query(`create table ${SCHEMA}.bench_dataset (name text primary key)`);
  await pool.query(`insert into ${SCHEMA}.bench_dataset values ($1)`, [DATASET]);
  return Date.now() - started;
}

async function cached(pool: pg.Pool): Promise<boolean> {
  try {
    const r = await pool.query(`select name from ${SCHEMA}.bench_dataset`);
    return r.rows[0]?.name === DATASET;
  } catch {
    return false;
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}
const ms = (x: number) => `${x.toFixed(0)} ms`;

async function time<T>(run: () => Promise<T>): Promise<[number, T]> {
  const t = performance.now();
  const value = await run();
  return [performance.now() - t, value];
}

/**
 * What the projection costs each write: the same place → pay → ship sequence through the service,
 * on a schema with the analytics trigger and on one without, in alternating rounds.
 */
async function triggerCost(pool: pg.Pool): Promise<{ plain: number; withFacts: number }> {
  const perWrite: Record<'plain' | 'withFacts', number[]> = { plain: [], withFacts: [] };
  for (let round = 0; round < 4; round++) {
    for (const kind of ['plain', 'withFacts'] as const) {
      const schema = `orderkit_bench_trigger_${kind === 'plain' ? 'p' : 'f'}`;
      await pool.query(`drop schema if exists ${schema} cascade`);
      await migrate(pool, { schema });
      if (kind === 'withFacts') await migrateAnalytics(pool, { schema });
      const service = createOrderService({ store: new PostgresOrderStore({ db: pool, schema }) });
      const t = performance.now();
      for (let i = 0; i < 200; i++) {
        const placed = buildOrder({ id: `t${round}-${i}`, placedAt: Date.now(), lines: [{ sku: 'TEA-01', quantity: 2, payable: 3000 }, { sku: 'CUP-01', quantity: 1, payable: 900 }] });
        await service.store.create(placed, { events: [], effects: [] });
        await service.dispatch(placed.id, { type: 'PAYMENT_SUCCEEDED', amount: placed.pricing.total, transactionId: `T${placed.id}` }, { type: 'payment', gateway: 'bench' });
        await service.dispatch(placed.id, { type: 'SHIP' }, { type: 'merchant', id: 'm1' });
      }
      if (round > 0) perWrite[kind].push((performance.now() - t) / 600);
      await pool.query(`drop schema ${schema} cascade`);
    }
  }
  return { plain: median(perWrite.plain), withFacts: median(perWrite.withFacts) };
}

async function main(): Promise<void> {
  const pool = new pg.Pool({ connectionString: URL, max: 8 });
  let loadMs: number | null = null;
  if (await cached(pool)) {
    console.log(`  reusing the cached dataset in schema ${SCHEMA} (the projection is rebuilt if its version changed)`);
    await migrateAnalytics(pool, { schema: SCHEMA });
    await pool.query(`vacuum analyze ${SCHEMA}.order_facts`);
    await pool.query(`vacuum analyze ${SCHEMA}.order_line_facts`);
  } else {
    loadMs = await load(pool);
  }
  const sizes = (
    await pool.query(
      `select pg_size_pretty(pg_total_relation_size('${SCHEMA}.orders')) as orders, pg_size_pretty(pg_total_relation_size('${SCHEMA}.order_facts') + pg_total_relation_size('${SCHEMA}.order_line_facts')) as facts,
              (select count(*) from ${SCHEMA}.orders)::int as n,
              (pg_relation_size('${SCHEMA}.order_facts') / greatest(1, (select count(*) from ${SCHEMA}.order_facts)))::int as row_bytes,
              (select count(*) from ${SCHEMA}.rollup_placed)::int + (select count(*) from ${SCHEMA}.rollup_paid)::int
                + (select count(*) from ${SCHEMA}.rollup_stage)::int + (select count(*) from ${SCHEMA}.rollup_sku)::int as rollup_rows`,
    )
  ).rows[0] as { orders: string; facts: string; n: number; row_bytes: number; rollup_rows: number };
  const range = { from: new Date(START - DAY), to: new Date(START + 41 * DAY), timeZone: 'Asia/Shanghai' };
  const params = [range.from.toISOString(), range.to.toISOString()];
  const baselineOrders = `select status, count(*) from ${SCHEMA}.orders where created_at >= $1 and created_at < $2 group by status`;
  const baselineFacts = `select status, count(*), count(paid_at), count(first_shipped_at), count(completed_at)
    from ${SCHEMA}.order_facts where created_at >= $1 and created_at < $2 group by status`;
  // The funnel as one would have to write it on the orders table alone: the stages an order
  // reached live only in its document.
  const baselineDocuments = `select status, count(*), count(*) filter (where doc ? 'paidAt'),
      count(*) filter (where jsonb_array_length(doc->'shipments') > 0), count(*) filter (where doc ? 'completedAt')
    from ${SCHEMA}.orders where created_at >= $1 and created_at < $2 group by status`;

  // A dashboard's range: the last 30 days of the data in the shop's zone, midnight to midnight, so
  // that its edges are not whole UTC days and are read from the facts.
  const month = { from: new Date(Date.parse('2026-11-10T00:00:00+08:00') - 30 * DAY), to: new Date('2026-11-10T00:00:00+08:00'), timeZone: 'Asia/Shanghai' };
  const runs = { baselineOrders: [] as number[], baselineFacts: [] as number[], baselineDocuments: [] as number[], summary: [] as number[], month: [] as number[], bottlenecks: [] as number[] };
  let sqlSummary: Awaited<ReturnType<typeof summarizeSql>> | null = null;
  // Interleaved rounds (the first one warms the caches and is not counted), so that a noisy
  // neighbour slows every contender alike.
  for (let round = 0; round <= ROUNDS; round++) {
    const [a] = await time(() => pool.query(baselineOrders, params));
    const [b] = await time(() => pool.query(baselineFacts, params));
    const [e] = await time(() => pool.query(baselineDocuments, params));
    const [c, s] = await time(() => summarizeSql(pool, { ...range, schema: SCHEMA }));
    const [f] = await time(() => summarizeSql(pool, { ...month, schema: SCHEMA }));
    const [d] = await time(() => bottlenecksSql(pool, { schema: SCHEMA, now: range.to, slaHours: { fulfilment: 48 } }));
    sqlSummary = s;
    if (round === 0) continue;
    runs.baselineOrders.push(a);
    runs.baselineFacts.push(b);
    runs.baselineDocuments.push(e);
    runs.summary.push(c);
    runs.month.push(f);
    runs.bottlenecks.push(d);
  }
  const writes = await triggerCost(pool);
  await pool.end();

  console.log('  generating the same orders in memory…');
  const orders: Order[] = [];
  for (let i = 0; i < Math.ceil(N / CHUNK); i++) for (const o of chunk(i)) orders.push(o);
  const memory: number[] = [];
  let memorySummary: ReturnType<typeof summarize> | null = null;
  for (let round = 0; round < 3; round++) {
    const t = performance.now();
    memorySummary = summarize(orders, range);
    memory.push(performance.now() - t);
  }
  const agree = isDeepStrictEqual(memorySummary, sqlSummary);

  const m = {
    baselineOrders: median(runs.baselineOrders),
    baselineFacts: median(runs.baselineFacts),
    baselineDocuments: median(runs.baselineDocuments),
    summary: median(runs.summary),
    month: median(runs.month),
    bottlenecks: median(runs.bottlenecks),
    memory: median(memory),
  };
  const ratio = m.summary / m.baselineOrders;
  const rows = [
    ['**baseline**: `GROUP BY status` on the orders table (index-only scan)', ms(m.baselineOrders), '1.00×'],
    ['baseline: funnel `GROUP BY status` on the facts projection (reached stages counted)', ms(m.baselineFacts), `${(m.baselineFacts / m.baselineOrders).toFixed(2)}×`],
    ['baseline: funnel `GROUP BY status` on the orders table, reached stages read from the jsonb documents', ms(m.baselineDocuments), `${(m.baselineDocuments / m.baselineOrders).toFixed(2)}×`],
    ['**summarizeSql** (everything: status counts, funnel, money, rates, p50/p90/p99 × 4 stages, daily series, top SKUs)', `**${ms(m.summary)}**`, `**${ratio.toFixed(2)}×**`],
    [`summarizeSql over the last 30 shop days (${month.from.toISOString().slice(0, 10)} 16:00Z → ${month.to.toISOString().slice(0, 10)} 16:00Z, edges from the facts)`, ms(m.month), `${(m.month / m.baselineOrders).toFixed(2)}×`],
    ['bottlenecksSql (stage percentiles + every SLA breach at `now`)', ms(m.bottlenecks), `${(m.bottlenecks / m.baselineOrders).toFixed(2)}×`],
    ['summarize in memory (same orders, one Node process)', ms(m.memory), `${(m.memory / m.baselineOrders).toFixed(2)}×`],
  ];
  const markdown = `## Analytics: a summary of ${sizes.n.toLocaleString('en-US')} orders

\`npm run bench -- analytics\` (DATABASE_URL, default postgres://postgres@127.0.0.1:5432/test). ${machineLine()}
PostgreSQL ${await serverVersion()}; load average at the end ${loadavg().map((x) => x.toFixed(1)).join(' / ')}.
Orders table ${sizes.orders}, facts projection ${sizes.facts}${loadMs === null ? ' (cached dataset)' : `; loading took ${(loadMs / 1000).toFixed(0)} s`}.
Medians of ${ROUNDS} interleaved rounds after a warm-up; the whole 41-day range, so every order is in it.

${table(['query', 'median', '× baseline'], rows)}

Goal: summarizeSql within 1.5× of the hand-written GROUP BY baseline and under 2 s — under 2 s **${m.summary < 2000 ? 'met' : 'not met'}** (${ms(m.summary)}); within 1.5× **${ratio <= 1.5 ? 'met' : 'not met'}** (${ratio.toFixed(2)}× the index-only status count, ${(m.summary / m.baselineDocuments).toFixed(2)}× the funnel read from the documents).
The summary reads rollups (${sizes.rollup_rows.toLocaleString('en-US')} rows for the ${sizes.n.toLocaleString('en-US')} orders), not the orders: see below.
What the projection costs: a write through the service (create, pay, ship; one at a time) takes
${writes.plain.toFixed(2)} ms without the analytics trigger and ${writes.withFacts.toFixed(2)} ms with it (+${((writes.withFacts / writes.plain - 1) * 100).toFixed(0)} %).

The SQL and the in-memory summaries of the same ${sizes.n.toLocaleString('en-US')} orders are ${agree ? '**identical**' : '**DIFFERENT (a bug)**'}.

Why it is fast: the summary never reads the orders. A trigger keeps \`order_facts\` (one
${sizes.row_bytes}-byte row per order: timestamps, stage durations, amounts) and \`order_line_facts\` current inside each
commit, and appends signed deltas to four rollups: orders placed and orders paid per quarter hour (counts, funnel depth,
money), finished-stage durations per UTC day cut to three significant figures (the percentiles), and paid lines per UTC day
and SKU. A summary adds up the whole buckets of its range from the rollups and reads only its partial buckets at the edges
from the facts; \`compactAnalytics\` (run by the summary first) folds the deltas into one row per key.
Stage percentiles are nearest-rank and reported to three significant figures, in memory as in SQL.
`;
  console.log(markdown);
  writeSection('analytics', markdown);
  if (!agree) process.exitCode = 1;

  async function serverVersion(): Promise<string> {
    const c = new pg.Client({ connectionString: URL });
    await c.connect();
    const v = (await c.query('show server_version')).rows[0].server_version as string;
    await c.end();
    return v;
  }
}

await main();
