/**
 * One service instance's queue per order: the commands of one order run one after another, those
 * of different orders side by side. Two requests for the same order in one process therefore never
 * load the same version and conflict with each other (docs/storage.md, "Concurrency"); conflicts
 * are left to other processes, and the retry in `dispatch` handles those.
 */
export class OrderQueue {
  private readonly tails = new Map<string, Promise<void>>();

  /** Runs `task` after every task queued before it for `orderId` has settled. */
  run<T>(orderId: string, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(orderId);
    const result = previous === undefined ? task() : previous.then(task);
    const tail = result.then(settled, settled);
    this.tails.set(orderId, tail);
    void tail.then(() => {
      // The last one out removes the entry, so the map holds only orders with work queued.
      if (this.tails.get(orderId) === tail) this.tails.delete(orderId);
    });
    return result;
  }

  /** Orders with commands queued or running (for tests and metrics). */
  get size(): number {
    return this.tails.size;
  }
}

function settled(): void {
  // A failed task must not stop the ones queued behind it.
}
