import { describe, expect, it } from 'vitest';
import { VersionConflictError, MemoryOrderStore } from '../../src/storage/index.js';
import type { CommitInput, OrderStore } from '../../src/storage/index.js';
import { createOrderService } from '../../src/service/index.js';
import { customer, gateway, line, manualClock, merchant, pay, quote, sequentialIds } from './fixtures.js';

function setup(store: OrderStore = new MemoryOrderStore()) {
  const clock = manualClock();
  const service = createOrderService({ store, clock, ids: sequentialIds(), retryDelayMs: 0 });
  return { store, clock, service };
}

describe('place', () => {
  it('makes up an id and a number, stores the order, its event and its effects', async () => {
    const { store, service } = setup();
    const r = await service.place({ customerId: 'u1', quote: quote() });
    expect(r.ok && [r.order.id, r.order.number, r.order.version, r.order.status, r.replayed]).toEqual(['o1', 'NO000001', 1, 'pending_payment', false]);
    if (!r.ok) return;
    expect(await store.load('o1')).toEqual(r.order);
    expect((await store.history('o1')).map((e) => e.type)).toEqual(['ORDER_PLACED']);
    const outbox = await store.claim(10, 1000, new Date('2030-01-01T00:00:00Z'));
    expect(outbox.map((e) => e.effect.type)).toEqual(r.effects.map((e) => e.type));
  });

  it('with an idempotency key, a repeat returns the first order and makes no other', async () => {
    const { store, service } = setup();
    const first = await service.place({ customerId: 'u1', quote: quote() }, { idempotencyKey: 'cart-42' });
    const again = await service.place({ customerId: 'u1', quote: quote() }, { idempotencyKey: 'cart-42' });
    expect(first.ok && again.ok).toBe(true);
    if (!first.ok || !again.ok) return;
    expect(again.replayed).toBe(true);
    expect(again.order).toEqual(first.order);
    expect(again.effects).toEqual(first.effects);
    expect((await store.list({})).items.map((o) => o.id)).toEqual(['o1']);
  });

  it('refuses bad input as a result and stores nothing', async () => {
    const { store, service } = setup();
    const bad = { ...quote(), total: 1 };
    const r = await service.place({ customerId: 'u1', quote: bad });
    expect(r.ok ? 'ok' : r.error.code).toBe('INVALID_ORDER_INPUT');
    expect((await store.list({})).items).toHaveLength(0);
  });

  it('a taken order id is a typed ORDER_EXISTS result', async () => {
    const { service } = setup();
    await service.place({ id: 'fixed', customerId: 'u1', quote: quote() });
    const r = await service.place({ id: 'fixed', customerId: 'u1', quote: quote() });
    expect(r.ok ? 'ok' : r.error.code).toBe('ORDER_EXISTS');
  });

  it('draws another order number when a random one is taken', async () => {
    const store = new MemoryOrderStore();
    let calls = 0;
    const numbers = ['DUP1', 'DUP1', 'FRESH'];
    const service = createOrderService({ store, clock: manualClock(), ids: { orderNumber: () => numbers[calls++]! } });
    await service.place({ customerId: 'u1', quote: quote() });
    const r = await service.place({ customerId: 'u1', quote: quote() });
    expect(r.ok && r.order.number).toBe('FRESH');
  });
});

