import { createDecipheriv, createHash, timingSafeEqual } from 'node:crypto';
import type { OrderkitError } from '../errors/orderkit-error.js';
import type { CommandOf } from '../order/index.js';
import type { OrderService, ServiceResult } from '../service/types.js';
import { resolveOrderId, type DispatchingService } from './dispatch.js';
import { A_RESULT, badArgument, isObject, reject, same } from './errors.js';
import { orderNumberFromOutTradeNo } from './resources.js';
import { bodyBytes, isRecord } from './text.js';
import { ok, fail, type Result, type Failure } from '../errors/result.js';

/**
 * WeChat's own order events: the mini program message push (消息推送) of the shipping-information
 * service (发货信息管理), docs/wechat.md "WeChat's order events". They arrive signed with the
 * message-push Token (and, in safe mode, encrypted with the EncodingAESKey), in the JSON data
 * format. Verified and decrypted like the Pay notifications, nothing is read before the signature
 * checks; then `trade_manage_order_settlement` tells that a receipt was confirmed and the money
 * settled, which `applyOrderEvent` turns into CONFIRM_RECEIPT and RECORD_SETTLEMENT.
 */

const BRAND = 'orderkit.wechat.messagePush';

export interface MessagePushConfigInput {
  /** The message-push Token of the mini program (3–32 letters and digits). */
  token: string;
  /** Safe mode: the 43-character EncodingAESKey. Without it only plain-mode messages are accepted. */
  encodingAESKey?: string;
  /** The mini program's AppID: an encrypted message for another app is refused. */
  appid: string;
  /** Our merchant id: an event of another merchant is refused. */
  mchid: string;
}

export interface MessagePushConfig {
  readonly brand: typeof BRAND;
  readonly token: string;
  readonly aesKey?: Buffer;
  readonly appid: string;
  readonly mchid: string;
}

/**
 * Checks the message-push settings once, at start-up: a Token of the wrong shape, an
 * EncodingAESKey that is not 43 base64 characters (32 bytes), a missing appid or mchid is
 * `INVALID_CONFIG` here, never a failed event later.
 *
 * @example
 * const push = createMessagePushConfig({ token, encodingAESKey, appid, mchid });
 * if (!push.ok) throw push.error;
 */
export function createMessagePushConfig(input: unknown): Result<{ config: MessagePushConfig }> {
  if (!isRecord(input)) return reject('INVALID_CONFIG', { path: [], detail: same('expected an object') });
  const { token, encodingAESKey, appid, mchid } = input;
  if (typeof token !== 'string' || !/^[A-Za-z0-9]{3,32}$/.test(token)) return reject('INVALID_CONFIG', { path: ['token'], detail: same('the Token is 3–32 letters or digits') });
  if (typeof appid !== 'string' || !/^[\x21-\x7e]{1,32}$/.test(appid)) return reject('INVALID_CONFIG', { path: ['appid'], detail: same('appid is required') });
  if (typeof mchid !== 'string' || !/^\d{6,32}$/.test(mchid)) return reject('INVALID_CONFIG', { path: ['mchid'], detail: same('mchid must be 6–32 digits') });
  const config: { brand: typeof BRAND; token: string; aesKey?: Buffer; appid: string; mchid: string } = { brand: BRAND, token, appid, mchid };
  if (encodingAESKey !== undefined) {
    if (typeof encodingAESKey !== 'string' || !/^[A-Za-z0-9+/]{43}$/.test(encodingAESKey)) {
      return reject('INVALID_CONFIG', { path: ['encodingAESKey'], detail: same('the EncodingAESKey is 43 base64 characters') });
    }
    config.aesKey = Buffer.from(`${encodingAESKey}=`, 'base64');
  }
  return ok({ config: Object.freeze(config) });
}

