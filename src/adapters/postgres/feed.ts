import type { OrderChange, OrderChangeListener, SubscribeOptions, Unsubscribe } from '../../storage/port.js';
import type { SqlDriver } from './sql-types.js';

/** One read of the log: the changes after a position, and whether committed ones wait above the horizon. */
export interface FeedPage {
  changes: OrderChange[];
  held: boolean;
}

export interface FeedSource {
  /** Throws the typed error for a position this store cannot have handed out. */
  check(position: string): void;
  /** Changes after `since` below the horizon, in position order, at most `limit`. */
  read(since: string | null, limit: number): Promise<FeedPage>;
  /** The last position below the horizon (null when there is none yet). */
  head(): Promise<string | null>;
  /** The committed changes a notification's payload names (early word, `onNotified`). */
  notice?(payload: string): OrderChange[];
}

export interface ChangeFeedOptions {
  onError?: (error: unknown) => void;
  /** A read of the log at least this often while anybody listens, notification or not. Default 5000 ms. */
  pollMs?: number;
  /** Changes per read. Default 500. */
  pageSize?: number;
}

interface Subscription {
  listener: OrderChangeListener;
  /** The position of the last change this subscriber was given (null: the start of the log). */
  cursor: string | null;
  onReconnect?: (info: { since: string | null }) => void;
  onNotified?: OrderChangeListener;
}

/** The first re-read after committed changes were held back, doubled up to `HELD_MAX_MS`. */
const HELD_MIN_MS = 10;
const HELD_MAX_MS = 1000;

/**
 * The change feed of one store: a single LISTEN, opened with the first subscriber and closed with
 * the last. A notification only wakes the feed; what it delivers comes from the change log, read
 * after each subscriber's own position (`FeedSource.read`), so a notification that was lost, or
 * arrived out of order, changes nothing: the next read finds every committed change in position
 * order. Subscribers at the same position share one read. After the LISTEN connection was lost
 * and opened again, every subscriber catches up from where it was and hears `onReconnect`. A
 * subscriber that asked for early word (`onNotified`) also gets the changes a notification names
 * as soon as it arrives, in no promised order.
 */
export class ChangeFeed {
  private readonly subs = new Set<Subscription>();
  private stop: Promise<() => Promise<void>> | null = null;
  private pumping: Promise<void> | null = null;
  private again = false;
  private poll: ReturnType<typeof setTimeout> | undefined;
  private heldDelay = 0;
  /** Cursors at the moment the connection came back, waiting for a full catch-up. */
  private reconnected: Map<Subscription, string | null> | null = null;
  private readonly pollMs: number;
  private readonly pageSize: number;

  constructor(
    private readonly driver: SqlDriver,
    private readonly channel: string,
    private readonly source: FeedSource,
    private readonly options: ChangeFeedOptions = {},
  ) {
    this.pollMs = Math.max(10, options.pollMs ?? 5000);
    this.pageSize = Math.max(1, Math.floor(options.pageSize ?? 500));
  }

  async add(listener: OrderChangeListener, options: SubscribeOptions = {}): Promise<Unsubscribe> {
    // Checked before anything opens, so a bad `since` is a typed error and leaves nothing behind.
    if (options.since !== undefined) this.source.check(options.since);
    if (this.stop === null) {
      this.stop = this.driver.listen(
        this.channel,
        (payload) => this.notified(payload),
        () => this.onConnectionBack(),
      );
      this.stop.catch(() => {
        this.stop = null;
      });
    }
    await this.stop;
    // Listening first, then the head: a change committed after this read sorts after the head and
    // reaches the subscriber through a notification or the next poll.
    const cursor = options.since !== undefined ? options.since : await this.source.head();
    const sub: Subscription = { listener, cursor, ...(options.onReconnect ? { onReconnect: options.onReconnect } : {}), ...(options.onNotified ? { onNotified: options.onNotified } : {}) };
    this.subs.add(sub);
    this.schedulePoll(this.pollMs);
    if (options.since !== undefined) void this.wake();
    return async () => {
      this.subs.delete(sub);
      if (this.subs.size === 0) await this.close();
    };
  }

