import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PGlite } from '@electric-sql/pglite';
import { MIGRATIONS, migrate, PostgresOrderStore } from '../../src/adapters/postgres/index.js';
import { WxCloudOrderStore } from '../../src/adapters/wx-cloud/index.js';
import { createCloudDatabaseStandIn, createdEvent, testEffects, testOrder, TEST_EPOCH } from '../../src/testing/index.js';
import { freshPGlite } from '../support/pglite.js';

/**
 * Lease tokens (docs/storage.md, "Outbox") and outboxes written before them: PostgreSQL's column
 * comes with migration 003, wx-cloud records have no `lease_token` until their first claim.
 */
const t0 = new Date(Date.parse(TEST_EPOCH) + 1000);
const plus = (ms: number) => new Date(t0.getTime() + ms);

describe('PostgreSQL: an outbox from before migration 003', () => {
  let db: PGlite;
  beforeAll(async () => {
    db = await freshPGlite();
  });
  afterAll(async () => {
    await db.close();
  });

  it('works after the upgrade: a lease taken before it is finished without a token; new claims hand out tokens that are checked', async () => {
    await migrate(db, { migrations: MIGRATIONS.filter((m) => m.version <= 2) });
    // Written and leased as a release before lease tokens did it (no lease_token column yet).
    for (const id of ['o-1', 'o-2']) {
      const order = testOrder({ id, createdAt: TEST_EPOCH });
      await db.query(`INSERT INTO orderkit.outbox (id, order_id, type, doc, available_at) VALUES ($1, $2, 'notify', $3::jsonb, $4)`, [
        `${id}:1:0`,
        id,
        JSON.stringify(testEffects(order, 1)[0]),
        TEST_EPOCH,
      ]);
    }
    await db.query(`UPDATE orderkit.outbox SET lease_until = $1, attempts = 1 WHERE id = 'o-1:1:0'`, [plus(30_000).toISOString()]);
    expect((await migrate(db)).applied).toEqual([3, 4]);
    const store = new PostgresOrderStore({ db });
    // The old worker still holds o-1's effect and completes it the old way, without a token.
    const fresh = await store.claim(10, 5000, t0);
    expect(fresh.map((e) => [e.effect.id, e.attempts, typeof e.leaseToken])).toEqual([['o-2:1:0', 0, 'string']]);
    await store.complete('o-1:1:0', plus(1000));
    // o-2's lease runs out, a second worker claims it; the first one's token is stale.
    const [again] = await store.claim(10, 60_000, plus(5000));
    expect(again!.effect.id).toBe('o-2:1:0');
    await store.complete('o-2:1:0', plus(6000), fresh[0]!.leaseToken);
    expect(await store.claim(10, 1000, plus(6000))).toHaveLength(0);
    await store.complete('o-2:1:0', plus(6000), again!.leaseToken);
    expect(await store.claim(10, 1000, plus(86_400_000))).toHaveLength(0);
  });
});

describe('wx-cloud: outbox records without lease_token (written before lease tokens, or never claimed)', () => {
  it('are claimed with a token that complete and fail check', async () => {
    let now = t0.getTime();
    const db = createCloudDatabaseStandIn({ clock: () => now });
    const store = new WxCloudOrderStore(db, { repairAfterMs: 0 });
    await store.ensureCollections();
    const order = testOrder({ id: 'o-1', createdAt: TEST_EPOCH });
    await store.create(order, { events: [createdEvent(order)], effects: testEffects(order, 1) });
    // Publish the journal, then look at the record as older releases left it: no lease_token.
    expect(await store.claim(10, 5000, t0)).toHaveLength(1);
    await db.collection('order_outbox').where({ _id: 'o-1:1:0' }).update({ data: { lease: 0, attempts: 0, lease_token: db.command.remove() } });
    const before = (await db.collection('order_outbox').where({ _id: 'o-1:1:0' }).get()).data[0] as Record<string, unknown>;
    expect(before).not.toHaveProperty('lease_token');
    const [a] = await store.claim(10, 5000, t0);
    expect(typeof a!.leaseToken).toBe('string');
    now = plus(5000).getTime();
    const [b] = await store.claim(10, 60_000, plus(5000));
    expect(b!.leaseToken).not.toBe(a!.leaseToken);
    await store.fail('o-1:1:0', plus(6000), 'stale', a!.leaseToken);
    await store.complete('o-1:1:0', plus(6000), a!.leaseToken);
    expect(await store.claim(10, 1000, plus(6000))).toHaveLength(0);
    await store.complete('o-1:1:0', plus(6000), b!.leaseToken);
    now = plus(86_400_000).getTime();
    expect(await store.claim(10, 1000, plus(86_400_000))).toHaveLength(0);
  });
});
