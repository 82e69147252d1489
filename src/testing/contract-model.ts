import type { AsyncCommand } from 'fast-check';
import type { Order, OrderStatus } from '../order/index.js';
import type { OrderStore } from '../storage/port.js';
import { loadFastCheck, type FastCheckApi } from './fast-check.js';
import { createdEvent, nextVersion, testEffects, testOrder, TEST_EPOCH } from './fixtures.js';
import type { ContractContext, ContractExpect } from './types.js';

/**
 * The model: what a store must remember, kept as simply as possible. A store that disagrees with it
 * after any sequence of creates, commits (fresh and stale), claims and sweeps is wrong.
 */
interface ModelOrder {
  order: Order;
  events: number;
}
interface Model {
  orders: Map<string, ModelOrder>;
  /** effects written and not yet completed */
  openEffects: number;
  /** the clock of the run; each sweep or claim moves it on by an hour, beyond every lease */
  now: number;
}
interface Real {
  store: OrderStore;
  expect: ContractExpect;
}
type StoreCommand = AsyncCommand<Model, Real, false>;

const IDS = ['m0', 'm1', 'm2', 'm3'];
const HOUR = 3_600_000;
const LEASE = 1000;

class CreateCommand implements StoreCommand {
  constructor(readonly id: string, readonly effects: number) {}
  check(): boolean {
    return true;
  }
  async run(m: Model, r: Real): Promise<void> {
    const order = testOrder({ id: this.id, createdAt: new Date(m.now).toISOString() });
    let code: string | null = null;
    try {
      await r.store.create(order, { events: [createdEvent(order)], effects: testEffects(order, this.effects) });
    } catch (error) {
      code = (error as { code?: string }).code ?? 'untyped error';
    }
    if (m.orders.has(this.id)) {
      r.expect(code).toBe('ORDER_EXISTS');
      return;
    }
    r.expect(code).toBeNull();
    m.orders.set(this.id, { order, events: 1 });
    m.openEffects += this.effects;
  }
  toString(): string {
    return `create(${this.id}, effects=${this.effects})`;
  }
}

class CommitCommand implements StoreCommand {
  constructor(readonly id: string, readonly status: OrderStatus, readonly stale: boolean, readonly effects: number) {}
  check(m: Readonly<Model>): boolean {
    const known = m.orders.get(this.id);
    return known !== undefined && (!this.stale || known.order.version > 1);
  }
  async run(m: Model, r: Real): Promise<void> {
    const known = m.orders.get(this.id)!;
    // A stale writer holds the previous version and builds its change from it.
    const base = this.stale ? { ...known.order, version: known.order.version - 1 } : known.order;
    const step = nextVersion(base, { status: this.status, effects: this.effects, at: new Date(m.now).toISOString() });
    let code: string | null = null;
    try {
      await r.store.commit({ order: step.order, expectedVersion: base.version, events: step.events, effects: step.effects });
    } catch (error) {
      code = (error as { code?: string }).code ?? 'untyped error';
    }
    if (this.stale) {
      r.expect(code).toBe('VERSION_CONFLICT');
    } else {
      r.expect(code).toBeNull();
      m.orders.set(this.id, { order: step.order, events: known.events + 1 });
      m.openEffects += this.effects;
    }
    const stored = await r.store.load(this.id);
    r.expect(stored).toEqual(m.orders.get(this.id)!.order);
    r.expect((await r.store.history(this.id)).length).toBe(m.orders.get(this.id)!.events);
  }
  toString(): string {
    return `commit(${this.id} → ${this.status}${this.stale ? ', stale' : ''}, effects=${this.effects})`;
  }
}

/**
 * commitChain (optional): `steps` consecutive commits of one order in one call, from the current
 * version or (stale) from the one before it: all of them are written, or none.
 */
