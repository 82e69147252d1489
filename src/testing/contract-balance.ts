import type { AsyncCommand } from 'fast-check';
import type { BalancePort, BalanceResult } from '../balance/types.js';
import { loadFastCheck } from './fast-check.js';
import type { ContractExpect, ContractTestApi } from './types.js';

/**
 * The balance contract (docs/payment-sources.md "The balance port"): every rule of the port as
 * tests, for any adapter. The model-based part runs random sequences of top-ups, debits and
 * credits — repeats of the same (order, key), reused keys with other amounts, bad amounts, credits
 * to the wrong customer or past what an order took among them — against a plain model and compares
 * every answer, every balance and every order's totals; the race part fires concurrent debits of
 * one balance and checks it never goes below zero.
 */
export interface BalanceContractOptions<B extends BalancePort> {
  /** fast-check runs of the model-based test. Default 20. */
  numRuns?: number;
  /** Per-test timeout. Default 60 000 ms. */
  timeoutMs?: number;
  /** Called after each test (close connections…). */
  dispose?: (balance: B) => Promise<void>;
}

const CUSTOMERS = ['c0', 'c1'];
const ORDERS = ['o0', 'o1', 'o2'];
const KEYS = ['k0', 'k1', 'k2'];

interface Model {
  accounts: Map<string, number>;
  ops: Map<string, { kind: string; customerId: string; amount: number }>;
  orders: Map<string, { customerId: string; debited: number; credited: number }>;
}
interface Real {
  balance: BalancePort;
  expect: ContractExpect;
}
type Cmd = AsyncCommand<Model, Real, false>;

const freshModel = (): Model => ({ accounts: new Map(), ops: new Map(), orders: new Map() });

async function outcome(run: () => Promise<BalanceResult>): Promise<{ code: string | null; result?: BalanceResult }> {
  try {
    return { code: null, result: await run() };
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (typeof code !== 'string') throw error;
    return { code };
  }
}

const valid = (amount: number): boolean => Number.isSafeInteger(amount) && amount >= 1;

/** What the model says a movement answers, applying it when it moves money. */
function expected(m: Model, kind: 'debit' | 'credit' | 'top_up', customerId: string, orderId: string, key: string, amount: number): { code: string | null; result?: BalanceResult } {
  if (!valid(amount)) return { code: 'INVALID_BALANCE_MOVEMENT' };
  const id = `${orderId}\u0000${key}`;
  const have = m.accounts.get(customerId) ?? 0;
  const seen = m.ops.get(id);
  if (seen !== undefined) {
    if (seen.kind !== kind || seen.customerId !== customerId || seen.amount !== amount) return { code: 'BALANCE_KEY_REUSED' };
    return { code: null, result: { balance: have, replayed: true } };
  }
  const order = m.orders.get(orderId);
  let balance = have;
  if (kind === 'top_up') balance = have + amount;
  else if (kind === 'debit') {
    if (have < amount) return { code: 'INSUFFICIENT_BALANCE' };
    if (order !== undefined && order.customerId !== customerId) return { code: 'BALANCE_KEY_REUSED' };
    balance = have - amount;
    m.orders.set(orderId, { customerId, debited: (order?.debited ?? 0) + amount, credited: order?.credited ?? 0 });
  } else {
    const debited = order !== undefined && order.customerId === customerId ? order.debited : 0;
    const credited = order?.credited ?? 0;
    if (credited + amount > debited) return { code: 'BALANCE_CREDIT_EXCEEDS_DEBIT' };
    balance = have + amount;
    m.orders.set(orderId, { customerId, debited, credited: credited + amount });
  }
  m.ops.set(id, { kind, customerId, amount });
  m.accounts.set(customerId, balance);
  return { code: null, result: { balance, replayed: false } };
}

class MoveCmd implements Cmd {
  constructor(
    readonly kind: 'debit' | 'credit' | 'top_up',
    readonly customerId: string,
    readonly orderId: string,
    readonly key: string,
    readonly amount: number,
  ) {}
  check(): boolean {
    return true;
  }
  async run(m: Model, r: Real): Promise<void> {
    const orderId = this.kind === 'top_up' ? 'top-up' : this.orderId;
    const want = expected(m, this.kind, this.customerId, orderId, this.key, this.amount);
    const b = r.balance;
    const got = await outcome(() =>
      this.kind === 'top_up'
        ? b.topUp({ customerId: this.customerId, key: this.key, amount: this.amount })
        : b[this.kind]({ customerId: this.customerId, orderId, key: this.key, amount: this.amount }),
    );
    r.expect(got).toEqual(want);
  }
  toString(): string {
    return `${this.kind}(${this.customerId}, ${this.orderId}, ${this.key}, ${this.amount})`;
  }
}

class ReadCmd implements Cmd {
  check(): boolean {
    return true;
  }
  async run(m: Model, r: Real): Promise<void> {
    for (const c of CUSTOMERS) r.expect(await r.balance.balanceOf(c)).toBe(m.accounts.get(c) ?? 0);
    for (const o of ORDERS) {
      const want = m.orders.get(o);
      r.expect(await r.balance.orderBalance(o)).toEqual({ debited: want?.debited ?? 0, credited: want?.credited ?? 0 });
    }
  }
  toString(): string {
    return 'read()';
  }
}

