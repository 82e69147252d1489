import { describe, expect, it } from 'vitest';
import { WxCloudInventory, WxCloudOrderStore } from '../../src/adapters/wx-cloud/index.js';
import { MemoryBalance } from '../../src/balance/index.js';
import { MemoryInventory, type InventoryPort } from '../../src/inventory/index.js';
import type { Order } from '../../src/order/index.js';
import { createOrderService } from '../../src/service/index.js';
import { MemoryOrderStore, type CreateOptions, type OrderStore } from '../../src/storage/index.js';
import { createCloudDatabaseStandIn, type StandInFault } from '../../src/testing/index.js';
import { customer, line, manualClock, quote, sequentialIds } from '../service/fixtures.js';

/**
 * A create that wrote its order and then failed (a lost answer, a timeout after the write, an error
 * thrown after the commit), with an inventory that cannot share the store's transaction
 * (docs/inventory.md "Placing without one transaction"): the units stay held by the order that
 * exists, and a retry never takes them twice. Before, the units went back while the order stood:
 * the next buyer could take them (an oversell).
 */

const TEA = (q: number) => line('tea', q, 1000, { sku: 'TEA' });

/** A connection-like error after the write, saying (or not) that the write may have applied. */
function lostAnswer(mayHaveApplied: boolean): Error {
  const error = Object.assign(new Error('connection reset after the write'), { code: 'ECONNRESET' });
  return mayHaveApplied ? Object.assign(error, { mayHaveApplied: true }) : error;
}

/** A memory store that can write the order and then throw, and whose reads can be down. */
class LosingStore extends MemoryOrderStore {
  /** `written`: the order is written, then the error; `nothing`: the error, nothing written. `down`: reads fail from then on. */
  next: { outcome: 'written' | 'nothing'; error: Error; down?: boolean } | null = null;
  readsDown = false;

  override async create(order: Order, options: CreateOptions): Promise<Order> {
    const fault = this.next;
    this.next = null;
    if (fault === null) return super.create(order, options);
    if (fault.outcome === 'written') await super.create(order, options);
    if (fault.down === true) this.readsDown = true;
    throw fault.error;
  }

  override async load(id: string): Promise<Order | null> {
    if (this.readsDown) throw new Error('store unreachable');
    return super.load(id);
  }

  override async findIdempotency(key: string) {
    if (this.readsDown) throw new Error('store unreachable');
    return super.findIdempotency(key);
  }
}

async function memoryRig() {
  const store = new LosingStore();
  const inventory = new MemoryInventory();
  await inventory.configure({ sku: 'TEA', available: 5 });
  const service = createOrderService({ store, inventory, clock: manualClock(), ids: sequentialIds() });
  return { store, inventory, service };
}

async function units(inventory: InventoryPort) {
  const level = await inventory.level('TEA');
  return { available: level?.available, held: level?.held };
}

