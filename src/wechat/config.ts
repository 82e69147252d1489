import { createPrivateKey, KeyObject, sign as rsaSign } from 'node:crypto';
import type { OrderkitError } from '../errors/orderkit-error.js';
import { apiV3KeyBytes } from './decrypt.js';
import { AN_OBJECT, badArgument, isObject, reject, same, wechatError } from './errors.js';
import { createKeyRing, type WechatPayKeyRing, type WechatPayKeys } from './keys.js';
import type { HandleNotificationInput } from './notifications.js';
import type { MerchantIdentity } from './resources.js';
import { isRecord } from './text.js';
import type { SignedMessageInput } from './verify.js';
import { ok, fail, type Result } from '../errors/result.js';

/**
 * A merchant's WeChat Pay settings, checked once when the service starts (docs/wechat.md
 * "Configuration"). Every mistake that would otherwise fail each request (an APIv3 key of the
 * wrong length, a private key without its certificate serial, a key that does not parse) is a
 * typed error here, so a misconfigured shop fails at start-up instead of answering 500 to every
 * notification.
 */
export interface WechatPayConfigInput {
  /** 商户号: digits. */
  mchid: string;
  /** The mini program's AppID; checked in payment notifications when given. */
  appid?: string;
  /** The APIv3 key: exactly 32 bytes (a 32-character ASCII string as the merchant platform shows it). */
  apiV3Key: string | Buffer;
  /**
   * Keys that verify WeChat's signatures. Public-key mode (the default for new merchants):
   * `{ PUB_KEY_ID_…: publicKeyPem }`; platform certificates: their PEMs, or a ring kept current by
   * `createCertificateRotator`.
   */
  platformKeys?: WechatPayKeys;
  /** The merchant API private key (`apiclient_key.pem`), to sign requests and `paySign`. */
  privateKey?: string | Buffer | KeyObject;
  /** The serial number of the merchant API certificate; required with `privateKey`. */
  merchantSerial?: string;
}

const BRAND = 'orderkit.wechatpay.config';

/** A checked configuration: every field parsed; pass it where a handler needs keys. */
export interface WechatPayConfig {
  readonly brand: typeof BRAND;
  readonly mchid: string;
  readonly appid?: string;
  /** The 32 key bytes. */
  readonly apiV3Key: Buffer;
  readonly keyRing?: WechatPayKeyRing;
  readonly privateKey?: KeyObject;
  readonly merchantSerial?: string;
  /** `{ mchid, appid? }` for the notification handlers' `expect`. */
  readonly identity: MerchantIdentity;
}

export type WechatPayConfigResult = Result<{ config: WechatPayConfig }>;

const MCHID = /^\d{6,32}$/;
const APPID = /^[\x21-\x7e]{1,32}$/;
/** Certificate serials are hex (40 digits for WeChat's merchant certificates). */
const SERIAL = /^[0-9A-Fa-f]{8,64}$/;

function privateKeyOf(material: unknown): KeyObject | OrderkitError {
  try {
    let key: KeyObject;
    if (material instanceof KeyObject) {
      if (material.type !== 'private') throw new Error('expected a private key, got a public one');
      key = material;
    } else if (typeof material === 'string' || Buffer.isBuffer(material)) {
      key = createPrivateKey(material);
    } else {
      throw new Error('expected a PEM string, a Buffer or a KeyObject');
    }
    if (key.asymmetricKeyType !== 'rsa') throw new Error(`expected an RSA key, got ${String(key.asymmetricKeyType)}`);
    // A key that parses but cannot sign (too short for SHA-256) would fail every request later.
    rsaSign('RSA-SHA256', Buffer.from('orderkit', 'utf8'), key);
    return key;
  } catch (e) {
    return wechatError('INVALID_PRIVATE_KEY', { path: ['privateKey'], detail: same(e instanceof Error ? e.message.slice(0, 120) : 'unusable key') });
  }
}

/**
 * Checks a WeChat Pay configuration once, at start-up. Refuses, each with a typed error naming the
 * field: a `mchid` that is not digits (`INVALID_CONFIG`), an APIv3 key that is not 32 bytes
 * (`INVALID_API_V3_KEY`), a private key that does not parse or cannot sign
 * (`INVALID_PRIVATE_KEY`), a private key without `merchantSerial` or a malformed serial
 * (`INVALID_CONFIG`), and platform keys that do not parse (`INVALID_KEY`). Never throws.
 *
 * @example
 * const c = createWechatPayConfig({ mchid: '1900000109', appid: 'wxd678efh567hg6787', apiV3Key,
 *   platformKeys: { PUB_KEY_ID_0119000001092026112500000000000002: publicKeyPem } });
 * if (!c.ok) throw c.error; // the shop does not start with a broken configuration
 */
