import { PGlite } from '@electric-sql/pglite';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { standInCode2Session } from '../../examples/express/src/auth/index.js';
import { migrate, PostgresOrderStore } from '../../src/adapters/postgres/index.js';
import type { Order, OrderStore } from '../../src/index.js';
import { describeRealPg } from '../support/pg.js';
import { ADDRESS, testApp, type TestApp } from './support/app.js';
import { listen } from './support/sse.js';
import { freshPGlite } from '../support/pglite.js';

// Every route registered on the app × {anonymous, shopper A, shopper B, staff, admin}, against the
// EXPECTED table below (written by hand from docs/express.md "Sign-in", not read from the code under
// test). `ok` means "not refused for who is asking": any answer but 401/403 (a 409 for a state that
// does not allow it is still "allowed"), and never a 5xx. A route the walk finds that the table or
// the OpenAPI document lacks fails the test. Every answer is then searched for what that role may not
// see: shopper A's phone, street and the merchant's internal note.

type Want = 'ok' | 401 | 403;
type Row = [anonymous: Want, shopperA: Want, shopperB: Want, staff: Want, admin: Want];
const ALL: Row = ['ok', 'ok', 'ok', 'ok', 'ok'];
const SIGNED_IN: Row = [401, 'ok', 'ok', 'ok', 'ok'];
const OWNER_OR_STAFF: Row = [401, 'ok', 403, 'ok', 'ok'];
const OWNER_ONLY: Row = [401, 'ok', 403, 403, 403];
const STAFF: Row = [401, 403, 403, 'ok', 'ok'];
const ADMIN: Row = [401, 403, 403, 403, 'ok'];
const SHOPPERS: Row = [401, 'ok', 'ok', 403, 403];

const EXPECTED: Record<string, Row> = {
  'GET /healthz': ALL,
  'GET /readyz': ALL,
  'GET /metrics': STAFF,
  'POST /auth/wechat': ALL,
  'POST /auth/login': ALL,
  'POST /auth/logout': SIGNED_IN,
  'GET /auth/me': SIGNED_IN,
  'GET /staff': ADMIN,
  'POST /staff': ADMIN,
  'POST /staff/:username/disable': ADMIN,
  'POST /orders': SIGNED_IN,
  'GET /orders': SIGNED_IN,
  'GET /orders/:id': OWNER_OR_STAFF,
  'GET /orders/:id/history': OWNER_OR_STAFF,
  'GET /orders/:id/actions': OWNER_OR_STAFF,
  'GET /orders/:id/events': OWNER_OR_STAFF,
  'POST /orders/:id/cancel': OWNER_OR_STAFF,
  'POST /orders/:id/price': STAFF,
  'POST /orders/:id/ship': STAFF,
  'POST /orders/:id/deliver': STAFF,
  'POST /orders/:id/confirm': OWNER_ONLY,
  'POST /orders/:id/after-sales': OWNER_OR_STAFF,
  'POST /orders/:id/after-sales/:afterSaleId/approve': STAFF,
  'POST /orders/:id/after-sales/:afterSaleId/reject': STAFF,
  // Only whoever asked may withdraw a request (docs/after-sales.md); staff reject instead.
  'POST /orders/:id/after-sales/:afterSaleId/cancel': OWNER_ONLY,
  'POST /orders/:id/after-sales/:afterSaleId/return-shipped': OWNER_ONLY,
  'POST /orders/:id/after-sales/:afterSaleId/return-received': STAFF,
  // 协商退款, 退运费, 换货 and the freight-only refund (docs/after-sales.md): who may send each.
  'POST /orders/:id/after-sales/:afterSaleId/proposals': STAFF,
  'POST /orders/:id/after-sales/:afterSaleId/proposals/accept': OWNER_ONLY,
  'POST /orders/:id/after-sales/:afterSaleId/proposals/decline': OWNER_ONLY,
  'POST /orders/:id/after-sales/:afterSaleId/return-shipping-fee': STAFF,
  'POST /orders/:id/after-sales/:afterSaleId/exchange-shipment': STAFF,
  'POST /orders/:id/after-sales/exchange': OWNER_OR_STAFF,
  'POST /orders/:id/after-sales/freight': STAFF,
  'POST /orders/:id/address': OWNER_OR_STAFF,
  'POST /orders/:id/remarks': STAFF,
  'POST /orders/:id/commands': STAFF,
  'POST /payments/wechatpay/notify': ALL,
  'GET /dashboard': ALL,
  'GET /dashboard/data': STAFF,
  'GET /dashboard/stream': STAFF,
  'GET /analytics/summary': STAFF,
  'GET /analytics/bottlenecks': STAFF,
  'GET /analytics/insights/:kind': STAFF,
  'GET /analytics/drill': STAFF,
  'GET /analytics/export': STAFF,
  'GET /analytics/automations': STAFF,
  'POST /analytics/automations/run': STAFF,
  'GET /insights': ALL,
  'GET /insights/insights.js': ALL,
  'GET /insights/insights.css': ALL,
  'GET /reconciliation': STAFF,
  'POST /reconciliation/:billDate': ADMIN,
  'GET /dashboard/dashboard.js': ALL,
  'GET /dashboard/dashboard.css': ALL,
  'GET /vendor/echarts.min.js': ALL,
  'GET /openapi.json': ALL,
  'GET /docs': ALL,
  'GET /docs/init.js': ALL,
  'GET /console': ALL,
  'GET /console/console.js': ALL,
  'GET /console/console.css': ALL,
  'GET /vendor/htm-preact.js': ALL,
  'GET /console/orders': STAFF,
  'GET /console/orders.csv': STAFF,
  'POST /console/ship-import': STAFF,
  'GET /': ALL,
  'GET /favicon.ico': ALL,
  // Stock left is public like a product page (docs/inventory.md).
  'GET /stock/:sku': ALL,
  // PIPL (docs/privacy.md): admin only.
  'POST /admin/customers/:customerId/anonymize': ADMIN,
  // 余额, the default address and 再来一单 (docs/payment-sources.md).
  'GET /balance': SIGNED_IN,
  'POST /balance/top-ups': STAFF,
  'GET /me/address': SHOPPERS,
  'POST /me/address': SHOPPERS,
  'GET /orders/:id/reorder': OWNER_OR_STAFF,
  'POST /orders/:id/reorder': OWNER_ONLY,
  // Delivery modes (docs/delivery.md): the options are shop data; rider, proof and pickup code are staff's.
  'GET /delivery-options': ALL,
  'POST /orders/:id/rider': STAFF,
  'POST /orders/:id/delivery-proof': STAFF,
  'POST /orders/:id/pickup-verification': STAFF,
};

