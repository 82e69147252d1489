import type { AsyncCommand } from 'fast-check';
import { limitKeyOf } from '../inventory/check.js';
import type { InventoryPort, SkuSetup, StockItem } from '../inventory/types.js';
import type { PersonalDataRedaction } from '../storage/port.js';
import { loadFastCheck } from './fast-check.js';
import type { ContractExpect, ContractTestApi } from './types.js';

/**
 * The inventory contract (docs/inventory.md "Adapters"): every rule of the port as tests, for any
 * adapter. The model-based part runs random sequences of reserve, commit, release and restock
 * (bad quantities and unknown SKUs among them) against a plain model and compares every answer
 * and every level; the race part fires concurrent holds and checks nothing is oversold and no
 * limit is passed.
 */
export interface InventoryContractOptions<I extends InventoryPort> {
  /** fast-check runs of the model-based test. Default 20. */
  numRuns?: number;
  /** Per-test timeout. Default 60 000 ms. */
  timeoutMs?: number;
  /** Run after each test on the inventory it used (e.g. Redis and its ledger agree). */
  verify?: (inventory: I) => Promise<void>;
  /** Called after each test (close connections…). */
  dispose?: (inventory: I) => Promise<void>;
  /**
   * Every record the adapter keeps (rows, keys, documents) as one text, so the personal-data tests
   * can search the raw storage for a customer id. Without it they check through the port only.
   */
  raw?: (inventory: I) => Promise<string>;
  /**
   * Whether the adapter has `redactPersonalData` (docs/privacy.md "The inventory"). Default true:
   * the personal-data tests fail for an adapter without it; pass false to leave them out.
   */
  personalData?: boolean;
}

const SETUP: SkuSetup[] = [
  { sku: 'S0', available: 4, limit: { perCustomer: 3, key: 'act' } },
  { sku: 'S1', available: 3, limit: { perCustomer: 3, key: 'act' } },
  { sku: 'S2', available: 3, policy: 'take_on_payment', restockOnReturn: false },
  { sku: 'S3', available: 2, policy: 'take_on_payment', limit: { perCustomer: 1 } },
];
const SKUS = ['S0', 'S1', 'S2', 'S3', 'NOPE'];
const ORDERS = ['o0', 'o1', 'o2', 'o3', 'o4'];
const CUSTOMERS = ['c0', 'c1'];
const KEYS = ['k0', 'k1'];
/** Pseudonyms the model-based test rewrites holds to, and also holds as (their own 限购 counts). */
const PSEUDONYMS = ['anon-a', 'anon-b'];

/** A redaction as the service makes one, with only what the inventory reads (ids). */
function redaction(orderId: string, customerId: string, pseudonym: string): PersonalDataRedaction {
  const text = (v: string): string => v.split(customerId).join(pseudonym);
  return { orderId, customerId, pseudonym, text, redact: (doc) => doc };
}

function redactor(inventory: InventoryPort): NonNullable<InventoryPort['redactPersonalData']> {
  const redact = inventory.redactPersonalData;
  if (!redact) throw new Error('this inventory has no redactPersonalData (docs/privacy.md "The inventory"); pass { personalData: false } to leave these tests out');
  return redact.bind(inventory);
}

interface ModelSku {
  available: number;
  held: number;
  policy: 'reserve_on_place' | 'take_on_payment';
  limitKey: string | null;
  perCustomer: number;
  restock: boolean;
}
interface Model {
  skus: Map<string, ModelSku>;
  holds: Map<string, { customer: string; items: Map<string, number>; phases: Set<string> }>;
  limits: Map<string, number>;
  keys: Set<string>;
}
interface Real {
  inventory: InventoryPort;
  expect: ContractExpect;
}
type Cmd = AsyncCommand<Model, Real, false>;

function freshModel(): Model {
  const skus = new Map<string, ModelSku>();
  for (const s of SETUP) {
    skus.set(s.sku, {
      available: s.available,
      held: 0,
      policy: s.policy ?? 'reserve_on_place',
      limitKey: s.limit ? limitKeyOf(s.sku, s.limit) : null,
      perCustomer: s.limit?.perCustomer ?? Infinity,
      restock: s.restockOnReturn !== false,
    });
  }
  return { skus, holds: new Map(), limits: new Map(), keys: new Set() };
}

const sorted = (items: StockItem[]): StockItem[] => items.slice().sort((a, b) => (a.sku < b.sku ? -1 : a.sku > b.sku ? 1 : 0));

/** Sums valid raw items per SKU, or null when one is not a positive whole number. */
function summed(raw: Array<[string, number]>): StockItem[] | null {
  const out: StockItem[] = [];
  for (const [sku, q] of raw) {
    if (!Number.isInteger(q) || q < 1) return null;
    const same = out.find((o) => o.sku === sku);
    if (same) same.quantity += q;
    else out.push({ sku, quantity: q });
  }
  return out;
}

async function codeOf(run: () => Promise<unknown>): Promise<{ code: string | null; value: unknown }> {
  try {
    return { code: null, value: await run() };
  } catch (error) {
    return { code: (error as { code?: string }).code ?? `untyped: ${String(error)}`, value: undefined };
  }
}

