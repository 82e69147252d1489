import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createGroupBuy, createPresale, groupBuyLifecycle, MemoryGroupStore, presaleLifecycle } from '../../src/flows/index.js';
import { MemoryInventory } from '../../src/inventory/index.js';
import { createOrderService } from '../../src/service/index.js';
import { MemoryOrderStore } from '../../src/storage/index.js';

/**
 * Whatever a JavaScript caller hands the flows (docs/flows.md: INVALID_GROUP, INVALID_PRESALE; the
 * service's INVALID_ORDER_INPUT, INVALID_CART, UNKNOWN_SKU …): a typed refusal with a stable code,
 * never a thrown TypeError, no order written and no unit held.
 */
const SKU = 'TEA';
const at = Date.parse('2026-11-25T04:00:00Z');
const clock = { now: () => new Date(at) };
const address = { name: '张三', phone: '13800000000', province: '上海市', city: '上海市', detail: '1 号' };

const junk = fc.oneof(
  fc.constant(undefined),
  fc.constant(null),
  fc.integer(),
  fc.double(),
  fc.string({ maxLength: 4 }),
  fc.constant([]),
  fc.constant({}),
  fc.constant(new Date(Number.NaN)),
);
const quantity = fc.oneof(fc.integer({ min: -3, max: 3 }), fc.double({ noNaN: false }), fc.constant(1e15), fc.constant('1'), fc.constant(undefined));
const price = fc.oneof(fc.integer({ min: -100, max: 100_000 }), fc.constant(0.5), fc.constant(Number.NaN), fc.constant(undefined));
const cartOf = (q: unknown, p: unknown, sku: unknown) => ({ lines: [{ id: 'l1', sku, title: '茶', listPrice: p, quantity: q }] });

async function setup() {
  const inventory = new MemoryInventory();
  await inventory.configure({ sku: SKU, available: 5 });
  const store = new MemoryOrderStore();
  return { inventory, store };
}

async function nothingWritten(s: Awaited<ReturnType<typeof setup>>, service: { list(q: object): Promise<{ items: unknown[] }> }) {
  expect((await service.list({ limit: 10 })).items).toEqual([]);
  expect(await s.inventory.level(SKU)).toMatchObject({ available: 5, held: 0 });
}

describe('the flows refuse untrusted input with a typed error', () => {
  it('group buy: junk settings, junk inputs and junk lines', async () => {
    await fc.assert(
      fc.asyncProperty(junk, junk, quantity, price, fc.constantFrom<unknown>(SKU, 'NOPE', '', 5), fc.nat(3), async (spec, input, q, p, sku, which) => {
        const s = await setup();
        const service = createOrderService({ store: s.store, clock, lifecycle: groupBuyLifecycle(), inventory: s.inventory });
        const groups = new MemoryGroupStore();
        const gb = createGroupBuy({ service, groups, clock });
        const placeInput = which === 0 ? input : { customerId: 'u1', cart: cartOf(q, p, sku), rules: {} };
        const goodSpec = { size: 2, deadline: new Date(at + 60_000) };
        const r = await gb.open(placeInput as never, (which === 1 ? spec : goodSpec) as never);
        if (r.ok) return; // a valid line happened to be drawn
        expect(typeof r.error.code).toBe('string');
        expect(r.error.code).not.toBe('INTERNAL');
        await nothingWritten(s, service);
        const joined = await gb.join('G-none', placeInput as never);
        expect(joined.ok).toBe(false);
      }),
      { numRuns: 150 },
    );
  });

  it('presale: junk terms, junk inputs and junk lines', async () => {
    await fc.assert(
      fc.asyncProperty(junk, junk, fc.oneof(fc.integer({ min: -10, max: 20_000 }), fc.double(), fc.constant(undefined)), quantity, price, fc.nat(2), async (terms, input, deposit, q, p, which) => {
        const s = await setup();
        const service = createOrderService({ store: s.store, clock, lifecycle: presaleLifecycle(), inventory: s.inventory });
        const presale = createPresale({ service, clock });
        const placeInput = which === 0 ? input : { customerId: 'u1', cart: cartOf(q, p, SKU), rules: {}, address };
        const goodTerms = { deposit, balanceFrom: new Date(at + 1000), balanceUntil: new Date(at + 2000) };
        const r = await presale.place(placeInput as never, (which === 1 ? terms : goodTerms) as never);
        if (r.ok) {
          // Accepted: the deposit is a positive whole number of fen below the goods.
          expect(Number.isSafeInteger(deposit) && (deposit as number) > 0).toBe(true);
          return;
        }
        expect(typeof r.error.code).toBe('string');
        await nothingWritten(s, service);
      }),
      { numRuns: 150 },
    );
  });
});
