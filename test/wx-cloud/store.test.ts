import { describe, expect, it } from 'vitest';
import { WxCloudOrderStore } from '../../src/adapters/wx-cloud/index.js';
import { createCloudDatabaseStandIn, type StandInOperation } from '../../src/testing/index.js';
import { createdEvent, nextVersion, testEffects, testOrder, TEST_EPOCH } from '../../src/testing/index.js';

/** Guarantees of the cloud store beyond the shared contract: each crash point, paging past 100. */
async function setup(faults?: (op: StandInOperation) => void, caps: { pageCap?: 20 | 100 | 1000; pageSize?: number } = {}) {
  const db = createCloudDatabaseStandIn({ beforeOperation: (op) => faults?.(op), ...(caps.pageCap ? { pageCap: caps.pageCap } : {}) });
  const publishErrors: string[] = [];
  const store = new WxCloudOrderStore(db, { onPublishError: (_e, id) => publishErrors.push(id), repairAfterMs: 0, ...(caps.pageSize ? { pageSize: caps.pageSize } : {}) });
  await store.ensureCollections();
  return { db, store, publishErrors };
}

const later = new Date(Date.parse(TEST_EPOCH) + 86_400_000);

/**
 * Makes every operation matching `pick` fail while armed: a function dying at that point (the
 * store retries what it may retry; a dead function retries nothing, so the fault persists until
 * `disarm`, like the next invocation on a fresh instance).
 */
function crashOnce(pick: (op: StandInOperation) => boolean) {
  let armed = false;
  let fired = false;
  return {
    arm: () => {
      armed = true;
    },
    disarm: () => {
      armed = false;
    },
    hook: (op: StandInOperation) => {
      if (armed && pick(op)) {
        fired = true;
        throw new Error(`simulated crash before ${op.kind} on ${op.collection}`);
      }
    },
    get fired() {
      return fired;
    },
  };
}

/** The commit transaction of an order (it writes the orders collection). */
const orderWrite = (op: StandInOperation) => op.collection === 'orders' && op.kind === 'transaction.write';

describe('WxCloudOrderStore compare-and-set', () => {
  it('a stale commit without events still conflicts (the version condition alone decides)', async () => {
    const { store } = await setup();
    const order = testOrder({ id: 'o1' });
    await store.create(order, { events: [createdEvent(order)], effects: [] });
    const v2 = nextVersion(order, { status: 'paid' });
    await store.commit({ order: v2.order, expectedVersion: 1, events: [], effects: [] });
    const stale = nextVersion(order, { status: 'closed' });
    await expect(store.commit({ order: stale.order, expectedVersion: 1, events: [], effects: [] })).rejects.toMatchObject({ code: 'VERSION_CONFLICT' });
    expect((await store.load('o1'))!.status).toBe('paid');
  });

  it('refuses to change the order number', async () => {
    const { store } = await setup();
    const order = testOrder({ id: 'o1' });
    await store.create(order, { events: [createdEvent(order)], effects: [] });
    const v2 = nextVersion(order);
    await expect(store.commit({ order: { ...v2.order, number: 'OTHER' }, expectedVersion: 1, events: v2.events, effects: [] })).rejects.toMatchObject({ code: 'INVALID_COMMIT' });
  });

  it('replaces nested fields instead of merging them (a removed deadline stays removed)', async () => {
    const { store, db } = await setup();
    const order = testOrder({ id: 'o1' });
    await store.create(order, { events: [createdEvent(order)], effects: [] });
    const paid = nextVersion(order, { status: 'paid' });
    expect(paid.order.deadlines).toEqual({});
    await store.commit({ order: paid.order, expectedVersion: 1, events: paid.events, effects: [] });
    expect((await store.load('o1'))!.deadlines).toEqual({});
    const raw = db.dump('orders')[0]!;
    expect(raw.ok_due).toBeNull();
    expect(raw.ok_journal).toBeUndefined();
  });
});

