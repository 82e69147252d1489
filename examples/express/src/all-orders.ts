import type { Order, OrderStore } from './orderkit/index.js';

/** Every order of the store, read page by page, oldest first (the in-memory figures and analyses). */
export async function allOrders(store: OrderStore): Promise<Order[]> {
  const orders: Order[] = [];
  let cursor: string | null = null;
  do {
    const page = await store.list({ limit: 100, cursor, order: 'oldest' });
    orders.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return orders;
}
