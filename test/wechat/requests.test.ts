import { createPublicKey, verify } from 'node:crypto';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  buildCloseOrder,
  buildJsapiPrepay,
  buildQueryOrder,
  buildQueryRefund,
  buildRefundRequest,
  buildRefundRequestFromEffect,
  buildRequestPaymentParams,
  createNonce,
  signRequest,
} from '../../src/wechat/index.js';
import { makeKeyPair, type TestKeyPair } from './support/certs.js';
import { APPID, MCHID } from './support/notify.js';
import { paidOrder, pendingOrder } from './support/orders.js';

const config = { appid: APPID, mchid: MCHID, notifyUrl: 'https://shop.example/wechatpay/notify' };
let merchant: TestKeyPair;
beforeAll(() => {
  merchant = makeKeyPair();
});

describe('buildJsapiPrepay', () => {
  it('builds the prepay body from the open attempt, with time_expire at +08:00', () => {
    const r = buildJsapiPrepay(pendingOrder(), config);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.request.method).toBe('POST');
    expect(r.request.path).toBe('/v3/pay/transactions/jsapi');
    expect(r.request.body).toEqual({
      appid: APPID,
      mchid: MCHID,
      description: '有机燕麦片 1kg 等3件',
      out_trade_no: '202611251200004821937465',
      notify_url: config.notifyUrl,
      amount: { total: 9900, currency: 'CNY' },
      payer: { openid: 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o' },
      time_expire: '2026-11-25T12:30:00+08:00',
      attach: 'order-1',
    });
  });

  it('uses the latest open attempt after a price change, never a closed one', () => {
    const base = pendingOrder();
    const order = pendingOrder({
      payment: {
        ...base.payment,
        attempts: [
          { ...base.payment.attempts[0]!, status: 'closed' },
          { outTradeNo: `${base.number}-2`, amount: 8800, status: 'open', createdAt: '2026-11-25T04:10:00.000Z' },
        ],
      },
    });
    const r = buildJsapiPrepay(order, config);
    expect(r.ok && r.request.body).toMatchObject({ out_trade_no: `${base.number}-2`, amount: { total: 8800, currency: 'CNY' } });
  });

  it('cuts the description to 127 characters without splitting a character', () => {
    const title = '🍎'.repeat(200);
    const order = pendingOrder({ lines: [{ ...pendingOrder().lines[0]!, title }] });
    const r = buildJsapiPrepay(order, config);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const description = r.request.body!.description as string;
    expect(Array.from(description)).toHaveLength(127);
    expect(description.endsWith('…')).toBe(true);
    expect(Buffer.from(description, 'utf8').toString('utf8')).toBe(description);
  });

  it('refuses orders that cannot be paid', () => {
    const cases: Array<[ReturnType<typeof pendingOrder>, string]> = [
      [paidOrder(), 'ORDER_NOT_PAYABLE'],
      [pendingOrder({ payment: { ...pendingOrder().payment, attempts: [] } }), 'NO_OPEN_PAYMENT_ATTEMPT'],
      [pendingOrder({ payment: { ...pendingOrder().payment, attempts: [{ ...pendingOrder().payment.attempts[0]!, amount: 0 }] } }), 'NOTHING_TO_PAY'],
      [pendingOrder({ payment: { ...pendingOrder().payment, attempts: [{ ...pendingOrder().payment.attempts[0]!, outTradeNo: 'bad no!' }] } }), 'INVALID_OUT_TRADE_NO'],
    ];
    for (const [order, code] of cases) {
      const r = buildJsapiPrepay(order, config);
      expect(r.ok, code).toBe(false);
      if (!r.ok) expect(r.error.code).toBe(code);
    }
    const badUrl = buildJsapiPrepay(pendingOrder(), { ...config, notifyUrl: 'http://shop.example/notify?x=1' });
    expect(!badUrl.ok && badUrl.error.code).toBe('INVALID_CONFIG');
  });
});

