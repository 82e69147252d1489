import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { WxCloudInventory } from '../../src/adapters/wx-cloud/index.js';
import { createCloudDatabaseStandIn } from '../../src/testing/index.js';
import { configuredAB, freezableStandIn } from './freezable-stand-in.js';

/**
 * A failed placement on the cloud database gives its units back in several writes
 * (docs/inventory.md, "Placing without one transaction"). These tests cut it short at every
 * write, and run two placements of one new order id at once, one failing and one creating: the
 * order that was created always holds its units, and stock is never counted twice.
 */

const ITEMS = [
  { sku: 'A', quantity: 1 },
  { sku: 'B', quantity: 2 },
];
const LEASE = 15 * 60_000;

/** Stock levels and the order's hold: on hand = available + held, and what `o1` holds. */
async function state(inventory: WxCloudInventory, db: ReturnType<typeof freezableStandIn>['db']) {
  const a = (await inventory.level('A'))!;
  const b = (await inventory.level('B'))!;
  const limit = Number(db.dump('inventory_limits').find((d) => d._id === 'act|u1')?.['held'] ?? 0);
  return { a: [a.available, a.held], b: [b.available, b.held], limit, held: await inventory.heldBy('o1') };
}

const NOTHING = { a: [5, 0], b: [5, 0], limit: 0, held: [] };
const ALL = { a: [4, 1], b: [3, 2], limit: 1, held: ITEMS };
const request = { orderId: 'o1', customerId: 'u1', items: ITEMS };
const failing = async (): Promise<string> => {
  throw new Error('store down');
};

/**
 * Stock adds up exactly: what is on hand is available or held; `o1` holds all or nothing; the SKUs
 * count what the holds hold (`others` more orders holding ITEMS).
 */
async function addsUp(inventory: WxCloudInventory, others: number, label: string): Promise<'all' | 'nothing'> {
  const a = (await inventory.level('A'))!;
  const b = (await inventory.level('B'))!;
  expect(a.available + a.held, label).toBe(5);
  expect(b.available + b.held, label).toBe(5);
  const held = await inventory.heldBy('o1');
  expect([[], ITEMS], label).toContainEqual(held);
  const mine = held.length === 0 ? 0 : 1;
  expect([a.held, b.held], label).toEqual([mine + others, 2 * (mine + others)]);
  return held.length === 0 ? 'nothing' : 'all';
}

const quick = (db: ReturnType<typeof freezableStandIn>['db']) => new WxCloudInventory(db, { holdWaitMs: 50 });

/** How many operations a failed placement takes, start to end, when nothing cuts it short. */
async function writesOfAFailedPlacement(): Promise<number> {
  const probe = freezableStandIn();
  const probing = await configuredAB(probe.db);
  probe.arm(Infinity);
  await probing.placeWith(request, failing).catch(() => undefined);
  const total = probe.counted();
  expect(await state(probing, probe.db)).toEqual(NOTHING);
  expect(total).toBeGreaterThan(10);
  return total;
}

/** A failed placement that died at its `k`-th operation; the database is then open to the next function. */
async function cutAtWrite(k: number): Promise<ReturnType<typeof freezableStandIn>> {
  const r = freezableStandIn();
  const first = await configuredAB(r.db);
  r.arm(k);
  void first.placeWith(request, failing).catch(() => undefined);
  await r.untilFrozen();
  r.thaw();
  return r;
}

