import { verify as rsaVerify } from 'node:crypto';
import * as z from '../zod.js';
import { errorFromZod } from '../errors/zod-issues.js';
import type { OrderkitError } from '../errors/orderkit-error.js';
import { AN_OBJECT, badArgument, isObject, reject, same, WECHAT_ERROR_TEXT } from './errors.js';
import { createKeyRing, type WechatPayKeys } from './keys.js';
import { bodyBytes, readHeader } from './text.js';
import { isValidDate } from './time.js';
import { ok, fail, type Result, type Failure } from '../errors/result.js';

/** WeChat Pay's signature headers, in the order they are checked. */
export const WECHATPAY_HEADERS = {
  timestamp: 'Wechatpay-Timestamp',
  nonce: 'Wechatpay-Nonce',
  signature: 'Wechatpay-Signature',
  serial: 'Wechatpay-Serial',
} as const;

/** WeChat Pay sends signatures starting with this to check that merchants really verify. */
export const SIGNATURE_PROBE_PREFIX = 'WECHATPAY/SIGNTEST/';

/** The default allowed clock difference, in seconds (WeChat Pay's recommendation). */
export const DEFAULT_MAX_SKEW_SECONDS = 300;

export const EncryptedResourceSchema = z.lazySchema(() => z.looseObject({
  algorithm: z.string().check(z.minLength(1)),
  ciphertext: z.string().check(z.minLength(1)),
  nonce: z.string().check(z.minLength(1)),
  associated_data: z.optional(z.string()),
  original_type: z.optional(z.string()),
}));
/** The `resource` of a notification: AES-256-GCM ciphertext, decrypted by `decryptResource`. */
export type EncryptedResource = z.output<typeof EncryptedResourceSchema>;

export const NotificationEnvelopeSchema = z.lazySchema(() => z.looseObject({
  id: z.string().check(z.minLength(1)),
  create_time: z.optional(z.string()),
  event_type: z.string().check(z.minLength(1)),
  resource_type: z.optional(z.string()),
  summary: z.optional(z.string()),
  resource: EncryptedResourceSchema,
}));
/** A verified, still encrypted notification. */
export type NotificationEnvelope = z.output<typeof NotificationEnvelopeSchema>;

export interface SignedMessageInput {
  /** The request (or response) headers, any casing: Node/Express objects or a Fetch `Headers`. */
  headers: unknown;
  /** The body exactly as received, before any JSON parsing: a string or the raw bytes. */
  rawBody: unknown;
  keys: WechatPayKeys;
  /** Default: the current time. */
  now?: Date;
  /** Default 300. */
  maxSkewSeconds?: number;
}

export interface VerifiedSignature {
  serial: string;
  /** `Wechatpay-Timestamp`, seconds since the epoch. */
  timestamp: number;
  nonce: string;
  keySource: 'certificate' | 'public_key';
}

export type VerifySignatureResult = Result<VerifiedSignature>;

function headerProblem(name: string, reason: 'missing' | 'malformed') {
  return reject(reason === 'missing' ? 'MISSING_HEADER' : 'MALFORMED_HEADER', {
    path: ['headers', name],
    detail: same(name),
  });
}

/**
 * Checks the `Wechatpay-*` signature of a notification or an API response: RSA-SHA256 over
 * `timestamp\nnonce\nbody\n`, with the key named by `Wechatpay-Serial`, within the time window.
 * Never throws; every failure is a typed result.
 *
 * @example
 * const v = verifyWechatpaySignature({ headers: res.headers, rawBody: text, keys, now: new Date() });
 */