/**
 * Runs the balance contract. `make` is called before each test and must return a port with no
 * accounts and no movements.
 *
 * @example
 * import { describe, it, expect, beforeEach, afterEach } from 'vitest';
 * import { MemoryBalance } from 'wx-orderkit/advanced';
 * import { runBalanceContract } from 'wx-orderkit/testing';
 *
 * runBalanceContract('MemoryBalance', () => new MemoryBalance(), { describe, it, expect, beforeEach, afterEach });
 */
export function runBalanceContract<B extends BalancePort>(name: string, make: () => B | Promise<B>, api: ContractTestApi, options: BalanceContractOptions<B> = {}): void {
  const numRuns = options.numRuns ?? 20;
  const timeout = options.timeoutMs ?? 60_000;
  let current: B | null = null;
  const fresh = async (): Promise<B> => {
    if (current !== null) await options.dispose?.(current);
    current = await make();
    return current;
  };
  api.describe(`Balance contract: ${name}`, () => {
    api.afterEach?.(async () => {
      const b = current;
      current = null;
      if (b !== null) await options.dispose?.(b);
    });

    api.it(
      'tops up, debits and credits back exactly as the model says (model-based)',
      async () => {
        const fc = await loadFastCheck();
        const amount = fc.oneof({ weight: 9, arbitrary: fc.integer({ min: 1, max: 900 }) }, { weight: 1, arbitrary: fc.constantFrom(0, -5, 2.5) });
        const move = (kind: 'debit' | 'credit' | 'top_up') =>
          fc.tuple(fc.constantFrom(...CUSTOMERS), fc.constantFrom(...ORDERS), fc.constantFrom(...KEYS), amount).map(([c, o, k, a]) => new MoveCmd(kind, c, o, k, a) as Cmd);
        const commands = [move('top_up'), move('debit'), move('debit'), move('credit'), move('credit'), fc.constant(new ReadCmd() as Cmd)];
        await fc.assert(
          fc.asyncProperty(fc.commands(commands, { maxCommands: 25 }), async (cmds) => {
            const balance = await fresh();
            await fc.asyncModelRun(() => ({ model: freshModel(), real: { balance, expect: api.expect } }), [...cmds, new ReadCmd()]);
          }),
          { numRuns },
        );
      },
      timeout,
    );

    api.it(
      'concurrent debits of one balance never take it below zero',
      async () => {
        const balance = await fresh();
        await balance.topUp({ customerId: 'hot', key: 'card', amount: 1000 });
        const tries = Array.from({ length: 12 }, (_, i) => ({ customerId: 'hot', orderId: `race-${i}`, key: 'pay', amount: 300 }));
        const results = await Promise.all(tries.map((t) => outcome(() => balance.debit(t))));
        const won = results.filter((r) => r.code === null).length;
        // Exactly 3 fit; an adapter whose transactions gave up under contention (BALANCE_UNAVAILABLE) may take fewer.
        api.expect(won >= 1 && won <= 3).toBe(true);
        if (results.every((r) => r.code === null || r.code === 'INSUFFICIENT_BALANCE')) api.expect(won).toBe(3);
        for (const r of results) if (r.code !== null) api.expect(['INSUFFICIENT_BALANCE', 'BALANCE_UNAVAILABLE']).toContain(r.code);
        api.expect(await balance.balanceOf('hot')).toBe(1000 - 300 * won);
        // The same credit fired at once from many places lands once.
        const again = await Promise.all(Array.from({ length: 6 }, () => outcome(() => balance.credit({ customerId: 'hot', orderId: 'race-0', key: 'undo', amount: 300 }))));
        const applied = again.filter((r) => r.code === null && r.result?.replayed === false).length;
        api.expect(applied).toBeLessThanOrEqual(1);
        const settled = await balance.orderBalance('race-0');
        api.expect(settled.credited).toBeLessThanOrEqual(settled.debited);
      },
      timeout,
    );

    api.it(
      'placeWith debits nothing when the create fails, and debits with it when it succeeds',
      async () => {
        const balance = await fresh();
        if (!balance.placeWith) return;
        await balance.topUp({ customerId: 'c0', key: 'card', amount: 500 });
        let failed: unknown;
        try {
          await balance.placeWith({ customerId: 'c0', orderId: 'p1', key: 'N1-B', amount: 200 }, async () => {
            throw new Error('store down');
          });
        } catch (error) {
          failed = error;
        }
        api.expect(String(failed)).toContain('store down');
        api.expect(await balance.balanceOf('c0')).toBe(500);
        const made = await balance.placeWith({ customerId: 'c0', orderId: 'p2', key: 'N2-B', amount: 200 }, async () => 'made');
        api.expect(made).toBe('made');
        api.expect(await balance.balanceOf('c0')).toBe(300);
        api.expect(await balance.orderBalance('p2')).toEqual({ debited: 200, credited: 0 });
      },
      timeout,
    );
  });
}
