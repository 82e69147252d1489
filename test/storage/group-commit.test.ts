import { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { migrate, PostgresOrderStore, toSqlDriver, type PostgresDatabase, type SqlDriver } from '../../src/adapters/postgres/index.js';
import { CommitBatcher, type CommitRoutes } from '../../src/adapters/postgres/commit-batcher.js';
import type { CommitInput } from '../../src/storage/index.js';
import { createdEvent, nextVersion, testOrder } from '../../src/testing/index.js';
import { describeRealPg, migratedPool } from '../support/pg.js';
import { truncateAll } from './pg-helpers.js';
import { freshPGlite } from '../support/pglite.js';

// ---- the batcher alone, with routes that record what they were asked ------------------------

function input(orderId: string, expectedVersion = 1): CommitInput {
  const order = testOrder({ id: orderId });
  const step = nextVersion(order, { status: 'paid' });
  return { order: step.order, expectedVersion, events: step.events, effects: step.effects };
}

interface Recorded {
  routes: CommitRoutes;
  calls: string[][];
  /** Lets the statement in flight finish. */
  release(): void;
}

/** Routes whose statements wait until released, so that commits pile up behind them. */
function recordingRoutes(answer: (ids: string[]) => Promise<Array<unknown | undefined>> = async (ids) => ids.map(() => undefined)): Recorded {
  const calls: string[][] = [];
  let gates: Array<() => void> = [];
  const gate = () => new Promise<void>((resolve) => gates.push(resolve));
  return {
    calls,
    release() {
      const open = gates;
      gates = [];
      for (const g of open) g();
    },
    routes: {
      async one(i) {
        calls.push([i.order.id]);
        await gate();
        const [error] = await answer([i.order.id]);
        if (error !== undefined) throw error;
      },
      async many(inputs) {
        const ids = inputs.map((i) => i.order.id);
        calls.push(ids);
        await gate();
        return answer(ids);
      },
    },
  };
}

const tick = () => new Promise((r) => setTimeout(r, 0));

describe('group commit: the batcher', () => {
  it('sends a lone commit at once, alone, and gathers the commits that arrive meanwhile into one statement', async () => {
    const r = recordingRoutes();
    const batcher = new CommitBatcher(r.routes, { stallMs: 60_000 });
    const first = batcher.commit(input('a'));
    await tick();
    expect(r.calls).toEqual([['a']]);
    const rest = ['b', 'c', 'd'].map((id) => batcher.commit(input(id)));
    await tick();
    expect(r.calls).toEqual([['a']]); // waiting behind the statement in flight
    r.release();
    await first;
    await tick();
    expect(r.calls).toEqual([['a'], ['b', 'c', 'd']]);
    r.release();
    await Promise.all(rest);
  });

  it('never puts two commits of one order in the same statement', async () => {
    const r = recordingRoutes();
    const batcher = new CommitBatcher(r.routes, { stallMs: 60_000 });
    const all = [batcher.commit(input('x')), batcher.commit(input('a')), batcher.commit(input('a')), batcher.commit(input('b'))];
    for (let i = 0; i < 4; i++) {
      await tick();
      r.release();
    }
    await Promise.all(all);
    expect(r.calls).toEqual([['x'], ['a', 'b'], ['a']]);
  });

  it('gives each commit of a batch its own answer', async () => {
    const conflict = Object.assign(new Error('conflict'), { code: 'VERSION_CONFLICT' });
    const r = recordingRoutes(async (ids) => ids.map((id) => (id === 'b' ? conflict : undefined)));
    const batcher = new CommitBatcher(r.routes, { stallMs: 60_000 });
    const lone = batcher.commit(input('x'));
    const batch = ['a', 'b', 'c'].map((id) => batcher.commit(input(id)).then(() => 'ok', (e: unknown) => e));
    await tick();
    r.release();
    await lone;
    await tick();
    r.release();
    expect(await Promise.all(batch)).toEqual(['ok', conflict, 'ok']);
  });

  it('retries each commit alone when PostgreSQL refused the statement as a whole', async () => {
    const refused = Object.assign(new Error('duplicate key value violates unique constraint "outbox_pkey"'), { code: '23505' });
    const duplicate = Object.assign(new Error('an effect id is already in the outbox'), { code: 'INVALID_COMMIT' });
    const r = recordingRoutes(async (ids) => {
      if (ids.length > 1) throw refused;
      return [ids[0] === 'b' ? duplicate : undefined];
    });
    const batcher = new CommitBatcher(r.routes, { stallMs: 60_000 });
    const lone = batcher.commit(input('x'));
    const batch = ['a', 'b', 'c'].map((id) => batcher.commit(input(id)).then(() => 'ok', (e: unknown) => e));
    for (let i = 0; i < 3; i++) {
      await tick();
      r.release();
    }
    await lone;
    expect(await Promise.all(batch)).toEqual(['ok', duplicate, 'ok']);
    expect(r.calls).toEqual([['x'], ['a', 'b', 'c'], ['a'], ['b'], ['c']]);
  });

  it('lets the next batch leave beside a statement that stalls (a row held by another transaction)', async () => {
    let stuck: (() => void) | undefined;
    const calls: string[][] = [];
    const routes: CommitRoutes = {
      async one(i) {
        calls.push([i.order.id]);
        if (i.order.id === 'held') await new Promise<void>((resolve) => (stuck = resolve));
      },
      async many(inputs) {
        calls.push(inputs.map((i) => i.order.id));
        return inputs.map(() => undefined);
      },
    };
    const batcher = new CommitBatcher(routes, { stallMs: 30 });
    const held = batcher.commit(input('held'));
    await tick();
    const others = Promise.all(['a', 'b'].map((id) => batcher.commit(input(id))));
    await others; // lands while 'held' still waits
    expect(calls).toEqual([['held'], ['a', 'b']]);
    stuck!();
    await held;
  });

  it('does not write again after a lost connection (the statement may have committed): every commit of the batch gets the error', async () => {
    const lost = new Error('Connection terminated unexpectedly');
    const r = recordingRoutes(async (ids) => {
      if (ids.length > 1) throw lost;
      return [undefined];
    });
    const batcher = new CommitBatcher(r.routes, { stallMs: 60_000 });
    const lone = batcher.commit(input('x'));
    const batch = ['a', 'b'].map((id) => batcher.commit(input(id)).then(() => 'ok', (e: unknown) => e));
    for (let i = 0; i < 2; i++) {
      await tick();
      r.release();
    }
    await lone;
    expect(await Promise.all(batch)).toEqual([lost, lost]);
    expect(r.calls).toEqual([['x'], ['a', 'b']]);
  });
});

// ---- the store, on PGlite and on the real server ---------------------------------------------

interface Db {
  query(text: string, params?: unknown[]): Promise<{ rows: Array<Record<string, unknown>> }>;
}

/** The database's driver, counting the statements that wrote several commits at once. */
function counting(db: PostgresDatabase): { driver: SqlDriver; batches: number[] } {
  const inner = toSqlDriver(db);
  const batches: number[] = [];
  const driver: SqlDriver = {
    query: (text, params) => {
      if (text.includes('jsonb_to_recordset')) batches.push((JSON.parse(params![0] as string) as unknown[]).length);
      return inner.query(text, params);
    },
    transaction: (body) => inner.transaction(body),
    listen: (channel, onPayload) => inner.listen(channel, onPayload),
  };
  return { driver, batches };
}

/**
 * Many concurrent commits through one store: distinct orders, a pair racing on one order, and a
 * bad effect id. Returns the sizes of the statements that carried several commits.
 */
async function raceThroughOneStore(db: Db, storeFor: (driver: SqlDriver) => PostgresOrderStore, schema: string): Promise<number[]> {
  const { driver, batches } = counting(db as unknown as PostgresDatabase);
  const store = storeFor(driver);
  const ids = Array.from({ length: 24 }, (_, i) => `g${i}`);
  for (const id of ids) {
    const order = testOrder({ id });
    await store.create(order, { events: [createdEvent(order)], effects: [] });
  }
  // Occupy effect id g5:2:0 so that g5's commit breaks the outbox key.
  await db.query(`INSERT INTO "${schema}".outbox (id, order_id, type, doc, available_at) VALUES ('g5:2:0', 'g5', 'notify', '{}', now())`);
  const commits = ids.map((id) => {
    const step = nextVersion(testOrder({ id }), { status: 'paid', effects: 1 });
    return { order: step.order, expectedVersion: 1, events: step.events, effects: step.effects };
  });
  // Two writers that loaded g0 at version 1: exactly one may win.
  const rival = { ...commits[0]!, order: { ...commits[0]!.order, updatedAt: '2026-01-01T00:09:00.000Z' } };
  const all = [...commits, rival];
  const settled = await Promise.all(all.map((c) => store.commit(c).then(() => 'ok', (e: unknown) => (e as { code?: string }).code ?? String(e))));

  expect(settled[5]).toBe('INVALID_COMMIT');
  expect([settled[0], settled[24]].sort()).toEqual(['VERSION_CONFLICT', 'ok']);
  expect(settled.filter((s) => s === 'ok')).toHaveLength(23);
  const rows = await db.query(
    `SELECT o.id, o.version, (SELECT count(*)::int FROM "${schema}".order_events e WHERE e.order_id = o.id) AS events,
            (SELECT count(*)::int FROM "${schema}".outbox x WHERE x.order_id = o.id) AS effects
     FROM "${schema}".orders o ORDER BY o.id`,
  );
  for (const row of rows.rows) {
    // g5 wrote nothing of its commit (its only outbox row is the one planted above).
    const expected = row['id'] === 'g5' ? { version: 1, events: 1, effects: 1 } : { version: 2, events: 2, effects: 1 };
    expect({ id: row['id'], version: row['version'], events: row['events'], effects: row['effects'] }).toEqual({ id: row['id'], ...expected });
  }
  return batches;
}

describe('group commit: PostgresOrderStore on PGlite', () => {
  let db: PGlite;
  beforeAll(async () => {
    db = await freshPGlite();
    await migrate(db, { schema: 'group_commit' });
  });
  afterAll(async () => {
    await db.close();
  });
  beforeEach(async () => {
    await truncateAll(db, 'group_commit');
  });

  it('commits racing through one store: each order its own compare-and-set, a bad commit alone refused', async () => {
    const batches = await raceThroughOneStore(db as unknown as Db, (driver) => new PostgresOrderStore({ db: driver, schema: 'group_commit' }), 'group_commit');
    expect(Math.max(...batches)).toBeGreaterThan(1);
  });

  it('gives the same answers with group commit turned off', async () => {
    const batches = await raceThroughOneStore(db as unknown as Db, (driver) => new PostgresOrderStore({ db: driver, schema: 'group_commit', groupCommit: false }), 'group_commit');
    expect(batches).toEqual([]);
  });
});

await describeRealPg('group commit: PostgresOrderStore on the real PostgreSQL', (real) => {
  const pool = migratedPool(real);

  it('commits racing through one store: each order its own compare-and-set, a bad commit alone refused', async () => {
    await truncateAll(pool(), real.schema);
    const batches = await raceThroughOneStore(pool() as unknown as Db, (driver) => new PostgresOrderStore({ db: driver, schema: real.schema }), real.schema);
    expect(Math.max(...batches)).toBeGreaterThan(1);
  });
});
