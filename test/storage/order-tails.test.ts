import fc from 'fast-check';
import type { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { migrate, PostgresOrderStore } from '../../src/adapters/postgres/index.js';
import { INLINE_ENTRIES } from '../../src/adapters/postgres/tails.js';
import type { Order } from '../../src/order/index.js';
import { createdEvent, testOrder } from '../../src/testing/index.js';
import { createOrderService } from '../../src/service/index.js';
import { freshPGlite } from '../support/pglite.js';
import { describeRealPg, migratedPool } from '../support/pg.js';
import { truncateAll } from './pg-helpers.js';
import { line, manualClock, quote } from '../service/fixtures.js';

// Shipments and merchant notes kept as rows of their own (docs/storage.md, "Shipments and notes
// as rows"): a commit writes only the entries that are new, and every read puts them back.

const MERCHANT = { type: 'merchant' as const, id: 'm1' };
const AT = '2026-03-01T02:00:00.000Z';

let db: PGlite;
beforeAll(async () => {
  db = await freshPGlite();
  await migrate(db);
});
afterAll(async () => {
  await db.close();
});
beforeEach(async () => {
  await truncateAll(db, 'orderkit');
});

const q = async <T>(text: string, params: unknown[] = []) => (await db.query<T>(text, params)).rows;

/** The order with one more note (a new array, as transition() makes one). */
function withNote(order: Order, text: string): Order {
  return { ...order, version: order.version + 1, merchantNotes: [...order.merchantNotes, { text, by: MERCHANT, at: AT }] };
}

/** A stored order (version 1) with `n` notes. */
function withNotes(id: string, n: number): Order {
  let order = testOrder({ id, status: 'paid' });
  for (let i = 0; i < n; i++) order = withNote(order, `n${i}`);
  return { ...order, version: 1 };
}

async function commitNext(store: PostgresOrderStore, before: Order, after: Order): Promise<void> {
  await store.commit({ order: after, expectedVersion: before.version, events: [{ orderId: after.id, version: after.version, type: 'ADD_REMARK', actor: MERCHANT, from: after.status, to: after.status, at: AT }], effects: [] });
}

describe('PostgresOrderStore: shipments and notes as rows (PGlite)', () => {
  it('up to INLINE_ENTRIES the lists stay in the document; past it each commit writes only its new entry', async () => {
    const store = new PostgresOrderStore({ db });
    let order = testOrder({ id: 'o1', status: 'paid' });
    await store.create(order, { events: [createdEvent(order)], effects: [] });
    const texts: string[] = [];
    for (let i = 0; i < 12; i++) {
      const next = withNote(order, `n${i}`);
      await commitNext(store, order, next);
      order = next;
      texts.push(`n${i}`);
      if (i === INLINE_ENTRIES - 1) {
        // Still inline: no rows, the notes in the document.
        expect(await q(`SELECT 1 FROM orderkit.order_tails WHERE order_id = 'o1'`)).toEqual([]);
        expect((await q<{ n: number }>(`SELECT jsonb_array_length(doc->'merchantNotes') AS n FROM orderkit.orders WHERE id = 'o1'`))[0]!.n).toBe(INLINE_ENTRIES);
      }
    }
    // The commit that went past the line wrote every entry (one xmin); each later one only its own.
    const rows = await q<{ idx: number; xmin: string; text: string }>(`SELECT idx, xmin::text AS xmin, doc->>'text' AS text FROM orderkit.order_tails WHERE order_id = 'o1' AND kind = 'n' ORDER BY idx`);
    expect(rows.map((r) => r.text)).toEqual(texts);
    expect(new Set(rows.slice(0, INLINE_ENTRIES + 1).map((r) => r.xmin)).size).toBe(1);
    expect(new Set(rows.map((r) => r.xmin)).size).toBe(12 - INLINE_ENTRIES);
    const [doc] = await q<{ tails: unknown; notes: unknown }>(`SELECT doc->'tails' AS tails, doc->'merchantNotes' AS notes FROM orderkit.orders WHERE id = 'o1'`);
    expect(doc).toEqual({ tails: { s: 0, n: 12 }, notes: [] });
    expect((await new PostgresOrderStore({ db }).load('o1'))!.merchantNotes.map((n) => n.text)).toEqual(texts);
  });

  it('SHIP through the service: the rows hold every parcel, the document a copy of the earliest', async () => {
    const store = new PostgresOrderStore({ db });
    const service = createOrderService({ store, clock: manualClock() });
    const placed = await service.place({ id: 's1', customerId: 'u1', quote: quote([line('a', 12, 1000)]) });
    if (!placed.ok) throw placed.error;
    const paid = await service.dispatch('s1', { type: 'PAYMENT_SUCCEEDED', amount: placed.order.pricing.total, transactionId: 't1' }, { type: 'payment', gateway: 'wechat' });
    expect(paid.ok).toBe(true);
    for (let i = 0; i < 10; i++) {
      const r = await service.dispatch('s1', { type: 'SHIP', logisticsType: 'express', items: [{ lineId: 'a', quantity: 1 }] }, MERCHANT);
      expect(r.ok).toBe(true);
    }
    const loaded = (await new PostgresOrderStore({ db }).load('s1'))!;
    expect(loaded.shipments).toHaveLength(10);
    expect((await q<{ n: number }>(`SELECT count(*)::int AS n FROM orderkit.order_tails WHERE order_id = 's1' AND kind = 's'`))[0]!.n).toBe(10);
    const [doc] = await q<{ first: Array<{ id: string }> }>(`SELECT doc->'shipments' AS first FROM orderkit.orders WHERE id = 's1'`);
    expect(doc!.first.map((s) => s.id)).toEqual([loaded.shipments[0]!.id]);
  });

  it('a document written with its lists inline (before migration 004) reads as it is; its next commit moves them to rows', async () => {
    const store = new PostgresOrderStore({ db });
    const order = withNotes('old', INLINE_ENTRIES + 1);
    await store.create(order, { events: [createdEvent(order)], effects: [] });
    // What an earlier version wrote: the whole order in the document, no rows.
    await db.query(`UPDATE orderkit.orders SET doc = $2::jsonb, doc_md5 = md5($2::jsonb::text) WHERE id = $1`, ['old', JSON.stringify({ ...order, schemaVersion: 5 })]);
    await db.query(`DELETE FROM orderkit.order_tails`);
    const fresh = new PostgresOrderStore({ db });
    const read = (await fresh.load('old'))!;
    expect(read.merchantNotes).toEqual(order.merchantNotes);
    const next = withNote(read, 'last');
    await commitNext(fresh, read, next);
    expect((await q<{ n: number }>(`SELECT count(*)::int AS n FROM orderkit.order_tails WHERE order_id = 'old'`))[0]!.n).toBe(INLINE_ENTRIES + 2);
    expect((await new PostgresOrderStore({ db }).load('old'))!.merchantNotes).toEqual(next.merchantNotes);
  });

  it('an entry changed outside the store is checked in full; a missing one is a CorruptOrderError', async () => {
    const store = new PostgresOrderStore({ db });
    const order = withNotes('t1', INLINE_ENTRIES + 1);
    await store.create(order, { events: [createdEvent(order)], effects: [] });
    // Still a valid note: read, but through the full check.
    await db.query(`UPDATE orderkit.order_tails SET doc = jsonb_set(doc, '{text}', '"edited"') WHERE order_id = 't1' AND idx = 1`);
    expect((await new PostgresOrderStore({ db }).load('t1'))!.merchantNotes[1]!.text).toBe('edited');
    // No longer a note: refused.
    await db.query(`UPDATE orderkit.order_tails SET doc = '{"text": 5}' WHERE order_id = 't1' AND idx = 1`);
    await expect(new PostgresOrderStore({ db }).load('t1')).rejects.toMatchObject({ code: 'CORRUPT_ORDER' });
    await db.query(`DELETE FROM orderkit.order_tails WHERE order_id = 't1' AND idx = 1`);
    await expect(new PostgresOrderStore({ db }).load('t1')).rejects.toMatchObject({ code: 'CORRUPT_ORDER', details: { reason: 'invalid_order' } });
  });

  it('an idempotency record keeps the lists as that command left them, whatever came later', async () => {
    const store = new PostgresOrderStore({ db });
    const order = withNotes('k1', INLINE_ENTRIES);
    await store.create(order, { events: [createdEvent(order)], effects: [] });
    const first = withNote(order, 'first');
    await store.commit({ order: first, expectedVersion: 1, events: [{ orderId: 'k1', version: 2, type: 'ADD_REMARK', actor: MERCHANT, from: 'paid', to: 'paid', at: AT }], effects: [], idempotencyKey: 'key-1' });
    // A later commit that rewrites the first note (not something transition() does, but a store keeps what it is given).
    const rewritten = { ...first, version: 3, merchantNotes: [{ text: 'changed', by: MERCHANT, at: AT }, ...first.merchantNotes.slice(1), { text: 'second', by: MERCHANT, at: AT }] };
    await commitNext(store, first, rewritten);
    expect((await store.findIdempotency('key-1'))!.order.merchantNotes).toEqual(first.merchantNotes);
    expect((await new PostgresOrderStore({ db }).load('k1'))!.merchantNotes).toEqual(rewritten.merchantNotes);
  });

  /**
   * Model-based: random edits of both lists (append, change an entry, cut the list short), each
   * committed through one of two store instances that share the database (what one instance
   * remembers, the other does not), then read back by a third: always the model's lists.
   */
  it('property: whatever the edits and the instance, a fresh read gives back the lists as committed', async () => {
    const edit = fc.oneof(
      fc.record({ op: fc.constant('append' as const), list: fc.constantFrom('n' as const, 's' as const), text: fc.string({ maxLength: 8 }) }),
      fc.record({ op: fc.constant('append' as const), list: fc.constantFrom('n' as const, 's' as const), text: fc.string({ maxLength: 8 }) }),
      fc.record({ op: fc.constant('change' as const), list: fc.constantFrom('n' as const, 's' as const), at: fc.nat(10), text: fc.string({ maxLength: 8 }) }),
      fc.record({ op: fc.constant('cut' as const), list: fc.constantFrom('n' as const, 's' as const), to: fc.nat(12) }),
    );
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(edit, fc.boolean()), { minLength: 1, maxLength: 20 }), async (edits) => {
        const id = `p${++run}`;
        const stores = [new PostgresOrderStore({ db }), new PostgresOrderStore({ db })];
        // Starting a few entries below the line, so that the edits cross it both ways.
        let order = withNotes(id, INLINE_ENTRIES - 2);
        await stores[0]!.create(order, { events: [createdEvent(order)], effects: [] });
        for (const [e, second] of edits) {
          const notes = [...order.merchantNotes];
          const parcels = [...order.shipments];
          const parcel = (tag: string) => ({ id: `${id}-${tag}`, items: [{ lineId: order.lines[0]!.id, quantity: 1 }], logisticsType: 'express' as const, shippedAt: AT });
          if (e.op === 'append') {
            if (e.list === 'n') notes.push({ text: e.text, by: MERCHANT, at: AT });
            else parcels.push(parcel(`${parcels.length}${e.text}`));
          } else if (e.op === 'change') {
            const list = e.list === 'n' ? notes : parcels;
            if (list.length === 0) continue;
            const i = e.at % list.length;
            if (e.list === 'n') notes[i] = { text: e.text, by: MERCHANT, at: AT };
            else parcels[i] = parcel(`c${e.text}`);
          } else {
            if (e.list === 'n') notes.length = Math.min(notes.length, e.to);
            else parcels.length = Math.min(parcels.length, e.to);
          }
          const next: Order = { ...order, version: order.version + 1, merchantNotes: notes, shipments: parcels };
          const store = stores[second ? 1 : 0]!;
          // The instance that commits has read the order first, as the service does, or not.
          if (second) await store.load(id);
          await commitNext(store, order, next);
          order = next;
        }
        const read = (await new PostgresOrderStore({ db }).load(id))!;
        expect(read.merchantNotes).toEqual(order.merchantNotes);
        expect(read.shipments).toEqual(order.shipments);
      }),
      { numRuns: 25 },
    );
  });
});

