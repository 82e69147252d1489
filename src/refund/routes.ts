import type { Order, PaymentSource, PaymentSourceKind } from '../order/index.js';
import { afterSaleOfRefund, holdsMoney, refundedByTransaction } from './ledger.js';

/**
 * Refund routes (docs/payment-sources.md "Refunds"): money goes back to where it came from. One
 * rule for every order paid in parts — the presale's deposit and balance transactions and an
 * order paid with the stored balance plus WeChat Pay — so it lives here, once:
 *
 *   take from each part in the given order, each part giving at most what it collected minus what
 *   it has already given back (succeeded or on its way); whatever no part can give stays unrouted.
 *
 * The order of parts is the caller's documented rule: for balance + WeChat Pay it is
 * `REFUND_ROUTE_ORDER` (WeChat Pay first, the balance last: the bank money goes back to the bank
 * and the balance keeps what it can hold anyway); the presale takes the balance payment (尾款)
 * first, then the deposit.
 */

/** One part that collected money: its key (the transaction id) and its amount. */
export interface RoutePart<K = string> {
  key: K;
  amount: number;
}

/** What one part gives back of a refund. */
export interface RouteShare<K = string> {
  key: K;
  amount: number;
}

/**
 * Splits `amount` over `parts` in their order; each gives at most `part.amount − taken(part.key)`.
 * Exact to the fen: Σ shares = min(amount, Σ room). Shares of 0 are left out.
 *
 * @example
 * splitOverParts([{ key: 'W', amount: 700 }, { key: 'B', amount: 300 }], new Map([['W', 600]]), 250)
 * // [{ key: 'W', amount: 100 }, { key: 'B', amount: 150 }]
 */
export function splitOverParts<K>(parts: ReadonlyArray<RoutePart<K>>, taken: ReadonlyMap<K, number>, amount: number): Array<RouteShare<K>> {
  const out: Array<RouteShare<K>> = [];
  let left = amount > 0 ? amount : 0;
  for (const part of parts) {
    if (left <= 0) break;
    const room = part.amount - (taken.get(part.key) ?? 0);
    const take = room < left ? room : left;
    if (take > 0) {
      out.push({ key: part.key, amount: take });
      left -= take;
    }
  }
  return out;
}

/** The documented order of a balance + WeChat Pay refund: WeChat Pay first, then the balance. */
export const REFUND_ROUTE_ORDER: readonly PaymentSourceKind[] = Object.freeze(['wechat', 'balance']);

/** The order's payment sources, or undefined for an order paid from one source. */
export function paymentSourcesOf(order: Pick<Order, 'payment'>): readonly PaymentSource[] | undefined {
  const s = order.payment.sources;
  return s !== undefined && s.length > 0 ? s : undefined;
}

/** The source of a kind, if the order has it. */
export function sourceOf(order: Pick<Order, 'payment'>, kind: PaymentSourceKind): PaymentSource | undefined {
  const s = paymentSourcesOf(order);
  return s === undefined ? undefined : s.find((x) => x.kind === kind);
}

/** The source that collected under this transaction id. */
export function sourceByTransaction(order: Pick<Order, 'payment'>, transactionId: string | undefined): PaymentSource | undefined {
  if (transactionId === undefined) return undefined;
  const s = paymentSourcesOf(order);
  return s === undefined ? undefined : s.find((x) => x.transactionId === transactionId);
}

/** A refund's share from one payment source. */
export interface SourceShare {
  kind: PaymentSourceKind;
  transactionId: string;
  outTradeNo: string;
  amount: number;
}

/**
 * How a refund of `amount` goes back to the order's sources now, by `REFUND_ROUTE_ORDER`, each
 * source giving at most what it collected minus what the ledger already returns from it, or still
 * owes on it (a failed entry of an after-sale that is still refunding: its retry goes back there).
 * Empty for an order without sources.
 *
 * @example
 * refundRoutes(order, 5000) // [{ kind: 'wechat', amount: 3000, … }, { kind: 'balance', amount: 2000, … }]
 */
export function refundRoutes(order: Order, amount: number): SourceShare[] {
  const sources = paymentSourcesOf(order);
  if (sources === undefined) return [];
  const parts: Array<RoutePart<PaymentSource>> = [];
  for (const kind of REFUND_ROUTE_ORDER) {
    const s = sources.find((x) => x.kind === kind);
    if (s !== undefined && s.transactionId !== undefined && s.returnedAt === undefined) parts.push({ key: s, amount: s.amount });
  }
  const byTx = refundedByTransaction(order);
  // A failed entry its after-sale still owes (retried with APPROVE_AFTER_SALE under the same id,
  // so on the same transaction) keeps its room on that source, as the after-sale keeps its amount
  // committed on the order: a new refund taking that room would leave the retry nowhere to fit.
  for (const r of order.refunds) {
    if (r.status !== 'failed' || holdsMoney(r) || r.replacedBy !== undefined || r.transactionId === undefined) continue;
    if (afterSaleOfRefund(order, r)?.status !== 'refunding') continue;
    byTx.set(r.transactionId, (byTx.get(r.transactionId) ?? 0) + r.amount);
  }
  const taken = new Map<PaymentSource, number>();
  for (const p of parts) taken.set(p.key, byTx.get(p.key.transactionId!) ?? 0);
  return splitOverParts(parts, taken, amount).map((r) => ({ kind: r.key.kind, transactionId: r.key.transactionId!, outTradeNo: r.key.outTradeNo, amount: r.amount }));
}

/**
 * Per source: what it collected, what went back from it (succeeded) and what is on its way.
 * The order detail shows this as the refund route.
 *
 * @example
 * sourceRefunds(order) // [{ kind: 'wechat', paid: 7000, refunded: 7000, pending: 0 }, { kind: 'balance', paid: 3000, refunded: 1000, pending: 0 }]
 */
export function sourceRefunds(order: Order): Array<{ kind: PaymentSourceKind; paid: number; refunded: number; pending: number }> {
  const sources = paymentSourcesOf(order) ?? [];
  return sources.map((s) => {
    let refunded = 0;
    let pending = 0;
    for (const r of order.refunds) {
      if (s.transactionId === undefined || r.transactionId !== s.transactionId || r.reason === 'stray_payment') continue;
      if (r.status === 'succeeded') refunded += r.amount;
      else if (r.status === 'pending') pending += r.amount;
    }
    return { kind: s.kind, paid: s.transactionId !== undefined && s.returnedAt === undefined ? s.amount : 0, refunded, pending };
  });
}
