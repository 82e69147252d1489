import type { Order } from '../order/index.js';

/**
 * The moment the next timer command falls due for an order, or null when no timer is waiting:
 * `deadlines.payBy` while the order is `pending_payment` (then `EXPIRE`), `deadlines.autoConfirmAt`
 * while it is `shipped` or `delivered` (then `AUTO_CONFIRM`). Storage adapters index this value so
 * that `findDue(now)` is one range scan instead of a status-by-status query.
 *
 * Returns the ISO timestamp as stored (UTC strings sort as text, so adapters can compare them
 * directly).
 *
 * @example
 * nextDueAt(order) // '2026-11-25T04:30:00.000Z' for an unpaid order placed at 04:00Z
 * nextDueAt({ ...order, status: 'completed' }) // null
 */
export function nextDueAt(order: Pick<Order, 'status' | 'deadlines'>): string | null {
  switch (order.status) {
    case 'pending_payment':
      return order.deadlines.payBy ?? null;
    case 'shipped':
    case 'delivered':
      return order.deadlines.autoConfirmAt ?? null;
    default:
      return null;
  }
}

/**
 * Which timer command `nextDueAt` stands for: what a sweeper sends once it has passed.
 *
 * @example
 * dueCommandType(order) // 'EXPIRE' while unpaid, 'AUTO_CONFIRM' while shipped or delivered, else null
 */
export function dueCommandType(order: Pick<Order, 'status' | 'deadlines'>): 'EXPIRE' | 'AUTO_CONFIRM' | null {
  if (nextDueAt(order) === null) return null;
  return order.status === 'pending_payment' ? 'EXPIRE' : 'AUTO_CONFIRM';
}
