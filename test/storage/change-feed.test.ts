import { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate, PostgresOrderStore, toSqlDriver, type SqlDriver } from '../../src/adapters/postgres/index.js';
import { MemoryOrderStore, type OrderChange, type OrderStore, type Unsubscribe } from '../../src/storage/index.js';
import { checkDelivered, concurrentWriters, until } from './feed-workload.js';
import { freshPGlite } from '../support/pglite.js';

const IDS = [0, 1, 2, 3].flatMap((w) => Array.from({ length: 25 }, (_, i) => `f${w}-${i}`));

/**
 * A subscriber that drops its subscription every `every` changes and subscribes again from the
 * last position it was given, as a client that lost its stream and comes back with Last-Event-ID.
 */
async function resubscribingListener(store: OrderStore, every: number): Promise<{ heard: OrderChange[]; resumed: () => number; stop: () => Promise<void> }> {
  const heard: OrderChange[] = [];
  let current: Unsubscribe | null = null;
  let resumed = 0;
  let stopped = false;
  let switching = Promise.resolve();
  const listen = async (since?: string): Promise<void> => {
    let mine = 0;
    let dropped = false;
    const off: Unsubscribe = await store.subscribe!(
      (c) => {
        // After the drop this stream is gone: what still arrives here is lost, as on a dead socket.
        if (dropped) return;
        heard.push(c);
        if (++mine === every && !stopped) {
          dropped = true;
          resumed++;
          switching = switching.then(async () => {
            await off();
            await listen(c.position);
          });
        }
      },
      since === undefined ? {} : { since },
    );
    current = off;
  };
  await listen();
  return {
    heard,
    resumed: () => resumed,
    stop: async () => {
      stopped = true;
      await switching;
      await current?.();
    },
  };
}

describe('the change feed of the memory store', () => {
  it('1,000 commits from 4 writers while the subscriber drops and resumes from its last position: each change once, in order', async () => {
    const store = new MemoryOrderStore();
    const sub = await resubscribingListener(store, 37);
    const commits = await concurrentWriters([store, store, store, store], 25, 9);
    expect(commits).toBe(1000);
    await until(() => sub.heard.length >= 1000, 5000);
    await sub.stop();
    checkDelivered(sub.heard, IDS, 10);
    expect(sub.resumed()).toBeGreaterThanOrEqual(20);
    expect(sub.heard).toEqual(await store.changesSince(null, 2000));
  });
});

describe('the change feed of PostgresOrderStore on PGlite', () => {
  let db: PGlite;
  beforeAll(async () => {
    db = await freshPGlite();
  });
  afterAll(async () => {
    await db.close();
  });

  /**
   * PGlite's driver with a LISTEN that breaks every `period` notifications: the next `lose` are
   * lost, then it "reconnects". (Counted, not timed: PGlite answers in microtasks, so timers would
   * wait until the writers are done.)
   */
  function cutting(inner: SqlDriver, period: number, lose: number): SqlDriver & { reconnects: number } {
    const driver = {
      reconnects: 0,
      query: inner.query.bind(inner),
      transaction: inner.transaction.bind(inner),
      async listen(channel: string, onPayload: (p: string) => void, onReconnect?: () => void) {
        let seen = 0;
        let losing = 0;
        return inner.listen(channel, (p) => {
          if (losing > 0) {
            if (--losing === 0) {
              driver.reconnects++;
              queueMicrotask(() => onReconnect?.());
            }
            return;
          }
          if (++seen % period === 0) losing = lose;
          onPayload(p);
        });
      },
    };
    return driver;
  }

  it('1,000 commits from 4 writers while the LISTEN is cut again and again, and a subscriber resumes by position: each change once, in order', async () => {
    await migrate(db, { schema: 'feed' });
    const driver = cutting(toSqlDriver(db), 40, 7);
    // A long poll: only notifications and reconnects drive the feed here.
    const listening = new PostgresOrderStore({ db: driver, schema: 'feed', feedPollMs: 60_000 });
    const heard: OrderChange[] = [];
    const reconnects: Array<string | null> = [];
    const stop = await listening.subscribe((c) => heard.push(c), { onReconnect: ({ since }) => reconnects.push(since) });
    const resuming = await resubscribingListener(new PostgresOrderStore({ db, schema: 'feed' }), 41);
    const writers = [0, 1, 2, 3].map(() => new PostgresOrderStore({ db, schema: 'feed' }));
    const t0 = Date.now();
    const commits = await concurrentWriters(writers, 25, 9);
    const t1 = Date.now();
    expect(commits).toBe(1000);
    await until(() => heard.length >= 1000 && resuming.heard.length >= 1000, 10_000);
    console.log(`PGlite feed: writes ${t1 - t0} ms, all heard ${Date.now() - t1} ms later; ${driver.reconnects} reconnects`);
    await new Promise((r) => setTimeout(r, 100));
    await stop();
    await resuming.stop();
    checkDelivered(heard, IDS, 10);
    checkDelivered(resuming.heard, IDS, 10);
    expect(heard).toEqual(resuming.heard);
    expect(driver.reconnects).toBeGreaterThanOrEqual(3);
    expect(reconnects.length).toBeGreaterThanOrEqual(3);
    expect(resuming.resumed()).toBeGreaterThanOrEqual(20);
  }, 60_000);
});