class HoldCmd implements Cmd {
  constructor(readonly phase: 'reserve' | 'commit', readonly order: string, readonly customer: string, readonly raw: Array<[string, number]>) {}
  check(): boolean {
    return true;
  }
  async run(m: Model, r: Real): Promise<void> {
    const request = { orderId: this.order, customerId: this.customer, items: this.raw.map(([sku, quantity]) => ({ sku, quantity })) };
    const got = await codeOf(() => (this.phase === 'reserve' ? r.inventory.reserve(request) : r.inventory.commit({ ...request, attempt: `${this.order}-a` })));
    const items = summed(this.raw);
    if (items === null || items.length === 0) {
      r.expect(got.code).toBe('INVALID_STOCK_QUANTITY');
      return;
    }
    if (items.some((i) => !m.skus.has(i.sku))) {
      r.expect(got.code).toBe('UNKNOWN_SKU');
      return;
    }
    const policy = this.phase === 'reserve' ? 'reserve_on_place' : 'take_on_payment';
    const hold = m.holds.get(this.order);
    if (hold?.phases.has(this.phase)) {
      r.expect(got.code).toBeNull();
      r.expect((got.value as { replayed: boolean }).replayed).toBe(true);
      return;
    }
    // The customer of the first unit taken owns the hold; a hold that took none names nobody yet.
    const customer = hold !== undefined && hold.items.size > 0 ? hold.customer : this.customer;
    const taking = items.filter((i) => m.skus.get(i.sku)!.policy === policy);
    const applicable: string[] = [];
    const byKey = new Map<string, number>();
    for (const i of taking) {
      const s = m.skus.get(i.sku)!;
      if (s.available < i.quantity) applicable.push('OUT_OF_STOCK');
      if (s.limitKey !== null) {
        const want = (byKey.get(s.limitKey) ?? 0) + i.quantity;
        byKey.set(s.limitKey, want);
        if ((m.limits.get(`${s.limitKey}|${customer}`) ?? 0) + want > s.perCustomer) applicable.push('LIMIT_REACHED');
      }
    }
    if (applicable.length > 0) {
      r.expect(applicable).toContain(got.code);
      return;
    }
    r.expect(got.code).toBeNull();
    const h = hold ?? { customer, items: new Map<string, number>(), phases: new Set<string>() };
    if (taking.length > 0) h.customer = customer;
    for (const i of taking) {
      const s = m.skus.get(i.sku)!;
      s.available -= i.quantity;
      s.held += i.quantity;
      if (s.limitKey !== null) m.limits.set(`${s.limitKey}|${customer}`, (m.limits.get(`${s.limitKey}|${customer}`) ?? 0) + i.quantity);
      h.items.set(i.sku, (h.items.get(i.sku) ?? 0) + i.quantity);
    }
    h.phases.add(this.phase);
    m.holds.set(this.order, h);
    const want = taking.map((i) => ({ sku: i.sku, quantity: h.items.get(i.sku)! }));
    r.expect(sorted((got.value as { held: StockItem[] }).held)).toEqual(sorted(want));
  }
  toString(): string {
    return `${this.phase}(${this.order}, ${this.customer}, ${JSON.stringify(this.raw)})`;
  }
}

class GiveBackCmd implements Cmd {
  constructor(readonly kind: 'release' | 'restock', readonly order: string, readonly key: string, readonly raw: Array<[string, number]>) {}
  check(): boolean {
    return true;
  }
  async run(m: Model, r: Real): Promise<void> {
    const request = { orderId: this.order, key: this.key, items: this.raw.map(([sku, quantity]) => ({ sku, quantity })) };
    const got = await codeOf(() => (this.kind === 'release' ? r.inventory.release(request) : r.inventory.restock(request)));
    const items = summed(this.raw);
    if (items === null || items.length === 0) {
      r.expect(got.code).toBe('INVALID_STOCK_QUANTITY');
      return;
    }
    r.expect(got.code).toBeNull();
    const mark = `${this.order}|${this.key}`;
    const hold = m.holds.get(this.order);
    const out: StockItem[] = [];
    if (!m.keys.has(mark)) {
      m.keys.add(mark);
      for (const i of items) {
        const s = m.skus.get(i.sku);
        const held = hold?.items.get(i.sku) ?? 0;
        if (!s || !hold || held === 0 || (this.kind === 'restock' && !s.restock)) continue;
        const n = Math.min(held, i.quantity);
        hold.items.set(i.sku, held - n);
        s.available += n;
        s.held -= n;
        if (s.limitKey !== null) m.limits.set(`${s.limitKey}|${hold.customer}`, m.limits.get(`${s.limitKey}|${hold.customer}`)! - n);
        out.push({ sku: i.sku, quantity: n });
      }
    }
    r.expect(sorted(got.value as StockItem[])).toEqual(sorted(out));
  }
  toString(): string {
    return `${this.kind}(${this.order}, ${this.key}, ${JSON.stringify(this.raw)})`;
  }
}

