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

/** The order as it stood right after payment: paid, nothing shipped, refunded or closed yet. */
function justPaid(final: Order): Order {
  const paid: Order = { ...final, status: 'paid', shipments: [], refunds: [], afterSales: [] };
  for (const k of ['closeReason', 'shippedAt', 'deliveredAt', 'completedAt', 'closedAt'] as const) delete paid[k];
  return paid;
}

/**
 * Like `loadThroughStore`, but each order walks there in up to four commits, so that the analytics
 * trigger meets an order changing its status, money, durations and lines several times: placed,
 * then (when it was ever paid) just paid, then its final state, then (every third paid order) its
 * final state with the first line renamed.
 */
export async function loadEvolving(store: OrderStore, orders: readonly Order[]): Promise<Order[]> {
  const finals: Order[] = [];
  for (const [i, final] of orders.entries()) {
    await loadThroughStore(store, [final]);
    let version = 2;
    let last = final;
    const paid = final.paidAt ?? final.payment.paidAt;
    if (paid !== undefined) {
      // Back to just paid, then forward again: every delta is taken back and given again.
      for (const next of [justPaid(final), final]) {
        await store.commit({ order: { ...next, version: version + 1 }, expectedVersion: version, events: [], effects: [] });
        version++;
      }
      if (i % 3 === 0) {
        last = { ...final, lines: final.lines.map((l, k) => (k === 0 ? { ...l, title: `${l.title} (renamed)` } : l)) };
        await store.commit({ order: { ...last, version: version + 1 }, expectedVersion: version, events: [], effects: [] });
        version++;
      }
    }
    finals.push({ ...last, version });
  }
  return finals;
}