describe('MemoryOrderStore (writing, then failing) + MemoryInventory', () => {
  for (const mayHaveApplied of [true, false]) {
    for (const withKey of [true, false]) {
      it(`the order written, the answer lost (mayHaveApplied: ${mayHaveApplied}, ${withKey ? 'with' : 'without'} an idempotency key): the placement answers the order, which holds its units once`, async () => {
        const { store, inventory, service } = await memoryRig();
        const input = { id: 'o-lost', number: 'N-LOST-1', customerId: 'u1', quote: quote([TEA(2)]) };
        const options = withKey ? { idempotencyKey: 'tap-1' } : {};
        store.next = { outcome: 'written', error: lostAnswer(mayHaveApplied) };
        const first = await service.place(input, options);
        expect(first.ok && first.order.id).toBe('o-lost');
        expect(await store.load('o-lost')).not.toBeNull();
        expect(await inventory.heldBy('o-lost')).toEqual([{ sku: 'TEA', quantity: 2 }]);
        expect(await units(inventory)).toEqual({ available: 3, held: 2 });
        // Asked again: the same order (with its key) or ORDER_EXISTS (without), nothing more taken.
        const again = await service.place(input, options);
        if (withKey) expect(again.ok && again.order.id).toBe('o-lost');
        else expect(again.ok ? 'ok' : again.error.code).toBe('ORDER_EXISTS');
        expect(await units(inventory)).toEqual({ available: 3, held: 2 });
        // Cancelled, the units come back once.
        expect((await service.dispatch('o-lost', { type: 'CANCEL' }, customer)).ok).toBe(true);
        expect(await units(inventory)).toEqual({ available: 5, held: 0 });
      });
    }
  }

  it('written, and the look-up fails too: INVENTORY_PLACEMENT_UNKNOWN, the units stay with the order; asked again with its key, the same order and nothing more taken', async () => {
    const { store, inventory, service } = await memoryRig();
    const input = { id: 'o-dark', number: 'N-DARK-1', customerId: 'u1', quote: quote([TEA(2)]) };
    store.next = { outcome: 'written', error: lostAnswer(false), down: true };
    const first = await service.place(input, { idempotencyKey: 'tap-2' });
    store.readsDown = false;
    expect(first.ok ? 'ok' : first.error.code).toBe('INVENTORY_PLACEMENT_UNKNOWN');
    if (!first.ok) {
      expect(first.error.details).toMatchObject({ orderId: 'o-dark' });
      expect(first.error.message).toMatch(/o-dark/);
    }
    expect(await inventory.heldBy('o-dark')).toEqual([{ sku: 'TEA', quantity: 2 }]);
    const again = await service.place(input, { idempotencyKey: 'tap-2' });
    expect(again.ok && again.order.id).toBe('o-dark');
    expect(await units(inventory)).toEqual({ available: 3, held: 2 });
  });

  it('nothing written, but the error says it may have been: the units stay with the order id, and placed again it is made on them', async () => {
    const { store, inventory, service } = await memoryRig();
    const input = { id: 'o-maybe', number: 'N-MAYBE-1', customerId: 'u1', quote: quote([TEA(2)]) };
    store.next = { outcome: 'nothing', error: lostAnswer(true) };
    const first = await service.place(input);
    expect(first.ok ? 'ok' : first.error.code).toBe('INVENTORY_PLACEMENT_UNKNOWN');
    expect(await store.load('o-maybe')).toBeNull();
    expect(await units(inventory)).toEqual({ available: 3, held: 2 });
    const again = await service.place(input);
    expect(again.ok && again.order.id).toBe('o-maybe');
    expect(await inventory.heldBy('o-maybe')).toEqual([{ sku: 'TEA', quantity: 2 }]);
    expect(await units(inventory)).toEqual({ available: 3, held: 2 });
  });

  it('nothing written, and the error says so: the units go back and the error is thrown, as before', async () => {
    const { store, inventory, service } = await memoryRig();
    const input = { id: 'o-none', number: 'N-NONE-1', customerId: 'u1', quote: quote([TEA(2)]) };
    store.next = { outcome: 'nothing', error: lostAnswer(false) };
    await expect(service.place(input)).rejects.toThrow('connection reset after the write');
    expect(await units(inventory)).toEqual({ available: 5, held: 0 });
    const again = await service.place(input);
    expect(again.ok && again.order.id).toBe('o-none');
    expect(await units(inventory)).toEqual({ available: 3, held: 2 });
  });
});