/** `trade_manage_order_settlement`: an order will settle, or has settled (and how receipt was confirmed). */
export interface SettlementEvent {
  kind: 'settlement';
  transactionId: string;
  mchid: string;
  outTradeNo: string;
  orderNumber: string;
  paidAt?: string;
  shippedAt?: string;
  /** Sent when the order shipped: when WeChat expects to settle. */
  estimatedSettlementAt?: string;
  /** Sent at settlement: how receipt was confirmed (1 by WeChat automatically, 2 by the shopper). */
  receiptConfirmedBy?: 'wechat_auto' | 'shopper';
  receiptConfirmedAt?: string;
  settledAt?: string;
}

/** `trade_manage_remind_shipping` / `trade_manage_remind_access_api`: reminders, nothing to apply. */
export interface ReminderEvent {
  kind: 'remind_shipping' | 'remind_access_api';
  message: string;
}

export type OrderEventMessage = SettlementEvent | ReminderEvent;
export type OrderEventResult = Result<{ event: OrderEventMessage; createdAt?: string }>;

export interface OrderEventInput {
  /** The query string of the push URL (`signature`, `timestamp`, `nonce`, and `msg_signature` in safe mode). */
  query: unknown;
  /** The body exactly as received. */
  rawBody: unknown;
  config: MessagePushConfig;
  /** Default: the current time. */
  now?: Date;
  /** Default 300. */
  maxSkewSeconds?: number;
}

function queryValue(query: unknown, name: string): string | undefined {
  if (!isRecord(query)) return undefined;
  const v = query[name];
  if (Array.isArray(v)) return v.length === 1 && typeof v[0] === 'string' ? v[0] : undefined;
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** sha1 of the sorted, joined parts: the message-push signature. */
export function messagePushSignature(parts: readonly string[]): string {
  if (!Array.isArray(parts) || !parts.every((p) => typeof p === 'string')) throw badArgument('messagePushSignature', 'parts', { 'zh-CN': '字符串数组', en: 'an array of strings' });
  return createHash('sha1').update([...parts].sort().join(''), 'utf8').digest('hex');
}

function sameHex(a: string, b: string): boolean {
  const x = Buffer.from(a.toLowerCase(), 'utf8');
  const y = Buffer.from(b.toLowerCase(), 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}

/** AES-256-CBC with the EncodingAESKey; plaintext = 16 random bytes, 4-byte length, message, appid. */
function decryptPush(encrypted: string, config: MessagePushConfig): Result<{ message: string }> {
  if (config.aesKey === undefined) return reject('INVALID_CONFIG', { path: ['encodingAESKey'], detail: same('an encrypted message needs the EncodingAESKey') });
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encrypted)) return reject('DECRYPT_FAILED', { path: ['rawBody', 'Encrypt'], detail: same('not base64') });
  let plain: Buffer;
  try {
    const decipher = createDecipheriv('aes-256-cbc', config.aesKey, config.aesKey.subarray(0, 16));
    decipher.setAutoPadding(false);
    plain = Buffer.concat([decipher.update(Buffer.from(encrypted, 'base64')), decipher.final()]);
  } catch {
    return reject('DECRYPT_FAILED', { path: ['rawBody', 'Encrypt'] });
  }
  const pad = plain.length > 0 ? plain[plain.length - 1]! : 0;
  if (pad < 1 || pad > 32 || plain.length < 20 + pad) return reject('DECRYPT_FAILED', { path: ['rawBody', 'Encrypt'], detail: same('bad padding') });
  const body = plain.subarray(0, plain.length - pad);
  const length = body.readUInt32BE(16);
  if (20 + length > body.length) return reject('DECRYPT_FAILED', { path: ['rawBody', 'Encrypt'], detail: same('bad length') });
  const appid = body.subarray(20 + length).toString('utf8');
  if (appid !== config.appid) return reject('APPID_MISMATCH', { path: ['rawBody', 'Encrypt'], detail: same(`${appid.slice(0, 32)} ≠ ${config.appid}`) });
  return ok({ message: body.subarray(20, 20 + length).toString('utf8') });
}