describe('buildRequestPaymentParams', () => {
  it('signs appId, timeStamp, nonceStr and package so that the platform-side check passes', () => {
    const r = buildRequestPaymentParams('wx201410272009395522657a690389285100', { appid: APPID, privateKey: merchant.privatePem }, { nonce: '5K8264ILTKCH16CQ2502SI8ZNMTM67VS', timestamp: 1414561699 });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.params).toMatchObject({ timeStamp: '1414561699', nonceStr: '5K8264ILTKCH16CQ2502SI8ZNMTM67VS', package: 'prepay_id=wx201410272009395522657a690389285100', signType: 'RSA' });
    const message = `${APPID}\n1414561699\n5K8264ILTKCH16CQ2502SI8ZNMTM67VS\nprepay_id=wx201410272009395522657a690389285100\n`;
    const publicKey = createPublicKey(merchant.publicPem);
    expect(verify('RSA-SHA256', Buffer.from(message), publicKey, Buffer.from(r.params.paySign, 'base64'))).toBe(true);
    expect(verify('RSA-SHA256', Buffer.from(message.replace('1414561699', '1414561700')), publicKey, Buffer.from(r.params.paySign, 'base64'))).toBe(false);
  });

  it('property: every paySign verifies with the merchant public key over exactly its own fields', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[A-Za-z0-9]{1,32}$/), fc.integer({ min: 1e9, max: 4e9 }), fc.stringMatching(/^wx[0-9a-f]{10,34}$/), (nonce, ts, prepayId) => {
        const r = buildRequestPaymentParams(prepayId, { appid: APPID, privateKey: merchant.privateKey }, { nonce, timestamp: ts });
        if (!r.ok) return false;
        const message = `${APPID}\n${ts}\n${nonce}\nprepay_id=${prepayId}\n`;
        return verify('RSA-SHA256', Buffer.from(message), merchant.publicKey, Buffer.from(r.params.paySign, 'base64'));
      }),
      { numRuns: 25 },
    );
  });

  it('refuses a bad private key, nonce or prepay id with typed errors', () => {
    const a = buildRequestPaymentParams('wx1', { appid: APPID, privateKey: 'garbage' }, { nonce: 'abc', timestamp: 1 });
    expect(!a.ok && a.error.code).toBe('INVALID_PRIVATE_KEY');
    const b = buildRequestPaymentParams('wx1', { appid: APPID, privateKey: merchant.privatePem }, { nonce: 'has space', timestamp: 1 });
    expect(!b.ok && b.error.code).toBe('INVALID_REQUEST');
    const c = buildRequestPaymentParams('', { appid: APPID, privateKey: merchant.privatePem }, { nonce: 'abc', timestamp: 1 });
    expect(!c.ok && c.error.code).toBe('INVALID_REQUEST');
    const d = buildRequestPaymentParams('wx1', { appid: APPID, privateKey: merchant.publicPem }, { nonce: 'abc', timestamp: 1 });
    expect(!d.ok && d.error.code).toBe('INVALID_PRIVATE_KEY');
  });
});