describe('MemoryOrderStore (writing, then failing) + MemoryInventory + MemoryBalance: an order paid partly from the balance', () => {
  for (const down of [false, true]) {
    it(`written, the answer lost${down ? ', the look-up failing too (BALANCE_PLACEMENT_UNKNOWN)' : ''}: both the debit and the units stay with the order, and a retry takes neither twice`, async () => {
      const store = new LosingStore();
      const inventory = new MemoryInventory();
      await inventory.configure({ sku: 'TEA', available: 5 });
      const balance = new MemoryBalance();
      await balance.topUp({ customerId: 'u1', key: 'card', amount: 3000 });
      const service = createOrderService({ store, inventory, balance, clock: manualClock(), ids: sequentialIds() });
      const input = { id: 'o-both', number: 'N-BOTH-1', customerId: 'u1', quote: quote([TEA(2)]), payWith: { balance: 500 } };
      store.next = { outcome: 'written', error: lostAnswer(false), down };
      const first = await service.place(input, { idempotencyKey: 'tap-3' });
      store.readsDown = false;
      if (down) expect(first.ok ? 'ok' : first.error.code).toBe('BALANCE_PLACEMENT_UNKNOWN');
      else expect(first.ok && first.order.id).toBe('o-both');
      expect(await inventory.heldBy('o-both')).toEqual([{ sku: 'TEA', quantity: 2 }]);
      expect(await balance.balanceOf('u1')).toBe(2500);
      const again = await service.place(input, { idempotencyKey: 'tap-3' });
      expect(again.ok && again.order.id).toBe('o-both');
      expect(await units(inventory)).toEqual({ available: 3, held: 2 });
      expect(await balance.balanceOf('u1')).toBe(2500);
    });
  }
});

describe('WxCloudOrderStore + WxCloudInventory: the order written, the answer lost', () => {
  async function cloudRig(lookupFails: boolean) {
    // The order's transaction commits but its answer times out, and the store's read-back fails:
    // the store answers CLOUD_DATABASE_ERROR saying the write may have applied. With `lookupFails`,
    // the order collections stay down until the placement has answered.
    let stage: 'off' | 'armed' | 'committing' | 'recognising' | 'down' = 'off';
    const db = createCloudDatabaseStandIn({
      fault: (op): StandInFault | null => {
        if (stage === 'armed' && op.kind === 'transaction.write' && op.collection === 'orders') stage = 'committing';
        else if (stage === 'committing' && op.kind === 'transaction.commit') {
          stage = 'recognising';
          return 'timeout-after';
        } else if (stage === 'recognising' && op.collection === 'order_changes') {
          stage = lookupFails ? 'down' : 'off';
          return 'request-failed';
        } else if (stage === 'down' && op.collection !== '' && !op.collection.startsWith('inventory_')) return 'request-failed';
        return null;
      },
    });
    const store = new WxCloudOrderStore(db);
    await store.ensureCollections();
    const inventory = new WxCloudInventory(db);
    await inventory.ensureCollections();
    await inventory.configure({ sku: 'TEA', available: 5 });
    const service = createOrderService({ store, inventory, clock: manualClock(), ids: sequentialIds(), retryDelayMs: 0 });
    return { store, inventory, service, arm: () => (stage = 'armed'), disarm: () => (stage = 'off') };
  }

  for (const lookupFails of [false, true]) {
    for (const withKey of [true, false]) {
      it(`the order stands with its units (look-up ${lookupFails ? 'failing' : 'working'}, ${withKey ? 'with' : 'without'} a key); asked again, nothing more is taken`, async () => {
        const { store, inventory, service, arm, disarm } = await cloudRig(lookupFails);
        const input = { id: 'o-lost', number: 'N-LOST-1', customerId: 'u1', quote: quote([TEA(2)]) };
        const options = withKey ? { idempotencyKey: 'tap-1' } : {};
        arm();
        const first = await service.place(input, options);
        disarm();
        if (lookupFails) expect(first.ok ? 'ok' : first.error.code).toBe('INVENTORY_PLACEMENT_UNKNOWN');
        else expect(first.ok && first.order.id).toBe('o-lost');
        expect(await store.load('o-lost')).not.toBeNull();
        expect(await inventory.heldBy('o-lost')).toEqual([{ sku: 'TEA', quantity: 2 }]);
        expect(await units(inventory)).toEqual({ available: 3, held: 2 });
        const again = await service.place(input, options);
        if (withKey) expect(again.ok && again.order.id).toBe('o-lost');
        else expect(again.ok ? 'ok' : again.error.code).toBe('ORDER_EXISTS');
        expect(await units(inventory)).toEqual({ available: 3, held: 2 });
        expect((await service.dispatch('o-lost', { type: 'CANCEL' }, customer)).ok).toBe(true);
        expect(await units(inventory)).toEqual({ available: 5, held: 0 });
      });
    }
  }
});
