import { createDecipheriv } from 'node:crypto';
import type { OrderkitError } from '../errors/orderkit-error.js';
import { reject, same } from './errors.js';
import { isRecord } from './text.js';
import { ok, type Result } from '../errors/result.js';

/** The only algorithm WeChat Pay v3 uses for notification resources. */
export const RESOURCE_ALGORITHM = 'AEAD_AES_256_GCM';
const TAG_BYTES = 16;

export type DecryptResourceResult = Result<{ plaintext: string; data: unknown }>;

/** The APIv3 key as 32 bytes, or null. */
export function apiV3KeyBytes(apiV3Key: unknown): Buffer | null {
  let key: Buffer | null = null;
  if (typeof apiV3Key === 'string') key = Buffer.from(apiV3Key, 'utf8');
  else if (Buffer.isBuffer(apiV3Key)) key = apiV3Key;
  return key !== null && key.length === 32 ? key : null;
}

export type DecryptTextResult = Result<{ plaintext: string }>;

/**
 * Decrypts an AEAD_AES_256_GCM `resource` to its text, whatever that text is: a notification's
 * JSON, or the PEM of a platform certificate from `GET /v3/certificates` (`encrypt_certificate`).
 * AES-256-GCM with the APIv3 key, `nonce` as IV, `associated_data` as AAD, and the last 16 bytes
 * of the base64 ciphertext as the tag: a wrong key or any changed byte is `DECRYPT_FAILED`.
 * Never throws.
 *
 * @example
 * const d = decryptText(item.encrypt_certificate, apiV3Key);
 * if (d.ok) console.log(d.plaintext.startsWith('-----BEGIN CERTIFICATE-----')); // true
 */
export function decryptText(resource: unknown, apiV3Key: unknown): DecryptTextResult {
  const key = apiV3KeyBytes(apiV3Key);
  if (key === null) return reject('INVALID_API_V3_KEY', { path: ['apiV3Key'] });
  if (!isRecord(resource)) return reject('MALFORMED_RESOURCE', { path: ['resource'], detail: same('not an object') });
  const { algorithm, ciphertext, nonce } = resource;
  const aad = resource.associated_data ?? '';
  if (algorithm !== RESOURCE_ALGORITHM) {
    return reject('UNSUPPORTED_ALGORITHM', { path: ['resource', 'algorithm'], detail: same(String(algorithm).slice(0, 40)) });
  }
  if (typeof ciphertext !== 'string' || typeof nonce !== 'string' || nonce === '' || typeof aad !== 'string') {
    return reject('MALFORMED_RESOURCE', { path: ['resource'], detail: same('ciphertext, nonce and associated_data must be strings') });
  }
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(ciphertext)) {
    return reject('DECRYPT_FAILED', { path: ['resource', 'ciphertext'], detail: same('not base64') });
  }
  const bytes = Buffer.from(ciphertext, 'base64');
  if (bytes.length <= TAG_BYTES) {
    return reject('DECRYPT_FAILED', { path: ['resource', 'ciphertext'], detail: same('too short') });
  }
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(nonce, 'utf8'), { authTagLength: TAG_BYTES });
    decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
    decipher.setAAD(Buffer.from(aad, 'utf8'));
    const plaintext = Buffer.concat([decipher.update(bytes.subarray(0, bytes.length - TAG_BYTES)), decipher.final()]).toString('utf8');
    return ok({ plaintext });
  } catch {
    return reject('DECRYPT_FAILED', { path: ['resource', 'ciphertext'] });
  }
}

/**
 * Decrypts a notification `resource` (see `decryptText`) and parses the plaintext as JSON: a
 * plaintext that is not JSON is `MALFORMED_RESOURCE`. Call it only after `verifyNotification`
 * succeeded. For resources that are not JSON (platform certificates) use `decryptText`.
 * Never throws.
 *
 * @example
 * const d = decryptResource(v.notification.resource, process.env.WECHATPAY_APIV3_KEY);
 * if (d.ok) console.log(d.data); // { mchid, out_trade_no, trade_state, amount, … }
 */
export function decryptResource(resource: unknown, apiV3Key: unknown): DecryptResourceResult {
  const text = decryptText(resource, apiV3Key);
  if (!text.ok) return text;
  let data: unknown;
  try {
    data = JSON.parse(text.plaintext);
  } catch {
    return reject('MALFORMED_RESOURCE', { path: ['resource'], detail: same('the plaintext is not JSON') });
  }
  return ok({ plaintext: text.plaintext, data });
}
