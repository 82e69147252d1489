import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Actor, Command } from '../../src/order/index.js';
import { createOrderService } from '../../src/service/index.js';
import { MemoryOrderStore, type OrderStore } from '../../src/storage/index.js';
import { gateway, line, manualClock, merchant, quote } from '../service/fixtures.js';
import { checkNoLostUpdate, type Outcome } from './invariants.js';

const customer: Actor = { type: 'customer', id: 'u1' };

/** A store whose every call resolves when fast-check's scheduler says so: it picks the interleaving. */
function scheduledStore(base: MemoryOrderStore, s: fc.Scheduler): OrderStore {
  return {
    load: s.scheduleFunction((id: string) => base.load(id)),
    findByNumber: (number: string) => base.findByNumber(number),
    create: s.scheduleFunction((order, options) => base.create(order, options)),
    commit: s.scheduleFunction((input) => base.commit(input)),
    history: (id) => base.history(id),
    list: (q) => base.list(q),
    findDue: (now, limit, options) => base.findDue(now, limit, options),
    findIdempotency: s.scheduleFunction((key: string) => base.findIdempotency(key)),
    claim: (limit, lease, now) => base.claim(limit, lease, now),
    complete: (id, now, token) => base.complete(id, now, token),
    fail: (id, at, reason, token) => base.fail(id, at, reason, token),
  };
}

const commandArb: fc.Arbitrary<{ command: Command; actor: Actor; key?: string }> = fc.oneof(
  fc.constant({ command: { type: 'PAYMENT_SUCCEEDED', amount: 8500, transactionId: 'tx-1' } as Command, actor: gateway, key: 'pay:tx-1' }),
  fc.constant({ command: { type: 'PAYMENT_SUCCEEDED', amount: 8500, transactionId: 'tx-1' } as Command, actor: gateway }),
  fc.constant({ command: { type: 'SHIP', logisticsType: 'express', items: [{ lineId: 'a', quantity: 1 }] } as Command, actor: merchant }),
  fc.constant({ command: { type: 'REQUEST_AFTER_SALE', kind: 'refund_only', items: [{ lineId: 'a', quantity: 1 }], reason: 'fuzz' } as Command, actor: customer }),
  fc.integer({ min: 1, max: 3 }).map((k) => ({ command: { type: 'REFUND_SUCCEEDED', refundId: `NO000001R${k}` } as Command, actor: gateway })),
  fc.integer({ min: 1, max: 3 }).map((k) => ({ command: { type: 'APPROVE_AFTER_SALE', afterSaleId: `NO000001-AS${k}` } as Command, actor: merchant })),
  fc.constant({ command: { type: 'CANCEL' } as Command, actor: customer }),
  fc.constant({ command: { type: 'CANCEL', reason: 'out of stock' } as Command, actor: merchant }),
);

describe('race: interleavings chosen by fc.scheduler (memory store, service level)', () => {
  it('concurrent dispatches on one order never lose an update, whatever the interleaving', async () => {
    await fc.assert(
      fc.asyncProperty(fc.scheduler(), fc.boolean(), fc.array(commandArb, { minLength: 2, maxLength: 8 }), async (s, prepaid, commands) => {
        const base = new MemoryOrderStore();
        const setup = createOrderService({ store: base, clock: manualClock(), ids: { orderId: () => 'o1', orderNumber: () => 'NO000001' } });
        const placed = await setup.place({ customerId: 'u1', quote: quote([line('a', 5, 1500), line('b', 1, 1000)]) });
        if (!placed.ok) throw placed.error;
        if (prepaid) await setup.dispatch('o1', { type: 'PAYMENT_SUCCEEDED', amount: 8500, transactionId: 'tx-1' }, gateway);
        const service = createOrderService({ store: scheduledStore(base, s), clock: manualClock(), retryDelayMs: 0, maxRetries: 100 });
        const running = commands.map(({ command, actor, key }) =>
          service.dispatch('o1', command, actor, key ? { idempotencyKey: key } : {}).then((result): Outcome => ({ command, result })),
        );
        await s.waitIdle();
        const outcomes = (await Promise.all(running)).filter((o) => !(o.result.ok && o.result.replayed));
        const final = (await base.load('o1'))!;
        const summary = checkNoLostUpdate(final, await base.history('o1'), outcomes, prepaid ? 2 : 1);
        expect(summary.exhausted).toBe(0);
        // At most one payment is ever taken, whatever the order of notifications and cancels; a
        // payment that lost the race to a cancel is kept as stray and refunded, never dropped.
        expect(final.payment.paidAmount === 0 || final.payment.paidAmount === 8500).toBe(true);
        const collected = final.payment.paidAmount + final.payment.stray.reduce((s, p) => s + p.amount, 0);
        const paidOnce = outcomes.some((o) => o.command.type === 'PAYMENT_SUCCEEDED' && o.result.ok && o.result.changed) || prepaid;
        expect(collected).toBe(paidOnce ? 8500 : 0);
      }),
      { numRuns: 150 },
    );
  });
});
