import { randomId } from './defaults.js';
import type { Order } from '../order/index.js';
import type { InventoryPort } from '../inventory/types.js';
import type { OrderStore, PersonalDataRedaction } from '../storage/port.js';
import { OrderkitError } from '../errors/orderkit-error.js';
import { fail, ok, type Result } from '../errors/result.js';
import { ANONYMOUS_PREFIX, isPseudonym } from '../order/pseudonym.js';

/**
 * Personal data (PIPL, docs/privacy.md): anonymising a customer's orders, or the orders finished
 * more than a retention period ago, everywhere a store keeps them (the order, its events, its
 * outbox effects, its idempotency records; a store's projections follow the order).
 *
 * What is anonymised, in every stored document of those orders:
 * - the customer id (the WeChat OPENID), wherever it appears, becomes a pseudonym `anon-…` that
 *   is random, so it cannot be recomputed from the OPENID;
 * - every address: name, phone, district and street are replaced (`*`, `***`), province and city
 *   stay (the analytics read them by region);
 * - the shopper's own remark (`buyerRemark`) is removed.
 * Amounts, SKUs, statuses, times and the merchant's notes stay: the books must still add up.
 * Given `inventory`, the stock holds of those orders and the 限购 units they count move to the
 * same pseudonyms too (`InventoryPort.redactPersonalData`). The balance (储值) is not rewritten:
 * it is the customer's money and a book of account (docs/privacy.md "What is not rewritten"); a
 * refund credited later names the pseudonym, and the balance sends it to the account the order was
 * debited from (docs/payment-sources.md "Credits after anonymisation").
 */

export { ANONYMOUS_PREFIX };

const ADDRESS_KEYS = ['name', 'phone', 'detail'];

function isAddress(value: Record<string, unknown>): boolean {
  return ADDRESS_KEYS.every((k) => typeof value[k] === 'string') && typeof value['province'] === 'string';
}

/**
 * The redaction of one order's documents: `customerId` (wherever it appears, also inside a longer
 * string) becomes `pseudonym`, addresses lose name, phone, district and street, `buyerRemark` goes.
 * Pure; answers a new value.
 *
 * @example
 * const r = personalDataRedaction('o1', 'wx-openid-1', 'anon-1');
 * r.redact({ customerId: 'wx-openid-1', buyerRemark: 'call me' }) // → { customerId: 'anon-1' }
 */
export function personalDataRedaction(orderId: string, customerId: string, pseudonym: string): PersonalDataRedaction {
  const text = (s: string): string => (customerId.length > 0 && s.includes(customerId) ? s.split(customerId).join(pseudonym) : s);
  const walk = (value: unknown): unknown => {
    if (typeof value === 'string') return text(value);
    if (Array.isArray(value)) return value.map(walk);
    if (value === null || typeof value !== 'object') return value;
    // Dates and database values (a server date) are kept as they are.
    const proto = Object.getPrototypeOf(value) as unknown;
    if (proto !== Object.prototype && proto !== null) return value;
    const record = value as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(record)) {
      if (k === 'buyerRemark') continue;
      out[text(k)] = walk(v);
    }
    if (isAddress(record)) {
      out['name'] = '*';
      out['phone'] = '***';
      out['detail'] = '***';
      if (out['district'] !== undefined) out['district'] = '*';
    }
    return out;
  };
  return { orderId, customerId, pseudonym, redact: walk, text };
}

function pseudonymFor(random: () => string): string {
  return `${ANONYMOUS_PREFIX}${random()}`;
}

function unsupported(path: 'store' | 'inventory'): OrderkitError {
  const store = path === 'store';
  return new OrderkitError({
    code: 'UNSUPPORTED',
    message: { 'zh-CN': `该${store ? '订单存储' : '库存'}不支持匿名化个人信息`, en: `this ${store ? 'order store' : 'inventory'} cannot anonymise personal data` },
    path: [path],
  });
}

function invalid(path: string, zh: string, en: string): OrderkitError {
  return new OrderkitError({ code: 'INVALID_INPUT', message: { 'zh-CN': zh, en }, path: [path] });
}

/** The capability of both ports, checked before anything is written. */
function missingCapability(store: OrderStore, inventory: InventoryPort | undefined): OrderkitError | null {
  return !store.redactPersonalData ? unsupported('store') : inventory && !inventory.redactPersonalData ? unsupported('inventory') : null;
}

/**
 * The inventory first, the store last (docs/privacy.md "Order of the two rewrites"): the store's
 * rewrite is what moves the orders from the customer id to the pseudonym, so while it has not run
 * the orders are still found under the old id, and a call cut short between the two is finished
 * by running it again (the inventory skips a hold it already moved; the store then rewrites the
 * order under that run's pseudonym). Store first, a crash in between would leave the old id in the
 * inventory with no order left to find it by.
 */
async function rewrite(store: OrderStore, inventory: InventoryPort | undefined, work: readonly PersonalDataRedaction[]): Promise<{ orders: number; holds?: number }> {
  const holds = await inventory?.redactPersonalData!(work);
  const orders = await store.redactPersonalData!(work);
  return holds === undefined ? { orders } : { orders, holds };
}

