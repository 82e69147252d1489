import { beforeAll, describe, expect, it } from 'vitest';
import {
  createKeyRing,
  decryptResource,
  handleNotification,
  handlePaymentNotification,
  handleRefundNotification,
  notificationResponse,
  verifyNotification,
  type WechatPayKeyRing,
} from '../../src/wechat/index.js';
import { makeCertificate, makeKeyPair, type TestCertificate, type TestKeyPair } from './support/certs.js';
import { API_V3_KEY, APPID, encryptResource, MCHID, notificationBody, refundResource, signedHeaders, transactionResource } from './support/notify.js';

const NOW = new Date('2026-11-25T04:05:01.000Z');
const PUB_KEY_ID = 'PUB_KEY_ID_0119000001092026112500000000000001';
const expect_ = { mchid: MCHID, appid: APPID };

let platform: TestKeyPair;
let attacker: TestKeyPair;
let cert: TestCertificate;
let expired: TestCertificate;
let ring: WechatPayKeyRing;

beforeAll(() => {
  platform = makeKeyPair();
  attacker = makeKeyPair();
  cert = makeCertificate({ serial: '5157F09EFDC096DE15EBE81A47057A7232F1B8E1', notBefore: new Date('2025-01-01T00:00:00Z'), notAfter: new Date('2030-01-01T00:00:00Z') });
  expired = makeCertificate({ serial: '0A1B2C3D', notBefore: new Date('2020-01-01T00:00:00Z'), notAfter: new Date('2021-01-01T00:00:00Z') });
  const r = createKeyRing([{ serial: PUB_KEY_ID, publicKey: platform.publicPem }, cert.pem, expired.pem]);
  if (!r.ok) throw r.error;
  ring = r.keyRing;
});

function paymentRequest(resource = transactionResource(), opts: { at?: Date; signer?: { privateKey: TestKeyPair['privateKey']; serial: string }; eventType?: string } = {}) {
  const rawBody = notificationBody(encryptResource(resource), opts.eventType);
  const headers = signedHeaders(rawBody, opts.signer ?? { privateKey: platform.privateKey, serial: PUB_KEY_ID }, opts.at ?? NOW);
  return { headers, rawBody };
}