function seconds(value: unknown): string | undefined {
  const n = typeof value === 'string' && /^\d{1,12}$/.test(value) ? Number(value) : value;
  return typeof n === 'number' && Number.isSafeInteger(n) && n > 0 ? new Date(n * 1000).toISOString() : undefined;
}

function parseMessage(data: Record<string, unknown>, config: MessagePushConfig): OrderEventResult {
  const event = data.Event;
  if (event === 'trade_manage_remind_shipping' || event === 'trade_manage_remind_access_api') {
    return ok({ event: { kind: event === 'trade_manage_remind_shipping' ? 'remind_shipping' : 'remind_access_api', message: typeof data.msg === 'string' ? data.msg.slice(0, 200) : '' } });
  }
  if (event !== 'trade_manage_order_settlement') {
    return reject('UNEXPECTED_EVENT_TYPE', { path: ['rawBody', 'Event'], detail: same(String(event).slice(0, 40)) });
  }
  const { transaction_id: tx, merchant_id: mchid, merchant_trade_no: outTradeNo } = data;
  if (typeof tx !== 'string' || tx === '' || typeof mchid !== 'string' || typeof outTradeNo !== 'string' || outTradeNo === '' || outTradeNo.length > 32) {
    return reject('MALFORMED_RESOURCE', { path: ['rawBody'], detail: same('transaction_id, merchant_id and merchant_trade_no are required') });
  }
  if (mchid !== config.mchid) return reject('MCHID_MISMATCH', { path: ['rawBody', 'merchant_id'], detail: same(`${mchid.slice(0, 32)} ≠ ${config.mchid}`) });
  const out: SettlementEvent = { kind: 'settlement', transactionId: tx.slice(0, 64), mchid, outTradeNo, orderNumber: orderNumberFromOutTradeNo(outTradeNo) };
  const fields: Array<[keyof SettlementEvent, unknown]> = [
    ['paidAt', data.pay_time],
    ['shippedAt', data.shipped_time],
    ['estimatedSettlementAt', data.estimated_settlement_time],
    ['receiptConfirmedAt', data.confirm_receive_time],
    ['settledAt', data.settlement_time],
  ];
  for (const [key, raw] of fields) {
    if (raw === undefined || raw === 0 || raw === '0' || raw === '') continue;
    const iso = seconds(raw);
    if (iso === undefined) return reject('MALFORMED_RESOURCE', { path: ['rawBody', key], detail: same('expected seconds since the epoch') });
    (out as unknown as Record<string, string>)[key] = iso;
  }
  const method = data.confirm_receive_method;
  if (method !== undefined && method !== 0) {
    if (method !== 1 && method !== 2 && method !== '1' && method !== '2') return reject('MALFORMED_RESOURCE', { path: ['rawBody', 'confirm_receive_method'], detail: same('1 or 2') });
    out.receiptConfirmedBy = String(method) === '2' ? 'shopper' : 'wechat_auto';
  }
  return ok({ event: out });
}

/**
 * Verifies and parses one order event of the shipping-information service: the signature over
 * Token, `timestamp` and `nonce` (and the ciphertext, in safe mode), the time window, the
 * decryption and the appid inside it, then the event's fields and merchant. Every failure is a
 * typed error (`MISSING_HEADER`, `STALE_TIMESTAMP`, `BAD_SIGNATURE`, `DECRYPT_FAILED`,
 * `APPID_MISMATCH`, `MCHID_MISMATCH`, `MALFORMED_BODY`, `UNEXPECTED_EVENT_TYPE`…). Never throws.
 *
 * @example
 * const e = handleOrderEvent({ query: req.query, rawBody: req.body, config: push, now: new Date() });
 * const r = e.ok ? await applyOrderEvent(service, e.event) : e;
 * res.status(orderEventResponse(r).status).send(orderEventResponse(r).body);
 */
