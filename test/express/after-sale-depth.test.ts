import request from 'supertest';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Order } from '../../src/index.js';
import { ADDRESS, CUSTOMER, expectErrorBody, MERCHANT, OTHER_CUSTOMER, testApp, type TestApp } from './support/app.js';

/**
 * The after-sales depth commands over HTTP (docs/after-sales.md): their routes and OpenAPI entries
 * come from the lifecycle's command files, the right actor gets each, bad input is a typed 4xx.
 */
let t: TestApp;
beforeEach(async () => {
  t = await testApp();
});
afterEach(async () => {
  await t.close();
});

const post = (path: string, actor: string, body?: unknown) => request(t.app).post(path).set('x-actor', actor).send((body ?? {}) as object);

async function shipped(): Promise<Order> {
  const placed = await post('/orders', CUSTOMER, { items: [{ sku: 'TEA-LJ-250', quantity: 1 }, { sku: 'CUP-GLASS', quantity: 2 }], address: ADDRESS });
  expect(placed.status, JSON.stringify(placed.body)).toBe(201);
  const id = placed.body.id as string;
  expect((await post(`/orders/${id}/pay/demo`, CUSTOMER)).status).toBe(200);
  const s = await post(`/orders/${id}/ship`, MERCHANT, { trackingNo: 'SF1', expressCompany: '顺丰' });
  expect(s.status, JSON.stringify(s.body)).toBe(200);
  return s.body as Order;
}

