import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { Writable } from 'node:stream';
import { drain, maskText, Ops } from '../../examples/express/src/ops.js';
import { MemoryOrderStore, type OrderStore } from '../../src/index.js';
import { ADDRESS, CUSTOMER, MERCHANT, testApp, type TestApp } from './support/app.js';
import { listen } from './support/sse.js';

let t: TestApp | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

function capture(): { lines: string[]; ops: Ops } {
  const lines: string[] = [];
  const sink = new Writable({ write(chunk: Buffer, _enc, done) { lines.push(chunk.toString()); done(); } });
  return { lines, ops: new Ops({ level: 'info', destination: sink }) };
}

describe('operations', () => {
  it('health, readiness and metrics: commits and conflicts counted, /metrics for staff only', async () => {
    const ops = new Ops();
    const store = ops.instrument(new MemoryOrderStore());
    t = await testApp({ store, ops });
    expect((await request(t.app).get('/healthz')).body).toEqual({ ok: true });
    expect((await request(t.app).get('/readyz')).status).toBe(200);
    const placed = await request(t.app).post('/orders').set('x-actor', CUSTOMER).send({ items: [{ sku: 'TEA-LJ-250', quantity: 1 }], address: ADDRESS });
    await request(t.app).post(`/orders/${placed.body.id}/remarks`).set('x-actor', MERCHANT).send({ text: 'hello' });
    // A stale write: the store refuses it as a version conflict, and it is counted as one.
    const current = (await store.load(placed.body.id))!;
    await expect(store.commit({ order: current, expectedVersion: current.version - 1, events: [], effects: [] })).rejects.toThrow();
    expect((await request(t.app).get('/metrics')).status).toBe(401);
    expect((await request(t.app).get('/metrics').set('x-actor', CUSTOMER)).status).toBe(403);
    const metrics = await request(t.app).get('/metrics').set('x-actor', MERCHANT);
    expect(metrics.status).toBe(200);
    expect(metrics.text).toMatch(/orderkit_commits_total\{result="ok"\} 1/);
    expect(metrics.text).toMatch(/orderkit_commits_total\{result="conflict"\} 1/);
    expect(metrics.text).toMatch(/orderkit_stream_clients 0/);
    expect(metrics.text).toContain('orderkit_outbox_lag_seconds_bucket');
  });

  it('logs one JSON line per request with a request id, never the session, never a full phone', async () => {
    const { lines, ops } = capture();
    t = await testApp({ ops });
    expect(lines.length).toBe(0);
    await request(t.app).get('/orders?phone=13800138000').set('x-actor', MERCHANT).set('authorization', 'Bearer secret-token').set('x-request-id', 'req-42');
    ops.logger.warn('order for 13800138000 refused');
    await new Promise((r) => setTimeout(r, 20));
    const all = lines.join('');
    const line = lines.map((l) => JSON.parse(l) as { req?: { id?: string; path?: string } }).find((l) => l.req?.id === 'req-42');
    expect(line?.req?.path).toBe('/orders');
    expect(all).not.toContain('secret-token');
    expect(all).not.toContain('13800138000');
    expect(maskText('call 13800138000 or +8613900000001')).toBe('call 138****8000 or +86****0001');
  });

  it('a graceful stop: readiness turns 503, streams end, the request in flight commits and is answered', async () => {
    const ops = new Ops();
    const inner = new MemoryOrderStore();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const slow: OrderStore = new Proxy(inner, {
      get(target, prop, receiver) {
        if (prop === 'create') return async (...args: Parameters<OrderStore['create']>) => { await gate; return target.create(...args); };
        const v = Reflect.get(target, prop, receiver) as unknown;
        return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
      },
    });
    t = await testApp({ store: slow, ops });
    const http = await listen(t.app);
    const stream = await fetch(`${http.url}/dashboard/stream?actor=${MERCHANT}`);
    const reader = stream.body!.getReader();
    await reader.read();
    const inFlight = fetch(`${http.url}/orders`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-actor': CUSTOMER }, body: JSON.stringify({ items: [{ sku: 'TEA-LJ-250', quantity: 1 }] }) });
    await new Promise((r) => setTimeout(r, 50));
    const stopping = drain(http.server, ops, 5000);
    expect((await request(t.app).get('/readyz')).status).toBe(503);
    // The stream ends.
    let done = false;
    while (!done) done = (await reader.read()).done;
    release();
    const answer = await inFlight;
    expect(answer.status).toBe(201);
    expect(await stopping).toBe(0);
    expect((await inner.list({})).items).toHaveLength(1);
    await expect(fetch(`${http.url}/healthz`)).rejects.toThrow();
  });
});