export function handleOrderEvent(input: OrderEventInput): OrderEventResult {
  const config = input?.config;
  if (!isRecord(config) || config.brand !== BRAND) return reject('INVALID_CONFIG', { path: ['config'], detail: same('use createMessagePushConfig') });
  const timestamp = queryValue(input.query, 'timestamp');
  const nonce = queryValue(input.query, 'nonce');
  if (timestamp === undefined || !/^\d{1,12}$/.test(timestamp)) return reject('MISSING_HEADER', { path: ['query', 'timestamp'], detail: same('timestamp') });
  if (nonce === undefined) return reject('MISSING_HEADER', { path: ['query', 'nonce'], detail: same('nonce') });
  const now = input.now ?? new Date();
  const skew = Math.abs(now.getTime() / 1000 - Number(timestamp));
  const maxSkew = input.maxSkewSeconds ?? 300;
  if (!(skew <= maxSkew)) return reject('STALE_TIMESTAMP', { path: ['query', 'timestamp'], detail: { 'zh-CN': `相差 ${Math.round(skew)} 秒`, en: `${Math.round(skew)} s apart` } });
  const bytes = bodyBytes(input.rawBody);
  if (bytes === null) return reject('MALFORMED_BODY', { path: ['rawBody'], detail: same('pass the raw body (a string or a Buffer)') });
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch {
    json = undefined;
  }
  const encrypted = isRecord(json) && typeof json.Encrypt === 'string' ? json.Encrypt : undefined;
  let message: unknown = json;
  if (encrypted !== undefined) {
    const msgSignature = queryValue(input.query, 'msg_signature');
    if (msgSignature === undefined) return reject('MISSING_HEADER', { path: ['query', 'msg_signature'], detail: same('msg_signature') });
    if (!sameHex(msgSignature, messagePushSignature([config.token, timestamp, nonce, encrypted]))) return reject('BAD_SIGNATURE', { path: ['query', 'msg_signature'] });
    const decrypted = decryptPush(encrypted, config);
    if (!decrypted.ok) return decrypted;
    try {
      message = JSON.parse(decrypted.message);
    } catch {
      return reject('MALFORMED_BODY', { path: ['rawBody', 'Encrypt'], detail: same('the message is not JSON (choose the JSON data format)') });
    }
  } else {
    const signature = queryValue(input.query, 'signature');
    if (signature === undefined) return reject('MISSING_HEADER', { path: ['query', 'signature'], detail: same('signature') });
    if (!sameHex(signature, messagePushSignature([config.token, timestamp, nonce]))) return reject('BAD_SIGNATURE', { path: ['query', 'signature'] });
    if (config.aesKey !== undefined) {
      // A shop in safe mode never receives plain messages: a plain one is not from WeChat.
      return reject('MALFORMED_BODY', { path: ['rawBody'], detail: same('safe mode expects an encrypted message') });
    }
  }
  if (!isRecord(message)) return reject('MALFORMED_BODY', { path: ['rawBody'], detail: same('not a JSON message') });
  const parsed = parseMessage(message, config);
  if (!parsed.ok) return parsed;
  const createdAt = seconds(message.CreateTime);
  return createdAt === undefined ? parsed : { ...parsed, createdAt };
}

export interface AppliedOrderEvent {
  ok: true;
  /** What was dispatched, in order, with the service's answers. */
  applied: Array<{ command: CommandOf<'CONFIRM_RECEIPT'> | CommandOf<'RECORD_SETTLEMENT'>; result: ServiceResult }>;
}

/**
 * Applies a verified settlement event to its order (found by `merchant_trade_no` through the
 * store's `findByNumber`; `UNKNOWN_ORDER` when none has it, and nothing changes):
 * - receipt confirmed by the shopper inside WeChat → CONFIRM_RECEIPT as that shopper (an order
 *   already completed, or not yet shipped, is left as it is and the answer says why);
 * - receipt confirmed by WeChat automatically → no command: the shop's own auto-confirm timer
 *   completes the order;
 * - settled → RECORD_SETTLEMENT (`payment.settledAt`; a repeat is a no-op).
 * Reminders apply nothing.
 *
 * @example
 * const r = await applyOrderEvent(service, e.event);
 */