/** A body that the route accepts when the caller is allowed, so "allowed" means it really ran. */
const BODIES: Record<string, unknown> = {
  'POST /auth/wechat': { code: 'demo-zed' },
  'POST /auth/login': { username: 'clerk', password: 'clerk-password-1', mode: 'token' },
  'POST /staff': { username: 'newclerk', password: 'a-long-password-2' },
  'POST /orders': { items: [{ sku: 'TEA-LJ-250', quantity: 1 }] },
  'POST /orders/:id/price': { newTotal: 100, reason: 'matrix' },
  'POST /orders/:id/ship': { trackingNo: 'SF9', expressCompany: '顺丰速运' },
  'POST /orders/:id/after-sales': { kind: 'refund_only', reason: 'matrix' },
  'POST /orders/:id/after-sales/:afterSaleId/reject': { reason: 'matrix' },
  'POST /orders/:id/after-sales/:afterSaleId/return-shipped': { trackingNo: 'SF8', expressCompany: '顺丰速运' },
  'POST /orders/:id/address': { address: { ...ADDRESS, detail: '断桥 2 号' } },
  'POST /orders/:id/after-sales/:afterSaleId/proposals': { amount: 1 },
  'POST /orders/:id/after-sales/:afterSaleId/return-shipping-fee': { fee: 1, treatment: 'deduct' },
  'POST /orders/:id/after-sales/:afterSaleId/exchange-shipment': { trackingNo: 'SF6', expressCompany: '顺丰速运' },
  'POST /orders/:id/after-sales/exchange': { items: [{ lineId: 'L1', quantity: 1 }], reason: 'matrix' },
  'POST /orders/:id/after-sales/freight': { reason: 'matrix' },
  'POST /orders/:id/remarks': { text: 'matrix remark' },
  'POST /orders/:id/commands': { type: 'ADD_REMARK', text: 'matrix remark' },
  'POST /reconciliation/:billDate': { tradeBill: 'x' },
  'POST /console/ship-import': { csv: 'number,trackingNo,expressCompany\nNO-SUCH,SF7,顺丰速运\n' },
  'POST /balance/top-ups': { customerId: 'matrix-customer', amount: 100, key: 'matrix-receipt' },
  'POST /me/address': { address: { ...ADDRESS, phone: '13900000000', detail: '断桥 3 号' } },
  'POST /orders/:id/reorder': {},
  'POST /orders/:id/rider': { rider: { name: '李师傅', phone: '13900000000' } },
  'POST /orders/:id/delivery-proof': { note: 'matrix' },
  'POST /orders/:id/pickup-verification': { code: '123456' },
};

