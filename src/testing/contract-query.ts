import type { Order } from '../order/index.js';
import type { OrderStore } from '../storage/port.js';
import { nextVersion, TEST_EPOCH } from './fixtures.js';
import { at, rejectsWithCode, seed } from './helpers.js';
import type { ContractContext } from './types.js';

const HOUR = 3_600_000;

/** list (filters, cursor pagination) and findDue (deadlines, leases). */
export function queryContract<S extends OrderStore>(ctx: ContractContext<S>): void {
  const { t, store } = ctx;
  const { it, expect } = t;
  const timeout = ctx.options.timeoutMs;

  async function seedShop(): Promise<Order[]> {
    const orders: Order[] = [];
    // Two orders share a createdAt so the id tie-break is exercised too.
    const plan: Array<[string, string, number]> = [
      ['a1', 'alice', 0],
      ['a2', 'alice', 1],
      ['b1', 'bob', 1],
      ['a3', 'alice', 2],
      ['b2', 'bob', 3],
      ['a4', 'alice', 4],
    ];
    for (const [id, customerId, hours] of plan) {
      orders.push(await seed(store(), { id, customerId, createdAt: at(TEST_EPOCH, hours * HOUR).toISOString() }));
    }
    const paid = nextVersion(orders[3]!, { status: 'paid' });
    await store().commit({ order: paid.order, expectedVersion: 1, events: paid.events, effects: paid.effects });
    return orders;
  }

  t.describe('list', () => {
    it('filters by customer, status and time range, newest first', async () => {
      await seedShop();
      const alice = await store().list({ customerId: 'alice' });
      expect(alice.items.map((o) => o.id)).toEqual(['a4', 'a3', 'a2', 'a1']);
      expect(alice.nextCursor).toBeNull();
      const paid = await store().list({ status: 'paid' });
      expect(paid.items.map((o) => o.id)).toEqual(['a3']);
      expect(paid.items[0]!.version).toBe(2);
      const either = await store().list({ status: ['paid', 'pending_payment'], customerId: 'bob' });
      expect(either.items.map((o) => o.id)).toEqual(['b2', 'b1']);
      const window = await store().list({ from: at(TEST_EPOCH, HOUR), to: at(TEST_EPOCH, 3 * HOUR) });
      expect(window.items.map((o) => o.id)).toEqual(['a3', 'b1', 'a2']);
      const oldest = await store().list({ order: 'oldest', limit: 3 });
      expect(oldest.items.map((o) => o.id)).toEqual(['a1', 'a2', 'b1']);
    }, timeout);

    it('pages with a cursor: every order exactly once, in order', async () => {
      await seedShop();
      for (const order of ['newest', 'oldest'] as const) {
        const seen: string[] = [];
        let cursor: string | null = null;
        let pages = 0;
        do {
          const page = await store().list({ limit: 4, cursor, order });
          expect(page.items.length).toBeLessThanOrEqual(4);
          seen.push(...page.items.map((o) => o.id));
          cursor = page.nextCursor;
          pages += 1;
        } while (cursor !== null && pages < 10);
        const expected = ['a1', 'a2', 'b1', 'a3', 'b2', 'a4'];
        expect(seen).toEqual(order === 'newest' ? [...expected].reverse() : expected);
        expect(pages).toBe(2);
      }
      const full = await store().list({ customerId: 'bob', limit: 2 });
      expect(full.items).toHaveLength(2);
      expect(full.nextCursor).toBeNull();
    }, timeout);

    it('refuses a forged cursor and a bad limit with INVALID_QUERY', async () => {
      await rejectsWithCode(expect, store().list({ cursor: 'not-a-cursor' }), 'INVALID_QUERY');
      await rejectsWithCode(expect, store().list({ limit: 2.5 }), 'INVALID_QUERY');
      await rejectsWithCode(expect, store().list({ from: new Date('nope') }), 'INVALID_QUERY');
    }, timeout);

    it('clamps the page size to 1…100', async () => {
      await seedShop();
      expect((await store().list({ limit: 0 })).items).toHaveLength(1);
      expect((await store().list({ limit: 1000 })).items).toHaveLength(6);
    }, timeout);
  });

  t.describe('findDue', () => {
    async function seedDeadlines(): Promise<void> {
      // unpaid, due at +30 min / +90 min; paid (never due); shipped, auto-confirm due at +2 h
      await seed(store(), { id: 'late', payBy: at(TEST_EPOCH, 30 * 60_000).toISOString() });
      await seed(store(), { id: 'later', payBy: at(TEST_EPOCH, 90 * 60_000).toISOString() });
      const paid = await seed(store(), { id: 'paid' });
      const p = nextVersion(paid, { status: 'paid' });
      await store().commit({ order: p.order, expectedVersion: 1, events: p.events, effects: p.effects });
      const shipped = await seed(store(), { id: 'shipped' });
      const s = nextVersion(shipped, { status: 'shipped', autoConfirmAt: at(TEST_EPOCH, 2 * HOUR).toISOString() });
      await store().commit({ order: s.order, expectedVersion: 1, events: s.events, effects: s.effects });
    }

    it('returns orders whose deadline passed, earliest first, up to the limit', async () => {
      await seedDeadlines();
      expect(await store().findDue(at(TEST_EPOCH, 29 * 60_000), 10, { leaseMs: 1 })).toEqual([]);
      const due = await store().findDue(at(TEST_EPOCH, 3 * HOUR), 10, { leaseMs: 1 });
      expect(due.map((o) => o.id)).toEqual(['late', 'later', 'shipped']);
      const limited = await store().findDue(at(TEST_EPOCH, 4 * HOUR), 2, { leaseMs: 1 });
      expect(limited.map((o) => o.id)).toEqual(['late', 'later']);
      const exactly = await store().findDue(at(TEST_EPOCH, 5 * HOUR + 30 * 60_000), 10, { leaseMs: 1 });
      expect(exactly.map((o) => o.id)).toContain('late');
    }, timeout);

    it('leases what it returns, so a second sweeper gets other orders until the lease ends', async () => {
      await seedDeadlines();
      const now = at(TEST_EPOCH, 3 * HOUR);
      const first = await store().findDue(now, 2, { leaseMs: 60_000 });
      const second = await store().findDue(now, 10, { leaseMs: 60_000 });
      expect(first.map((o) => o.id)).toEqual(['late', 'later']);
      expect(second.map((o) => o.id)).toEqual(['shipped']);
      expect(await store().findDue(at(TEST_EPOCH, 3 * HOUR + 59_000), 10, { leaseMs: 60_000 })).toEqual([]);
      const afterLease = await store().findDue(at(TEST_EPOCH, 3 * HOUR + 60_000), 10, { leaseMs: 60_000 });
      expect(afterLease.map((o) => o.id)).toEqual(['late', 'later', 'shipped']);
    }, timeout);

    it('an order is no longer due once a commit moves it on', async () => {
      await seedDeadlines();
      const [late] = await store().findDue(at(TEST_EPOCH, HOUR), 1, { leaseMs: 1 });
      const closed = nextVersion(late!, { status: 'closed' });
      await store().commit({ order: closed.order, expectedVersion: 1, events: closed.events, effects: closed.effects });
      const due = await store().findDue(at(TEST_EPOCH, 3 * HOUR), 10, { leaseMs: 1 });
      expect(due.map((o) => o.id)).toEqual(['later', 'shipped']);
    }, timeout);
  });
}
