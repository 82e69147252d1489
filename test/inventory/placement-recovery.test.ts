import { describe, expect, it } from 'vitest';
import { WxCloudBalance, WxCloudInventory } from '../../src/adapters/wx-cloud/index.js';
import { MemoryBalance } from '../../src/balance/index.js';
import { MemoryInventory } from '../../src/inventory/index.js';
import type { Order } from '../../src/order/index.js';
import { createOrderService } from '../../src/service/index.js';
import { MemoryOrderStore, type CreateOptions } from '../../src/storage/index.js';
import { createCloudDatabaseStandIn, type StandInFault } from '../../src/testing/index.js';
import { line, manualClock, quote, sequentialIds } from '../service/fixtures.js';

/**
 * A placement that ends in doubt (INVENTORY_PLACEMENT_UNKNOWN, BALANCE_PLACEMENT_UNKNOWN) keeps its
 * units and its debit under the order id. When the shopper never retries that id (a new cart
 * submission draws a new id), the sweep gives them back once the grace period has passed and the
 * order is known not to exist (docs/inventory.md and docs/payment-sources.md, "Placements left in
 * doubt"); an order that exists, or whose create may still land, keeps them.
 */

const TEA = (q: number) => line('tea', q, 1000, { sku: 'TEA' });
const MINUTE = 60_000;

function lostAnswer(): Error {
  return Object.assign(new Error('timeout: the write may have applied'), { code: 'ETIMEDOUT', mayHaveApplied: true });
}

/** A memory store whose next create fails with an unknown outcome; `late` writes the order afterwards (a write that lands late). */
class DoubtfulStore extends MemoryOrderStore {
  next: 'nothing' | 'late' | null = null;
  pendingLate: (() => Promise<unknown>) | null = null;

  override async create(order: Order, options: CreateOptions): Promise<Order> {
    const fault = this.next;
    this.next = null;
    if (fault === null) return super.create(order, options);
    if (fault === 'late') this.pendingLate = () => super.create(order, options);
    throw lostAnswer();
  }
}

async function rig(graceMs?: number) {
  const store = new DoubtfulStore();
  const inventory = new MemoryInventory();
  await inventory.configure({ sku: 'TEA', available: 5 });
  const balance = new MemoryBalance();
  await balance.topUp({ customerId: 'u1', key: 'card', amount: 3000 });
  const clock = manualClock();
  const service = createOrderService({ store, inventory, balance, clock, ids: sequentialIds(), ...(graceMs !== undefined ? { placementGraceMs: graceMs } : {}) });
  return { store, inventory, balance, clock, service };
}

async function units(inventory: MemoryInventory) {
  const level = await inventory.level('TEA');
  return { available: level?.available, held: level?.held };
}

