/**
 * `npm run bench -- flash-sale`: the 秒杀 through `service.place` (issue 19 item 4). BUYERS buyers
 * for UNITS units of one SKU, 限购 1, each buyer sending 3 placements at once, from PROCESSES
 * separate processes (each its own service instance and pool, as shop servers would be), against
 * one PostgreSQL (and one Redis). Three paths in the same run:
 * - naive: in the order's transaction, `SELECT … FOR UPDATE` the SKU row and the customer's count,
 *   check in JavaScript, then `UPDATE` (the baseline);
 * - postgres: `PostgresInventory` (conditional UPDATE, upsert-within-limit, same transaction);
 * - redis: `RedisInventory` (one Lua script, the ledger row in the order's transaction).
 * Reports successful placements per second, all placements per second and the p99 latency of a
 * placement. Needs a real server: DATABASE_URL (or postgres://postgres@127.0.0.1:5432/test) and
 * REDIS_URL (default redis://127.0.0.1:6379/1).
 */
import { spawn } from 'node:child_process';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import Redis from 'ioredis';
import pg from 'pg';
import { migrate, migrateInventory, PostgresInventory, PostgresOrderStore } from '../src/adapters/postgres/index.js';
import { RedisInventory } from '../src/adapters/redis/index.js';
import { checkHold, limitReached, outOfStock, type HoldRequest, type InventoryPort } from '../src/inventory/index.js';
import { createOrderService } from '../src/service/index.js';
import { line, quote } from '../test/service/fixtures.js';
import { machineLine, table, writeSection } from './report.js';

const DB_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379/1';
const BUYERS = Number(process.env.FLASH_BENCH_BUYERS ?? 3000);
const UNITS = Number(process.env.FLASH_BENCH_UNITS ?? 1000);
const PROCESSES = 4;
const IN_FLIGHT = 12;
type Path = 'naive' | 'postgres' | 'redis';

/** The baseline: read under lock, decide in JavaScript, write. Same tables, same transaction. */
class NaiveForUpdateInventory extends PostgresInventory {
  override placeWith<T>(request: HoldRequest, create: (transaction?: unknown) => Promise<T>): Promise<T> {
    const r = checkHold(request);
    const s = `"${this.schema}"`;
    return (this as unknown as { driver: { transaction<X>(b: (tx: pg.PoolClient) => Promise<X>): Promise<X> } }).driver.transaction(async (tx) => {
      const made = await create(tx);
      for (const [index, item] of r.items.entries()) {
        const sku = (await tx.query(`SELECT available, limit_per_customer, limit_key FROM ${s}.inventory_skus WHERE sku = $1 FOR UPDATE`, [item.sku])).rows[0];
        if (sku.limit_per_customer !== null) {
          await tx.query(`INSERT INTO ${s}.inventory_limits (limit_key, customer_id, held) VALUES ($1, $2, 0) ON CONFLICT DO NOTHING`, [sku.limit_key, r.customerId]);
          const had = Number((await tx.query(`SELECT held FROM ${s}.inventory_limits WHERE limit_key = $1 AND customer_id = $2 FOR UPDATE`, [sku.limit_key, r.customerId])).rows[0].held);
          if (had + item.quantity > sku.limit_per_customer) throw limitReached(item.sku, sku.limit_key, sku.limit_per_customer, had, index);
          await tx.query(`UPDATE ${s}.inventory_limits SET held = $3 WHERE limit_key = $1 AND customer_id = $2`, [sku.limit_key, r.customerId, had + item.quantity]);
        }
        if (Number(sku.available) < item.quantity) throw outOfStock(item.sku, item.quantity, Number(sku.available), index);
        await tx.query(`UPDATE ${s}.inventory_skus SET available = $2, held = held + $3 WHERE sku = $1`, [item.sku, Number(sku.available) - item.quantity, item.quantity]);
        await tx.query(`INSERT INTO ${s}.inventory_holds (order_id, sku, customer_id, quantity, limit_key) VALUES ($1, $2, $3, $4, $5)`, [r.orderId, item.sku, r.customerId, item.quantity, sku.limit_key]);
      }
      return made;
    });
  }
}