describe('verifyNotification', () => {
  it('accepts a notification signed with the platform public key (PUB_KEY_ID)', () => {
    const { headers, rawBody } = paymentRequest();
    const v = verifyNotification({ headers, rawBody, keys: ring, now: NOW });
    expect(v.ok).toBe(true);
    if (!v.ok) return;
    expect(v.serial).toBe(PUB_KEY_ID);
    expect(v.keySource).toBe('public_key');
    expect(v.notification.event_type).toBe('TRANSACTION.SUCCESS');
  });

  it('accepts a notification signed with a platform certificate, looked up by its serial in any case', () => {
    const rawBody = notificationBody(encryptResource(transactionResource()));
    const headers = signedHeaders(rawBody, { privateKey: cert.privateKey, serial: cert.serial.toLowerCase() }, NOW);
    const v = verifyNotification({ headers, rawBody, keys: { [cert.serial]: cert.pem }, now: NOW });
    expect(v).toMatchObject({ ok: true, keySource: 'certificate', serial: cert.serial });
  });

  it('reads headers whatever their case, from a plain object or a Fetch Headers', () => {
    const { headers, rawBody } = paymentRequest();
    const upper = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.replace(/(^|-)(\w)/g, (_m, a, b) => a + b.toUpperCase()), v]));
    expect(upper['Wechatpay-Signature']).toBeDefined();
    expect(verifyNotification({ headers: upper, rawBody, keys: ring, now: NOW }).ok).toBe(true);
    expect(verifyNotification({ headers: new Headers(headers), rawBody, keys: ring, now: NOW }).ok).toBe(true);
    expect(verifyNotification({ headers, rawBody: Buffer.from(rawBody), keys: ring, now: NOW }).ok).toBe(true);
  });

  it('rejects a forged signature (another key) and a body changed after signing', () => {
    const forged = paymentRequest(transactionResource(), { signer: { privateKey: attacker.privateKey, serial: PUB_KEY_ID } });
    const v1 = verifyNotification({ ...forged, keys: ring, now: NOW });
    expect(v1.ok).toBe(false);
    if (!v1.ok) expect(v1.error.code).toBe('BAD_SIGNATURE');

    const { headers, rawBody } = paymentRequest();
    const v2 = verifyNotification({ headers, rawBody: rawBody.replace('TRANSACTION.SUCCESS', 'TRANSACTION.SUCCESS '), keys: ring, now: NOW });
    expect(v2.ok).toBe(false);
    if (!v2.ok) expect(v2.error.code).toBe('BAD_SIGNATURE');
  });

  it('rejects an unknown serial', () => {
    const { headers, rawBody } = paymentRequest(transactionResource(), { signer: { privateKey: platform.privateKey, serial: 'PUB_KEY_ID_SOMEONE_ELSE' } });
    const v = verifyNotification({ headers, rawBody, keys: ring, now: NOW });
    expect(v.ok).toBe(false);
    if (!v.ok) {
      expect(v.error.code).toBe('UNKNOWN_SERIAL');
      expect(v.error.path).toEqual(['headers', 'Wechatpay-Serial']);
    }
  });

  it('rejects a timestamp more than 300 s from now, in either direction, and accepts exactly 300 s', () => {
    for (const skew of [301, -301, 3600]) {
      const { headers, rawBody } = paymentRequest(transactionResource(), { at: new Date(NOW.getTime() - skew * 1000) });
      const v = verifyNotification({ headers, rawBody, keys: ring, now: NOW });
      expect(v.ok).toBe(false);
      if (!v.ok) expect(v.error.code).toBe('STALE_TIMESTAMP');
    }
    const edge = paymentRequest(transactionResource(), { at: new Date(NOW.getTime() - 300_000) });
    expect(verifyNotification({ ...edge, keys: ring, now: NOW }).ok).toBe(true);
  });

  it('rejects the WECHATPAY/SIGNTEST/ probe', () => {
    const { headers, rawBody } = paymentRequest();
    const v = verifyNotification({ headers: { ...headers, 'wechatpay-signature': 'WECHATPAY/SIGNTEST/' + headers['wechatpay-signature'] }, rawBody, keys: ring, now: NOW });
    expect(v.ok).toBe(false);
    if (!v.ok) expect(v.error.code).toBe('SIGNATURE_PROBE');
  });

  it('names the missing header', () => {
    const { headers, rawBody } = paymentRequest();
    for (const name of ['wechatpay-timestamp', 'wechatpay-nonce', 'wechatpay-signature', 'wechatpay-serial'] as const) {
      const partial: Record<string, string> = { ...headers };
      delete partial[name];
      const v = verifyNotification({ headers: partial, rawBody, keys: ring, now: NOW });
      expect(v.ok).toBe(false);
      if (!v.ok) {
        expect(v.error.code).toBe('MISSING_HEADER');
        expect(String(v.error.path[1]).toLowerCase()).toBe(name);
      }
    }
  });

  it('rejects a certificate outside its validity period', () => {
    const rawBody = notificationBody(encryptResource(transactionResource()));
    const headers = signedHeaders(rawBody, { privateKey: expired.privateKey, serial: expired.serial }, NOW);
    const v = verifyNotification({ headers, rawBody, keys: ring, now: NOW });
    expect(v.ok).toBe(false);
    if (!v.ok) expect(v.error.code).toBe('KEY_EXPIRED');
  });

  it('refuses a parsed body: the signature is over the raw text', () => {
    const { headers, rawBody } = paymentRequest();
    const v = verifyNotification({ headers, rawBody: JSON.parse(rawBody), keys: ring, now: NOW });
    expect(v.ok).toBe(false);
    if (!v.ok) expect(v.error.code).toBe('MALFORMED_BODY');
  });

  it('reports a key that does not parse, or a certificate filed under the wrong serial, as INVALID_KEY', () => {
    const { headers, rawBody } = paymentRequest();
    for (const keys of [{ [PUB_KEY_ID]: 'not a key' }, { ABCDEF: cert.pem }, [], 42]) {
      const v = verifyNotification({ headers, rawBody, keys: keys as never, now: NOW });
      expect(v.ok).toBe(false);
      if (!v.ok) expect(v.error.code).toBe('INVALID_KEY');
    }
  });
});