describe('placements left in doubt on the memory adapters', () => {
  it('stock only: the shopper places again with a new id; after the grace period the sweep gives the first id its units back, once', async () => {
    const { store, inventory, clock, service } = await rig();
    store.next = 'nothing';
    const first = await service.place({ customerId: 'u1', quote: quote([TEA(2)]) });
    expect(first.ok ? 'ok' : first.error.code).toBe('INVENTORY_PLACEMENT_UNKNOWN');
    const firstId = (first.ok ? '' : (first.error.details as { orderId: string }).orderId);
    const second = await service.place({ customerId: 'u1', quote: quote([TEA(2)]) });
    expect(second.ok).toBe(true);
    expect(await units(inventory)).toEqual({ available: 1, held: 4 });
    // Within the grace period nothing moves: the create may still land.
    await service.sweep(new Date(clock.now().getTime() + MINUTE));
    expect(await inventory.heldBy(firstId)).toEqual([{ sku: 'TEA', quantity: 2 }]);
    clock.advance(20 * MINUTE);
    const report = await service.sweep();
    expect(report.placementsRecovered).toBe(1);
    expect(await inventory.heldBy(firstId)).toEqual([]);
    expect(await units(inventory)).toEqual({ available: 3, held: 2 });
    // Again: nothing more moves.
    await service.sweep();
    expect(await units(inventory)).toEqual({ available: 3, held: 2 });
    // The first id placed again later (a late retry): it holds its units afresh.
    const retried = await service.place({ id: firstId, number: 'N-RETRY', customerId: 'u1', quote: quote([TEA(1)]) });
    expect(retried.ok).toBe(true);
    expect(await inventory.heldBy(firstId)).toEqual([{ sku: 'TEA', quantity: 1 }]);
    expect(await units(inventory)).toEqual({ available: 2, held: 3 });
  });

  it('stock and balance: the debit and the units of the first id come back after the grace period; the second order keeps its own', async () => {
    const { store, inventory, balance, clock, service } = await rig();
    store.next = 'nothing';
    const first = await service.place({ customerId: 'u1', quote: quote([TEA(2)]), payWith: { balance: 500 } });
    expect(first.ok ? 'ok' : first.error.code).toBe('BALANCE_PLACEMENT_UNKNOWN');
    const firstId = (first.ok ? '' : (first.error.details as { orderId: string }).orderId);
    expect(await balance.balanceOf('u1')).toBe(2500);
    const second = await service.place({ customerId: 'u1', quote: quote([TEA(2)]), payWith: { balance: 500 } });
    expect(second.ok).toBe(true);
    expect(await balance.balanceOf('u1')).toBe(2000);
    clock.advance(20 * MINUTE);
    const report = await service.sweep();
    expect(report.placementsRecovered).toBe(2);
    expect(await balance.balanceOf('u1')).toBe(2500);
    expect(await balance.orderBalance(firstId)).toEqual({ debited: 0, credited: 0 });
    expect(await units(inventory)).toEqual({ available: 3, held: 2 });
    const secondId = second.ok ? second.order.id : '';
    expect(await balance.orderBalance(secondId)).toEqual({ debited: 500, credited: 0 });
    expect(await inventory.heldBy(secondId)).toEqual([{ sku: 'TEA', quantity: 2 }]);
  });

  it('a create that lands late, within the grace period: the order keeps its units and its debit, at every later sweep', async () => {
    const { store, inventory, balance, clock, service } = await rig();
    store.next = 'late';
    const first = await service.place({ customerId: 'u1', quote: quote([TEA(2)]), payWith: { balance: 500 } });
    expect(first.ok ? 'ok' : first.error.code).toBe('BALANCE_PLACEMENT_UNKNOWN');
    const firstId = (first.ok ? '' : (first.error.details as { orderId: string }).orderId);
    clock.advance(5 * MINUTE);
    await store.pendingLate!();
    expect(await store.load(firstId)).not.toBeNull();
    clock.advance(15 * MINUTE);
    const report = await service.sweep();
    expect(report.placementsRecovered).toBe(0);
    expect(await inventory.heldBy(firstId)).toEqual([{ sku: 'TEA', quantity: 2 }]);
    expect(await balance.orderBalance(firstId)).toEqual({ debited: 500, credited: 0 });
    expect(await balance.balanceOf('u1')).toBe(2500);
    // Past its pay-by time the order expires: its units and its debit go back once, by its own close.
    await service.sweep(new Date(clock.now().getTime() + 24 * 60 * MINUTE));
    await service.sweep(new Date(clock.now().getTime() + 48 * 60 * MINUTE));
    expect((await store.load(firstId))?.status).toBe('closed');
    expect(await units(inventory)).toEqual({ available: 5, held: 0 });
    expect(await balance.orderBalance(firstId)).toEqual({ debited: 500, credited: 500 });
    expect(await balance.balanceOf('u1')).toBe(3000);
  });

  it('the same id retried within the grace period: the order is made on the units and the debit kept, and the sweep gives nothing back', async () => {
    const { store, inventory, balance, clock, service } = await rig();
    const input = { id: 'o-doubt', number: 'N-DOUBT', customerId: 'u1', quote: quote([TEA(2)]), payWith: { balance: 500 } };
    store.next = 'nothing';
    const first = await service.place(input);
    expect(first.ok ? 'ok' : first.error.code).toBe('BALANCE_PLACEMENT_UNKNOWN');
    const again = await service.place(input);
    expect(again.ok).toBe(true);
    clock.advance(20 * MINUTE);
    expect((await service.sweep()).placementsRecovered).toBe(0);
    expect(await inventory.heldBy('o-doubt')).toEqual([{ sku: 'TEA', quantity: 2 }]);
    expect(await balance.orderBalance('o-doubt')).toEqual({ debited: 500, credited: 0 });
    expect(await balance.balanceOf('u1')).toBe(2500);
    expect(await units(inventory)).toEqual({ available: 3, held: 2 });
  });

  it('a grace period that is not a whole number of milliseconds of at least one minute is refused when the service is created', async () => {
    for (const bad of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, '600000', 59_999]) {
      let caught: unknown;
      try {
        createOrderService({ store: new MemoryOrderStore(), placementGraceMs: bad as never });
      } catch (error) {
        caught = error;
      }
      expect((caught as { code?: string }).code).toBe('INVALID_SERVICE_OPTIONS');
      expect((caught as { path?: unknown }).path).toEqual(['placementGraceMs']);
    }
    expect(() => createOrderService({ store: new MemoryOrderStore(), placementGraceMs: 60_000 })).not.toThrow();
  });

  it('an idempotency key whose reservation can still create the order: the sweep settles the key first, and the order it makes keeps everything', async () => {
    const { store, inventory, balance, clock, service } = await rig();
    // A store that, like the cloud database, completes a create left behind under its key when the key is looked up.
    const findIdempotency = store.findIdempotency.bind(store);
    // The store goes unreachable as the create fails, so the placement's own finding out cannot tell.
    let loadsDown = false;
    const create = store.create.bind(store);
    store.create = async (order, options) => {
      try {
        return await create(order, options);
      } finally {
        loadsDown = true;
      }
    };
    store.findIdempotency = async (key) => {
      if (loadsDown) throw new Error('store unreachable');
      if (store.pendingLate !== null) {
        const land = store.pendingLate;
        store.pendingLate = null;
        await land();
      }
      return findIdempotency(key);
    };
    store.next = 'late';
    const realLoad = store.load.bind(store);
    store.load = async (id) => {
      if (loadsDown) throw new Error('store unreachable');
      return realLoad(id);
    };
    const first = await service.place({ customerId: 'u1', quote: quote([TEA(2)]), payWith: { balance: 500 } }, { idempotencyKey: 'tap-1' });
    loadsDown = false;
    expect(first.ok ? 'ok' : first.error.code).toBe('BALANCE_PLACEMENT_UNKNOWN');
    const firstId = (first.ok ? '' : (first.error.details as { orderId: string }).orderId);
    expect(await realLoad(firstId)).toBeNull();
    clock.advance(20 * MINUTE);
    expect((await service.sweep()).placementsRecovered).toBe(0);
    expect(await realLoad(firstId)).not.toBeNull();
    expect(await inventory.heldBy(firstId)).toEqual([{ sku: 'TEA', quantity: 2 }]);
    expect(await balance.orderBalance(firstId)).toEqual({ debited: 500, credited: 0 });
    expect(await balance.balanceOf('u1')).toBe(2500);
  });

  it('the grace period counts from the unknown answer, not from the start of a create that took long', async () => {
    const { store, inventory, balance, clock, service } = await rig();
    const create = store.create.bind(store);
    store.create = async (order, options) => {
      clock.advance(10 * MINUTE);
      return create(order, options);
    };
    store.next = 'nothing';
    const first = await service.place({ customerId: 'u1', quote: quote([TEA(2)]), payWith: { balance: 500 } });
    expect(first.ok ? 'ok' : first.error.code).toBe('BALANCE_PLACEMENT_UNKNOWN');
    clock.advance(10 * MINUTE);
    // 20 minutes after the placement began, 10 after its answer: not yet.
    expect((await service.sweep()).placementsRecovered).toBe(0);
    expect(await units(inventory)).toEqual({ available: 3, held: 2 });
    clock.advance(6 * MINUTE);
    expect((await service.sweep()).placementsRecovered).toBe(2);
    expect(await units(inventory)).toEqual({ available: 5, held: 0 });
    expect(await balance.balanceOf('u1')).toBe(3000);
  });

  it('two sweepers at once give the units and the debit back once', async () => {
    const { store, inventory, balance, clock, service } = await rig();
    store.next = 'nothing';
    const first = await service.place({ customerId: 'u1', quote: quote([TEA(2)]), payWith: { balance: 500 } });
    expect(first.ok).toBe(false);
    clock.advance(20 * MINUTE);
    const reports = await Promise.all([service.sweep(), service.sweep(), service.sweep()]);
    expect(reports.reduce((n, r) => n + (r.placementsRecovered ?? 0), 0)).toBe(2);
    expect(await units(inventory)).toEqual({ available: 5, held: 0 });
    expect(await balance.balanceOf('u1')).toBe(3000);
  });

  it('a retry of the same id in flight while the sweep runs keeps the units and the debit, and its order holds them', async () => {
    const { store, inventory, balance, clock, service } = await rig();
    const input = { id: 'o-slow', number: 'N-SLOW', customerId: 'u1', quote: quote([TEA(2)]), payWith: { balance: 500 } };
    store.next = 'nothing';
    expect((await service.place(input)).ok).toBe(false);
    clock.advance(20 * MINUTE);
    // The retry's create waits until the sweep is done.
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const create = store.create.bind(store);
    store.create = async (order, options) => {
      await gate;
      return create(order, options);
    };
    const retry = service.place(input);
    await new Promise((resolve) => setTimeout(resolve, 0));
    const report = await service.sweep();
    open();
    expect((await retry).ok).toBe(true);
    expect(report.placementsRecovered).toBe(0);
    expect(await inventory.heldBy('o-slow')).toEqual([{ sku: 'TEA', quantity: 2 }]);
    expect(await balance.orderBalance('o-slow')).toEqual({ debited: 500, credited: 0 });
    expect(await units(inventory)).toEqual({ available: 3, held: 2 });
    expect(await balance.balanceOf('u1')).toBe(2500);
  });

  it('two placements of one id both left in doubt: everything goes back once, after the later one is past the grace period', async () => {
    const { store, inventory, balance, clock, service } = await rig();
    const input = { id: 'o-twins', number: 'N-TWINS', customerId: 'u1', quote: quote([TEA(2)]), payWith: { balance: 500 } };
    store.next = 'nothing';
    expect((await service.place(input)).ok).toBe(false);
    clock.advance(10 * MINUTE);
    store.next = 'nothing';
    expect((await service.place(input)).ok).toBe(false);
    clock.advance(10 * MINUTE);
    // The first is past the grace period, the second is not: nothing moves yet.
    expect((await service.sweep()).placementsRecovered).toBe(0);
    expect(await units(inventory)).toEqual({ available: 3, held: 2 });
    clock.advance(10 * MINUTE);
    expect((await service.sweep()).placementsRecovered).toBe(2);
    expect(await units(inventory)).toEqual({ available: 5, held: 0 });
    expect(await balance.balanceOf('u1')).toBe(3000);
    expect(await balance.orderBalance('o-twins')).toEqual({ debited: 0, credited: 0 });
  });

  it('a store that cannot be read at the sweep: nothing goes back until it can', async () => {
    const { store, inventory, clock, service } = await rig();
    store.next = 'nothing';
    expect((await service.place({ customerId: 'u1', quote: quote([TEA(2)]) })).ok).toBe(false);
    clock.advance(20 * MINUTE);
    const load = store.load.bind(store);
    store.load = async () => {
      throw new Error('store unreachable');
    };
    expect((await service.sweep()).placementsRecovered).toBe(0);
    expect(await units(inventory)).toEqual({ available: 3, held: 2 });
    store.load = load;
    expect((await service.sweep()).placementsRecovered).toBe(1);
    expect(await units(inventory)).toEqual({ available: 5, held: 0 });
  });
});

