import type { CloseReason, Order, OrderStatus } from '../order/index.js';
import { succeededRefundTotal } from '../refund/ledger.js';
import { parseIsoTime } from './iso-time.js';

/**
 * The few numbers analytics reads from an order, parsed once. Timestamps are epoch milliseconds
 * (NaN when absent), so that every later step is plain arithmetic. The SQL summary reads the same
 * facts from the same fields; keep the two in step (src/adapters/postgres/analytics-sql.ts).
 */
export interface OrderFacts {
  id: string;
  number: string;
  status: OrderStatus;
  closeReason: CloseReason | undefined;
  placedAt: number;
  paidAt: number;
  /** The earliest parcel (`shipments[].shippedAt`), falling back to `order.shippedAt`. */
  firstShippedAt: number;
  /** When everything had shipped (`order.shippedAt`), falling back to the first parcel. */
  shippedAt: number;
  deliveredAt: number;
  completedAt: number;
  /** Fen collected; 0 unless the order has a `paidAt`. */
  paidAmount: number;
  /**
   * Σ succeeded refunds, except those of stray payments (which never counted as paid): their own
   * refunds (reason `stray_payment`) and any other entry on a stray transaction, such as a refund
   * made by hand in the merchant platform and recorded by the reconciliation (reason `gateway`).
   */
  refunded: number;
}

function time(value: string | undefined): number {
  return value === undefined ? NaN : parseIsoTime(value);
}

/**
 * @example
 * const f = orderFacts(order);
 * if (!Number.isNaN(f.paidAt)) console.log('paid after', f.paidAt - f.placedAt, 'ms');
 */
export function orderFacts(order: Order): OrderFacts {
  let firstShipped = NaN;
  for (const s of order.shipments) {
    const t = parseIsoTime(s.shippedAt);
    if (Number.isNaN(firstShipped) || t < firstShipped) firstShipped = t;
  }
  const shippedAt = time(order.shippedAt);
  const paidAt = time(order.paidAt ?? order.payment.paidAt);
  const refunded = succeededRefundTotal(order);
  return {
    id: order.id,
    number: order.number,
    status: order.status,
    closeReason: order.closeReason,
    placedAt: parseIsoTime(order.createdAt),
    paidAt,
    firstShippedAt: Number.isNaN(firstShipped) ? shippedAt : firstShipped,
    shippedAt: Number.isNaN(shippedAt) ? firstShipped : shippedAt,
    deliveredAt: time(order.deliveredAt),
    completedAt: time(order.completedAt),
    paidAmount: Number.isNaN(paidAt) ? 0 : order.payment.paidAmount,
    refunded,
  };
}

/** True when `t` (epoch ms, possibly NaN) lies in [from, to). */
export function inRange(t: number, from: number, to: number): boolean {
  return t >= from && t < to;
}
