import { describe, expect, it } from 'vitest';
import type { Effect } from '../../src/order/index.js';
import { createOrderService } from '../../src/service/index.js';
import { MemoryOrderStore, type OrderStore } from '../../src/storage/index.js';
import { DAY, MINUTE, START, customer, gateway, manualClock, merchant, pay, quote, sequentialIds } from './fixtures.js';

function setup(store: OrderStore = new MemoryOrderStore()) {
  const clock = manualClock();
  const service = createOrderService({ store, clock, ids: sequentialIds(), retryDelayMs: 0 });
  return { store, clock, service };
}

describe('sweep', () => {
  it('expires unpaid orders once their pay-by passed, and only those', async () => {
    const { store, clock, service } = setup();
    for (let i = 0; i < 3; i++) await service.place({ customerId: 'u1', quote: quote() });
    await service.dispatch('o2', pay(5500), gateway);
    expect(await service.sweep(new Date(START.getTime() + 29 * MINUTE))).toMatchObject({ expired: 0, autoConfirmed: 0 });
    clock.advance(31 * MINUTE);
    const report = await service.sweep();
    expect(report).toEqual({ expired: 2, autoConfirmed: 0, paidLate: 0, gatewayUnreachable: 0, expiredUnverified: 0, skipped: 0, corrupt: [] });
    expect((await store.load('o1'))!.status).toBe('closed');
    expect((await store.load('o1'))!.closeReason).toBe('payment_timeout');
    expect((await store.load('o2'))!.status).toBe('paid');
    clock.advance(DAY);
    expect(await service.sweep()).toMatchObject({ expired: 0 });
  });

  it('confirms receipt automatically after autoConfirmAt', async () => {
    const { store, service } = setup();
    await service.place({ customerId: 'u1', quote: quote() });
    await service.dispatch('o1', pay(5500), gateway);
    const shipped = await service.dispatch('o1', { type: 'SHIP', trackingNo: 'SF1', expressCompany: 'SF' }, merchant);
    expect(shipped.ok && shipped.order.status).toBe('shipped');
    const at = Date.parse((await store.load('o1'))!.deadlines.autoConfirmAt!);
    expect(await service.sweep(new Date(at - 1))).toMatchObject({ autoConfirmed: 0 });
    expect(await service.sweep(new Date(at))).toMatchObject({ autoConfirmed: 1 });
    expect((await store.load('o1'))!.status).toBe('completed');
  });

  it('does not expire an order paid between findDue and the commit (the payment wins)', async () => {
    const base = new MemoryOrderStore();
    const { service } = setup(base);
    await service.place({ customerId: 'u1', quote: quote() });
    const payer = createOrderService({ store: base, clock: manualClock() });
    const racing: OrderStore = Object.assign(Object.create(base) as OrderStore, {
      findDue: async (...args: Parameters<OrderStore['findDue']>) => {
        const due = await base.findDue(...args);
        // The payment notification arrives while the sweeper holds the stale order.
        for (const o of due) await payer.dispatch(o.id, pay(5500), gateway);
        return due;
      },
    });
    const sweeper = createOrderService({ store: racing, clock: manualClock(), retryDelayMs: 0 });
    const report = await sweeper.sweep(new Date(START.getTime() + 31 * MINUTE));
    expect(report).toMatchObject({ expired: 0, skipped: 1 });
    expect((await base.load('o1'))!.status).toBe('paid');
  });

  it('asks payments.query first, and applies a payment that did arrive', async () => {
    const store = new MemoryOrderStore();
    const asked: string[] = [];
    const service = createOrderService({
      store,
      clock: manualClock(),
      ids: sequentialIds(),
      payments: {
        async query(order) {
          asked.push(order.id);
          return order.id === 'o1' ? { paid: true, amount: order.pricing.total, transactionId: 'late-tx' } : { paid: false };
        },
      },
    });
    await service.place({ customerId: 'u1', quote: quote() });
    await service.place({ customerId: 'u1', quote: quote() });
    const report = await service.sweep(new Date(START.getTime() + 31 * MINUTE));
    expect(report).toMatchObject({ expired: 1, paidLate: 1 });
    expect(asked.sort()).toEqual(['o1', 'o2']);
    expect((await store.load('o1'))!.payment.transactionId).toBe('late-tx');
    expect((await store.load('o2'))!.status).toBe('closed');
  });

  it('reports a corrupt due order by id and still sweeps the others', async () => {
    const store = new MemoryOrderStore();
    const { service } = setup(store);
    await service.place({ customerId: 'u1', quote: quote() });
    await service.place({ customerId: 'u1', quote: quote() });
    store.data.orders.get('o1')!.doc = '{"id":"o1"}';
    const report = await service.sweep(new Date(START.getTime() + 31 * MINUTE));
    expect(report).toMatchObject({ expired: 1, corrupt: ['o1'] });
  });

  it('sweeps through commit() one by one when the store has no commitMany', async () => {
    const base = new MemoryOrderStore();
    const plain: OrderStore = Object.assign(Object.create(base) as OrderStore, { commitMany: undefined });
    const { service } = setup(plain);
    for (let i = 0; i < 25; i++) await service.place({ customerId: 'u1', quote: quote() });
    const report = await service.sweep(new Date(START.getTime() + 31 * MINUTE), { batchSize: 10 });
    expect(report.expired).toBe(25);
    expect((await base.list({ status: 'closed', limit: 100 })).items).toHaveLength(25);
  });
});

