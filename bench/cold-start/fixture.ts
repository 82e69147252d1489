/**
 * The input of bench/cold-start/first-call.cjs: a signed, encrypted WeChat Pay v3 notification for
 * the order the script places, made once per run (key generation is not on the measured path).
 * Used by bench/cold-start.bench.ts and by test/runtimes/cold-start-scripts.test.ts.
 */
import { createCipheriv, generateKeyPairSync, sign } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

const orderNumber = '2026112512000012345678';
const now = '2026-11-25T04:00:00.000Z';
const notifiedAt = '2026-11-25T04:05:01.000Z';

/** Writes `fixture.json` into `dir` and returns its path. */
export function makeFixture(dir: string): string {
  const platform = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const apiV3Key = '0123456789abcdef0123456789abcdef';
  const nonce = 'abcdefghijkl';
  const cipher = createCipheriv('aes-256-gcm', Buffer.from(apiV3Key), Buffer.from(nonce));
  cipher.setAAD(Buffer.from('transaction'));
  const plain = JSON.stringify({
    mchid: '1900000109',
    appid: 'wxapp',
    out_trade_no: orderNumber,
    transaction_id: '4200000001',
    trade_state: 'SUCCESS',
    success_time: '2026-11-25T12:05:00+08:00',
    amount: { total: 9900, currency: 'CNY' },
  });
  const ciphertext = Buffer.concat([cipher.update(plain), cipher.final(), cipher.getAuthTag()]).toString('base64');
  const rawBody = JSON.stringify({
    id: 'EV-1',
    event_type: 'TRANSACTION.SUCCESS',
    resource_type: 'encrypt-resource',
    resource: { algorithm: 'AEAD_AES_256_GCM', ciphertext, nonce, associated_data: 'transaction' },
  });
  const ts = String(Math.floor(Date.parse(notifiedAt) / 1000));
  const signature = sign('RSA-SHA256', Buffer.from(`${ts}\n${nonce}\n${rawBody}\n`), platform.privateKey).toString('base64');
  const fixture = {
    now,
    notifiedAt,
    orderNumber,
    mchid: '1900000109',
    appid: 'wxapp',
    apiV3Key,
    rawBody,
    headers: { 'wechatpay-timestamp': ts, 'wechatpay-nonce': nonce, 'wechatpay-signature': signature, 'wechatpay-serial': 'PUB_KEY_ID_1' },
    keys: { PUB_KEY_ID_1: platform.publicKey.export({ type: 'spki', format: 'pem' }) },
  };
  const file = join(dir, 'fixture.json');
  writeFileSync(file, JSON.stringify(fixture));
  return file;
}
