/**
 * `npm run bench -- storage`: the PostgreSQL store in the shapes users deploy, each against a
 * baseline measured on the same server in the same run. Needs a real server: DATABASE_URL, or
 * postgres://postgres@127.0.0.1:5432/test when that answers; otherwise it says so and writes nothing.
 *
 * 1. Throughput on distinct orders: 8 separate service instances in 8 Node processes (the shape of
 *    cloud functions and of a cluster), and 8 concurrent callers of one shared instance, against
 *    `pgbench -N` with 8 clients (20 s, run before and after and averaged).
 * 2. One hot order at several ages (10, 100, 1,000 earlier changes) under growing commands (a
 *    one-unit SHIP adds a shipment, ADD_REMARK adds a note) and a constant-size one (CHANGE_ADDRESS
 *    between two addresses), against a one-row UPDATE in pgbench (8 clients, a custom script).
 * 3. Sweeper processes (1 and 4 Node processes) expiring 100,000 orders, against one SQL statement
 *    doing the same writes; every order is counted expired exactly once.
 *
 * STORAGE_PARTS (comma-separated, default all): `distinct`, `hot`, `sweep`. Parts 1 and 2 write the
 * `storage` section of docs/benchmarks.md, part 3 the `storage-sweep` section, so running one part
 * (`STORAGE_PARTS=sweep npm run bench -- storage`) leaves the other's figures as they were.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { migrate, PostgresOrderStore } from '../src/adapters/postgres/index.js';
import { placeOrder, transition } from '../src/lifecycle/index.js';
import type { Order } from '../src/order/index.js';
import { createOrderService, type OrderService } from '../src/service/index.js';
import { line, quote } from '../test/service/fixtures.js';
import { seedOrders, seedUnpaidOrders } from '../test/race/seed.js';
import { machineLine, table, writeSection } from './report.js';

const URL_ = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const CLIENTS = 8;
// BENCH_QUICK=1 shortens every run to check the bench itself (its figures are not written up).
const QUICK = process.env.BENCH_QUICK === '1';
const PGBENCH_SECONDS = QUICK ? 2 : 20;
const DRIVE_SECONDS = QUICK ? 2 : 10;
const HOT_SECONDS = QUICK ? 1 : 4;
const HOT_AGES = QUICK ? [10, 100] : [10, 100, 1000];
const SWEEP_ORDERS = Number(process.env.SWEEP_ORDERS ?? 100_000);
const SCHEMA = `okb_storage_${process.pid}`;
const PARTS = new Set((process.env.STORAGE_PARTS ?? 'distinct,hot,sweep').split(',').map((p) => p.trim()));
for (const p of PARTS) if (!['distinct', 'hot', 'sweep'].includes(p)) throw new Error(`STORAGE_PARTS: unknown part ${p} (distinct, hot, sweep)`);
const PLACED = new Date('2026-11-25T04:00:00.000Z');

function pgbenchPath(): string | null {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return null;
  for (const v of readdirSync(root).sort().reverse()) {
    const p = `${root}/${v}/bin/pgbench`;
    if (existsSync(p)) return p;
  }
  return null;
}

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

/** Runs pgbench against a fresh database named after this process; `script` is a custom one. */
async function pgbench(pool: pg.Pool, kind: 'N' | 'hot', seconds: number): Promise<{ tps: number; command: string } | null> {
  const bin = pgbenchPath();
  if (!bin) return null;
  const url = new URL(URL_);
  const db = `${url.pathname.slice(1) || 'orderkit'}_pgb${process.pid}`.replace(/[^a-z0-9_]/gi, '_').toLowerCase();
  await pool.query(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
  await pool.query(`CREATE DATABASE ${db}`);
  const dir = mkdtempSync(join(tmpdir(), 'okb-pgbench-'));
  try {
    const env = { ...process.env, PGPASSWORD: decodeURIComponent(url.password) };
    const conn = ['-h', url.hostname, '-p', url.port || '5432', '-U', decodeURIComponent(url.username) || 'postgres'];
    let args: string[];
    if (kind === 'N') {
      execFileSync(bin, [...conn, '-i', '-s', '1', '-q', db], { env, stdio: 'pipe' });
      args = ['-N', '-c', String(CLIENTS), '-j', '2', '-T', String(seconds)];
    } else {
      const admin = new pg.Client({ connectionString: Object.assign(new URL(URL_), { pathname: `/${db}` }).toString() });
      await admin.connect();
      await admin.query('CREATE TABLE hot (id int PRIMARY KEY, n bigint NOT NULL, note text NOT NULL)');
      await admin.query("INSERT INTO hot VALUES (1, 0, '')");
      await admin.end();
      const script = join(dir, 'hot.sql');
      writeFileSync(script, "UPDATE hot SET n = n + 1, note = 'shipped one unit' WHERE id = 1;\n");
      args = ['-n', '-f', script, '-c', String(CLIENTS), '-j', '2', '-T', String(seconds)];
    }
    const out = execFileSync(bin, [...conn, ...args, db], { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    const m = /tps = ([\d.]+) \(without initial connection time\)/.exec(out);
    const shown = kind === 'N' ? args : ['-n', '-f', 'one-row-update.sql', ...args.slice(3)];
    return m ? { tps: Number(m[1]), command: `pgbench ${shown.join(' ')}` } : null;
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await pool.query(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
  }
}

/** Paid orders with plenty of units, so each can take many one-unit SHIP commands. */
function paidOrders(count: number, prefix: string, units: number): Order[] {
  const placed = placeOrder(
    { id: 'tpl', number: 'TPL', customerId: 'u1', quote: quote([line('a', units, 100)]), address: ADDRESSES[0] },
    { now: PLACED },
  );
  if (!placed.ok) throw placed.error;
  const paid = transition(placed.order, { type: 'PAYMENT_SUCCEEDED', amount: units * 100, transactionId: 'tx' }, { now: PLACED, actor: { type: 'payment', gateway: 'bench' } });
  if (!paid.ok) throw paid.error;
  const tpl = paid.order;
  return Array.from({ length: count }, (_, i) => {
    const number = `${prefix}${String(i).padStart(8, '0')}`;
    return { ...tpl, id: `${prefix}${i}`, number, payment: { ...tpl.payment, attempts: tpl.payment.attempts.map((a) => ({ ...a, outTradeNo: number })) } };
  });
}

const ADDRESSES = [
  { name: '张三', phone: '13800000000', province: '上海市', city: '上海市', district: '徐汇区', detail: '漕溪北路 1 号' },
  { name: '张三', phone: '13800000000', province: '上海市', city: '上海市', district: '徐汇区', detail: '漕溪北路 2 号' },
];
const SHIP_ONE = { type: 'SHIP' as const, logisticsType: 'express' as const, items: [{ lineId: 'a', quantity: 1 }] };
const MERCHANT = { type: 'merchant' as const, id: 'bench' };
type HotCommand = 'SHIP' | 'ADD_REMARK' | 'CHANGE_ADDRESS';
const commandOf = (kind: HotCommand, i: number) =>
  kind === 'SHIP' ? SHIP_ONE : kind === 'ADD_REMARK' ? { type: 'ADD_REMARK' as const, text: `note ${i}: called the buyer` } : { type: 'CHANGE_ADDRESS' as const, address: ADDRESSES[i % 2]! };

/** `clients` loops dispatching for `seconds`; each loop walks its own list of order ids. */
async function drive(
  services: OrderService[],
  idsFor: (client: number) => string[],
  seconds: number,
  kind: HotCommand = 'SHIP',
): Promise<{ committed: number; failed: number; seconds: number }> {
  const until = Date.now() + seconds * 1000;
  let committed = 0;
  let failed = 0;
  let n = 0;
  const started = performance.now();
  await Promise.all(
    services.map(async (service, c) => {
      const ids = idsFor(c);
      for (let i = 0; Date.now() < until; i++) {
        const r = await service.dispatch(ids[i % ids.length]!, commandOf(kind, n++), MERCHANT);
        if (r.ok && r.changed) committed++;
        else failed++;
      }
    }),
  );
  return { committed, failed, seconds: (performance.now() - started) / 1000 };
}

interface Worker<R> {
  ready: Promise<void>;
  start(): void;
  result: Promise<R>;
}

/** A separate Node process running bench/storage-worker.ts with one job. */
function worker<R>(job: object): Worker<R> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/storage-worker.ts', JSON.stringify(job)], { stdio: ['pipe', 'pipe', 'inherit'] });
  let out = '';
  let readyResolve!: () => void;
  const ready = new Promise<void>((resolve) => (readyResolve = resolve));
  const result = new Promise<R>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
      if (out.includes('ready\n')) readyResolve();
    });
    child.on('exit', (code) => {
      const m = /^result (.*)$/m.exec(out);
      if (code === 0 && m) resolve(JSON.parse(m[1]!) as R);
      else reject(new Error(`bench worker exited ${code}: ${out}`));
    });
  });
  result.catch(() => readyResolve());
  return { ready, start: () => child.stdin.end('go\n'), result };
}