class CommitChainCommand implements StoreCommand {
  constructor(readonly id: string, readonly statuses: OrderStatus[], readonly stale: boolean) {}
  check(m: Readonly<Model>): boolean {
    const known = m.orders.get(this.id);
    return known !== undefined && (!this.stale || known.order.version > 1);
  }
  async run(m: Model, r: Real): Promise<void> {
    if (!r.store.commitChain) return;
    const known = m.orders.get(this.id)!;
    let base = this.stale ? { ...known.order, version: known.order.version - 1 } : known.order;
    const inputs = this.statuses.map((status, i) => {
      const step = nextVersion(base, { status, effects: i % 2, at: new Date(m.now).toISOString() });
      const input = { order: step.order, expectedVersion: base.version, events: step.events, effects: step.effects };
      base = step.order;
      return input;
    });
    let code: string | null = null;
    try {
      await r.store.commitChain(inputs);
    } catch (error) {
      code = (error as { code?: string }).code ?? 'untyped error';
    }
    if (this.stale) {
      r.expect(code).toBe('VERSION_CONFLICT');
    } else {
      r.expect(code).toBeNull();
      m.orders.set(this.id, { order: inputs[inputs.length - 1]!.order, events: known.events + inputs.length });
      m.openEffects += inputs.reduce((n, input) => n + input.effects.length, 0);
    }
    r.expect(await r.store.load(this.id)).toEqual(m.orders.get(this.id)!.order);
    r.expect((await r.store.history(this.id)).length).toBe(m.orders.get(this.id)!.events);
  }
  toString(): string {
    return `commitChain(${this.id} → ${this.statuses.join(' → ')}${this.stale ? ', stale' : ''})`;
  }
}

class ClaimAllCommand implements StoreCommand {
  check(): boolean {
    return true;
  }
  async run(m: Model, r: Real): Promise<void> {
    m.now += HOUR;
    const claimed = await r.store.claim(1000, LEASE, new Date(m.now));
    r.expect(claimed.length).toBe(m.openEffects);
    r.expect(new Set(claimed.map((c) => c.effect.id)).size).toBe(claimed.length);
    for (const c of claimed) await r.store.complete(c.effect.id, new Date(m.now));
    m.openEffects = 0;
  }
  toString(): string {
    return 'claimAndCompleteAll()';
  }
}

class FindDueCommand implements StoreCommand {
  check(): boolean {
    return true;
  }
  async run(m: Model, r: Real): Promise<void> {
    m.now += HOUR;
    const due = await r.store.findDue(new Date(m.now), 100, { leaseMs: LEASE });
    const expected = [...m.orders.values()]
      .filter(({ order }) => {
        const deadline =
          order.status === 'pending_payment'
            ? order.deadlines.payBy
            : order.status === 'shipped' || order.status === 'delivered'
              ? order.deadlines.autoConfirmAt
              : undefined;
        return deadline !== undefined && Date.parse(deadline) <= m.now;
      })
      .map(({ order }) => order.id)
      .sort();
    r.expect(due.map((o) => o.id).sort()).toEqual(expected);
  }
  toString(): string {
    return 'findDue()';
  }
}

/** The due orders of the model at its clock, by id. */
function dueIds(m: Readonly<Model>): string[] {
  return [...m.orders.values()]
    .filter(({ order }) => {
      const deadline =
        order.status === 'pending_payment' ? order.deadlines.payBy : order.status === 'shipped' || order.status === 'delivered' ? order.deadlines.autoConfirmAt : undefined;
      return deadline !== undefined && Date.parse(deadline) <= m.now;
    })
    .map(({ order }) => order.id)
    .sort();
}

/**
 * sweepDue (optional): claims what is due, commits the orders of `pick` among them (closing them),
 * or, with `bogus`, hands back a commit at a version it was not given: then nothing is written.
 */
class SweepDueCommand implements StoreCommand {
  constructor(readonly pick: string[], readonly bogus: boolean) {}
  check(): boolean {
    return true;
  }
  async run(m: Model, r: Real): Promise<void> {
    if (!r.store.sweepDue) return;
    m.now += HOUR;
    const expected = dueIds(m);
    const at = new Date(m.now).toISOString();
    const handed: string[] = [];
    const steps = new Map<string, ReturnType<typeof nextVersion>>();
    let code: string | null = null;
    let result: { claimed: number; committed: string[] } | null = null;
    try {
      result = await r.store.sweepDue(new Date(m.now), 100, (due) => {
        handed.push(...due.map((o) => o.id));
        for (const o of due) r.expect(o).toEqual(m.orders.get(o.id)!.order);
        const chosen = due.filter((o) => this.pick.includes(o.id));
        return chosen.map((o, i) => {
          const step = nextVersion(o, { status: 'closed', effects: 1, at });
          steps.set(o.id, step);
          return { order: step.order, expectedVersion: this.bogus && i === 0 ? o.version + 1 : o.version, events: step.events, effects: step.effects };
        });
      }, { leaseMs: LEASE });
    } catch (error) {
      code = (error as { code?: string }).code ?? 'untyped error';
    }
    r.expect(handed.sort()).toEqual(expected);
    const picked = expected.filter((id) => this.pick.includes(id));
    if (this.bogus && picked.length > 0) {
      r.expect(code).toBe('INVALID_COMMIT');
    } else {
      r.expect(code).toBeNull();
      r.expect(result!.claimed).toBe(expected.length);
      r.expect([...result!.committed].sort()).toEqual(picked);
      for (const id of picked) {
        const known = m.orders.get(id)!;
        m.orders.set(id, { order: steps.get(id)!.order, events: known.events + 1 });
        m.openEffects += 1;
      }
    }
    for (const id of expected) {
      r.expect(await r.store.load(id)).toEqual(m.orders.get(id)!.order);
      r.expect((await r.store.history(id)).length).toBe(m.orders.get(id)!.events);
    }
  }
  toString(): string {
    return `sweepDue(commit ${this.pick.join(',') || 'none'}${this.bogus ? ', one at a wrong version' : ''})`;
  }
}

