import { X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  createCertificateRotator,
  createWechatPayConfig,
  decryptResource,
  decryptText,
  handlePaymentNotification,
  notificationInput,
  parseCertificatesResponse,
  verifyWechatpaySignature,
  type WechatPayRequest,
} from '../../src/wechat/index.js';
import { makeCertificate, makeKeyPair } from './support/certs.js';
import { API_V3_KEY, APPID, encryptResource, encryptText, MCHID, notificationBody, signedHeaders, transactionResource } from './support/notify.js';

const DAY = 86_400_000;
const T0 = new Date('2026-11-25T04:00:00.000Z');
const PUB_KEY_ID = 'PUB_KEY_ID_0119000001092026112500000000000002';

describe('configuration checked at construction', () => {
  const platform = makeKeyPair();
  const merchant = makeKeyPair();
  const good = { mchid: MCHID, appid: APPID, apiV3Key: API_V3_KEY, platformKeys: { [PUB_KEY_ID]: platform.publicPem } };

  it('a 16-byte APIv3 key is INVALID_API_V3_KEY when the configuration is made, with the length in both languages', () => {
    const c = createWechatPayConfig({ ...good, apiV3Key: '0123456789abcdef' });
    expect(c.ok).toBe(false);
    if (c.ok) return;
    expect(c.error.code).toBe('INVALID_API_V3_KEY');
    expect(c.error.path).toEqual(['apiV3Key']);
    expect(c.error.messages.en).toContain('got 16 bytes');
    expect(c.error.messages['zh-CN']).toContain('16 字节');
  });

  it('a missing key, a bad mchid, a private key without its serial, a malformed serial, a malformed key: each its own typed error', () => {
    const cases: Array<[Record<string, unknown>, string, Array<string | number>]> = [
      [{ ...good, apiV3Key: undefined }, 'INVALID_API_V3_KEY', ['apiV3Key']],
      [{ ...good, mchid: 'abc' }, 'INVALID_CONFIG', ['mchid']],
      [{ ...good, privateKey: merchant.privatePem }, 'INVALID_CONFIG', ['merchantSerial']],
      [{ ...good, privateKey: merchant.privatePem, merchantSerial: 'not hex!' }, 'INVALID_CONFIG', ['merchantSerial']],
      [{ ...good, privateKey: '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n', merchantSerial: '5157F09EFDC096DE15EBE81A47057A7232F1B8E1' }, 'INVALID_PRIVATE_KEY', ['privateKey']],
      [{ ...good, privateKey: platform.publicKey, merchantSerial: '5157F09EFDC096DE15EBE81A47057A7232F1B8E1' }, 'INVALID_PRIVATE_KEY', ['privateKey']],
      [{ ...good, platformKeys: { [PUB_KEY_ID]: 'not a key' } }, 'INVALID_KEY', ['keys', PUB_KEY_ID]],
      [{ ...good, appid: '' }, 'INVALID_CONFIG', ['appid']],
    ];
    for (const [input, code, path] of cases) {
      const c = createWechatPayConfig(input);
      expect(c.ok, code).toBe(false);
      if (c.ok) continue;
      expect(c.error.code).toBe(code);
      expect(c.error.path).toEqual(path);
      expect(c.error.messages['zh-CN'].length).toBeGreaterThan(0);
    }
    expect(createWechatPayConfig(null).ok).toBe(false);
  });

  it('a checked configuration verifies and decrypts notifications', () => {
    const c = createWechatPayConfig({ ...good, privateKey: merchant.privatePem, merchantSerial: '5157f09efdc096de15ebe81a47057a7232f1b8e1' });
    if (!c.ok) throw c.error;
    expect(c.config.merchantSerial).toBe('5157F09EFDC096DE15EBE81A47057A7232F1B8E1');
    expect(c.config.apiV3Key.length).toBe(32);
    const rawBody = notificationBody(encryptResource(transactionResource()));
    const headers = signedHeaders(rawBody, { privateKey: platform.privateKey, serial: PUB_KEY_ID }, T0);
    const n = handlePaymentNotification(notificationInput(c.config, { headers, rawBody, now: T0 }));
    expect(n.ok).toBe(true);
    // The configuration's identity is checked: another app's payment is refused.
    const foreign = notificationBody(encryptResource(transactionResource({ appid: 'wx0000000000000000' })));
    const refused = handlePaymentNotification(notificationInput(c.config, { headers: signedHeaders(foreign, { privateKey: platform.privateKey, serial: PUB_KEY_ID }, T0), rawBody: foreign, now: T0 }));
    expect(refused.ok ? 'ok' : refused.error.code).toBe('APPID_MISMATCH');
  });

  it('notificationInput without platform keys is a programming error, thrown as a typed error', () => {
    const c = createWechatPayConfig({ mchid: MCHID, apiV3Key: API_V3_KEY });
    if (!c.ok) throw c.error;
    expect(() => notificationInput(c.config, { headers: {}, rawBody: '' })).toThrowError(/INVALID_CONFIG/);
  });
});

describe('decrypting resources that are not JSON', () => {
  it('decryptText returns a certificate PEM; decryptResource refuses it as not JSON; a changed byte is DECRYPT_FAILED', () => {
    const cert = makeCertificate({ serial: '7132D72A', notBefore: new Date(T0.getTime() - DAY), notAfter: new Date(T0.getTime() + 365 * DAY) });
    const encrypted = encryptText(cert.pem);
    const text = decryptText(encrypted, API_V3_KEY);
    expect(text.ok && text.plaintext).toBe(cert.pem);
    const json = decryptResource(encrypted, API_V3_KEY);
    expect(json.ok ? 'ok' : json.error.code).toBe('MALFORMED_RESOURCE');
    const bytes = Buffer.from(encrypted.ciphertext, 'base64');
    bytes[10] = bytes[10]! ^ 1;
    const altered = decryptText({ ...encrypted, ciphertext: bytes.toString('base64') }, API_V3_KEY);
    expect(altered.ok ? 'ok' : altered.error.code).toBe('DECRYPT_FAILED');
    const wrongKey = decryptText(encrypted, 'another32ByteKeyForTheTest000000');
    expect(wrongKey.ok ? 'ok' : wrongKey.error.code).toBe('DECRYPT_FAILED');
  });
});