describe('after-sales depth over HTTP', () => {
  it('协商退款: a proposal above the request is 422 with its path; the shopper accepts a fair one; nobody else may', async () => {
    const o = await shipped();
    const line = o.lines[0]!;
    const asked = await post(`/orders/${o.id}/after-sales`, CUSTOMER, { kind: 'refund_only', items: [{ lineId: line.id, quantity: 1 }], reason: '有瑕疵' });
    const a = asked.body.afterSales[0];
    const base = `/orders/${o.id}/after-sales/${a.id}`;
    const tooMuch = await post(`${base}/proposals`, MERCHANT, { amount: a.amount + 1 });
    expect(tooMuch.status).toBe(422);
    expectErrorBody(tooMuch.body);
    expect(tooMuch.body).toMatchObject({ code: 'PROPOSAL_EXCEEDS_REFUNDABLE', path: ['amount'] });
    expect((await post(`${base}/proposals`, CUSTOMER, { amount: 1 })).status).toBe(403);
    expect((await post(`${base}/proposals/accept`, CUSTOMER)).status).toBe(409);
    const offered = await post(`${base}/proposals`, MERCHANT, { amount: a.amount - 100, note: '小瑕疵，部分退款' });
    expect(offered.status).toBe(200);
    expect((await post(`${base}/proposals/accept`, OTHER_CUSTOMER)).status).toBe(403);
    const accepted = await post(`${base}/proposals/accept`, CUSTOMER);
    expect(accepted.status).toBe(200);
    expect(accepted.body.refunds[0].amount).toBe(a.amount - 100);
  });

  it('换货, 退运费 and a freight-only refund each have their route', async () => {
    const o = await shipped();
    const line = o.lines[1]!;
    const ex = await post(`/orders/${o.id}/after-sales/exchange`, CUSTOMER, { items: [{ lineId: line.id, quantity: 1, unitPrice: line.unitPrice + 1 }], reason: '换颜色' });
    expect(ex.status).toBe(422);
    expect(ex.body).toMatchObject({ code: 'EXCHANGE_PRICE_DIFFERS', path: ['items', 0, 'unitPrice'] });
    const ok = await post(`/orders/${o.id}/after-sales/exchange`, CUSTOMER, { items: [{ lineId: line.id, quantity: 1 }], reason: '换颜色' });
    expect(ok.status).toBe(200);
    const id = ok.body.afterSales[0].id;
    await post(`/orders/${o.id}/after-sales/${id}/approve`, MERCHANT);
    await post(`/orders/${o.id}/after-sales/${id}/return-received`, MERCHANT);
    const out = await post(`/orders/${o.id}/after-sales/${id}/exchange-shipment`, MERCHANT, { trackingNo: 'SF9', expressCompany: '顺丰' });
    expect(out.status).toBe(200);
    expect(out.body.afterSales[0].status).toBe('exchanged');
    expect(out.body.refunds).toEqual([]);

    const ret = await post(`/orders/${o.id}/after-sales`, CUSTOMER, { kind: 'return_and_refund', items: [{ lineId: line.id, quantity: 1 }], reason: '不要了' });
    const rid = ret.body.afterSales[1].id;
    await post(`/orders/${o.id}/after-sales/${rid}/approve`, MERCHANT);
    const fee = await post(`/orders/${o.id}/after-sales/${rid}/return-shipping-fee`, MERCHANT, { fee: 600, treatment: 'deduct' });
    expect(fee.status, JSON.stringify(fee.body)).toBe(200);
    expect(fee.body.afterSales[1].amount).toBe(ret.body.afterSales[1].amount - 600);

    const freight = await post(`/orders/${o.id}/after-sales/freight`, MERCHANT, { reason: '运费补偿' });
    if (o.pricing.freight > 0) expect(freight.body.afterSales[2]).toMatchObject({ freightOnly: true, amount: o.pricing.freight, status: 'refunding' });
    else expect(freight.body.code).toBe('NO_FREIGHT_TO_REFUND');
  });

  it('GET /orders/:id/actions offers each depth command to the right actor only, at the right moment', async () => {
    const actions = async (id: string, actor: string) => {
      const r = await request(t.app).get(`/orders/${id}/actions`).set('x-actor', actor);
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      return r.body.actions as string[];
    };
    const MERCHANT_ONLY = ['REQUEST_FREIGHT_REFUND', 'PROPOSE_REFUND', 'SET_RETURN_SHIPPING_FEE', 'SHIP_EXCHANGE'];
    const SHOPPER_ONLY = ['ACCEPT_REFUND_PROPOSAL', 'DECLINE_REFUND_PROPOSAL'];
    const o = await shipped();
    const line = o.lines[0]!;
    // Shipped: the shopper may ask for an exchange; the merchant may refund freight (when there is any).
    expect(await actions(o.id, CUSTOMER)).toContain('REQUEST_EXCHANGE');
    for (const type of MERCHANT_ONLY) expect(await actions(o.id, CUSTOMER)).not.toContain(type);
    if (o.pricing.freight > 0) expect(await actions(o.id, MERCHANT)).toContain('REQUEST_FREIGHT_REFUND');
    // Another shopper sees nothing of this order (403, as the other routes answer).
    expect((await request(t.app).get(`/orders/${o.id}/actions`).set('x-actor', OTHER_CUSTOMER)).status).toBe(403);
    // A request under review: the merchant may propose; nobody may answer yet.
    const asked = await post(`/orders/${o.id}/after-sales`, CUSTOMER, { kind: 'refund_only', items: [{ lineId: line.id, quantity: 1 }], reason: '有瑕疵' });
    const a = asked.body.afterSales[0];
    expect(await actions(o.id, MERCHANT)).toContain('PROPOSE_REFUND');
    for (const type of SHOPPER_ONLY) expect(await actions(o.id, CUSTOMER)).not.toContain(type);
    // An offer: the shopper may accept or decline; the merchant may not answer for them.
    expect((await post(`/orders/${o.id}/after-sales/${a.id}/proposals`, MERCHANT, { amount: a.amount - 100 })).status).toBe(200);
    expect(await actions(o.id, CUSTOMER)).toEqual(expect.arrayContaining(SHOPPER_ONLY));
    for (const type of SHOPPER_ONLY) expect(await actions(o.id, MERCHANT)).not.toContain(type);
    for (const type of MERCHANT_ONLY) expect(await actions(o.id, CUSTOMER)).not.toContain(type);
    // A return awaiting its parcel: the merchant may set the return shipping fee, once.
    const ret = await post(`/orders/${o.id}/after-sales`, CUSTOMER, { kind: 'return_and_refund', items: [{ lineId: o.lines[1]!.id, quantity: 1 }], reason: '不要了' });
    const rid = ret.body.afterSales[1].id;
    expect(await actions(o.id, MERCHANT)).not.toContain('SET_RETURN_SHIPPING_FEE');
    await post(`/orders/${o.id}/after-sales/${rid}/approve`, MERCHANT);
    expect(await actions(o.id, MERCHANT)).toContain('SET_RETURN_SHIPPING_FEE');
    await post(`/orders/${o.id}/after-sales/${rid}/return-shipping-fee`, MERCHANT, { fee: 600, treatment: 'refund' });
    expect(await actions(o.id, MERCHANT)).not.toContain('SET_RETURN_SHIPPING_FEE');
    // An exchange whose return arrived: the merchant may ship the replacement.
    const ex = await post(`/orders/${o.id}/after-sales/exchange`, CUSTOMER, { items: [{ lineId: o.lines[1]!.id, quantity: 1 }], reason: '换新' });
    expect(ex.status, JSON.stringify(ex.body)).toBe(200);
    const xid = ex.body.afterSales[2].id;
    expect(await actions(o.id, MERCHANT)).not.toContain('SHIP_EXCHANGE');
    await post(`/orders/${o.id}/after-sales/${xid}/approve`, MERCHANT);
    await post(`/orders/${o.id}/after-sales/${xid}/return-received`, MERCHANT);
    expect(await actions(o.id, MERCHANT)).toContain('SHIP_EXCHANGE');
    expect(await actions(o.id, CUSTOMER)).not.toContain('SHIP_EXCHANGE');
  });

  it('the OpenAPI document lists each new route under its operationId', async () => {
    const doc = (await request(t.app).get('/openapi.json')).body;
    const ops = new Map<string, string>();
    for (const [path, methods] of Object.entries(doc.paths as Record<string, Record<string, { operationId?: string }>>)) for (const m of Object.values(methods)) if (m.operationId) ops.set(m.operationId, path);
    expect(Object.fromEntries(['requestFreightRefund', 'requestExchange', 'proposeRefund', 'acceptRefundProposal', 'declineRefundProposal', 'setReturnShippingFee', 'shipExchange'].map((k) => [k, ops.get(k)]))).toEqual({
      requestFreightRefund: '/orders/{id}/after-sales/freight',
      requestExchange: '/orders/{id}/after-sales/exchange',
      proposeRefund: '/orders/{id}/after-sales/{afterSaleId}/proposals',
      acceptRefundProposal: '/orders/{id}/after-sales/{afterSaleId}/proposals/accept',
      declineRefundProposal: '/orders/{id}/after-sales/{afterSaleId}/proposals/decline',
      setReturnShippingFee: '/orders/{id}/after-sales/{afterSaleId}/return-shipping-fee',
      shipExchange: '/orders/{id}/after-sales/{afterSaleId}/exchange-shipment',
    });
  });
});
