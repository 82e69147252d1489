import { createPublicKey, KeyObject, X509Certificate } from 'node:crypto';
import type { OrderkitError } from '../errors/orderkit-error.js';
import { A_STRING, badArgument, reject, same, wechatError } from './errors.js';
import { isRecord } from './text.js';
import { ok, fail, type Result } from '../errors/result.js';

/**
 * WeChat Pay signs notifications and responses with either a platform certificate (named by its
 * serial number) or, since 2024, a platform public key (named `PUB_KEY_ID_…`). The `Wechatpay-Serial`
 * header says which one; a key ring maps those names to parsed keys once, at start-up, so that a
 * bad key is a configuration error you see immediately rather than a failed notification later.
 */

export type PublicKeyMaterial = string | Buffer | KeyObject;

/** One verification key: a certificate (its serial is read from it) or a public key with its id. */
export type WechatPayKeyInput =
  | string
  | { serial?: string; publicKey?: PublicKeyMaterial; certificate?: string | Buffer };

/**
 * What `verifyNotification` accepts as `keys`: a prepared key ring (fastest), a list of
 * certificates / `{ serial, publicKey }` entries, or a map from serial (or `PUB_KEY_ID_…`) to a PEM
 * certificate or public key.
 */
export type WechatPayKeys = WechatPayKeyRing | readonly WechatPayKeyInput[] | Record<string, PublicKeyMaterial>;

export interface WechatPayKeyEntry {
  /** As WeChat writes it in `Wechatpay-Serial`. */
  serial: string;
  key: KeyObject;
  source: 'certificate' | 'public_key';
  /** Certificates only: the validity period. */
  validFrom?: Date;
  validTo?: Date;
}

const BRAND = 'orderkit.wechatpay.keyRing';

export interface WechatPayKeyRing {
  readonly brand: typeof BRAND;
  /** Every serial / key id in the ring. */
  readonly serials: readonly string[];
  find(serial: string): WechatPayKeyEntry | undefined;
}

/** Hex certificate serials compare without case and leading zeros; key ids compare exactly. */
export function normalizeSerial(serial: string): string {
  if (typeof serial !== 'string') throw badArgument('normalizeSerial', 'serial', A_STRING);
  const s = serial.trim();
  if (/^[0-9a-f]+$/i.test(s)) return s.toUpperCase().replace(/^0+(?=.)/, '');
  return s;
}

export function isKeyRing(value: unknown): value is WechatPayKeyRing {
  return isRecord(value) && (value as { brand?: unknown }).brand === BRAND && typeof (value as { find?: unknown }).find === 'function';
}

function pemText(material: string | Buffer): string {
  return typeof material === 'string' ? material : material.toString('utf8');
}

function parseCertificate(material: string | Buffer, path: (string | number)[]): WechatPayKeyEntry | OrderkitError {
  try {
    const cert = new X509Certificate(typeof material === 'string' ? material : material);
    const entry: WechatPayKeyEntry = { serial: cert.serialNumber.toUpperCase(), key: cert.publicKey, source: 'certificate' };
    const from = new Date(cert.validFrom);
    const to = new Date(cert.validTo);
    if (!Number.isNaN(from.getTime())) entry.validFrom = from;
    if (!Number.isNaN(to.getTime())) entry.validTo = to;
    return entry;
  } catch (e) {
    return wechatError('INVALID_KEY', { path, detail: same(e instanceof Error ? e.message : 'not a certificate') });
  }
}

function parsePublicKey(material: PublicKeyMaterial, serial: string, path: (string | number)[]): WechatPayKeyEntry | OrderkitError {
  try {
    const key = material instanceof KeyObject ? (material.type === 'public' ? material : createPublicKey(material)) : createPublicKey(material);
    if (key.asymmetricKeyType !== 'rsa') {
      return wechatError('INVALID_KEY', { path, detail: same(`expected an RSA key, got ${String(key.asymmetricKeyType)}`) });
    }
    return { serial, key, source: 'public_key' };
  } catch (e) {
    return wechatError('INVALID_KEY', { path, detail: same(e instanceof Error ? e.message : 'not a public key') });
  }
}

