/**
 * `npm run bench -- storage`: the PostgreSQL store under load, against `pgbench -N` on the same
 * server in the same run (the ceiling: what the server and its disk allow for small write
 * transactions). Needs a real server: DATABASE_URL, or postgres://postgres@127.0.0.1:5432/test
 * when that answers; otherwise it says so and writes nothing.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { loadavg } from 'node:os';
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
const SECONDS = 10;
const SWEEP_ORDERS = 100_000;
const SCHEMA = `okb_storage_${process.pid}`;
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

/** pgbench -N (simple updates, no branch/teller contention) with the same client count. */
async function pgbenchTps(pool: pg.Pool): Promise<{ tps: number; command: string } | null> {
  const bin = pgbenchPath();
  if (!bin) return null;
  const url = new URL(URL_);
  const db = `okb_pgbench_${process.pid}`;
  await pool.query(`CREATE DATABASE ${db}`);
  try {
    const target = new URL(URL_);
    target.pathname = `/${db}`;
    const env = { ...process.env, PGPASSWORD: decodeURIComponent(url.password) };
    const conn = ['-h', url.hostname, '-p', url.port || '5432', '-U', decodeURIComponent(url.username) || 'postgres'];
    execFileSync(bin, [...conn, '-i', '-s', '1', '-q', db], { env, stdio: 'pipe' });
    const args = ['-N', '-c', String(CLIENTS), '-j', '2', '-T', String(SECONDS)];
    const out = execFileSync(bin, [...conn, ...args, db], { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    const m = /tps = ([\d.]+) \(without initial connection time\)/.exec(out);
    return m ? { tps: Number(m[1]), command: `pgbench ${args.join(' ')}` } : null;
  } finally {
    await pool.query(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
  }
}

/** Paid orders with plenty of units, so each can take many one-unit SHIP commands. */
function paidOrders(count: number, prefix: string, units: number): Order[] {
  const placed = placeOrder({ id: 'tpl', number: 'TPL', customerId: 'u1', quote: quote([line('a', units, 100)]) }, { now: PLACED });
  if (!placed.ok) throw placed.error;
  const paid = transition(placed.order, { type: 'PAYMENT_SUCCEEDED', amount: units * 100, transactionId: 'tx' }, { now: PLACED, actor: { type: 'payment', gateway: 'bench' } });
  if (!paid.ok) throw paid.error;
  const tpl = paid.order;
  return Array.from({ length: count }, (_, i) => {
    const number = `${prefix}${String(i).padStart(8, '0')}`;
    return { ...tpl, id: `${prefix}${i}`, number, payment: { ...tpl.payment, attempts: tpl.payment.attempts.map((a) => ({ ...a, outTradeNo: number })) } };
  });
}

const SHIP_ONE = { type: 'SHIP' as const, logisticsType: 'express' as const, items: [{ lineId: 'a', quantity: 1 }] };
const MERCHANT = { type: 'merchant' as const, id: 'bench' };

/** `clients` loops dispatching for `seconds`; each loop walks its own list of order ids. */
async function drive(services: OrderService[], idsFor: (client: number) => string[], seconds: number): Promise<{ committed: number; failed: number; seconds: number }> {
  const until = Date.now() + seconds * 1000;
  let committed = 0;
  let failed = 0;
  const started = performance.now();
  await Promise.all(
    services.map(async (service, c) => {
      const ids = idsFor(c);
      for (let i = 0; Date.now() < until; i++) {
        const r = await service.dispatch(ids[i % ids.length]!, SHIP_ONE, MERCHANT);
        if (r.ok && r.changed) committed++;
        else failed++;
      }
    }),
  );
  return { committed, failed, seconds: (performance.now() - started) / 1000 };
}

async function main(): Promise<void> {
  const problem = await reachable();
  if (problem !== null) {
    console.log(`storage bench SKIPPED: no PostgreSQL at ${URL_.replace(/:[^:@/]*@/, ':***@')} (${problem}). Set DATABASE_URL.`);
    return;
  }
  const loadBefore = loadavg()[0]!;
  const pool = new pg.Pool({ connectionString: URL_, max: CLIENTS + 4 });
  pool.on('error', () => undefined);
  try {
    await pool.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
    await migrate(pool, { schema: SCHEMA });
    let conflicts = 0;
    const makeService = (notify: 'after-commit' | 'in-transaction') => {
      const store = new PostgresOrderStore({ db: pool, schema: SCHEMA, notify });
      const counting = Object.assign(Object.create(store) as PostgresOrderStore, {
        commit: async (input: Parameters<PostgresOrderStore['commit']>[0]) => {
          try {
            await store.commit(input);
          } catch (error) {
            if ((error as { code?: string }).code === 'VERSION_CONFLICT') conflicts++;
            throw error;
          }
        },
      });
      return createOrderService({ store: counting });
    };
    // The clients are concurrent requests to one service instance (one process, one pool of
    // connections), as a Node server runs them: its store batches the commits that meet (group
    // commit). The default mode is measured first and gives the goal's ratio; the others are
    // shown beside it, among them one service instance per client, where nothing is shared.
    const shared = makeService('in-transaction');
    const services = Array.from({ length: CLIENTS }, () => shared);
    const sharedAfterCommit = makeService('after-commit');
    const afterCommit = Array.from({ length: CLIENTS }, () => sharedAfterCommit);
    const separate = Array.from({ length: CLIENTS }, () => makeService('in-transaction'));

    // The ceiling is measured just before and just after our own run and averaged: on a shared
    // machine the disk and the CPUs drift, and both sides of the ratio should see the same drift.
    const ceilingBefore = await pgbenchTps(pool);
    console.log(ceilingBefore ? `${ceilingBefore.command}: ${ceilingBefore.tps.toFixed(0)} tps (before)` : 'pgbench not found: no ceiling measured');

    // 1. distinct orders: each client round-robins over its own 500 orders
    const perClient = 800;
    await seedOrders(pool, SCHEMA, paidOrders(CLIENTS * perClient, 'D', 1000));
    await pool.query(`VACUUM ANALYZE ${SCHEMA}.orders`);
    await drive(services, (c) => Array.from({ length: 50 }, (_, i) => `D${c * perClient + i}`), 1); // warm-up
    const distinct = await drive(services, (c) => Array.from({ length: 250 }, (_, i) => `D${c * perClient + 50 + i}`), SECONDS);
    // (each mode gets orders of its own, so neither inherits the other's grown documents)
    const distinctTps = distinct.committed / distinct.seconds;
    console.log(`distinct orders: ${distinctTps.toFixed(0)} committed transitions/s (${distinct.committed} in ${distinct.seconds.toFixed(1)} s)`);
    const after = await drive(afterCommit, (c) => Array.from({ length: 250 }, (_, i) => `D${c * perClient + 300 + i}`), SECONDS);
    const afterTps = after.committed / after.seconds;
    console.log(`distinct orders, NOTIFY after the commit: ${afterTps.toFixed(0)} committed transitions/s`);
    const apart = await drive(separate, (c) => Array.from({ length: 250 }, (_, i) => `D${c * perClient + 550 + i}`), SECONDS);
    const apartTps = apart.committed / apart.seconds;
    console.log(`distinct orders, one service instance per client: ${apartTps.toFixed(0)} committed transitions/s`);

    // 2. the ceiling, same server, same run
    const ceilingAfter = await pgbenchTps(pool);
    const ceiling = ceilingBefore && ceilingAfter ? { command: ceilingAfter.command, tps: (ceilingBefore.tps + ceilingAfter.tps) / 2 } : null;
    console.log(ceilingAfter ? `${ceilingAfter.command}: ${ceilingAfter.tps.toFixed(0)} tps (after)` : '');

    // 3. one hot order, 8 writers
    await seedOrders(pool, SCHEMA, paidOrders(1, 'H', 100_000));
    conflicts = 0;
    const hot = await drive(services, () => ['H0'], 5);
    const hotTps = hot.committed / hot.seconds;
    const hotConflicts = conflicts;
    console.log(`hot order: ${hotTps.toFixed(0)} committed transitions/s with ${CLIENTS} writers (${hotConflicts} conflicts retried, ${hot.failed} gave up)`);

    // 4. sweeping 100,000 expired orders, one sweeper and then four
    const sweeps: Array<[string, number, number]> = [];
    for (const sweepers of [1, 4]) {
      await pool.query(`TRUNCATE ${SCHEMA}.orders, ${SCHEMA}.order_events, ${SCHEMA}.outbox, ${SCHEMA}.idempotency, ${SCHEMA}.changes`);
      await seedUnpaidOrders(pool, SCHEMA, SWEEP_ORDERS, PLACED, `s${sweepers}x`);
      await pool.query(`VACUUM ANALYZE ${SCHEMA}.orders`);
      const now = new Date(PLACED.getTime() + 31 * 60_000);
      const t0 = performance.now();
      const reports = await Promise.all(services.slice(0, sweepers).map((s) => s.sweep(now, { batchSize: 1000 })));
      const seconds = (performance.now() - t0) / 1000;
      const expired = reports.reduce((n, r) => n + r.expired, 0);
      if (expired !== SWEEP_ORDERS) throw new Error(`sweep expired ${expired} of ${SWEEP_ORDERS}`);
      sweeps.push([`${sweepers}`, seconds, expired / seconds]);
      console.log(`sweep of ${SWEEP_ORDERS} expired orders with ${sweepers} sweeper(s): ${seconds.toFixed(2)} s`);
    }

    const ratio = ceiling ? distinctTps / ceiling.tps : null;
    const rows: Array<Array<string | number>> = [
      [`committed transitions/s, ${CLIENTS} concurrent clients of one service on distinct orders (load → transition → CAS commit + events + outbox, NOTIFY inside the commit statement, group commit: the defaults)`, distinctTps.toFixed(0), '—'],
      [`the same with \`notify: 'after-commit'\` (NOTIFY right after the commit)`, afterTps.toFixed(0), '—'],
      [`the same defaults, but one service instance (own store) per client: nothing to batch`, apartTps.toFixed(0), '—'],
      [`pgbench -N, ${CLIENTS} clients, same server (ceiling; mean of ${ceilingBefore?.tps.toFixed(0)} before and ${ceilingAfter?.tps.toFixed(0)} after)`, ceiling ? ceiling.tps.toFixed(0) : 'n/a', '—'],
      ['ratio to pgbench (default mode)', ratio === null ? 'n/a' : `${(ratio * 100).toFixed(0)} %`, `≥ 60 % ${ratio === null ? '' : ratio >= 0.6 ? '✅' : '❌'}`],
      ["ratio to pgbench ('after-commit')", ceiling ? `${((afterTps / ceiling.tps) * 100).toFixed(0)} %` : 'n/a', '—'],
      ['ratio to pgbench (one instance per client)', ceiling ? `${((apartTps / ceiling.tps) * 100).toFixed(0)} %` : 'n/a', '—'],
      [`committed transitions/s, one hot order, ${CLIENTS} writers (${hotConflicts} conflicts retried, ${hot.failed} gave up)`, hotTps.toFixed(0), 'no lost update'],
      ...sweeps.map(([n, s]) => [`sweep ${SWEEP_ORDERS.toLocaleString('en')} expired orders, ${n} sweeper(s)`, `${s.toFixed(2)} s`, `≤ 10 s ${s <= 10 ? '✅' : '❌'}`]),
    ];
    writeSection(
      'storage',
      `## Storage (PostgresOrderStore on PostgreSQL)

Command: \`npm run bench -- storage\` (DATABASE_URL, default postgres://postgres@127.0.0.1:5432/test).
${machineLine()} PostgreSQL: ${(await pool.query('SHOW server_version')).rows[0].server_version}, synchronous_commit ${(await pool.query('SHOW synchronous_commit')).rows[0].synchronous_commit}.
Each transition is a one-unit \`SHIP\` through \`service.dispatch\` (zod-checked command, load, \`transition()\`, a compare-and-set
statement writing the row, the event, 2 outbox effects, the change-log row and the change-feed NOTIFY). The ${CLIENTS} clients are concurrent callers of one
service instance, as requests to a Node server are; its store sends the commits that meet in one statement (group commit, each
order still its own compare-and-set). PostgreSQL serialises the commits of transactions that NOTIFY on a lock held until the
commit is on disk, so one statement per commit queues there; the last rows show that case.
With 2 cores, the Node client and PostgreSQL share the CPUs, while pgbench's client is a small C program. The ceiling is \`${ceiling?.command ?? 'pgbench -N'}\`
against a fresh pgbench database on the same server, run just before and just after. The sweep uses \`findDue\` leases and \`commitMany\` batches of 1000, two batches in flight per sweeper.
Load average of the machine (1 min) at the start ${loadBefore.toFixed(1)} and at the end ${loadavg()[0]!.toFixed(1)}: other work on the same cores slows
the Node client and PostgreSQL but hardly pgbench's C client, so a busy machine lowers the ratio.

${table(['measure', 'result', 'goal'], rows)}`,
    );
  } finally {
    await pool.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`).catch(() => undefined);
    await pool.end();
  }
}

await main();
