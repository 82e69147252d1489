/**
 * The `order` cloud function under arbitrary events (fast-check): every action answers
 * `{ ok: true }` or a typed `{ ok: false, error: { code } }`, never a thrown TypeError (which
 * failFrom would turn into INTERNAL_ERROR and log), and never touches another shopper's order.
 */
import fc from 'fast-check';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { createCloudDatabaseStandIn } from '../../src/testing/index.js';
import { loadFunctionFile, orderkitBuild, stubCloud } from './support/cloud-functions.js';

const SHOPPER = 'oShopper000000000000000001';
const STRANGER = 'oStranger00000000000000009';
const ADDRESS = { name: '张三', phone: '13812345678', province: '广东省', city: '深圳市', detail: '科技园 1 号' };

const errorLog = vi.spyOn(console, 'error').mockImplementation(() => undefined);
afterAll(() => errorLog.mockRestore());

const { orderkit, wechatpay, wxCloud } = orderkitBuild();

async function world() {
  const db = createCloudDatabaseStandIn();
  const server = stubCloud(db);
  const { readSettings } = loadFunctionFile('order', 'settings.js', server.cloud);
  const shop = loadFunctionFile('order', 'shop.js', server.cloud);
  const { createOrderFunction } = loadFunctionFile('order', 'handler.js', server.cloud);
  const settings = readSettings({ SUB_MCH_ID: '1900000109', MERCHANT_OPENIDS: 'oStaff' });
  const balance = new wxCloud.WxCloudBalance(db);
  const handle = createOrderFunction({ cloud: server.cloud, orderkit, wechatpay, wxCloud, settings, shop, balance });
  const as = (openid: string) => async (data: unknown) => {
    server.as({ OPENID: openid, CLIENTIP: '10.0.0.8' });
    return handle(data, {});
  };
  const service = orderkit.createOrderService({ store: new wxCloud.WxCloudOrderStore(db) });
  const placed = await as(SHOPPER)({ action: 'place', cart: [{ sku: 'OAT-1KG', quantity: 2 }, { sku: 'TEA-100', quantity: 1 }], address: ADDRESS });
  if (!placed.ok) throw new Error(JSON.stringify(placed.error));
  const o = await service.get(placed.order.id);
  const paid = await service.dispatch(o.id, { type: 'PAYMENT_SUCCEEDED', amount: o.pricing.total, transactionId: `tx-${o.id}` }, { type: 'payment', gateway: 'cloudpay' });
  if (!paid.ok) throw paid.error;
  return { shopper: as(SHOPPER), stranger: as(STRANGER), service, order: paid.order };
}

const ACTIONS = [
  'quote', 'place', 'pay', 'get', 'trace', 'list', 'refundQuote', 'cancel', 'confirmReceipt', 'requestAfterSale', 'deleteOrder',
  'cancelAfterSale', 'returnShipped', 'changeAddress', 'acceptRefundProposal', 'declineRefundProposal', 'requestExchange', 'command', 'ship',
];

const json = fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<unknown>;
const field = (orderId: string) =>
  fc.oneof(json, fc.constant(orderId), fc.constant(undefined), fc.constant(null), fc.constant(''), fc.constant([]), fc.constant({}), fc.constant(-1), fc.constant(1e308));
