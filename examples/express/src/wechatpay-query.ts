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
 * up is recorded as a stray payment and refunded. The same client downloads the daily bills for the
 * reconciliation (reconciliation.ts).
 */
import { readFileSync } from 'node:fs';
import https from 'node:https';
import type { PaymentQuery } from './orderkit/index.js';
import { createNonce, createWechatPayQuery, signRequest, verifyWechatpaySignature, type WechatPayRequest } from './orderkit/wechatpay.js';
import type { WechatPayConfig } from './context.js';

export interface WechatPayClient {
  /** A signed v3 request; resolves with the verified JSON body of a 2xx answer. */
  send(request: WechatPayRequest): Promise<unknown>;
  /** A signed GET of a file (a bill); resolves with its bytes (the file's SHA-1 is checked by orderkit). */
  download(request: WechatPayRequest): Promise<Buffer>;
}

/** The example's signed HTTPS client, or undefined without the environment it needs. */
export function wechatpayClientFromEnv(env: NodeJS.ProcessEnv, config: WechatPayConfig | undefined): WechatPayClient | undefined {
  const { WECHATPAY_API_HOST: host, WECHATPAY_SERIAL_NO: serialNo, WECHATPAY_PRIVATE_KEY_FILE: keyFile } = env;
  if (!config || !host || !serialNo || !keyFile) return undefined;
  const privateKey = readFileSync(keyFile, 'utf8');
  const call = (request: WechatPayRequest, verify: boolean): Promise<Buffer> => {
    const signed = signRequest({ ...request, mchid: config.mchid, serialNo, privateKey, nonce: createNonce(), timestamp: new Date() });
    if (!signed.ok) return Promise.reject(signed.error);
    return new Promise((resolve, reject) => {
      const req = https.request(
        { host, path: request.path, method: request.method, timeout: 15000, headers: { Authorization: signed.authorization, Accept: 'application/json', 'User-Agent': 'orderkit-example', ...(request.headers ?? {}) } },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const raw = Buffer.concat(chunks);
            if ((res.statusCode ?? 500) >= 300) return reject(new Error(`WeChat Pay answered ${res.statusCode}: ${raw.toString('utf8').slice(0, 200)}`));
            // Trust an answer only with WeChat Pay's signature on it (bill files are checked by their SHA-1 instead).
            if (verify) {
              const verified = verifyWechatpaySignature({ headers: res.headers, rawBody: raw, keys: config.keys, now: new Date() });
              if (!verified.ok) return reject(verified.error);
            }
            resolve(raw);
          });
        },
      );
      req.on('timeout', () => req.destroy(new Error('WeChat Pay request timed out')));
      req.on('error', reject);
      req.end();
    });
  };
  return {
    send: async (request) => JSON.parse((await call(request, true)).toString('utf8')) as unknown,
    download: (request) => call(request, false),
  };
}

export function wechatpayQueryFromEnv(env: NodeJS.ProcessEnv, config: WechatPayConfig | undefined, log: (m: string) => void): PaymentQuery | undefined {
  const client = wechatpayClientFromEnv(env, config);
  if (!config || !client) return undefined;
  return createWechatPayQuery({
    mchid: config.mchid,
    ...(config.appid ? { appid: config.appid } : {}),
    send: (request) => client.send(request),
    onError: (error, order) => log(`payment query for ${order.number} failed (${error instanceof Error ? error.message : String(error)}); it stays open and is asked about again at the next sweep`),
  });
}