describe('WxCloudOrderStore crash safety', () => {
  it('a function that dies after the compare-and-set loses nothing: readers and claim repair it', async () => {
    const crash = crashOnce((op) => op.collection === 'order_events' && op.kind === 'doc.set');
    const { store, db, publishErrors } = await setup(crash.hook);
    const order = testOrder({ id: 'o1' });
    await store.create(order, { events: [createdEvent(order)], effects: [] });
    crash.arm();
    const step = nextVersion(order, { status: 'paid', effects: 2 });
    await store.commit({ order: step.order, expectedVersion: 1, events: step.events, effects: step.effects, idempotencyKey: 'pay-1' });
    crash.disarm();
    expect(crash.fired).toBe(true);
    expect(publishErrors).toEqual(['o1']);
    // The commit happened: the order moved, and its history already shows the event.
    expect((await store.load('o1'))!.version).toBe(2);
    expect((await store.history('o1')).map((e) => e.version)).toEqual([1, 2]);
    expect(db.dump('order_outbox')).toHaveLength(0);
    expect((await store.findIdempotency('pay-1'))!.version).toBe(2);
    // The outbox worker's claim publishes the journal first, so the effects are delivered.
    const claimed = await store.claim(10, 1000, later);
    expect(claimed.map((c) => c.effect.id).sort()).toEqual(['o1:2:0', 'o1:2:1']);
    expect(db.dump('orders')[0]!.ok_journal).toBeUndefined();
    expect(db.dump('order_events')).toHaveLength(2);
  });

  it('the next commit publishes a journal left behind before it may replace it', async () => {
    const crash = crashOnce((op) => op.collection === 'order_outbox' && op.kind === 'add');
    const { store, db } = await setup(crash.hook);
    const order = testOrder({ id: 'o1' });
    await store.create(order, { events: [createdEvent(order)], effects: [] });
    crash.arm();
    const v2 = nextVersion(order, { status: 'paid', effects: 1 });
    await store.commit({ order: v2.order, expectedVersion: 1, events: v2.events, effects: v2.effects });
    crash.disarm();
    const v3 = nextVersion(v2.order, { status: 'shipped', effects: 1 });
    await store.commit({ order: v3.order, expectedVersion: 2, events: v3.events, effects: v3.effects });
    expect(db.dump('order_outbox').map((d) => d._id).sort()).toEqual(['o1:2:0', 'o1:3:0']);
    expect((await store.history('o1')).map((e) => e.version)).toEqual([1, 2, 3]);
  });

  it('a function that dies between reserving an idempotency key and the write: the key settles the intent', async () => {
    const crash = crashOnce(orderWrite);
    const { store } = await setup(crash.hook);
    const order = testOrder({ id: 'o1' });
    await store.create(order, { events: [createdEvent(order)], effects: [] });
    crash.arm();
    const step = nextVersion(order, { status: 'paid', effects: 1 });
    await expect(store.commit({ order: step.order, expectedVersion: 1, events: step.events, effects: step.effects, idempotencyKey: 'pay-1' })).rejects.toMatchObject({
      code: 'CLOUD_DATABASE_ERROR',
      details: { mayHaveApplied: false },
    });
    crash.disarm();
    // A retry asks for the key: the recorded change can still happen exactly as recorded, so it does.
    const record = await store.findIdempotency('pay-1');
    expect(record?.version).toBe(2);
    expect((await store.load('o1'))!.status).toBe('paid');
    expect((await store.claim(10, 1000, later)).map((c) => c.effect.id)).toEqual(['o1:2:0']);
  });

  it('a reservation whose order moved on without it is dead: the key is free again', async () => {
    const crash = crashOnce(orderWrite);
    const { store } = await setup(crash.hook);
    const order = testOrder({ id: 'o1' });
    await store.create(order, { events: [createdEvent(order)], effects: [] });
    crash.arm();
    const step = nextVersion(order, { status: 'paid' });
    await expect(store.commit({ order: step.order, expectedVersion: 1, events: step.events, effects: [], idempotencyKey: 'k' })).rejects.toMatchObject({ code: 'CLOUD_DATABASE_ERROR' });
    crash.disarm();
    const other = nextVersion(order, { status: 'closed' });
    await store.commit({ order: other.order, expectedVersion: 1, events: other.events, effects: [] });
    expect(await store.findIdempotency('k')).toBeNull();
    const again = nextVersion(other.order, { status: 'closed' });
    await store.commit({ order: again.order, expectedVersion: 2, events: again.events, effects: [], idempotencyKey: 'k' });
    expect((await store.findIdempotency('k'))!.version).toBe(3);
  });

  it('a create that died after claiming its number can be retried with the same order', async () => {
    const crash = crashOnce(orderWrite);
    const { store, db } = await setup(crash.hook);
    crash.arm();
    const order = testOrder({ id: 'o1', number: 'N1' });
    await expect(store.create(order, { events: [createdEvent(order)], effects: testEffects(order, 1) })).rejects.toMatchObject({ code: 'CLOUD_DATABASE_ERROR' });
    crash.disarm();
    expect(db.dump('order_keys').map((d) => d._id)).toEqual(['num:N1', 'ok_sdk_probe']);
    await store.create(order, { events: [createdEvent(order)], effects: testEffects(order, 1) });
    expect((await store.load('o1'))!.number).toBe('N1');
    const intruder = testOrder({ id: 'o2', number: 'N1' });
    await expect(store.create(intruder, { events: [createdEvent(intruder)], effects: [] })).rejects.toMatchObject({ code: 'ORDER_EXISTS' });
  });
});