export interface AnonymizeOptions {
  /** The pseudonym's random part (default a random UUID); tests pass their own. */
  random?: () => string;
  /**
   * The inventory whose holds and 限购 counters of these orders are rewritten too (before the
   * store; docs/privacy.md "The inventory"). Refused with UNSUPPORTED when it lacks
   * `redactPersonalData`. Without it, the inventory is left as it is.
   */
  inventory?: InventoryPort | undefined;
}

/** What an anonymisation did. */
export interface AnonymizeReport {
  /** The orders whose documents were rewritten. */
  orders: number;
  /** With `inventory`: the orders whose stock hold was rewritten (orders that hold nothing, or whose hold was already rewritten, are not counted). */
  holds?: number;
  /** The pseudonym the customer id became (null when there was nothing to do). */
  pseudonym: string | null;
}

/**
 * Anonymises one customer's personal data in every order of theirs, everywhere the store keeps it
 * (docs/privacy.md). Idempotent in effect: a second call finds no order under that id. Orders still
 * open are anonymised too (the shop loses the delivery address: ship first). With `inventory`,
 * the orders' stock holds and 限购 units move to the pseudonym first. Refuses a store (or an
 * inventory) without `redactPersonalData` with UNSUPPORTED, and an empty id with INVALID_INPUT.
 *
 * @example
 * declare const inventory: InventoryPort; // the service's own (a MemoryInventory, PostgresInventory, …)
 * const r = await anonymizeCustomer(store, 'wx-openid-1', { inventory });
 * if (r.ok) r.orders // how many orders were rewritten
 */
export async function anonymizeCustomer(store: OrderStore, customerId: string, options: AnonymizeOptions = {}): Promise<Result<AnonymizeReport>> {
  if (typeof customerId !== 'string' || customerId.length === 0 || customerId.length > 128) {
    return fail(invalid('customerId', '顾客 id 须为 1 到 128 个字符', 'customerId must be 1 to 128 characters'));
  }
  if (isPseudonym(customerId)) return ok({ orders: 0, pseudonym: null });
  const missing = missingCapability(store, options.inventory);
  if (missing) return fail(missing);
  // Every order first: a rewritten order no longer lists under the customer id.
  const ids: string[] = [];
  let cursor: string | null = null;
  do {
    const page = await store.list({ customerId, limit: 100, cursor, order: 'oldest' });
    for (const o of page.items) ids.push(o.id);
    cursor = page.nextCursor;
  } while (cursor !== null);
  if (ids.length === 0) return ok({ orders: 0, pseudonym: null });
  const pseudonym = pseudonymFor(options.random ?? randomId);
  const done = await rewrite(store, options.inventory, ids.map((id) => personalDataRedaction(id, customerId, pseudonym)));
  return ok({ ...done, pseudonym });
}

/** When an order was finished (completed or closed), or null while it is open. */
export function finishedAt(order: Pick<Order, 'status' | 'completedAt' | 'closedAt'>): string | null {
  if (order.status === 'completed') return order.completedAt ?? null;
  if (order.status === 'closed') return order.closedAt ?? null;
  return null;
}

export interface RetentionOptions {
  /** Orders finished more than this many days ago are anonymised. A positive integer. */
  days: number;
  now: Date;
  /** Most orders anonymised in one call (default 200). */
  limit?: number;
  random?: () => string;
  /** As for `anonymizeCustomer`: the inventory whose holds of these orders are rewritten too (the service's sweep passes its own). */
  inventory?: InventoryPort | undefined;
}

/**
 * The retention rule (docs/privacy.md): anonymises orders finished (completed or closed) more than
 * `days` days before `now`, each under its own pseudonym, at most `limit` per call, oldest first.
 * The service's sweep runs it when created with `retention`; run it from a command too.
 *
 * @example
 * await anonymizeFinishedOrders(store, { days: 365, now: new Date() });
 */
export async function anonymizeFinishedOrders(store: OrderStore, options: RetentionOptions): Promise<Result<AnonymizeReport>> {
  if (!Number.isInteger(options.days) || options.days < 1 || options.days > 36_500) {
    return fail(invalid('days', '保留天数须为 1 到 36500 的整数', 'days must be an integer from 1 to 36500'));
  }
  const missing = missingCapability(store, options.inventory);
  if (missing) return fail(missing);
  const cutoff = options.now.getTime() - options.days * 86_400_000;
  const limit = Math.max(1, Math.min(options.limit ?? 200, 1_000));
  const random = options.random ?? randomId;
  const work: PersonalDataRedaction[] = [];
  let cursor: string | null = null;
  // Finished before the cutoff means created before it too.
  do {
    const page = await store.list({ status: ['completed', 'closed'], to: new Date(cutoff), limit: 100, cursor, order: 'oldest' });
    for (const o of page.items) {
      const at = finishedAt(o);
      if (at === null || Date.parse(at) >= cutoff || isPseudonym(o.customerId)) continue;
      work.push(personalDataRedaction(o.id, o.customerId, pseudonymFor(random)));
      if (work.length >= limit) break;
    }
    cursor = work.length >= limit ? null : page.nextCursor;
  } while (cursor !== null);
  if (work.length === 0) return ok({ orders: 0, pseudonym: null });
  const done = await rewrite(store, options.inventory, work);
  return ok({ ...done, pseudonym: null });
}
