import type { OrderkitError } from '../errors/orderkit-error.js';
import { AN_OBJECT, A_RESULT, badArgument, isObject } from './errors.js';

/**
 * What to answer WeChat Pay after a notification. Success is 204 with no body (200 works too);
 * anything else is 4xx/5xx with `{"code":"FAIL","message":…}`, and WeChat sends the notification
 * again later (up to 15 times over about 24 hours), which is why handling must be idempotent.
 */
export interface NotificationReply {
  status: number;
  headers: Record<string, string>;
  /** '' on success, else the JSON text of `{ code: 'FAIL', message }`. */
  body: string;
}

const UNAUTHORIZED = new Set([
  'MISSING_HEADER',
  'MALFORMED_HEADER',
  'STALE_TIMESTAMP',
  'SIGNATURE_PROBE',
  'UNKNOWN_SERIAL',
  'KEY_EXPIRED',
  'BAD_SIGNATURE',
]);

const BAD_REQUEST = new Set([
  'MALFORMED_BODY',
  'UNEXPECTED_EVENT_TYPE',
  'UNSUPPORTED_ALGORITHM',
  'DECRYPT_FAILED',
  'MALFORMED_RESOURCE',
  'MCHID_MISMATCH',
  'APPID_MISMATCH',
  'PAYMENT_NOT_SUCCESSFUL',
  'UNKNOWN_REFUND_STATUS',
  'INVALID_COMMAND',
  'UNKNOWN_ORDER',
]);

export interface NotificationResponseOptions {
  /** Language of the FAIL message. Default 'zh-CN' (what the merchant platform shows). */
  locale?: 'zh-CN' | 'en';
  /** Error codes to acknowledge as success anyway (stop the retries), e.g. a refund already settled. */
  acknowledge?: readonly string[];
}

/**
 * The HTTP reply for a notification result (from `handlePaymentNotification`, or from your own
 * dispatch step: anything `{ ok, error? }`). Signature problems answer 401, malformed or foreign
 * notifications 400, and everything else (a database error, a configuration problem) 500.
 *
 * @example
 * const reply = notificationResponse(result);
 * res.status(reply.status).set(reply.headers).send(reply.body);
 */
export function notificationResponse(
  result: { ok: boolean; error?: OrderkitError | { code: string; messages?: { 'zh-CN': string; en: string }; message?: string } },
  options: NotificationResponseOptions = {},
): NotificationReply {
  if (!isObject(result) || typeof result.ok !== 'boolean') throw badArgument('notificationResponse', 'result', A_RESULT);
  if (!isObject(options)) throw badArgument('notificationResponse', 'options', AN_OBJECT);
  if (options.acknowledge !== undefined && !Array.isArray(options.acknowledge)) throw badArgument('notificationResponse', 'options.acknowledge', { 'zh-CN': '错误码数组', en: 'an array of codes' });
  if (result.ok) return { status: 204, headers: {}, body: '' };
  const error = isObject(result.error) ? result.error : undefined;
  const code = typeof error?.code === 'string' ? error.code : 'INTERNAL_ERROR';
  if (options.acknowledge?.includes(code)) return { status: 204, headers: {}, body: '' };
  const status = UNAUTHORIZED.has(code) ? 401 : BAD_REQUEST.has(code) ? 400 : 500;
  const locale = options.locale ?? 'zh-CN';
  const text = error && 'messages' in error && error.messages ? error.messages[locale] : (error?.message ?? 'failed');
  const message = `${code}: ${text}`.slice(0, 256);
  return {
    status,
    headers: { 'Content-Type': 'application/json; charset=utf-8' },
    body: JSON.stringify({ code: 'FAIL', message }),
  };
}