function inventoryFor(path: Path, pool: pg.Pool, schema: string, redis: Redis | null): InventoryPort {
  if (path === 'naive') return new NaiveForUpdateInventory({ db: pool, schema });
  if (path === 'postgres') return new PostgresInventory({ db: pool, schema });
  return new RedisInventory({ redis: redis!, ledger: pool, schema, prefix: `okb:${schema}` });
}

/** A child process: buyers [from, to), IN_FLIGHT at a time, 3 placements each at once. Prints JSON. */
async function child(path: Path, schema: string, from: number, to: number): Promise<void> {
  const pool = new pg.Pool({ connectionString: DB_URL, max: 8 });
  const redis = path === 'redis' ? new Redis(REDIS_URL, { maxRetriesPerRequest: 1 }) : null;
  const inventory = inventoryFor(path, pool, schema, redis);
  let n = 0;
  const service = createOrderService({
    store: new PostgresOrderStore({ db: pool, schema }),
    inventory,
    ids: { orderId: () => `${schema}-${from}-${++n}`, orderNumber: () => `B${from}x${n}`.padEnd(12, '0') },
  });
  const latencies: number[] = [];
  const okLatencies: number[] = [];
  const codes: Record<string, number> = {};
  let next = from;
  // Every process is loaded and connected before the sale opens: the parent says go to all at once.
  await pool.query('SELECT 1');
  if (redis) await redis.ping();
  process.stdout.write('ready\n');
  await new Promise<void>((resolve) => process.stdin.once('data', () => resolve()));
  const start = performance.now();
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (next < to) {
        const buyer = `b${next++}`;
        await Promise.all(
          [0, 1, 2].map(async () => {
            const t = performance.now();
            const r = await service.place({ customerId: buyer, quote: quote([line('f', 1, 100, { sku: 'FLASH' })]) });
            const ms = performance.now() - t;
            latencies.push(ms);
            if (r.ok) okLatencies.push(ms);
            const code = r.ok ? 'ok' : r.error.code;
            codes[code] = (codes[code] ?? 0) + 1;
          }),
        );
      }
    }),
  );
  const seconds = (performance.now() - start) / 1000;
  process.stdout.write(JSON.stringify({ latencies, okLatencies, codes, seconds, end: Date.now() }));
  redis?.disconnect();
  await pool.end();
}

const p99 = (xs: number[]): number => {
  if (xs.length === 0) return 0;
  const s = xs.slice().sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(s.length * 0.99) - 1)]!;
};

interface Measured {
  path: Path;
  ok: number;
  placements: number;
  seconds: number;
  p99: number;
  p99ok: number;
  oversold: boolean;
  codes: Record<string, number>;
}

async function measure(path: Path, admin: pg.Pool): Promise<Measured> {
  const schema = `okb_flash_${path}_${process.pid}`;
  await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await migrate(admin, { schema });
  await migrateInventory(admin, { schema });
  const redis = path === 'redis' ? new Redis(REDIS_URL, { maxRetriesPerRequest: 1 }) : null;
  await inventoryFor(path, admin, schema, redis).configure({ sku: 'FLASH', available: UNITS, limit: { perCustomer: 1 } });
  const per = Math.ceil(BUYERS / PROCESSES);
  const self = fileURLToPath(import.meta.url);
  const children = Array.from({ length: PROCESSES }, (_, i) => {
    const c = spawn(process.execPath, ['--import', 'tsx', self, '--child', path, schema, String(i * per), String(Math.min(BUYERS, (i + 1) * per))], { stdio: ['pipe', 'pipe', 'inherit'] });
    let out = '';
    let signalReady: () => void = () => undefined;
    const ready = new Promise<void>((resolve) => (signalReady = resolve));
    c.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.startsWith('ready\n')) signalReady();
    });
    const done = new Promise<{ latencies: number[]; okLatencies: number[]; codes: Record<string, number>; end: number }>((resolve, reject) => {
      c.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out.slice('ready\n'.length))) : reject(new Error(`child ${i} exited ${code}`))));
    });
    return { c, ready, done };
  });
  await Promise.all(children.map((x) => x.ready));
  const opened = Date.now();
  for (const x of children) x.c.stdin!.end('go');
  const outs = await Promise.all(children.map((x) => x.done));
  const seconds = (Math.max(...outs.map((o) => o.end)) - opened) / 1000;
  const latencies = outs.flatMap((o) => o.latencies);
  const okLatencies = outs.flatMap((o) => o.okLatencies);
  const codes: Record<string, number> = {};
  for (const o of outs) for (const [k, v] of Object.entries(o.codes)) codes[k] = (codes[k] ?? 0) + v;
  const held = Number((await admin.query(`SELECT coalesce(sum(quantity), 0) AS n FROM "${schema}".inventory_holds`)).rows[0].n);
  const maxPer = Number((await admin.query(`SELECT coalesce(max(s), 0) AS n FROM (SELECT sum(quantity) AS s FROM "${schema}".inventory_holds GROUP BY customer_id) x`)).rows[0].n);
  if (redis) {
    const prefix = `{okb:${schema}}`;
    let cursor = '0';
    do {
      const [nextCursor, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      if (keys.length > 0) await redis.unlink(...keys);
      cursor = nextCursor;
    } while (cursor !== '0');
    redis.disconnect();
  }
  await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  return { path, ok: codes['ok'] ?? 0, placements: latencies.length, seconds, p99: p99(latencies), p99ok: p99(okLatencies), oversold: held > UNITS || maxPer > 1 || (codes['ok'] ?? 0) !== held, codes };
}