describe('WxCloudInventory: a failed placement cut short', () => {
  it('at any write: a retry of the order id that creates holds its units, once; without a retry, stock adds up after recover()', async () => {
    const total = await writesOfAFailedPlacement();
    const seen = new Set<string>();
    for (let k = 1; k <= total; k++) {
      for (const after of ['retry', 'recover'] as const) {
        const label = `cut at write ${k} of ${total}, then ${after}`;
        const r = await cutAtWrite(k);
        const next = quick(r.db);
        const claim = r.db.dump('inventory_ops').find((d) => d._id === 'o1|hold:reserve');
        seen.add(String(claim?.['state'] ?? 'none'));
        if (after === 'retry') {
          // The retry comes after a dead function's open transaction has expired (30 s).
          r.advance(31_000);
          const made = await next.placeWith(request, async () => 'made').catch((error: { code?: string }) => error.code);
          if (made !== 'made') {
            // Cut inside the hold itself: a retry waits for it, then is told to come back later.
            expect(made, label).toBe('INVENTORY_UNAVAILABLE');
            expect(claim?.['state'], label).toBe('taking');
            r.advance(LEASE + 1);
            await next.reconcile();
            expect(await next.placeWith(request, async () => 'made'), label).toBe('made');
          }
          // The order holds its units, once, and the counts say exactly that.
          expect(await state(next, r.db), label).toEqual(ALL);
        } else {
          r.advance(LEASE + 1);
          await next.reconcile();
          // Cut before the give-back began: the units wait for the id's retry; after it began: all back.
          const after = await state(next, r.db);
          if (JSON.stringify(after) !== JSON.stringify(ALL)) expect(after, label).toEqual(NOTHING);
          if (claim?.['state'] === 'abandoning') expect(after, label).toEqual(NOTHING);
          if (JSON.stringify(after) === JSON.stringify(NOTHING)) expect(r.db.dump('inventory_holds'), label).toEqual([]);
        }
      }
    }
    // The cuts fell inside the hold, after it, and between the claim turning `abandoning` and its removal.
    expect([...seen].sort()).toEqual(expect.arrayContaining(['abandoning', 'done', 'taking']));
  });

  it('two functions finishing one cut give-back at once give back once: stock is never counted twice', async () => {
    const total = await writesOfAFailedPlacement();
    for (let k = 1; k <= total; k++) {
      const label = `cut at write ${k} of ${total}`;
      const r = await cutAtWrite(k);
      const began = r.db.dump('inventory_ops').some((d) => d._id === 'o1|hold:reserve' && d['state'] === 'abandoning');
      r.advance(LEASE + 1);
      // recover() and a retry that fails again meet the same claim; another order holds meanwhile.
      const [x, y] = [quick(r.db), quick(r.db)];
      await Promise.all([x.recover(), y.placeWith(request, failing).catch(() => undefined), x.reserve({ ...request, orderId: 'o2' })]);
      await x.recover();
      // A cut before the give-back began leaves the units to the id's retry (the dead function
      // never left); once it began, they are all back. Either way the counts say exactly that.
      const mine = (await addsUp(y, 1, label)) === 'all' ? 1 : 0;
      if (began) expect(mine, label).toBe(0);
      const [a, b] = [(await y.level('A'))!, (await y.level('B'))!];
      expect([a.available, a.held, b.available, b.held], label).toEqual([4 - mine, 1 + mine, 3 - 2 * mine, 2 + 2 * mine]);
      expect(await y.heldBy('o2'), label).toEqual(ITEMS);
    }
  });
});

describe('WxCloudInventory: two placements of one new order id at once', () => {
  it('whichever fails and whatever the interleaving, a created order holds its units and stock adds up', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.nat({ max: 6 }), { minLength: 40, maxLength: 120 }),
        fc.constantFrom('first fails', 'second fails', 'both fail', 'both create'),
        fc.nat({ max: 8 }),
        fc.nat({ max: 8 }),
        async (script, outcome, waitA, waitB) => {
          let i = 0;
          const r = freezableStandIn({ yields: () => script[i++ % script.length]! });
          const setup = await configuredAB(r.db);
          const [one, two] = [quick(r.db), quick(r.db)];
          let created = 0;
          const create = (fails: boolean, wait: number) => async (): Promise<string> => {
            for (let k = 0; k < wait; k++) await Promise.resolve();
            if (fails) throw new Error('store down');
            // The store: one order per id (the second create of an id is refused as existing).
            if (created > 0) throw Object.assign(new Error('exists'), { code: 'ORDER_EXISTS', details: { field: 'id' } });
            created += 1;
            return 'made';
          };
          const results = await Promise.allSettled([
            one.placeWith(request, create(outcome === 'first fails' || outcome === 'both fail', waitA)),
            two.placeWith(request, create(outcome === 'second fails' || outcome === 'both fail', waitB)),
          ]);
          expect(results.filter((x) => x.status === 'fulfilled').length).toBe(created);
          r.advance(LEASE + 1);
          await setup.reconcile();
          const a = (await setup.level('A'))!;
          const b = (await setup.level('B'))!;
          expect(a.available + a.held).toBe(5);
          expect(b.available + b.held).toBe(5);
          const held = await setup.heldBy('o1');
          if (created === 1) expect(held).toEqual(ITEMS);
          // Both failed: given back, or kept for the id's retry (short, never over).
          else expect([[], ITEMS]).toContainEqual(held);
          if (created === 0 && held.length > 0) {
            expect(await setup.placeWith(request, async () => 'made')).toBe('made');
            expect(await setup.heldBy('o1')).toEqual(ITEMS);
          }
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe('WxCloudInventory options', () => {
  it('refuses a lease or a wait that is not a finite number of milliseconds, naming the option', () => {
    const db = createCloudDatabaseStandIn();
    const bad: Array<[string, Record<string, unknown>]> = [
      ['holdWaitMs', { holdWaitMs: -1 }],
      ['holdWaitMs', { holdWaitMs: Number.NaN }],
      ['holdWaitMs', { holdWaitMs: '50' }],
      ['holdLeaseMs', { holdLeaseMs: 0 }],
      ['holdLeaseMs', { holdLeaseMs: Number.POSITIVE_INFINITY }],
    ];
    for (const [path, options] of bad) {
      let caught: unknown = null;
      try {
        new WxCloudInventory(db, options as never);
      } catch (error) {
        caught = error;
      }
      expect(caught, JSON.stringify(options)).toMatchObject({ code: 'INVALID_WX_CLOUD_OPTIONS', path: [path] });
      expect((caught as { messages: Record<string, string> }).messages['zh-CN']).toContain(path);
    }
    expect(() => new WxCloudInventory(db, { holdWaitMs: 0, holdLeaseMs: 60_000 })).not.toThrow();
  });
});
