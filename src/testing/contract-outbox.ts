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
      const second = await store().claim(10, 30_000, t0);
      if (ctx.options.outboxOrderPerOrder) {
        // o-1:1:1 waits while o-1:1:0 (written before it) is leased.
        expect(second).toHaveLength(0);
        await store().complete('o-1:1:0', t0);
        expect((await store().claim(10, 30_000, t0)).map((e) => e.effect.id)).toEqual(['o-1:1:1']);
      } else {
        expect(second.map((e) => e.effect.id)).toEqual(['o-1:1:1']);
      }
      expect(await store().claim(10, 30_000, t0)).toHaveLength(0);
    }, timeout);

    it('effects of one order are handed out in the order written, across failures and expired leases (when the store keeps that order)', async () => {
      if (!ctx.options.outboxOrderPerOrder) return;
      await seed(store(), { id: 'o-1' }, 3);
      const [first] = await store().claim(1, 5000, t0);
      expect(first!.effect.id).toBe('o-1:1:0');
      // Leased: the later ones wait.
      expect(await store().claim(10, 5000, t0)).toHaveLength(0);
      // Failed until later: still waiting, until it is delivered again first.
      await store().fail('o-1:1:0', at(t0.toISOString(), 60_000), 'down');
      expect(await store().claim(10, 5000, at(t0.toISOString(), 30_000))).toHaveLength(0);
      const again = await store().claim(10, 5000, at(t0.toISOString(), 60_000));
      expect(again.map((e) => e.effect.id)).toEqual(['o-1:1:0', 'o-1:1:1', 'o-1:1:2']);
      // A worker died holding all three: after the lease they come back in the same order.
      const redelivered = await store().claim(2, 5000, at(t0.toISOString(), 65_000));
      expect(redelivered.map((e) => [e.effect.id, e.attempts])).toEqual([
        ['o-1:1:0', 2],
        ['o-1:1:1', 1],
      ]);
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

    it('concurrent claims never hand out the same effect', async () => {
      for (let i = 0; i < 5; i++) await seed(store(), { id: `o-${i}` }, 4);
      const ids: string[] = [];
      // Rounds of four concurrent workers, each completing what it got, until nothing is left.
      for (let round = 0; round < 20; round++) {
        const batches = await Promise.all([0, 1, 2, 3].map(() => store().claim(6, 60_000, t0)));
        const got = batches.flatMap((b) => b.map((e) => e.effect.id));
        if (!ctx.options.outboxOrderPerOrder && round === 0) expect(got).toHaveLength(20);
        if (got.length === 0) break;
        ids.push(...got);
        for (const id of got) await store().complete(id, t0);
      }
      expect(ids).toHaveLength(20);
      expect(new Set(ids).size).toBe(20);
      if (ctx.options.outboxOrderPerOrder) {
        for (let i = 0; i < 5; i++) expect(ids.filter((id) => id.startsWith(`o-${i}:`))).toEqual([0, 1, 2, 3].map((n) => `o-${i}:1:${n}`));
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
      const positions = heard.map((c) => (c as { position?: string }).position);
      if (positions.every((p) => typeof p === 'string' && p !== '')) expect(positions[0]! < positions[1]!).toBe(true);
      expect(heard.slice(0, 2).map(({ position: _p, ...c }) => c)).toEqual([
        { orderId: 'o-feed', version: 1, status: 'pending_payment', at: order.updatedAt },
        { orderId: 'o-feed', version: 2, status: 'paid', at: step.order.updatedAt },
      ]);
      await stop();
      const after = nextVersion(step.order, { status: 'shipped' });
      await s.commit({ order: after.order, expectedVersion: 2, events: after.events, effects: after.effects });
      await new Promise((r) => setTimeout(r, 100));
      expect(heard).toHaveLength(2);
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
