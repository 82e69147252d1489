/**
 * `npm run bench -- contention`: 16 workers send a busy shop's mix of commands (payment
 * notifications and their repeats, shipments, after-sale requests and approvals, refund results)
 * to ONE order at once, through 16 service instances (16 processes) and through one shared
 * instance (one Node server), with the service's defaults. It counts the dispatches that gave up
 * on a conflict (callbacks must be 0, the rest ≤ 0.1 %) and the latency of every dispatch. Needs a
 * real server: DATABASE_URL, or postgres://postgres@127.0.0.1:5432/test when that answers.
 */
import { loadavg } from 'node:os';
import pg from 'pg';
import { migrate, PostgresOrderStore } from '../src/adapters/postgres/index.js';
import { createOrderService } from '../src/service/index.js';
import { line, quote } from '../test/service/fixtures.js';
import { giveUps, type GiveUps } from '../test/race/give-ups.js';
import { worker, type Seen } from '../test/race/hot-order-mix.js';
import { prng } from '../test/race/prng.js';
import { machineLine, table, writeSection } from './report.js';

const URL_ = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const WORKERS = 16;
const COMMANDS = 500;
const SCHEMA = `okb_contention_${process.pid}`;

async function reachable(): Promise<string | null> {
  const c = new pg.Client({ connectionString: URL_, connectionTimeoutMillis: 3000 });
  try {
    await c.connect();
    return null;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  } finally {
    await c.end().catch(() => undefined);
  }
}

interface Run {
  mode: string;
  dispatches: number;
  callbacks: number;
  seconds: number;
  result: GiveUps;
}

async function run(pool: pg.Pool, mode: 'separate' | 'shared'): Promise<Run> {
  const id = `hot-${mode}`;
  const make = () => createOrderService({ store: new PostgresOrderStore({ db: pool, schema: SCHEMA }) });
  const shared = make();
  const services = Array.from({ length: WORKERS }, () => (mode === 'separate' ? make() : shared));
  const placed = await services[0]!.place({ id, customerId: 'u1', quote: quote([line('a', 80, 100), line('b', 1, 500)]) });
  if (!placed.ok) throw placed.error;
  const seen: Seen = { refunds: [], afterSales: [] };
  const t0 = performance.now();
  const outcomes = (await Promise.all(services.map((s, i) => worker(s, id, placed.order.pricing.total, COMMANDS, prng(1000 + i), seen)))).flat();
  const seconds = (performance.now() - t0) / 1000;
  const final = (await services[0]!.get(id))!;
  const result = giveUps(final, outcomes);
  if (result.missing.length > 0) throw new Error(`acknowledged callbacks missing from the order: ${result.missing.join(', ')}`);
  const callbacks = outcomes.filter((o) => ['PAYMENT_SUCCEEDED', 'REFUND_SUCCEEDED', 'REFUND_FAILED', 'RECORD_STRAY_PAYMENT'].includes(o.command.type)).length;
  return { mode: mode === 'separate' ? `${WORKERS} service instances (one per worker)` : 'one shared service instance', dispatches: outcomes.length, callbacks, seconds, result };
}

async function main(): Promise<void> {
  const problem = await reachable();
  if (problem !== null) {
    console.log(`contention bench SKIPPED: no PostgreSQL at ${URL_.replace(/:[^:@/]*@/, ':***@')} (${problem}). Set DATABASE_URL.`);
    return;
  }
  const loadBefore = loadavg()[0]!;
  const pool = new pg.Pool({ connectionString: URL_, max: WORKERS + 4 });
  pool.on('error', () => undefined);
  try {
    await pool.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
    await migrate(pool, { schema: SCHEMA });
    const runs: Run[] = [];
    for (const mode of ['separate', 'shared'] as const) {
      const r = await run(pool, mode);
      runs.push(r);
      console.log(
        `${r.mode}: ${r.dispatches} dispatches in ${r.seconds.toFixed(1)} s; gave up ${r.result.callbacks} of ${r.callbacks} callbacks, ` +
          `${r.result.others} others (${(r.result.othersRate * 100).toFixed(3)} %); p50 ${r.result.p50.toFixed(1)} ms, p99 ${r.result.p99.toFixed(1)} ms, max ${r.result.max.toFixed(0)} ms`,
      );
    }
    const rows = runs.map((r) => [
      r.mode,
      `${r.dispatches} (${r.callbacks} callbacks)`,
      `${r.result.callbacks} ${r.result.callbacks === 0 ? '✅' : '❌'}`,
      `${r.result.others} (${(r.result.othersRate * 100).toFixed(3)} %) ${r.result.othersRate <= 0.001 ? '✅' : '❌'}`,
      `${r.result.p50.toFixed(1)} ms`,
      `${r.result.p99.toFixed(1)} ms`,
      `${r.result.max.toFixed(0)} ms`,
    ]);
    writeSection(
      'contention',
      `## Contention: 16 workers on one order / 热点订单并发

Command: \`npm run bench -- contention\` (DATABASE_URL, default postgres://postgres@127.0.0.1:5432/test).
${machineLine()} PostgreSQL: ${(await pool.query('SHOW server_version')).rows[0].server_version}. Load average (1 min) ${loadBefore.toFixed(1)} at the start, ${loadavg()[0]!.toFixed(1)} at the end.
${WORKERS} workers × ${COMMANDS} commands on one order at once, the mix of \`test/race/hot-order-mix.ts\`: payment notifications
and their repeats, shipments, after-sale requests and approvals, refund results, a late cancel. Service defaults: commands of
one order queue inside an instance, and those waiting behind the running one leave together in one \`commitChain\`
statement (docs/storage.md, "Hot orders"); conflicts between instances retry with full-jitter backoff (\`maxRetries\` 32 for people,
\`callbackRetryMs\` 30 s for gateway callbacks). "Gave up" is a dispatch answered \`VERSION_CONFLICT\` or \`ORDER_BUSY\`; every
acknowledged callback was checked to be in the final order. Latency is per dispatch, queueing and retries included.

${WORKERS} 个 worker 各发 ${COMMANDS} 条混合指令到同一订单（支付回调及其重复、发货、售后申请与同意、退款结果、偶尔的取消）。
服务使用默认设置：同一实例内同一订单的指令排队执行，排在正在执行的指令之后的那些会用一条 \`commitChain\` 语句一起提交
（见 docs/storage.md“热点订单”）；实例之间的冲突以全随机抖动退避重试（人工指令 \`maxRetries\` 32 次，
支付网关回调 \`callbackRetryMs\` 30 秒）。“放弃”指以 \`VERSION_CONFLICT\` 或 \`ORDER_BUSY\` 结束的调用；每个被确认的回调都已核对
确实写入最终订单。延迟按单次 dispatch 计，包含排队与重试。

${table(['instances / 实例', 'dispatches / 调用数', 'callbacks given up / 回调放弃 (goal 0)', 'others given up / 其他放弃 (goal ≤ 0.1 %)', 'p50', 'p99', 'max'], rows)}`,
    );
  } finally {
    await pool.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`).catch(() => undefined);
    await pool.end();
  }
}

await main();
