import type { OrderChange } from './orderkit/index.js';

/**
 * One order's changes for one stream, each exactly once and in version order, whichever way they
 * come in: early word from a notification (any order, maybe twice, maybe never) and the store's
 * ordered feed (every change, once) both feed `offer`. Until `start` knows the version the stream
 * began at (its snapshot), changes wait; after it, a change is sent when every version before it
 * has been, so a gap waits for the missing change, which the ordered feed always brings.
 * Every commit moves an order's version up by exactly one (docs/architecture.md).
 */
export class OrderSequence {
  private last: number | null = null;
  private readonly waiting = new Map<number, OrderChange>();

  constructor(private readonly send: (change: OrderChange) => void) {}

  /** The stream's starting version (its snapshot's; 0 for none): earlier changes are dropped. */
  start(version: number): void {
    if (this.last !== null) return;
    this.last = version;
    for (const v of [...this.waiting.keys()]) if (v <= version) this.waiting.delete(v);
    this.flush();
  }

  offer(change: OrderChange): void {
    if (this.last !== null && change.version <= this.last) return;
    if (!this.waiting.has(change.version)) this.waiting.set(change.version, change);
    if (this.last !== null) this.flush();
  }

  /** Versions received but not sent yet (waiting for an earlier one, or for `start`). */
  get pending(): number {
    return this.waiting.size;
  }

  private flush(): void {
    for (;;) {
      const next = this.waiting.get(this.last! + 1);
      if (next === undefined) return;
      this.waiting.delete(next.version);
      this.last = next.version;
      this.send(next);
    }
  }
}
