import { OrderkitError, type IssuePath } from '../errors/orderkit-error.js';

/** An amount of money in fen (分): a safe integer, never a float, never a string. */
export type Fen = number;

export interface FenOptions {
  /** Where the value sits in the caller's input, for the error's `path`. */
  path?: IssuePath;
  /** Refunds and payments are never negative; adjustments may be. Default false. */
  allowNegative?: boolean;
}

/** True when `value` is a usable amount of fen. */
export function isFen(value: unknown, options: FenOptions = {}): value is Fen {
  return typeof value === 'number' && Number.isSafeInteger(value) && (options.allowNegative === true || value >= 0);
}

/**
 * Throws `INVALID_AMOUNT` unless `value` is a safe integer number of fen (and non-negative unless
 * allowed). Floats are refused rather than rounded: a silently rounded price is how totals drift.
 *
 * @example
 * assertFen(1999)        // ok
 * assertFen(19.99)       // throws OrderkitError INVALID_AMOUNT
 */
export function assertFen(value: unknown, options: FenOptions = {}): asserts value is Fen {
  if (isFen(value, options)) return;
  throw invalidAmount(value, options);
}

export function invalidAmount(value: unknown, options: FenOptions = {}): OrderkitError {
  const path = options.path ?? [];
  const shown = typeof value === 'number' || typeof value === 'string' ? String(value) : typeof value;
  let zh = `金额必须是以分为单位的整数，收到 ${shown}`;
  let en = `amount must be an integer number of fen, got ${shown}`;
  if (typeof value === 'number' && Number.isInteger(value) && !Number.isSafeInteger(value)) {
    zh = `金额超出安全整数范围（${shown}）`;
    en = `amount ${shown} is beyond Number.MAX_SAFE_INTEGER`;
  } else if (typeof value === 'number' && Number.isSafeInteger(value) && value < 0) {
    zh = `金额不能为负数（${shown}）`;
    en = `amount must not be negative, got ${shown}`;
  }
  return new OrderkitError({ code: 'INVALID_AMOUNT', message: { 'zh-CN': zh, en }, path, details: { value: shown } });
}

/** Sum of fen amounts that throws instead of leaving the safe-integer range. */
export function sumFen(values: readonly Fen[]): Fen {
  let total = 0;
  for (let i = 0; i < values.length; i++) total += values[i]!;
  if (!Number.isSafeInteger(total)) throw invalidAmount(total);
  return total;
}

/** `a × b` for a unit price times a quantity, refusing to leave the safe-integer range. */
export function multiplyFen(unit: Fen, quantity: number, path: IssuePath = []): Fen {
  const product = unit * quantity;
  if (!Number.isSafeInteger(product)) throw invalidAmount(product, { path, allowNegative: true });
  return product;
}
