import { describe, expect, it } from 'vitest';
import { MemoryOrderStore } from '../../src/storage/index.js';
import type { CommitInput, OrderStore } from '../../src/storage/index.js';
import { createOrderService } from '../../src/service/index.js';
import { customer, gateway, manualClock, merchant, pay, quote, sequentialIds } from './fixtures.js';

// DispatchOptions.loaded (docs/storage.md, "The service"): the order a caller just read with `get`
// serves the first attempt of its dispatch instead of a second read; a stale copy only costs a
// conflict and a fresh read; anything but an order `get` returned for that id is ignored.

/** A memory store that counts its reads, with or without a commitChain (the hot-order path). */
function countingStore(chain: boolean): { store: OrderStore; loads: () => number } {
  const inner = new MemoryOrderStore();
  let loads = 0;
  const store = new Proxy(inner, {
    get(target, prop, receiver) {
      if (prop === 'load') {
        return async (id: string) => {
          loads++;
          return target.load(id);
        };
      }
      if (prop === 'commitChain') {
        if (!chain) return undefined;
        return async (inputs: CommitInput[]) => {
          for (const input of inputs) await target.commit(input);
        };
      }
      const value = Reflect.get(target, prop, receiver) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  }) as OrderStore;
  return { store, loads: () => loads };
}

for (const chain of [false, true]) {
  describe(`dispatch with the order the caller loaded (${chain ? 'hot-order queue' : 'plain dispatch'})`, () => {
    function setup() {
      const counted = countingStore(chain);
      const service = createOrderService({ store: counted.store, clock: manualClock(), ids: sequentialIds(), retryDelayMs: 0 });
      return { ...counted, service };
    }

    it('reads the order once: the copy from get serves the dispatch', async () => {
      const { service, loads } = setup();
      const placed = await service.place({ customerId: 'u1', quote: quote() });
      if (!placed.ok) throw placed.error;
      const order = (await service.get('o1'))!;
      const before = loads();
      const paid = await service.dispatch('o1', pay(order.pricing.total), gateway, { loaded: order });
      expect(paid.ok && [paid.order.status, paid.order.version]).toEqual(['paid', 2]);
      expect(loads() - before).toBe(0);
      expect((await service.get('o1'))!.version).toBe(2);
    });

    it('a stale copy conflicts and is read again: the command lands on the current order', async () => {
      const { service, loads } = setup();
      const placed = await service.place({ customerId: 'u1', quote: quote() });
      if (!placed.ok) throw placed.error;
      const stale = (await service.get('o1'))!;
      const remark = await service.dispatch('o1', { type: 'ADD_REMARK', text: 'first' }, merchant);
      expect(remark.ok).toBe(true);
      const before = loads();
      const paid = await service.dispatch('o1', pay(stale.pricing.total), gateway, { loaded: stale });
      expect(paid.ok && [paid.order.status, paid.order.version]).toEqual(['paid', 3]);
      expect(paid.ok && paid.order.merchantNotes.map((n) => n.text)).toEqual(['first']);
      expect(loads() - before).toBe(1);
      expect((await service.history('o1')).map((e) => e.version)).toEqual([1, 2, 3]);
    });

    it('a copy the caller changed after get is decided on as it was read: the change is never written', async () => {
      const { service } = setup();
      const placed = await service.place({ customerId: 'u1', quote: quote() });
      if (!placed.ok) throw placed.error;
      const order = (await service.get('o1'))!;
      // A route masks the order for a view, and marks it paid, before it dispatches with it.
      order.status = 'paid';
      order.customerId = 'u***';
      const cancelled = await service.dispatch('o1', { type: 'CANCEL', reason: 'changed my mind' }, customer, { loaded: order });
      expect(cancelled.ok && [cancelled.order.status, cancelled.order.customerId]).toEqual(['closed', 'u1']);
      expect((await service.get('o1'))!.customerId).toBe('u1');
    });

    it('a copy it did not hand out, or of another order, is ignored and the order is read', async () => {
      const { service, loads } = setup();
      for (let i = 0; i < 2; i++) {
        const placed = await service.place({ customerId: 'u1', quote: quote() });
        if (!placed.ok) throw placed.error;
      }
      const o1 = (await service.get('o1'))!;
      // A forged copy: same id and version, shown as paid. Started from, CANCEL would be refused.
      const forged = { ...o1, status: 'paid' as const };
      let before = loads();
      const cancelled = await service.dispatch('o1', { type: 'CANCEL', reason: 'changed my mind' }, customer, { loaded: forged });
      expect(cancelled.ok && cancelled.order.status).toBe('closed');
      expect(loads() - before).toBe(1);
      // The copy of o1 offered for o2.
      before = loads();
      const other = await service.dispatch('o2', pay(o1.pricing.total), gateway, { loaded: o1 });
      expect(other.ok && [other.order.id, other.order.status]).toEqual(['o2', 'paid']);
      expect(loads() - before).toBe(1);
    });
  });
}
