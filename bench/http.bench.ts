/**
 * `npm run bench -- http`: the Express example under HTTP load over loopback (autocannon) — place
 * and pay — on the in-memory store and on PostgreSQL, and meanwhile the latency from a committed
 * change to its Server-Sent Event at a subscriber. In the same run, the baseline (issue 18): a
 * minimal route on the same stack (Express + pg, one INSERT for place; UPDATE + NOTIFY in one
 * transaction for pay; LISTEN → SSE for the events), in a server process of its own.
 *
 * The server runs in a child process (this same file, HTTP_BENCH_ROLE=server) so that the load
 * generator never shares its event loop. DATABASE_URL names the server (default
 * postgres://postgres@127.0.0.1:5432/test); the PostgreSQL part uses a fresh schema each run.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import pg from 'pg';
import { machineLine, table, writeSection } from './report.js';

/** The part of autocannon's API used here (it ships no type declarations). */
interface AutocannonResult {
  requests: { average: number; total: number };
  latency: { p50: number; p99: number };
  non2xx: number;
  errors: number;
}
interface AutocannonRequest {
  method: string;
  path?: string;
  headers: Record<string, string>;
  body: string;
  onResponse?: (status: number, body: string) => void;
  setupRequest?: (req: Record<string, unknown>) => Record<string, unknown>;
}
const autocannon = createRequire(import.meta.url)('autocannon') as (options: {
  url: string;
  connections: number;
  duration: number;
  amount?: number;
  requests: AutocannonRequest[];
}) => Promise<AutocannonResult>;

const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const SCHEMA = 'orderkit_bench_http';
const DURATION = Number(process.env.HTTP_BENCH_SECONDS ?? 10);
/** Seconds of place (then pay) answered by every server before its measured runs, not counted. */
const WARMUP = Number(process.env.HTTP_BENCH_WARMUP_SECONDS ?? 3);
const CONNECTIONS = 16;
const ADDRESS = { name: '张三', phone: '13800138000', province: '浙江', city: '杭州', detail: '西湖区 1 号' };
const PLACE_BODY = JSON.stringify({ items: [{ sku: 'TEA-LJ-250', quantity: 1 }, { sku: 'CUP-GLASS', quantity: 2 }], address: ADDRESS });

// ---------------------------------------------------------------------------------------------
// Server role: the example app on the chosen store, answering on a free port.
async function serve(): Promise<void> {
  const { createApp } = await import('../examples/express/src/app.js');
  const { Ops } = await import('../examples/express/src/ops.js');
  const { sqlFigures, storeFigures } = await import('../examples/express/src/figures.js');
  const { createOrderService, MemoryOrderStore } = await import('../src/index.js');
  const { migrate, migrateAnalytics, PostgresOrderStore } = await import('../src/adapters/postgres/index.js');
  let figures;
  let store;
  let pool: pg.Pool | null = null;
  if (process.env.HTTP_BENCH_STORE === 'postgres') {
    pool = new pg.Pool({ connectionString: DATABASE_URL, max: 16 });
    await pool.query(`drop schema if exists ${SCHEMA} cascade`);
    await migrate(pool, { schema: SCHEMA });
    await migrateAnalytics(pool, { schema: SCHEMA });
    // As the example's own storage.ts opens it on PostgreSQL (NOTIFY after the commit).
    store = new PostgresOrderStore({ db: pool, schema: SCHEMA, notify: 'after-commit' });
    figures = sqlFigures(pool, SCHEMA);
  } else {
    store = new MemoryOrderStore();
    figures = storeFigures(store);
  }
  const app = await createApp({ auth: { demo: true, limits: { writesPerMinute: 1e9 } }, ops: new Ops({ level: 'warn' }), service: createOrderService({ store }), figures, log: () => undefined });
  const server = app.app.listen(0, '127.0.0.1', () => {
    const address = server.address() as { port: number };
    process.send!({ url: `http://127.0.0.1:${address.port}` });
  });
  process.on('message', async (m) => {
    if (m !== 'stop') return;
    server.closeAllConnections();
    server.close();
    await app.close();
    await pool?.end();
    process.exit(0);
  });
}