describe('drainOutbox', () => {
  it('hands every effect to its handler once, with its id, then completes it', async () => {
    const { service } = setup();
    await service.place({ customerId: 'u1', quote: quote() });
    const paid = await service.dispatch('o1', pay(5500), gateway);
    const seen: string[] = [];
    const handlers = { notify: async (e: Effect) => void seen.push(e.id) };
    const report = await service.drainOutbox(handlers);
    const notifyIds = paid.ok ? paid.effects.filter((e) => e.type === 'notify').map((e) => e.id) : [];
    expect(notifyIds.length).toBeGreaterThan(0);
    expect(seen).toEqual(notifyIds);
    // the placement's schedule effect has no handler: sweep keeps deadlines, so it is completed
    expect(report).toEqual({ claimed: seen.length + 1, delivered: seen.length + 1, failed: 0, unhandled: 0, deferred: 0 });
    expect(await service.drainOutbox(handlers)).toEqual({ claimed: 0, delivered: 0, failed: 0, unhandled: 0, deferred: 0 });
  });

  it('a failing handler is retried with backoff, and counted', async () => {
    const { service, clock } = setup();
    await service.place({ customerId: 'u1', quote: quote() });
    await service.dispatch('o1', pay(5500), gateway);
    let calls = 0;
    const attempts: number[] = [];
    const flaky = {
      notify: async (_e: Effect, delivery: { attempts: number }) => {
        calls++;
        attempts.push(delivery.attempts);
        if (calls === 1) throw new Error('gateway down');
      },
    };
    const first = await service.drainOutbox(flaky, { retryBaseMs: 10_000 });
    // The first failure of the order holds its later effect back untried (outbox order per order).
    expect(first).toMatchObject({ failed: 1, deferred: 1, delivered: 1 }); // delivered: the placement's schedule
    expect(calls).toBe(1);
    expect(await service.drainOutbox(flaky)).toMatchObject({ claimed: 0 });
    clock.advance(13_000);
    const second = await service.drainOutbox(flaky, { retryBaseMs: 10_000 });
    expect(second).toMatchObject({ delivered: 2, failed: 0, deferred: 0 });
    // The effect handed back untried was not counted as an attempt.
    expect(attempts).toEqual([0, 1, 0]);
  });

  it('effects without a handler wait (other than schedule), so none is lost', async () => {
    const { service, clock } = setup();
    await service.place({ customerId: 'u1', quote: quote() });
    await service.dispatch('o1', pay(5500), gateway);
    const report = await service.drainOutbox({});
    // The first unhandled effect of the order holds the later one back.
    expect(report).toMatchObject({ unhandled: 1, deferred: 1 });
    clock.advance(DAY);
    const seen: string[] = [];
    await service.drainOutbox({ notify: (e) => void seen.push(e.id) });
    expect(seen).toEqual(['o1:2:0', 'o1:2:1']);
  });

  it('an effect claimed by a worker that died is redelivered after the lease', async () => {
    const { service, store, clock } = setup();
    await service.place({ customerId: 'u1', quote: quote() });
    const dead = await store.claim(10, 60_000, clock.now());
    expect(dead).toHaveLength(1);
    const seen: string[] = [];
    const handlers = { schedule: (e: Effect) => void seen.push(e.id) };
    expect(await service.drainOutbox(handlers)).toMatchObject({ claimed: 0 });
    clock.advance(60_000);
    expect(await service.drainOutbox(handlers)).toMatchObject({ claimed: 1, delivered: 1 });
    expect(seen).toEqual([dead[0]!.effect.id]);
  });

  it('customer cancel of an unpaid order releases nothing twice: effects carry stable ids', async () => {
    const { service } = setup();
    await service.place({ customerId: 'u1', quote: quote() });
    const cancelled = await service.dispatch('o1', { type: 'CANCEL' }, customer);
    expect(cancelled.ok).toBe(true);
    const ids = cancelled.ok ? cancelled.effects.map((e) => e.id) : [];
    expect(ids.every((id) => id.startsWith('o1:2:'))).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
