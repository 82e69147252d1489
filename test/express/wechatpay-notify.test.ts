import { generateKeyPairSync } from 'node:crypto';
import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import type { Order } from '../../src/index.js';
import { API_V3_KEY, APPID, MCHID, encryptResource, notificationBody, refundResource, signedHeaders, transactionResource } from '../wechat/support/notify.js';
import { ADDRESS, CUSTOMER, expectErrorBody, MERCHANT, testApp, type TestApp } from './support/app.js';

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const SERIAL = 'PUB_KEY_ID_0114232134912410000000000000000000';
const signer = { privateKey, serial: SERIAL };
const wechatpay = { mchid: MCHID, appid: APPID, apiV3Key: API_V3_KEY, keys: { [SERIAL]: publicKey.export({ type: 'spki', format: 'pem' }).toString() } };

let t: TestApp;
afterEach(async () => {
  await t?.close();
});

async function placed(): Promise<Order> {
  const r = await request(t.app).post('/orders').set('x-actor', CUSTOMER).send({ items: [{ sku: 'TEA-TGY-200', quantity: 1 }], address: ADDRESS });
  return r.body as Order;
}

function notify(resource: unknown, eventType = 'TRANSACTION.SUCCESS', id = 'EV-1') {
  const raw = notificationBody(encryptResource(resource, API_V3_KEY, { aad: eventType.startsWith('REFUND') ? 'refund' : 'transaction' }), eventType, id);
  return request(t.app).post('/payments/wechatpay/notify').set('content-type', 'application/json').set(signedHeaders(raw, signer, t.clock.now())).send(raw);
}

describe('POST /payments/wechatpay/notify', () => {
  it('answers 503 NOT_CONFIGURED without merchant keys', async () => {
    t = await testApp();
    const r = await request(t.app).post('/payments/wechatpay/notify').send('{}');
    expect(r.status).toBe(503);
    expectErrorBody(r.body, 'NOT_CONFIGURED');
  });

  it('verifies, decrypts and pays the order once however often WeChat repeats it', async () => {
    t = await testApp({ wechatpay });
    const o = await placed();
    const resource = transactionResource({ out_trade_no: o.number, attach: o.id, amount: { total: o.pricing.total, payer_total: o.pricing.total, currency: 'CNY' } });
    const first = await notify(resource);
    expect(first.status).toBe(204);
    const again = await notify(resource);
    expect(again.status).toBe(204);
    const order = (await request(t.app).get(`/orders/${o.id}`).set('x-actor', MERCHANT)).body as Order;
    expect(order).toMatchObject({ status: 'paid', version: 2, payment: { paidAmount: o.pricing.total, gateway: 'wechatpay' } });
  });

  it('refuses a bad signature with 401 FAIL and leaves the order alone', async () => {
    t = await testApp({ wechatpay });
    const o = await placed();
    const raw = notificationBody(encryptResource(transactionResource({ out_trade_no: o.number })));
    const headers = signedHeaders(raw, signer, t.clock.now());
    const r = await request(t.app).post('/payments/wechatpay/notify').set(headers).set('content-type', 'application/json').send(raw.replace('TRANSACTION', 'TRANSACTIOM'));
    expect(r.status).toBe(401);
    expect(r.body.code).toBe('FAIL');
    expect((await request(t.app).get(`/orders/${o.id}`).set('x-actor', MERCHANT)).body.status).toBe('pending_payment');
  });

  it('records a payment of the wrong amount as a stray payment to refund, never drops it', async () => {
    t = await testApp({ wechatpay });
    const o = await placed();
    const r = await notify(transactionResource({ out_trade_no: o.number, attach: undefined, amount: { total: o.pricing.total - 1, payer_total: o.pricing.total - 1, currency: 'CNY' } }));
    const order = (await request(t.app).get(`/orders/${o.id}`).set('x-actor', MERCHANT)).body as Order;
    expect(order.status).toBe('pending_payment');
    expect(r.status).toBe(204);
    expect(order.payment.stray).toHaveLength(1);
    expect(order.payment.stray[0]!.amount).toBe(o.pricing.total - 1);
    expect(t.logs.some((l) => l.includes('stray payment'))).toBe(true);
  });

  it('answers a payment for an order number no order has with UNKNOWN_ORDER and changes nothing', async () => {
    t = await testApp({ wechatpay });
    const o = await placed();
    const r = await notify(transactionResource({ out_trade_no: 'NO-SUCH-NUMBER', attach: undefined, amount: { total: o.pricing.total, payer_total: o.pricing.total, currency: 'CNY' } }));
    expect(r.status).toBeGreaterThanOrEqual(400);
    expect(r.body.message).toContain('UNKNOWN_ORDER');
    expect((await request(t.app).get(`/orders/${o.id}`).set('x-actor', MERCHANT)).body.status).toBe('pending_payment');
  });

  it('applies a refund notification to the refund it names', async () => {
    t = await testApp({ wechatpay });
    const o = await placed();
    const pay = transactionResource({ out_trade_no: o.number, attach: undefined, amount: { total: o.pricing.total, payer_total: o.pricing.total, currency: 'CNY' } });
    expect((await notify(pay)).status).toBe(204);
    const asked = await request(t.app).post(`/orders/${o.id}/after-sales`).set('x-actor', CUSTOMER).send({ kind: 'refund_only', reason: '拍错了' });
    const refund = asked.body.refunds[0];
    const r = await notify(
      refundResource({ out_trade_no: o.number, out_refund_no: refund.id, amount: { total: o.pricing.total, refund: refund.amount, payer_total: o.pricing.total, payer_refund: refund.amount } }),
      'REFUND.SUCCESS',
      'EV-R1',
    );
    expect(r.status).toBe(204);
    const order = (await request(t.app).get(`/orders/${o.id}`).set('x-actor', MERCHANT)).body as Order;
    expect(order.refunds[0]!.status).toBe('succeeded');
    expect(order.status).toBe('closed');
  });
});