// ---------------------------------------------------------------------------------------------
// Baseline server role: the same stack (Express, pg, a pool of 16) doing the least an order
// service must do: place = one INSERT of the posted order as jsonb; pay = UPDATE … WHERE status is
// unpaid plus pg_notify in one transaction (a real state change, 409 for a repeat); events = one
// LISTEN connection fanned out to SSE streams, a snapshot first and then a change per commit.
const MIN_SCHEMA = 'orderkit_bench_http_min';
async function serveMinimal(): Promise<void> {
  const express = (await import('express')).default;
  const { randomUUID } = await import('node:crypto');
  const pool = new pg.Pool({ connectionString: DATABASE_URL, max: 16 });
  await pool.query(`drop schema if exists ${MIN_SCHEMA} cascade`);
  await pool.query(`create schema ${MIN_SCHEMA}`);
  await pool.query(`create table ${MIN_SCHEMA}.orders (id text primary key, status text not null, version int not null, doc jsonb not null, updated_at timestamptz not null)`);
  const listener = new pg.Client({ connectionString: DATABASE_URL });
  await listener.connect();
  await listener.query('listen orderkit_bench_min');
  const streams = new Map<string, Set<import('express').Response>>();
  listener.on('notification', (n) => {
    const change = JSON.parse(n.payload!) as { orderId: string };
    for (const res of streams.get(change.orderId) ?? []) res.write(`event: change\ndata: ${n.payload}\n\n`);
  });
  const app = express();
  app.use(express.json());
  app.post('/orders', async (req, res) => {
    if (!Array.isArray(req.body?.items)) return void res.status(400).json({ error: 'items' });
    const id = randomUUID();
    await pool.query(`insert into ${MIN_SCHEMA}.orders (id, status, version, doc, updated_at) values ($1, 'pending_payment', 1, $2, now())`, [id, req.body]);
    res.status(201).json({ id, version: 1, status: 'pending_payment' });
  });
  app.post('/orders/:id/pay/demo', async (req, res) => {
    // Stamped before the write begins, the point where the example's service stamps `updatedAt`
    // (before its commit statement leaves): commit → SSE is timed from the same point on both.
    const started = new Date().toISOString();
    const client = await pool.connect();
    try {
      await client.query('begin');
      const r = await client.query(`update ${MIN_SCHEMA}.orders set status = 'paid', version = version + 1, updated_at = now() where id = $1 and status = 'pending_payment' returning version`, [req.params.id]);
      if (r.rowCount !== 1) {
        await client.query('rollback');
        return void res.status(409).json({ error: 'not payable' });
      }
      // `beforeCommit`: the point this baseline was timed from before (after its UPDATE), reported beside.
      const change = { orderId: req.params.id, version: r.rows[0].version as number, status: 'paid', at: started, beforeCommit: new Date().toISOString() };
      await client.query('select pg_notify($1, $2)', ['orderkit_bench_min', JSON.stringify(change)]);
      await client.query('commit');
      res.json(change);
    } catch (error) {
      await client.query('rollback').catch(() => undefined);
      res.status(500).json({ error: String(error) });
    } finally {
      client.release();
    }
  });
  app.get('/orders/:id/events', async (req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    let set = streams.get(req.params.id);
    if (!set) streams.set(req.params.id, (set = new Set()));
    set.add(res);
    req.on('close', () => {
      set!.delete(res);
      if (set!.size === 0) streams.delete(req.params.id);
    });
    const r = await pool.query(`select version, status, updated_at from ${MIN_SCHEMA}.orders where id = $1`, [req.params.id]);
    const row = r.rows[0] as { version: number; status: string; updated_at: Date } | undefined;
    if (row) res.write(`event: snapshot\ndata: ${JSON.stringify({ orderId: req.params.id, version: row.version, status: row.status, at: row.updated_at.toISOString() })}\n\n`);
  });
  const server = app.listen(0, '127.0.0.1', () => {
    const address = server.address() as { port: number };
    process.send!({ url: `http://127.0.0.1:${address.port}` });
  });
  process.on('message', async (m) => {
    if (m !== 'stop') return;
    server.closeAllConnections();
    server.close();
    await listener.end();
    await pool.end();
    process.exit(0);
  });
}

// ---------------------------------------------------------------------------------------------
// Load role.
type ServerKind = 'memory' | 'postgres' | 'minimal';
async function startServer(storeKind: ServerKind): Promise<{ url: string; child: ChildProcess }> {
  const child = fork(fileURLToPath(import.meta.url), [], {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, HTTP_BENCH_ROLE: 'server', HTTP_BENCH_STORE: storeKind },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    child.once('message', (m) => resolve((m as { url: string }).url));
    child.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
  });
  return { url, child };
}