export function createWechatPayConfig(input: unknown): WechatPayConfigResult {
  if (!isRecord(input)) return reject('INVALID_CONFIG', { path: [], detail: same('expected an object') });
  const { mchid, appid, apiV3Key, platformKeys, privateKey, merchantSerial } = input;
  if (typeof mchid !== 'string' || !MCHID.test(mchid)) return reject('INVALID_CONFIG', { path: ['mchid'], detail: same('mchid must be 6–32 digits') });
  if (appid !== undefined && (typeof appid !== 'string' || !APPID.test(appid))) {
    return reject('INVALID_CONFIG', { path: ['appid'], detail: same('appid must be 1–32 printable characters') });
  }
  const key = apiV3KeyBytes(apiV3Key);
  if (key === null) {
    const length = typeof apiV3Key === 'string' ? Buffer.byteLength(apiV3Key, 'utf8') : Buffer.isBuffer(apiV3Key) ? apiV3Key.length : null;
    return reject('INVALID_API_V3_KEY', {
      path: ['apiV3Key'],
      detail: length === null ? { 'zh-CN': '缺少 APIv3 密钥', en: 'the key is missing' } : { 'zh-CN': `当前为 ${length} 字节`, en: `got ${length} bytes` },
    });
  }
  const config: {
    brand: typeof BRAND;
    mchid: string;
    appid?: string;
    apiV3Key: Buffer;
    keyRing?: WechatPayKeyRing;
    privateKey?: KeyObject;
    merchantSerial?: string;
    identity: MerchantIdentity;
  } = { brand: BRAND, mchid, apiV3Key: Buffer.from(key), identity: appid === undefined ? { mchid } : { mchid, appid } };
  if (appid !== undefined) config.appid = appid;
  if (platformKeys !== undefined) {
    const ring = createKeyRing(platformKeys);
    if (!ring.ok) return fail(ring.error);
    config.keyRing = ring.keyRing;
  }
  if (merchantSerial !== undefined && (typeof merchantSerial !== 'string' || !SERIAL.test(merchantSerial))) {
    return reject('INVALID_CONFIG', { path: ['merchantSerial'], detail: same('the merchant certificate serial is 8–64 hex digits') });
  }
  if (privateKey !== undefined) {
    if (merchantSerial === undefined) {
      return reject('INVALID_CONFIG', {
        path: ['merchantSerial'],
        detail: { 'zh-CN': '配置了商户私钥时必须同时提供商户证书序列号', en: 'a private key needs the serial of its merchant certificate' },
      });
    }
    const parsed = privateKeyOf(privateKey);
    if (!(parsed instanceof KeyObject)) return fail(parsed);
    config.privateKey = parsed;
  }
  if (typeof merchantSerial === 'string') config.merchantSerial = merchantSerial.toUpperCase();
  return ok({ config: Object.freeze(config) });
}

export function isWechatPayConfig(value: unknown): value is WechatPayConfig {
  return isRecord(value) && value.brand === BRAND;
}

/**
 * The input of `handlePaymentNotification` / `handleRefundNotification` / `handleNotification`
 * from a checked configuration and one request. The configuration must have `platformKeys`.
 *
 * @example
 * const n = handleNotification(notificationInput(config, { headers: req.headers, rawBody: req.body, now: new Date() }));
 */
export function notificationInput(config: WechatPayConfig, request: Omit<SignedMessageInput, 'keys'>): HandleNotificationInput {
  if (!isObject(config)) throw badArgument('notificationInput', 'config', AN_OBJECT);
  if (!isObject(request)) throw badArgument('notificationInput', 'request', AN_OBJECT);
  if (config.keyRing === undefined) {
    // A programming error, not a request error: the configuration was made without keys.
    throw wechatError('INVALID_CONFIG', { path: ['platformKeys'], detail: same('the configuration has no platformKeys to verify notifications with') });
  }
  return { ...request, keys: config.keyRing, apiV3Key: config.apiV3Key, expect: config.identity };
}