describe('placements left in doubt: WxCloudBalance on the cloud-database stand-in', () => {
  async function cloudRig(fault?: () => StandInFault | null) {
    const store = new DoubtfulStore();
    const balance = new WxCloudBalance(createCloudDatabaseStandIn({ fault: (op) => (op.kind === 'transaction.commit' ? fault?.() : null) }));
    await balance.ensureCollections();
    await balance.topUp({ customerId: 'u1', key: 'card', amount: 3000 });
    const clock = manualClock();
    const service = createOrderService({ store, balance, clock, ids: sequentialIds() });
    return { store, balance, clock, service };
  }

  it('the shopper places again with a new id: after the grace period the first debit comes back, once, under concurrent sweepers', async () => {
    const { store, balance, clock, service } = await cloudRig();
    store.next = 'nothing';
    const first = await service.place({ customerId: 'u1', quote: quote([TEA(2)]), payWith: { balance: 500 } });
    expect(first.ok ? 'ok' : first.error.code).toBe('BALANCE_PLACEMENT_UNKNOWN');
    const firstId = (first.ok ? '' : (first.error.details as { orderId: string }).orderId);
    const second = await service.place({ customerId: 'u1', quote: quote([TEA(2)]), payWith: { balance: 500 } });
    expect(second.ok).toBe(true);
    expect(await balance.balanceOf('u1')).toBe(2000);
    expect((await service.sweep(new Date(clock.now().getTime() + MINUTE))).placementsRecovered).toBe(0);
    expect(await balance.orderBalance(firstId)).toEqual({ debited: 500, credited: 0 });
    clock.advance(20 * MINUTE);
    const reports = await Promise.all([service.sweep(), service.sweep(), service.sweep()]);
    expect(reports.reduce((n, r) => n + (r.placementsRecovered ?? 0), 0)).toBe(1);
    expect(await balance.balanceOf('u1')).toBe(2500);
    expect(await balance.orderBalance(firstId)).toEqual({ debited: 0, credited: 0 });
    expect(await balance.orderBalance(second.ok ? second.order.id : '')).toEqual({ debited: 500, credited: 0 });
    // The id placed again later debits afresh.
    const retried = await service.place({ id: firstId, number: 'N-RETRY', customerId: 'u1', quote: quote([TEA(1)]), payWith: { balance: 300 } });
    expect(retried.ok).toBe(true);
    expect(await balance.orderBalance(firstId)).toEqual({ debited: 300, credited: 0 });
    expect(await balance.balanceOf('u1')).toBe(2200);
  });

  it('a create that lands late within the grace period keeps its debit, and so does a retry of the id', async () => {
    const { store, balance, clock, service } = await cloudRig();
    store.next = 'late';
    const first = await service.place({ customerId: 'u1', quote: quote([TEA(2)]), payWith: { balance: 500 } });
    const firstId = (first.ok ? '' : (first.error.details as { orderId: string }).orderId);
    clock.advance(5 * MINUTE);
    await store.pendingLate!();
    const input = { id: 'o-doubt', number: 'N-DOUBT', customerId: 'u1', quote: quote([TEA(1)]), payWith: { balance: 200 } };
    store.next = 'nothing';
    expect((await service.place(input)).ok).toBe(false);
    expect((await service.place(input)).ok).toBe(true);
    clock.advance(15 * MINUTE);
    expect((await service.sweep()).placementsRecovered).toBe(0);
    expect(await balance.orderBalance(firstId)).toEqual({ debited: 500, credited: 0 });
    expect(await balance.orderBalance('o-doubt')).toEqual({ debited: 200, credited: 0 });
    expect(await balance.balanceOf('u1')).toBe(2300);
    // Nothing is left listed once the sweep has seen the orders.
    expect(await balance.placementsInDoubt(clock.now())).toEqual([]);
  });

  for (const lost of ['timeout-after', 'timeout-before', 'request-failed'] as const) {
    it(`the give-back's transaction answered ${lost}: the sweep goes on, and the debit comes back exactly once over the next sweeps`, async () => {
      let armed = false;
      const { store, balance, clock, service } = await cloudRig(() => {
        if (!armed) return null;
        armed = false;
        return lost;
      });
      store.next = 'nothing';
      const first = await service.place({ customerId: 'u1', quote: quote([TEA(2)]), payWith: { balance: 500 } });
      const firstId = (first.ok ? '' : (first.error.details as { orderId: string }).orderId);
      expect(await balance.balanceOf('u1')).toBe(2500);
      clock.advance(20 * MINUTE);
      armed = true;
      const report = await service.sweep();
      expect(report.placementsRecovered).toBe(0);
      expect(await balance.balanceOf('u1')).toBe(lost === 'timeout-after' ? 3000 : 2500);
      await service.sweep();
      await service.sweep();
      expect(await balance.balanceOf('u1')).toBe(3000);
      expect(await balance.orderBalance(firstId)).toEqual({ debited: 0, credited: 0 });
    });
  }
});