interface Load {
  rps: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
}

function summary(r: AutocannonResult): Load {
  return { rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, non2xx: r.non2xx, errors: r.errors };
}

interface SseEvent {
  data: { at: string; beforeCommit?: string };
  receivedAt: number;
}

/**
 * Reads one SSE stream until `match`; resolves with the event's data and the time it arrived, or
 * with null when the stream ends, fails or `timeoutMs` passes first. Never leaves a caller waiting.
 */
async function firstEvent(url: string, match: (event: string, data: { version?: number }) => boolean, timeoutMs: number): Promise<{ event: SseEvent | null; close: () => void }> {
  const controller = new AbortController();
  const close = () => controller.abort();
  const timer = setTimeout(close, timeoutMs);
  try {
    const res = await fetch(url, { signal: controller.signal, headers: { accept: 'text/event-stream' } });
    if (!res.ok || res.body === null) return { event: null, close };
    const reader = res.body.getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return { event: null, close };
      buffer += decoder.decode(value, { stream: true });
      let cut: number;
      while ((cut = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, cut);
        buffer = buffer.slice(cut + 2);
        const event = /^event: (.*)$/m.exec(block)?.[1] ?? 'message';
        const data = /^data: (.*)$/m.exec(block)?.[1];
        if (data && match(event, JSON.parse(data))) return { event: { data: JSON.parse(data), receivedAt: Date.now() }, close };
      }
    }
  } catch {
    return { event: null, close }; // aborted (timeout) or the connection failed
  } finally {
    clearTimeout(timer);
  }
}

/**
 * While the load runs: place an order, subscribe to its stream, pay it, and time the `change` event
 * from the order's `updatedAt` (stamped by the service just before the commit) to its arrival.
 * Probes that fail along the way (a refused request, no event within 10 s) are counted, not timed.
 */
async function probeLatencies(url: string, until: () => boolean): Promise<{ samples: number[]; fromCommit: number[]; missed: number }> {
  const samples: number[] = [];
  const fromCommit: number[] = [];
  let missed = 0;
  const post = async (path: string, body: string): Promise<{ id?: string } | null> => {
    try {
      const r = await fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-actor': 'customer:probe' }, body, signal: AbortSignal.timeout(10_000) });
      return r.ok ? ((await r.json()) as { id?: string }) : null;
    } catch {
      return null;
    }
  };
  while (!until()) {
    const order = await post('/orders', PLACE_BODY);
    if (order?.id === undefined) {
      missed++;
      continue;
    }
    const streamUrl = `${url}/orders/${order.id}/events?actor=customer:probe`;
    const snapshot = await firstEvent(streamUrl, (e) => e === 'snapshot', 10_000);
    snapshot.close();
    const change = firstEvent(streamUrl, (e, d) => e === 'change' && d.version === 2, 10_000);
    // Give the subscription a moment to be registered before the commit it waits for.
    await new Promise((r) => setTimeout(r, 20));
    const paid = await post(`/orders/${order.id}/pay/demo`, '{}');
    const got = await change;
    got.close();
    if (paid !== null && got.event !== null) {
      samples.push(got.event.receivedAt - Date.parse(got.event.data.at));
      if (got.event.data.beforeCommit !== undefined) fromCommit.push(got.event.receivedAt - Date.parse(got.event.data.beforeCommit));
    } else missed++;
  }
  return { samples, fromCommit, missed };
}

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s[Math.max(0, Math.ceil(p * s.length) - 1)]!;
}

/** One placement as a customer; the ids of the orders placed are pushed onto `placed`. */
function placeRequest(placed: string[]) {
  return {
    method: 'POST',
    path: '/orders',
    headers: { 'content-type': 'application/json', 'x-actor': 'customer:c1' },
    body: PLACE_BODY,
    onResponse: (status: number, body: string) => {
      if (status === 201) placed.push((JSON.parse(body) as { id: string }).id);
    },
  };
}

/** Each request pays the next order of `placed` (a fresh compare-and-set commit; none is paid twice). */
function payRequest(placed: string[]) {
  let next = 0;
  return {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-actor': 'customer:c1' },
    body: '{}',
    setupRequest: (req: Record<string, unknown>) => ({ ...req, path: `/orders/${placed[Math.min(next++, placed.length - 1)]}/pay/demo` }),
  };
}

