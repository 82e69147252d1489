import { describe, expect, it } from 'vitest';
import { WxCloudOrderStore } from '../../src/adapters/wx-cloud/index.js';
import { createCloudDatabaseStandIn, type StandInFault, type StandInOperation } from '../../src/testing/index.js';
import type { Order } from '../../src/order/index.js';
import type { OrderChange } from '../../src/storage/port.js';
import { createdEvent, nextVersion, testOrder } from '../../src/testing/index.js';

/**
 * The change feed on the cloud database, by polling (docs/wechat.md, "Change feed"): positions
 * come from a counter record written in the commit's own transaction, so they are handed out in
 * commit order and a position is readable exactly when its commit is.
 */
async function setup(fault?: (op: StandInOperation) => StandInFault | null) {
  const db = createCloudDatabaseStandIn(fault ? { fault } : {});
  const store = new WxCloudOrderStore(db, { pollMs: 5 });
  await store.ensureCollections();
  return { db, store };
}

async function until(check: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 5));
  }
}

async function commitSteps(store: WxCloudOrderStore, order: Order, n: number): Promise<Order> {
  let current = order;
  for (let i = 0; i < n; i++) {
    for (;;) {
      const latest = (await store.load(current.id))!;
      const step = nextVersion(latest);
      try {
        await store.commit({ order: step.order, expectedVersion: latest.version, events: step.events, effects: [] });
        current = step.order;
        break;
      } catch (error) {
        if ((error as { code?: string }).code !== 'VERSION_CONFLICT') throw error;
      }
    }
  }
  return current;
}

describe('WxCloudOrderStore change feed', () => {
  it('a commit holding the counter in an open transaction keeps every later position unreadable until it commits', async () => {
    const { db, store } = await setup();
    const a = testOrder({ id: 'a', number: 'NA' });
    await store.create(a, { events: [createdEvent(a)], effects: [] });
    const heard: OrderChange[] = [];
    const stop = await store.subscribe((c) => heard.push(c), { since: '0' });
    await until(() => heard.length === 1);

    // A writer takes the next position (as a commit does) and holds its transaction open.
    const slow = await db.startTransaction();
    const counter = (await slow.collection('order_keys').doc('feed:seq').get()).data as { seq: number };
    await slow.collection('order_keys').doc('feed:seq').set({ data: { kind: 'counter', seq: counter.seq + 1 } });

    // Others commit meanwhile: they conflict on the counter and wait, nothing gets a higher position.
    const b = testOrder({ id: 'b', number: 'NB' });
    const others = Promise.all([store.create(b, { events: [createdEvent(b)], effects: [] }), commitSteps(store, a, 2)]);
    await new Promise((r) => setTimeout(r, 60));
    expect((await store.changesSince(heard[0]!.position, 100)).length).toBe(0);
    expect(heard).toHaveLength(1);

    await slow.collection('order_changes').add({ data: { _id: '000000000000002', seq: counter.seq + 1, orderId: 'x', version: 1, status: 'paid', at: a.createdAt, token: 't' } });
    await slow.commit();
    await others;
    await until(() => heard.length === 5);
    await stop();
    expect(heard.map((c) => Number(c.position))).toEqual([1, 2, 3, 4, 5]);
    expect(heard.map((c) => c.orderId)[1]).toBe('x');
    expect(heard.filter((c) => c.orderId === 'a').map((c) => c.version)).toEqual([1, 2, 3]);
    expect(await store.changesSince(null, 100)).toEqual(heard);
  });

  it('several writers on several orders: every change once, in order per order, positions without gaps', async () => {
    const { store } = await setup();
    const orders = ['p', 'q', 'r'].map((id) => testOrder({ id, number: `N-${id}` }));
    const heard: OrderChange[] = [];
    const stop = await store.subscribe((c) => heard.push(c));
    for (const o of orders) await store.create(o, { events: [createdEvent(o)], effects: [] });
    await Promise.all([...orders, ...orders].map((o) => commitSteps(store, o, 5)));
    const all = await store.changesSince(null, 1000);
    expect(all).toHaveLength(3 + 30);
    await until(() => heard.length === all.length);
    await stop();
    expect(heard).toEqual(all);
    expect(all.map((c) => Number(c.position))).toEqual(all.map((_, i) => i + 1));
    for (const o of orders) expect(all.filter((c) => c.orderId === o.id).map((c) => c.version)).toEqual(Array.from({ length: 11 }, (_, i) => i + 1));
  });

  it('a failed poll is retried from the same position and the listener is told it reconnected', async () => {
    let failPolls = false;
    const { store } = await setup((op) => (failPolls && op.collection === 'order_changes' && op.kind === 'get' ? 'request-failed' : null));
    const o = testOrder({ id: 'o1' });
    await store.create(o, { events: [createdEvent(o)], effects: [] });
    const heard: OrderChange[] = [];
    const reconnects: Array<string | null> = [];
    const stop = await store.subscribe((c) => heard.push(c), { since: '0', onReconnect: (info) => reconnects.push(info.since) });
    await until(() => heard.length === 1);
    failPolls = true;
    await commitSteps(store, o, 3);
    await new Promise((r) => setTimeout(r, 40));
    expect(heard).toHaveLength(1);
    failPolls = false;
    await until(() => heard.length === 4);
    await stop();
    expect(reconnects).toEqual([heard[0]!.position]);
    expect(heard.map((c) => c.version)).toEqual([1, 2, 3, 4]);
  });

  it('resumes after a position; refuses a position it never handed out; unsubscribing stops polling', async () => {
    const { store, db } = await setup();
    const o = testOrder({ id: 'o1' });
    await store.create(o, { events: [createdEvent(o)], effects: [] });
    await commitSteps(store, o, 3);
    const all = await store.changesSince(null, 100);
    expect((await store.changesSince(all[1]!.position, 100)).map((c) => c.version)).toEqual([3, 4]);
    expect((await store.changesSince(null, 2)).map((c) => c.version)).toEqual([1, 2]);
    await expect(store.changesSince('../etc', 10)).rejects.toMatchObject({ code: 'INVALID_FEED_POSITION' });
    await expect(store.subscribe(() => undefined, { since: 'x' })).rejects.toMatchObject({ code: 'INVALID_FEED_POSITION' });
    const heard: OrderChange[] = [];
    const stop = await store.subscribe((c) => heard.push(c), { since: all[2]!.position });
    await until(() => heard.length === 1);
    expect(heard[0]!.version).toBe(4);
    await stop();
    db.resetCounters();
    await new Promise((r) => setTimeout(r, 30));
    expect(db.counters.get ?? 0).toBe(0);
  });
});