class ListCommand implements StoreCommand {
  check(): boolean {
    return true;
  }
  async run(m: Model, r: Real): Promise<void> {
    const seen: Order[] = [];
    let cursor: string | null = null;
    do {
      const page = await r.store.list({ limit: 2, cursor });
      seen.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor !== null && seen.length <= m.orders.size);
    r.expect(seen.map((o) => [o.id, o.version]).sort()).toEqual([...m.orders.values()].map(({ order }) => [order.id, order.version]).sort());
  }
  toString(): string {
    return 'listAllPages()';
  }
}

/** Looks an order up by its number: what the model holds under that number, or null. */
class FindByNumberCommand implements StoreCommand {
  constructor(readonly id: string) {}
  check(): boolean {
    return true;
  }
  async run(m: Model, r: Real): Promise<void> {
    const number = testOrder({ id: this.id }).number;
    const found = await r.store.findByNumber(number);
    const known = m.orders.get(this.id);
    r.expect(found).toEqual(known === undefined ? null : known.order);
  }
  toString(): string {
    return `findByNumber(number of ${this.id})`;
  }
}

const STATUSES: OrderStatus[] = ['pending_payment', 'paid', 'shipped', 'delivered', 'completed', 'closed'];

/** The fast-check model-based test: `fc.commands` run by `fc.asyncModelRun` against a fresh store. */
export function modelContract<S extends OrderStore>(ctx: ContractContext<S>): void {
  const { t } = ctx;
  t.describe('model-based', () => {
    t.it(
      'agrees with a simple model after any sequence of operations',
      async () => {
        // Loaded here, not at import: a project without fast-check gets a typed error naming it.
        const fc: FastCheckApi = await loadFastCheck();
        const statusArb = fc.constantFrom<OrderStatus>(...STATUSES);
        const create = fc.tuple(fc.constantFrom(...IDS), fc.integer({ min: 0, max: 2 })).map(([id, n]) => new CreateCommand(id, n));
        const commit = fc
          .tuple(fc.constantFrom(...IDS), statusArb, fc.boolean(), fc.integer({ min: 0, max: 2 }))
          .map(([id, status, stale, n]) => new CommitCommand(id, status, stale, n));
        // Listed several times to weigh them: a run needs orders before commits can happen.
        const commands = fc.commands<Model, Real, false>(
          [
            create,
            create,
            commit,
            commit,
            commit,
            commit,
            fc
              .tuple(fc.constantFrom(...IDS), fc.array(statusArb, { minLength: 1, maxLength: 4 }), fc.boolean())
              .map(([id, statuses, stale]) => new CommitChainCommand(id, statuses, stale)),
            fc.constant(new ClaimAllCommand()),
            fc.constant(new FindDueCommand()),
            fc.tuple(fc.subarray(IDS), fc.boolean()).map(([pick, bogus]) => new SweepDueCommand(pick, bogus)),
            fc.constant(new ListCommand()),
            fc.constantFrom(...IDS).map((id) => new FindByNumberCommand(id)),
          ],
          { maxCommands: 40, size: 'max' },
        );
        await fc.assert(
          fc.asyncProperty(commands, async (cmds) => {
            const store = await ctx.makeStore();
            try {
              await fc.asyncModelRun(
                () => ({ model: { orders: new Map(), openEffects: 0, now: Date.parse(TEST_EPOCH) }, real: { store, expect: t.expect } }),
                cmds,
              );
            } finally {
              await store.close?.();
            }
          }),
          { numRuns: ctx.options.numRuns },
        );
      },
      ctx.options.timeoutMs * 4,
    );
  });
}