/**
 * Every server, the baseline alike, first answers WARMUP seconds of placements and then pays them,
 * not counted: the measured runs see compiled code, as a server that has been up for a while
 * does, rather than a fresh process's first few hundred requests in the interpreter.
 */
async function warmUp(url: string): Promise<void> {
  if (WARMUP <= 0) return;
  const placed: string[] = [];
  await autocannon({
    url,
    connections: CONNECTIONS,
    duration: WARMUP,
    requests: [placeRequest(placed)],
  });
  if (placed.length === 0) return;
  await autocannon({
    url,
    connections: CONNECTIONS,
    duration: WARMUP,
    amount: placed.length,
    requests: [payRequest(placed)],
  });
}

async function run(storeKind: ServerKind) {
  const { url, child } = await startServer(storeKind);
  await warmUp(url);
  const ids: string[] = [];
  let loading = true;
  const probes = probeLatencies(url, () => !loading);
  const place = await autocannon({
    url,
    connections: CONNECTIONS,
    duration: DURATION,
    requests: [placeRequest(ids)],
  });
  // Every pay request pays a different order placed in the first phase (a real state change): the
  // run stops when they are all paid, or after DURATION seconds.
  const pay = await autocannon({
    url,
    connections: CONNECTIONS,
    duration: DURATION,
    amount: ids.length,
    requests: [payRequest(ids)],
  });
  loading = false;
  const latencies = await probes;
  child.send('stop');
  await new Promise((r) => child.once('exit', r));
  // The share of pay requests that found an unpaid order (none is sent twice).
  const fresh = Math.min(1, ids.length / Math.max(1, pay.requests.total));
  return { place: summary(place), pay: summary(pay), fresh, latencies };
}