/**
 * A forger of callbacks (docs/wechat.md): without WeChat Pay's key nothing new can be signed, so
 * what is left is to send a genuine notification again later, to sign with a key of one's own, or
 * to have one for another merchant, app or currency, or one whose `attach` names someone else's
 * order. None of them may change an order.
 */
describe('POST /payments/wechatpay/notify: what a forger can send', () => {
  const unchanged = async (o: Order) => {
    const now = (await request(t.app).get(`/orders/${o.id}`).set('x-actor', MERCHANT)).body as Order;
    expect(now).toMatchObject({ status: 'pending_payment', version: o.version, payment: { paidAmount: 0, stray: [] } });
  };
  const send = (raw: string, headers: Record<string, string>) => request(t.app).post('/payments/wechatpay/notify').set('content-type', 'application/json').set(headers).send(raw);

  it('a genuine notification sent again after the 300 s window is refused (401 FAIL) and pays nothing', async () => {
    t = await testApp({ wechatpay });
    const o = await placed();
    const raw = notificationBody(encryptResource(transactionResource({ out_trade_no: o.number, attach: o.id, amount: { total: o.pricing.total, payer_total: o.pricing.total, currency: 'CNY' } })), 'TRANSACTION.SUCCESS', 'EV-CAPTURED');
    const headers = signedHeaders(raw, signer, t.clock.now());
    t.clock.advance(301_000);
    const late = await send(raw, headers);
    expect(late.status).toBe(401);
    expect(late.body).toMatchObject({ code: 'FAIL' });
    expect(late.body.message).toContain('STALE_TIMESTAMP');
    await unchanged(o);
  });

  it('a signature by another key, even under the right serial, or an unknown serial, is refused and pays nothing', async () => {
    t = await testApp({ wechatpay });
    const o = await placed();
    const raw = notificationBody(encryptResource(transactionResource({ out_trade_no: o.number, attach: o.id, amount: { total: o.pricing.total, payer_total: o.pricing.total, currency: 'CNY' } })));
    const forger = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    const forged = await send(raw, signedHeaders(raw, { privateKey: forger, serial: SERIAL }, t.clock.now()));
    expect([forged.status, forged.body.message]).toEqual([401, expect.stringContaining('BAD_SIGNATURE')]);
    const unknown = await send(raw, signedHeaders(raw, { privateKey: forger, serial: 'PUB_KEY_ID_FORGER' }, t.clock.now()));
    expect([unknown.status, unknown.body.message]).toEqual([401, expect.stringContaining('UNKNOWN_SERIAL')]);
    await unchanged(o);
  });

  it('a signed payment for another merchant, another app or in another currency pays nothing', async () => {
    t = await testApp({ wechatpay });
    const o = await placed();
    const amount = { total: o.pricing.total, payer_total: o.pricing.total, currency: 'CNY' };
    for (const [over, code] of [
      [{ mchid: '1900000999' }, 'MCHID_MISMATCH'],
      [{ appid: 'wx0000000000000000' }, 'APPID_MISMATCH'],
      [{ amount: { ...amount, currency: 'USD' } }, 'MALFORMED_RESOURCE'],
      [{ trade_state: 'NOTPAY' }, 'PAYMENT_NOT_SUCCESSFUL'],
    ] as const) {
      const r = await notify(transactionResource({ out_trade_no: o.number, attach: o.id, amount, ...over }), 'TRANSACTION.SUCCESS', `EV-${code}`);
      expect(r.status, code).toBeGreaterThanOrEqual(400);
      expect(r.body.message).toContain(code);
    }
    await unchanged(o);
  });

  it('a payment whose attach names another order pays the order of its out_trade_no, never the one named', async () => {
    t = await testApp({ wechatpay });
    const paid = await placed();
    const other = await placed();
    const r = await notify(transactionResource({ out_trade_no: paid.number, attach: other.id, amount: { total: paid.pricing.total, payer_total: paid.pricing.total, currency: 'CNY' } }));
    expect(r.status).toBe(204);
    expect((await request(t.app).get(`/orders/${paid.id}`).set('x-actor', MERCHANT)).body).toMatchObject({ status: 'paid' });
    await unchanged(other);
  });
});
