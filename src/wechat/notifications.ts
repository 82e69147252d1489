import type { OrderkitError } from '../errors/orderkit-error.js';
import { decryptResource } from './decrypt.js';
import { reject, same } from './errors.js';
import { parsePaymentResource, parseRefundResource, type MerchantIdentity, type PaymentNotice, type RefundNotice } from './resources.js';
import { verifyNotification, type SignedMessageInput } from './verify.js';
import type { Result } from '../errors/result.js';

/**
 * The whole notification pipeline in one call, in the only safe order: verify the signature and
 * the time window, then decrypt, then check the merchant and the trade state, then build the
 * command. Nothing is decrypted or trusted before the signature verifies.
 */
export interface HandleNotificationInput extends SignedMessageInput {
  /** The APIv3 key (32 bytes) that decrypts `resource`. */
  apiV3Key: string | Buffer;
  /** Our merchant id and app id: a notification for anyone else is refused. */
  expect: MerchantIdentity;
}

interface NotificationMeta {
  /** The notification's own id (`id`): useful in logs; repeats keep the same id. */
  notificationId: string;
  eventType: string;
}

export type PaymentNotificationResult = Result<PaymentNotice & NotificationMeta>;
export type RefundNotificationResult = Result<RefundNotice & NotificationMeta>;
export type NotificationResult = PaymentNotificationResult | RefundNotificationResult;

export const PAYMENT_EVENT_TYPES = ['TRANSACTION.SUCCESS'] as const;
export const REFUND_EVENT_TYPES = ['REFUND.SUCCESS', 'REFUND.ABNORMAL', 'REFUND.CLOSED'] as const;

function decryptVerified(input: HandleNotificationInput, accept: readonly string[]) {
  const verified = verifyNotification(input);
  if (!verified.ok) return verified;
  const { notification } = verified;
  if (!accept.includes(notification.event_type)) {
    return reject('UNEXPECTED_EVENT_TYPE', {
      path: ['rawBody', 'event_type'],
      detail: same(`${notification.event_type.slice(0, 40)} (expected ${accept.join(' / ')})`),
    });
  }
  const decrypted = decryptResource(notification.resource, input.apiV3Key);
  if (!decrypted.ok) return decrypted;
  return { ok: true as const, data: decrypted.data, meta: { notificationId: notification.id, eventType: notification.event_type } };
}

/**
 * Verifies, decrypts and checks a payment notification (`TRANSACTION.SUCCESS`) and returns the
 * `PAYMENT_SUCCEEDED` command with the `out_trade_no` to find the order by. The amount is checked
 * by `transition()` against the paid attempt (`AMOUNT_MISMATCH`, order unchanged). Dispatching the
 * command is idempotent, so the up to 15 repeats WeChat sends change the order once.
 *
 * @example
 * const n = handlePaymentNotification({ headers: req.headers, rawBody, keys, apiV3Key, now: new Date(),
 *   expect: { mchid: '1900000109', appid: 'wxd678efh567hg6787' } });
 * if (n.ok) await applyPaymentNotice(service, n, { gateway: 'wechatpay' });
 * const reply = notificationResponse(n); // 204 '' or 4xx/5xx { code: 'FAIL', message }
 */
export function handlePaymentNotification(input: HandleNotificationInput): PaymentNotificationResult {
  const d = decryptVerified(input, PAYMENT_EVENT_TYPES);
  if (!d.ok) return d;
  const payment = parsePaymentResource(d.data, input.expect);
  if (!payment.ok) return payment;
  return { ...payment, ...d.meta };
}

/**
 * Verifies, decrypts and checks a refund notification (`REFUND.SUCCESS`, `REFUND.ABNORMAL`,
 * `REFUND.CLOSED`) and returns `REFUND_SUCCEEDED` or `REFUND_FAILED` for the refund
 * `out_refund_no` (orderkit's refund id). A refund the order does not know is refused by
 * `transition()`.
 *
 * @example
 * const n = handleRefundNotification({ headers, rawBody, keys, apiV3Key, now: new Date(), expect: { mchid } });
 * if (n.ok) await applyRefundNotice(service, n, { gateway: 'wechatpay' });
 */
export function handleRefundNotification(input: HandleNotificationInput): RefundNotificationResult {
  const d = decryptVerified(input, REFUND_EVENT_TYPES);
  if (!d.ok) return d;
  const refund = parseRefundResource(d.data, { mchid: input.expect?.mchid });
  if (!refund.ok) return refund;
  return { ...refund, ...d.meta };
}

/**
 * One endpoint for both kinds: dispatches on `event_type` after verification. Check `kind`.
 *
 * @example
 * const n = handleNotification(input);
 * if (n.ok && n.kind === 'refund') await applyRefundNotice(service, n, { gateway: 'wechatpay' });
 */
export function handleNotification(input: HandleNotificationInput): NotificationResult {
  const d = decryptVerified(input, [...PAYMENT_EVENT_TYPES, ...REFUND_EVENT_TYPES]);
  if (!d.ok) return d;
  if ((PAYMENT_EVENT_TYPES as readonly string[]).includes(d.meta.eventType)) {
    const payment = parsePaymentResource(d.data, input.expect);
    return payment.ok ? { ...payment, ...d.meta } : payment;
  }
  const refund = parseRefundResource(d.data, { mchid: input.expect?.mchid });
  return refund.ok ? { ...refund, ...d.meta } : refund;
}

/**
 * The name the WeChat issue uses for the payment entry point: the same function as
 * `handlePaymentNotification` (verify → decrypt → check → `PAYMENT_SUCCEEDED`).
 *
 * @example
 * const n = parsePaymentNotification({ headers, rawBody, keys, apiV3Key, now: new Date(), expect: { mchid, appid } });
 */
export const parsePaymentNotification = handlePaymentNotification;
