import { beforeEach, expect, it } from 'vitest';
import { PostgresOrderStore } from '../../src/adapters/postgres/index.js';
import { createOrderService, type OrderService } from '../../src/service/index.js';
import type { CommitInput } from '../../src/storage/index.js';
import { VersionConflictError } from '../../src/storage/errors.js';
import { describeRealPg, migratedPool } from '../support/pg.js';
import { truncateAll } from '../storage/pg-helpers.js';
import { line, manualClock, quote } from './fixtures.js';

// Commands that queue up for one order in one instance leave in one commitChain (docs/storage.md,
// "Hot orders"). Each caller must still get what it would have got alone.

const MERCHANT = { type: 'merchant' as const, id: 'm1' };

await describeRealPg('hot orders: queued commands of one order leave together (real PostgreSQL)', (real) => {
const migrated = migratedPool(real, 4);
const schema = real.schema;
beforeEach(async () => {
  await truncateAll(migrated(), schema);
});

/** A store that records the chains it is asked to write, and can refuse the first one as a conflict. */
function recordingStore(conflictFirst = false): { store: PostgresOrderStore; chains: number[] } {
  const store = new PostgresOrderStore({ db: migrated(), schema });
  const chains: number[] = [];
  const commitChain = store.commitChain.bind(store);
  store.commitChain = async (inputs: CommitInput[]) => {
    chains.push(inputs.length);
    if (conflictFirst && chains.length === 1) throw new VersionConflictError(inputs[0]!.order.id, inputs[0]!.expectedVersion);
    return commitChain(inputs);
  };
  return { store, chains };
}

async function paidOrder(service: OrderService): Promise<string> {
  const placed = await service.place({ id: 'hot', customerId: 'u1', quote: quote([line('a', 5, 1000)]) });
  if (!placed.ok) throw placed.error;
  const paid = await service.dispatch('hot', { type: 'PAYMENT_SUCCEEDED', amount: placed.order.pricing.total, transactionId: 't1' }, { type: 'payment', gateway: 'wechat' });
  if (!paid.ok) throw paid.error;
  return 'hot';
}

  it('each caller gets its own version, events and refusal; the log and the feed have every version once', async () => {
    const { store, chains } = recordingStore();
    const service = createOrderService({ store, clock: manualClock() });
    const id = await paidOrder(service);
    // Sent at once, they queue up behind the payment and leave together: notes, an invalid command,
    // a refused one (the order is paid: no CONFIRM_RECEIPT yet), a repeated payment (a no-op), a
    // shipment, more notes. Five of them change the order.
    const results = await Promise.all([
      service.dispatch(id, { type: 'ADD_REMARK', text: 'n0' }, MERCHANT),
      service.dispatch(id, { type: 'ADD_REMARK', text: 'n1' }, MERCHANT),
      service.dispatch(id, { type: 'ADD_REMARK', text: '' }, MERCHANT),
      service.dispatch(id, { type: 'CONFIRM_RECEIPT' }, { type: 'customer', id: 'u1' }),
      service.dispatch(id, { type: 'PAYMENT_SUCCEEDED', amount: 5000, transactionId: 't1' }, { type: 'payment', gateway: 'wechat' }),
      service.dispatch(id, { type: 'ADD_REMARK', text: 'n2' }, MERCHANT),
      service.dispatch(id, { type: 'SHIP', logisticsType: 'express', items: [{ lineId: 'a', quantity: 2 }] }, MERCHANT),
      service.dispatch(id, { type: 'ADD_REMARK', text: 'n3' }, MERCHANT),
    ]);
    expect(chains.reduce((a, b) => a + b, 0)).toBe(5);
    expect(Math.max(...chains)).toBeGreaterThan(1);
    expect(results.map((r) => (r.ok ? `v${r.order.version}${r.changed ? '' : ' no-op'}` : r.error.code))).toEqual([
      'v3',
      'v4',
      'INVALID_COMMAND',
      results[3]!.ok ? 'unexpected' : results[3]!.error.code,
      'v4 no-op',
      'v5',
      'v6',
      'v7',
    ]);
    expect(results[3]!.ok).toBe(false);
    const stored = (await service.get(id))!;
    expect(stored.version).toBe(7);
    expect(stored.merchantNotes.map((n) => n.text)).toEqual(['n0', 'n1', 'n2', 'n3']);
    // What each caller got is the order as it stood after its own command.
    const last = results[7]!;
    expect(last.ok && last.order).toEqual(stored);
    const ship = results[6]!;
    expect(ship.ok && ship.order.merchantNotes.map((n) => n.text)).toEqual(['n0', 'n1', 'n2']);
    expect(ship.ok && ship.events.map((e) => `${e.type}@${e.version}`)).toEqual(['SHIP@6']);
    const history = await service.history(id);
    expect(history.map((e) => e.version)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    // The change log, read directly (the feed hands it out once no older transaction of the server is open).
    const changes = await migrated().query<{ v: string }>(`SELECT version || ':' || status AS v FROM "${schema}".changes WHERE order_id = $1 ORDER BY xid, seq`, [id]);
    expect(changes.rows.map((c) => c.v)).toEqual(['1:pending_payment', '2:paid', '3:paid', '4:paid', '5:paid', '6:partially_shipped', '7:partially_shipped']);
    const effects = await migrated().query<{ id: string }>(`SELECT id FROM "${schema}".outbox WHERE order_id = $1 ORDER BY seq`, [id]);
    const given = results.flatMap((r) => (r.ok && r.changed ? r.effects.map((e) => e.id) : []));
    expect(effects.rows.map((r) => r.id).slice(-given.length)).toEqual(given);
  });

  it('a chain that conflicts writes nothing, and its commands run again alone, each applied once', async () => {
    const { store, chains } = recordingStore(true);
    const service = createOrderService({ store, clock: manualClock(), retryDelayMs: 1 });
    const id = await paidOrder(service);
    const results = await Promise.all(['a', 'b', 'c', 'd'].map((text) => service.dispatch(id, { type: 'ADD_REMARK', text }, MERCHANT)));
    expect(chains[0]).toBeGreaterThan(1);
    expect(results.every((r) => r.ok && r.changed)).toBe(true);
    const stored = (await service.get(id))!;
    expect(stored.merchantNotes.map((n) => n.text)).toEqual(['a', 'b', 'c', 'd']);
    expect((await service.history(id)).map((e) => e.version)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('a group starts from the order its instance last wrote; a write by another instance or a refusal makes it load', async () => {
    const { store } = recordingStore();
    let loads = 0;
    const load = store.load.bind(store);
    store.load = async (orderId: string) => {
      loads++;
      return load(orderId);
    };
    const service = createOrderService({ store, clock: manualClock() });
    const other = createOrderService({ store: new PostgresOrderStore({ db: migrated(), schema }), clock: manualClock() });
    const id = await paidOrder(service);
    const remark = (s: OrderService, text: string) => s.dispatch(id, { type: 'ADD_REMARK', text }, MERCHANT);
    await Promise.all(['a', 'b', 'c'].map((text) => remark(service, text)));
    loads = 0;
    const next = await Promise.all(['d', 'e'].map((text) => remark(service, text)));
    expect(next.map((r) => r.ok && r.order.version)).toEqual([6, 7]);
    expect(loads).toBe(0);
    // The caller's copy is its own: changing it changes nothing that is written later.
    const e = next[1]!;
    if (e.ok) e.order.merchantNotes.push({ text: 'changed by the caller', by: MERCHANT, at: e.order.updatedAt });
    expect((await remark(service, 'g')).ok).toBe(true);
    expect(loads).toBe(0);
    expect((await store.load(id))!.merchantNotes.map((n) => n.text)).toEqual(['a', 'b', 'c', 'd', 'e', 'g']);
    // Another instance writes: the remembered version conflicts, the order is loaded, nothing is lost.
    loads = 0;
    expect((await remark(other, 'x')).ok).toBe(true);
    const f = await remark(service, 'f');
    expect(f.ok && f.order.version).toBe(10);
    expect(loads).toBe(1);
    // The remembered order (paid) refuses CONFIRM_RECEIPT; the stored one (shipped by the other instance) takes it.
    const shipped = await other.dispatch(id, { type: 'SHIP', logisticsType: 'express', items: [{ lineId: 'a', quantity: 5 }] }, MERCHANT);
    expect(shipped.ok && shipped.order.status).toBe('shipped');
    const confirmed = await service.dispatch(id, { type: 'CONFIRM_RECEIPT' }, { type: 'customer', id: 'u1' });
    expect(confirmed.ok && confirmed.order.version).toBe(12);
    const stored = (await store.load(id))!;
    expect(stored.merchantNotes.map((n) => n.text)).toEqual(['a', 'b', 'c', 'd', 'e', 'g', 'x', 'f']);
    expect((await service.history(id)).map((ev) => ev.version)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
  });

  it('commitChain refuses a chain with a gap and writes nothing', async () => {
    const store = new PostgresOrderStore({ db: migrated(), schema });
    const service = createOrderService({ store, clock: manualClock() });
    const id = await paidOrder(service);
    const order = (await store.load(id))!;
    const step = (version: number, text: string): CommitInput => ({
      order: { ...order, version, merchantNotes: [{ text, by: MERCHANT, at: order.updatedAt }] },
      expectedVersion: version - 1,
      events: [{ orderId: id, version, type: 'ADD_REMARK', actor: MERCHANT, from: 'paid', to: 'paid', at: order.updatedAt }],
      effects: [],
    });
    await expect(store.commitChain([step(3, 'x'), step(5, 'y')])).rejects.toMatchObject({ code: 'INVALID_COMMIT' });
    await expect(store.commitChain([step(4, 'x'), step(5, 'y')])).rejects.toMatchObject({ code: 'VERSION_CONFLICT' });
    expect((await store.load(id))!.version).toBe(2);
    expect((await store.history(id)).length).toBe(2);
  });
  it('commitChain keeps each step its own idempotency record, with the order as that step left it', async () => {
    const store = new PostgresOrderStore({ db: migrated(), schema });
    const service = createOrderService({ store, clock: manualClock() });
    const id = await paidOrder(service);
    const order = (await store.load(id))!;
    const step = (version: number, text: string, key?: string): CommitInput => ({
      order: { ...order, version, merchantNotes: [{ text, by: MERCHANT, at: order.updatedAt }] },
      expectedVersion: version - 1,
      events: [{ orderId: id, version, type: 'ADD_REMARK', actor: MERCHANT, from: 'paid', to: 'paid', at: order.updatedAt }],
      effects: [],
      ...(key ? { idempotencyKey: key } : {}),
    });
    await store.commitChain([step(3, 'first', 'k-first'), step(4, 'second'), step(5, 'third', 'k-third')]);
    const first = (await store.findIdempotency('k-first'))!;
    expect(first.version).toBe(3);
    expect(first.order.merchantNotes.map((n) => n.text)).toEqual(['first']);
    expect((await store.findIdempotency('k-third'))!.order).toEqual(await store.load(id));
    expect((await store.load(id))!.merchantNotes.map((n) => n.text)).toEqual(['third']);
  });
});