describe('decryptResource', () => {
  it('round-trips a resource and fails on any tampered byte or a wrong key', () => {
    const resource = encryptResource({ hello: '世界' });
    const d = decryptResource(resource, API_V3_KEY);
    expect(d).toMatchObject({ ok: true, data: { hello: '世界' } });

    const bytes = Buffer.from(resource.ciphertext, 'base64');
    for (const index of [0, Math.floor(bytes.length / 2), bytes.length - 1]) {
      const tampered = Buffer.from(bytes);
      tampered[index] = tampered[index]! ^ 0x01;
      const t = decryptResource({ ...resource, ciphertext: tampered.toString('base64') }, API_V3_KEY);
      expect(t.ok).toBe(false);
      if (!t.ok) expect(t.error.code).toBe('DECRYPT_FAILED');
    }
    const aad = decryptResource({ ...resource, associated_data: 'refund' }, API_V3_KEY);
    expect(aad.ok).toBe(false);
    const wrongKey = decryptResource(resource, 'x'.repeat(32));
    expect(wrongKey.ok).toBe(false);
    if (!wrongKey.ok) expect(wrongKey.error.code).toBe('DECRYPT_FAILED');
    const shortKey = decryptResource(resource, 'short');
    expect(shortKey.ok).toBe(false);
    if (!shortKey.ok) expect(shortKey.error.code).toBe('INVALID_API_V3_KEY');
  });
});

describe('handlePaymentNotification', () => {
  it('turns a valid notification into PAYMENT_SUCCEEDED with the amount in fen and paidAt in UTC', () => {
    const { headers, rawBody } = paymentRequest();
    const n = handlePaymentNotification({ headers, rawBody, keys: ring, apiV3Key: API_V3_KEY, now: NOW, expect: expect_ });
    expect(n.ok).toBe(true);
    if (!n.ok) return;
    expect(n.command).toEqual({
      type: 'PAYMENT_SUCCEEDED',
      amount: 9900,
      transactionId: '4200001234202611251234567890',
      outTradeNo: '202611251200004821937465',
      paidAt: '2026-11-25T04:05:00.000Z',
    });
    expect(n.orderNumber).toBe('202611251200004821937465');
    expect(n.attach).toBe('order-1');
    expect(n.notificationId).toBe('EV-2018022511223320873');
  });

  it('finds the order number behind an attempt suffix', () => {
    const { headers, rawBody } = paymentRequest(transactionResource({ out_trade_no: '202611251200004821937465-3' }));
    const n = handlePaymentNotification({ headers, rawBody, keys: ring, apiV3Key: API_V3_KEY, now: NOW, expect: expect_ });
    expect(n.ok && n.orderNumber).toBe('202611251200004821937465');
  });

  it('checks mchid, appid and trade_state after decrypting', () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ mchid: '1230000109' }, 'MCHID_MISMATCH'],
      [{ appid: 'wx0000000000000000' }, 'APPID_MISMATCH'],
      [{ trade_state: 'NOTPAY' }, 'PAYMENT_NOT_SUCCESSFUL'],
      [{ amount: { total: 99.5, currency: 'CNY' } }, 'MALFORMED_RESOURCE'],
      [{ amount: { total: 9900, currency: 'USD' } }, 'MALFORMED_RESOURCE'],
      [{ success_time: 'yesterday' }, 'MALFORMED_RESOURCE'],
    ];
    for (const [over, code] of cases) {
      const { headers, rawBody } = paymentRequest(transactionResource(over));
      const n = handlePaymentNotification({ headers, rawBody, keys: ring, apiV3Key: API_V3_KEY, now: NOW, expect: expect_ });
      expect(n.ok, code).toBe(false);
      if (!n.ok) expect(n.error.code).toBe(code);
    }
  });

  it('verifies before decrypting: a forged notification never reaches the decryption step', () => {
    const forged = paymentRequest(transactionResource(), { signer: { privateKey: attacker.privateKey, serial: PUB_KEY_ID } });
    const n = handlePaymentNotification({ ...forged, keys: ring, apiV3Key: 'not-a-valid-key', now: NOW, expect: expect_ });
    expect(n.ok).toBe(false);
    if (!n.ok) expect(n.error.code).toBe('BAD_SIGNATURE');
  });

  it('rejects a tampered ciphertext even when the envelope is correctly signed', () => {
    const resource = encryptResource(transactionResource());
    const bytes = Buffer.from(resource.ciphertext, 'base64');
    bytes[3] = bytes[3]! ^ 0xff;
    const rawBody = notificationBody({ ...resource, ciphertext: bytes.toString('base64') });
    const headers = signedHeaders(rawBody, { privateKey: platform.privateKey, serial: PUB_KEY_ID }, NOW);
    const n = handlePaymentNotification({ headers, rawBody, keys: ring, apiV3Key: API_V3_KEY, now: NOW, expect: expect_ });
    expect(n.ok).toBe(false);
    if (!n.ok) expect(n.error.code).toBe('DECRYPT_FAILED');
  });

  it('refuses a refund event on the payment endpoint', () => {
    const rawBody = notificationBody(encryptResource(refundResource()), 'REFUND.SUCCESS');
    const headers = signedHeaders(rawBody, { privateKey: platform.privateKey, serial: PUB_KEY_ID }, NOW);
    const n = handlePaymentNotification({ headers, rawBody, keys: ring, apiV3Key: API_V3_KEY, now: NOW, expect: expect_ });
    expect(n.ok).toBe(false);
    if (!n.ok) expect(n.error.code).toBe('UNEXPECTED_EVENT_TYPE');
  });
});

