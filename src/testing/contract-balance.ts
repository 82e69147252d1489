import type { AsyncCommand } from 'fast-check';
import { creditAccount, sameMovement } from '../balance/check.js';
import type { BalancePort, BalanceResult } from '../balance/types.js';
import { loadFastCheck } from './fast-check.js';
import type { ContractExpect, ContractTestApi } from './types.js';

/**
 * The balance contract (docs/payment-sources.md "The balance port"): every rule of the port as
 * tests, for any adapter. The model-based part runs random sequences of top-ups, debits and
 * credits — repeats of the same (order, key), reused keys with other amounts, bad amounts, credits
 * to the wrong customer, naming a pseudonym (`anon-…`, an anonymised order's) or past what an order
 * took among them — and placements (`placeWith`) whose create succeeds or fails (again with an
 * (order, key) already debited), against a plain model, and compares every answer, every balance
 * and every order's totals; the race part fires concurrent debits of one balance and checks it never goes
 * below zero.
 */
export interface BalanceContractOptions<B extends BalancePort> {
  /** fast-check runs of the model-based test. Default 20. */
  numRuns?: number;
  /** Per-test timeout. Default 60 000 ms. */
  timeoutMs?: number;
  /** Called after each test (close connections…). */
  dispose?: (balance: B) => Promise<void>;
}

/** Two real customers and two pseudonyms: an anonymised order's credits name one (docs/privacy.md). */
const CUSTOMERS = ['c0', 'c1', 'anon-p', 'anon-q'];
/** Who tops up and pays: the real customers (a pseudonym only ever asks for a credit back). */
const PAYERS = CUSTOMERS.slice(0, 2);
const ORDERS = ['o0', 'o1'];
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
  const order = m.orders.get(orderId);
  // A credit moves the account its order was debited from (the port's one rule, balance/check.ts).
  const to = kind === 'credit' ? creditAccount(order?.customerId, customerId) : customerId;
  const account = to ?? customerId;
  const have = m.accounts.get(account) ?? 0;
  const seen = m.ops.get(id);
  if (seen !== undefined) {
    if (!sameMovement(seen, kind, customerId, amount)) return { code: 'BALANCE_KEY_REUSED' };
    return { code: null, result: { balance: have, replayed: true } };
  }
  let balance = have;
  if (kind === 'top_up') balance = have + amount;
  else if (kind === 'debit') {
    if (have < amount) return { code: 'INSUFFICIENT_BALANCE' };
    if (order !== undefined && order.customerId !== customerId) return { code: 'BALANCE_KEY_REUSED' };
    balance = have - amount;
    m.orders.set(orderId, { customerId, debited: (order?.debited ?? 0) + amount, credited: order?.credited ?? 0 });
  } else {
    const debited = order !== undefined && to !== null ? order.debited : 0;
    const credited = order?.credited ?? 0;
    if (credited + amount > debited) return { code: 'BALANCE_CREDIT_EXCEEDS_DEBIT' };
    balance = have + amount;
    m.orders.set(orderId, { customerId: account, debited, credited: credited + amount });
  }
  m.ops.set(id, { kind, customerId: account, amount });
  m.accounts.set(account, balance);
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

/**
 * `placeWith` as the service calls it: the create succeeds (then the placement is a debit, exactly
 * as the model's) or fails (then nothing moves, whatever the port did meanwhile, and the create's
 * error or the debit's refusal comes out).
 */