describe('WxCloudOrderStore change feed under load', () => {
  it('1,000 commits from several writers while polls keep failing: every change once, in order per order', async () => {
    let failNext = 0;
    const { store } = await setup((op) => {
      if (op.collection === 'order_changes' && op.kind === 'get' && failNext > 0) {
        failNext -= 1;
        return 'request-failed';
      }
      return null;
    });
    const orders = Array.from({ length: 8 }, (_, i) => testOrder({ id: `L${i}`, number: `NL${i}` }));
    for (const o of orders) await store.create(o, { events: [createdEvent(o)], effects: [] });
    const heard: OrderChange[] = [];
    let reconnects = 0;
    const stop = await store.subscribe((c) => heard.push(c), { since: '0', onReconnect: () => (reconnects += 1) });
    const WRITERS = 4;
    const PER_WRITER = 248; // + 8 creates = 1,000 changes
    const breaker = setInterval(() => (failNext = 2), 15);
    await Promise.all(
      Array.from({ length: WRITERS }, async (_, w) => {
        const mine = orders.filter((_, i) => i % WRITERS === w);
        for (let i = 0; i < PER_WRITER; i++) await commitSteps(store, mine[i % mine.length]!, 1);
      }),
    );
    clearInterval(breaker);
    failNext = 0;
    const all = await store.changesSince(null, 2000);
    expect(all).toHaveLength(1000);
    await until(() => heard.length >= 1000, 20_000);
    await stop();
    expect(heard).toEqual(all);
    expect(new Set(heard.map((c) => c.position)).size).toBe(1000);
    for (const o of orders) {
      const versions = heard.filter((c) => c.orderId === o.id).map((c) => c.version);
      expect(versions).toEqual(Array.from({ length: versions.length }, (_, i) => i + 1));
    }
    expect(reconnects).toBeGreaterThan(0);
  }, 120_000);
});
