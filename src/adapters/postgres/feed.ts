import type { OrderChange, OrderChangeListener, Unsubscribe } from '../../storage/port.js';
import type { SqlDriver } from './sql-types.js';

/**
 * The change feed of one store: a single LISTEN, opened with the first subscriber and closed with
 * the last, fanned out to every listener in this process. Commits NOTIFY inside their own
 * statement, so listeners hear only what committed, in commit order, from every instance that
 * shares the database.
 */
export class ChangeFeed {
  private readonly listeners = new Set<OrderChangeListener>();
  private stop: Promise<() => Promise<void>> | null = null;

  constructor(
    private readonly driver: SqlDriver,
    private readonly channel: string,
    private readonly onError?: (error: unknown) => void,
  ) {}

  async add(listener: OrderChangeListener): Promise<Unsubscribe> {
    this.listeners.add(listener);
    if (this.stop === null) {
      this.stop = this.driver.listen(this.channel, (payload) => this.deliver(payload));
      this.stop.catch(() => {
        this.stop = null;
      });
    }
    try {
      await this.stop;
    } catch (error) {
      this.listeners.delete(listener);
      throw error;
    }
    return async () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) await this.close();
    };
  }

  async close(): Promise<void> {
    this.listeners.clear();
    const stop = this.stop;
    this.stop = null;
    if (stop) await (await stop)();
  }

  private deliver(payload: string): void {
    let change: OrderChange;
    try {
      change = JSON.parse(payload) as OrderChange;
    } catch (error) {
      this.onError?.(error);
      return;
    }
    for (const listener of [...this.listeners]) {
      try {
        listener({ ...change });
      } catch (error) {
        this.onError?.(error);
      }
    }
  }
}
