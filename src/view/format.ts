import type { LocalizedText } from '../errors/orderkit-error.js';
import { formatFen } from '../money/index.js';
import { shopTime as shopTimeText } from '../order/shop-time.js';

/** The languages every label comes in. */
export type ViewLocale = keyof LocalizedText;

/** An amount as integer fen beside its text, so a page can show one and compute with the other. */
export interface MoneyView {
  fen: number;
  text: string;
}

/**
 * An amount for a page: the fen themselves and `formatFen`'s text.
 *
 * @example
 * moneyView(123456) // → { fen: 123456, text: '¥1,234.56' }
 */
export function moneyView(fen: number): MoneyView {
  return { fen, text: formatFen(fen) };
}

/**
 * A moment as the shop's wall-clock time, 'yyyy-MM-dd HH:mm', in `timeZone` (never the host's
 * zone: a cloud function runs in UTC while the shop lives in Asia/Shanghai).
 *
 * @example
 * shopTime('2026-11-25T04:00:00.000Z', 'Asia/Shanghai') // → '2026-11-25 12:00'
 */
export function shopTime(iso: string, timeZone: string): string {
  return shopTimeText(iso, timeZone);
}
