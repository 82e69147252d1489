import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { WxCloudBalance, WxCloudInventory } from '../../src/adapters/wx-cloud/index.js';
import { MemoryBalance, type BalancePort } from '../../src/balance/index.js';
import { MemoryInventory, type InventoryPort } from '../../src/inventory/index.js';
import type { Order } from '../../src/order/index.js';
import { createOrderService } from '../../src/service/index.js';
import { MemoryOrderStore, type CreateOptions } from '../../src/storage/index.js';
import { createCloudDatabaseStandIn } from '../../src/testing/index.js';
import { line, manualClock, quote, sequentialIds } from '../service/fixtures.js';

/**
 * Placements left in doubt on the memory adapters and on the cloud database's stand-in, model-based (docs/inventory.md and
 * docs/payment-sources.md, "Placements left in doubt"): over any run of placements (new ids, or an
 * id left in doubt placed again), creates that fail with an unknown outcome (nothing written, or
 * written late, always within the grace period), sweeps and clock moves, no unit and no fen is ever
 * made or lost, an order that exists and is open holds its units and its debit, and once every
 * doubt is past the grace period a sweep leaves nothing held or debited for an id with no order.
 */

const GRACE = 15 * 60_000;
const ON_HAND = 30;
const TOPPED_UP = 100_000;

type Fault = 'none' | 'nothing' | 'late' | 'written';
type Step =
  | { t: 'place'; again: number | null; fault: Fault; quantity: number; fromBalance: number }
  | { t: 'advance'; minutes: number; land: boolean }
  | { t: 'land' }
  | { t: 'sweep' };

const step: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      t: fc.constant('place' as const),
      again: fc.option(fc.nat(5), { nil: null }),
      fault: fc.constantFrom<Fault>('none', 'nothing', 'late', 'late', 'written'),
      quantity: fc.integer({ min: 1, max: 3 }),
      fromBalance: fc.constantFrom(0, 300),
    }),
  },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('advance' as const), minutes: fc.integer({ min: 1, max: 12 }), land: fc.boolean() }) },
  fc.record({ t: fc.constant('land' as const) }),
  { weight: 2, arbitrary: fc.record({ t: fc.constant('sweep' as const) }) },
);

interface Late {
  since: number;
  land: () => Promise<unknown>;
}

class DoubtfulStore extends MemoryOrderStore {
  next: Fault = 'none';
  late: Late[] = [];
  now = () => 0;

  override async create(order: Order, options: CreateOptions): Promise<Order> {
    const fault = this.next;
    this.next = 'none';
    if (fault === 'none') return super.create(order, options);
    if (fault === 'written') await super.create(order, options);
    if (fault === 'late') this.late.push({ since: this.now(), land: () => super.create(order, options).catch(() => undefined) });
    throw Object.assign(new Error('timeout'), { code: 'ETIMEDOUT', mayHaveApplied: true });
  }
}

const PAIRS: Array<{ name: string; runs: number; make: () => Promise<{ inventory: InventoryPort; balance: BalancePort }> }> = [
  { name: 'MemoryInventory + MemoryBalance', runs: 150, make: async () => ({ inventory: new MemoryInventory(), balance: new MemoryBalance() }) },
  {
    name: 'WxCloudInventory + WxCloudBalance on the stand-in',
    runs: 40,
    make: async () => {
      const db = createCloudDatabaseStandIn();
      const inventory = new WxCloudInventory(db);
      const balance = new WxCloudBalance(db);
      await inventory.ensureCollections();
      await balance.ensureCollections();
      return { inventory, balance };
    },
  },
];

describe.each(PAIRS)('placements left in doubt, model-based: $name', ({ runs, make }) => {
  it('property: nothing made or lost, open orders keep theirs, and past the grace period no id without an order keeps anything', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { maxLength: 25 }), async (steps) => {
        const store = new DoubtfulStore();
        const { inventory, balance } = await make();
        await inventory.configure({ sku: 'TEA', available: ON_HAND });
        await balance.topUp({ customerId: 'u1', key: 'card', amount: TOPPED_UP });
        const clock = manualClock();
        store.now = () => clock.now().getTime();
        const service = createOrderService({ store, inventory, balance, clock, ids: sequentialIds(), placementGraceMs: GRACE });
        const placed = new Map<string, { quantity: number; fromBalance: number }>();
        const doubtful: Array<Parameters<typeof service.place>[0]> = [];
        let n = 0;

        /** Late writes land or are dropped before their grace period ends (after it, they can no longer land). */
        const settleLate = async (until: number, land: boolean) => {
          const due = store.late.filter((l) => l.since + GRACE <= until);
          store.late = store.late.filter((l) => l.since + GRACE > until);
          if (land) for (const l of due) await l.land();
        };

        const check = async () => {
          const level = (await inventory.level('TEA'))!;
          expect(level.available + level.held).toBe(ON_HAND);
          let out = 0;
          let held = 0;
          for (const [id, want] of placed) {
            const b = await balance.orderBalance(id);
            out += b.debited - b.credited;
            const units = (await inventory.heldBy(id)).reduce((s, i) => s + i.quantity, 0);
            held += units;
            const order = await store.load(id);
            if (order !== null && order.status === 'pending_payment') {
              expect(units).toBe(want.quantity);
              expect(b.debited - b.credited).toBe(want.fromBalance);
            }
            if (order !== null && order.status === 'closed') {
              expect(units).toBe(0);
              expect(b.debited - b.credited).toBe(0);
            }
          }
          expect(held).toBe(level.held);
          expect((await balance.balanceOf('u1')) + out).toBe(TOPPED_UP);
        };

        for (const s of steps) {
          if (s.t === 'place') {
            const earlier = s.again !== null && doubtful.length > 0 ? doubtful[s.again % doubtful.length]! : null;
            const input = earlier ?? { id: `o${++n}`, number: `N${n}`, customerId: 'u1', quote: quote([line('tea', s.quantity, 1000, { sku: 'TEA' })]), ...(s.fromBalance > 0 ? { payWith: { balance: s.fromBalance } } : {}) };
            if (!earlier) placed.set(input.id!, { quantity: s.quantity, fromBalance: s.fromBalance });
            store.next = s.fault;
            const r = await service.place(input);
            if (!r.ok && (r.error.code === 'INVENTORY_PLACEMENT_UNKNOWN' || r.error.code === 'BALANCE_PLACEMENT_UNKNOWN') && !earlier) doubtful.push(input);
          } else if (s.t === 'advance') {
            const to = clock.now().getTime() + s.minutes * 60_000;
            await settleLate(to, s.land);
            clock.set(new Date(to));
          } else if (s.t === 'land') {
            const l = store.late.shift();
            if (l) await l.land();
          } else {
            await service.sweep();
          }
          await check();
        }
        // Every doubt past the grace period, every late write landed or dropped before it: nothing is stranded.
        const end = clock.now().getTime() + GRACE;
        await settleLate(end, true);
        clock.set(new Date(end));
        await service.sweep();
        await check();
        for (const id of placed.keys()) {
          if ((await store.load(id)) !== null) continue;
          expect(await inventory.heldBy(id)).toEqual([]);
          expect(await balance.orderBalance(id)).toEqual({ debited: 0, credited: 0 });
        }
      }),
      { numRuns: runs },
    );
  });
});
