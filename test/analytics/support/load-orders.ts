import type { Order } from '../../../src/order/index.js';
import type { OrderStore } from '../../../src/storage/index.js';

/**
 * Stores finished orders through the store's own writes: `create` of the order as it was placed
 * (version 1), then one `commit` of its final state (version 2). Both the insert and the update
 * path of the analytics trigger run, exactly as they do under the service.
 */
export async function loadThroughStore(store: OrderStore, orders: readonly Order[]): Promise<void> {
  for (const final of orders) {
    const placed: Order = {
      ...final,
      version: 1,
      status: 'pending_payment',
      payment: { ...final.payment, attempts: final.payment.attempts.map((a) => ({ ...a, status: 'open' })), paidAmount: 0, stray: [] },
      shipments: [],
      refunds: [],
      updatedAt: final.createdAt,
    };
    for (const k of ['closeReason', 'paidAt', 'shippedAt', 'deliveredAt', 'completedAt', 'closedAt'] as const) delete placed[k];
    delete placed.payment.paidAt;
    delete placed.payment.transactionId;
    delete placed.payment.outTradeNo;
    delete placed.payment.gateway;
    await store.create(placed, { events: [], effects: [] });
    await store.commit({ order: { ...final, version: 2 }, expectedVersion: 1, events: [], effects: [] });
  }
}