describe('platform certificates: download and rotate', () => {
  const iso = (d: Date) => d.toISOString().replace('.000Z', '+00:00');
  const oldCert = makeCertificate({ serial: '3775B6A45ACD588826D15E583A95F5DD', notBefore: new Date(T0.getTime() - 300 * DAY), notAfter: new Date(T0.getTime() + 10 * DAY) });
  const newCert = makeCertificate({ serial: '5157F09EFDC096DE15EBE81A47057A7232F1B8E1', notBefore: new Date(T0.getTime() + 5 * DAY), notAfter: new Date(T0.getTime() + 370 * DAY) });
  const listed = (certs: Array<typeof oldCert>, key = API_V3_KEY) => ({
    data: certs.map((c) => {
      const x = new X509Certificate(c.pem);
      return { serial_no: c.serial, effective_time: iso(new Date(x.validFrom)), expire_time: iso(new Date(x.validTo)), encrypt_certificate: encryptText(c.pem, key) };
    }),
  });

  function signedBy(cert: typeof oldCert, at: Date) {
    const rawBody = '{"ok":true}';
    return { headers: signedHeaders(rawBody, { privateKey: cert.privateKey, serial: cert.serial }, at), rawBody, now: at };
  }

  it('parseCertificatesResponse decrypts each certificate and checks its serial; a listed serial that differs is INVALID_KEY', () => {
    const r = parseCertificatesResponse(listed([oldCert, newCert]), API_V3_KEY);
    if (!r.ok) throw r.error;
    expect(r.certificates.map((c) => c.serial)).toEqual([oldCert.serial, newCert.serial]);
    const body = listed([oldCert]);
    body.data[0]!.serial_no = newCert.serial;
    const wrong = parseCertificatesResponse(body, API_V3_KEY);
    expect(wrong.ok ? 'ok' : wrong.error.code).toBe('INVALID_KEY');
    const malformed = parseCertificatesResponse({ data: [{ serial_no: 'x' }] }, API_V3_KEY);
    expect(malformed.ok ? 'ok' : malformed.error.code).toBe('MALFORMED_RESOURCE');
  });

  it('keeps the old certificate until it expires, takes the new one when it becomes effective', async () => {
    let answer: unknown = listed([oldCert, newCert]);
    const sent: WechatPayRequest[] = [];
    const rotator = createCertificateRotator({ apiV3Key: API_V3_KEY, send: async (r) => (sent.push(r), answer), initial: [oldCert.pem] });
    expect(rotator.keys()!.serials).toEqual([oldCert.serial]);

    const first = await rotator.refresh(T0);
    if (!first.ok) throw first.error;
    expect(sent[0]).toEqual({ method: 'GET', path: '/v3/certificates' });
    expect(first.added).toEqual([newCert.serial]);
    expect(first.expired).toEqual([]);
    const keys = () => rotator.keys()!;
    // Before the new certificate is effective, WeChat still signs with the old one.
    expect(verifyWechatpaySignature({ ...signedBy(oldCert, T0), keys: keys() }).ok).toBe(true);
    const early = verifyWechatpaySignature({ ...signedBy(newCert, T0), keys: keys() });
    expect(early.ok ? 'ok' : early.error.code).toBe('KEY_EXPIRED');
    // In the overlap both verify.
    const overlap = new Date(T0.getTime() + 6 * DAY);
    expect(verifyWechatpaySignature({ ...signedBy(oldCert, overlap), keys: keys() }).ok).toBe(true);
    expect(verifyWechatpaySignature({ ...signedBy(newCert, overlap), keys: keys() }).ok).toBe(true);

    // A tampered answer changes nothing.
    const bad = listed([newCert]);
    bad.data[0]!.encrypt_certificate.ciphertext = Buffer.from('x'.repeat(64)).toString('base64');
    answer = bad;
    const refused = await rotator.refresh(overlap);
    expect(refused.ok ? 'ok' : refused.error.code).toBe('DECRYPT_FAILED');
    expect(keys().serials).toEqual([oldCert.serial, newCert.serial]);

    // After the old one expired, the next refresh drops it.
    answer = listed([newCert]);
    const later = new Date(T0.getTime() + 11 * DAY);
    const second = await rotator.refresh(later);
    if (!second.ok) throw second.error;
    expect(second.expired).toEqual([oldCert.serial]);
    expect(keys().serials).toEqual([newCert.serial]);
    expect(verifyWechatpaySignature({ ...signedBy(newCert, later), keys: keys() }).ok).toBe(true);
  });

  it('a failed download keeps the ring and says so', async () => {
    const rotator = createCertificateRotator({ apiV3Key: API_V3_KEY, send: async () => { throw new Error('ETIMEDOUT'); }, initial: { [PUB_KEY_ID]: makeKeyPair().publicPem } });
    const r = await rotator.refresh(T0);
    expect(r.ok ? 'ok' : r.error.code).toBe('CERTIFICATE_DOWNLOAD_FAILED');
    expect(rotator.keys()!.serials).toEqual([PUB_KEY_ID]);
  });
});