await describeRealPg('PostgresOrderStore: shipments and notes as rows under racing instances (real PostgreSQL)', (real) => {
  const migrated = migratedPool(real, 8);
  beforeEach(async () => {
    await truncateAll(migrated(), real.schema);
  });

  it('notes added at once through four instances: each note that was answered ok is stored once, in version order', async () => {
    const services = [0, 1, 2, 3].map(() => createOrderService({ store: new PostgresOrderStore({ db: migrated(), schema: real.schema }), clock: manualClock() }));
    const placed = await services[0]!.place({ id: 'race', customerId: 'u1', quote: quote([line('a', 5, 1000)]) });
    if (!placed.ok) throw placed.error;
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) => services[i % 4]!.dispatch('race', { type: 'ADD_REMARK', text: `r${i}` }, MERCHANT)),
    );
    const done = results.filter((r) => r.ok).length;
    expect(done).toBeGreaterThan(0);
    const read = (await new PostgresOrderStore({ db: migrated(), schema: real.schema }).load('race'))!;
    expect(read.merchantNotes).toHaveLength(done);
    expect(new Set(read.merchantNotes.map((n) => n.text)).size).toBe(done);
    // The order as the last answer gave it is the stored one, lists included.
    const last = results.filter((r) => r.ok).map((r) => (r.ok ? r.order : null)).sort((a, b) => a!.version - b!.version).at(-1)!;
    expect(read.merchantNotes).toEqual(last.merchantNotes);
    const rows = await migrated().query<{ n: number }>(`SELECT count(*)::int AS n FROM "${real.schema}".order_tails WHERE order_id = 'race' AND kind = 'n'`);
    expect(rows.rows[0]!.n).toBe(done);
  });
});
