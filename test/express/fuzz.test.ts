import fc from 'fast-check';
import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADDRESS, CUSTOMER, MERCHANT, testApp, type TestApp } from './support/app.js';
import { listen } from './support/sse.js';

// Random JSON at every write route: whatever arrives, the answer is never a 5xx and never a crash,
// and every rejection is JSON with a stable code (WeChat's notification route answers in WeChat's
// own `{ code: 'FAIL', message }` shape).
const RUNS = Number(process.env.FUZZ_RUNS ?? 10_000);
const BATCH = 10;

const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
let t: TestApp;
let http: Awaited<ReturnType<typeof listen>>;
const orderIds: string[] = [];
const afterSaleIds: string[] = [];
const refundIds: string[] = [];

async function send(path: string, init: { actor?: string; body: string; contentType: string }) {
  const headers: Record<string, string> = { 'content-type': init.contentType };
  if (init.actor !== undefined) headers['x-actor'] = init.actor;
  const r = await fetch(`${http.url}${path}`, { method: 'POST', headers, body: init.body });
  const text = await r.text();
  return { status: r.status, text, type: r.headers.get('content-type') ?? '' };
}

beforeAll(async () => {
  t = await testApp({ wechatpay: { mchid: '1900000109', apiV3Key: 'orderkitTestApiV3Key0123456789ab', keys: { PUB_KEY_ID_FUZZ: publicKey.export({ type: 'spki', format: 'pem' }).toString() } } });
  http = await listen(t.app);
  // A few orders in different states for the routes to hit.
  for (let i = 0; i < 4; i++) {
    const placed = JSON.parse((await send('/orders', { actor: CUSTOMER, contentType: 'application/json', body: JSON.stringify({ items: [{ sku: 'TEA-LJ-250', quantity: 2 }, { sku: 'CUP-GLASS', quantity: 1 }], address: ADDRESS }) })).text);
    orderIds.push(placed.id);
    if (i === 0) continue;
    await send(`/orders/${placed.id}/pay/demo`, { actor: CUSTOMER, contentType: 'application/json', body: '{}' });
    if (i === 1) continue;
    await send(`/orders/${placed.id}/ship`, { actor: MERCHANT, contentType: 'application/json', body: '{}' });
    const asked = JSON.parse(
      (await send(`/orders/${placed.id}/after-sales`, { actor: CUSTOMER, contentType: 'application/json', body: JSON.stringify({ kind: 'refund_only', items: [{ lineId: placed.lines[0].id, quantity: 1 }], reason: 'x' }) })).text,
    );
    afterSaleIds.push(asked.afterSales[0].id);
    const approved = JSON.parse((await send(`/orders/${placed.id}/after-sales/${asked.afterSales[0].id}/approve`, { actor: MERCHANT, contentType: 'application/json', body: '{}' })).text);
    for (const r of approved.refunds ?? []) refundIds.push(r.id);
  }
  expect(refundIds.length).toBeGreaterThan(0);
}, 60_000);

afterAll(async () => {
  await http?.close();
  await t?.close();
});

const ROUTES = [
  '/orders',
  '/orders/:id/cancel',
  '/orders/:id/ship',
  '/orders/:id/deliver',
  '/orders/:id/confirm',
  '/orders/:id/after-sales',
  '/orders/:id/after-sales/:as/approve',
  '/orders/:id/after-sales/:as/reject',
  '/orders/:id/after-sales/:as/cancel',
  '/orders/:id/after-sales/:as/return-shipped',
  '/orders/:id/after-sales/:as/return-received',
  '/orders/:id/commands',
  '/orders/:id/pay/demo',
  '/orders/:id/refunds/:refund/result',
  '/payments/wechatpay/notify',
];

