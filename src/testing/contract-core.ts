import type { OrderStore } from '../storage/port.js';
import { createdEvent, nextVersion, testEffects, testOrder, TEST_EPOCH } from './fixtures.js';
import { at, rejectsWithCode, seed } from './helpers.js';
import type { ContractContext } from './types.js';

/** load, create, commit, history and idempotency records. */
export function coreContract<S extends OrderStore>(ctx: ContractContext<S>): void {
  const { t, store } = ctx;
  const { it, expect } = t;
  const timeout = ctx.options.timeoutMs;

  t.describe('load and create', () => {
    it('load returns null for an unknown id, history an empty list', async () => {
      expect(await store().load('missing')).toBeNull();
      expect(await store().history('missing')).toEqual([]);
    }, timeout);

    it('findByNumber finds the order by its number, null for an unknown number, and follows commits', async () => {
      expect(await store().findByNumber('N-missing')).toBeNull();
      const a = testOrder({ id: 'o-1', number: 'N100' });
      const b = testOrder({ id: 'o-2', number: 'N200' });
      await store().create(a, { events: [createdEvent(a)], effects: [] });
      await store().create(b, { events: [createdEvent(b)], effects: [] });
      expect((await store().findByNumber('N100'))?.id).toBe('o-1');
      expect((await store().findByNumber('N200'))?.id).toBe('o-2');
      // The id is not a number: looking an id up by number finds nothing.
      expect(await store().findByNumber('o-1')).toBeNull();
      expect(await store().findByNumber('N10')).toBeNull();
      const step = nextVersion(a, { status: 'paid' });
      await store().commit({ order: step.order, expectedVersion: 1, events: step.events, effects: step.effects });
      const found = await store().findByNumber('N100');
      expect(found).toEqual(await store().load('o-1'));
      expect(found!.version).toBe(2);
      // A copy: changing it changes nothing stored.
      found!.status = 'closed';
      expect((await store().findByNumber('N100'))!.status).toBe('paid');
    }, timeout);

    it('create then load returns an equal order, and nothing is shared by reference', async () => {
      const order = testOrder({ id: 'o-1', customerId: 'c-9' });
      const returned = await store().create(order, { events: [createdEvent(order)], effects: [] });
      expect(returned).toEqual(order);
      order.pricing.total = 1;
      returned.lines[0]!.title = 'changed by the caller';
      const loaded = await store().load('o-1');
      expect(loaded).toEqual(testOrder({ id: 'o-1', customerId: 'c-9' }));
      loaded!.status = 'closed';
      expect((await store().load('o-1'))!.status).toBe('pending_payment');
    }, timeout);

    it('create writes the creation events and effects', async () => {
      await seed(store(), { id: 'o-1' }, 2);
      const history = await store().history('o-1');
      expect(history).toHaveLength(1);
      expect(history[0]!.version).toBe(1);
      const claimed = await store().claim(10, 1000, at(TEST_EPOCH, 1000));
      expect(claimed.map((c) => c.effect.id).sort()).toEqual(['o-1:1:0', 'o-1:1:1']);
    }, timeout);

    it('create refuses a taken id or order number with ORDER_EXISTS and writes nothing', async () => {
      await seed(store(), { id: 'o-1', number: 'N1' });
      const sameId = testOrder({ id: 'o-1', number: 'N2' });
      await rejectsWithCode(expect, store().create(sameId, { events: [createdEvent(sameId)], effects: testEffects(sameId, 1) }), 'ORDER_EXISTS');
      const sameNumber = testOrder({ id: 'o-2', number: 'N1' });
      await rejectsWithCode(expect, store().create(sameNumber, { events: [createdEvent(sameNumber)], effects: testEffects(sameNumber, 1) }), 'ORDER_EXISTS');
      expect(await store().load('o-2')).toBeNull();
      expect((await store().load('o-1'))!.number).toBe('N1');
      expect(await store().history('o-1')).toHaveLength(1);
      expect(await store().claim(10, 1000, at(TEST_EPOCH, 1000))).toHaveLength(0);
    }, timeout);

    it('create with a used idempotency key returns the first order, whatever the new id', async () => {
      const first = testOrder({ id: 'o-1' });
      await store().create(first, { events: [createdEvent(first)], effects: testEffects(first, 1), idempotencyKey: 'place-1' });
      const retry = testOrder({ id: 'o-2', number: 'N-retry' });
      const again = await store().create(retry, { events: [createdEvent(retry)], effects: testEffects(retry, 1), idempotencyKey: 'place-1' });
      expect(again.id).toBe('o-1');
      expect(await store().load('o-2')).toBeNull();
      const record = await store().findIdempotency('place-1');
      expect(record === null ? null : [record.orderId, record.version]).toEqual(['o-1', 1]);
      expect(record!.order).toEqual(first);
      expect(await store().findIdempotency('never-used')).toBeNull();
      expect(await store().claim(10, 1000, at(TEST_EPOCH, 1000))).toHaveLength(1);
    }, timeout);

    it('concurrent creates with one idempotency key make exactly one order', async () => {
      const orders = [1, 2, 3, 4].map((i) => testOrder({ id: `o-${i}` }));
      const results = await Promise.allSettled(
        orders.map((o) => store().create(o, { events: [createdEvent(o)], effects: [], idempotencyKey: 'same' })),
      );
      const ids = new Set(results.map((r) => (r.status === 'fulfilled' ? r.value.id : 'rejected')));
      expect([...ids]).toHaveLength(1);
      const page = await store().list({ limit: 10 });
      expect(page.items).toHaveLength(1);
    }, timeout);
  });

  t.describe('commit', () => {
    it('commit bumps the version and appends events and effects', async () => {
      const order = await seed(store(), { id: 'o-1' });
      const step = nextVersion(order, { status: 'paid', effects: 2 });
      await store().commit({ order: step.order, expectedVersion: 1, events: step.events, effects: step.effects });
      const loaded = await store().load('o-1');
      expect(loaded).toEqual(step.order);
      expect((await store().history('o-1')).map((e) => e.version)).toEqual([1, 2]);
      const claimed = await store().claim(10, 1000, at(step.order.updatedAt, 1));
      expect(claimed.map((c) => c.effect.id).sort()).toEqual(['o-1:2:0', 'o-1:2:1']);
    }, timeout);

    it('a stale commit throws VERSION_CONFLICT and writes nothing', async () => {
      const order = await seed(store(), { id: 'o-1' });
      const first = nextVersion(order, { status: 'paid' });
      await store().commit({ order: first.order, expectedVersion: 1, events: first.events, effects: first.effects });
      const stale = nextVersion(order, { status: 'closed', effects: 3 });
      const error = await rejectsWithCode(
        expect,
        store().commit({ order: stale.order, expectedVersion: 1, events: stale.events, effects: stale.effects, idempotencyKey: 'stale-key' }),
        'VERSION_CONFLICT',
      );
      expect((error.details as { orderId?: string }).orderId).toBe('o-1');
      expect(await store().load('o-1')).toEqual(first.order);
      expect(await store().history('o-1')).toHaveLength(2);
      expect(await store().claim(10, 1000, at(TEST_EPOCH, 86_400_000))).toHaveLength(0);
      expect(await store().findIdempotency('stale-key')).toBeNull();
    }, timeout);

    it('of several concurrent commits on one version exactly one wins', async () => {
      const order = await seed(store(), { id: 'o-1' });
      const steps = [0, 1, 2, 3, 4].map((i) => nextVersion(order, { status: 'paid', effects: 1, at: at(TEST_EPOCH, 60_000 + i).toISOString() }));
      const results = await Promise.allSettled(steps.map((s) => store().commit({ order: s.order, expectedVersion: 1, events: s.events, effects: s.effects })));
      const won = results.filter((r) => r.status === 'fulfilled');
      expect(won).toHaveLength(1);
      for (const r of results) {
        if (r.status === 'rejected') expect((r.reason as { code?: string }).code).toBe('VERSION_CONFLICT');
      }
      expect((await store().load('o-1'))!.version).toBe(2);
      expect(await store().history('o-1')).toHaveLength(2);
      expect(await store().claim(10, 1000, at(TEST_EPOCH, 86_400_000))).toHaveLength(1);
    }, timeout);

    it('a commit for a missing order throws ORDER_NOT_FOUND', async () => {
      const ghost = nextVersion(testOrder({ id: 'ghost' }));
      await rejectsWithCode(expect, store().commit({ order: ghost.order, expectedVersion: 1, events: ghost.events, effects: ghost.effects }), 'ORDER_NOT_FOUND');
      expect(await store().load('ghost')).toBeNull();
    }, timeout);

    it('a commit that skips a version is refused with INVALID_COMMIT before anything is written', async () => {
      const order = await seed(store(), { id: 'o-1' });
      const step = nextVersion(nextVersion(order).order);
      await rejectsWithCode(expect, store().commit({ order: step.order, expectedVersion: 1, events: step.events, effects: step.effects }), 'INVALID_COMMIT');
      expect((await store().load('o-1'))!.version).toBe(1);
      expect(await store().history('o-1')).toHaveLength(1);
    }, timeout);

    it('a commit with an idempotency key records the first result; the key cannot be used twice', async () => {
      const order = await seed(store(), { id: 'o-1' });
      const step = nextVersion(order, { status: 'paid', effects: 1 });
      await store().commit({ order: step.order, expectedVersion: 1, events: step.events, effects: step.effects, idempotencyKey: 'pay-1' });
      const record = await store().findIdempotency('pay-1');
      expect(record).toEqual({ key: 'pay-1', orderId: 'o-1', version: 2, order: step.order, events: step.events, effects: step.effects });
      const again = nextVersion(step.order, { status: 'shipped' });
      await rejectsWithCode(expect, store().commit({ order: again.order, expectedVersion: 2, events: again.events, effects: again.effects, idempotencyKey: 'pay-1' }), 'VERSION_CONFLICT');
      expect((await store().load('o-1'))!.version).toBe(2);
      expect((await store().findIdempotency('pay-1'))!.version).toBe(2);
    }, timeout);

    it('an idempotency record keeps the request given with it (create, commit, commitMany), and has none when none was given', async () => {
      const first = testOrder({ id: 'o-1' });
      const placing = { fingerprint: 'PLACE:abc' };
      await store().create(first, { events: [createdEvent(first)], effects: [], idempotencyKey: 'k-place', idempotencyRequest: placing });
      expect((await store().findIdempotency('k-place'))!.request).toEqual(placing);
      const paying = { fingerprint: 'PAYMENT_SUCCEEDED:def', strayPayment: { code: 'AMOUNT_MISMATCH' } };
      const step = nextVersion(first, { status: 'paid' });
      await store().commit({ order: step.order, expectedVersion: 1, events: step.events, effects: step.effects, idempotencyKey: 'k-pay', idempotencyRequest: paying });
      expect((await store().findIdempotency('k-pay'))!.request).toEqual(paying);
      const bare = nextVersion(step.order, { status: 'shipped' });
      await store().commit({ order: bare.order, expectedVersion: 2, events: bare.events, effects: bare.effects, idempotencyKey: 'k-bare' });
      expect((await store().findIdempotency('k-bare'))!.request === undefined).toBe(true);
      const s = store();
      if (s.commitMany) {
        const other = await seed(s, { id: 'o-2', number: 'N-2' });
        const many = nextVersion(other, { status: 'paid' });
        const sweeping = { fingerprint: 'EXPIRE:ghi' };
        await s.commitMany([{ order: many.order, expectedVersion: 1, events: many.events, effects: many.effects, idempotencyKey: 'k-many', idempotencyRequest: sweeping }]);
        expect((await s.findIdempotency('k-many'))!.request).toEqual(sweeping);
      }
    }, timeout);
  });
}
