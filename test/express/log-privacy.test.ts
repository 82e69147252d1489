import request from 'supertest';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { createApp } from '../../examples/express/src/app.js';
import { storeFigures } from '../../examples/express/src/figures.js';
import { consoleLog, Ops } from '../../examples/express/src/ops.js';
import { createOrderService, MemoryOrderStore } from '../../src/index.js';
import { ADDRESS, testApp, testAuthOptions, type TestApp } from './support/app.js';

/**
 * docs/express.md "Personal data": anonymising a customer is logged naming the admin, never the
 * customer. The request's own log line carries its path, which holds the customer's id
 * (`/admin/customers/<openid>/anonymize`): beside the line that names the new pseudonym it would tie
 * the two together again in the logs (docs/privacy.md: the pseudonym "cannot be recomputed from the
 * OPENID"). The request line names the route there, not the id; and a phone number typed into a
 * path is masked like one in a message.
 */
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

describe('Express example: request log lines and personal data', () => {
  it('the anonymise request is logged with its route, not the customer id; a phone in a path is masked', async () => {
    const { lines, ops } = capture();
    t = await testApp({ ops });
    const OPENID = 'wx-openid-4242';
    const placed = await request(t.app).post('/orders').set('x-actor', `customer:${OPENID}`).send({ items: [{ sku: 'TEA-LJ-250', quantity: 1 }], address: ADDRESS });
    expect(placed.status).toBe(201);
    const before = lines.length;
    const done = await request(t.app).post(`/admin/customers/${OPENID}/anonymize`).set('x-actor', 'admin:boss').set('x-request-id', 'anon-1').send({});
    expect(done.status, done.text).toBe(200);
    // Routing ignores case: so does the log.
    expect((await request(t.app).post(`/Admin/Customers/${OPENID}/anonymize`).set('x-actor', 'admin:boss').send({})).status).toBe(200);
    expect((await request(t.app).get('/orders/13800138000').set('x-actor', 'admin:boss').set('x-request-id', 'phone-1')).status).toBe(404);
    await new Promise((r) => setTimeout(r, 20));
    const logged = lines.slice(before).map((l) => JSON.parse(l) as { req?: { id?: string; path?: string } });
    expect(logged.find((l) => l.req?.id === 'anon-1')?.req?.path).toBe('/admin/customers/:customerId/anonymize');
    expect(logged.find((l) => l.req?.id === 'phone-1')?.req?.path).toBe('/orders/138****8000');
    const all = lines.slice(before).join('');
    expect(all).not.toContain(OPENID);
    expect(all).not.toContain('13800138000');
  });
});

describe('Express example: the console log of npm start', () => {
  it('keeps what came with a message (the error of an unexpected error, its stack), phones masked', () => {
    const lines: string[] = [];
    const log = consoleLog((line) => lines.push(line), () => new Date('2026-11-25T04:05:06Z'));
    log('unexpected error', new Error('the store answered nothing for 13800138000'));
    log('ready');
    log('reconciliation', 'NOT_CONFIGURED');
    expect(lines[0]).toMatch(/^\[04:05:06\] unexpected error: Error: the store answered nothing for 138\*{4}8000\n\s+at /);
    expect(lines[0]).not.toContain('13800138000');
    expect(lines.slice(1)).toEqual(['[04:05:06] ready', '[04:05:06] reconciliation: NOT_CONFIGURED']);
  });
});

describe('Express example: the JSON log of an app created without a log', () => {
  it('an unexpected error is logged with its stack, phones masked (as the console log of npm start)', async () => {
    const { lines, ops } = capture();
    // A store that fails with a message carrying a phone, as a driver error quoting a row might.
    const store = new MemoryOrderStore();
    const failing = new Proxy(store, {
      get(target, prop, receiver) {
        if (prop === 'load') return async () => { throw new Error('row for 13800138000 could not be read'); };
        const value = Reflect.get(target, prop, receiver) as unknown;
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
    const app = await createApp({ service: createOrderService({ store: failing }), figures: storeFigures(store), ops, auth: { demo: true, ...testAuthOptions() } });
    try {
      const r = await request(app.app).get('/orders/o-1').set('x-actor', 'merchant:m1');
      expect(r.status).toBe(500);
      await new Promise((resolve) => setTimeout(resolve, 20));
      const logged = lines.join('');
      expect(logged).toContain('unexpected error');
      expect(logged).toContain('row for 138****8000 could not be read');
      // The stack says where it failed, as consoleLog's line does.
      expect(logged).toMatch(/could not be read\\n\s+at /);
      expect(logged).not.toContain('13800138000');
    } finally {
      await app.close();
    }
  });
});