export function verifyWechatpaySignature(input: SignedMessageInput): VerifySignatureResult {
  if (!isObject(input)) return fail(badArgument('verifyWechatpaySignature', 'input', AN_OBJECT));
  const { headers } = input;
  const ts = readHeader(headers, WECHATPAY_HEADERS.timestamp);
  if (!ts.ok) return headerProblem(WECHATPAY_HEADERS.timestamp, ts.reason);
  const nonce = readHeader(headers, WECHATPAY_HEADERS.nonce);
  if (!nonce.ok) return headerProblem(WECHATPAY_HEADERS.nonce, nonce.reason);
  const signature = readHeader(headers, WECHATPAY_HEADERS.signature);
  if (!signature.ok) return headerProblem(WECHATPAY_HEADERS.signature, signature.reason);
  const serial = readHeader(headers, WECHATPAY_HEADERS.serial);
  if (!serial.ok) return headerProblem(WECHATPAY_HEADERS.serial, serial.reason);

  if (!/^\d{1,12}$/.test(ts.value)) return headerProblem(WECHATPAY_HEADERS.timestamp, 'malformed');
  const timestamp = Number(ts.value);
  if (signature.value.startsWith(SIGNATURE_PROBE_PREFIX)) {
    return reject('SIGNATURE_PROBE', { path: ['headers', WECHATPAY_HEADERS.signature] });
  }
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(signature.value)) return headerProblem(WECHATPAY_HEADERS.signature, 'malformed');

  const now = input.now ?? new Date();
  if (!isValidDate(now)) return reject('STALE_TIMESTAMP', { path: ['now'], detail: same('now is not a valid Date') });
  const maxSkew = input.maxSkewSeconds ?? DEFAULT_MAX_SKEW_SECONDS;
  const skew = Math.abs(now.getTime() / 1000 - timestamp);
  if (!(skew <= maxSkew)) {
    return reject('STALE_TIMESTAMP', {
      path: ['headers', WECHATPAY_HEADERS.timestamp],
      detail: { 'zh-CN': `相差 ${Math.round(skew)} 秒，允许 ${maxSkew} 秒`, en: `${Math.round(skew)} s apart, ${maxSkew} s allowed` },
      details: { timestamp, skewSeconds: Math.round(skew) },
    });
  }

  const ring = createKeyRing(input.keys);
  if (!ring.ok) return ring;
  const entry = ring.keyRing.find(serial.value);
  if (!entry) {
    return reject('UNKNOWN_SERIAL', {
      path: ['headers', WECHATPAY_HEADERS.serial],
      detail: same(serial.value.slice(0, 64)),
      details: { serial: serial.value.slice(0, 64) },
    });
  }
  if ((entry.validFrom && now < entry.validFrom) || (entry.validTo && now > entry.validTo)) {
    return reject('KEY_EXPIRED', { path: ['headers', WECHATPAY_HEADERS.serial], detail: same(entry.serial) });
  }

  const body = bodyBytes(input.rawBody);
  if (body === null) {
    return reject('MALFORMED_BODY', {
      path: ['rawBody'],
      detail: {
        'zh-CN': '请传入原始报文（字符串或 Buffer），而不是解析后的对象',
        en: 'pass the raw body (a string or a Buffer), not parsed JSON',
      },
    });
  }
  const message = Buffer.concat([Buffer.from(`${ts.value}\n${nonce.value}\n`, 'utf8'), body, Buffer.from('\n', 'utf8')]);
  let valid = false;
  try {
    valid = rsaVerify('RSA-SHA256', message, entry.key, Buffer.from(signature.value, 'base64'));
  } catch {
    valid = false;
  }
  if (!valid) return reject('BAD_SIGNATURE', { path: ['headers', WECHATPAY_HEADERS.signature] });
  return ok({ serial: entry.serial, timestamp, nonce: nonce.value, keySource: entry.source });
}

export type VerifyNotificationResult =
  | ({ ok: true; notification: NotificationEnvelope } & VerifiedSignature)
  | Failure;

/**
 * Verifies a WeChat Pay v3 notification before anything else reads it, then parses the envelope
 * (still encrypted: pass `notification.resource` to `decryptResource`). Rejects a missing header,
 * a timestamp more than 300 s from `now`, the `WECHATPAY/SIGNTEST/` probe, an unknown serial, a
 * bad signature and a body that is not a notification, each with its own code. Never throws.
 *
 * @example
 * const v = verifyNotification({ headers: req.headers, rawBody: req.rawBody, keys, now: new Date() });
 * if (!v.ok) return res.status(401).json({ code: 'FAIL', message: v.error.message });
 */
export function verifyNotification(input: SignedMessageInput): VerifyNotificationResult {
  const signed = verifyWechatpaySignature(input);
  if (!signed.ok) return signed;
  let json: unknown;
  try {
    json = JSON.parse((bodyBytes(input.rawBody) as Buffer).toString('utf8'));
  } catch {
    return reject('MALFORMED_BODY', { path: ['rawBody'], detail: same('not JSON') });
  }
  const parsed = NotificationEnvelopeSchema.safeParse(json);
  if (!parsed.success) return fail(errorFromZod('MALFORMED_BODY', WECHAT_ERROR_TEXT.MALFORMED_BODY, parsed.error, ['rawBody']));
  const { ok: _ok, ...sig } = signed;
  return ok({ notification: parsed.data, ...sig });
}