const ROLES = ['anonymous', 'shopperA', 'shopperB', 'staff', 'admin'] as const;
type RoleName = (typeof ROLES)[number];
const NOTE = 'INTERNAL-NOTE-7731';
const STREET = ADDRESS.detail;

function matrixSuite(label: string, makeStore: () => Promise<OrderStore>): void {
  let t: TestApp;
  let http: Awaited<ReturnType<typeof listen>>;
  const tokens = {} as Record<RoleName, string | undefined>;
  const customerIds = {} as Record<'shopperA' | 'shopperB', string>;

  async function call(method: string, path: string, token: string | undefined, body?: unknown): Promise<{ status: number; text: string }> {
    const headers: Record<string, string> = {};
    if (token) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const abort = new AbortController();
    const r = await fetch(`${http.url}${path}`, { method, headers, redirect: 'manual', signal: abort.signal, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
    // A stream that opened is read for its first event only (snapshot or figures), then dropped.
    if ((r.headers.get('content-type') ?? '').includes('text/event-stream')) {
      const reader = r.body!.getReader();
      let text = '';
      while (!/\n\n(event|data)[^\n]*\n[^\n]*\n\n/.test(text) && text.length < 100_000) {
        const { value, done } = await reader.read();
        if (done) break;
        text += new TextDecoder().decode(value);
      }
      abort.abort();
      return { status: r.status, text };
    }
    return { status: r.status, text: await r.text() };
  }

  async function signIn(code: string): Promise<{ token: string; customerId: string }> {
    const r = await call('POST', '/auth/wechat', undefined, { code });
    expect(r.status, r.text).toBe(200);
    return JSON.parse(r.text);
  }

  /** Shopper A's paid and shipped order, with a merchant note and a return request. */
  async function fixture(): Promise<{ order: Order; afterSaleId: string }> {
    const placed = await call('POST', '/orders', tokens.shopperA, { items: [{ sku: 'TEA-LJ-250', quantity: 1 }], address: ADDRESS });
    expect(placed.status, placed.text).toBe(201);
    const order = JSON.parse(placed.text) as Order;
    const paid = await t.context.service.dispatch(order.id, { type: 'PAYMENT_SUCCEEDED', amount: order.pricing.total, transactionId: `T${order.id}` }, { type: 'payment', gateway: 'wechatpay' });
    expect(paid.ok).toBe(true);
    expect((await call('POST', `/orders/${order.id}/remarks`, tokens.staff, { text: NOTE })).status).toBe(200);
    expect((await call('POST', `/orders/${order.id}/ship`, tokens.staff, { trackingNo: 'SF1', expressCompany: '顺丰速运' })).status).toBe(200);
    const asked = await call('POST', `/orders/${order.id}/after-sales`, tokens.shopperA, { kind: 'return_and_refund', reason: 'too big' });
    expect(asked.status, asked.text).toBe(200);
    return { order, afterSaleId: (JSON.parse(asked.text) as Order).afterSales[0]!.id };
  }

  beforeAll(async () => {
    t = await testApp({ store: await makeStore(), auth: { code2Session: standInCode2Session() } });
    http = await listen(t.app);
    await t.auth.staff.create('boss', 'boss-password-1', 'admin');
    await t.auth.staff.create('clerk', 'clerk-password-1', 'staff');
    await t.auth.staff.create('clerk2', 'clerk2-password-1', 'staff');
    const a = await signIn('demo-alice');
    const b = await signIn('demo-bob');
    customerIds.shopperA = a.customerId;
    customerIds.shopperB = b.customerId;
    tokens.anonymous = undefined;
    tokens.shopperA = a.token;
    tokens.shopperB = b.token;
    for (const [role, username, password] of [['staff', 'clerk', 'clerk-password-1'], ['admin', 'boss', 'boss-password-1']] as const) {
      const r = await call('POST', '/auth/login', undefined, { username, password, mode: 'token' });
      expect(r.status, r.text).toBe(200);
      tokens[role] = JSON.parse(r.text).token;
    }
  }, 60_000);

  afterAll(async () => {
    await http?.close();
    await t?.close();
  });

  it(`${label}: every registered route is in the table and in the OpenAPI document`, async () => {
    const registered = registeredRoutes(t);
    const openapi = JSON.parse((await call('GET', '/openapi.json', undefined)).text) as { paths: Record<string, Record<string, unknown>> };
    const documented = new Set(Object.entries(openapi.paths).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p.replace(/\{([A-Za-z]+)\}/g, ':$1')}`)));
    expect(registered.filter((r) => !documented.has(r)), 'routes missing from /openapi.json').toEqual([]);
    expect(registered.filter((r) => !(r in EXPECTED)), 'routes missing from the expected table').toEqual([]);
    expect(Object.keys(EXPECTED).filter((r) => !registered.includes(r)), 'table rows with no route').toEqual([]);
  });

  it(`${label}: each role is allowed or refused exactly as the table says, and sees nothing it may not`, async () => {
    const failures: string[] = [];
    // Reads share one order; every write gets a fresh one (an allowed write changes it).
    const shared = await fixture();
    for (const route of registeredRoutes(t)) {
      const [method, pattern] = route.split(' ') as [string, string];
      const { order, afterSaleId } = !pattern.includes(':id') ? { order: undefined, afterSaleId: '' } : method === 'GET' ? shared : await fixture();
      const path = pattern
        .replace(':id', order?.id ?? '')
        .replace(':afterSaleId', afterSaleId)
        .replace(':username', 'clerk2')
        .replace(':billDate', '2026-11-24')
        .replace(':kind', 'customers')
        .replace(':customerId', 'customer-nobody');
      // Refusals first: an allowed call may change the order for the roles after it.
      const order5 = [0, 2, 1, 3, 4];
      for (const i of order5) {
        const role = ROLES[i]!;
        const want = EXPECTED[route]![i]!;
        // Signing out ends the token: each role signs out with a token of its own for that.
        const token = route === 'POST /auth/logout' ? await freshToken(role) : tokens[role];
        const r = await call(method, path, token, method === 'POST' ? (BODIES[route] ?? {}) : undefined);
        const got: Want = r.status === 401 ? 401 : r.status === 403 ? 403 : 'ok';
        // 503 NOT_CONFIGURED (no WeChat Pay keys here) is the route answering, not refusing the caller.
        const notConfigured = r.status === 503 && r.text.includes('"NOT_CONFIGURED"');
        if (r.status >= 500 && !notConfigured) failures.push(`${route} as ${role}: ${r.status} ${r.text.slice(0, 200)}`);
        else if (got !== want) failures.push(`${route} as ${role}: expected ${want}, got ${r.status} ${r.text.slice(0, 160)}`);
        if (r.status === 401 || r.status === 403) {
          const body = JSON.parse(r.text) as { code: string; messages: Record<string, string> };
          if (!body.messages?.['zh-CN'] || !body.messages.en) failures.push(`${route} as ${role}: refusal without both languages`);
        }
        // Nothing a role may not see: never the merchant's note to a shopper or anonymous caller;
        // never shopper A's phone or street to anyone but A and staff working on the one order.
        const text = r.text;
        if (role !== 'staff' && role !== 'admin' && text.includes(NOTE)) failures.push(`${route} as ${role}: merchant note leaked`);
        if ((role === 'anonymous' || role === 'shopperB') && (text.includes(ADDRESS.phone) || text.includes(STREET))) failures.push(`${route} as ${role}: A's phone or address leaked`);
        if (role === 'shopperB' && order && text.includes(order.id) && route.startsWith('GET /orders')) failures.push(`${route} as shopperB: A's order id in the answer`);
        const lists = ['GET /orders', 'GET /dashboard/data', 'GET /dashboard/stream', 'GET /console/orders', 'GET /console/orders.csv'];
        if ((role === 'staff' || role === 'admin') && lists.includes(route) && (text.includes(ADDRESS.phone) || text.includes(STREET))) {
          failures.push(`${route} as ${role}: full phone in a list`);
        }
      }
    }
    expect(failures).toEqual([]);
  }, 120_000);

  it(`${label}: forged, expired and cross-role tokens are refused with a code and both languages`, async () => {
    const forged = tokens.staff!.slice(0, -4) + (tokens.staff!.endsWith('AAAA') ? 'BBBB' : 'AAAA');
    const cases: Array<[string | undefined, string, number, string]> = [
      [forged, '/orders', 401, 'SESSION_INVALID'],
      ['not-a-jwt', '/orders', 401, 'SESSION_INVALID'],
      [tokens.shopperA, '/dashboard/data', 403, 'FORBIDDEN'],
      [tokens.staff, '/staff', 403, 'FORBIDDEN'],
    ];
    for (const [token, path, status, code] of cases) {
      const r = await call('GET', path, token);
      expect([r.status, JSON.parse(r.text).code], `${path}`).toEqual([status, code]);
    }
    const wrong = await call('POST', '/auth/login', undefined, { username: 'clerk', password: 'wrong-password' });
    expect([wrong.status, JSON.parse(wrong.text).code]).toEqual([401, 'BAD_CREDENTIALS']);
    const nobody = await call('POST', '/auth/login', undefined, { username: 'ghost', password: 'wrong-password' });
    expect(nobody.text).toBe(wrong.text);
    // Nine hours later the staff session (8 h) has expired; the shopper's (7 days) has not.
    t.clock.advance(9 * 3600_000);
    const expired = await call('GET', '/orders', tokens.staff);
    expect([expired.status, JSON.parse(expired.text).code]).toEqual([401, 'SESSION_EXPIRED']);
    expect((await call('GET', '/orders', tokens.shopperA)).status).toBe(200);
    t.clock.advance(-9 * 3600_000);
    // A disabled account's sessions end at once; only an admin disables, and not themselves.
    await t.auth.staff.create('clerk3', 'clerk3-password-1', 'staff');
    const login = await call('POST', '/auth/login', undefined, { username: 'clerk3', password: 'clerk3-password-1', mode: 'token' });
    const clerk3 = JSON.parse(login.text).token as string;
    expect((await call('GET', '/orders', clerk3)).status).toBe(200);
    expect((await call('POST', '/staff/clerk3/disable', tokens.admin, {})).status).toBe(200);
    expect((await call('GET', '/orders', clerk3)).status).toBe(401);
    expect((await call('POST', '/staff/boss/disable', tokens.admin, {})).status).toBe(403);
  });

  async function freshToken(role: RoleName): Promise<string | undefined> {
    if (role === 'anonymous') return undefined;
    if (role === 'shopperA' || role === 'shopperB') return (await t.auth.tokens.issue('shopper', customerIds[role])).token;
    return (await t.auth.tokens.issue(role, role === 'admin' ? 'boss' : 'clerk')).token;
  }
}

/** `METHOD /path` of every route layer on the app's router (Express 5: app.router.stack). */
function registeredRoutes(t: TestApp): string[] {
  const stack = (t.app as unknown as { router: { stack: Array<{ route?: { path: string; methods: Record<string, boolean> } }> } }).router.stack;
  const out = new Set<string>();
  for (const layer of stack) {
    if (!layer.route) continue;
    for (const [m, on] of Object.entries(layer.route.methods)) if (on && m !== '_all') out.add(`${m.toUpperCase()} ${layer.route.path}`);
  }
  return [...out];
}

describe('authorisation matrix on PGlite', () => {
  let db: PGlite;
  afterAll(async () => {
    await db?.close();
  });
  matrixSuite('PGlite', async () => {
    db = await freshPGlite();
    await migrate(db);
    return new PostgresOrderStore({ db });
  });
});

await describeRealPg('authorisation matrix on the real PostgreSQL', (real) => {
  let pool: pg.Pool;
  afterAll(async () => {
    await real.dispose();
  });
  matrixSuite('real PostgreSQL', async () => {
    pool = real.pool(4);
    await migrate(pool, { schema: real.schema });
    return new PostgresOrderStore({ db: pool, schema: real.schema });
  });
});
