import type { OrderStore, OrderChange } from '../storage/port.js';
import { nextVersion, testOrder, TEST_EPOCH } from './fixtures.js';
import { at, eventually, rejectsWithCode, seed } from './helpers.js';
import type { ContractContext } from './types.js';

/** Outbox leases, the change feed, batch commits, and refusing damaged rows. */
export function outboxContract<S extends OrderStore>(ctx: ContractContext<S>): void {
  const { t, store } = ctx;
  const { it, expect } = t;
  const timeout = ctx.options.timeoutMs;
  const t0 = at(TEST_EPOCH, 1000);

  t.describe('outbox', () => {
    it('claim leases effects oldest first; a leased effect is not handed out twice', async () => {
      await seed(store(), { id: 'o-1', createdAt: TEST_EPOCH }, 2);
      await seed(store(), { id: 'o-2', createdAt: at(TEST_EPOCH, -500).toISOString() }, 1);
      const first = await store().claim(2, 30_000, t0);
      expect(first.map((e) => e.effect.id)).toEqual(['o-2:1:0', 'o-1:1:0']);
      expect(first.map((e) => e.attempts)).toEqual([0, 0]);
      expect(first[0]!.leaseUntil.getTime()).toBe(t0.getTime() + 30_000);
      expect(first[0]!.effect).toEqual({ id: 'o-2:1:0', orderId: 'o-2', type: 'notify', to: 'customer', template: 'test', data: { i: 0 } });
      // o-1's second effect waits while its first is leased (outbox order per order).
      expect(await store().claim(10, 30_000, t0)).toHaveLength(0);
      await store().complete('o-1:1:0', t0);
      const second = await store().claim(10, 30_000, t0);
      expect(second.map((e) => e.effect.id)).toEqual(['o-1:1:1']);
      expect(await store().claim(10, 30_000, t0)).toHaveLength(0);
    }, timeout);

    it('an effect not yet available (created later than now) is not claimed', async () => {
      await seed(store(), { id: 'o-1', createdAt: at(TEST_EPOCH, 60_000).toISOString() }, 1);
      expect(await store().claim(10, 1000, t0)).toHaveLength(0);
      expect(await store().claim(10, 1000, at(TEST_EPOCH, 60_000))).toHaveLength(1);
    }, timeout);

    it('a completed effect is never delivered again; complete is idempotent', async () => {
      await seed(store(), { id: 'o-1' }, 1);
      const [entry] = await store().claim(10, 1000, t0);
      await store().complete(entry!.effect.id, t0);
      await store().complete(entry!.effect.id, t0);
      await store().complete('unknown-effect', t0);
      expect(await store().claim(10, 1000, at(TEST_EPOCH, 86_400_000))).toHaveLength(0);
    }, timeout);

    it('an effect whose lease ran out (a worker died) is delivered again, with attempts counted', async () => {
      await seed(store(), { id: 'o-1' }, 1);
      await store().claim(10, 5000, t0);
      expect(await store().claim(10, 5000, at(t0.toISOString(), 4999))).toHaveLength(0);
      const again = await store().claim(10, 5000, at(t0.toISOString(), 5000));
      expect(again.map((e) => [e.effect.id, e.attempts])).toEqual([['o-1:1:0', 1]]);
    }, timeout);

    it('fail releases the lease and hides the effect until retryAt, keeping the reason', async () => {
      await seed(store(), { id: 'o-1' }, 1);
      const [entry] = await store().claim(10, 60_000, t0);
      const retryAt = at(t0.toISOString(), 10_000);
      await store().fail(entry!.effect.id, retryAt, 'gateway timeout');
      expect(await store().claim(10, 60_000, at(t0.toISOString(), 9_999))).toHaveLength(0);
      const again = await store().claim(10, 60_000, retryAt);
      expect(again.map((e) => [e.effect.id, e.attempts, e.lastError])).toEqual([['o-1:1:0', 1, 'gateway timeout']]);
    }, timeout);

    it('concurrent claims never hand out the same effect, and each order\'s effects go in the order written', async () => {
      for (let i = 0; i < 5; i++) await seed(store(), { id: `o-${i}` }, 4);
      const delivered: string[] = [];
      for (let round = 0; round < 20 && delivered.length < 20; round++) {
        const batches = await Promise.all([0, 1, 2, 3].map(() => store().claim(3, 60_000, t0)));
        const ids = batches.flatMap((b) => b.map((e) => e.effect.id));
        expect(new Set(ids).size).toBe(ids.length);
        for (const batch of batches) {
          for (const e of batch) {
            delivered.push(e.effect.id);
            await store().complete(e.effect.id, t0);
          }
        }
      }
      expect([...delivered].sort()).toEqual([0, 1, 2, 3, 4].flatMap((i) => [0, 1, 2, 3].map((k) => `o-${i}:1:${k}`)));
      for (let i = 0; i < 5; i++) {
        expect(delivered.filter((id) => id.startsWith(`o-${i}:`))).toEqual([0, 1, 2, 3].map((k) => `o-${i}:1:${k}`));
      }
    }, timeout);
  });

  t.describe('commitMany (optional)', () => {
    it('commits each input on its own compare-and-set', async () => {
      const s = store();
      if (!s.commitMany) return;
      const a = await seed(s, { id: 'o-a' });
      const b = await seed(s, { id: 'o-b' });
      const aNext = nextVersion(a, { status: 'closed', effects: 1 });
      const bStale = nextVersion(b, { status: 'closed', effects: 1 });
      const bNow = nextVersion(b, { status: 'paid' });
      await s.commit({ order: bNow.order, expectedVersion: 1, events: bNow.events, effects: bNow.effects });
      const outcomes = await s.commitMany([
        { order: aNext.order, expectedVersion: 1, events: aNext.events, effects: aNext.effects },
        { order: bStale.order, expectedVersion: 1, events: bStale.events, effects: bStale.effects },
      ]);
      expect(outcomes).toEqual([{ ok: true }, { ok: false, conflict: true }]);
      expect((await s.load('o-a'))!.status).toBe('closed');
      expect((await s.load('o-b'))!.status).toBe('paid');
      expect(await s.history('o-b')).toHaveLength(2);
      const effects = await s.claim(10, 1000, at(TEST_EPOCH, 86_400_000));
      expect(effects.map((e) => e.effect.id)).toEqual(['o-a:2:0']);
    }, timeout);

    it('an input whose idempotency key is taken (before, or by an earlier input of the call) is a conflict on its own', async () => {
      const s = store();
      if (!s.commitMany) return;
      const a = await seed(s, { id: 'o-ka', number: 'N-ka' });
      const b = await seed(s, { id: 'o-kb', number: 'N-kb' });
      const c = await seed(s, { id: 'o-kc', number: 'N-kc' });
      const d = await seed(s, { id: 'o-kd', number: 'N-kd' });
      const aPaid = nextVersion(a, { status: 'paid' });
      await s.commit({ order: aPaid.order, expectedVersion: 1, events: aPaid.events, effects: aPaid.effects, idempotencyKey: 'k-taken' });
      const bNext = nextVersion(b, { status: 'closed', effects: 1 });
      const cNext = nextVersion(c, { status: 'closed', effects: 1 });
      const dNext = nextVersion(d, { status: 'closed', effects: 1 });
      const outcomes = await s.commitMany([
        // taken by an earlier commit: a conflict, the others still commit
        { order: bNext.order, expectedVersion: 1, events: bNext.events, effects: bNext.effects, idempotencyKey: 'k-taken' },
        { order: cNext.order, expectedVersion: 1, events: cNext.events, effects: cNext.effects, idempotencyKey: 'k-shared' },
        // taken by the input before it in this call: a conflict, never a second record for the key
        { order: dNext.order, expectedVersion: 1, events: dNext.events, effects: dNext.effects, idempotencyKey: 'k-shared' },
      ]);
      expect(outcomes).toEqual([{ ok: false, conflict: true }, { ok: true }, { ok: false, conflict: true }]);
      expect((await s.load('o-kb'))!.version).toBe(1);
      expect((await s.load('o-kc'))!.status).toBe('closed');
      expect((await s.load('o-kd'))!.version).toBe(1);
      expect(await s.history('o-kd')).toHaveLength(1);
      expect((await s.findIdempotency('k-taken'))!.orderId).toBe('o-ka');
      const shared = (await s.findIdempotency('k-shared'))!;
      expect({ orderId: shared.orderId, version: shared.version }).toEqual({ orderId: 'o-kc', version: 2 });
      const effects = await s.claim(10, 1000, at(TEST_EPOCH, 86_400_000));
      expect(effects.map((e) => e.effect.id)).toEqual(['o-kc:2:0']);
    }, timeout);
  });

  t.describe('change feed (optional subscribe)', () => {
    it('tells listeners each committed change, and nothing for a failed commit', async () => {
      const s = store();
      if (!s.subscribe) return;
      const heard: OrderChange[] = [];
      const stop = await s.subscribe((change) => heard.push(change));
      const order = await seed(s, { id: 'o-feed' });
      const step = nextVersion(order, { status: 'paid' });
      await s.commit({ order: step.order, expectedVersion: 1, events: step.events, effects: step.effects });
      const stale = nextVersion(order, { status: 'closed' });
      await rejectsWithCode(expect, s.commit({ order: stale.order, expectedVersion: 1, events: stale.events, effects: stale.effects }), 'VERSION_CONFLICT');
      expect(await eventually(() => heard.length >= 2, ctx.options.feedTimeoutMs)).toBe(true);
      expect(heard.slice(0, 2).map(({ position: _, ...rest }) => rest)).toEqual([
        { orderId: 'o-feed', version: 1, status: 'pending_payment', at: order.updatedAt },
        { orderId: 'o-feed', version: 2, status: 'paid', at: step.order.updatedAt },
      ]);
      expect(typeof heard[0]!.position).toBe('string');
      expect(heard[0]!.position === heard[1]!.position).toBe(false);
      await stop();
      const after = nextVersion(step.order, { status: 'shipped' });
      await s.commit({ order: after.order, expectedVersion: 2, events: after.events, effects: after.effects });
      await new Promise((r) => setTimeout(r, 100));
      expect(heard).toHaveLength(2);
    }, timeout);
  });

  t.describe('change log (optional changesSince)', () => {
    /**
     * The log shows a change once every transaction older than it has ended (docs/storage.md "Change
     * feed"): on a shared server another client's open transaction holds it back for a moment, so
     * the test waits until the changes it wrote have all come out.
     */
    async function changesAtLeast(s: Pick<OrderStore, 'changesSince'>, n: number): Promise<OrderChange[]> {
      let all: OrderChange[] = [];
      const until = Date.now() + Math.max(ctx.options.feedTimeoutMs, 15_000);
      for (;;) {
        all = await s.changesSince!(null, 100);
        if (all.length >= n || Date.now() > until) return all;
        await new Promise((r) => setTimeout(r, 20));
      }
    }

    it('changesSince pages through every committed change in order; a position resumes right after itself', async () => {
      const s = store();
      if (!s.changesSince) return;
      const a = await seed(s, { id: 'o-a' });
      const b = await seed(s, { id: 'o-b' });
      const a2 = nextVersion(a, { status: 'paid' });
      await s.commit({ order: a2.order, expectedVersion: 1, events: a2.events, effects: a2.effects });
      const stale = nextVersion(a, { status: 'closed' });
      await rejectsWithCode(expect, s.commit({ order: stale.order, expectedVersion: 1, events: stale.events, effects: stale.effects }), 'VERSION_CONFLICT');
      const b2 = nextVersion(b, { status: 'closed' });
      await s.commit({ order: b2.order, expectedVersion: 1, events: b2.events, effects: b2.effects });
      const all = await changesAtLeast(s, 4);
      expect(all.map((c) => `${c.orderId}@${c.version}:${c.status}`)).toEqual(['o-a@1:pending_payment', 'o-b@1:pending_payment', 'o-a@2:paid', 'o-b@2:closed']);
      expect(all[2]!.at).toBe(a2.order.updatedAt);
      expect(new Set(all.map((c) => c.position)).size).toBe(4);
      // Paging by positions gives the same list, one at a time.
      const paged: string[] = [];
      let since: string | null = null;
      for (let i = 0; i < 10; i++) {
        const page: Array<{ position: string }> = await s.changesSince(since, 1);
        if (page.length === 0) break;
        expect(page).toHaveLength(1);
        paged.push(page[0]!.position);
        since = page[0]!.position;
      }
      expect(paged).toEqual(all.map((c) => c.position));
      expect(await s.changesSince(all[1]!.position, 100)).toEqual(all.slice(2));
      expect(await s.changesSince(all[3]!.position, 100)).toEqual([]);
      expect(await s.changesSince(null, 0)).toEqual([]);
    }, timeout);

    it('a position the store never handed out is INVALID_FEED_POSITION, for changesSince and subscribe', async () => {
      const s = store();
      if (!s.changesSince) return;
      for (const bad of ['', 'yesterday', '-1', '1e3', '../../etc', 'x'.repeat(500)]) {
        const error = await rejectsWithCode(expect, s.changesSince(bad, 10), 'INVALID_FEED_POSITION');
        expect(error.path).toEqual(['since']);
      }
      if (s.subscribe) await rejectsWithCode(expect, Promise.resolve().then(() => s.subscribe!(() => undefined, { since: 'nope' })), 'INVALID_FEED_POSITION');
    }, timeout);

    it('subscribe({ since }) replays the changes after it, then goes on live, each once and in order', async () => {
      const s = store();
      if (!s.changesSince || !s.subscribe) return;
      const a = await seed(s, { id: 'o-a' });
      const [first] = await changesAtLeast(s, 1);
      const a2 = nextVersion(a, { status: 'paid' });
      await s.commit({ order: a2.order, expectedVersion: 1, events: a2.events, effects: a2.effects });
      await seed(s, { id: 'o-b' });
      const heard: string[] = [];
      const stop = await s.subscribe((c) => heard.push(`${c.orderId}@${c.version}`), { since: first!.position });
      const a3 = nextVersion(a2.order, { status: 'shipped' });
      await s.commit({ order: a3.order, expectedVersion: 2, events: a3.events, effects: a3.effects });
      expect(await eventually(() => heard.length >= 3, ctx.options.feedTimeoutMs)).toBe(true);
      await new Promise((r) => setTimeout(r, 50));
      expect(heard).toEqual(['o-a@2', 'o-b@1', 'o-a@3']);
      await stop();
    }, timeout);
  });

  t.describe('outbox order per order', () => {
    it('a later effect of an order waits while an earlier one is leased, and after it failed until it is delivered', async () => {
      const s = store();
      const o = await seed(s, { id: 'o-1' }, 1);
      const next = nextVersion(o, { status: 'paid', effects: 2 });
      await s.commit({ order: next.order, expectedVersion: 1, events: next.events, effects: next.effects });
      await seed(s, { id: 'o-2', createdAt: at(TEST_EPOCH, 1).toISOString() }, 1);
      const later = at(TEST_EPOCH, 86_400_000);
      const plus = (ms: number) => at(later.toISOString(), ms);
      // The oldest effect alone (limit 1): o-1's first.
      expect((await s.claim(1, 1000, later)).map((e) => e.effect.id)).toEqual(['o-1:1:0']);
      // While it is leased, o-1's later effects wait; o-2's goes.
      expect((await s.claim(10, 1000, later)).map((e) => e.effect.id)).toEqual(['o-2:1:0']);
      await s.complete('o-2:1:0', later);
      expect(await s.claim(10, 1000, plus(999))).toHaveLength(0);
      // Its worker died: the lease runs out and o-1's effects come back, in the order written.
      expect((await s.claim(10, 1000, plus(1000))).map((e) => e.effect.id)).toEqual(['o-1:1:0', 'o-1:2:0', 'o-1:2:1']);
      // The first of them failed (the others were never tried): its retry holds the others back,
      // even once their own lease ran out.
      await s.fail('o-1:1:0', plus(60_000), 'down');
      expect(await s.claim(10, 1000, plus(59_999))).toHaveLength(0);
      expect((await s.claim(10, 1000, plus(60_000))).map((e) => e.effect.id)).toEqual(['o-1:1:0', 'o-1:2:0', 'o-1:2:1']);
      await s.complete('o-1:1:0', plus(60_000));
      await s.fail('o-1:2:0', plus(61_000), 'down');
      await s.complete('o-1:2:1', plus(60_000));
      // A later effect completed anyway (delivered by a worker that ignored the order) does not
      // come back; the failed one does, alone.
      expect((await s.claim(10, 1000, plus(61_000))).map((e) => e.effect.id)).toEqual(['o-1:2:0']);
    }, timeout);
  });

  t.describe('outbox release (optional)', () => {
    it('release hands claimed effects back untried, without counting the claim', async () => {
      const s = store();
      if (!s.release) return;
      await seed(s, { id: 'o-1' }, 2);
      const first = await s.claim(10, 60_000, t0);
      expect(first.map((e) => e.effect.id)).toEqual(['o-1:1:0', 'o-1:1:1']);
      await s.release(['o-1:1:1', 'unknown']);
      // Still behind its leased sibling.
      expect(await s.claim(10, 60_000, t0)).toHaveLength(0);
      await s.complete('o-1:1:0', t0);
      const again = await s.claim(10, 60_000, t0);
      expect(again.map((e) => [e.effect.id, e.attempts])).toEqual([['o-1:1:1', 0]]);
    }, timeout);
  });

  t.describe('outbox lease tokens', () => {
    // Worker A claims with a short lease and is slow; the lease runs out and worker B claims the
    // effect again. A's late complete, fail or release carries A's token: it changes nothing.
    const slow = async (s: OrderStore) => {
      await seed(s, { id: 'o-1' }, 1);
      const [a] = await s.claim(10, 5000, t0);
      const [b] = await s.claim(10, 60_000, at(t0.toISOString(), 5000));
      expect(typeof a!.leaseToken).toBe('string');
      expect(typeof b!.leaseToken).toBe('string');
      expect(b!.leaseToken).not.toBe(a!.leaseToken);
      expect([b!.effect.id, b!.attempts]).toEqual(['o-1:1:0', 1]);
      return { a: a!, b: b! };
    };
    const late = at(t0.toISOString(), 6000);
    const afterB = at(t0.toISOString(), 5000 + 60_000);

    it('a stale token cannot complete an effect another worker claimed since', async () => {
      const s = store();
      const { a } = await slow(s);
      await s.complete(a.effect.id, late, a.leaseToken);
      // B's lease still holds, and the effect is not done: it comes back once B's lease runs out.
      expect(await s.claim(10, 1000, late)).toHaveLength(0);
      expect((await s.claim(10, 1000, afterB)).map((e) => [e.effect.id, e.attempts])).toEqual([['o-1:1:0', 2]]);
    }, timeout);

    it('the holder of the latest lease completes with its token, even after a stale complete', async () => {
      const s = store();
      const { a, b } = await slow(s);
      await s.complete(a.effect.id, late, a.leaseToken);
      await s.complete(b.effect.id, late, b.leaseToken);
      expect(await s.claim(10, 1000, at(TEST_EPOCH, 86_400_000))).toHaveLength(0);
    }, timeout);

    it('a stale token cannot fail the effect: the holder keeps its lease, its reason is not written', async () => {
      const s = store();
      const { a, b } = await slow(s);
      await s.fail(a.effect.id, late, 'stale worker', a.leaseToken);
      expect(await s.claim(10, 1000, late)).toHaveLength(0);
      await s.fail(b.effect.id, afterB, 'holder', b.leaseToken);
      const again = await s.claim(10, 1000, afterB);
      expect(again.map((e) => [e.effect.id, e.attempts, e.lastError])).toEqual([['o-1:1:0', 2, 'holder']]);
    }, timeout);

    it('a stale token cannot release the effect (optional release): the holder keeps its lease and the claim counts', async () => {
      const s = store();
      if (!s.release) return;
      const { a } = await slow(s);
      await s.release([a.effect.id], [a.leaseToken]);
      expect(await s.claim(10, 1000, late)).toHaveLength(0);
      expect((await s.claim(10, 1000, afterB)).map((e) => [e.effect.id, e.attempts])).toEqual([['o-1:1:0', 2]]);
    }, timeout);

    it('a stale token cannot undo a completion, and a token whose lease ran out unclaimed still completes', async () => {
      const s = store();
      const { a, b } = await slow(s);
      await s.complete(b.effect.id, late, b.leaseToken);
      await s.fail(a.effect.id, late, 'stale worker', a.leaseToken);
      if (s.release) await s.release([a.effect.id], [a.leaseToken]);
      expect(await s.claim(10, 1000, at(TEST_EPOCH, 86_400_000))).toHaveLength(0);
      // Nobody claimed since: a lease that ran out still lets its worker finish.
      await seed(s, { id: 'o-2' }, 1);
      const [c] = await s.claim(10, 1000, t0);
      await s.complete(c!.effect.id, at(t0.toISOString(), 5000), c!.leaseToken);
      expect(await s.claim(10, 1000, at(TEST_EPOCH, 86_400_000))).toHaveLength(0);
    }, timeout);

    it('without a token, complete acts as before: it completes whoever holds the lease', async () => {
      const s = store();
      const { a } = await slow(s);
      await s.complete(a.effect.id, late);
      expect(await s.claim(10, 1000, at(TEST_EPOCH, 86_400_000))).toHaveLength(0);
    }, timeout);
  });

  t.describe('damaged rows (when the adapter provides a tamper hook)', () => {
    it('a document that fails the Order schema throws CORRUPT_ORDER naming the order', async () => {
      const tamper = ctx.options.tamper;
      if (!tamper) return;
      await seed(store(), { id: 'o-bad' });
      await seed(store(), { id: 'o-good' });
      const broken = { ...testOrder({ id: 'o-bad' }), pricing: { total: 'a lot' } };
      await tamper.replaceDocument(store(), 'o-bad', JSON.stringify(broken));
      const error = await rejectsWithCode(expect, store().load('o-bad'), 'CORRUPT_ORDER');
      expect((error.details as { orderId?: string }).orderId).toBe('o-bad');
      expect(String(error.message)).toContain('o-bad');
      await rejectsWithCode(expect, store().list({}), 'CORRUPT_ORDER');
      expect((await store().load('o-good'))!.id).toBe('o-good');
    }, timeout);

    it('findDue reports a corrupt due order to onCorrupt and still returns the healthy ones', async () => {
      const tamper = ctx.options.tamper;
      if (!tamper) return;
      await seed(store(), { id: 'due-bad', payBy: at(TEST_EPOCH, 60_000).toISOString() });
      await seed(store(), { id: 'due-good', payBy: at(TEST_EPOCH, 120_000).toISOString() });
      await tamper.replaceDocument(store(), 'due-bad', JSON.stringify({ id: 'due-bad' }));
      const now = at(TEST_EPOCH, 3_600_000);
      await rejectsWithCode(expect, store().findDue(now, 10, { leaseMs: 1 }), 'CORRUPT_ORDER');
      const reported: string[] = [];
      const due = await store().findDue(at(TEST_EPOCH, 7_200_000), 10, { leaseMs: 1, onCorrupt: (e) => reported.push(e.orderId) });
      expect(due.map((o) => o.id)).toEqual(['due-good']);
      expect(reported).toEqual(['due-bad']);
    }, timeout);

    it('a version that went backwards throws CORRUPT_ORDER, and a commit on it writes nothing', async () => {
      const tamper = ctx.options.tamper;
      if (!tamper) return;
      const order = await seed(store(), { id: 'o-rewound' });
      const v2 = nextVersion(order, { status: 'paid' });
      await store().commit({ order: v2.order, expectedVersion: 1, events: v2.events, effects: v2.effects });
      await tamper.rewindVersion(store(), 'o-rewound', 1);
      const error = await rejectsWithCode(expect, store().load('o-rewound'), 'CORRUPT_ORDER');
      expect((error.details as { reason?: string }).reason).toBe('version_went_backwards');
      const replay = nextVersion(order, { status: 'closed', effects: 1 });
      await rejectsWithCode(
        expect,
        store().commit({ order: replay.order, expectedVersion: 1, events: replay.events, effects: replay.effects }),
        'CORRUPT_ORDER',
      );
      expect(await store().history('o-rewound')).toHaveLength(2);
      expect(await store().claim(10, 1000, at(TEST_EPOCH, 86_400_000))).toHaveLength(0);
    }, timeout);
  });
}