describe.each([
  { pageCap: 100 as const, pageSize: undefined },
  { pageCap: 1000 as const, pageSize: undefined },
  { pageCap: 20 as const, pageSize: 20 },
])('WxCloudOrderStore pages past get()’s cap (cap $pageCap, page size $pageSize)', (caps) => {
  it('history, list, claim and findDue read every record', async () => {
    const { store } = await setup(undefined, caps);
    let order = testOrder({ id: 'busy' });
    await store.create(order, { events: [createdEvent(order)], effects: [] });
    for (let i = 0; i < 130; i++) {
      const step = nextVersion(order, { effects: 1 });
      await store.commit({ order: step.order, expectedVersion: order.version, events: step.events, effects: step.effects });
      order = step.order;
    }
    const history = await store.history('busy');
    expect(history).toHaveLength(131);
    expect(history.map((e) => e.version)).toEqual(Array.from({ length: 131 }, (_, i) => i + 1));
    const claimed = await store.claim(1000, 1000, new Date(Date.parse(order.updatedAt) + 1));
    expect(claimed).toHaveLength(130);
    expect(new Set(claimed.map((c) => c.effect.id)).size).toBe(130);

    for (let i = 0; i < 120; i++) {
      const o = testOrder({ id: `p${String(i).padStart(3, '0')}`, createdAt: new Date(Date.parse(TEST_EPOCH) + i * 1000).toISOString() });
      await store.create(o, { events: [createdEvent(o)], effects: [] });
    }
    const first = await store.list({ limit: 100, customerId: 'c1' });
    expect(first.items).toHaveLength(100);
    expect(first.nextCursor).not.toBeNull();
    const second = await store.list({ limit: 100, customerId: 'c1', cursor: first.nextCursor });
    expect(second.items).toHaveLength(21);
    expect(second.nextCursor).toBeNull();
    const due = await store.findDue(later, 500, { leaseMs: 1000 });
    expect(due).toHaveLength(121);
  });
});

describe('the fields a commit replaces', () => {
  it('are the order schema\'s, in its order', async () => {
    const { ORDER_FIELDS } = await import('../../src/adapters/wx-cloud/documents.js');
    const { OrderSchema } = await import('../../src/order/index.js');
    expect([...ORDER_FIELDS]).toEqual(Object.keys(OrderSchema.shape));
  });
});