const eventOf = (orderId: string) =>
  fc.record(
    {
      action: fc.constantFrom(...ACTIONS),
      orderId: fc.oneof({ weight: 4, arbitrary: fc.constant(orderId) }, { weight: 1, arbitrary: field(orderId) }),
      cart: fc.oneof(field(orderId), fc.array(fc.record({ sku: fc.oneof(fc.constantFrom('OAT-1KG', 'TEA-100', 'CARD-50', '__proto__', 'toString'), json), quantity: json }, { requiredKeys: [] }), { maxLength: 3 })),
      couponIds: field(orderId),
      delivery: fc.oneof(field(orderId), fc.record({ mode: fc.constantFrom('express', 'local', 'pickup', 'x'), zoneId: json, storeId: json, slot: json, distanceMeters: json, fee: json }, { requiredKeys: [] })),
      address: fc.oneof(field(orderId), fc.constant(ADDRESS), fc.record({ name: json, phone: json, province: json, city: json, detail: json }, { requiredKeys: [] })),
      useBalance: field(orderId),
      remark: field(orderId),
      idempotencyKey: field(orderId),
      kind: fc.oneof(field(orderId), fc.constantFrom('refund_only', 'return_refund', 'exchange')),
      reason: field(orderId),
      items: fc.oneof(field(orderId), fc.array(fc.record({ lineId: fc.oneof(fc.constantFrom('L1', 'L2'), json), quantity: json }, { requiredKeys: [] }), { maxLength: 3 })),
      photos: field(orderId),
      afterSaleId: field(orderId),
      trackingNo: field(orderId),
      expressCompany: field(orderId),
      shipmentId: field(orderId),
      command: fc.oneof(field(orderId), fc.record({ type: fc.oneof(json, fc.constantFrom('CANCEL', 'CONFIRM_RECEIPT', 'DELETE_ORDER')), afterSaleId: json }, { requiredKeys: [] })),
      tab: field(orderId),
      cursor: field(orderId),
      limit: field(orderId),
      logisticsType: field(orderId),
    },
    { requiredKeys: ['action'] },
  );

describe('the order function: refundQuote (申请售后 before submitting)', () => {
  it('an unknown kind or junk items on a paid order: INVALID_REFUND_REQUEST, not INTERNAL_ERROR', async () => {
    const w = await world();
    errorLog.mockClear();
    for (const extra of [{}, { kind: 'x' }, { kind: 'refund_only', items: [null] }, { kind: 'refund_only', items: [{ lineId: 'L1', quantity: 0.5 }] }]) {
      const r = await w.shopper({ action: 'refundQuote', orderId: w.order.id, ...extra });
      expect(r).toMatchObject({ ok: false, error: { code: 'INVALID_REFUND_REQUEST' } });
    }
    expect(errorLog).not.toHaveBeenCalled();
    expect(await w.shopper({ action: 'refundQuote', orderId: w.order.id, kind: 'refund_only', items: [{ lineId: 'L1', quantity: 1 }] })).toMatchObject({ ok: true, quote: { kind: 'refund_only' } });
  });
});

describe('the order function under arbitrary events', () => {
  it('the owner: every answer is ok or a typed error, never INTERNAL_ERROR', async () => {
    const w = await world();
    await fc.assert(
      fc.asyncProperty(eventOf(w.order.id), async (event) => {
        errorLog.mockClear();
        const r = await w.shopper(event);
        expect(r && typeof r === 'object').toBe(true);
        if (r.ok === false) {
          expect(typeof r.error.code).toBe('string');
          expect(r.error.code, JSON.stringify({ event, error: r.error, log: errorLog.mock.calls.map((c) => String(c[c.length - 1])) })).not.toBe('INTERNAL_ERROR');
        } else expect(r.ok).toBe(true);
      }),
      { numRuns: 400 },
    );
  }, 120000);

  it('a stranger: never ok on the owner’s order, and the order is unchanged', async () => {
    const w = await world();
    const before = await w.service.get(w.order.id);
    await fc.assert(
      fc.asyncProperty(eventOf(w.order.id), async (event) => {
        const r = await w.stranger(event);
        if (r.ok && r.order) expect(r.order.id).not.toBe(w.order.id);
        expect(JSON.stringify(r)).not.toContain(ADDRESS.phone);
        if (r.ok && r.items) for (const item of r.items) expect(item.id).not.toBe(w.order.id);
      }),
      { numRuns: 300 },
    );
    expect((await w.service.get(w.order.id)).version).toBe(before.version);
  }, 120000);
});
