import request from 'supertest';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Order } from '../../src/index.js';
import { ADDRESS, CUSTOMER, testApp, type TestApp } from './support/app.js';

/**
 * docs/express.md "Sign-in": a shopper never sees staff user names. The after-sales keep who asked,
 * who proposed an amount (协商退款) and who set the return shipping fee (退运费): to the shopper
 * each of them is "the merchant", in the order, in the list, and in a command's answer.
 */
let t: TestApp;
beforeEach(async () => {
  t = await testApp();
});
afterEach(async () => {
  await t.close();
});

const CLERK = 'clerk-zhou';
const STAFF = `merchant:${CLERK}`;
const post = (path: string, actor: string, body?: unknown) => request(t.app).post(path).set('x-actor', actor).send((body ?? {}) as object);
const get = (path: string, actor: string) => request(t.app).get(path).set('x-actor', actor);

async function shipped(): Promise<Order> {
  const placed = await post('/orders', CUSTOMER, { items: [{ sku: 'TEA-LJ-250', quantity: 1 }, { sku: 'CUP-GLASS', quantity: 2 }], address: ADDRESS });
  expect(placed.status, JSON.stringify(placed.body)).toBe(201);
  const id = placed.body.id as string;
  expect((await post(`/orders/${id}/pay/demo`, CUSTOMER)).status).toBe(200);
  const s = await post(`/orders/${id}/ship`, STAFF, { trackingNo: 'SF1', expressCompany: '顺丰' });
  expect(s.status, JSON.stringify(s.body)).toBe(200);
  return s.body as Order;
}

describe('Express example: staff user names never reach a shopper', () => {
  it('an after-sale staff opened, a proposal and a return shipping fee name "merchant" to the shopper, the user name to staff', async () => {
    const o = await shipped();
    // Staff open a return for the shopper (requestedBy) and set its fee (setBy), and propose a
    // refund on the shopper's own request (proposedBy).
    const ex = await post(`/orders/${o.id}/after-sales`, STAFF, { kind: 'return_and_refund', items: [{ lineId: o.lines[1]!.id, quantity: 1 }], reason: '颜色发错' });
    expect(ex.status, JSON.stringify(ex.body)).toBe(200);
    const asked = await post(`/orders/${o.id}/after-sales`, CUSTOMER, { kind: 'refund_only', items: [{ lineId: o.lines[0]!.id, quantity: 1 }], reason: '有瑕疵' });
    expect(asked.status, JSON.stringify(asked.body)).toBe(200);
    const refund = (asked.body as Order).afterSales[1]!;
    expect((await post(`/orders/${o.id}/after-sales/${refund.id}/proposals`, STAFF, { amount: refund.amount - 100, note: '部分退款' })).status).toBe(200);
    expect((await post(`/orders/${o.id}/after-sales/${ex.body.afterSales[0].id}/approve`, STAFF)).status).toBe(200);
    const fee = await post(`/orders/${o.id}/after-sales/${ex.body.afterSales[0].id}/return-shipping-fee`, STAFF, { fee: 600, treatment: 'refund' });
    expect(fee.status, JSON.stringify(fee.body)).toBe(200);

    // Staff see who did it.
    const byStaff = (await get(`/orders/${o.id}`, STAFF)).body as Order;
    expect(byStaff.afterSales[0]!.requestedBy).toMatchObject({ type: 'merchant', id: CLERK });
    expect(byStaff.afterSales[0]!.returnShippingFee?.setBy).toMatchObject({ type: 'merchant', id: CLERK });
    expect(byStaff.afterSales[1]!.proposals?.[0]?.proposedBy).toMatchObject({ type: 'merchant', id: CLERK });

    // The shopper sees "the merchant" everywhere, and the shape stays the documented Order.
    const detail = await get(`/orders/${o.id}`, CUSTOMER);
    const list = await get('/orders', CUSTOMER);
    const answered = await post(`/orders/${o.id}/after-sales/${refund.id}/proposals/decline`, CUSTOMER, { reason: '太少' });
    for (const [what, r] of [['detail', detail], ['list', list], ['command answer', answered], ['history', await get(`/orders/${o.id}/history`, CUSTOMER)]] as const) {
      expect(r.status, `${what}: ${r.text.slice(0, 200)}`).toBe(200);
      expect(r.text, what).not.toContain(CLERK);
    }
    const seen = detail.body as Order;
    expect(seen.afterSales[0]!.requestedBy).toEqual({ type: 'merchant', id: 'merchant' });
    expect(seen.afterSales[0]!.returnShippingFee).toMatchObject({ fee: 600, treatment: 'refund', setBy: { type: 'merchant', id: 'merchant' } });
    expect(seen.afterSales[1]!.requestedBy).toEqual({ type: 'customer', id: 'c1' });
    expect(seen.afterSales[1]!.proposals?.[0]).toMatchObject({ amount: refund.amount - 100, note: '部分退款', proposedBy: { type: 'merchant', id: 'merchant' } });
  });
});
