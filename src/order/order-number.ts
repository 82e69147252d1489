import { formatInZone } from '../time/zoned.js';
import { OrderkitError } from '../errors/orderkit-error.js';

export interface CreateOrderNumberOptions {
  /** When the order is placed; the number starts with this moment in the shop's calendar. */
  now: Date;
  /**
   * Entropy for the tail: a function returning floats in [0, 1) (pass `Math.random` or a seeded
   * generator). Pure modules take randomness as an argument so tests can pin it.
   */
  random: () => number;
  /** Default 'Asia/Shanghai'. */
  timeZone?: string;
  /** Up to 4 characters of A–Z and 0–9 in front (a shop or channel code). */
  prefix?: string;
  /** Digits of randomness after the timestamp; 6–10, default 10. */
  randomDigits?: number;
}

/** Longest number this function makes: 4 prefix + 14 time + 10 random. */
export const MAX_ORDER_NUMBER_LENGTH = 28;
const PREFIX = /^[A-Z0-9]{0,4}$/;

/**
 * A human-friendly, date-prefixed order number that is also a valid WeChat Pay `out_trade_no`
 * (≤ 32 of `[0-9A-Za-z_-*]`) and a valid `cloud.cloudPay` `outTradeNo` (no `*`): at most 28
 * characters, so a payment attempt suffix such as `-2` still fits in 32.
 *
 * @example
 * createOrderNumber({ now: new Date('2026-11-25T04:00:00Z'), random: Math.random })
 * // → '202611251200004821937465' (Asia/Shanghai wall time, then 10 random digits)
 */
export function createOrderNumber(options: CreateOrderNumberOptions): string {
  const prefix = options.prefix ?? '';
  if (!PREFIX.test(prefix)) {
    throw new OrderkitError({
      code: 'INVALID_ORDER_NUMBER_PREFIX',
      message: { 'zh-CN': '订单号前缀只能是最多 4 位大写字母或数字', en: 'the prefix must be at most 4 characters of A–Z and 0–9' },
      path: ['prefix'],
    });
  }
  const digits = options.randomDigits ?? 10;
  if (!Number.isInteger(digits) || digits < 6 || digits > 10) {
    throw new OrderkitError({
      code: 'INVALID_ORDER_NUMBER_DIGITS',
      message: { 'zh-CN': '随机位数应在 6 到 10 之间', en: 'randomDigits must be between 6 and 10' },
      path: ['randomDigits'],
    });
  }
  const stamp = formatInZone(options.now, options.timeZone ?? 'Asia/Shanghai', 'yyyyMMddHHmmss');
  let tail = '';
  for (let i = 0; i < digits; i++) {
    const r = options.random();
    tail += String(Math.min(9, Math.max(0, Math.floor(r * 10))));
  }
  return `${prefix}${stamp}${tail}`;
}

/** WeChat Pay's `out_trade_no` alphabet without `*`, which `cloud.cloudPay` refuses. */
export const OUT_TRADE_NO_PATTERN = /^[0-9A-Za-z_-]{1,32}$/;