function fromMaterial(material: unknown, serial: string | undefined, path: (string | number)[]): WechatPayKeyEntry | OrderkitError {
  if (material instanceof KeyObject) {
    if (serial === undefined) return wechatError('INVALID_KEY', { path, detail: same('a public key needs its serial / PUB_KEY_ID') });
    return parsePublicKey(material, serial, path);
  }
  if (typeof material !== 'string' && !Buffer.isBuffer(material)) {
    return wechatError('INVALID_KEY', { path, detail: same('expected a PEM string, a Buffer or a KeyObject') });
  }
  if (pemText(material).includes('BEGIN CERTIFICATE')) {
    const entry = parseCertificate(material, path);
    if (!('key' in entry)) return entry;
    if (serial !== undefined && normalizeSerial(serial) !== normalizeSerial(entry.serial)) {
      return wechatError('INVALID_KEY', {
        path,
        detail: same(`the certificate's serial is ${entry.serial}, not ${serial}`),
      });
    }
    return entry;
  }
  if (serial === undefined) return wechatError('INVALID_KEY', { path, detail: same('a public key needs its serial / PUB_KEY_ID') });
  return parsePublicKey(material, serial, path);
}

/**
 * Parses verification keys once. Accepts the same shapes as `verifyNotification`'s `keys`.
 *
 * @example
 * const ring = createKeyRing({ PUB_KEY_ID_0114232134912410000000000000: publicKeyPem });
 * if (!ring.ok) throw ring.error; // a configuration mistake, seen at start-up
 * verifyNotification({ headers, rawBody, keys: ring.keyRing, now: new Date() });
 */
export function createKeyRing(keys: unknown): Result<{ keyRing: WechatPayKeyRing }> {
  if (isKeyRing(keys)) return ok({ keyRing: keys });
  const entries: WechatPayKeyEntry[] = [];
  if (Array.isArray(keys)) {
    for (let i = 0; i < keys.length; i++) {
      const item: unknown = keys[i];
      let entry: WechatPayKeyEntry | OrderkitError;
      if (typeof item === 'string' || Buffer.isBuffer(item)) {
        entry = fromMaterial(item, undefined, ['keys', i]);
      } else if (isRecord(item)) {
        const serial = typeof item.serial === 'string' && item.serial.trim() !== '' ? item.serial.trim() : undefined;
        const material = item.certificate ?? item.publicKey;
        entry = fromMaterial(material, serial, ['keys', i]);
      } else {
        entry = wechatError('INVALID_KEY', { path: ['keys', i], detail: same('expected a certificate PEM or { serial, publicKey }') });
      }
      if (!('key' in entry)) return fail(entry);
      entries.push(entry);
    }
  } else if (isRecord(keys)) {
    for (const serial of Object.keys(keys)) {
      const entry = fromMaterial(keys[serial], serial, ['keys', serial]);
      if (!('key' in entry)) return fail(entry);
      entries.push(entry);
    }
  } else {
    return reject('INVALID_KEY', { path: ['keys'], detail: same('expected a key ring, a list or a map of keys') });
  }
  if (entries.length === 0) return reject('INVALID_KEY', { path: ['keys'], detail: same('no keys given') });
  return ok({ keyRing: keyRingOf(entries) });
}

/** A ring over entries already parsed (the certificate rotator rebuilds its ring this way). */
export function keyRingOf(entries: readonly WechatPayKeyEntry[]): WechatPayKeyRing {
  const bySerial = new Map<string, WechatPayKeyEntry>();
  for (const e of entries) bySerial.set(normalizeSerial(e.serial), e);
  return Object.freeze({
    brand: BRAND,
    serials: Object.freeze([...bySerial.values()].map((e) => e.serial)),
    find: (serial: string) => bySerial.get(normalizeSerial(serial)),
  });
}
