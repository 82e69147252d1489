import { describe, expect, it } from 'vitest';
import { WxCloudOrderStore } from '../../src/adapters/wx-cloud/index.js';
import { personalDataRedaction } from '../../src/service/privacy.js';
import { createCloudDatabaseStandIn, type StandInOperation } from '../../src/testing/index.js';
import { createdEvent, testEffects, testOrder, TEST_EPOCH } from '../../src/testing/index.js';

/**
 * The anonymisation of an order (docs/privacy.md) racing the outbox on the cloud database: a worker that completes an effect, or claims it, while the rewrite is between
 * its read and its write, The rewrite changes personal
 * data only, never an effect's delivery state or lease.
 */
const later = new Date(Date.parse(TEST_EPOCH) + 86_400_000);

async function setup() {
  let during: ((op: StandInOperation) => Promise<void>) | null = null;
  // The server's clock, which leases run on: moved by the tests past every lease.
  const clock = { now: later.getTime() };
  const db = createCloudDatabaseStandIn({
    clock: () => clock.now,
    beforeOperation: async (op) => {
      const run = during;
      if (run === null) return;
      await run(op);
    },
  });
  const store = new WxCloudOrderStore(db, { repairAfterMs: 0 });
  await store.ensureCollections();
  const order = testOrder({ id: 'o-r', customerId: 'wx-openid-r' });
  // Effects that name the customer (a message to their OPENID), so the rewrite writes them.
  const effects = testEffects(order, 2).map((e) => ({ ...e, data: { ...(e as { data: object }).data, openid: 'wx-openid-r' } }));
  await store.create(order, { events: [createdEvent(order)], effects });
  return { store, order, clock, arm: (run: ((op: StandInOperation) => Promise<void>) | null) => (during = run) };
}

/** Runs `meanwhile` once, just before the rewrite writes the first record of `collection`. */
function onceBeforeWrite(collection: string, meanwhile: () => Promise<void>) {
  let fired = false;
  return async (op: StandInOperation) => {
    if (fired || op.collection !== collection || (op.kind !== 'doc.set' && op.kind !== 'doc.update' && op.kind !== 'update')) return;
    fired = true;
    await meanwhile();
  };
}

describe('WxCloudOrderStore: redactPersonalData racing the outbox and commits', () => {
  it('an effect completed while the rewrite runs stays completed (never delivered again)', async () => {
    const { store, clock, arm } = await setup();
    const claimed = await store.claim(10, 60_000, later);
    expect(claimed.map((e) => e.effect.id)).toEqual(['o-r:1:0', 'o-r:1:1']);
    arm(onceBeforeWrite(store.names.outbox, async () => {
      arm(null);
      await store.complete('o-r:1:0', later);
      await store.complete('o-r:1:1', later);
    }));
    expect(await store.redactPersonalData([personalDataRedaction('o-r', 'wx-openid-r', 'anon-r')])).toBe(1);
    arm(null);
    clock.now += 3_600_000;
    const again = await store.claim(10, 60_000, new Date(clock.now));
    expect(again.map((e) => e.effect.id)).toEqual([]);
    expect(JSON.stringify(claimed)).toContain('wx-openid-r');
  });

  it('an effect claimed while the rewrite runs keeps its lease (no second worker gets it meanwhile)', async () => {
    const { store, clock, arm } = await setup();
    let first: string[] = [];
    arm(onceBeforeWrite(store.names.outbox, async () => {
      arm(null);
      first = (await store.claim(10, 60_000, later)).map((e) => e.effect.id);
    }));
    await store.redactPersonalData([personalDataRedaction('o-r', 'wx-openid-r', 'anon-r')]);
    arm(null);
    expect(first).toEqual(['o-r:1:0', 'o-r:1:1']);
    const second = await store.claim(10, 60_000, later);
    expect(second.map((e) => e.effect.id)).toEqual([]);
    // Rewritten all the same: a later claim (past the lease) hands out the pseudonym only.
    clock.now += 3_600_000;
    const third = await store.claim(10, 60_000, new Date(clock.now));
    expect(third.map((e) => e.effect.id)).toEqual(['o-r:1:0', 'o-r:1:1']);
    expect(JSON.stringify(third)).not.toContain('wx-openid-r');
    expect(JSON.stringify(third)).toContain('anon-r');
  });
});