/** Starts the processes together once every one of them is connected and warm. */
async function runProcesses<R>(jobs: object[]): Promise<{ results: R[]; seconds: number }> {
  const workers = jobs.map((job) => worker<R>(job));
  await Promise.all(workers.map((w) => w.ready));
  const t0 = performance.now();
  for (const w of workers) w.start();
  const results = await Promise.all(workers.map((w) => w.result));
  return { results, seconds: (performance.now() - t0) / 1000 };
}

/**
 * The sweep's writes in one statement, for every due order at once: the document and columns of a
 * closed order (the fields EXPIRE changes, taken from the lifecycle's own result on the template),
 * its event, its effects and its change-log row. What a sweeper could never beat.
 */
async function sweepInOneStatement(pool: pg.Pool, template: Order, now: Date): Promise<{ seconds: number; expired: number }> {
  const r = transition(template, { type: 'EXPIRE' }, { now, actor: { type: 'system', id: 'sweeper' } });
  if (!r.ok || !r.changed) throw new Error('EXPIRE refused on the template');
  const after = r.order as unknown as Record<string, unknown>;
  const before = template as unknown as Record<string, unknown>;
  const patch: Record<string, unknown> = {};
  for (const key of Object.keys(after)) if (JSON.stringify(after[key]) !== JSON.stringify(before[key]) && key !== 'payment') patch[key] = after[key];
  const payment = after.payment as { attempts: Array<Record<string, unknown>> };
  const event = r.events[0]!;
  const effects = r.effects.map((e) => ({ ...e, orderId: undefined, id: undefined }));
  const t0 = performance.now();
  const { rows } = await pool.query<{ n: number }>(
    `WITH due AS (
       SELECT id FROM ${SCHEMA}.orders WHERE due_at IS NOT NULL AND due_at <= $1 AND status = 'pending_payment' FOR UPDATE
     ), upd AS (
       UPDATE ${SCHEMA}.orders o
       SET version = o.version + 1, status = $2, updated_at = $1, due_at = NULL,
           doc = o.doc || $3::jsonb || jsonb_build_object('payment', jsonb_set(o.doc->'payment', '{attempts,0,status}', to_jsonb($4::text)))
       FROM due WHERE o.id = due.id
       RETURNING o.id, o.version
     ), ev AS (
       INSERT INTO ${SCHEMA}.order_events (order_id, version, seq, at, type, doc)
       SELECT upd.id, upd.version, 0, $1, $5::jsonb->>'type', $5::jsonb || jsonb_build_object('orderId', upd.id) FROM upd
     ), fx AS (
       INSERT INTO ${SCHEMA}.outbox (id, order_id, type, doc, available_at)
       SELECT upd.id || ':' || upd.version || ':' || (f.n - 1), upd.id, f.value->>'type', f.value || jsonb_build_object('orderId', upd.id, 'id', upd.id || ':' || upd.version || ':' || (f.n - 1)), $1
       FROM upd, jsonb_array_elements($6::jsonb) WITH ORDINALITY AS f(value, n)
     ), ch AS (
       INSERT INTO ${SCHEMA}.changes (order_id, version, status, at) SELECT upd.id, upd.version, $2, $7 FROM upd
     )
     SELECT count(*)::int AS n FROM upd`,
    [now.toISOString(), after.status, JSON.stringify(patch), String(payment.attempts[0]?.status ?? 'closed'), JSON.stringify({ ...event, orderId: undefined }), JSON.stringify(effects), after.updatedAt],
  );
  return { seconds: (performance.now() - t0) / 1000, expired: rows[0]!.n };
}

