import { describe, expect, it } from 'vitest';
import { WxCloudOrderStore } from '../../src/adapters/wx-cloud/index.js';
import { createCloudDatabaseStandIn, type CloudDatabaseStandIn, type StandInFault, type StandInOperation } from '../../src/testing/index.js';
import { createdEvent, nextVersion, testEffects, testOrder, TEST_EPOCH } from '../../src/testing/index.js';

/**
 * The store under the failures Tencent documents (docs/wechat.md, "Failures the store expects"):
 * a `-502001` that is not a duplicate, `-501004` over the quota, answers lost after the write
 * applied. Each test can fail: it names the write that goes wrong and checks what is left.
 */
const later = new Date(Date.parse(TEST_EPOCH) + 86_400_000);

async function setup(options: { fault?: (op: StandInOperation) => StandInFault | null; maxConcurrent?: number; clock?: () => number; maxParallel?: number } = {}) {
  const db = createCloudDatabaseStandIn({
    ...(options.fault ? { fault: options.fault } : {}),
    ...(options.maxConcurrent !== undefined ? { maxConcurrent: options.maxConcurrent } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
  });
  const publishErrors: Array<{ error: unknown; orderId: string }> = [];
  const store = new WxCloudOrderStore(db, {
    onPublishError: (error, orderId) => publishErrors.push({ error, orderId }),
    repairAfterMs: 0,
    ...(options.maxParallel !== undefined ? { maxParallel: options.maxParallel } : {}),
  });
  await store.ensureCollections();
  return { db, store, publishErrors };
}

/** Fails the operations `pick` selects with `fault`, while armed. */
function injector(pick: (op: StandInOperation) => boolean, fault: StandInFault) {
  const state = { armed: false, fired: 0 };
  return {
    state,
    fault: (op: StandInOperation) => {
      if (!state.armed || !pick(op)) return null;
      state.fired += 1;
      return fault;
    },
  };
}

describe('only E11000 is a duplicate', () => {
  it('a failed outbox add is not taken for "already there": the effect is reported and delivered, never lost', async () => {
    const inj = injector((op) => op.collection === 'order_outbox' && op.kind === 'add', 'request-failed');
    const { store, db, publishErrors } = await setup({ fault: inj.fault });
    const order = testOrder({ id: 'o1' });
    await store.create(order, { events: [createdEvent(order)], effects: [] });
    inj.state.armed = true;
    const refund = nextVersion(order, { status: 'closed', effects: 1 });
    await store.commit({ order: refund.order, expectedVersion: 1, events: refund.events, effects: refund.effects });
    inj.state.armed = false;
    expect(inj.state.fired).toBe(1);
    // Reported, typed, and the journal is still there to be published again.
    expect(publishErrors.map((p) => [p.orderId, (p.error as { code?: string }).code])).toEqual([['o1', 'CLOUD_DATABASE_ERROR']]);
    expect(db.dump('order_outbox')).toHaveLength(0);
    expect(db.dump('orders')[0]!.ok_journal).toBeDefined();
    const claimed = await store.claim(10, 1000, later);
    expect(claimed.map((c) => c.effect.id)).toEqual(['o1:2:0']);
  });

  it('a failed order write is a typed error saying nothing was written, not ORDER_EXISTS; the retry succeeds', async () => {
    const inj = injector((op) => op.collection === 'orders' && op.kind === 'transaction.write', 'request-failed');
    const { store } = await setup({ fault: inj.fault });
    const order = testOrder({ id: 'o1' });
    inj.state.armed = true;
    const error = await store.create(order, { events: [createdEvent(order)], effects: testEffects(order, 1) }).catch((e) => e);
    inj.state.armed = false;
    expect(error).toMatchObject({ code: 'CLOUD_DATABASE_ERROR', details: { mayHaveApplied: false } });
    expect(error.messages['zh-CN']).toContain('未写入');
    expect(await store.load('o1')).toBeNull();
    await store.create(order, { events: [createdEvent(order)], effects: testEffects(order, 1) });
    expect((await store.load('o1'))!.version).toBe(1);
  });
});

describe('answers lost after the write applied are recognised', () => {
  it('a commit whose transaction committed but timed out resolves, once', async () => {
    const inj = injector((op) => op.kind === 'transaction.commit', 'timeout-after');
    const { store, db } = await setup({ fault: inj.fault });
    const order = testOrder({ id: 'o1' });
    await store.create(order, { events: [createdEvent(order)], effects: [] });
    inj.state.armed = true;
    const step = nextVersion(order, { status: 'paid', effects: 1 });
    await store.commit({ order: step.order, expectedVersion: 1, events: step.events, effects: step.effects });
    inj.state.armed = false;
    expect(inj.state.fired).toBe(1);
    expect((await store.load('o1'))!.version).toBe(2);
    expect(db.dump('order_changes').map((c) => [c.orderId, c.version])).toEqual([
      ['o1', 1],
      ['o1', 2],
    ]);
    expect((await store.claim(10, 1000, later)).map((c) => c.effect.id)).toEqual(['o1:2:0']);
  });

  it('a create that landed before its answer was lost is this create, not ORDER_EXISTS', async () => {
    const inj = injector((op) => op.kind === 'transaction.commit', 'timeout-after');
    const { store } = await setup({ fault: inj.fault });
    const order = testOrder({ id: 'o1' });
    inj.state.armed = true;
    await store.create(order, { events: [createdEvent(order)], effects: testEffects(order, 1) });
    inj.state.armed = false;
    expect((await store.load('o1'))!.version).toBe(1);
  });

  it('a reservation add that landed does not turn the commit into VERSION_CONFLICT', async () => {
    const inj = injector((op) => op.collection === 'order_keys' && op.kind === 'add' && String((op.data as { _id?: string })._id).startsWith('idem:'), 'timeout-after');
    const { store } = await setup({ fault: inj.fault });
    const order = testOrder({ id: 'o1' });
    await store.create(order, { events: [createdEvent(order)], effects: [] });
    inj.state.armed = true;
    const step = nextVersion(order, { status: 'paid', effects: 1 });
    await store.commit({ order: step.order, expectedVersion: 1, events: step.events, effects: step.effects, idempotencyKey: 'pay:1' });
    inj.state.armed = false;
    expect(inj.state.fired).toBe(1);
    expect((await store.findIdempotency('pay:1'))!.version).toBe(2);
    expect((await store.load('o1'))!.status).toBe('paid');
  });

  it('a lease whose answer was lost is recognised by its token, so the effect is handed out now', async () => {
    const inj = injector((op) => op.collection === 'order_outbox' && op.kind === 'update', 'timeout-after');
    const { store } = await setup({ fault: inj.fault });
    const order = testOrder({ id: 'o1' });
    await store.create(order, { events: [createdEvent(order)], effects: testEffects(order, 1) });
    inj.state.armed = true;
    const claimed = await store.claim(10, 60_000, later);
    inj.state.armed = false;
    expect(inj.state.fired).toBe(1);
    expect(claimed.map((c) => c.effect.id)).toEqual(['o1:1:0']);
  });

  it('a write that failed with a timeout and did not land says it may have applied', async () => {
    const inj = injector((op) => op.kind === 'transaction.commit', 'timeout-before');
    const { store } = await setup({ fault: inj.fault });
    const order = testOrder({ id: 'o1' });
    await store.create(order, { events: [createdEvent(order)], effects: [] });
    inj.state.armed = true;
    const step = nextVersion(order, { status: 'paid' });
    const error = await store.commit({ order: step.order, expectedVersion: 1, events: step.events, effects: [] }).catch((e) => e);
    inj.state.armed = false;
    expect(error).toMatchObject({ code: 'CLOUD_DATABASE_ERROR', details: { mayHaveApplied: true, errCode: -501002 } });
    expect((await store.load('o1'))!.version).toBe(1);
  });
});

describe('quotas: bounded parallel writes, leases won are kept', () => {
  it('leases 100 due orders and 100 effects without exceeding the concurrency quota', async () => {
    const { store, db } = await setup({ maxConcurrent: 20, maxParallel: 5 });
    for (let i = 0; i < 100; i += 10) {
      await Promise.all(
        Array.from({ length: 10 }, (_, j) => {
          const o = testOrder({ id: `d${String(i + j).padStart(3, '0')}`, number: `N${i + j}` });
          return store.create(o, { events: [createdEvent(o)], effects: testEffects(o, 1) });
        }),
      );
    }
    db.resetCounters();
    const due = await store.findDue(later, 100, { leaseMs: 60_000 });
    expect(due).toHaveLength(100);
    const claimed = await store.claim(100, 60_000, later);
    expect(claimed).toHaveLength(100);
    expect(db.concurrency.peak).toBeLessThanOrEqual(20);
  });

  it('when some lease updates are refused, the leases already won are returned and the refused orders stay available', async () => {
    const refused = new Set(['d03', 'd07']);
    let armed = true;
    const isRefused = (op: StandInOperation) =>
      armed && op.collection === 'orders' && op.kind === 'update' && refused.has(String((op.condition as { _id?: unknown } | undefined)?._id));
    const { store } = await setup({ fault: (op) => (isRefused(op) ? 'quota' : null) });
    for (let i = 0; i < 12; i++) {
      const o = testOrder({ id: `d${String(i).padStart(2, '0')}`, number: `N${i}` });
      await store.create(o, { events: [createdEvent(o)], effects: [] });
    }
    const first = await store.findDue(later, 12, { leaseMs: 60_000 });
    expect(first.map((o) => o.id).sort()).toEqual(['d00', 'd01', 'd02', 'd04', 'd05', 'd06', 'd08', 'd09', 'd10', 'd11']);
    armed = false;
    const second = await store.findDue(later, 12, { leaseMs: 60_000 });
    expect(second.map((o) => o.id)).toEqual(['d03', 'd07']);
  });

  it('when every lease update is refused, findDue and claim throw a typed quota error', async () => {
    let armed = false;
    const { store } = await setup({ fault: (op) => (armed && op.kind === 'update' && (op.collection === 'orders' || op.collection === 'order_outbox') ? 'quota' : null) });
    const o = testOrder({ id: 'o1' });
    await store.create(o, { events: [createdEvent(o)], effects: testEffects(o, 1) });
    armed = true;
    await expect(store.findDue(later, 10)).rejects.toMatchObject({ code: 'CLOUD_QUOTA_EXCEEDED' });
    await expect(store.claim(10, 1000, later)).rejects.toMatchObject({ code: 'CLOUD_QUOTA_EXCEEDED' });
    armed = false;
    expect(await store.claim(10, 1000, later)).toHaveLength(1);
  });

  it('a read refused over the quota is a typed error that says nothing was written', async () => {
    const { store } = await setup({ fault: (op) => (op.kind === 'get' ? 'quota' : null) }).catch(() => ({ store: null }));
    // ensureCollections itself reads: it fails typed.
    expect(store).toBeNull();
    const db = createCloudDatabaseStandIn({ fault: (op) => (op.kind === 'get' && op.collection === 'orders' ? 'quota' : null), autoCreateCollections: true });
    const s = new WxCloudOrderStore(db);
    await expect(s.load('o1')).rejects.toMatchObject({ code: 'CLOUD_QUOTA_EXCEEDED', details: { mayHaveApplied: false, errCode: -501004 } });
  });
});

describe('leases run on the server clock', () => {
  it('a function whose clock runs ten minutes ahead does not take a lease another one holds', async () => {
    let server = Date.parse(TEST_EPOCH) + 3_600_000;
    const { db, store: a } = await setup({ clock: () => server });
    const b = new WxCloudOrderStore(db);
    const order = testOrder({ id: 'o1' });
    await a.create(order, { events: [createdEvent(order)], effects: testEffects(order, 1) });
    const callerNow = new Date(server);
    const [mine] = await a.claim(10, 60_000, callerNow);
    expect(mine!.leaseUntil.getTime()).toBe(server + 60_000);
    // b's clock is ten minutes ahead: by its own clock the lease ran out long ago.
    expect(await b.claim(10, 60_000, new Date(callerNow.getTime() + 600_000))).toHaveLength(0);
    expect(await b.findDue(new Date(callerNow.getTime() + 600_000), 10, { leaseMs: 60_000 })).toHaveLength(1);
    expect(await a.findDue(callerNow, 10, { leaseMs: 60_000 })).toHaveLength(0);
    server += 60_000;
    expect((await b.claim(10, 60_000, callerNow)).map((c) => [c.effect.id, c.attempts])).toEqual([['o1:1:0', 1]]);
  });
});

describe('the SDK is checked', () => {
  it('refuses at construction what is not cloud.database() of wx-server-sdk', () => {
    const db = createCloudDatabaseStandIn();
    expect(() => new WxCloudOrderStore({ database: () => db } as never)).toThrow(expect.objectContaining({ code: 'INVALID_DATABASE' }));
    expect(() => new WxCloudOrderStore({ collection: db.collection, command: db.command } as never)).toThrow(expect.objectContaining({ code: 'INVALID_DATABASE' }));
    const miniProgramSide = { collection: db.collection, command: db.command, serverDate: db.serverDate };
    expect(() => new WxCloudOrderStore(miniProgramSide as never)).toThrow(expect.objectContaining({ code: 'INVALID_DATABASE' }));
    // The own keys each SDK's database object has (observed on @cloudbase/node-sdk 3.18.3 and
    // wx-server-sdk 4.0.2 with init({ env }), no network needed): see docs/wechat.md, "The SDK check".
    const proto = { collection: db.collection, createCollection: () => undefined };
    const nodeSdk = Object.assign(Object.create(proto), {
      config: { env: 'e', debug: false, envName: 'e', headers: {}, timeout: 15000 },
      Geo: {}, serverDate: db.serverDate, command: db.command, RegExp: () => undefined, ObjectId: () => undefined,
      startTransaction: () => undefined, runTransaction: db.runTransaction,
    });
    const wxServerSdk = Object.assign(Object.create({ ...proto, startTransaction: () => undefined }), {
      runTransaction: db.runTransaction, cloud: {}, config: {}, _db: {}, command: db.command, Geo: {}, serverDate: db.serverDate, RegExp: () => undefined,
    });
    expect(() => new WxCloudOrderStore(wxServerSdk as never)).not.toThrow();
    const app = { callFunction: () => undefined, uploadFile: () => undefined, database: () => undefined };
    const olderNodeSdk = { collection: db.collection, command: db.command, serverDate: db.serverDate, runTransaction: db.runTransaction, config: { env: 'e', _fromApp: app } };
    expect(() => new WxCloudOrderStore(olderNodeSdk as never)).toThrow(expect.objectContaining({ code: 'INVALID_DATABASE' }));
    const error = (() => {
      try {
        new WxCloudOrderStore(nodeSdk as never);
        return null;
      } catch (e) {
        return e as { code?: string; messages?: { en: string } };
      }
    })();
    expect(error?.code).toBe('INVALID_DATABASE');
    expect(error?.messages?.en).toContain('@cloudbase/node-sdk');
  });

  it('a database that writes { data } as a field (the node-sdk signature) is refused before any order is written', async () => {
    const db = createCloudDatabaseStandIn({ autoCreateCollections: true });
    // Same methods, other signatures: set(record) / add(record) store what they are given.
    const lookalike = {
      command: db.command,
      serverDate: db.serverDate,
      runTransaction: db.runTransaction,
      collection(name: string) {
        const c = db.collection(name);
        return {
          ...c,
          add: (record: object) => c.add({ data: record }),
          doc: (id: string) => {
            const d = c.doc(id);
            return { ...d, set: (record: object) => d.set({ data: record }), get: async () => ({ data: [(await d.get()).data] }) };
          },
        };
      },
    };
    const store = new WxCloudOrderStore(lookalike as never);
    await expect(store.ensureCollections()).rejects.toMatchObject({ code: 'INVALID_DATABASE' });
    const order = testOrder({ id: 'o1' });
    await expect(store.create(order, { events: [createdEvent(order)], effects: [] })).rejects.toMatchObject({ code: 'INVALID_DATABASE' });
    expect(db.dump('orders')).toHaveLength(0);
  });
});

export type { CloudDatabaseStandIn };

describe('bad input the cloud database cannot store', () => {
  it('a metadata key with "." or a leading "$" is INVALID_COMMIT with its path, and nothing is written', async () => {
    const { store, db } = await setup();
    const bad = testOrder({ id: 'o1' });
    bad.metadata = { 'utm.source': 'x' };
    await expect(store.create(bad, { events: [createdEvent(bad)], effects: [] })).rejects.toMatchObject({ code: 'INVALID_COMMIT', path: ['order', 'metadata', 'utm.source'] });
    expect(db.dump('orders')).toHaveLength(0);
    const good = testOrder({ id: 'o2' });
    await store.create(good, { events: [createdEvent(good)], effects: [] });
    const step = nextVersion(good);
    step.order.metadata = { $where: 'x' };
    const error = await store.commit({ order: step.order, expectedVersion: 1, events: step.events, effects: [] }).catch((e) => e);
    expect(error).toMatchObject({ code: 'INVALID_COMMIT', path: ['order', 'metadata', '$where'] });
    expect(error.messages['zh-CN']).toContain('$where');
    expect((await store.load('o2'))!.version).toBe(1);
  });
});
