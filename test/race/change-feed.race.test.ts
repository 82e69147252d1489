import pg from 'pg';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { migrate, PostgresOrderStore, type SqlDriver } from '../../src/adapters/postgres/index.js';
import type { OrderChange } from '../../src/storage/index.js';
import { createdEvent, testOrder } from '../../src/testing/index.js';
import { describeRealPg } from '../support/pg.js';
import { truncateAll } from '../storage/pg-helpers.js';
import { checkDelivered, concurrentWriters, until } from '../storage/feed-workload.js';

await describeRealPg('race: the change feed on the real PostgreSQL', (real) => {
  let pool: pg.Pool;
  let admin: pg.Pool;
  const s = real.schema;
  beforeAll(async () => {
    pool = real.pool(12);
    admin = real.pool(2);
    await migrate(pool, { schema: s });
  });
  afterAll(async () => {
    await real.dispose();
  });
  beforeEach(async () => {
    await truncateAll(admin, s);
  });

  /** A store whose statements all run on `client`, inside whatever transaction it has open. */
  function storeOn(client: pg.Client): PostgresOrderStore {
    const driver: SqlDriver = {
      query: (async (text: string, params?: unknown[]) => client.query(text, params)) as SqlDriver['query'],
      transaction: () => Promise.reject(new Error('not used')),
      listen: () => Promise.reject(new Error('not used')),
    };
    return new PostgresOrderStore({ db: driver, schema: s, groupCommit: false });
  }

  it('a writer holding its transaction open holds back the changes committed after it, then all arrive in position order', async () => {
    const subscriber = new PostgresOrderStore({ db: pool, schema: s, feedPollMs: 50 });
    const heard: OrderChange[] = [];
    const stop = await subscriber.subscribe((c) => heard.push(c));
    const others = new PostgresOrderStore({ db: pool, schema: s });
    const slow = new pg.Client({ connectionString: real.url });
    await slow.connect();
    try {
      await slow.query('BEGIN');
      // The slow writer writes first, so its transaction id is below the others'.
      const held = testOrder({ id: 'held' });
      await storeOn(slow).create(held, { events: [createdEvent(held)], effects: [] });
      for (let i = 0; i < 5; i++) {
        const o = testOrder({ id: `after-${i}` });
        await others.create(o, { events: [createdEvent(o)], effects: [] });
      }
      // Committed, but sorted after a change still in flight: not readable yet, not delivered.
      await new Promise((r) => setTimeout(r, 400));
      expect(heard).toEqual([]);
      expect(await subscriber.changesSince(null, 100)).toEqual([]);
      await slow.query('COMMIT');
      await until(() => heard.length >= 6, 5000);
      expect(heard.map((c) => c.orderId)).toEqual(['held', 'after-0', 'after-1', 'after-2', 'after-3', 'after-4']);
      checkDelivered(heard, ['held', 'after-0', 'after-1', 'after-2', 'after-3', 'after-4'], 1);

      // A held writer that rolls back sends no notification: the changes behind it still arrive.
      await slow.query('BEGIN');
      const doomed = testOrder({ id: 'doomed' });
      await storeOn(slow).create(doomed, { events: [createdEvent(doomed)], effects: [] });
      const late = testOrder({ id: 'late' });
      await others.create(late, { events: [createdEvent(late)], effects: [] });
      await new Promise((r) => setTimeout(r, 200));
      expect(heard).toHaveLength(6);
      await slow.query('ROLLBACK');
      await until(() => heard.length >= 7, 5000);
      expect(heard.map((c) => c.orderId).slice(6)).toEqual(['late']);
      expect(await subscriber.changesSince(heard[5]!.position, 100)).toEqual([heard[6]]);
    } finally {
      await slow.end();
      await stop();
    }
  }, 60_000);

  it('a write transaction held open in ANOTHER database of the server holds nothing back; one in this database still does', async () => {
    // The horizon leaves out transactions that pg_stat_activity shows in another database
    // (docs/storage.md, "Change feed"). The other database is the server's `postgres`.
    const url = new URL(real.url);
    const here = url.pathname.replace(/^\//, '');
    url.pathname = here === 'postgres' ? '/template1' : '/postgres';
    const elsewhere = new pg.Client({ connectionString: url.toString() });
    const local = new pg.Client({ connectionString: real.url });
    await elsewhere.connect();
    await local.connect();
    const subscriber = new PostgresOrderStore({ db: pool, schema: s, feedPollMs: 50 });
    const heard: OrderChange[] = [];
    const stop = await subscriber.subscribe((c) => heard.push(c));
    const writer = new PostgresOrderStore({ db: pool, schema: s });
    try {
      // A transaction id taken in the other database first, so it sorts below every change here.
      await elsewhere.query('BEGIN');
      await elsewhere.query('SELECT pg_current_xact_id()');
      for (let i = 0; i < 3; i++) {
        const o = testOrder({ id: `beside-${i}` });
        await writer.create(o, { events: [createdEvent(o)], effects: [] });
      }
      await until(() => heard.length >= 3, 5000);
      expect(heard.map((c) => c.orderId)).toEqual(['beside-0', 'beside-1', 'beside-2']);
      expect((await subscriber.changesSince(null, 100)).map((c) => c.orderId)).toEqual(['beside-0', 'beside-1', 'beside-2']);

      // The same in this database (not writing the log, only holding a transaction id) holds back
      // the changes committed after it, as before.
      await local.query('BEGIN');
      await local.query('SELECT pg_current_xact_id()');
      const after = testOrder({ id: 'behind-local' });
      await writer.create(after, { events: [createdEvent(after)], effects: [] });
      await new Promise((r) => setTimeout(r, 300));
      expect(heard).toHaveLength(3);
      await local.query('COMMIT');
      await until(() => heard.length >= 4, 5000);
      expect(heard[3]!.orderId).toBe('behind-local');
      checkDelivered(heard, ['beside-0', 'beside-1', 'beside-2', 'behind-local'], 1);
    } finally {
      await elsewhere.query('ROLLBACK').catch(() => undefined);
      await local.query('ROLLBACK').catch(() => undefined);
      await elsewhere.end();
      await local.end();
      await stop();
    }
  }, 60_000);

  for (const notify of ['after-commit', 'in-transaction'] as const) {
    it(`early word (onNotified, notify: ${notify}): a change arrives while the log is held back, with the position the log gives it later; nothing that rolled back`, async () => {
      const subscriber = new PostgresOrderStore({ db: pool, schema: s, feedPollMs: 50 });
      const heard: OrderChange[] = [];
      const early: OrderChange[] = [];
      const stop = await subscriber.subscribe((c) => heard.push(c), { onNotified: (c) => early.push(c) });
      const writer = new PostgresOrderStore({ db: pool, schema: s, notify });
      const local = new pg.Client({ connectionString: real.url });
      await local.connect();
      try {
        await local.query('BEGIN');
        await local.query('SELECT pg_current_xact_id()');
        const o = testOrder({ id: `early-${notify}` });
        await writer.create(o, { events: [createdEvent(o)], effects: [] });
        // A commit of the same order behind it, and a commit that rolls back (a caller's transaction).
        const paid = { ...o, version: 2, status: 'paid' as const, updatedAt: '2026-01-02T00:00:00.000Z' };
        await writer.commit({ order: paid, expectedVersion: 1, events: [], effects: [] });
        const doomed = new pg.Client({ connectionString: real.url });
        await doomed.connect();
        try {
          await doomed.query('BEGIN');
          const d = testOrder({ id: `doomed-${notify}` });
          await storeOn(doomed).create(d, { events: [createdEvent(d)], effects: [] });
          await doomed.query('ROLLBACK');
        } finally {
          await doomed.end();
        }
        await until(() => early.length >= 2, 5000);
        expect(heard).toEqual([]);
        expect(early.map((c) => [c.orderId, c.version, c.status])).toEqual([
          [o.id, 1, o.status],
          [o.id, 2, 'paid'],
        ]);
        expect(early[1]!.at).toBe(paid.updatedAt);
        await local.query('COMMIT');
        await until(() => heard.length >= 2, 5000);
        await new Promise((r) => setTimeout(r, 200));
        expect(heard).toEqual(early);
        expect(early.map((c) => c.orderId)).not.toContain(`doomed-${notify}`);
      } finally {
        await local.query('ROLLBACK').catch(() => undefined);
        await local.end();
        await stop();
        await writer.close();
      }
    }, 60_000);
  }

  it('1,000 commits from 4 writers while the listening connection is killed again and again: each change once, in order', async () => {
    const subscriber = new PostgresOrderStore({ db: pool, schema: s });
    const heard: OrderChange[] = [];
    const reconnects: Array<string | null> = [];
    const stop = await subscriber.subscribe((c) => heard.push(c), { onReconnect: ({ since }) => reconnects.push(since) });
    const writers = [0, 1, 2, 3].map(() => new PostgresOrderStore({ db: pool, schema: s }));
    let kills = 0;
    const kill = async (): Promise<number> => {
      const r = await admin.query(
        `SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity WHERE query = $1 AND pid <> pg_backend_pid()`,
        [`LISTEN "${s}_changes"`],
      );
      return r.rows[0].n as number;
    };
    try {
      // 5 rounds of 4 writers × 5 orders × (1 create + 9 commits) = 1,000 commits. Each round kills
      // the listening connection while its writers commit, and the next round starts once the feed
      // has reconnected, so every run kills it several times however fast the server is.
      let commits = 0;
      for (let round = 0; round < 5; round++) {
        const writing = concurrentWriters(writers, 5, 9, `r${round}-f`);
        kills += await kill();
        commits += await writing;
        await until(() => reconnects.length >= kills, 20_000);
      }
      expect(commits).toBe(1000);
      await until(() => heard.length >= 1000, 20_000);
      await new Promise((r) => setTimeout(r, 300));
      const ids = [0, 1, 2, 3, 4].flatMap((round) => [0, 1, 2, 3].flatMap((w) => Array.from({ length: 5 }, (_, i) => `r${round}-f${w}-${i}`)));
      checkDelivered(heard, ids, 10);
      expect(heard).toEqual(await subscriber.changesSince(null, 2000));
      console.log(`change feed: ${heard.length} changes, listening connection killed ${kills} times, ${reconnects.length} reconnects`);
      expect(kills).toBeGreaterThanOrEqual(3);
      expect(reconnects.length).toBeGreaterThanOrEqual(3);
    } finally {
      await stop();
    }
  }, 120_000);
});
