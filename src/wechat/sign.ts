import { createPrivateKey, KeyObject, randomBytes, sign as rsaSign } from 'node:crypto';
import type { OrderkitError } from '../errors/orderkit-error.js';
import { reject, same } from './errors.js';
import { isValidDate } from './time.js';
import { ok, fail, type Result } from '../errors/result.js';

/**
 * Merchant-side signatures (RSA-SHA256 with the merchant's API private key, `apiclient_key.pem`):
 * the `Authorization` header of every v3 request and the `paySign` of `wx.requestPayment`.
 */

export type PrivateKeyMaterial = string | Buffer | KeyObject;

/** A random nonce of 32 characters from [0-9A-F] (WeChat allows up to 32). */
export function createNonce(): string {
  return randomBytes(16).toString('hex').toUpperCase();
}

function privateKeyOf(material: unknown): KeyObject | OrderkitError {
  try {
    if (material instanceof KeyObject) {
      if (material.type !== 'private') throw new Error('expected a private key');
      return material;
    }
    if (typeof material !== 'string' && !Buffer.isBuffer(material)) throw new Error('expected a PEM string, a Buffer or a KeyObject');
    const key = createPrivateKey(material);
    if (key.asymmetricKeyType !== 'rsa') throw new Error(`expected an RSA key, got ${String(key.asymmetricKeyType)}`);
    return key;
  } catch (e) {
    return reject('INVALID_PRIVATE_KEY', { path: ['privateKey'], detail: same(e instanceof Error ? e.message : 'unusable key') }).error;
  }
}

function signText(message: string, material: unknown): Result<{ signature: string }> {
  const key = privateKeyOf(material);
  if (!(key instanceof KeyObject)) return fail(key);
  try {
    return ok({ signature: rsaSign('RSA-SHA256', Buffer.from(message, 'utf8'), key).toString('base64') });
  } catch (e) {
    return reject('INVALID_PRIVATE_KEY', { path: ['privateKey'], detail: same(e instanceof Error ? e.message : 'signing failed') });
  }
}

const NONCE = /^[0-9A-Za-z]{1,32}$/;

function timestampText(value: unknown): string | null {
  if (isValidDate(value)) return String(Math.floor(value.getTime() / 1000));
  const text = typeof value === 'number' ? String(value) : value;
  return typeof text === 'string' && /^\d{1,12}$/.test(text) ? text : null;
}

export interface SignRequestInput {
  /** 'GET', 'POST', … */
  method: string;
  /** Path with the query string, exactly as sent: `/v3/pay/transactions/jsapi`. */
  path: string;
  /** The JSON body as sent (a string), or an object that is sent as `JSON.stringify(body)`; none for GET. */
  body?: string | object | null;
  mchid: string;
  /** The serial number of the merchant API certificate. */
  serialNo: string;
  privateKey: PrivateKeyMaterial;
  /** Up to 32 letters and digits; `createNonce()` makes one. */
  nonce: string;
  /** Seconds since the epoch (number or string), or a Date. */
  timestamp: number | string | Date;
}

export type SignRequestResult = Result<{ authorization: string; body: string }>;

/**
 * The `Authorization` header of a Pay v3 request: RSA-SHA256 over
 * `method\npath\ntimestamp\nnonce\nbody\n`. Returns the body text it signed: send exactly that.
 *
 * @example
 * const prepay = buildJsapiPrepay(order, { appid, mchid, notifyUrl });
 * const s = prepay.ok ? signRequest({ ...prepay.request, mchid, serialNo, privateKey, nonce: createNonce(), timestamp: new Date() }) : prepay;
 * // headers: { Authorization: s.authorization, 'Content-Type': 'application/json', Accept: 'application/json' }, body: s.body
 */
