import { describe, expect, it } from 'vitest';
import { WxCloudInventory } from '../../src/adapters/wx-cloud/index.js';
import { freezableStandIn, configuredAB } from './freezable-stand-in.js';

/**
 * A hold of several SKUs on the cloud database is all or nothing even when the function dies in the
 * middle (docs/inventory.md "WeChat cloud database"): the process is frozen at every operation of
 * a hold in turn, then a second instance runs `recover()` after the lease.
 */

const ITEMS = [
  { sku: 'A', quantity: 1 },
  { sku: 'B', quantity: 2 },
];

type Rig = ReturnType<typeof freezableStandIn>;

async function rig(): Promise<Rig> {
  const r = freezableStandIn();
  await configuredAB(r.db);
  return r;
}

/** What the database says: the SKU levels, the 限购 count and the order's hold, with no tags left. */
async function state(db: Rig['db']) {
  const inventory = new WxCloudInventory(db);
  const a = await inventory.level('A');
  const b = await inventory.level('B');
  const limits = db.dump('inventory_limits');
  const marks = [...db.dump('inventory_skus'), ...limits].flatMap((d) => Object.keys((d['marks'] as object | undefined) ?? {}));
  return {
    a: [a!.available, a!.held],
    b: [b!.available, b!.held],
    limit: Number(limits.find((d) => d._id === 'act|u1')?.['held'] ?? 0),
    held: await inventory.heldBy('o1'),
    marks,
  };
}

const NOTHING = { a: [5, 0], b: [5, 0], limit: 0, held: [], marks: [] };
const ALL = { a: [4, 1], b: [3, 2], limit: 1, held: ITEMS, marks: [] };

describe('WxCloudInventory: a multi-SKU hold cut short by a crash', () => {
  it('is given back in full by recover() after the lease, or stands in full, at every operation it can die at', async () => {
    // How many operations a whole hold takes.
    const probe = await rig();
    probe.arm(Infinity);
    await new WxCloudInventory(probe.db).reserve({ orderId: 'o1', customerId: 'u1', items: ITEMS });
    const total = probe.counted();
    expect(total).toBeGreaterThan(6);
    const outcomes = new Set<string>();
    for (let k = 1; k <= total; k++) {
      const r = await rig();
      r.arm(k);
      const first = new WxCloudInventory(r.db);
      void first.reserve({ orderId: 'o1', customerId: 'u1', items: ITEMS }).catch(() => undefined);
      // Let the frozen process reach its frozen operation.
      for (let i = 0; i < 50; i++) await new Promise((resolve) => setImmediate(resolve));
      r.thaw();
      const next = new WxCloudInventory(r.db);
      // Within the lease nothing is touched: the hold may still be running.
      const early = await next.recover();
      expect(early).toBe(0);
      r.advance(15 * 60_000 + 1);
      await next.reconcile();
      const after = await state(r.db);
      const whole = JSON.stringify(after) === JSON.stringify(ALL);
      if (!whole) expect(after, `frozen at operation ${k} of ${total}`).toEqual(NOTHING);
      outcomes.add(whole ? 'all' : 'nothing');
      // A second recovery moves nothing, and the order can hold again once it holds nothing.
      expect(await next.recover()).toBe(0);
      if (!whole) {
        await next.reserve({ orderId: 'o1', customerId: 'u1', items: ITEMS });
        expect(await state(r.db)).toEqual(ALL);
      }
    }
    // Both outcomes were reached: dying early gives back, dying after the commit keeps.
    expect([...outcomes].sort()).toEqual(['all', 'nothing']);
  });

  it('a stock update whose answer is lost (timeout after it applied) is given back with the rest when the hold fails', async () => {
    const r = await rig();
    r.fault.next = (op) => (op.collection === 'inventory_skus' && op.kind === 'update' && JSON.stringify(op.condition).includes('"B"') ? 'timeout-after' : null);
    const inventory = new WxCloudInventory(r.db);
    const failed = await inventory.reserve({ orderId: 'o1', customerId: 'u1', items: ITEMS }).then(
      () => null,
      (error: { code?: string }) => error.code,
    );
    expect(failed).toBe('INVENTORY_UNAVAILABLE');
    r.fault.next = null;
    expect(await state(r.db)).toEqual(NOTHING);
  });

  it('a refused second SKU gives back the first at once (no recovery needed)', async () => {
    const r = await rig();
    const inventory = new WxCloudInventory(r.db);
    const refused = await inventory.reserve({ orderId: 'o1', customerId: 'u1', items: [{ sku: 'A', quantity: 1 }, { sku: 'B', quantity: 6 }] }).then(
      () => null,
      (error: { code?: string }) => error.code,
    );
    expect(refused).toBe('OUT_OF_STOCK');
    expect(await state(r.db)).toEqual(NOTHING);
    expect(r.db.dump('inventory_ops')).toEqual([]);
  });

  it('换货 take (docs/inventory.md "Exchanges"): cut short at every operation, it stands in full or is given back in full, and its key takes once', async () => {
    const take = (inventory: WxCloudInventory) => inventory.take({ orderId: 'o1', customerId: 'u1', key: 'exchange:AS1', items: ITEMS });
    const probe = await rig();
    probe.arm(Infinity);
    await take(new WxCloudInventory(probe.db));
    const total = probe.counted();
    expect(total).toBeGreaterThan(6);
    const outcomes = new Set<string>();
    for (let k = 1; k <= total; k++) {
      const r = await rig();
      r.arm(k);
      void take(new WxCloudInventory(r.db)).catch(() => undefined);
      for (let i = 0; i < 50; i++) await new Promise((resolve) => setImmediate(resolve));
      r.thaw();
      const next = new WxCloudInventory(r.db);
      expect(await next.recover()).toBe(0);
      r.advance(15 * 60_000 + 1);
      await next.reconcile();
      const after = await state(r.db);
      const whole = JSON.stringify(after) === JSON.stringify(ALL);
      if (!whole) expect(after, `frozen at operation ${k} of ${total}`).toEqual(NOTHING);
      outcomes.add(whole ? 'all' : 'nothing');
      // The same key again: a take that stands moves nothing more; one given back takes afresh.
      const again = await take(next);
      expect(again).toEqual(whole ? [] : ITEMS);
      expect(await state(r.db)).toEqual(ALL);
    }
    expect([...outcomes].sort()).toEqual(['all', 'nothing']);
  });
});