class RedactCmd implements Cmd {
  constructor(readonly order: string, readonly customer: string, readonly pseudonym: string) {}
  check(): boolean {
    return true;
  }
  async run(m: Model, r: Real): Promise<void> {
    const got = await codeOf(() => redactor(r.inventory)([redaction(this.order, this.customer, this.pseudonym)]));
    r.expect(got.code).toBeNull();
    const hold = m.holds.get(this.order);
    if (hold !== undefined && hold.items.size === 0) {
      // A hold that took no unit: an adapter may keep no record of it (PostgreSQL) or one it rewrites.
      r.expect([0, 1]).toContain(got.value);
      if (got.value === 1) hold.customer = this.pseudonym;
      return;
    }
    if (!hold || hold.customer !== this.customer) {
      r.expect(got.value).toBe(0);
      return;
    }
    r.expect(got.value).toBe(1);
    for (const [sku, n] of hold.items) {
      const key = m.skus.get(sku)!.limitKey;
      if (key === null) continue;
      m.limits.set(`${key}|${this.customer}`, (m.limits.get(`${key}|${this.customer}`) ?? 0) - n);
      m.limits.set(`${key}|${this.pseudonym}`, (m.limits.get(`${key}|${this.pseudonym}`) ?? 0) + n);
    }
    hold.customer = this.pseudonym;
  }
  toString(): string {
    return `redact(${this.order}, ${this.customer} → ${this.pseudonym})`;
  }
}

class LevelsCmd implements Cmd {
  check(): boolean {
    return true;
  }
  async run(m: Model, r: Real): Promise<void> {
    for (const [sku, s] of m.skus) {
      const level = await r.inventory.level(sku);
      r.expect(level === null ? null : { available: level.available, held: level.held }).toEqual({ available: s.available, held: s.held });
    }
    r.expect(await r.inventory.level('NOPE')).toBeNull();
    for (const order of ORDERS) {
      const want: StockItem[] = [];
      for (const [sku, n] of m.holds.get(order)?.items ?? []) if (n > 0) want.push({ sku, quantity: n });
      r.expect(sorted(await r.inventory.heldBy(order))).toEqual(sorted(want));
    }
  }
  toString(): string {
    return 'levels()';
  }
}

/**
 * Runs the inventory contract. `make` is called before each test and must return an inventory with
 * no SKUs and no holds (the suite configures its own).
 *
 * @example
 * import { describe, it, expect, beforeEach, afterEach } from 'vitest';
 * import { MemoryInventory } from 'wx-orderkit/inventory';
 * import { runInventoryContract } from 'wx-orderkit/testing';
 *
 * runInventoryContract('MemoryInventory', () => new MemoryInventory(), { describe, it, expect, beforeEach, afterEach });
 */
