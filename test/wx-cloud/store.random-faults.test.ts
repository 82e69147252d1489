import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { WxCloudOrderStore } from '../../src/adapters/wx-cloud/index.js';
import { createCloudDatabaseStandIn, type StandInFault } from '../../src/testing/index.js';
import { isOrderkitError } from '../../src/errors/index.js';
import type { Order } from '../../src/order/index.js';
import type { OrderChange } from '../../src/storage/port.js';
import { createdEvent, nextVersion, testEffects, testOrder, TEST_EPOCH } from '../../src/testing/index.js';
import { prng } from '../race/prng.js';

/**
 * Random faults at every call (docs/wechat.md, "Failures the store expects"): each database
 * operation may fail with a non-duplicate -502001, be refused over the quota (-501004), or time
 * out before or AFTER it applied. Several writers commit with idempotency keys and retry what the
 * store reports as retryable; a worker drains the outbox under the same faults while the server
 * clock moves past leases; a subscriber follows the change feed. Afterwards:
 * - no order corrupted: every order loads, its history is 1…n without gaps, n = commands + 1;
 * - no effect lost or invented: the delivered effects are exactly those of the applied commits,
 *   each order's in the order written;
 * - every failure was a typed OrderkitError (thrown or given to onPublishError);
 * - the feed delivered every change once, in position order, matching `changesSince`.
 */

const ORDERS = 3;
const WRITERS = 3;
const COMMANDS = 4;

