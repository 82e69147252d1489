import { createCipheriv, randomBytes, sign, type KeyObject } from 'node:crypto';

/** Builds notifications exactly as WeChat Pay does: encrypt the resource, sign the body. */
export const API_V3_KEY = 'orderkitTestApiV3Key0123456789ab'; // 32 bytes
export const MCHID = '1900000109';
export const APPID = 'wxd678efh567hg6787';

export function encryptResource(plain: unknown, key = API_V3_KEY, options: { nonce?: string; aad?: string } = {}) {
  const nonce = options.nonce ?? randomBytes(6).toString('hex');
  const aad = options.aad ?? 'transaction';
  const cipher = createCipheriv('aes-256-gcm', Buffer.from(key, 'utf8'), Buffer.from(nonce, 'utf8'));
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  const body = Buffer.concat([cipher.update(JSON.stringify(plain), 'utf8'), cipher.final(), cipher.getAuthTag()]);
  return { algorithm: 'AEAD_AES_256_GCM', ciphertext: body.toString('base64'), nonce, associated_data: aad, original_type: 'transaction' };
}

/** Encrypts text as it is (a certificate PEM), the way `GET /v3/certificates` does. */
export function encryptText(text: string, key = API_V3_KEY, options: { nonce?: string; aad?: string } = {}) {
  const nonce = options.nonce ?? randomBytes(6).toString('hex');
  const aad = options.aad ?? 'certificate';
  const cipher = createCipheriv('aes-256-gcm', Buffer.from(key, 'utf8'), Buffer.from(nonce, 'utf8'));
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  const body = Buffer.concat([cipher.update(text, 'utf8'), cipher.final(), cipher.getAuthTag()]);
  return { algorithm: 'AEAD_AES_256_GCM', ciphertext: body.toString('base64'), nonce, associated_data: aad };
}

export function signedHeaders(rawBody: string, signer: { privateKey: KeyObject; serial: string }, at: Date, nonce = randomBytes(8).toString('hex')) {
  const timestamp = String(Math.floor(at.getTime() / 1000));
  const signature = sign('RSA-SHA256', Buffer.from(`${timestamp}\n${nonce}\n${rawBody}\n`, 'utf8'), signer.privateKey).toString('base64');
  return {
    'wechatpay-timestamp': timestamp,
    'wechatpay-nonce': nonce,
    'wechatpay-signature': signature,
    'wechatpay-serial': signer.serial,
  };
}

export function transactionResource(over: Record<string, unknown> = {}) {
  return {
    appid: APPID,
    mchid: MCHID,
    out_trade_no: '202611251200004821937465',
    transaction_id: '4200001234202611251234567890',
    trade_type: 'JSAPI',
    trade_state: 'SUCCESS',
    trade_state_desc: '支付成功',
    bank_type: 'CMC',
    attach: 'order-1',
    success_time: '2026-11-25T12:05:00+08:00',
    payer: { openid: 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o' },
    amount: { total: 9900, payer_total: 9900, currency: 'CNY', payer_currency: 'CNY' },
    ...over,
  };
}

export function refundResource(over: Record<string, unknown> = {}) {
  return {
    mchid: MCHID,
    out_trade_no: '202611251200004821937465',
    transaction_id: '4200001234202611251234567890',
    out_refund_no: '202611251200004821937465R1',
    refund_id: '50000000382019052709732678859',
    refund_status: 'SUCCESS',
    success_time: '2026-11-26T10:00:00+08:00',
    user_received_account: '招商银行信用卡0403',
    amount: { total: 9900, refund: 3300, payer_total: 9900, payer_refund: 3300 },
    ...over,
  };
}

export function notificationBody(resource: unknown, eventType = 'TRANSACTION.SUCCESS', id = 'EV-2018022511223320873'): string {
  return JSON.stringify({
    id,
    create_time: '2026-11-25T12:05:01+08:00',
    resource_type: 'encrypt-resource',
    event_type: eventType,
    summary: eventType.startsWith('REFUND') ? '退款成功' : '支付成功',
    resource,
  });
}
