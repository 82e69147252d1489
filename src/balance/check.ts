import type { BalanceMovement } from './types.js';
import { balanceErrors } from './errors.js';

const MAX = Number.MAX_SAFE_INTEGER;

function text(v: unknown, field: string, max: number): string {
  if (typeof v !== 'string' || v.length < 1 || v.length > max) throw balanceErrors.invalid(field, `${field} 须为 1–${max} 个字符`, `${field} must be 1–${max} characters`);
  return v;
}

/** A movement's fields checked (a positive safe integer of fen, non-empty ids), or a typed error thrown. */
export function checkMovement(request: unknown): BalanceMovement {
  const r = (request ?? {}) as Record<string, unknown>;
  const amount = r['amount'];
  if (typeof amount !== 'number' || !Number.isSafeInteger(amount) || amount < 1 || amount > MAX) {
    throw balanceErrors.invalid('amount', '金额须为正整数（分）', 'amount must be a positive integer of fen');
  }
  return { customerId: text(r['customerId'], 'customerId', 128), orderId: text(r['orderId'], 'orderId', 128), key: text(r['key'], 'key', 128), amount };
}

/** A top-up's fields checked. */
export function checkTopUp(request: unknown): { customerId: string; key: string; amount: number } {
  const m = checkMovement({ ...((request ?? {}) as object), orderId: 'top-up' });
  return { customerId: m.customerId, key: m.key, amount: m.amount };
}
