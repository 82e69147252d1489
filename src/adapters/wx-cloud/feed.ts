import type { OrderStatus } from '../../order/index.js';
import { invalidFeedPosition } from '../../storage/errors.js';
import type { OrderChange, OrderChangeListener, SubscribeOptions, Unsubscribe } from '../../storage/port.js';
import { FEED_COUNTER_ID, positionOf, type ChangeDoc } from './documents.js';
import { typed, type StoreContext } from './journal.js';

/**
 * The change feed on the cloud database, by polling: a cloud function has no notification from
 * the database it can rely on (`watch()` is a mini program / web API, see docs/wechat.md). Every
 * commit takes the next number from a counter record and writes a change record under it, in the
 * SAME transaction as the order (writes.ts). Transactions that write the counter conflict with
 * each other, so numbers are handed out in commit order, without gaps, and a change record is
 * readable exactly when its commit is: nothing can appear later below a position already read.
 * `changesSince` reads change records above a position; `subscribe` polls it.
 */

const DIGITS = /^\d{1,15}$/;

export function parsePosition(since: string | null | undefined): number {
  if (since === null || since === undefined) return 0;
  if (typeof since !== 'string' || !DIGITS.test(since)) throw invalidFeedPosition(since);
  return Number(since);
}

function toChange(doc: ChangeDoc): OrderChange {
  return { orderId: doc.orderId, version: doc.version, status: doc.status as OrderStatus, at: doc.at, position: positionOf(doc.seq) };
}

export async function changesSince(ctx: StoreContext, pageSize: number, since: string | null, limit: number): Promise<OrderChange[]> {
  const from = parsePosition(since);
  const want = Math.max(0, Math.floor(limit));
  const { _, db, names } = ctx;
  const out: OrderChange[] = [];
  let after = from;
  while (out.length < want) {
    const n = Math.min(pageSize, want - out.length);
    const page = await db.collection(names.changes).where({ seq: _.gt(after) }).orderBy('seq', 'asc').limit(n).get();
    const docs = page.data as ChangeDoc[];
    for (const d of docs) out.push(toChange(d));
    if (docs.length < n) break;
    after = docs[docs.length - 1]!.seq;
  }
  return out;
}

/** The position of the last committed change (where a new subscriber starts). */
export async function headPosition(ctx: StoreContext): Promise<string> {
  const res = await ctx.db.collection(ctx.names.keys).where({ _id: FEED_COUNTER_ID }).limit(1).get();
  const seq = (res.data[0] as { seq?: unknown } | undefined)?.seq;
  return positionOf(typeof seq === 'number' ? seq : 0);
}

export interface PollingOptions {
  pollMs: number;
  pageSize: number;
  /** Told when a poll fails (it is retried at the next interval; nothing is skipped). */
  onError?: (error: unknown) => void;
  onListenerError?: (error: unknown) => void;
}

/**
 * Polls `changesSince` and hands each change to the listener once, in position order. A failed
 * poll is retried from the same position; the first poll that succeeds after a failure calls
 * `onReconnect({ since })` before delivering what was missed meanwhile.
 */
export async function subscribeByPolling(ctx: StoreContext, listener: OrderChangeListener, options: SubscribeOptions, polling: PollingOptions, registry: Set<() => void>): Promise<Unsubscribe> {
  let since = options.since !== undefined ? positionOf(parsePosition(options.since)) : await headPosition(ctx);
  let stopped = false;
  let failing = false;
  let timer: ReturnType<typeof setTimeout> | null = null;
  const poll = async () => {
    timer = null;
    if (stopped) return;
    try {
      const changes = await changesSince(ctx, polling.pageSize, since, polling.pageSize * 5);
      if (failing) {
        failing = false;
        options.onReconnect?.({ since });
      }
      for (const change of changes) {
        if (stopped) return;
        since = change.position;
        try {
          listener({ ...change });
        } catch (error) {
          polling.onListenerError?.(error);
        }
      }
    } catch (error) {
      failing = true;
      polling.onError?.(typed('change feed poll', error, false));
    }
    if (!stopped) {
      timer = setTimeout(() => void poll(), polling.pollMs);
      (timer as { unref?: () => void }).unref?.();
    }
  };
  const stop = () => {
    stopped = true;
    if (timer) clearTimeout(timer);
    registry.delete(stop);
  };
  registry.add(stop);
  timer = setTimeout(() => void poll(), 0);
  return stop;
}
