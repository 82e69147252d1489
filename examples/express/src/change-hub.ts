import type { OrderChange, OrderStore, Unsubscribe } from './orderkit/index.js';

type Listener = (change: OrderChange) => void;

/**
 * One subscription to the store's change feed per process, fanned out to every open SSE stream.
 * An order's listeners (`onOrder`) may get a change twice and out of order (early word, then the
 * feed): they sequence by version. "All orders" listeners (`onAny`) get each change once, in
 * position order.
 * With PostgreSQL the feed is LISTEN/NOTIFY, so a change committed by any instance behind the load
 * balancer reaches the streams held by every instance; in memory it is in-process only.
 */
export class ChangeHub {
  private readonly all = new Set<Listener>();
  private readonly byOrder = new Map<string, Set<Listener>>();
  private unsubscribe: Unsubscribe | null = null;

  /** False when the store has no change feed (then pages must poll). */
  get live(): boolean {
    return this.unsubscribe !== null;
  }

  async start(store: OrderStore): Promise<void> {
    if (!store.subscribe || this.unsubscribe) return;
    // Order streams also take the early word of a notification (docs/storage.md, "Change feed"):
    // they do not wait for the feed's horizon, and keep their own order by version (OrderSequence).
    this.unsubscribe = await store.subscribe((change) => this.publish(change), { onNotified: (change) => this.early(change) });
  }

  /** Delivers one change to its order's streams and to every "all orders" listener. */
  publish(change: OrderChange): void {
    for (const l of this.byOrder.get(change.orderId) ?? []) safely(l, change);
    for (const l of this.all) safely(l, change);
  }

  /**
   * Early word of a change: to its order's streams only, which may get it again from `publish`
   * and must put it in version order themselves; "all orders" listeners wait for the feed.
   */
  early(change: OrderChange): void {
    for (const l of this.byOrder.get(change.orderId) ?? []) safely(l, change);
  }

  onOrder(orderId: string, listener: Listener): () => void {
    let set = this.byOrder.get(orderId);
    if (!set) this.byOrder.set(orderId, (set = new Set()));
    set.add(listener);
    return () => {
      set!.delete(listener);
      if (set!.size === 0) this.byOrder.delete(orderId);
    };
  }

  onAny(listener: Listener): () => void {
    this.all.add(listener);
    return () => this.all.delete(listener);
  }

  async stop(): Promise<void> {
    const u = this.unsubscribe;
    this.unsubscribe = null;
    this.all.clear();
    this.byOrder.clear();
    if (u) await u();
  }
}

function safely(listener: Listener, change: OrderChange): void {
  try {
    listener(change);
  } catch (error) {
    // A broken stream must not stop the others.
    console.error('change listener failed', error);
  }
}
