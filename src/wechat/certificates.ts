import { X509Certificate } from 'node:crypto';
import * as z from '../zod.js';
import type { OrderkitError } from '../errors/orderkit-error.js';
import { errorFromZod } from '../errors/zod-issues.js';
import { decryptText } from './decrypt.js';
import { AN_OBJECT, badArgument, isObject, reject, same, WECHAT_ERROR_TEXT } from './errors.js';
import { createKeyRing, keyRingOf, normalizeSerial, type WechatPayKeyEntry, type WechatPayKeyRing, type WechatPayKeys } from './keys.js';
import type { WechatPayRequest } from './requests.js';
import { parseRfc3339 } from './time.js';
import { EncryptedResourceSchema } from './verify.js';
import { ok, fail, type Result } from '../errors/result.js';

/**
 * Platform certificates, for merchants not yet on the public-key mode (docs/wechat.md
 * "Platform certificates"). `GET /v3/certificates` lists WeChat's current certificates, each
 * encrypted with the APIv3 key; they are replaced about once a year, and for a while WeChat signs
 * with the old one while the new one is already listed. The rotator keeps both: a certificate
 * leaves the ring only when it has expired, so no notification is refused during the switch.
 */

/** `GET /v3/certificates`: send it signed like any v3 request. */
export const CERTIFICATES_REQUEST: WechatPayRequest = Object.freeze({ method: 'GET', path: '/v3/certificates' }) as WechatPayRequest;

const CertificatesResponseSchema = z.lazySchema(() => z.looseObject({
  data: z.array(
    z.looseObject({
      serial_no: z.string().check(z.minLength(1), z.maxLength(64)),
      effective_time: z.string(),
      expire_time: z.string(),
      encrypt_certificate: EncryptedResourceSchema,
    }),
  ),
}));

export interface PlatformCertificate {
  /** As WeChat writes it in `Wechatpay-Serial` (upper-case hex). */
  serial: string;
  pem: string;
  validFrom: Date;
  validTo: Date;
}

export type PlatformCertificatesResult = Result<{ certificates: PlatformCertificate[] }>;

/**
 * Decrypts and checks the answer of `GET /v3/certificates`: each `encrypt_certificate` is
 * decrypted with the APIv3 key (`decryptText`: the plaintext is a PEM, not JSON), parsed as X.509,
 * and must carry the serial the list says. The list's `effective_time` / `expire_time` must be
 * RFC 3339 times but are not trusted: the validity handed out (`validFrom`, `validTo`) is the
 * certificate's own, which verification enforces (`KEY_EXPIRED` outside it). A certificate that
 * does not decrypt is `DECRYPT_FAILED`, one that does not parse or carries another serial
 * `INVALID_KEY`; one bad entry refuses the whole answer (a partial list could drop the key WeChat
 * signs with).
 *
 * @example
 * const c = parseCertificatesResponse(await send(CERTIFICATES_REQUEST), config.apiV3Key);
 * if (c.ok) c.certificates.map((x) => x.serial);
 */
export function parseCertificatesResponse(body: unknown, apiV3Key: unknown): PlatformCertificatesResult {
  const parsed = CertificatesResponseSchema.safeParse(body);
  if (!parsed.success) return fail(errorFromZod('MALFORMED_RESOURCE', WECHAT_ERROR_TEXT.MALFORMED_RESOURCE, parsed.error, ['body']));
  const certificates: PlatformCertificate[] = [];
  for (let i = 0; i < parsed.data.data.length; i++) {
    const item = parsed.data.data[i]!;
    const path = ['body', 'data', i];
    const text = decryptText(item.encrypt_certificate, apiV3Key);
    if (!text.ok) return fail(withPath(text.error, [...path, 'encrypt_certificate']));
    let cert: X509Certificate;
    try {
      cert = new X509Certificate(text.plaintext);
    } catch {
      return reject('INVALID_KEY', { path: [...path, 'encrypt_certificate'], detail: same('the decrypted text is not an X.509 certificate') });
    }
    const serial = cert.serialNumber.toUpperCase();
    if (normalizeSerial(serial) !== normalizeSerial(item.serial_no)) {
      return reject('INVALID_KEY', { path: [...path, 'serial_no'], detail: same(`the certificate's serial is ${serial}, not ${item.serial_no.slice(0, 64)}`) });
    }
    const validFrom = new Date(cert.validFrom);
    const validTo = new Date(cert.validTo);
    const listedFrom = parseRfc3339(item.effective_time);
    const listedTo = parseRfc3339(item.expire_time);
    if (listedFrom === null || listedTo === null) {
      return reject('MALFORMED_RESOURCE', { path: [...path, 'effective_time'], detail: same('effective_time and expire_time must be RFC 3339 times') });
    }
    if (Number.isNaN(validFrom.getTime()) || Number.isNaN(validTo.getTime())) {
      return reject('INVALID_KEY', { path: [...path, 'encrypt_certificate'], detail: same('the certificate has no readable validity') });
    }
    certificates.push({ serial, pem: text.plaintext, validFrom, validTo });
  }
  return ok({ certificates });
}

