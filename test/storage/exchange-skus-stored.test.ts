import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Actor, Command, Order } from '../../src/order/index.js';
import { OrderSchema } from '../../src/order/index.js';
import { createOrderService } from '../../src/service/index.js';
import { createMemoryOrderData, MemoryOrderStore, ORDER_SCHEMA_VERSION, upgradeStoredOrder } from '../../src/storage/index.js';
import { ORDER_UPGRADES } from '../../src/storage/schema-version.js';
import type { StoredFixture } from '../../scripts/gen-order-fixtures.js';

/**
 * Stored order version 5 (docs/storage.md "Stored order versions"): `afterSale.skus`, the SKUs of
 * the units a return or an exchange sends back when some are the replacement of an earlier
 * exchange (docs/after-sales.md "Exchange"), and the `inventory.take` effect. Every version-4
 * document upgrades unchanged; a version-4 reader refuses a version-5 one. The other stores load
 * and continue the v5 fixtures in test/storage/stored-orders.test.ts.
 */
const FIXTURES = join(__dirname, '..', 'fixtures', 'orders');
const fixture = (v: string, name: string) => JSON.parse(readFileSync(join(FIXTURES, v, `${name}.json`), 'utf8')) as StoredFixture;
const merchant: Actor = { type: 'merchant', id: 'staff-1' };
const customer: Actor = { type: 'customer', id: 'u1' };

function storeWith(f: StoredFixture, doc: string): MemoryOrderStore {
  const data = createMemoryOrderData();
  const o = f.postgres.order;
  data.orders.set(o.id, { doc, version: o.version, number: o.number, customerId: o.customer_id, status: o.status as Order['status'], createdAt: Date.parse(o.created_at), dueAt: null, dueLeaseUntil: 0 });
  data.numbers.set(o.number, o.id);
  data.events.set(o.id, f.memory.events.slice());
  return new MemoryOrderStore({ data });
}

/** Approves the fixture's return, receives it, and answers what the receipt gave back. */
async function returnedItems(store: MemoryOrderStore, f: StoredFixture): Promise<unknown> {
  let t = Date.parse(f.at);
  const service = createOrderService({ store, clock: { now: () => new Date((t += 60_000)) }, retryDelayMs: 0 });
  const send = async (command: Command, actor: Actor) => {
    const r = await service.dispatch('fx', command, actor);
    if (!r.ok) throw new Error(`${command.type}: ${r.error.code}`);
    return r;
  };
  await send(f.next.command, f.next.actor);
  const afterSaleId = (f.next.command as { afterSaleId: string }).afterSaleId;
  await send({ type: 'RETURN_SHIPPED', afterSaleId, trackingNo: 'YT2', expressCompany: 'YTO' } as Command, customer);
  const received = await send({ type: 'RETURN_RECEIVED', afterSaleId } as Command, merchant);
  const release = received.effects.find((e) => e.type === 'inventory.release');
  return release?.type === 'inventory.release' ? release.items : null;
}

describe('stored order version 5', () => {
  it('is the version this code writes, and the step from 4 changes nothing', () => {
    expect(ORDER_SCHEMA_VERSION).toBe(5);
    const doc = { id: 'x', afterSales: [] };
    expect(ORDER_UPGRADES[4]!({ ...doc })).toEqual(doc);
  });

  it('every version-4 fixture upgrades unchanged and still parses', () => {
    const names = readdirSync(join(FIXTURES, 'v4')).filter((f) => f.endsWith('.json'));
    expect(names.length).toBeGreaterThan(20);
    for (const name of names) {
      const doc = JSON.parse(fixture('v4', name.slice(0, -5)).memory.doc) as Record<string, unknown>;
      expect(doc['schemaVersion']).toBe(4);
      const before = { ...doc };
      delete before['schemaVersion'];
      const { doc: up, upgraded } = upgradeStoredOrder('fx', doc);
      expect(upgraded, name).toBe(true);
      expect(up, name).toEqual(before);
      expect(OrderSchema.safeParse(up).success, name).toBe(true);
    }
  });

  it('a version-5 return after an exchange records the SKUs it sends back, and its receipt gives back those SKUs', async () => {
    const f = fixture('v5', 'shipped-exchanged-return-requested');
    const doc = JSON.parse(f.memory.doc) as Order & { schemaVersion: number };
    expect(doc.schemaVersion).toBe(5);
    expect(doc.afterSales[1]!.skus).toEqual([
      { lineId: 'a', sku: 'SKU-a-M', quantity: 1 },
      { lineId: 'a', sku: 'SKU-a', quantity: 1 },
    ]);
    expect(await returnedItems(storeWith(f, f.memory.doc), f)).toEqual([
      { sku: 'SKU-a-M', quantity: 1 },
      { sku: 'SKU-a', quantity: 1 },
    ]);
  });

  it('a version-4 document (no skus) reads every unit as its line\'s SKU, what version 4 gave back', async () => {
    const f = fixture('v5', 'shipped-exchanged-return-requested');
    const doc = JSON.parse(f.memory.doc) as Order & { schemaVersion: number };
    for (const a of doc.afterSales) delete a.skus;
    doc.schemaVersion = 4;
    expect(await returnedItems(storeWith(f, JSON.stringify(doc)), f)).toEqual([{ sku: 'SKU-a', quantity: 2 }]);
  });

  it('a version-4 reader refuses a version-5 document instead of dropping its skus', () => {
    const doc = JSON.parse(fixture('v5', 'shipped-exchanged-return-requested').memory.doc) as Record<string, unknown>;
    expect(() => upgradeStoredOrder('fx', doc, { chain: { current: 4, upgrades: { 1: (d) => d, 2: (d) => d, 3: (d) => d } } })).toThrow(/unknown_schema_version|version 5/);
  });
});
