import { X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parseCertificatesResponse, verifyWechatpaySignature } from '../../src/wechat/index.js';
import { makeCertificate } from './support/certs.js';
import { API_V3_KEY, encryptText, signedHeaders } from './support/notify.js';

/**
 * docs/wechat.md "Platform certificates": verification refuses a certificate outside its validity
 * (`KEY_EXPIRED`). The validity is the certificate's own (X.509), whatever the list's
 * effective_time / expire_time say: a listing cannot make an expired or not-yet-valid certificate
 * verify a notification.
 */
const DAY = 86_400_000;
const T0 = new Date('2026-11-25T04:00:00.000Z');
const iso = (d: Date) => d.toISOString().replace('.000Z', '+00:00');

function signed(cert: ReturnType<typeof makeCertificate>, at: Date) {
  const rawBody = '{"ok":true}';
  return { headers: signedHeaders(rawBody, { privateKey: cert.privateKey, serial: cert.serial }, at), rawBody, now: at };
}

describe('platform certificate validity', () => {
  const expired = makeCertificate({ serial: '1A2B3C4D5E6F70819203', notBefore: new Date(T0.getTime() - 400 * DAY), notAfter: new Date(T0.getTime() - DAY) });
  const future = makeCertificate({ serial: '2A2B3C4D5E6F70819203', notBefore: new Date(T0.getTime() + DAY), notAfter: new Date(T0.getTime() + 400 * DAY) });

  for (const [why, cert] of [['expired', expired], ['not yet valid', future]] as const) {
    it(`a certificate ${why} does not verify, though the list claims it valid now`, () => {
      const body = { data: [{ serial_no: cert.serial, effective_time: iso(new Date(T0.getTime() - DAY)), expire_time: iso(new Date(T0.getTime() + DAY)), encrypt_certificate: encryptText(cert.pem, API_V3_KEY) }] };
      const parsed = parseCertificatesResponse(body, API_V3_KEY);
      if (!parsed.ok) throw parsed.error;
      // The validity handed out is the certificate's own, not the listing's.
      const x = new X509Certificate(cert.pem);
      expect([parsed.certificates[0]!.validFrom.getTime(), parsed.certificates[0]!.validTo.getTime()]).toEqual([Date.parse(x.validFrom), Date.parse(x.validTo)]);
      const r = verifyWechatpaySignature({ ...signed(cert, T0), keys: [parsed.certificates[0]!.pem] });
      expect(r.ok ? 'verified' : r.error.code).toBe('KEY_EXPIRED');
    });
  }
});