function withPath(error: OrderkitError, path: Array<string | number>): OrderkitError {
  return reject(error.code as keyof typeof WECHAT_ERROR_TEXT, { path, ...(error.details ? { details: error.details } : {}) }).error;
}

export interface CertificateRotatorOptions {
  apiV3Key: string | Buffer;
  /**
   * Sends a signed v3 request and resolves with the JSON body of a 2xx answer. Verify the answer's
   * signature with the rotator's current keys (`rotator.keys()`); for the very first download,
   * with the certificate it names (docs/wechat.md explains the bootstrap).
   */
  send: (request: WechatPayRequest) => Promise<unknown>;
  /** What to start from: certificates or `{ serial: pem }` already known (and any public keys). */
  initial?: WechatPayKeys;
}

export interface RotationReport {
  /** Serials added by this refresh. */
  added: string[];
  /** Serials dropped because they expired. */
  expired: string[];
  /** Every serial in the ring afterwards. */
  serials: string[];
}

export interface CertificateRotator {
  /** The current key ring: pass it as `keys` / `platformKeys`. Never empty once a refresh succeeded. */
  keys(): WechatPayKeyRing | null;
  /**
   * Downloads the certificate list and rotates: new certificates join the ring at once (WeChat
   * may start signing with one as soon as it is effective), old ones stay until they expire. A
   * failed download or a bad answer leaves the ring as it was and returns the typed error.
   */
  refresh(now: Date): Promise<Result<RotationReport>>;
}

/**
 * A platform-certificate download-and-rotate helper. Run `refresh` at start-up and then every
 * few hours (Tencent asks merchants to fetch the list regularly); read the ring with `keys()`
 * on every notification. Keys given in `initial` (certificates, or public keys in the public-key
 * mode) are held like downloaded ones; a certificate leaves only once it has expired.
 *
 * @example
 * const rotator = createCertificateRotator({ apiV3Key, send: (r) => payClient.send(r), initial: knownPems });
 * await rotator.refresh(new Date());
 * setInterval(() => void rotator.refresh(new Date()), 6 * 3600_000);
 * handlePaymentNotification({ headers, rawBody, keys: rotator.keys()!, apiV3Key, now: new Date(), expect: { mchid, appid } });
 */
export function createCertificateRotator(options: CertificateRotatorOptions): CertificateRotator {
  if (!isObject(options)) throw badArgument('createCertificateRotator', 'options', AN_OBJECT);
  if (typeof options.send !== 'function') throw badArgument('createCertificateRotator', 'options.send', { 'zh-CN': '函数', en: 'a function' });
  const held = new Map<string, WechatPayKeyEntry>();
  if (options.initial !== undefined) {
    const initial = createKeyRing(options.initial);
    if (!initial.ok) throw initial.error;
    for (const serial of initial.keyRing.serials) held.set(normalizeSerial(serial), initial.keyRing.find(serial)!);
  }
  let ring: WechatPayKeyRing | null = held.size === 0 ? null : keyRingOf([...held.values()]);

  return {
    keys: () => ring,
    async refresh(now) {
      let body: unknown;
      try {
        body = await options.send(CERTIFICATES_REQUEST);
      } catch (e) {
        return reject('CERTIFICATE_DOWNLOAD_FAILED', { path: ['send'], detail: same(e instanceof Error ? e.message.slice(0, 120) : 'the request failed') });
      }
      const parsed = parseCertificatesResponse(body, options.apiV3Key);
      if (!parsed.ok) return parsed;
      const fresh: WechatPayKeyEntry[] = [];
      for (const c of parsed.certificates) {
        const one = createKeyRing([c.pem]);
        if (!one.ok) return one;
        fresh.push(one.keyRing.find(c.serial)!);
      }
      // Nothing changes before every certificate of the answer is known to be good.
      const added: string[] = [];
      for (const entry of fresh) {
        const id = normalizeSerial(entry.serial);
        if (!held.has(id)) added.push(entry.serial);
        held.set(id, entry);
      }
      const expired: string[] = [];
      for (const [id, entry] of held) {
        if (entry.validTo !== undefined && entry.validTo.getTime() < now.getTime()) {
          held.delete(id);
          expired.push(entry.serial);
        }
      }
      ring = held.size === 0 ? null : keyRingOf([...held.values()]);
      return ok({ added, expired, serials: ring === null ? [] : [...ring.serials] });
    },
  };
}