/** Every order of the prefix closed, with exactly one EXPIRE event each. */
async function checkExpiredOnce(pool: pg.Pool, prefix: string): Promise<void> {
  const { rows } = await pool.query<{ open: number; events: number; orders: number; twice: number }>(
    `SELECT (SELECT count(*) FROM ${SCHEMA}.orders WHERE id LIKE $1 AND status <> 'closed')::int AS open,
            (SELECT count(*) FROM ${SCHEMA}.order_events WHERE order_id LIKE $1 AND type = 'EXPIRE')::int AS events,
            (SELECT count(*) FROM ${SCHEMA}.orders WHERE id LIKE $1)::int AS orders,
            (SELECT count(*) FROM (SELECT order_id FROM ${SCHEMA}.order_events WHERE order_id LIKE $1 AND type = 'EXPIRE' GROUP BY order_id HAVING count(*) > 1) t)::int AS twice`,
    [`${prefix}%`],
  );
  const r = rows[0]!;
  if (r.open !== 0 || r.events !== r.orders || r.twice !== 0) throw new Error(`sweep of ${prefix}: ${r.open} still open, ${r.events} EXPIRE events for ${r.orders} orders, ${r.twice} expired twice`);
}

const pct = (x: number) => `${(x * 100).toFixed(0)} %`;
const mark = (ok: boolean) => (ok ? '✅' : '❌ NOT met');