describe('signRequest', () => {
  it('builds the WECHATPAY2-SHA256-RSA2048 header over method, path, timestamp, nonce and body', () => {
    const prepay = buildJsapiPrepay(pendingOrder(), config);
    if (!prepay.ok) throw prepay.error;
    const nonce = createNonce();
    expect(nonce).toMatch(/^[0-9A-F]{32}$/);
    const s = signRequest({ ...prepay.request, mchid: MCHID, serialNo: '3775B6A45ACD588826D15E583A95F5DD', privateKey: merchant.privatePem, nonce, timestamp: new Date('2026-11-25T04:00:00Z') });
    expect(s.ok).toBe(true);
    if (!s.ok) return;
    expect(s.body).toBe(JSON.stringify(prepay.request.body));
    const m = /^WECHATPAY2-SHA256-RSA2048 mchid="(\d+)",nonce_str="(\w+)",signature="([^"]+)",timestamp="(\d+)",serial_no="(\w+)"$/.exec(s.authorization);
    expect(m).not.toBeNull();
    expect(m![1]).toBe(MCHID);
    expect(m![4]).toBe(String(Date.parse('2026-11-25T04:00:00Z') / 1000));
    const message = `POST\n/v3/pay/transactions/jsapi\n${m![4]}\n${nonce}\n${s.body}\n`;
    expect(verify('RSA-SHA256', Buffer.from(message), merchant.publicKey, Buffer.from(m![3]!, 'base64'))).toBe(true);
  });

  it('signs GET requests with an empty body', () => {
    const q = buildQueryOrder('202611251200004821937465', MCHID);
    if (!q.ok) throw q.error;
    const s = signRequest({ ...q.request, mchid: MCHID, serialNo: 'ABC', privateKey: merchant.privateKey, nonce: 'n1', timestamp: 1700000000 });
    expect(s.ok).toBe(true);
    if (!s.ok) return;
    expect(s.body).toBe('');
    const signature = /signature="([^"]+)"/.exec(s.authorization)![1]!;
    const message = `GET\n/v3/pay/transactions/out-trade-no/202611251200004821937465?mchid=${MCHID}\n1700000000\nn1\n\n`;
    expect(verify('RSA-SHA256', Buffer.from(message), merchant.publicKey, Buffer.from(signature, 'base64'))).toBe(true);
  });
});

describe('refund, close and query requests', () => {
  it('refunds a ledger entry with its id as out_refund_no and the original total', () => {
    const order = paidOrder({
      refunds: [{ id: '202611251200004821937465R1', reason: 'after_sale', amount: 3300, status: 'pending', createdAt: '2026-11-26T00:00:00.000Z', updatedAt: '2026-11-26T00:00:00.000Z', attempts: 1, outTradeNo: '202611251200004821937465' }],
    });
    const r = buildRefundRequest(order.refunds[0]!, order, { notifyUrl: 'https://shop.example/wechatpay/refund' });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.request).toEqual({
      method: 'POST',
      path: '/v3/refund/domestic/refunds',
      body: {
        transaction_id: '4200001234202611251234567890',
        out_refund_no: '202611251200004821937465R1',
        reason: '售后退款',
        notify_url: 'https://shop.example/wechatpay/refund',
        amount: { refund: 3300, total: 9900, currency: 'CNY' },
      },
    });
    const unknown = buildRefundRequest({ ...order.refunds[0]!, id: 'nope' }, order);
    expect(!unknown.ok && unknown.error.code).toBe('REFUND_NOT_FOUND');
  });

  it('builds the refund of a payment.refund effect', () => {
    const r = buildRefundRequestFromEffect({ id: 'o:3:0', orderId: 'o', type: 'payment.refund', refundId: 'NR1', outTradeNo: 'N', amount: 100, total: 100, reason: '商家取消' });
    expect(r.ok && r.request.body).toEqual({ out_trade_no: 'N', out_refund_no: 'NR1', reason: '商家取消', amount: { refund: 100, total: 100, currency: 'CNY' } });
    const over = buildRefundRequestFromEffect({ id: 'o:3:0', orderId: 'o', type: 'payment.refund', refundId: 'NR1', outTradeNo: 'N', amount: 101, total: 100, reason: 'x' });
    expect(!over.ok && over.error.code).toBe('INVALID_REQUEST');
  });

  it('builds close and query paths', () => {
    expect(buildCloseOrder('N-2', MCHID)).toEqual({ ok: true, request: { method: 'POST', path: '/v3/pay/transactions/out-trade-no/N-2/close', body: { mchid: MCHID } } });
    expect(buildQueryRefund('NR1')).toEqual({ ok: true, request: { method: 'GET', path: '/v3/refund/domestic/refunds/NR1' } });
    const bad = buildQueryOrder('../../etc', MCHID);
    expect(!bad.ok && bad.error.code).toBe('INVALID_OUT_TRADE_NO');
  });
});