/** Keys the routes know, so random objects often get past the first check and reach the rules. */
const KEYS = ['type', 'items', 'sku', 'quantity', 'lineId', 'kind', 'reason', 'amount', 'transactionId', 'outTradeNo', 'trackingNo', 'expressCompany', 'logisticsType', 'status', 'customerId', 'address', 'coupons', 'pointsToUse', 'member', 'afterSaleId', 'refundId', 'shipmentId', 'newTotal', 'text'];
const TYPES = ['PAYMENT_SUCCEEDED', 'CANCEL', 'EXPIRE', 'SHIP', 'DELIVER', 'CONFIRM_RECEIPT', 'AUTO_CONFIRM', 'REQUEST_AFTER_SALE', 'APPROVE_AFTER_SALE', 'REFUND_SUCCEEDED', 'REFUND_FAILED', 'ADJUST_PRICE'];
const leaf = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }),
  fc.constantFrom(...TYPES, 'refund_only', 'return_and_refund', 'express', 'succeeded', 'failed', 'TEA-LJ-250', 'L1', 'L2'),
  fc.integer({ min: -5, max: 100_000 }),
  fc.constantFrom(1e308, -0, 0.5, Number.MAX_SAFE_INTEGER + 2),
);
const knownObject = fc.dictionary(fc.constantFrom(...KEYS), fc.oneof(leaf, fc.array(fc.dictionary(fc.constantFrom(...KEYS), leaf, { maxKeys: 3 }), { maxLength: 3 })), { maxKeys: 6 });
const bodyArb = fc.oneof(
  { weight: 4, arbitrary: knownObject.map((o) => ({ text: JSON.stringify(o), type: 'application/json' })) },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((v) => ({ text: JSON.stringify(v), type: 'application/json' })) },
  { weight: 1, arbitrary: fc.string({ maxLength: 40 }).map((s) => ({ text: s, type: 'application/json' })) },
  { weight: 1, arbitrary: fc.string({ maxLength: 40 }).map((s) => ({ text: s, type: 'text/plain' })) },
);
const actorArb = fc.oneof(fc.constantFrom(CUSTOMER, MERCHANT, 'customer:c2', 'payment:wechatpay', 'system:x', 'merchant:', ''), fc.string({ maxLength: 20 }), fc.constant(undefined));

describe(`fuzz: ${RUNS} random bodies to the write routes`, () => {
  it('never answers 5xx, never crashes, always explains a rejection with a code', async () => {
    const seen = new Map<number, number>();
    const one = async ([route, pick, body, actor]: [string, number, { text: string; type: string }, string | undefined]) => {
      const path = route
        .replace(':id', pick % 9 === 8 ? 'no-such-order' : orderIds[pick % orderIds.length]!)
        .replace(':as', pick % 7 === 6 ? 'AS404' : afterSaleIds[pick % afterSaleIds.length]!)
        .replace(':refund', pick % 5 === 4 ? 'R404' : refundIds[pick % refundIds.length]!);
      const r = await send(path, { ...(actor === undefined ? {} : { actor }), body: body.text, contentType: body.type });
      seen.set(r.status, (seen.get(r.status) ?? 0) + 1);
      expect(r.status, `${path} ${body.text} → ${r.text}`).toBeLessThan(500);
      if (r.status === 204) return;
      expect(r.type).toContain('application/json');
      const json = JSON.parse(r.text) as { code?: unknown; messages?: { 'zh-CN'?: unknown; en?: unknown } };
      if (r.status >= 400) {
        expect(typeof json.code === 'string' && /^[A-Z][A-Z0-9_]*$/.test(json.code), r.text).toBe(true);
        if (route !== '/payments/wechatpay/notify') {
          expect(typeof json.messages?.['zh-CN'] === 'string' && typeof json.messages?.en === 'string', r.text).toBe(true);
        }
      }
    };
    // Ten requests in flight at a time: the server sees overlapping requests, and the run is quicker.
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(fc.constantFrom(...ROUTES), fc.nat(), bodyArb, actorArb), { minLength: BATCH, maxLength: BATCH }), async (batch) => {
        await Promise.all(batch.map(one));
      }),
      { numRuns: Math.ceil(RUNS / BATCH) },
    );
    // Not vacuous: the bodies reach every kind of answer, successes included.
    expect([...seen.keys()].sort()).toEqual(expect.arrayContaining([200, 400, 401, 403, 404, 409]));
    expect(t.logs.filter((l) => l.startsWith('unexpected error'))).toEqual([]);
  }, 300_000);
});
