/**
 * Reconcile before closing: the sweeper asks WeChat Pay about an unpaid order's open attempt before
 * it expires the order (orderkit's `createWechatPayQuery`). orderkit opens no connection itself;
 * this file is the example's own signed HTTPS client for that one GET.
 *
 * Environment (besides the WECHATPAY_* variables of the notification route):
 *   WECHATPAY_API_HOST           the Pay API host from WeChat Pay's documentation
 *   WECHATPAY_SERIAL_NO          serial number of the merchant API certificate
 *   WECHATPAY_PRIVATE_KEY_FILE   the merchant API private key (PEM)
 * Without them there is nobody to ask: unpaid orders expire on time, and a payment that still turns
 * up is recorded as a stray payment and refunded.
 */
import { readFileSync } from 'node:fs';
import https from 'node:https';
import type { PaymentQuery } from './orderkit/index.js';
import { createNonce, createWechatPayQuery, signRequest, verifyWechatpaySignature, type WechatPayRequest } from './orderkit/wechatpay.js';
import type { WechatPayConfig } from './context.js';

export function wechatpayQueryFromEnv(env: NodeJS.ProcessEnv, config: WechatPayConfig | undefined, log: (m: string) => void): PaymentQuery | undefined {
  const { WECHATPAY_API_HOST: host, WECHATPAY_SERIAL_NO: serialNo, WECHATPAY_PRIVATE_KEY_FILE: keyFile } = env;
  if (!config || !host || !serialNo || !keyFile) return undefined;
  const privateKey = readFileSync(keyFile, 'utf8');
  const send = (request: WechatPayRequest): Promise<unknown> => {
    const signed = signRequest({ ...request, mchid: config.mchid, serialNo, privateKey, nonce: createNonce(), timestamp: new Date() });
    if (!signed.ok) return Promise.reject(signed.error);
    return new Promise((resolve, reject) => {
      const req = https.request(
        { host, path: request.path, method: request.method, timeout: 5000, headers: { Authorization: signed.authorization, Accept: 'application/json', 'User-Agent': 'orderkit-example' } },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const raw = Buffer.concat(chunks);
            // Trust the answer only with WeChat Pay's signature on it.
            const verified = verifyWechatpaySignature({ headers: res.headers, rawBody: raw, keys: config.keys, now: new Date() });
            if (!verified.ok) return reject(verified.error);
            if ((res.statusCode ?? 500) >= 300) return reject(new Error(`WeChat Pay answered ${res.statusCode}: ${raw.toString('utf8').slice(0, 200)}`));
            try {
              resolve(JSON.parse(raw.toString('utf8')));
            } catch (error) {
              reject(error);
            }
          });
        },
      );
      req.on('timeout', () => req.destroy(new Error('WeChat Pay query timed out')));
      req.on('error', reject);
      req.end();
    });
  };
  return createWechatPayQuery({
    mchid: config.mchid,
    ...(config.appid ? { appid: config.appid } : {}),
    send,
    onError: (error, order) => log(`payment query for ${order.number} failed (${error instanceof Error ? error.message : String(error)}); it stays open and is asked about again at the next sweep`),
  });
}
