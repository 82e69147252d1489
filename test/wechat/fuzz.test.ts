import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { isOrderkitError } from '../../src/errors/index.js';
import {
  buildSubscribeMessage,
  createKeyRing,
  decryptResource,
  fromCloudPayCallback,
  fromCloudPayRefundCallback,
  handleNotification,
  handlePaymentNotification,
  notificationResponse,
  parsePaymentResource,
  parseRefundResource,
  verifyNotification,
  WECHAT_ERROR_CODES,
  type WechatPayKeyRing,
} from '../../src/wechat/index.js';
import { makeKeyPair } from './support/certs.js';
import { API_V3_KEY, encryptResource, MCHID, notificationBody, signedHeaders, transactionResource } from './support/notify.js';
import { paidOrder } from './support/orders.js';

/**
 * Garbage in, typed rejection out: no input shape may make the parsers throw, or return an error
 * that is not an OrderkitError with one of the module's documented codes.
 */
const KNOWN = new Set<string>([...WECHAT_ERROR_CODES]);
const NOW = new Date('2026-11-25T04:05:01.000Z');
let ring: WechatPayKeyRing;
let signer: ReturnType<typeof makeKeyPair>;

beforeAll(() => {
  signer = makeKeyPair();
  const r = createKeyRing({ PUB_KEY_ID_TEST: signer.publicPem });
  if (!r.ok) throw r.error;
  ring = r.keyRing;
});

function typed(result: { ok: boolean; error?: unknown }): boolean {
  if (result.ok) return true;
  const e = result.error;
  return isOrderkitError(e) && KNOWN.has(e.code) && typeof e.messages['zh-CN'] === 'string' && typeof e.messages.en === 'string';
}

const anyValue = fc.oneof(
  fc.anything(),
  fc.string(),
  fc.uint8Array().map((a) => Buffer.from(a)),
  fc.constantFrom(null, undefined, 0, -1, NaN, '', '{}', '[]', 'null'),
);
const headerName = fc.constantFrom('Wechatpay-Timestamp', 'wechatpay-nonce', 'WECHATPAY-SIGNATURE', 'Wechatpay-Serial', 'x-other');
const headerValue = fc.oneof(fc.string(), fc.array(fc.string(), { maxLength: 3 }), fc.integer(), fc.constant(undefined), fc.constant(null), fc.stringMatching(/^\d{10}$/));
const headers = fc.oneof(anyValue, fc.dictionary(headerName, headerValue));

describe('parsers never throw untyped errors', () => {
  it('verifyNotification and handle* accept any headers, bodies and keys', () => {
    fc.assert(
      fc.property(headers, anyValue, fc.oneof(anyValue, fc.constant(ring)), anyValue, (h, body, keys, apiV3Key) => {
        const input = { headers: h, rawBody: body, keys: keys as never, apiV3Key: apiV3Key as never, now: NOW, expect: { mchid: MCHID } };
        return typed(verifyNotification(input)) && typed(handlePaymentNotification(input)) && typed(handleNotification(input));
      }),
      { numRuns: 300 },
    );
  });

  it('a correctly signed envelope around garbage still yields typed results', () => {
    fc.assert(
      fc.property(fc.oneof(fc.anything(), fc.record({ resource: fc.anything(), event_type: fc.string(), id: fc.string() })), (envelope) => {
        let rawBody: string;
        try {
          rawBody = JSON.stringify(envelope) ?? 'undefined';
        } catch {
          rawBody = 'x';
        }
        const h = signedHeaders(rawBody, { privateKey: signer.privateKey, serial: 'PUB_KEY_ID_TEST' }, NOW);
        const r = handleNotification({ headers: h, rawBody, keys: ring, apiV3Key: API_V3_KEY, now: NOW, expect: { mchid: MCHID } });
        return typed(r) && typed({ ok: r.ok, error: r.ok ? undefined : r.error });
      }),
      { numRuns: 150 },
    );
  });

  it('decrypted garbage (valid ciphertext of any JSON) yields typed results', () => {
    fc.assert(
      fc.property(fc.boolean(), fc.jsonValue(), fc.record({ amount: fc.anything(), out_trade_no: fc.anything(), trade_state: fc.anything(), success_time: fc.anything() }, { requiredKeys: [] }), (raw, json, over) => {
        const plain = raw ? json : transactionResource(over as Record<string, unknown>);
        const rawBody = notificationBody(encryptResource(plain));
        const h = signedHeaders(rawBody, { privateKey: signer.privateKey, serial: 'PUB_KEY_ID_TEST' }, NOW);
        return typed(handlePaymentNotification({ headers: h, rawBody, keys: ring, apiV3Key: API_V3_KEY, now: NOW, expect: { mchid: MCHID } }));
      }),
      { numRuns: 150 },
    );
  });

  it('decryptResource, resource parsers and cloudPay mappers accept anything', () => {
    fc.assert(
      fc.property(anyValue, anyValue, anyValue, (a, b, c) => {
        return (
          typed(decryptResource(a, b)) &&
          typed(decryptResource({ algorithm: 'AEAD_AES_256_GCM', ciphertext: a, nonce: b, associated_data: c }, API_V3_KEY)) &&
          typed(parsePaymentResource(a, { mchid: MCHID })) &&
          typed(parseRefundResource(a, { mchid: MCHID })) &&
          typed(fromCloudPayCallback(a, b)) &&
          typed(fromCloudPayCallback(a, { SOURCE: 'wx_paycallback' })) &&
          typed(fromCloudPayRefundCallback(a, { SOURCE: 'wx_paycallback' })) &&
          typed(createKeyRing(a))
        );
      }),
      { numRuns: 300 },
    );
  });

  it('subscribe fields accept any value from a template function', () => {
    fc.assert(
      fc.property(fc.constantFrom('thing1', 'phrase2', 'character_string3', 'number4', 'amount5', 'date6', 'time7', 'name8', 'phone_number9', 'car_number10', 'letter11', 'symbol12'), fc.anything(), (key, value) => {
        const r = buildSubscribeMessage({ templateId: 'T', fields: { [key]: () => value as never } }, paidOrder());
        return typed(r);
      }),
      { numRuns: 300 },
    );
  });

  it('notificationResponse always gives a status and a JSON FAIL body for failures', () => {
    fc.assert(
      fc.property(fc.string(), (code) => {
        const reply = notificationResponse({ ok: false, error: { code, message: code } });
        return reply.status >= 400 && JSON.parse(reply.body).code === 'FAIL';
      }),
      { numRuns: 50 },
    );
    expect(notificationResponse({ ok: false }).status).toBe(500);
  });
});
