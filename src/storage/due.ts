import type { Order } from '../order/index.js';
import { nextDueAt } from '../lifecycle/due.js';

/**
 * When the order's next timer fires (ISO string), or null. Stores keep it as a column so that
 * `findDue` is an index range scan; the lifecycle's `nextDueAt` is the single definition.
 */
export function dueAtOf(order: Order): string | null {
  return nextDueAt(order);
}