export async function applyOrderEvent(
  service: DispatchingService & Pick<OrderService, 'get'>,
  event: OrderEventMessage,
  options: { gateway?: string } = {},
): Promise<AppliedOrderEvent | Failure> {
  if (!isObject(service) || typeof service.dispatch !== 'function' || typeof service.get !== 'function') {
    return fail(badArgument('applyOrderEvent', 'service', { 'zh-CN': '带 dispatch 与 get 的订单服务', en: 'an order service with dispatch and get' }));
  }
  if (!isObject(event) || typeof event.kind !== 'string') return fail(badArgument('applyOrderEvent', 'event', { 'zh-CN': 'handleOrderEvent 的事件', en: 'an event from handleOrderEvent' }));
  if (event.kind === 'settlement' && typeof event.orderNumber !== 'string') return fail(badArgument('applyOrderEvent', 'event.orderNumber', { 'zh-CN': '字符串', en: 'a string' }));
  if (!isObject(options)) return fail(badArgument('applyOrderEvent', 'options', { 'zh-CN': '对象', en: 'an object' }));
  if (event.kind !== 'settlement') return ok({ applied: [] });
  const resolved = await resolveOrderId(service, { orderNumber: event.orderNumber });
  if (!resolved.ok) return resolved;
  const order = await service.get(resolved.orderId);
  if (order === null) return reject('UNKNOWN_ORDER', { path: ['merchant_trade_no'], detail: same(event.orderNumber.slice(0, 32)) });
  if (order.payment.transactionId !== event.transactionId) {
    return reject('MALFORMED_RESOURCE', { path: ['transaction_id'], detail: same(`the order was paid by ${order.payment.transactionId ?? 'nothing'}, not ${event.transactionId}`) });
  }
  const applied: AppliedOrderEvent['applied'] = [];
  if (event.receiptConfirmedBy === 'shopper' && (order.status === 'shipped' || order.status === 'delivered')) {
    const command: CommandOf<'CONFIRM_RECEIPT'> = { type: 'CONFIRM_RECEIPT' };
    const result = await service.dispatch(order.id, command, { type: 'customer', id: order.customerId }, { idempotencyKey: `wx-confirm:${event.transactionId}` });
    if (!result.ok) return result;
    applied.push({ command, result });
  }
  if (event.settledAt !== undefined) {
    const command: CommandOf<'RECORD_SETTLEMENT'> = { type: 'RECORD_SETTLEMENT', transactionId: event.transactionId, settledAt: event.settledAt };
    const result = await service.dispatch(order.id, command, { type: 'payment', gateway: options.gateway ?? 'wechatpay' });
    if (!result.ok) return result;
    applied.push({ command, result });
  }
  return ok({ applied });
}

/**
 * The HTTP answer for a message push: 200 `success` when handled, otherwise a 4xx/5xx with the
 * code (WeChat then pushes again).
 *
 * @example
 * const reply = orderEventResponse(r); res.status(reply.status).type('text').send(reply.body);
 */
export function orderEventResponse(result: { ok: boolean; error?: { code: string } }): { status: number; body: string } {
  if (!isObject(result) || typeof result.ok !== 'boolean') throw badArgument('orderEventResponse', 'result', A_RESULT);
  if (result.ok) return { status: 200, body: 'success' };
  const code = isObject(result.error) && typeof result.error.code === 'string' ? result.error.code : 'INTERNAL_ERROR';
  const status = ['MISSING_HEADER', 'STALE_TIMESTAMP', 'BAD_SIGNATURE'].includes(code) ? 401 : code === 'INTERNAL_ERROR' || code === 'INVALID_CONFIG' ? 500 : 400;
  return { status, body: code };
}