async function main(): Promise<void> {
  const ROUNDS = Number(process.env.HTTP_BENCH_ROUNDS ?? 2);
  const loadStart = loadavg();
  const results: Array<[string, Awaited<ReturnType<typeof run>>]> = [];
  results.push(['memory', await run('memory')]);
  let pgNote = '';
  const pairs: Array<{ example: Awaited<ReturnType<typeof run>>; minimal: Awaited<ReturnType<typeof run>> }> = [];
  try {
    const c = new pg.Client({ connectionString: DATABASE_URL });
    await c.connect();
    await c.end();
    // Rounds alternate which server goes first; each is a fresh process and a fresh schema.
    for (let round = 0; round < ROUNDS; round++) {
      if (round % 2 === 0) {
        const example = await run('postgres');
        const minimal = await run('minimal');
        pairs.push({ example, minimal });
      } else {
        const minimal = await run('minimal');
        const example = await run('postgres');
        pairs.push({ example, minimal });
      }
    }
    pairs.forEach((p, i) => {
      results.push([`PostgreSQL (round ${i + 1})`, p.example]);
      results.push([`baseline: Express + pg (round ${i + 1})`, p.minimal]);
    });
  } catch (error) {
    pgNote = `\nPostgreSQL was not reachable (${error instanceof Error ? error.message : String(error)}): only the in-memory store was measured.\n`;
  }
  const rows: Array<Array<string | number>> = [];
  for (const [store, r] of results) {
    const baseline = store.startsWith('baseline');
    rows.push([store, baseline ? 'POST /orders (one INSERT)' : 'POST /orders (place, priced by priceCart)', r.place.rps.toFixed(0), `${r.place.p50} ms`, `${r.place.p99} ms`, r.place.non2xx + r.place.errors]);
    rows.push([store, `POST /orders/:id/pay/demo (${baseline ? 'UPDATE + NOTIFY' : 'PAYMENT_SUCCEEDED'}; ${(r.fresh * 100).toFixed(0)} % paid a fresh order)`, r.pay.rps.toFixed(0), `${r.pay.p50} ms`, `${r.pay.p99} ms`, r.pay.non2xx + r.pay.errors]);
  }
  const sse = results.map(([store, r]) => [store, r.latencies.samples.length, `${percentile(r.latencies.samples, 0.5)} ms`, `${percentile(r.latencies.samples, 0.99)} ms`, r.latencies.fromCommit.length > 0 ? `${percentile(r.latencies.fromCommit, 0.5)} / ${percentile(r.latencies.fromCommit, 0.99)} ms` : '', r.latencies.missed]);
  const med = (xs: number[]) => {
    const v = [...xs].sort((a, b) => a - b);
    return v.length % 2 === 1 ? v[(v.length - 1) / 2]! : (v[v.length / 2 - 1]! + v[v.length / 2]!) / 2;
  };
  let goals = '';
  if (pairs.length > 0) {
    const place = pairs.map((p) => p.example.place.rps / p.minimal.place.rps);
    const pay = pairs.map((p) => p.example.pay.rps / p.minimal.pay.rps);
    const sseP99 = pairs.map((p) => percentile(p.example.latencies.samples, 0.99) / percentile(p.minimal.latencies.samples, 0.99));
    const sseFromCommit = pairs.map((p) => percentile(p.example.latencies.samples, 0.99) / percentile(p.minimal.latencies.fromCommit, 0.99));
    const list = (xs: number[], d: number) => xs.map((x) => x.toFixed(d)).join(', ');
    goals = `
Goals (issue 18), per round (example on PostgreSQL ÷ the same-stack baseline of that round), and their median:
- place: ${list(place, 2)} → **${med(place).toFixed(2)}×** the baseline's requests/s, goal ≥ 0.6×: **${med(place) >= 0.6 ? 'met' : 'NOT met'}**;
- pay: ${list(pay, 2)} → **${med(pay).toFixed(2)}×**, goal ≥ 0.6×: **${med(pay) >= 0.6 ? 'met' : 'NOT met'}**;
- commit → SSE p99: ${list(sseP99, 2)} → **${med(sseP99).toFixed(2)}×** the baseline's p99, goal ≤ 1.5×: **${med(sseP99) <= 1.5 ? 'met' : 'NOT met'}**
  (against the baseline timed from just before its COMMIT, after its UPDATE, as earlier runs of this bench did: ${list(sseFromCommit, 2)} → ${med(sseFromCommit).toFixed(2)}×).
`;
  }
  const markdown = `## HTTP: the Express example under load

\`npm run bench -- http\` (DATABASE_URL, default postgres://postgres@127.0.0.1:5432/test). ${machineLine()}
Load average (1/5/15 min) at the start ${loadStart.map((x) => x.toFixed(1)).join(' / ')}, at the end ${loadavg().map((x) => x.toFixed(1)).join(' / ')} (a shared machine: figures move with it, the ratios less). autocannon, ${CONNECTIONS} connections, ${DURATION} s per route after a warm-up of ${WARMUP} s of place and then pay on every server (the baseline's too), not counted; loopback; every server is a separate Node process, and the load generator runs in this one.
${pgNote}
The baseline is a minimal server on the same stack (Express 5, pg, a pool of 16, the same PostgreSQL):
place is one INSERT of the posted body as jsonb; pay is UPDATE … WHERE the order is unpaid plus
\`pg_notify\` in one transaction; events are one LISTEN connection fanned out to SSE streams. It
checks nothing, prices nothing and writes no audit event, outbox or idempotency record: it is the
floor of an order service on this stack, not a peer.

${table(['server', 'route', 'requests/s', 'p50', 'p99', 'non-2xx'], rows)}

Every pay request pays a different order placed in the first phase (a real state change: on the
example a compare-and-set commit with its events and outbox effects); the pay run stops once all
of them are paid or after ${DURATION} s.
${goals}
Commit → Server-Sent Event latency under that load: a probe places an order, subscribes to
\`/orders/:id/events\`, pays it, and times the \`change\` event from the commit's timestamp (the
example: the order's \`updatedAt\`, stamped by the service before its commit statement leaves; the
baseline: stamped before its BEGIN, the same point; its figure from just before its COMMIT, as
earlier runs timed it, is in its own column) to its arrival. In memory the feed is in-process; on
PostgreSQL it is NOTIFY after the commit carrying the change (the example, as its storage.ts opens
the store; its order streams take that early word and keep version order themselves, the log
read behind it catches up anything a notification missed) or NOTIFY inside the transaction (the
baseline) → LISTEN on one connection → the SSE stream.

${table(['server', 'samples', 'p50', 'p99', 'baseline from its COMMIT: p50 / p99', 'probes missed (refused, or no event in 10 s)'], sse)}
`;
  console.log(markdown);
  writeSection('http', markdown);
}

if (process.env.HTTP_BENCH_ROLE === 'server') await (process.env.HTTP_BENCH_STORE === 'minimal' ? serveMinimal() : serve());
else await main();
