import type { Order } from '../order/index.js';

/**
 * When the order's next timer fires, as an ISO string, or null: the pay-by deadline while unpaid,
 * the auto-confirm deadline while shipped or delivered. Stores keep it as a column so `findDue`
 * is an index range scan; it mirrors the lifecycle's `nextDueAt` (tests check they agree).
 */
export function dueAtOf(order: Order): string | null {
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
