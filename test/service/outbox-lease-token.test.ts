import { describe, expect, it } from 'vitest';
import type { Effect } from '../../src/order/index.js';
import { createOrderService } from '../../src/service/index.js';
import { MemoryOrderStore } from '../../src/storage/index.js';
import { MINUTE, gateway, manualClock, pay, quote, sequentialIds } from './fixtures.js';

/**
 * A worker slower than its lease: another worker claims its effects meanwhile, and the slow
 * worker's late complete must not undo the other's bookkeeping (docs/storage.md, "Outbox").
 */
describe('drainOutbox with a worker slower than its lease', () => {
  it('the slow worker\'s late complete changes nothing; the effect the second worker failed comes back', async () => {
    const store = new MemoryOrderStore();
    const clock = manualClock();
    const service = createOrderService({ store, clock, ids: sequentialIds(), retryDelayMs: 0 });
    await service.place({ customerId: 'u1', quote: quote() });
    const paid = await service.dispatch('o1', pay(5500), gateway);
    if (!paid.ok) throw paid.error;
    const notifyIds = paid.effects.filter((e) => e.type === 'notify').map((e) => e.id);
    expect(notifyIds.length).toBeGreaterThanOrEqual(1);
    let phase: 'A' | 'B' | 'after' = 'A';
    const seen: Array<[string, string, number]> = [];
    let second: Awaited<ReturnType<typeof service.drainOutbox>> | undefined;
    const handlers = {
      notify: async (e: Effect, delivery: { attempts: number }) => {
        seen.push([phase, e.id, delivery.attempts]);
        if (phase === 'A') {
          // Worker A is slow: its 30 s lease runs out, and worker B drains meanwhile.
          phase = 'B';
          clock.advance(31_000);
          second = await service.drainOutbox(handlers, { retryBaseMs: MINUTE });
          phase = 'after';
        } else if (phase === 'B') {
          throw new Error('B: gateway down');
        }
      },
    };
    await service.drainOutbox(handlers, { leaseMs: 30_000 });
    expect(second).toMatchObject({ failed: 1 });
    // B's failure stands: once its retry is due, the effect it failed is delivered again, and the
    // effects behind it with it.
    clock.advance(5 * MINUTE);
    seen.length = 0;
    const last = await service.drainOutbox(handlers);
    expect(seen.map(([, id]) => id)).toEqual(notifyIds);
    expect(last).toMatchObject({ delivered: notifyIds.length, failed: 0 });
    expect((await store.claim(10, 30_000, clock.now()))).toHaveLength(0);
  });
});
