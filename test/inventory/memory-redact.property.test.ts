import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MemoryInventory } from '../../src/inventory/index.js';
import type { PersonalDataRedaction } from '../../src/storage/port.js';

/**
 * docs/privacy.md "The inventory", on MemoryInventory: random sequences of reserve, release and
 * rewrites to a pseudonym against a plain model of the 限购 counters. After every step the
 * inventory's own counters (its private map, read raw) equal the model's: a counter is the sum of
 * the units its customer's holds keep on that key, none is below zero, and none is kept at zero
 * (so none names a customer who holds nothing).
 */

const LIMIT_KEY: Record<string, string> = { A: 'act', B: 'act', C: 'C' };
const PER_CUSTOMER = 4;
const PEOPLE = ['u1', 'u2', 'anon-1', 'anon-2'];
const ORDERS = ['o1', 'o2', 'o3', 'o4'];

type Step =
  | { kind: 'reserve'; order: string; customer: string; sku: string; quantity: number }
  | { kind: 'release'; order: string; key: string; sku: string; quantity: number }
  | { kind: 'redact'; order: string; from: string; to: string };

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constant('reserve' as const), order: fc.constantFrom(...ORDERS), customer: fc.constantFrom(...PEOPLE), sku: fc.constantFrom('A', 'B', 'C'), quantity: fc.integer({ min: 1, max: 3 }) }),
  fc.record({ kind: fc.constant('release' as const), order: fc.constantFrom(...ORDERS), key: fc.constantFrom('k1', 'k2', 'k3'), sku: fc.constantFrom('A', 'B', 'C'), quantity: fc.integer({ min: 1, max: 3 }) }),
  fc.record({ kind: fc.constant('redact' as const), order: fc.constantFrom(...ORDERS), from: fc.constantFrom(...PEOPLE), to: fc.constantFrom(...PEOPLE) }),
);

const redaction = (orderId: string, customerId: string, pseudonym: string): PersonalDataRedaction => ({ orderId, customerId, pseudonym, redact: (d) => d, text: (t) => t });

interface ModelHold {
  customer: string;
  items: Map<string, number>;
}

/** The counters a model's holds imply: per (limit key, customer), the units held; zeros left out. */
function countersOf(holds: Map<string, ModelHold>): Map<string, number> {
  const out = new Map<string, number>();
  for (const h of holds.values()) {
    for (const [sku, n] of h.items) {
      const at = `${LIMIT_KEY[sku]}|${h.customer}`;
      out.set(at, (out.get(at) ?? 0) + n);
    }
  }
  for (const [k, n] of out) if (n === 0) out.delete(k);
  return out;
}

function rawCounters(inventory: MemoryInventory): Map<string, number> {
  const limits = (inventory as unknown as { limits: Map<string, number> }).limits;
  return new Map([...limits].map(([k, n]) => [k.replace('\u0000', '|'), n]));
}

describe('MemoryInventory: rewrites to a pseudonym against a model of the 限购 counters (property)', () => {
  it('the counters always equal the units each customer holds, never below zero, never kept at zero', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { maxLength: 30 }), async (steps) => {
        const inventory = new MemoryInventory();
        for (const sku of ['A', 'B', 'C']) await inventory.configure({ sku, available: 1_000, limit: { perCustomer: PER_CUSTOMER, key: LIMIT_KEY[sku]! } });
        const holds = new Map<string, ModelHold>();
        const keys = new Set<string>();
        for (const s of steps) {
          if (s.kind === 'reserve') {
            const hold = holds.get(s.order);
            const customer = hold?.customer ?? s.customer;
            const had = countersOf(holds).get(`${LIMIT_KEY[s.sku]}|${customer}`) ?? 0;
            const got = await inventory.reserve({ orderId: s.order, customerId: s.customer, items: [{ sku: s.sku, quantity: s.quantity }] }).then(
              (r) => (r.replayed ? 'replayed' : 'held'),
              (e: { code?: string }) => e.code,
            );
            if (hold) expect(got).toBe('replayed');
            else if (had + s.quantity > PER_CUSTOMER) expect(got).toBe('LIMIT_REACHED');
            else {
              expect(got).toBe('held');
              holds.set(s.order, { customer, items: new Map([[s.sku, s.quantity]]) });
            }
          } else if (s.kind === 'release') {
            const got = await inventory.release({ orderId: s.order, key: s.key, items: [{ sku: s.sku, quantity: s.quantity }] });
            const hold = holds.get(s.order);
            const mark = `${s.order}|${s.key}`;
            let n = 0;
            if (!keys.has(mark)) {
              keys.add(mark);
              const held = hold?.items.get(s.sku) ?? 0;
              n = Math.min(held, s.quantity);
              if (n > 0) hold!.items.set(s.sku, held - n);
            }
            expect(got).toEqual(n > 0 ? [{ sku: s.sku, quantity: n }] : []);
          } else {
            const done = await inventory.redactPersonalData([redaction(s.order, s.from, s.to)]);
            const hold = holds.get(s.order);
            const moves = hold !== undefined && hold.customer === s.from && s.from !== s.to;
            expect(done).toBe(moves ? 1 : 0);
            if (moves) hold.customer = s.to;
          }
          const raw = rawCounters(inventory);
          for (const n of raw.values()) expect(n).toBeGreaterThan(0);
          expect(raw).toEqual(countersOf(holds));
        }
      }),
      { numRuns: 150 },
    );
  });
});
