/**
 * An open event stream lives only as long as the session that opened it (docs/express.md
 * "Sign-in"): once the staff account is disabled, the token signed out or expired, the stream
 * sends nothing more and ends, and reconnecting is refused. The streams carry every order change
 * of the shop (the dashboard) or one shopper's order, so a stream that outlived its session kept a
 * dismissed employee or a signed-out phone reading them.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { standInCode2Session } from '../../examples/express/src/auth/index.js';
import type { Actor } from '../../src/index.js';
import { ADDRESS, testApp, type TestApp } from './support/app.js';
import { listen, openStream } from './support/sse.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const ITEMS = [{ sku: 'TEA-LJ-250', quantity: 1 }];
const MERCHANT: Actor = { type: 'merchant', id: 'boss', roles: ['staff', 'admin'] };

async function world() {
  const t: TestApp = await testApp({ auth: { code2Session: standInCode2Session() } });
  cleanups.push(() => t.close());
  const http = await listen(t.app);
  cleanups.push(() => http.close());
  const call = async (method: string, path: string, token: string, body?: unknown) => {
    const r = await fetch(`${http.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: r.status, body: (r.status === 204 ? null : await r.json()) as Record<string, any> };
  };
  const staffToken = async (username: string, role: 'staff' | 'admin') => {
    await t.auth.staff.create(username, `${username}-password-1`, role);
    const r = await fetch(`${http.url}/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password: `${username}-password-1`, mode: 'token' }) });
    return ((await r.json()) as { token: string }).token;
  };
  const shopperToken = async (code: string) => {
    const r = await fetch(`${http.url}/auth/wechat`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code }) });
    return ((await r.json()) as { token: string }).token;
  };
  const stream = async (path: string, token: string) => {
    const s = await openStream(`${http.url}${path}`, { authorization: `Bearer ${token}` });
    cleanups.push(() => s.close());
    return s;
  };
  return { t, http, call, staffToken, shopperToken, stream };
}

/** What the stream did after the session ended and a change was committed: ended, or sent the change. */
async function afterChange(s: Awaited<ReturnType<Awaited<ReturnType<typeof world>>['stream']>>, orderId: string): Promise<'ended' | 'sent the change'> {
  return Promise.race([
    s.ended.then(() => 'ended' as const),
    s.next((e) => e.event === 'change' && (e.data as { orderId?: string }).orderId === orderId).then(
      () => 'sent the change' as const,
      () => new Promise<never>(() => undefined),
    ),
  ]);
}

describe('an event stream ends with its session', () => {
  it('a disabled staff account: the dashboard stream sends no further change or figures and ends; reconnecting is 401', async () => {
    const w = await world();
    const admin = await w.staffToken('boss', 'admin');
    const clerk = await w.staffToken('clerk', 'staff');
    const shopper = await w.shopperToken('demo-alice');
    const dashboard = await w.stream('/dashboard/stream', clerk);
    await dashboard.next((e) => e.event === 'figures');

    expect((await w.call('POST', '/staff/clerk/disable', admin, {})).status).toBe(200);
    const placed = await w.call('POST', '/orders', shopper, { items: ITEMS, address: ADDRESS });
    expect(placed.status).toBe(201);

    expect(await afterChange(dashboard, placed.body.id)).toBe('ended');
    expect(dashboard.events.map((e) => e.event)).toEqual(['figures']);
    expect((await fetch(`${w.http.url}/dashboard/stream`, { headers: { authorization: `Bearer ${clerk}` } })).status).toBe(401);
  });

  it('a signed-out shopper: the order stream sends no further change and ends', async () => {
    const w = await world();
    const shopper = await w.shopperToken('demo-alice');
    const placed = await w.call('POST', '/orders', shopper, { items: ITEMS, address: ADDRESS });
    expect(placed.status).toBe(201);
    const events = await w.stream(`/orders/${placed.body.id}/events`, shopper);
    await events.next((e) => e.event === 'snapshot');

    expect((await w.call('POST', '/auth/logout', shopper)).status).toBe(204);
    const remarked = await w.t.context.service.dispatch(placed.body.id, { type: 'ADD_REMARK', text: '已电话联系' }, MERCHANT);
    expect(remarked.ok).toBe(true);

    expect(await afterChange(events, placed.body.id)).toBe('ended');
    expect(events.events.map((e) => e.event)).toEqual(['snapshot']);
  });

  it('an expired staff token (8 hours): the dashboard stream sends no further change and ends', async () => {
    const w = await world();
    const clerk = await w.staffToken('clerk', 'staff');
    const shopper = await w.shopperToken('demo-alice');
    const dashboard = await w.stream('/dashboard/stream', clerk);
    await dashboard.next((e) => e.event === 'figures');

    w.t.clock.advance(8 * 3600_000 + 1000);
    const placed = await w.call('POST', '/orders', shopper, { items: ITEMS, address: ADDRESS });
    expect(placed.status).toBe(201);

    expect(await afterChange(dashboard, placed.body.id)).toBe('ended');
    expect(dashboard.events.map((e) => e.event)).toEqual(['figures']);
  });

  it('a session that still stands keeps its stream: the change arrives', async () => {
    const w = await world();
    const clerk = await w.staffToken('clerk', 'staff');
    const shopper = await w.shopperToken('demo-alice');
    const dashboard = await w.stream('/dashboard/stream', clerk);
    await dashboard.next((e) => e.event === 'figures');
    w.t.clock.advance(8 * 3600_000 - 60_000);
    const placed = await w.call('POST', '/orders', shopper, { items: ITEMS, address: ADDRESS });
    expect(await afterChange(dashboard, placed.body.id)).toBe('sent the change');
  });
});