  async close(): Promise<void> {
    this.subs.clear();
    if (this.poll !== undefined) clearTimeout(this.poll);
    this.poll = undefined;
    const stop = this.stop;
    this.stop = null;
    if (stop) await (await stop)();
    await this.pumping;
  }

  /** Reads and delivers until every subscriber is at the horizon. Resolves when that is done. */
  wake(): Promise<void> {
    this.again = true;
    if (this.pumping === null) {
      this.pumping = this.pump().finally(() => {
        this.pumping = null;
      });
    }
    return this.pumping;
  }

  /**
   * A notification: early word of the changes its payload names to the subscribers that asked
   * for it (`onNotified`), then a read of the log, which delivers every change in position order.
   */
  private notified(payload: string): void {
    const early = this.source.notice ? this.source.notice(payload) : [];
    if (early.length > 0) {
      for (const sub of this.subs) {
        if (!sub.onNotified) continue;
        for (const change of early) {
          try {
            sub.onNotified({ ...change });
          } catch (error) {
            this.options.onError?.(error);
          }
        }
      }
    }
    void this.wake();
  }

  private onConnectionBack(): void {
    const marks = this.reconnected ?? new Map<Subscription, string | null>();
    for (const sub of this.subs) if (!marks.has(sub)) marks.set(sub, sub.cursor);
    this.reconnected = marks;
    void this.wake();
  }

  private async pump(): Promise<void> {
    let held = false;
    let failed = false;
    while (this.again && this.subs.size > 0) {
      this.again = false;
      held = false;
      try {
        held = await this.round();
      } catch (error) {
        failed = true;
        this.options.onError?.(error);
        break;
      }
    }
    if (this.subs.size === 0) return;
    if (!failed && this.reconnected !== null) {
      const marks = this.reconnected;
      this.reconnected = null;
      for (const [sub, since] of marks) {
        if (!this.subs.has(sub) || !sub.onReconnect) continue;
        try {
          sub.onReconnect({ since });
        } catch (error) {
          this.options.onError?.(error);
        }
      }
    }
    // Committed changes wait behind a transaction still running (or a read failed): read again
    // soon, sooner the first time, since no notification may come (a rolled-back writer sends none).
    if (held || failed) {
      this.heldDelay = Math.min(HELD_MAX_MS, this.heldDelay === 0 ? HELD_MIN_MS : this.heldDelay * 2);
      this.schedulePoll(this.heldDelay);
    } else {
      this.heldDelay = 0;
      this.schedulePoll(this.pollMs);
    }
  }

  /** One read per distinct subscriber position, until each reaches the horizon; true when changes were held back. */
  private async round(): Promise<boolean> {
    const groups = new Map<string | null, Subscription[]>();
    for (const sub of this.subs) {
      const members = groups.get(sub.cursor);
      if (members) members.push(sub);
      else groups.set(sub.cursor, [sub]);
    }
    let held = false;
    for (const [start, members] of groups) {
      let cursor = start;
      for (;;) {
        const page = await this.source.read(cursor, this.pageSize);
        held = held || page.held;
        for (const change of page.changes) {
          for (const sub of members) {
            if (!this.subs.has(sub)) continue;
            sub.cursor = change.position;
            try {
              sub.listener({ ...change });
            } catch (error) {
              this.options.onError?.(error);
            }
          }
          cursor = change.position;
        }
        if (page.changes.length < this.pageSize || !members.some((sub) => this.subs.has(sub))) break;
      }
    }
    return held;
  }

  private schedulePoll(ms: number): void {
    if (this.subs.size === 0) return;
    if (this.poll !== undefined) clearTimeout(this.poll);
    this.poll = setTimeout(() => {
      this.poll = undefined;
      void this.wake();
    }, ms);
    (this.poll as { unref?: () => void }).unref?.();
  }
}