describe('refund notifications', () => {
  function refundRequest(over: Record<string, unknown>, eventType: string) {
    const rawBody = notificationBody(encryptResource(refundResource(over)), eventType);
    return { headers: signedHeaders(rawBody, { privateKey: platform.privateKey, serial: PUB_KEY_ID }, NOW), rawBody };
  }

  it('maps SUCCESS to REFUND_SUCCEEDED keyed by out_refund_no', () => {
    const n = handleRefundNotification({ ...refundRequest({}, 'REFUND.SUCCESS'), keys: ring, apiV3Key: API_V3_KEY, now: NOW, expect: expect_ });
    expect(n.ok).toBe(true);
    if (!n.ok) return;
    expect(n.command).toEqual({
      type: 'REFUND_SUCCEEDED',
      refundId: '202611251200004821937465R1',
      amount: 3300,
      gatewayRefundId: '50000000382019052709732678859',
      succeededAt: '2026-11-26T02:00:00.000Z',
    });
  });

  it('maps ABNORMAL and CLOSED to REFUND_FAILED', () => {
    for (const [status, event] of [['ABNORMAL', 'REFUND.ABNORMAL'], ['CLOSED', 'REFUND.CLOSED']] as const) {
      const n = handleRefundNotification({ ...refundRequest({ refund_status: status, success_time: undefined }, event), keys: ring, apiV3Key: API_V3_KEY, now: NOW, expect: expect_ });
      expect(n.ok).toBe(true);
      if (n.ok) {
        expect(n.command.type).toBe('REFUND_FAILED');
        expect(n.command.refundId).toBe('202611251200004821937465R1');
        expect(n.refundStatus).toBe(status);
      }
    }
  });

  it('handleNotification dispatches on event_type', () => {
    const refund = handleNotification({ ...refundRequest({}, 'REFUND.SUCCESS'), keys: ring, apiV3Key: API_V3_KEY, now: NOW, expect: expect_ });
    const payment = handleNotification({ ...paymentRequest(), keys: ring, apiV3Key: API_V3_KEY, now: NOW, expect: expect_ });
    expect(refund.ok && refund.kind).toBe('refund');
    expect(payment.ok && payment.kind).toBe('payment');
    const foreign = handleNotification({ ...refundRequest({ mchid: '1111111111' }, 'REFUND.SUCCESS'), keys: ring, apiV3Key: API_V3_KEY, now: NOW, expect: expect_ });
    expect(!foreign.ok && foreign.error.code).toBe('MCHID_MISMATCH');
  });
});

describe('notificationResponse', () => {
  it('answers 204 with no body on success and FAIL JSON otherwise', () => {
    expect(notificationResponse({ ok: true })).toEqual({ status: 204, headers: {}, body: '' });
    const { headers, rawBody } = paymentRequest(transactionResource(), { signer: { privateKey: attacker.privateKey, serial: PUB_KEY_ID } });
    const bad = notificationResponse(handlePaymentNotification({ headers, rawBody, keys: ring, apiV3Key: API_V3_KEY, now: NOW, expect: expect_ }));
    expect(bad.status).toBe(401);
    const body = JSON.parse(bad.body);
    expect(body.code).toBe('FAIL');
    expect(body.message).toContain('BAD_SIGNATURE');
    const mismatch = notificationResponse(handlePaymentNotification({ ...paymentRequest(transactionResource({ mchid: '1' })), keys: ring, apiV3Key: API_V3_KEY, now: NOW, expect: expect_ }));
    expect(mismatch.status).toBe(400);
    expect(notificationResponse({ ok: false, error: { code: 'VERSION_CONFLICT', message: 'x' } }).status).toBe(500);
    expect(notificationResponse({ ok: false, error: { code: 'REFUND_NOT_FOUND' } }, { acknowledge: ['REFUND_NOT_FOUND'] }).status).toBe(204);
  });
});