class PlaceCmd implements Cmd {
  constructor(
    readonly customerId: string,
    readonly orderId: string,
    readonly key: string,
    readonly amount: number,
    readonly creates: boolean,
  ) {}
  check(): boolean {
    return true;
  }
  async run(m: Model, r: Real): Promise<void> {
    const b = r.balance;
    if (!b.placeWith) return;
    const movement = { customerId: this.customerId, orderId: this.orderId, key: this.key, amount: this.amount };
    const fail = new Error('create failed');
    const got = await outcome(async () => {
      try {
        await b.placeWith!(movement, async () => {
          if (!this.creates) throw fail;
          return 'made';
        });
      } catch (error) {
        if (error === fail) return { balance: -1, replayed: false };
        throw error;
      }
      return { balance: await b.balanceOf(this.customerId), replayed: false };
    });
    if (this.creates) {
      const want = expected(m, 'debit', this.customerId, this.orderId, this.key, this.amount);
      r.expect(got.code).toBe(want.code);
      if (want.result !== undefined) r.expect(got.result?.balance).toBe(want.result.balance);
    } else {
      // Nothing moved: the model is left as it was, and the next read compares every total.
      if (got.code !== null) r.expect(['INVALID_BALANCE_MOVEMENT', 'INSUFFICIENT_BALANCE', 'BALANCE_KEY_REUSED']).toContain(got.code);
      else r.expect(got.result?.balance).toBe(-1);
    }
  }
  toString(): string {
    return `placeWith(${this.customerId}, ${this.orderId}, ${this.key}, ${this.amount}, ${this.creates ? 'created' : 'create fails'})`;
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
        const amount = (max: number) => fc.oneof({ weight: 9, arbitrary: fc.integer({ min: 1, max }) }, { weight: 1, arbitrary: fc.constantFrom(0, -5, 2.5) });
        // Debits and credits smaller than top-ups, and long runs, so that orders get paid and credited back often.
        const move = (kind: 'debit' | 'credit' | 'top_up') =>
          fc
            .tuple(fc.constantFrom(...(kind === 'credit' ? CUSTOMERS : PAYERS)), fc.constantFrom(...ORDERS), fc.constantFrom(...KEYS), amount(kind === 'top_up' ? 900 : 300))
            .map(([c, o, k, a]) => new MoveCmd(kind, c, o, k, a) as Cmd);
        const place = fc
          // Few amounts, so that a placement often repeats an (order, key) already debited.
          .tuple(fc.constantFrom(...PAYERS), fc.constantFrom(...ORDERS), fc.constantFrom(...KEYS), fc.oneof({ weight: 4, arbitrary: fc.constantFrom(100, 200) }, { weight: 1, arbitrary: amount(300) }), fc.boolean())
          .map(([c, o, k, a, creates]) => new PlaceCmd(c, o, k, a, creates) as Cmd);
        const commands = [move('top_up'), move('debit'), move('debit'), move('credit'), move('credit'), place, place, fc.constant(new ReadCmd() as Cmd)];
        await fc.assert(
          fc.asyncProperty(fc.commands(commands, { maxCommands: 25, size: 'max' }), async (cmds) => {
            const balance = await fresh();
            await fc.asyncModelRun(() => ({ model: freshModel(), real: { balance, expect: api.expect } }), [...cmds, new ReadCmd()]);
          }),
          { numRuns },
        );
      },
      timeout,
    );

    api.it(
      'any movements at once keep the money whole: what the accounts hold and what the orders took add up to what was topped up',
      async () => {
        const fc = await loadFastCheck();
        const move = fc.tuple(
          fc.constantFrom<'top_up' | 'debit' | 'credit'>('top_up', 'debit', 'debit', 'credit', 'credit'),
          fc.constantFrom(...CUSTOMERS),
          fc.constantFrom(...ORDERS),
          fc.constantFrom(...KEYS),
          fc.integer({ min: 1, max: 400 }),
        );
        await fc.assert(
          fc.asyncProperty(fc.array(fc.array(move, { minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 4 }), async (waves) => {
            const balance = await fresh();
            let toppedUp = 0;
            for (const wave of waves) {
              const results = await Promise.all(
                wave.map(([kind, who, orderId, key, amount]) => {
                  // Top-ups and debits by the real customers (a pseudonym only ever asks for a credit back).
                  const customerId = kind === 'credit' ? who : PAYERS[CUSTOMERS.indexOf(who) % 2]!;
                  if (kind === 'top_up') return outcome(() => balance.topUp({ customerId, key: `${orderId}-${key}`, amount }));
                  const movement = { customerId, orderId, key: `${kind}-${key}`, amount };
                  return outcome(() => (kind === 'debit' ? balance.debit(movement) : balance.credit(movement)));
                }),
              );
              results.forEach((r, i) => {
                if (r.code === null && wave[i]![0] === 'top_up' && r.result?.replayed === false) toppedUp += wave[i]![4];
                if (r.code !== null) api.expect(['INSUFFICIENT_BALANCE', 'BALANCE_CREDIT_EXCEEDS_DEBIT', 'BALANCE_KEY_REUSED', 'BALANCE_UNAVAILABLE']).toContain(r.code);
              });
            }
            let held = 0;
            for (const customerId of CUSTOMERS) {
              const have = await balance.balanceOf(customerId);
              api.expect(have).toBeGreaterThanOrEqual(0);
              held += have;
            }
            let taken = 0;
            for (const orderId of ORDERS) {
              const o = await balance.orderBalance(orderId);
              api.expect(o.credited).toBeLessThanOrEqual(o.debited);
              taken += o.debited - o.credited;
            }
            api.expect({ held, taken, total: held + taken }).toEqual({ held, taken, total: toppedUp });
          }),
          { numRuns: Math.max(6, Math.ceil(numRuns / 2)) },
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
        // The same credit fired at once from many places lands once, whether it names the customer or a pseudonym.
        const again = await Promise.all(
          Array.from({ length: 6 }, (_, i) => outcome(() => balance.credit({ customerId: i % 2 === 0 ? 'hot' : 'anon-hot', orderId: 'race-0', key: 'undo', amount: 300 }))),
        );
        const applied = again.filter((r) => r.code === null && r.result?.replayed === false).length;
        api.expect(applied).toBeLessThanOrEqual(1);
        // Refused only when the store gave up, or when race-0's own debit lost the race above.
        const refusals = results[0]!.code === null ? ['BALANCE_UNAVAILABLE'] : ['BALANCE_CREDIT_EXCEEDS_DEBIT', 'BALANCE_UNAVAILABLE'];
        for (const r of again) if (r.code !== null) api.expect(refusals).toContain(r.code);
        const settled = await balance.orderBalance('race-0');
        api.expect(settled.credited).toBeLessThanOrEqual(settled.debited);
        api.expect(settled.credited).toBe(300 * applied);
        api.expect([await balance.balanceOf('hot'), await balance.balanceOf('anon-hot')]).toEqual([1000 - 300 * won + 300 * applied, 0]);
      },
      timeout,
    );

    api.it(
      'a credit naming a pseudonym goes back to the account the order was debited from; any other customer is refused',
      async () => {
        const balance = await fresh();
        const e = api.expect;
        await balance.topUp({ customerId: 'c0', key: 'card', amount: 1000 });
        await balance.topUp({ customerId: 'c1', key: 'card-c1', amount: 50 });
        await balance.debit({ customerId: 'c0', orderId: 'o-anon', key: 'pay', amount: 600 });
        // The order was anonymised: its refunds name the pseudonym, the balance still keys c0.
        const back = { customerId: 'anon-p1', orderId: 'o-anon', key: 'refund-1', amount: 200 };
        e(await outcome(() => balance.credit(back))).toEqual({ code: null, result: { balance: 600, replayed: false } });
        e(await balance.balanceOf('c0')).toBe(600);
        e(await balance.balanceOf('anon-p1')).toBe(0);
        e(await balance.orderBalance('o-anon')).toEqual({ debited: 600, credited: 200 });
        // Replays answer as the first time, with the pseudonym or the real id; another customer or amount is a reused key.
        e(await outcome(() => balance.credit(back))).toEqual({ code: null, result: { balance: 600, replayed: true } });
        e(await outcome(() => balance.credit({ ...back, customerId: 'c0' }))).toEqual({ code: null, result: { balance: 600, replayed: true } });
        e((await outcome(() => balance.credit({ ...back, customerId: 'c1' }))).code).toBe('BALANCE_KEY_REUSED');
        e((await outcome(() => balance.credit({ ...back, amount: 201 }))).code).toBe('BALANCE_KEY_REUSED');
        // Another real customer gets nothing of this order, and its own balance does not move.
        e((await outcome(() => balance.credit({ customerId: 'c1', orderId: 'o-anon', key: 'refund-2', amount: 100 }))).code).toBe('BALANCE_CREDIT_EXCEEDS_DEBIT');
        e(await balance.balanceOf('c1')).toBe(50);
        // Never more than the order took, whoever is named.
        e((await outcome(() => balance.credit({ ...back, key: 'refund-3', amount: 401 }))).code).toBe('BALANCE_CREDIT_EXCEEDS_DEBIT');
        e(await outcome(() => balance.credit({ customerId: 'c0', orderId: 'o-anon', key: 'refund-4', amount: 150 }))).toEqual({ code: null, result: { balance: 750, replayed: false } });
        // A credit the real id made before the rewrite, retried after it under the pseudonym: a replay.
        e(await outcome(() => balance.credit({ customerId: 'anon-p1', orderId: 'o-anon', key: 'refund-4', amount: 150 }))).toEqual({ code: null, result: { balance: 750, replayed: true } });
        e(await outcome(() => balance.credit({ customerId: 'anon-p2', orderId: 'o-anon', key: 'refund-5', amount: 250 }))).toEqual({ code: null, result: { balance: 1000, replayed: false } });
        e((await outcome(() => balance.credit({ customerId: 'anon-p1', orderId: 'o-anon', key: 'refund-6', amount: 1 }))).code).toBe('BALANCE_CREDIT_EXCEEDS_DEBIT');
        e(await balance.orderBalance('o-anon')).toEqual({ debited: 600, credited: 600 });
        // A pseudonym crediting an order that took nothing is refused, and no account is made for it.
        e((await outcome(() => balance.credit({ customerId: 'anon-p1', orderId: 'o-never', key: 'refund-1', amount: 1 }))).code).toBe('BALANCE_CREDIT_EXCEEDS_DEBIT');
        e(await balance.orderBalance('o-never')).toEqual({ debited: 0, credited: 0 });
        e([await balance.balanceOf('c0'), await balance.balanceOf('c1'), await balance.balanceOf('anon-p1'), await balance.balanceOf('anon-p2')]).toEqual([1000, 50, 0, 0]);
      },
      timeout,
    );

    api.it(
      'placeWith debits nothing when the create fails (the order id is left to anyone), and debits with it when it succeeds',
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
        // Taken back as if it had never happened: the order id names no one, so another customer's debit of it is no reused key.
        api.expect(await balance.orderBalance('p1')).toEqual({ debited: 0, credited: 0 });
        await balance.topUp({ customerId: 'c1', key: 'card-c1', amount: 100 });
        api.expect(await outcome(() => balance.debit({ customerId: 'c1', orderId: 'p1', key: 'N1-C', amount: 100 }))).toEqual({ code: null, result: { balance: 0, replayed: false } });
        api.expect(await balance.orderBalance('p1')).toEqual({ debited: 100, credited: 0 });
        const made = await balance.placeWith({ customerId: 'c0', orderId: 'p2', key: 'N2-B', amount: 200 }, async () => 'made');
        api.expect(made).toBe('made');
        api.expect(await balance.balanceOf('c0')).toBe(300);
        api.expect(await balance.orderBalance('p2')).toEqual({ debited: 200, credited: 0 });
      },
      timeout,
    );

    api.it(
      'placeWith keeps the debit when the create may have written its order, and an undo never takes back what credits gave back',
      async () => {
        const balance = await fresh();
        if (!balance.placeWith) return;
        await balance.topUp({ customerId: 'c0', key: 'card', amount: 500 });
        // A lost answer: the store says the order may exist (docs/payment-sources.md "Placing without one transaction").
        const lost = Object.assign(new Error('answer lost after the write'), { code: 'CLOUD_DATABASE_ERROR', mayHaveApplied: true });
        let shared = false;
        let failed: unknown;
        try {
          await balance.placeWith({ customerId: 'c0', orderId: 'q1', key: 'Q1-B', amount: 200 }, async (tx) => {
            shared = tx !== undefined;
            throw lost;
          });
        } catch (error) {
          failed = error;
        }
        api.expect(failed).toBe(lost);
        // In one transaction with the order, the failure took both back; otherwise the debit stays with the order id.
        api.expect(await balance.balanceOf('c0')).toBe(shared ? 500 : 300);
        api.expect(await balance.orderBalance('q1')).toEqual({ debited: shared ? 0 : 200, credited: 0 });
        // The order exists after all and is refunded while its create's failure is still on its way
        // back: the undo must not give the same money back a second time.
        const before = await balance.balanceOf('c0');
        failed = undefined;
        shared = false;
        try {
          await balance.placeWith({ customerId: 'c0', orderId: 'q2', key: 'Q2-B', amount: 150 }, async (tx) => {
            shared = tx !== undefined;
            // In one transaction the debit is not there yet; nothing can be credited before the create ends.
            if (!shared) await balance.credit({ customerId: 'c0', orderId: 'q2', key: 'refund-1', amount: 150 });
            throw new Error('connection reset');
          });
        } catch (error) {
          failed = error;
        }
        api.expect(String(failed)).toContain('connection reset');
        const q2 = await balance.orderBalance('q2');
        api.expect(q2.credited).toBeLessThanOrEqual(q2.debited);
        api.expect(q2).toEqual(shared ? { debited: 0, credited: 0 } : { debited: 150, credited: 150 });
        api.expect(await balance.balanceOf('c0')).toBe(before);
      },
      timeout,
    );

    api.it(
      'an id or key no store can keep (U+0000, a lone surrogate) is INVALID_BALANCE_MOVEMENT and moves nothing; such an id holds nothing',
      async () => {
        const balance = await fresh();
        await balance.topUp({ customerId: 'c0', key: 'card', amount: 500 });
        const bad = ['x\u0000', '\u0000', '\ud800', 'x\udc00'];
        // What answered anything else than the refusal, named, so that a failure says which.
        const wrong: string[] = [];
        const refused = async (what: string, run: () => Promise<BalanceResult>) => {
          const code = (await outcome(run)).code;
          if (code !== 'INVALID_BALANCE_MOVEMENT') wrong.push(`${what}: ${String(code)}`);
        };
        for (const text of bad) {
          for (const field of ['customerId', 'key'] as const) {
            await refused(`topUp ${field} ${JSON.stringify(text)}`, () => balance.topUp({ customerId: 'c1', key: 'card-2', amount: 100, [field]: text }));
          }
          for (const field of ['customerId', 'orderId', 'key'] as const) {
            const move = { customerId: 'c0', orderId: 'o-bad', key: 'pay', amount: 100, [field]: text };
            await refused(`debit ${field} ${JSON.stringify(text)}`, () => balance.debit(move));
            await refused(`credit ${field} ${JSON.stringify(text)}`, () => balance.credit(move));
          }
          api.expect(await balance.balanceOf(text)).toBe(0);
        }
        api.expect(wrong).toEqual([]);
        // '\ufffd' is what a lone surrogate becomes in UTF-8: it is an id of its own, with nothing in it.
        api.expect([await balance.balanceOf('c0'), await balance.balanceOf('c1'), await balance.balanceOf('\ufffd')]).toEqual([500, 0, 0]);
        api.expect(await balance.orderBalance('o-bad')).toEqual({ debited: 0, credited: 0 });
      },
      timeout,
    );

    api.it(
      'a debit left in doubt is listed past its time, forgotten when its order was created, and given back once when it was not',
      async () => {
        const balance = await fresh();
        if (!balance.placeWith || !balance.placementsInDoubt || !balance.settleInDoubt) return;
        await balance.topUp({ customerId: 'c0', key: 'card', amount: 500 });
        // docs/payment-sources.md "Placements left in doubt": a create that may have written its order keeps the debit.
        const lost = () => Object.assign(new Error('answer lost after the write'), { code: 'CLOUD_DATABASE_ERROR', mayHaveApplied: true });
        const past = new Date(0);
        const later = new Date(Date.now() + 3_600_000);
        for (const orderId of ['d1', 'd2']) {
          await balance.placeWith({ customerId: 'c0', orderId, key: `${orderId}-B`, amount: 100 }, async () => {
            throw lost();
          }).catch(() => undefined);
        }
        api.expect(await balance.balanceOf('c0')).toBe(300);
        api.expect(await balance.placementsInDoubt(past)).toEqual([]);
        api.expect((await balance.placementsInDoubt(later)).map((d) => d.orderId).sort()).toEqual(['d1', 'd2']);
        api.expect(await balance.settleInDoubt('d1', 'created', later)).toBe(false);
        api.expect(await balance.orderBalance('d1')).toEqual({ debited: 100, credited: 0 });
        api.expect(await balance.settleInDoubt('d2', 'absent', past)).toBe(false);
        const settled = await Promise.all([1, 2, 3].map(() => balance.settleInDoubt!('d2', 'absent', later)));
        api.expect(settled.filter(Boolean).length).toBe(1);
        api.expect(await balance.orderBalance('d2')).toEqual({ debited: 0, credited: 0 });
        api.expect(await balance.balanceOf('c0')).toBe(400);
        api.expect(await balance.placementsInDoubt(later)).toEqual([]);
        // The id and key are free again: placed later, the debit is made afresh.
        await balance.placeWith({ customerId: 'c0', orderId: 'd2', key: 'd2-B', amount: 100 }, async () => 'made');
        api.expect(await balance.orderBalance('d2')).toEqual({ debited: 100, credited: 0 });
        api.expect(await balance.balanceOf('c0')).toBe(300);
      },
      timeout,
    );
  });
}
