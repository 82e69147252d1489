import type { OrderkitError } from '../errors/orderkit-error.js';
import { OUT_TRADE_NO_PATTERN, type Order, type PaymentAttempt } from '../order/index.js';
import { editErrors } from './edit-errors.js';
import { ok, fail, type Result } from '../errors/result.js';

/**
 * Payment attempts (docs/lifecycle.md "Edits and payment attempts"). An order's number never changes;
 * each attempt to collect its money has an `out_trade_no` of its own, because WeChat Pay refuses
 * an `out_trade_no` it has seen with a different amount or an expired `time_expire`. Attempt 1 is
 * the number itself, attempt n ≥ 2 is `${number}-${n}`: short, readable in the merchant platform,
 * and the order number is recovered by cutting the suffix.
 */

/**
 * Most attempts one order may have. With the longest number `createOrderNumber` makes (28
 * characters) `-99` still fits WeChat's 32; a shop that re-prices one order that often has another
 * problem.
 */
export const MAX_PAYMENT_ATTEMPTS = 99;

/** WeChat Pay's limit for `out_trade_no` (and cloudPay's `outTradeNo`). */
export const MAX_OUT_TRADE_NO_LENGTH = 32;

/**
 * The `out_trade_no` of attempt `n` (1-based) of the order numbered `number`.
 *
 * @example
 * attemptOutTradeNo('202611251200004821937465', 1) // '202611251200004821937465'
 * attemptOutTradeNo('202611251200004821937465', 2) // '202611251200004821937465-2'
 */
export function attemptOutTradeNo(number: string, n: number): string {
  return n <= 1 ? number : `${number}-${n}`;
}

/**
 * The order number an `out_trade_no` of orderkit's belongs to: the text before a `-n` suffix
 * (n ≥ 2), or the whole text. Order numbers from `createOrderNumber` never contain `-`, so this
 * is exact for them.
 *
 * @example
 * orderNumberOfOutTradeNo('202611251200004821937465-3') // '202611251200004821937465'
 */
export function orderNumberOfOutTradeNo(outTradeNo: string): string {
  const m = /^(.+)-(\d{1,3})$/.exec(outTradeNo);
  return m !== null && Number(m[2]) >= 2 ? m[1]! : outTradeNo;
}

/**
 * The attempt that may still be paid: the latest `open` one, or undefined when there is none
 * (paid, closed, or a free order).
 *
 * @example
 * currentAttempt(order)?.outTradeNo // what the next prepay must use
 */
export function currentAttempt(order: Pick<Order, 'payment'>): PaymentAttempt | undefined {
  const attempts = order.payment.attempts;
  for (let i = attempts.length - 1; i >= 0; i--) if (attempts[i]!.status === 'open') return attempts[i];
  return undefined;
}

/**
 * The `out_trade_no` the order's next attempt would get, or a typed error when the order has had
 * `MAX_PAYMENT_ATTEMPTS` already (TOO_MANY_PAYMENT_ATTEMPTS) or its number leaves no room for a
 * suffix within 32 characters of `[0-9A-Za-z_-]` (OUT_TRADE_NO_TOO_LONG).
 *
 * @example
 * const next = nextAttemptOutTradeNo(order);
 * if (next.ok) next.outTradeNo // '…-2' after the first attempt
 */
export function nextAttemptOutTradeNo(order: Pick<Order, 'number' | 'payment'>): Result<{ outTradeNo: string }> {
  const n = order.payment.attempts.length + 1;
  if (n > MAX_PAYMENT_ATTEMPTS) return fail(editErrors.tooManyAttempts(MAX_PAYMENT_ATTEMPTS));
  const outTradeNo = attemptOutTradeNo(order.number, n);
  if (outTradeNo.length > MAX_OUT_TRADE_NO_LENGTH || !OUT_TRADE_NO_PATTERN.test(outTradeNo)) {
    return fail(editErrors.outTradeNoTooLong(outTradeNo));
  }
  for (const a of order.payment.attempts) if (a.outTradeNo === outTradeNo) return fail(editErrors.outTradeNoTaken(outTradeNo));
  return ok({ outTradeNo });
}