async function main(): Promise<void> {
  const problem = await reachable();
  if (problem !== null) {
    console.log(`storage bench SKIPPED: no PostgreSQL at ${URL_.replace(/:[^:@/]*@/, ':***@')} (${problem}). Set DATABASE_URL.`);
    return;
  }
  const loadBefore = loadavg()[0]!;
  const pool = new pg.Pool({ connectionString: URL_, max: CLIENTS + 4 });
  pool.on('error', () => undefined);
  const stores: PostgresOrderStore[] = [];
  try {
    await pool.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
    await migrate(pool, { schema: SCHEMA });
    const store = new PostgresOrderStore({ db: pool, schema: SCHEMA });
    stores.push(store);
    const shared = createOrderService({ store });
    const sharedCallers = Array.from({ length: CLIENTS }, () => shared);

    const loadOf = () => loadavg()[0]!.toFixed(1);
    const version = (await pool.query('SHOW server_version')).rows[0].server_version as string;
    const sync = (await pool.query('SHOW synchronous_commit')).rows[0].synchronous_commit as string;
    const rows: Array<Array<string | number>> = [];

    // 1. distinct orders
    let ceiling: { command: string; tps: number } | null = null;
    let ceilingBefore: { command: string; tps: number } | null = null;
    let ceilingAfter: { command: string; tps: number } | null = null;
    let apartTps = 0;
    let sharedTps = 0;
    if (PARTS.has('distinct')) {
      ceilingBefore = await pgbench(pool, 'N', PGBENCH_SECONDS);
      console.log(ceilingBefore ? `${ceilingBefore.command}: ${ceilingBefore.tps.toFixed(0)} tps (before)` : 'pgbench not found: no ceiling measured');
      const perClient = 600;
      await seedOrders(pool, SCHEMA, paidOrders(CLIENTS * perClient * 2, 'D', 1000));
      await pool.query(`VACUUM ANALYZE ${SCHEMA}.orders`);
      const ids = (base: number, c: number, from: number, n: number) => Array.from({ length: n }, (_, i) => `D${base + c * perClient + from + i}`);
      await drive(sharedCallers, (c) => ids(0, c, 0, 50), 1); // warm-up
      const sharedRun = await drive(sharedCallers, (c) => ids(0, c, 50, 250), DRIVE_SECONDS);
      sharedTps = sharedRun.committed / sharedRun.seconds;
      console.log(`distinct orders, ${CLIENTS} callers of one instance: ${sharedTps.toFixed(0)} commits/s`);
      const base = CLIENTS * perClient;
      const apart = await runProcesses<{ committed: number; failed: number; seconds: number }>(
        Array.from({ length: CLIENTS }, (_, c) => ({ kind: 'drive', url: URL_, schema: SCHEMA, warmIds: ids(base, c, 0, 20), ids: ids(base, c, 50, 250), seconds: DRIVE_SECONDS })),
      );
      apartTps = apart.results.reduce((n, r) => n + r.committed / r.seconds, 0);
      console.log(`distinct orders, ${CLIENTS} separate processes: ${apartTps.toFixed(0)} commits/s`);
      ceilingAfter = await pgbench(pool, 'N', PGBENCH_SECONDS);
      console.log(ceilingAfter ? `${ceilingAfter.command}: ${ceilingAfter.tps.toFixed(0)} tps (after)` : '');
      ceiling = ceilingBefore && ceilingAfter ? { command: ceilingAfter.command, tps: (ceilingBefore.tps + ceilingAfter.tps) / 2 } : null;
    }

    // 2. one hot order at several ages
    let oneRow: { command: string; tps: number } | null = null;
    const hot: Array<{ age: number; kind: HotCommand; tps: number; bytes: number }> = [];
    if (PARTS.has('hot')) {
      oneRow = await pgbench(pool, 'hot', 10);
      console.log(oneRow ? `${oneRow.command}: ${oneRow.tps.toFixed(0)} tps` : '');
      for (const age of HOT_AGES) {
        for (const kind of ['SHIP', 'ADD_REMARK', 'CHANGE_ADDRESS'] as const) {
          const id = `H${age}${kind}`;
          await seedOrders(pool, SCHEMA, paidOrders(1, id, 1_000_000).map((o) => ({ ...o, id })));
          // its history: `age` earlier changes of the same kind (notes before the address changes,
          // which a shipped order no longer takes)
          for (let i = 0; i < age; i++) {
            const r = await shared.dispatch(id, commandOf(kind === 'CHANGE_ADDRESS' ? 'ADD_REMARK' : kind, i), MERCHANT);
            if (!r.ok || !r.changed) throw new Error(`ageing ${id} failed at ${i}`);
          }
          const bytes = JSON.stringify(await shared.get(id)).length;
          const run = await drive(sharedCallers, () => [id], HOT_SECONDS, kind);
          const tps = run.committed / run.seconds;
          hot.push({ age, kind, tps, bytes });
          console.log(`hot order aged ${age}, ${kind}: ${tps.toFixed(0)} commits/s (${run.failed} failed; order ${bytes} bytes of JSON at the start)`);
        }
      }
    }
    if (ceiling) {
      rows.push([`\`${ceiling.command}\` (mean of ${ceilingBefore!.tps.toFixed(0)} before and ${ceilingAfter!.tps.toFixed(0)} after)`, `${ceiling.tps.toFixed(0)} tps`, 'baseline']);
      rows.push([`${CLIENTS} separate service instances, ${CLIENTS} Node processes, distinct orders`, `${apartTps.toFixed(0)} commits/s = ${pct(apartTps / ceiling.tps)}`, `≥ 60 % ${mark(apartTps / ceiling.tps >= 0.6)}`]);
      rows.push([`${CLIENTS} concurrent callers of one shared instance, distinct orders`, `${sharedTps.toFixed(0)} commits/s = ${pct(sharedTps / ceiling.tps)}`, `≥ 90 % ${mark(sharedTps / ceiling.tps >= 0.9)}`]);
    }
    if (oneRow) {
      rows.push([`\`${oneRow.command}\` (one-row UPDATE, the hot-order baseline)`, `${oneRow.tps.toFixed(0)} tps`, 'baseline']);
      for (const h of hot) {
        const growing = h.kind === 'CHANGE_ADDRESS' ? 'constant size' : 'growing';
        rows.push([
          `hot order aged ${h.age} changes (an order of ${(h.bytes / 1024).toFixed(0)} kB), \`${h.kind}\` (${growing}), ${CLIENTS} callers of one instance`,
          `${h.tps.toFixed(0)} commits/s = ${pct(h.tps / oneRow.tps)}`,
          `≥ 40 % ${mark(h.tps / oneRow.tps >= 0.4)}`,
        ]);
      }
    }
    if (QUICK && rows.length > 0) console.log(table(['measure', 'result', 'goal'], rows));
    // The section of parts 1 and 2 is written only when both ran, so that it never loses a half.
    if (!QUICK && PARTS.has('distinct') && PARTS.has('hot')) {
      writeSection(
        'storage',
        `## Storage (PostgresOrderStore on PostgreSQL)

Command: \`npm run bench -- storage\` (DATABASE_URL, default postgres://postgres@127.0.0.1:5432/test; \`STORAGE_PARTS=distinct,hot\` runs only these two parts).
${machineLine()} PostgreSQL: ${version}, synchronous_commit ${sync}. Load average (1 min) ${loadBefore.toFixed(1)} at the start, ${loadOf()} at the end:
other work on the same 2 cores slows the Node processes and PostgreSQL far more than pgbench's small C client, so a busy machine lowers every ratio.

- **Distinct orders.** Each commit is a one-unit \`SHIP\` through \`service.dispatch\` (zod-checked command, load, \`transition()\`, one
  compare-and-set statement writing the row, the event, 2 outbox effects, the change-log row and the NOTIFY). "Separate" is ${CLIENTS} Node
  processes, each with its own pool and service instance (cloud functions, a cluster); "shared" is ${CLIENTS} concurrent callers of one
  instance, whose store sends the commits that meet in one statement (group commit). Baseline: \`pgbench -N\`, ${CLIENTS} clients, ${PGBENCH_SECONDS} s,
  on a fresh database of the same server, run before and after and averaged.
- **Hot order.** One order, ${CLIENTS} concurrent callers of one instance for ${HOT_SECONDS} s per row, after \`age\` earlier changes (one-unit
  shipments for \`SHIP\`, notes for the others). \`SHIP\` and \`ADD_REMARK\` make the order longer with every commit; \`CHANGE_ADDRESS\` (between two addresses of
  the same length) keeps its size. Baseline: pgbench with ${CLIENTS} clients updating one row of a one-row table for 10 s.

The sweep figures are in the next section (\`bench:storage-sweep\`).

${table(['measure', 'result', 'goal'], rows)}`,
      );
    }

    // 3. sweeps
    if (PARTS.has('sweep')) {
      const sweepLoadBefore = loadOf();
      const due = new Date(PLACED.getTime() + 31 * 60_000);
      const reseed = async (prefix: string) => {
        await pool.query(`TRUNCATE ${SCHEMA}.orders, ${SCHEMA}.order_events, ${SCHEMA}.outbox, ${SCHEMA}.idempotency, ${SCHEMA}.changes, ${SCHEMA}.due_leases`);
        await seedUnpaidOrders(pool, SCHEMA, SWEEP_ORDERS, PLACED, prefix);
        await pool.query(`VACUUM ANALYZE ${SCHEMA}.orders`);
        await pool.query('CHECKPOINT');
      };
      await reseed('q');
      const template = (await store.load('q0'))!;
      const oneStatement = await sweepInOneStatement(pool, template, due);
      if (oneStatement.expired !== SWEEP_ORDERS) throw new Error(`one statement expired ${oneStatement.expired}`);
      await checkExpiredOnce(pool, 'q');
      console.log(`one SQL statement expiring ${SWEEP_ORDERS}: ${oneStatement.seconds.toFixed(2)} s`);
      const sweeps: Array<{ processes: number; seconds: number; each: number[] }> = [];
      for (const processes of [1, 4]) {
        const prefix = `s${processes}x`;
        await reseed(prefix);
        const run = await runProcesses<{ expired: number; skipped: number; corrupt: number; seconds: number }>(
          Array.from({ length: processes }, () => ({ kind: 'sweep', url: URL_, schema: SCHEMA, now: due.toISOString(), batchSize: 1000 })),
        );
        const expired = run.results.reduce((n, r) => n + r.expired, 0);
        if (expired !== SWEEP_ORDERS) throw new Error(`${processes} sweeper processes expired ${expired} of ${SWEEP_ORDERS}`);
        await checkExpiredOnce(pool, prefix);
        sweeps.push({ processes, seconds: run.seconds, each: run.results.map((r) => r.expired) });
        console.log(`${processes} sweeper process(es) expiring ${SWEEP_ORDERS}: ${run.seconds.toFixed(2)} s (per process ${run.results.map((r) => r.expired).join(', ')})`);
      }
      const sweepRows: Array<Array<string | number>> = [];
      sweepRows.push([`one SQL statement expiring ${SWEEP_ORDERS.toLocaleString('en')} orders (the same writes)`, `${oneStatement.seconds.toFixed(2)} s`, 'baseline']);
      const one = sweeps[0]!;
      const four = sweeps[1]!;
      sweepRows.push([`1 sweeper process`, `${one.seconds.toFixed(2)} s = ${(one.seconds / oneStatement.seconds).toFixed(2)}×`, `≤ 1.2× ${mark(one.seconds / oneStatement.seconds <= 1.2)}`]);
      sweepRows.push([
        `4 sweeper processes (expired ${four.each.map((n) => n.toLocaleString('en')).join(' / ')})`,
        `${four.seconds.toFixed(2)} s = ${(four.seconds / oneStatement.seconds).toFixed(2)}×, ${(one.seconds / four.seconds).toFixed(2)}× faster than 1`,
        `≤ 1.2× ${mark(four.seconds / oneStatement.seconds <= 1.2)}; ≥ 1.5× faster ${mark(one.seconds / four.seconds >= 1.5)}`,
      ]);
      console.log(`load average (1 min) ${sweepLoadBefore} at the start of the sweeps, ${loadOf()} at the end`);
      if (QUICK) console.log(table(['measure', 'result', 'goal'], sweepRows));
      else {
        writeSection(
          'storage-sweep',
          `## Storage: sweeps (PostgresOrderStore on PostgreSQL)

Command: \`npm run bench -- storage\`, or only this part: \`STORAGE_PARTS=sweep npm run bench -- storage\` (DATABASE_URL as above).
${machineLine()} PostgreSQL: ${version}, synchronous_commit ${sync}. Load average (1 min) ${sweepLoadBefore} at the start of the sweeps, ${loadOf()} at the end.

- **Sweep.** ${SWEEP_ORDERS.toLocaleString('en')} unpaid orders past their pay-by time; 1 and 4 separate Node processes each run \`service.sweep(now, { batchSize: 1000 })\`,
  started together once connected. Every order is checked closed with exactly one \`EXPIRE\` event, and the processes' expired counts
  add up to ${SWEEP_ORDERS.toLocaleString('en')}. Baseline: one SQL statement doing the same writes (document, columns, event, effects, change-log row).

${table(['measure', 'result', 'goal'], sweepRows)}`,
        );
      }
    }
  } finally {
    for (const s of stores) await s.close().catch(() => undefined);
    await pool.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`).catch(() => undefined);
    await pool.end();
  }
}

await main();