describe('placements left in doubt: WxCloudInventory on the cloud-database stand-in', () => {
  async function cloudRig(fault?: () => StandInFault | null) {
    const store = new DoubtfulStore();
    const inventory = new WxCloudInventory(createCloudDatabaseStandIn({ fault: (op) => (op.kind === 'transaction.commit' ? fault?.() : null) }));
    await inventory.ensureCollections();
    await inventory.configure({ sku: 'TEA', available: 5 });
    const clock = manualClock();
    const service = createOrderService({ store, inventory, clock, ids: sequentialIds() });
    return { store, inventory, clock, service };
  }
  const levelOf = async (inventory: WxCloudInventory) => {
    const level = await inventory.level('TEA');
    return { available: level?.available, held: level?.held };
  };

  it('the shopper places again with a new id: after the grace period the first units come back, once, under concurrent sweepers, and the id holds afresh later', async () => {
    const { store, inventory, clock, service } = await cloudRig();
    store.next = 'nothing';
    const first = await service.place({ customerId: 'u1', quote: quote([TEA(2)]) });
    expect(first.ok ? 'ok' : first.error.code).toBe('INVENTORY_PLACEMENT_UNKNOWN');
    const firstId = (first.ok ? '' : (first.error.details as { orderId: string }).orderId);
    const second = await service.place({ customerId: 'u1', quote: quote([TEA(2)]) });
    expect(second.ok).toBe(true);
    expect(await levelOf(inventory)).toEqual({ available: 1, held: 4 });
    expect((await service.sweep(new Date(clock.now().getTime() + MINUTE))).placementsRecovered).toBe(0);
    expect(await inventory.heldBy(firstId)).toEqual([{ sku: 'TEA', quantity: 2 }]);
    clock.advance(20 * MINUTE);
    const reports = await Promise.all([service.sweep(), service.sweep(), service.sweep()]);
    expect(reports.reduce((n, r) => n + (r.placementsRecovered ?? 0), 0)).toBe(1);
    expect(await inventory.heldBy(firstId)).toEqual([]);
    expect(await levelOf(inventory)).toEqual({ available: 3, held: 2 });
    await service.sweep();
    expect(await levelOf(inventory)).toEqual({ available: 3, held: 2 });
    const retried = await service.place({ id: firstId, number: 'N-RETRY', customerId: 'u1', quote: quote([TEA(1)]) });
    expect(retried.ok).toBe(true);
    expect(await inventory.heldBy(firstId)).toEqual([{ sku: 'TEA', quantity: 1 }]);
    expect(await levelOf(inventory)).toEqual({ available: 2, held: 3 });
  });

  it('a create that lands late within the grace period keeps its units, and so does a retry of the id', async () => {
    const { store, inventory, clock, service } = await cloudRig();
    store.next = 'late';
    const first = await service.place({ customerId: 'u1', quote: quote([TEA(2)]) });
    const firstId = (first.ok ? '' : (first.error.details as { orderId: string }).orderId);
    clock.advance(5 * MINUTE);
    await store.pendingLate!();
    const input = { id: 'o-doubt', number: 'N-DOUBT', customerId: 'u1', quote: quote([TEA(1)]) };
    store.next = 'nothing';
    expect((await service.place(input)).ok).toBe(false);
    expect((await service.place(input)).ok).toBe(true);
    clock.advance(15 * MINUTE);
    expect((await service.sweep()).placementsRecovered).toBe(0);
    expect(await inventory.heldBy(firstId)).toEqual([{ sku: 'TEA', quantity: 2 }]);
    expect(await inventory.heldBy('o-doubt')).toEqual([{ sku: 'TEA', quantity: 1 }]);
    expect(await levelOf(inventory)).toEqual({ available: 2, held: 3 });
    expect(await inventory.placementsInDoubt(clock.now())).toEqual([]);
  });

  for (const lost of ['timeout-after', 'timeout-before', 'request-failed'] as const) {
    it(`the turn of the claim answered ${lost}: the units come back exactly once over the next sweeps`, async () => {
      let armed = false;
      const { store, inventory, clock, service } = await cloudRig(() => {
        if (!armed) return null;
        armed = false;
        return lost;
      });
      store.next = 'nothing';
      const first = await service.place({ customerId: 'u1', quote: quote([TEA(2)]) });
      const firstId = (first.ok ? '' : (first.error.details as { orderId: string }).orderId);
      clock.advance(20 * MINUTE);
      armed = true;
      await service.sweep();
      // The failed turn gave nothing back yet (applied or not, its answer never came).
      expect(armed).toBe(false);
      expect(await inventory.heldBy(firstId)).toEqual([{ sku: 'TEA', quantity: 2 }]);
      await service.sweep();
      await service.sweep();
      expect(await inventory.heldBy(firstId)).toEqual([]);
      expect(await levelOf(inventory)).toEqual({ available: 5, held: 0 });
    });
  }
});

