import { OrderkitError } from '../errors/orderkit-error.js';
import { formatFen } from '../money/format.js';

/** Stable codes of the balance port (docs/payment-sources.md "Errors"). */
export const BALANCE_ERROR_CODES = Object.freeze({
  insufficient: 'INSUFFICIENT_BALANCE',
  invalid: 'INVALID_BALANCE_MOVEMENT',
  keyReused: 'BALANCE_KEY_REUSED',
  creditExceedsDebit: 'BALANCE_CREDIT_EXCEEDS_DEBIT',
  unavailable: 'BALANCE_UNAVAILABLE',
  placementUnknown: 'BALANCE_PLACEMENT_UNKNOWN',
} as const);

export type BalanceErrorCode = (typeof BALANCE_ERROR_CODES)[keyof typeof BALANCE_ERROR_CODES];

/** Whether an error is one of the port's refusals (a result for the caller, not a crash). */
export function isBalanceError(error: unknown): error is OrderkitError {
  const code = (error as { code?: unknown } | null)?.code;
  return error instanceof OrderkitError && Object.values(BALANCE_ERROR_CODES).indexOf(code as BalanceErrorCode) >= 0;
}

export const balanceErrors = {
  insufficient(wanted: number, balance: number): OrderkitError {
    return new OrderkitError({
      code: BALANCE_ERROR_CODES.insufficient,
      message: {
        'zh-CN': `余额不足：需要 ${formatFen(wanted)}，可用 ${formatFen(balance)}，未扣款`,
        en: `insufficient balance: ${formatFen(wanted)} needed, ${formatFen(balance)} available; nothing was debited`,
      },
      path: ['payWith', 'balance'],
      details: { wanted, balance },
    });
  },
  invalid(field: string, zh: string, en: string): OrderkitError {
    return new OrderkitError({ code: BALANCE_ERROR_CODES.invalid, message: { 'zh-CN': `余额变动不正确：${zh}`, en: `invalid balance movement: ${en}` }, path: [field] });
  },
  keyReused(orderId: string, key: string): OrderkitError {
    return new OrderkitError({
      code: BALANCE_ERROR_CODES.keyReused,
      message: { 'zh-CN': `订单 ${orderId} 的余额变动 ${key} 已以不同内容执行过，未变动`, en: `balance movement ${key} of order ${orderId} already ran with other content; nothing moved` },
      path: ['key'],
      details: { orderId, key },
    });
  },
  creditExceedsDebit(orderId: string, debited: number, credited: number, amount: number): OrderkitError {
    return new OrderkitError({
      code: BALANCE_ERROR_CODES.creditExceedsDebit,
      message: {
        'zh-CN': `退回余额超过订单 ${orderId} 的扣款：已扣 ${formatFen(debited)}，已退 ${formatFen(credited)}，本次 ${formatFen(amount)}`,
        en: `the credit would pass what order ${orderId} took: debited ${formatFen(debited)}, credited ${formatFen(credited)}, now ${formatFen(amount)}`,
      },
      path: ['amount'],
      details: { orderId, debited, credited, amount },
    });
  },
  /**
   * A placement whose create failed without saying whether the order was written (a lost answer,
   * a timeout after the write), and whose order could not be found out: the debit is kept with the
   * order id (docs/payment-sources.md "Placing without one transaction").
   */
  placementUnknown(orderId: string, key: string, cause: unknown): OrderkitError {
    return new OrderkitError({
      code: BALANCE_ERROR_CODES.placementUnknown,
      message: {
        'zh-CN': `订单 ${orderId} 可能已创建，也可能未创建（存储未给出确定结果）；余额扣款 ${key} 保留在该订单上，未退回。请用同一幂等键重试，或稍后查询该订单`,
        en: `order ${orderId} may or may not have been created (the store gave no certain answer); the balance debit ${key} is kept with it, not given back. Retry with the same idempotency key, or look the order up later`,
      },
      path: ['payWith', 'balance'],
      details: { orderId, key, mayHaveApplied: true, cause: cause instanceof Error ? cause.message : String(cause) },
    });
  },
  unavailable: balanceUnavailable,
};

/** BALANCE_UNAVAILABLE on its own, so that code needing only it does not load every builder above. */
export function balanceUnavailable(cause: unknown): OrderkitError {
  return new OrderkitError({
    code: BALANCE_ERROR_CODES.unavailable,
    message: { 'zh-CN': '余额服务暂不可用，请稍后重试', en: 'the balance store is unavailable; try again later' },
    path: [],
    details: { cause: cause instanceof Error ? cause.message : String(cause) },
  });
}
