import type { BalanceMovement } from './types.js';
import { balanceErrors } from './errors.js';
import { isPseudonym } from '../order/pseudonym.js';
import { isStorableString } from '../order/primitives.js';

const MAX = Number.MAX_SAFE_INTEGER;

function text(v: unknown, field: string, max: number): string {
  if (typeof v !== 'string' || v.length < 1 || v.length > max) throw balanceErrors.invalid(field, `${field} 须为 1–${max} 个字符`, `${field} must be 1–${max} characters`);
  // One rule for every engine: PostgreSQL refuses U+0000 and turns a lone surrogate into U+FFFD
  // (two ids, one account), the memory balance would keep either as it is.
  if (!isStorableString(v)) throw balanceErrors.invalid(field, `${field} 含有无法保存的字符（如 U+0000）`, `${field} contains a character that cannot be stored (such as U+0000)`);
  return v;
}

/**
 * True when `id` cannot name an account or an order of any balance: it has a character no store
 * can keep (docs/storage.md "Strings every store accepts"), so no movement was ever made under it
 * and a read of it holds nothing, without asking the database (which would refuse it).
 */
export function namesNothing(id: unknown): boolean {
  return !isStorableString(String(id));
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

/**
 * The account a credit of an order goes to, or null when it is refused (docs/payment-sources.md
 * "Credits after anonymisation"). A credit always goes back to the customer the order was debited
 * from (`debitedFrom`; undefined when the order took nothing), and only when it names that
 * customer or a pseudonym of the anonymisation: an anonymised order (and the credits its outbox
 * still holds) names its pseudonym, while the balance keeps the real id (docs/privacy.md). Any
 * other customer id is refused, so money never crosses to another account.
 */
export function creditAccount(debitedFrom: string | undefined, customerId: string): string | null {
  if (debitedFrom === undefined) return null;
  return customerId === debitedFrom || isPseudonym(customerId) ? debitedFrom : null;
}

/**
 * Whether a movement asked again under an (order, key) already applied is the same movement as
 * `recorded` (whose `customerId` is the account it moved): same kind, same amount, and the same
 * customer id, or for a credit any id `creditAccount` sends to that account. Otherwise the key
 * was reused (BALANCE_KEY_REUSED).
 */
export function sameMovement(recorded: { kind: string; customerId: string; amount: number }, kind: string, customerId: string, amount: number): boolean {
  if (recorded.kind !== kind || recorded.amount !== amount) return false;
  return kind === 'credit' ? creditAccount(recorded.customerId, customerId) === recorded.customerId : recorded.customerId === customerId;
}