async function main(): Promise<void> {
  const load = loadavg()[0]!;
  const admin = new pg.Pool({ connectionString: DB_URL, max: 4 });
  const results: Measured[] = [];
  for (const path of ['naive', 'postgres', 'redis'] as Path[]) {
    const m = await measure(path, admin);
    console.log(`${path}: ${m.ok} ok of ${m.placements} in ${m.seconds.toFixed(2)} s, p99 ${m.p99.toFixed(1)} ms, ${JSON.stringify(m.codes)}`);
    results.push(m);
  }
  await admin.end();
  const base = results[0]!;
  const rows = results.map((m) => [
    m.path === 'naive' ? 'naive `SELECT … FOR UPDATE` then `UPDATE` (baseline)' : m.path === 'postgres' ? '`PostgresInventory` (conditional UPDATE)' : '`RedisInventory` (Lua + PostgreSQL ledger)',
    m.ok,
    (m.ok / m.seconds).toFixed(0),
    (m.placements / m.seconds).toFixed(0),
    `${m.p99.toFixed(1)} ms`,
    `${m.p99ok.toFixed(1)} ms`,
    `${((m.ok / m.seconds) / (base.ok / base.seconds)).toFixed(2)}×`,
    m.oversold ? 'OVERSOLD' : 'no',
  ]);
  const md = `## Flash sale (秒杀): stock through service.place

\`npm run bench -- flash-sale\`. ${machineLine()} ${BUYERS.toLocaleString('en')} buyers for ${UNITS.toLocaleString('en')} units of one SKU, 限购 1 per buyer, each buyer sending 3 placements at once (${(BUYERS * 3).toLocaleString('en')} placements), from ${PROCESSES} processes (each its own service instance and pool of 8), ${IN_FLIGHT} buyers in flight per process, against one PostgreSQL and one Redis on the same machine; load average ${load.toFixed(0)} when it started${load > 4 ? ' (other work shared the cores, so absolute figures are low; the ratios were measured under the same load)' : ''}. Every placement goes through \`service.place\` and writes a real order; the three paths run one after another in the same run. "successful/s": placements that got an order, per second of the whole sale.

${table(['path', 'orders', 'successful/s', 'placements/s', 'p99 (all)', 'p99 (successful)', 'vs baseline', 'oversold'], rows)}

No goal was set for these figures in issue 19; they are the measure against the naive baseline. Correctness at 10,000 buyers is tested in test/load/flash-sale.load.test.ts.`;
  writeSection('flash-sale', md);
}

if (process.argv[2] === '--child') {
  await child(process.argv[3] as Path, process.argv[4]!, Number(process.argv[5]), Number(process.argv[6]));
} else {
  await main();
}
