import { constants, createPublicKey, KeyObject, publicEncrypt } from 'node:crypto';
import type { OrderkitError } from '../errors/orderkit-error.js';
import { reject, same } from './errors.js';
import { ok, type Result } from '../errors/result.js';

/**
 * Sensitive request fields (a bank account, a real name) travel encrypted with the platform's
 * public key: RSA with OAEP padding (SHA-1, as Pay v3 specifies), base64. The request then names
 * that key in its `Wechatpay-Serial` header. Only WeChat can read the value.
 *
 * @example
 * const account = encryptSensitiveField('6222021234567890', platformPublicKeyPem);
 * const body = account.ok ? { bank_type: 'ICBC_DEBIT', bank_account: account.ciphertext } : null; // the encrypted field of a request body
 */
export function encryptSensitiveField(plain: string, publicKey: string | Buffer | KeyObject): Result<{ ciphertext: string }> {
  if (typeof plain !== 'string' || plain === '') return reject('INVALID_REQUEST', { path: ['plain'], detail: same('a non-empty text') });
  let key: KeyObject;
  try {
    key = publicKey instanceof KeyObject ? publicKey : createPublicKey(publicKey);
    if (key.asymmetricKeyType !== 'rsa') throw new Error('not an RSA key');
  } catch (e) {
    return reject('INVALID_KEY', { path: ['publicKey'], detail: same(e instanceof Error ? e.message.slice(0, 80) : 'unusable key') });
  }
  try {
    const ciphertext = publicEncrypt({ key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' }, Buffer.from(plain, 'utf8')).toString('base64');
    return ok({ ciphertext });
  } catch (e) {
    return reject('INVALID_REQUEST', { path: ['plain'], detail: same(e instanceof Error ? e.message.slice(0, 80) : 'too long for the key') });
  }
}