export function runInventoryContract<I extends InventoryPort>(name: string, make: () => I | Promise<I>, api: ContractTestApi, options: InventoryContractOptions<I> = {}): void {
  const numRuns = options.numRuns ?? 20;
  const personalData = options.personalData !== false;
  const timeout = options.timeoutMs ?? 60_000;
  let current: I | null = null;
  const fresh = async (): Promise<I> => {
    if (current !== null) await options.dispose?.(current);
    current = await make();
    for (const s of SETUP) await current.configure(s);
    return current;
  };
  api.describe(`Inventory contract: ${name}`, () => {
    api.afterEach?.(async () => {
      const inventory = current;
      current = null;
      if (inventory === null) return;
      try {
        await options.verify?.(inventory);
      } finally {
        await options.dispose?.(inventory);
      }
    });

    api.it(
      'reserves, commits and gives back exactly as the model says (model-based)',
      async () => {
        const fc = await loadFastCheck();
        const item = fc.tuple(fc.constantFrom(...SKUS), fc.oneof({ weight: 9, arbitrary: fc.integer({ min: 1, max: 3 }) }, { weight: 1, arbitrary: fc.constantFrom(0, -1, 1.5) }));
        const items = fc.array(item, { minLength: 1, maxLength: 3 });
        const commands = [
          fc.tuple(fc.constantFrom(...ORDERS), fc.constantFrom(...CUSTOMERS), items).map(([o, c, i]) => new HoldCmd('reserve', o, c, i) as Cmd),
          fc.tuple(fc.constantFrom(...ORDERS), fc.constantFrom(...CUSTOMERS), items).map(([o, c, i]) => new HoldCmd('commit', o, c, i) as Cmd),
          fc.tuple(fc.constantFrom(...ORDERS), fc.constantFrom(...KEYS), items).map(([o, k, i]) => new GiveBackCmd('release', o, k, i) as Cmd),
          fc.tuple(fc.constantFrom(...ORDERS), fc.constantFrom(...KEYS), items).map(([o, k, i]) => new GiveBackCmd('restock', o, k, i) as Cmd),
          fc.constant(new LevelsCmd() as Cmd),
        ];
        if (personalData) {
          // Holds as a pseudonym too, so its own 限购 count is checked after units moved to it.
          commands.push(
            fc.tuple(fc.constantFrom(...ORDERS), fc.constantFrom(...CUSTOMERS), fc.constantFrom(...PSEUDONYMS)).map(([o, c, p]) => new RedactCmd(o, c, p) as Cmd),
            fc.tuple(fc.constantFrom(...ORDERS), fc.constantFrom(...PSEUDONYMS), items).map(([o, c, i]) => new HoldCmd('reserve', o, c, i) as Cmd),
          );
        }
        await fc.assert(
          fc.asyncProperty(fc.commands(commands, { maxCommands: 25 }), async (cmds) => {
            const inventory = await fresh();
            await fc.asyncModelRun(() => ({ model: freshModel(), real: { inventory, expect: api.expect } }), [...cmds, new LevelsCmd()]);
            if (options.verify) await options.verify(inventory);
          }),
          { numRuns },
        );
      },
      timeout,
    );

    api.it(
      'any commands at once keep stock whole: available + held is what is on hand, and held is what the orders hold',
      async () => {
        const fc = await loadFastCheck();
        const orders = ['w0', 'w1'];
        const sku = fc.constantFrom('S0', 'S1', 'S2', 'S3');
        const items = fc.array(fc.tuple(sku, fc.integer({ min: 1, max: 2 })), { minLength: 1, maxLength: 2 });
        const command = fc.oneof(
          fc.tuple(fc.constant('reserve' as const), fc.constantFrom(...orders), fc.constantFrom(...CUSTOMERS), items),
          fc.tuple(fc.constant('commit' as const), fc.constantFrom(...orders), fc.constantFrom(...CUSTOMERS), items),
          fc.tuple(fc.constant('release' as const), fc.constantFrom(...orders), fc.constantFrom(...KEYS), items),
          fc.tuple(fc.constant('restock' as const), fc.constantFrom(...orders), fc.constantFrom(...KEYS), items),
        );
        await fc.assert(
          fc.asyncProperty(fc.array(fc.array(command, { minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 4 }), async (waves) => {
            const inventory = await fresh();
            // Both orders hold something first, so the give-backs of a wave have units to race for.
            await inventory.reserve({ orderId: 'w0', customerId: 'c0', items: [{ sku: 'S0', quantity: 2 }, { sku: 'S1', quantity: 1 }] });
            await inventory.commit({ orderId: 'w1', customerId: 'c1', attempt: 'w1-a', items: [{ sku: 'S2', quantity: 2 }, { sku: 'S3', quantity: 1 }] });
            for (const wave of waves) {
              const results = await Promise.all(
                wave.map(([kind, orderId, who, raw]) => {
                  const list = raw.map(([s, quantity]) => ({ sku: s, quantity }));
                  if (kind === 'reserve') return codeOf(() => inventory.reserve({ orderId, customerId: who, items: list }));
                  if (kind === 'commit') return codeOf(() => inventory.commit({ orderId, customerId: who, attempt: `${orderId}-a`, items: list }));
                  const request = { orderId, key: who, items: list };
                  return codeOf(() => (kind === 'release' ? inventory.release(request) : inventory.restock(request)));
                }),
              );
              for (const r of results) if (r.code !== null) api.expect(['OUT_OF_STOCK', 'LIMIT_REACHED', 'INVALID_STOCK_QUANTITY']).toContain(r.code);
            }
            const held = new Map<string, number>();
            for (const orderId of orders) {
              for (const h of await inventory.heldBy(orderId)) {
                api.expect(h.quantity).toBeGreaterThan(0);
                held.set(h.sku, (held.get(h.sku) ?? 0) + h.quantity);
              }
            }
            for (const s of SETUP) {
              const level = await inventory.level(s.sku);
              api.expect({ sku: s.sku, onHand: (level?.available ?? 0) + (level?.held ?? 0), held: level?.held, available: (level?.available ?? -1) >= 0 }).toEqual({
                sku: s.sku,
                onHand: s.available,
                held: held.get(s.sku) ?? 0,
                available: true,
              });
            }
            if (options.verify) await options.verify(inventory);
          }),
          { numRuns: Math.max(6, Math.ceil(numRuns / 2)) },
        );
      },
      timeout,
    );

    api.it(
      'concurrent holds never oversell and never pass a limit',
      async () => {
        const inventory = await fresh();
        await inventory.configure({ sku: 'HOT', available: 5, limit: { perCustomer: 1 } });
        const attempts = Array.from({ length: 30 }, (_, i) => ({ orderId: `race-${i}`, customerId: `buyer-${i % 10}`, items: [{ sku: 'HOT', quantity: 1 }] }));
        const results = await Promise.all(attempts.map((a) => codeOf(() => inventory.reserve(a))));
        const won = attempts.filter((_, i) => results[i]!.code === null);
        api.expect(won).toHaveLength(5);
        api.expect(new Set(won.map((w) => w.customerId)).size).toBe(5);
        for (const r of results) if (r.code !== null) api.expect(['OUT_OF_STOCK', 'LIMIT_REACHED']).toContain(r.code);
        const level = await inventory.level('HOT');
        api.expect({ available: level?.available, held: level?.held }).toEqual({ available: 0, held: 5 });
      },
      timeout,
    );

    api.it(
      '换货 take (ports that have it): all or nothing whatever the policy, once per (order, key), given back by a later return; a limit never refuses it',
      async () => {
        const inventory = await fresh();
        if (!inventory.take) return;
        await inventory.reserve({ orderId: 'x1', customerId: 'c0', items: [{ sku: 'S0', quantity: 3 }] });
        // Not enough of S1 for 4: nothing moves, S2 included.
        api.expect((await codeOf(() => inventory.take!({ orderId: 'x1', customerId: 'c0', key: 'exchange:A1', items: [{ sku: 'S2', quantity: 1 }, { sku: 'S1', quantity: 4 }] }))).code).toBe('OUT_OF_STOCK');
        api.expect((await codeOf(() => inventory.take!({ orderId: 'x1', customerId: 'c0', key: 'exchange:A1', items: [{ sku: 'NOPE', quantity: 1 }] }))).code).toBe('UNKNOWN_SKU');
        api.expect({ s1: (await inventory.level('S1'))?.available, s2: (await inventory.level('S2'))?.available }).toEqual({ s1: 3, s2: 3 });
        // c0 holds 3 of 'act' (its limit): the replacement S1 is taken all the same, and S2 of the other policy too.
        api.expect(sorted(await inventory.take({ orderId: 'x1', customerId: 'c0', key: 'exchange:A1', items: [{ sku: 'S2', quantity: 1 }, { sku: 'S1', quantity: 1 }] }))).toEqual([
          { sku: 'S1', quantity: 1 },
          { sku: 'S2', quantity: 1 },
        ]);
        api.expect(await inventory.take({ orderId: 'x1', customerId: 'c0', key: 'exchange:A1', items: [{ sku: 'S2', quantity: 1 }, { sku: 'S1', quantity: 1 }] })).toEqual([]);
        api.expect(sorted(await inventory.heldBy('x1'))).toEqual([
          { sku: 'S0', quantity: 3 },
          { sku: 'S1', quantity: 1 },
          { sku: 'S2', quantity: 1 },
        ]);
        api.expect({ available: (await inventory.level('S1'))?.available, held: (await inventory.level('S1'))?.held }).toEqual({ available: 2, held: 1 });
        // The replacement returned: S1 comes back; c0's 限购 count goes back to 3, so none more fits.
        api.expect(await inventory.restock({ orderId: 'x1', key: 'return-1', items: [{ sku: 'S1', quantity: 1 }] })).toEqual([{ sku: 'S1', quantity: 1 }]);
        api.expect({ available: (await inventory.level('S1'))?.available, held: (await inventory.level('S1'))?.held }).toEqual({ available: 3, held: 0 });
        api.expect(await tryReserve(inventory, 'x2', 'c0', [{ sku: 'S1', quantity: 1 }])).toBe('LIMIT_REACHED');
      },
      timeout,
    );

    api.it(
      "an order's release never touches another order's reservation",
      async () => {
        const inventory = await fresh();
        await inventory.reserve({ orderId: 'mine', customerId: 'c0', items: [{ sku: 'S0', quantity: 2 }] });
        const released = await inventory.release({ orderId: 'theirs', key: 'k', items: [{ sku: 'S0', quantity: 2 }] });
        api.expect(released).toEqual([]);
        api.expect(await inventory.heldBy('mine')).toEqual([{ sku: 'S0', quantity: 2 }]);
        // The same key twice gives back once; a new key only what is still held.
        api.expect(await inventory.release({ orderId: 'mine', key: 'k', items: [{ sku: 'S0', quantity: 1 }] })).toEqual([{ sku: 'S0', quantity: 1 }]);
        api.expect(await inventory.release({ orderId: 'mine', key: 'k', items: [{ sku: 'S0', quantity: 1 }] })).toEqual([]);
        api.expect(await inventory.release({ orderId: 'mine', key: 'k2', items: [{ sku: 'S0', quantity: 5 }] })).toEqual([{ sku: 'S0', quantity: 1 }]);
        api.expect((await inventory.level('S0'))?.available).toBe(4);
      },
      timeout,
    );

    api.it(
      'give-backs of one order at once under different keys never give back more than it holds',
      async () => {
        const inventory = await fresh();
        api.expect(await tryReserve(inventory, 'g1', 'c0', [{ sku: 'S0', quantity: 3 }])).toBeNull();
        const asks = [1, 2, 1, 3, 2, 1];
        const got = await Promise.all(
          asks.map((quantity, i) => {
            const request = { orderId: 'g1', key: `k${i}`, items: [{ sku: 'S0', quantity }] };
            return i % 2 === 0 ? inventory.release(request) : inventory.restock(request);
          }),
        );
        api.expect(got.flat().reduce((sum, item) => sum + item.quantity, 0)).toBe(3);
        const level = await inventory.level('S0');
        api.expect({ available: level?.available, held: level?.held }).toEqual({ available: 4, held: 0 });
        api.expect(await inventory.heldBy('g1')).toEqual([]);
        // The customer's 限购 count went back to zero with them: 3 more may be held.
        api.expect(await tryReserve(inventory, 'g2', 'c0', [{ sku: 'S0', quantity: 3 }])).toBeNull();
      },
      timeout,
    );

    api.it(
      'a reserve that took no unit binds nobody: the commit at payment counts against the customer it names',
      async () => {
        const inventory = await fresh();
        // S2 and S3 are taken at payment; S3 allows 1 per customer and has 2 units.
        api.expect(await tryReserve(inventory, 'q1', 'c0', [{ sku: 'S2', quantity: 1 }])).toBeNull();
        api.expect(await inventory.heldBy('q1')).toEqual([]);
        await inventory.commit({ orderId: 'q1', customerId: 'c1', attempt: 'q1-a', items: [{ sku: 'S3', quantity: 1 }] });
        api.expect(await inventory.heldBy('q1')).toEqual([{ sku: 'S3', quantity: 1 }]);
        const second = await codeOf(() => inventory.commit({ orderId: 'q2', customerId: 'c1', attempt: 'q2-a', items: [{ sku: 'S3', quantity: 1 }] }));
        api.expect(second.code).toBe('LIMIT_REACHED');
        const other = await codeOf(() => inventory.commit({ orderId: 'q3', customerId: 'c0', attempt: 'q3-a', items: [{ sku: 'S3', quantity: 1 }] }));
        api.expect(other.code).toBeNull();
      },
      timeout,
    );

    if (personalData) personalDataTests(api, fresh, options, timeout);

    api.it(
      'placeWith holds nothing when the create fails',
      async () => {
        const inventory = await fresh();
        if (!inventory.placeWith) return;
        let failed: unknown;
        try {
          await inventory.placeWith({ orderId: 'p1', customerId: 'c0', items: [{ sku: 'S1', quantity: 2 }] }, async () => {
            throw new Error('store down');
          });
        } catch (error) {
          failed = error;
        }
        api.expect(String(failed)).toContain('store down');
        api.expect(await inventory.heldBy('p1')).toEqual([]);
        api.expect((await inventory.level('S1'))?.available).toBe(3);
        const made = await inventory.placeWith({ orderId: 'p2', customerId: 'c0', items: [{ sku: 'S1', quantity: 2 }] }, async () => 'made');
        api.expect(made).toBe('made');
        api.expect(await inventory.heldBy('p2')).toEqual([{ sku: 'S1', quantity: 2 }]);
      },
      timeout,
    );

    api.it(
      'placeWith keeps the hold when the create may have written its order, and a retry of the order id takes the units once',
      async () => {
        const inventory = await fresh();
        if (!inventory.placeWith) return;
        // A lost answer: the store says the order may exist (docs/inventory.md "Placing without one transaction").
        const lost = Object.assign(new Error('answer lost after the write'), { code: 'CLOUD_DATABASE_ERROR', mayHaveApplied: true });
        const request = { orderId: 'q1', customerId: 'c0', items: [{ sku: 'S1', quantity: 2 }] };
        let shared = false;
        let failed: unknown;
        try {
          await inventory.placeWith(request, async (tx) => {
            shared = tx !== undefined;
            throw lost;
          });
        } catch (error) {
          failed = error;
        }
        api.expect(failed).toBe(lost);
        // In one transaction with the order, the failure took both back; otherwise the units stay with the order id.
        api.expect(await inventory.heldBy('q1')).toEqual(shared ? [] : [{ sku: 'S1', quantity: 2 }]);
        api.expect((await inventory.level('S1'))?.available).toBe(shared ? 3 : 1);
        // Placed again (the order was not written after all): made on the same units, nothing more taken.
        const made = await inventory.placeWith(request, async () => 'made');
        api.expect(made).toBe('made');
        api.expect(await inventory.heldBy('q1')).toEqual([{ sku: 'S1', quantity: 2 }]);
        api.expect((await inventory.level('S1'))?.available).toBe(1);
      },
      timeout,
    );

    api.it(
      'a placement left in doubt is listed past its time, forgotten when its order was created, and given back once when it was not',
      async () => {
        const inventory = await fresh();
        if (!inventory.placeWith || !inventory.placementsInDoubt || !inventory.settleInDoubt) return;
        // docs/inventory.md "Placements left in doubt": a create that may have written its order keeps the units.
        const lost = () => Object.assign(new Error('answer lost after the write'), { code: 'CLOUD_DATABASE_ERROR', mayHaveApplied: true });
        const start = (await inventory.level('S1'))!.available;
        const past = new Date(0);
        const later = new Date(Date.now() + 3_600_000);
        for (const orderId of ['d1', 'd2']) {
          await inventory.placeWith({ orderId, customerId: 'c0', items: [{ sku: 'S1', quantity: 1 }] }, async () => {
            throw lost();
          }).catch(() => undefined);
        }
        api.expect(await inventory.placementsInDoubt(past)).toEqual([]);
        api.expect((await inventory.placementsInDoubt(later)).map((d) => d.orderId).sort()).toEqual(['d1', 'd2']);
        // d1's order exists: the doubt is forgotten and the units stay.
        api.expect(await inventory.settleInDoubt('d1', 'created', later)).toBe(false);
        api.expect(await inventory.heldBy('d1')).toEqual([{ sku: 'S1', quantity: 1 }]);
        // d2's does not: not before its time, then once, however many ask at once.
        api.expect(await inventory.settleInDoubt('d2', 'absent', past)).toBe(false);
        api.expect(await inventory.heldBy('d2')).toEqual([{ sku: 'S1', quantity: 1 }]);
        const settled = await Promise.all([1, 2, 3].map(() => inventory.settleInDoubt!('d2', 'absent', later)));
        api.expect(settled.filter(Boolean).length).toBe(1);
        api.expect(await inventory.heldBy('d2')).toEqual([]);
        api.expect((await inventory.level('S1'))?.available).toBe(start - 1);
        api.expect(await inventory.placementsInDoubt(later)).toEqual([]);
        // The id is free again: placed later, it holds afresh.
        await inventory.placeWith({ orderId: 'd2', customerId: 'c0', items: [{ sku: 'S1', quantity: 1 }] }, async () => 'made');
        api.expect(await inventory.heldBy('d2')).toEqual([{ sku: 'S1', quantity: 1 }]);
        api.expect((await inventory.level('S1'))?.available).toBe(start - 2);
      },
      timeout,
    );
  });
}

/** What a reserve answers, as a code: null when it held. */
async function tryReserve(inventory: InventoryPort, orderId: string, customerId: string, items: StockItem[]): Promise<string | null> {
  return (await codeOf(() => inventory.reserve({ orderId, customerId, items }))).code;
}

/** docs/privacy.md "The inventory": holds and 限购 counts follow a rewrite to a pseudonym. */
function personalDataTests<I extends InventoryPort>(api: ContractTestApi, fresh: () => Promise<I>, options: InventoryContractOptions<I>, timeout: number): void {
  const SECRET = 'wx-openid-secret-9';
  const PSEUDONYM = 'anon-contract-1';
  const raw = async (inventory: I): Promise<string | null> => (options.raw ? options.raw(inventory) : null);

  api.it(
    "redactPersonalData moves an order's hold and its 限购 units to the pseudonym: no record names the old id, limits hold for both, a release lowers the pseudonym's count",
    async () => {
      const inventory = await fresh();
      const redact = redactor(inventory);
      // S0 and S1 share the activity 'act' (3 per customer); S3 is taken at payment (1 per customer).
      api.expect(await tryReserve(inventory, 'p1', SECRET, [{ sku: 'S0', quantity: 2 }])).toBeNull();
      api.expect(await tryReserve(inventory, 'p2', SECRET, [{ sku: 'S1', quantity: 1 }])).toBeNull();
      await inventory.commit({ orderId: 'p3', customerId: SECRET, attempt: 'p3-a', items: [{ sku: 'S3', quantity: 1 }] });
      api.expect(await tryReserve(inventory, 'p4', 'c-other', [{ sku: 'S0', quantity: 1 }])).toBeNull();
      api.expect(await inventory.release({ orderId: 'p2', key: 'cancel', items: [{ sku: 'S1', quantity: 1 }] })).toEqual([{ sku: 'S1', quantity: 1 }]);
      const before = await raw(inventory);
      if (before !== null) api.expect(before).toContain(SECRET);
      const levels = await Promise.all(['S0', 'S1', 'S3'].map((sku) => inventory.level(sku)));

      const done = await redact(['p1', 'p2', 'p3'].map((o) => redaction(o, SECRET, PSEUDONYM)));
      api.expect(done).toBe(3);
      const after = await raw(inventory);
      if (after !== null) {
        api.expect(after.indexOf(SECRET)).toBe(-1);
        api.expect(after).toContain(PSEUDONYM);
        api.expect(after).toContain('c-other');
      }
      // Stock does not move: same levels, same holds.
      api.expect(await Promise.all(['S0', 'S1', 'S3'].map((sku) => inventory.level(sku)))).toEqual(levels);
      api.expect(await inventory.heldBy('p1')).toEqual([{ sku: 'S0', quantity: 2 }]);
      api.expect(await inventory.heldBy('p3')).toEqual([{ sku: 'S3', quantity: 1 }]);

      // The customer counts none (their orders moved): 3 of 'act' fit, not 4. The pseudonym
      // counts 2 of 'act' and 1 of S3.
      api.expect(await tryReserve(inventory, 'q0', SECRET, [{ sku: 'S0', quantity: 1 }, { sku: 'S1', quantity: 3 }])).toBe('LIMIT_REACHED');
      api.expect(await tryReserve(inventory, 'q1', PSEUDONYM, [{ sku: 'S1', quantity: 2 }])).toBe('LIMIT_REACHED');
      api.expect(await tryReserve(inventory, 'q2', PSEUDONYM, [{ sku: 'S1', quantity: 1 }])).toBeNull();
      api.expect((await codeOf(() => inventory.commit({ orderId: 'q3', customerId: PSEUDONYM, attempt: 'q3-a', items: [{ sku: 'S3', quantity: 1 }] }))).code).toBe('LIMIT_REACHED');
      api.expect(await tryReserve(inventory, 'q4', SECRET, [{ sku: 'S1', quantity: 2 }])).toBeNull();
      api.expect(await tryReserve(inventory, 'q5', SECRET, [{ sku: 'S0', quantity: 1 }])).toBeNull();

      // A release of a rewritten order lowers the pseudonym's count, never the customer's.
      api.expect(await inventory.release({ orderId: 'p1', key: 'refund', items: [{ sku: 'S0', quantity: 5 }] })).toEqual([{ sku: 'S0', quantity: 2 }]);
      api.expect(await inventory.release({ orderId: 'p1', key: 'refund-2', items: [{ sku: 'S0', quantity: 5 }] })).toEqual([]);
      api.expect(await tryReserve(inventory, 'q7', SECRET, [{ sku: 'S0', quantity: 1 }])).toBe('LIMIT_REACHED');
      // The pseudonym held 3 of 'act' (2 moved, q2's 1) and 2 came back: 2 more fit, not 3.
      await inventory.configure({ sku: 'S1', available: 5, limit: { perCustomer: 3, key: 'act' } });
      api.expect(await tryReserve(inventory, 'q8', PSEUDONYM, [{ sku: 'S1', quantity: 3 }])).toBe('LIMIT_REACHED');
      api.expect(await tryReserve(inventory, 'q9', PSEUDONYM, [{ sku: 'S1', quantity: 2 }])).toBeNull();
    },
    timeout,
  );

  api.it(
    'a placement whose create failed leaves no record naming its customer (no order will lead the anonymisation to it)',
    async () => {
      const inventory = await fresh();
      if (!inventory.placeWith || !options.raw) return;
      const failed = await codeOf(() =>
        inventory.placeWith!({ orderId: 'f1', customerId: SECRET, items: [{ sku: 'S0', quantity: 1 }] }, async () => {
          throw new Error('store down');
        }),
      );
      api.expect(failed.code).toBe('untyped: Error: store down');
      api.expect((await raw(inventory))!.indexOf(SECRET)).toBe(-1);
    },
    timeout,
  );

  api.it(
    'redactPersonalData is idempotent: a second call, a hold naming someone else, an order without a hold move nothing',
    async () => {
      const inventory = await fresh();
      const redact = redactor(inventory);
      api.expect(await tryReserve(inventory, 'r1', SECRET, [{ sku: 'S0', quantity: 3 }])).toBeNull();
      api.expect(await tryReserve(inventory, 'r2', 'c-other', [{ sku: 'S1', quantity: 1 }])).toBeNull();
      const first = await redact([redaction('r1', SECRET, PSEUDONYM)]);
      api.expect(first).toBe(1);
      const snapshot = await raw(inventory);
      // Again (a rerun after a crash picks another pseudonym), the wrong customer, no hold at all.
      const again = await redact([redaction('r1', SECRET, 'anon-contract-2'), redaction('r2', SECRET, PSEUDONYM), redaction('none', SECRET, PSEUDONYM), redaction('r1', PSEUDONYM, PSEUDONYM)]);
      api.expect(again).toBe(0);
      if (snapshot !== null) api.expect(await raw(inventory)).toBe(snapshot);
      api.expect(await tryReserve(inventory, 'r3', PSEUDONYM, [{ sku: 'S1', quantity: 1 }])).toBe('LIMIT_REACHED');
      api.expect(await tryReserve(inventory, 'r4', 'anon-contract-2', [{ sku: 'S1', quantity: 1 }])).toBeNull();
      api.expect(await tryReserve(inventory, 'r5', SECRET, [{ sku: 'S0', quantity: 1 }])).toBeNull();
    },
    timeout,
  );

  api.it(
    "redactPersonalData beside concurrent holds and releases of the customer's other orders: every count ends right",
    async () => {
      const inventory = await fresh();
      const redact = redactor(inventory);
      await inventory.configure({ sku: 'HOT', available: 50, limit: { perCustomer: 8 } });
      const one = [{ sku: 'HOT', quantity: 1 }];
      for (const o of ['h1', 'h2', 'h3', 'h4']) api.expect(await tryReserve(inventory, o, SECRET, one)).toBeNull();
      const results = await Promise.all<unknown>([
        redact([redaction('h1', SECRET, PSEUDONYM), redaction('h2', SECRET, PSEUDONYM)]),
        ...['h5', 'h6', 'h7'].map((o) => tryReserve(inventory, o, SECRET, one)),
        inventory.release({ orderId: 'h3', key: 'cancel', items: one }),
        inventory.release({ orderId: 'h1', key: 'cancel', items: one }),
      ]);
      api.expect(results.slice(0, 4)).toEqual([2, null, null, null]);
      // The customer holds h4..h7 (4 of 8): 4 more fit, not 5. The pseudonym holds h2 only.
      api.expect(await tryReserve(inventory, 'h8', SECRET, [{ sku: 'HOT', quantity: 5 }])).toBe('LIMIT_REACHED');
      api.expect(await tryReserve(inventory, 'h9', SECRET, [{ sku: 'HOT', quantity: 4 }])).toBeNull();
      api.expect(await tryReserve(inventory, 'h10', PSEUDONYM, [{ sku: 'HOT', quantity: 8 }])).toBe('LIMIT_REACHED');
      api.expect(await tryReserve(inventory, 'h11', PSEUDONYM, [{ sku: 'HOT', quantity: 7 }])).toBeNull();
      const level = await inventory.level('HOT');
      api.expect({ available: level?.available, held: level?.held }).toEqual({ available: 50 - 16, held: 16 });
    },
    timeout,
  );
}