async function runScenario(seed: number): Promise<void> {
  const rand = prng(seed);
  let faults = true;
  let server = Date.parse(TEST_EPOCH);
  const pick = (): StandInFault | null => {
    if (!faults) return null;
    const r = rand();
    if (r < 0.03) return 'request-failed';
    if (r < 0.05) return 'quota';
    if (r < 0.07) return 'timeout-after';
    if (r < 0.08) return 'timeout-before';
    return null;
  };
  const db = createCloudDatabaseStandIn({ fault: pick, maxConcurrent: 20, clock: () => server });
  const untyped: unknown[] = [];
  const typedSeen: string[] = [];
  const note = (error: unknown) => {
    if (isOrderkitError(error)) typedSeen.push(error.code);
    else untyped.push(error);
  };
  const store = new WxCloudOrderStore(db, { onPublishError: note, onFeedError: note, repairAfterMs: 0, pollMs: 5 });

  /** Retries a call the store says may be retried (typed database errors); returns its value or the other typed error. */
  async function retrying<T>(call: () => Promise<T>): Promise<{ ok: true; value: T } | { ok: false; code: string }> {
    for (let i = 0; ; i++) {
      try {
        return { ok: true, value: await call() };
      } catch (error) {
        note(error);
        if (!isOrderkitError(error)) throw error;
        if (error.code === 'CLOUD_DATABASE_ERROR' || error.code === 'CLOUD_QUOTA_EXCEEDED') {
          if (i > 200) throw error;
          continue;
        }
        return { ok: false, code: error.code };
      }
    }
  }
  const must = async <T>(call: () => Promise<T>): Promise<T> => {
    const r = await retrying(call);
    if (!r.ok) throw new Error(`unexpected ${r.code}`);
    return r.value;
  };

  await must(() => store.ensureCollections());
  const heard: OrderChange[] = [];
  const stop = await must(() => store.subscribe((c) => heard.push(c), { since: '0' }));

  const ids = Array.from({ length: ORDERS }, (_, i) => `o${i}`);
  for (const id of ids) {
    const o = testOrder({ id, number: `N-${id}` });
    await must(() => store.create(o, { events: [createdEvent(o)], effects: testEffects(o, 1), idempotencyKey: `create:${id}` }));
  }

  const keys: string[] = [];
  await Promise.all(
    Array.from({ length: WRITERS }, async (_, w) => {
      for (let c = 0; c < COMMANDS; c++) {
        const key = `w${w}:${c}`;
        keys.push(key);
        const id = ids[(w + c) % ids.length]!;
        for (;;) {
          const current = (await must(() => store.load(id))) as Order;
          const step = nextVersion(current, { effects: 1 + ((w + c) % 2) });
          const r = await retrying(() => store.commit({ order: step.order, expectedVersion: current.version, events: step.events, effects: step.effects, idempotencyKey: key }));
          if (r.ok) break;
          expect(r.code).toBe('VERSION_CONFLICT');
          if (await must(() => store.findIdempotency(key))) break; // it applied after all
        }
      }
    }),
  );

  // Drain under the same faults: completions may fail, leases expire on the server clock and the
  // effect comes back; an effect is only ever handed out after the earlier ones of its order.
  const delivered = new Map<string, string[]>();
  for (let round = 0; round < 400; round++) {
    const open = db.dump('order_outbox').filter((d) => !d.done);
    const journals = db.dump('orders').filter((d) => d.ok_journal);
    if (open.length === 0 && journals.length === 0) break;
    if (round === 300) faults = false;
    let batch: Awaited<ReturnType<typeof store.claim>> = [];
    try {
      batch = await store.claim(10, 1000, new Date(server));
    } catch (error) {
      note(error);
    }
    for (const entry of batch) {
      const seq = (id: string) => db.dump('order_outbox').find((d) => d._id === id)!.ok_seq as number;
      const earlier = db.dump('order_outbox').filter((d) => d.orderId === entry.effect.orderId && (d.ok_seq as number) < seq(entry.effect.id));
      for (const e of earlier) expect(e.done || batch.some((b) => b.effect.id === e._id)).toBe(true);
      const list = delivered.get(entry.effect.orderId) ?? [];
      if (!list.includes(entry.effect.id)) list.push(entry.effect.id);
      delivered.set(entry.effect.orderId, list);
      try {
        await store.complete(entry.effect.id, new Date(server));
      } catch (error) {
        note(error);
      }
    }
    server += 1500;
  }
  faults = false;

  const expected = new Map<string, string[]>();
  for (const id of ids) {
    const order = (await store.load(id))!;
    const history = await store.history(id);
    expect(history.map((e) => e.version)).toEqual(Array.from({ length: order.version }, (_, i) => i + 1));
    expect(order.version).toBe(1 + keys.filter((_, i) => ids[(Math.floor(i / COMMANDS) + (i % COMMANDS)) % ids.length] === id).length);
    expected.set(id, [`${id}:1:0`]);
  }
  for (const key of keys) {
    const record = (await store.findIdempotency(key))!;
    expect(record).not.toBeNull();
    expected.get(record.orderId)!.push(...record.effects.map((e) => e.id));
  }
  const versionOf = (id: string) => id.split(':').map(Number);
  for (const id of ids) {
    const want = expected.get(id)!.sort((a, b) => versionOf(a)[1]! - versionOf(b)[1]! || versionOf(a)[2]! - versionOf(b)[2]!);
    expect(delivered.get(id)).toEqual(want);
  }
  expect(db.dump('order_outbox').every((d) => d.done)).toBe(true);

  const all = await store.changesSince(null, 10_000);
  expect(all.map((c) => Number(c.position))).toEqual(all.map((_, i) => i + 1));
  const until = Date.now() + 5000;
  while (heard.length < all.length && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
  await stop();
  expect(heard).toEqual(all);
  for (const id of ids) {
    expect(all.filter((c) => c.orderId === id).map((c) => c.version)).toEqual(Array.from({ length: (all.filter((c) => c.orderId === id).length) }, (_, i) => i + 1));
  }
  expect(untyped).toEqual([]);
  expect(typedSeen.length).toBeGreaterThan(0);
}

describe('WxCloudOrderStore under random faults at every call', () => {
  it('loses no effect, corrupts no order, reports every failure typed, and feeds every change once', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 2 ** 31 - 1 }), (seed) => runScenario(seed)),
      { numRuns: Number(process.env.WX_FAULT_RUNS ?? 8) },
    );
  }, 120_000);
});