export function signRequest(input: SignRequestInput): SignRequestResult {
  const method = typeof input?.method === 'string' ? input.method.toUpperCase() : '';
  if (!/^[A-Z]{3,7}$/.test(method)) return reject('INVALID_REQUEST', { path: ['method'], detail: same('method must be GET, POST, PUT, PATCH or DELETE') });
  if (typeof input.path !== 'string' || !input.path.startsWith('/') || /\s/.test(input.path)) {
    return reject('INVALID_REQUEST', { path: ['path'], detail: same('path must start with / and contain no spaces') });
  }
  for (const field of ['mchid', 'serialNo'] as const) {
    const value = input[field];
    if (typeof value !== 'string' || value === '' || /["\s,]/.test(value)) {
      return reject('INVALID_CONFIG', { path: [field], detail: same(`${field} is required (no quotes, commas or spaces)`) });
    }
  }
  if (typeof input.nonce !== 'string' || !NONCE.test(input.nonce)) return reject('INVALID_REQUEST', { path: ['nonce'], detail: same('1–32 letters or digits') });
  const timestamp = timestampText(input.timestamp);
  if (timestamp === null) return reject('INVALID_REQUEST', { path: ['timestamp'], detail: same('seconds since the epoch') });
  let body: string;
  if (input.body === undefined || input.body === null) body = '';
  else if (typeof input.body === 'string') body = input.body;
  else {
    try {
      body = JSON.stringify(input.body);
    } catch {
      return reject('INVALID_REQUEST', { path: ['body'], detail: same('the body cannot be serialised as JSON') });
    }
  }
  const signed = signText(`${method}\n${input.path}\n${timestamp}\n${input.nonce}\n${body}\n`, input.privateKey);
  if (!signed.ok) return signed;
  const authorization =
    `WECHATPAY2-SHA256-RSA2048 mchid="${input.mchid}",nonce_str="${input.nonce}",` +
    `signature="${signed.signature}",timestamp="${timestamp}",serial_no="${input.serialNo}"`;
  return ok({ authorization, body });
}

/** The object `wx.requestPayment` takes (the mini program adds success/fail callbacks). */
export interface RequestPaymentParams {
  timeStamp: string;
  nonceStr: string;
  package: string;
  signType: 'RSA';
  paySign: string;
}

export interface RequestPaymentConfig {
  /** The mini program's AppID: it is signed, so it must be the app that calls `wx.requestPayment`. */
  appid: string;
  privateKey: PrivateKeyMaterial;
}

/**
 * The `wx.requestPayment` parameters for a `prepay_id`, with `paySign` = RSA-SHA256 over
 * `appId\ntimeStamp\nnonceStr\nprepay_id=…\n` signed by the merchant private key.
 *
 * @example
 * const p = buildRequestPaymentParams(prepayId, { appid, privateKey }, { nonce: createNonce(), timestamp: new Date() });
 * if (p.ok) return p.params; // the cloud function returns this to the page, which calls wx.requestPayment(p.params)
 */
export function buildRequestPaymentParams(
  prepayId: string,
  config: RequestPaymentConfig,
  options: { nonce: string; timestamp: number | string | Date },
): Result<{ params: RequestPaymentParams }> {
  if (typeof prepayId !== 'string' || !/^[\x21-\x7e]{1,64}$/.test(prepayId)) {
    return reject('INVALID_REQUEST', { path: ['prepayId'], detail: same('prepay_id must be 1–64 printable ASCII characters') });
  }
  if (typeof config?.appid !== 'string' || !/^[\x21-\x7e]{1,32}$/.test(config.appid)) {
    return reject('INVALID_CONFIG', { path: ['appid'], detail: same('appid is required') });
  }
  if (typeof options?.nonce !== 'string' || !NONCE.test(options.nonce)) return reject('INVALID_REQUEST', { path: ['nonce'], detail: same('1–32 letters or digits') });
  const timeStamp = timestampText(options.timestamp);
  if (timeStamp === null) return reject('INVALID_REQUEST', { path: ['timestamp'], detail: same('seconds since the epoch') });
  const pkg = `prepay_id=${prepayId}`;
  const signed = signText(`${config.appid}\n${timeStamp}\n${options.nonce}\n${pkg}\n`, config.privateKey);
  if (!signed.ok) return signed;
  return ok({ params: { timeStamp, nonceStr: options.nonce, package: pkg, signType: 'RSA', paySign: signed.signature } });
}
