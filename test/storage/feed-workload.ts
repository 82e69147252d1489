import { expect } from 'vitest';
import type { OrderChange, OrderStore } from '../../src/storage/index.js';
import { createdEvent, nextVersion, testOrder } from '../../src/testing/index.js';

/**
 * Several writers committing at once: writer w creates `orders` orders and then moves each through
 * `steps` more versions, one commit at a time. Returns the number of commits (creates included).
 */
export async function concurrentWriters(stores: OrderStore[], orders: number, steps: number, prefix = 'f'): Promise<number> {
  let commits = 0;
  await Promise.all(
    stores.map(async (store, w) => {
      for (let i = 0; i < orders; i++) {
        let order = testOrder({ id: `${prefix}${w}-${i}` });
        await store.create(order, { events: [createdEvent(order)], effects: [] });
        commits++;
        for (let k = 0; k < steps; k++) {
          const next = nextVersion(order, { status: k === steps - 1 ? 'paid' : 'pending_payment' });
          await store.commit({ order: next.order, expectedVersion: order.version, events: next.events, effects: next.effects });
          commits++;
          order = next.order;
        }
      }
    }),
  );
  return commits;
}

/** Every change exactly once, versions 1…n per order in order, positions strictly increasing. */
export function checkDelivered(heard: OrderChange[], orderIds: string[], versions: number): void {
  const keys = heard.map((c) => `${c.orderId}@${c.version}`);
  expect(new Set(keys).size).toBe(keys.length);
  expect(heard).toHaveLength(orderIds.length * versions);
  const byOrder = new Map<string, number[]>();
  for (const c of heard) byOrder.set(c.orderId, [...(byOrder.get(c.orderId) ?? []), c.version]);
  for (const id of orderIds) expect(byOrder.get(id), id).toEqual(Array.from({ length: versions }, (_, i) => i + 1));
  // These stores' positions are fixed-width, so delivery order is also string order.
  for (let i = 1; i < heard.length; i++) {
    if (!(heard[i - 1]!.position < heard[i]!.position)) throw new Error(`position ${heard[i]!.position} after ${heard[i - 1]!.position}`);
  }
}

export async function until(check: () => boolean, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check() && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
}