describe('dispatch', () => {
  it('loads, transitions and commits: version, events and store agree', async () => {
    const { store, service } = setup();
    await service.place({ customerId: 'u1', quote: quote() });
    const r = await service.dispatch('o1', pay(5500), gateway);
    expect(r.ok && [r.order.status, r.order.version, r.events.length, r.changed]).toEqual(['paid', 2, 1, true]);
    expect((await store.load('o1'))!.version).toBe(2);
    expect(await store.history('o1')).toHaveLength(2);
  });

  it('returns domain refusals as results and writes nothing', async () => {
    const { store, service } = setup();
    await service.place({ customerId: 'u1', quote: quote() });
    // (A wrong payment amount is no longer a refusal: the service records it as a stray payment; test/edits.)
    const early = await service.dispatch('o1', { type: 'EXPIRE' }, { type: 'system' });
    expect(early.ok ? 'ok' : early.error.code).toBe('DEADLINE_NOT_REACHED');
    const ship = await service.dispatch('o1', { type: 'SHIP' }, merchant);
    expect(ship.ok ? 'ok' : ship.error.code).toBe('INVALID_TRANSITION');
    expect((await store.load('o1'))!.version).toBe(1);
  });

  it('checks the command and the actor at the boundary', async () => {
    const { service } = setup();
    await service.place({ customerId: 'u1', quote: quote() });
    const r1 = await service.dispatch('o1', { type: 'FLY_TO_MOON' } as never, merchant);
    // A type the lifecycle does not define is named; a known type with a bad field is INVALID_COMMAND.
    expect(r1.ok ? 'ok' : r1.error.code).toBe('UNKNOWN_COMMAND');
    expect(r1.ok ? '' : r1.error.messages.en).toContain('FLY_TO_MOON');
    const r3 = await service.dispatch('o1', { type: 'CANCEL', reason: 7 } as never, merchant);
    expect(r3.ok ? 'ok' : r3.error.code).toBe('INVALID_COMMAND');
    const r2 = await service.dispatch('o1', { type: 'CANCEL' }, { type: 'alien' } as never);
    expect(r2.ok ? 'ok' : r2.error.code).toBe('INVALID_ACTOR');
  });

  it('an unknown order is a typed ORDER_NOT_FOUND result', async () => {
    const { service } = setup();
    const r = await service.dispatch('nope', { type: 'CANCEL' }, customer);
    expect(r.ok ? 'ok' : [r.error.code, r.error.details]).toEqual(['ORDER_NOT_FOUND', { orderId: 'nope' }]);
  });

  it('a duplicate payment notification is accepted without a commit', async () => {
    const { store, service } = setup();
    await service.place({ customerId: 'u1', quote: quote() });
    await service.dispatch('o1', pay(5500), gateway);
    let commits = 0;
    const counting: OrderStore = Object.assign(Object.create(store) as OrderStore, {
      commit: async (input: CommitInput) => {
        commits++;
        return store.commit(input);
      },
    });
    const svc = createOrderService({ store: counting, clock: manualClock() });
    const again = await svc.dispatch('o1', pay(5500), gateway);
    expect(again.ok && [again.changed, again.events.length, again.order.version]).toEqual([false, 0, 2]);
    expect(commits).toBe(0);
    expect(await store.history('o1')).toHaveLength(2);
  });

  it('an idempotency key returns the first result; on another order it is a key of its own', async () => {
    const { store, service } = setup();
    await service.place({ customerId: 'u1', quote: quote() });
    await service.place({ customerId: 'u1', quote: quote() });
    const first = await service.dispatch('o1', pay(5500), gateway, { idempotencyKey: 'pay:tx-1' });
    await service.dispatch('o1', { type: 'SHIP', items: [{ lineId: 'a', quantity: 1 }] }, merchant);
    const again = await service.dispatch('o1', pay(5500), gateway, { idempotencyKey: 'pay:tx-1' });
    expect(again.ok && again.replayed).toBe(true);
    expect(again.ok && first.ok && [again.order, again.events, again.effects]).toEqual(first.ok && [first.order, first.events, first.effects]);
    expect((await store.load('o1'))!.version).toBe(3);
    // Keys are scoped to (actor, order): the same key on o2 is not o1's record (test/service/idempotency.test.ts).
    const elsewhere = await service.dispatch('o2', pay(5500, 'tx-2'), gateway, { idempotencyKey: 'pay:tx-1' });
    expect(elsewhere.ok && [elsewhere.replayed, elsewhere.order.id, elsewhere.order.status]).toEqual([false, 'o2', 'paid']);
  });

  it('reloads and applies the command again after a version conflict: no update is lost', async () => {
    const base = new MemoryOrderStore();
    const { service } = setup(base);
    await service.place({ customerId: 'u1', quote: quote() });
    await service.dispatch('o1', pay(5500), gateway);
    let raced = false;
    // Right before the merchant's SHIP lands, the customer's refund request is committed.
    const racing: OrderStore = Object.assign(Object.create(base) as OrderStore, {
      commit: async (input: CommitInput) => {
        if (!raced) {
          raced = true;
          const other = createOrderService({ store: base, clock: manualClock() });
          const request = await other.dispatch('o1', { type: 'REQUEST_AFTER_SALE', kind: 'refund_only', items: [{ lineId: 'b', quantity: 1 }], reason: 'changed my mind' }, customer);
          expect(request.ok ? 'ok' : request.error.code).toBe('ok');
        }
        return base.commit(input);
      },
    });
    const svc = createOrderService({ store: racing, clock: manualClock(), retryDelayMs: 0 });
    const r = await svc.dispatch('o1', { type: 'SHIP', items: [{ lineId: 'a', quantity: 5 }] }, merchant);
    expect(r.ok && [r.order.version, r.order.status]).toEqual([4, 'shipped']);
    const stored = (await base.load('o1'))!;
    expect(stored.afterSales).toHaveLength(1);
    expect(stored.shipments).toHaveLength(1);
    expect((await base.history('o1')).map((e) => e.version)).toEqual([1, 2, 3, 4]);
  });

  it('gives up after maxRetries conflicts with a VERSION_CONFLICT result', async () => {
    const base = new MemoryOrderStore();
    const { service } = setup(base);
    await service.place({ customerId: 'u1', quote: quote() });
    let commits = 0;
    const hopeless: OrderStore = Object.assign(Object.create(base) as OrderStore, {
      commit: async (input: CommitInput) => {
        commits++;
        throw new VersionConflictError(input.order.id, input.expectedVersion, input.expectedVersion + 1);
      },
    });
    const svc = createOrderService({ store: hopeless, clock: manualClock(), maxRetries: 3, retryDelayMs: 0 });
    const r = await svc.dispatch('o1', { type: 'CANCEL' }, customer);
    expect(r.ok ? 'ok' : [r.error.code, r.error.details]).toEqual(['VERSION_CONFLICT', { orderId: 'o1', attempts: 4 }]);
    expect(commits).toBe(4);
  });

  it('a gateway callback keeps retrying past maxRetries, and lands', async () => {
    const base = new MemoryOrderStore();
    const { service } = setup(base);
    await service.place({ customerId: 'u1', quote: quote() });
    let commits = 0;
    const busy: OrderStore = Object.assign(Object.create(base) as OrderStore, {
      commit: async (input: CommitInput) => {
        commits++;
        if (commits <= 40) throw new VersionConflictError(input.order.id, input.expectedVersion, input.expectedVersion + 1);
        return base.commit(input);
      },
    });
    const svc = createOrderService({ store: busy, clock: manualClock(), maxRetries: 3, retryDelayMs: 0 });
    const paid = await svc.dispatch('o1', pay(5500), gateway);
    expect(paid.ok && paid.order.status).toBe('paid');
    expect(commits).toBe(41);
  });

  it('a gateway callback that cannot land within callbackRetryMs is ORDER_BUSY (nothing written), never VERSION_CONFLICT', async () => {
    const base = new MemoryOrderStore();
    const { service } = setup(base);
    await service.place({ customerId: 'u1', quote: quote() });
    const hopeless: OrderStore = Object.assign(Object.create(base) as OrderStore, {
      commit: async (input: CommitInput) => {
        throw new VersionConflictError(input.order.id, input.expectedVersion, input.expectedVersion + 1);
      },
    });
    const svc = createOrderService({ store: hopeless, clock: manualClock(), maxRetries: 3, retryDelayMs: 1, callbackRetryMs: 30 });
    const r = await svc.dispatch('o1', pay(5500), gateway);
    expect(r.ok ? 'ok' : [r.error.code, r.error.messages.en]).toEqual(['ORDER_BUSY', expect.stringContaining('deliver it again later')]);
    expect((await base.load('o1'))!.version).toBe(1);
  });

  it('commands of one order queue inside one instance: 50 at once, not one conflict', async () => {
    const base = new MemoryOrderStore();
    const { service } = setup(base);
    await service.place({ customerId: 'u1', quote: quote([line('a', 100, 100)]) });
    await service.dispatch('o1', pay(10_000), gateway);
    let conflicts = 0;
    // A store that yields between load and commit, as a database round trip does.
    const slow: OrderStore = Object.assign(Object.create(base) as OrderStore, {
      load: async (id: string) => {
        const order = await base.load(id);
        await new Promise((r) => setTimeout(r, 1));
        return order;
      },
      commit: async (input: CommitInput) => {
        try {
          await base.commit(input);
        } catch (error) {
          conflicts++;
          throw error;
        }
      },
    });
    const svc = createOrderService({ store: slow, clock: manualClock(), maxRetries: 0 });
    const ship = { type: 'SHIP' as const, logisticsType: 'express' as const, items: [{ lineId: 'a', quantity: 1 }] };
    const results = await Promise.all(Array.from({ length: 50 }, () => svc.dispatch('o1', ship, merchant)));
    expect(results.filter((r) => !r.ok)).toEqual([]);
    expect(conflicts).toBe(0);
    expect((await base.load('o1'))!.version).toBe(52);
  });

  it('passes the change feed through, and refuses it for a store without one', async () => {
    const { service } = setup();
    const heard: string[] = [];
    const stop = await service.subscribe((c) => heard.push(`${c.orderId}@${c.version}:${c.status}`));
    await service.place({ customerId: 'u1', quote: quote() });
    await service.dispatch('o1', pay(5500), gateway);
    await new Promise((r) => setTimeout(r, 0));
    expect(heard).toEqual(['o1@1:pending_payment', 'o1@2:paid']);
    await stop();
    const bare = new MemoryOrderStore();
    const noFeed = createOrderService({ store: Object.assign(Object.create(bare) as OrderStore, { subscribe: undefined }) });
    await expect(noFeed.subscribe(() => undefined)).rejects.toMatchObject({ code: 'UNSUPPORTED' });
  });
});
