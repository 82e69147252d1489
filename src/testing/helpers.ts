import type { Order } from '../order/index.js';
import type { OrderStore } from '../storage/port.js';
import type { ContractExpect } from './types.js';
import { createdEvent, testEffects, testOrder, type TestOrderInit } from './fixtures.js';

/** Awaits a promise that must reject with an OrderkitError of `code`; returns the error. */
export async function rejectsWithCode(expect: ContractExpect, promise: Promise<unknown>, code: string): Promise<Record<string, unknown>> {
  let caught: unknown = undefined;
  let resolved = false;
  try {
    await promise;
    resolved = true;
  } catch (error) {
    caught = error;
  }
  expect(resolved ? 'resolved' : 'rejected').toBe('rejected');
  expect((caught as { code?: unknown }).code).toBe(code);
  return caught as Record<string, unknown>;
}

/** Creates a test order (with its creation event and `effects` effects) and returns it. */
export async function seed(store: OrderStore, init: TestOrderInit, effects = 0): Promise<Order> {
  const order = testOrder(init);
  await store.create(order, { events: [createdEvent(order)], effects: testEffects(order, effects) });
  return order;
}

/** Polls until `check` passes or the time is up (change feeds deliver asynchronously). */
export async function eventually(check: () => boolean, timeoutMs: number): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) return false;
    await new Promise((r) => setTimeout(r, 10));
  }
  return true;
}

export function at(iso: string, plusMs = 0): Date {
  return new Date(Date.parse(iso) + plusMs);
}
