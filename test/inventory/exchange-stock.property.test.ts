import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MemoryInventory } from '../../src/inventory/index.js';
import type { Actor, Command, Order } from '../../src/order/index.js';
import { createOrderService } from '../../src/service/index.js';
import { MemoryOrderStore } from '../../src/storage/index.js';
import { gateway, line, manualClock, merchant, quote, sequentialIds } from '../service/fixtures.js';

/**
 * 换货 and stock over any run (docs/inventory.md "Exchanges"): random sequences of placements,
 * payments, shipments, cancels, exchanges (whose shipment may find no stock and be retried after a
 * restock), returns and outbox drains on the memory store and inventory. After every step, for
 * every SKU, available + held is what is on hand and available never goes below 0; and every
 * order holds exactly what a plain model says the shopper (or the warehouse, for an order not yet
 * shipped) has of each SKU, so nothing is given back that was not taken and nothing is taken twice.
 *
 * The model sends back replacements first, the most recent exchange first, then the line's own
 * SKU: the rule of src/refund/unit-skus.ts (docs/after-sales.md "Exchange").
 */
const SKUS = ['A', 'B', 'C'] as const;
type Sku = (typeof SKUS)[number];

type Step =
  | { t: 'place'; qty: number }
  | { t: 'pay' | 'ship' | 'customerCancel' | 'merchantCancel' | 'retryShip'; i: number }
  | { t: 'exchange'; i: number; qty: number; sku: Sku }
  | { t: 'return'; i: number; qty: number }
  | { t: 'restock'; sku: Sku; n: number }
  | { t: 'drain' };

const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 2, arbitrary: fc.record({ t: fc.constant('place' as const), qty: fc.integer({ min: 1, max: 3 }) }) },
  fc.record({ t: fc.constantFrom('pay' as const, 'ship' as const, 'customerCancel' as const, 'merchantCancel' as const, 'retryShip' as const), i: fc.nat(5) }),
  { weight: 3, arbitrary: fc.record({ t: fc.constant('exchange' as const), i: fc.nat(5), qty: fc.integer({ min: 1, max: 2 }), sku: fc.constantFrom(...SKUS) }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('return' as const), i: fc.nat(5), qty: fc.integer({ min: 1, max: 2 }) }) },
  fc.record({ t: fc.constant('restock' as const), sku: fc.constantFrom(...SKUS), n: fc.integer({ min: 1, max: 2 }) }),
  fc.record({ t: fc.constant('drain' as const) }),
);

/** What an order holds, per the model: SKU → units, replacements in the order they came. */
interface Model {
  id: string;
  lineSku: Sku;
  held: Map<string, number>;
  /** Exchanges whose return arrived and whose replacement has not shipped (no stock yet). */
  waiting: Array<{ afterSaleId: string; sku: Sku; qty: number }>;
}

/** Units the shopper sends back: replacements first (the most recent first), the line's SKU last. */
function sendBack(m: Model, qty: number): void {
  const order = [...m.held.keys()].filter((s) => s !== m.lineSku).reverse();
  order.push(m.lineSku);
  let left = qty;
  for (const sku of order) {
    const n = Math.min(left, m.held.get(sku) ?? 0);
    if (n > 0) m.held.set(sku, m.held.get(sku)! - n);
    left -= n;
  }
  expect(left).toBe(0);
}

function receive(m: Model, sku: string, qty: number): void {
  // A replacement of another SKU comes last (re-inserted), as a later exchange does in the code.
  const had = m.held.get(sku) ?? 0;
  if (sku !== m.lineSku) m.held.delete(sku);
  m.held.set(sku, had + qty);
}

const total = (m: Model) => [...m.held.values()].reduce((s, n) => s + n, 0);

describe('exchange, return and cancel: stock over any run', () => {
  it('property: available + held is on hand per SKU, each order holds what its shopper has, nothing given back that was not taken', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 25 }), async (steps) => {
        const inventory = new MemoryInventory();
        const onHand: Record<Sku, number> = { A: 8, B: 1, C: 2 };
        for (const sku of SKUS) await inventory.configure({ sku, available: onHand[sku] });
        const service = createOrderService({ store: new MemoryOrderStore(), inventory, clock: manualClock(), ids: sequentialIds() });
        const models: Model[] = [];
        const shopper: Actor = { type: 'customer', id: 'u1' };
        let tx = 0;
        const load = async (id: string): Promise<Order> => (await service.get(id))!;
        const must = async (id: string, command: Command, actor: Actor) => {
          const r = await service.dispatch(id, command, actor);
          if (!r.ok) throw new Error(`${command.type}: ${r.error.code} ${r.error.message}`);
          return r.order;
        };
        const shipExchange = async (m: Model, w: Model['waiting'][number]): Promise<boolean> => {
          const r = await service.dispatch(m.id, { type: 'SHIP_EXCHANGE', afterSaleId: w.afterSaleId, trackingNo: 'SF2', expressCompany: 'SF' } as Command, merchant);
          if (!r.ok) {
            expect(r.error.code).toBe('OUT_OF_STOCK');
            return false;
          }
          receive(m, w.sku, w.qty);
          return true;
        };

        const run = async (s: Step): Promise<void> => {
          if (s.t === 'place') {
            const r = await service.place({ customerId: 'u1', quote: quote([line('L', s.qty, 1000, { sku: 'A' })]) });
            if (!r.ok) {
              expect(r.error.code).toBe('OUT_OF_STOCK');
              return;
            }
            models.push({ id: r.order.id, lineSku: 'A', held: new Map([['A', s.qty]]), waiting: [] });
            return;
          }
          if (s.t === 'restock') {
            const level = (await inventory.level(s.sku))!;
            await inventory.configure({ sku: s.sku, available: level.available + s.n });
            onHand[s.sku] += s.n;
            return;
          }
          if (s.t === 'drain') {
            await service.drainOutbox({});
            return;
          }
          const m = models[s.i % Math.max(1, models.length)];
          if (m === undefined) return;
          let o = await load(m.id);
          if (s.t === 'exchange' || s.t === 'return') {
            // Goods go back only once shipped: pay and ship first when needed.
            if (o.status === 'pending_payment') o = await must(m.id, { type: 'PAYMENT_SUCCEEDED', amount: o.pricing.total, transactionId: `tx-${++tx}` } as Command, gateway);
            if (o.status === 'paid') o = await must(m.id, { type: 'SHIP', logisticsType: 'express', trackingNo: `SF${m.id}`, expressCompany: 'SF' } as Command, merchant);
          }
          if (s.t === 'pay') {
            if (o.status === 'pending_payment') await must(m.id, { type: 'PAYMENT_SUCCEEDED', amount: o.pricing.total, transactionId: `tx-${++tx}` } as Command, gateway);
          } else if (s.t === 'ship') {
            if (o.status === 'paid') await must(m.id, { type: 'SHIP', logisticsType: 'express', trackingNo: `SF${m.id}`, expressCompany: 'SF' } as Command, merchant);
          } else if (s.t === 'customerCancel' || s.t === 'merchantCancel') {
            // A shopper's cancel of a paid order is a refund request (docs/lifecycle.md): left out here.
            if (s.t === 'customerCancel' && o.status !== 'pending_payment') return;
            const r = await service.dispatch(m.id, { type: 'CANCEL' } as Command, s.t === 'customerCancel' ? shopper : merchant);
            if (r.ok && r.order.status === 'closed') m.held.clear();
          } else if (s.t === 'retryShip') {
            const w = m.waiting[0];
            if (w && (await shipExchange(m, w))) m.waiting.shift();
          } else if (s.t === 'exchange') {
            if (o.status !== 'shipped' || s.qty > total(m)) return;
            const asked = await service.dispatch(m.id, { type: 'REQUEST_EXCHANGE', items: [{ lineId: 'L', quantity: s.qty, sku: s.sku }], reason: '换尺码' } as Command, shopper);
            if (!asked.ok) return;
            const afterSaleId = asked.order.afterSales[asked.order.afterSales.length - 1]!.id;
            await must(m.id, { type: 'APPROVE_AFTER_SALE', afterSaleId } as Command, merchant);
            await must(m.id, { type: 'RETURN_SHIPPED', afterSaleId, trackingNo: 'YT1', expressCompany: 'YTO' } as Command, shopper);
            await must(m.id, { type: 'RETURN_RECEIVED', afterSaleId } as Command, merchant);
            sendBack(m, s.qty);
            const w = { afterSaleId, sku: s.sku, qty: s.qty };
            if (!(await shipExchange(m, w))) m.waiting.push(w);
          } else if (s.t === 'return') {
            if (o.status !== 'shipped' || s.qty > total(m)) return;
            const asked = await service.dispatch(m.id, { type: 'REQUEST_AFTER_SALE', kind: 'return_and_refund', items: [{ lineId: 'L', quantity: s.qty }], reason: '不要了' } as Command, shopper);
            if (!asked.ok) return;
            const afterSaleId = asked.order.afterSales[asked.order.afterSales.length - 1]!.id;
            await must(m.id, { type: 'APPROVE_AFTER_SALE', afterSaleId } as Command, merchant);
            await must(m.id, { type: 'RETURN_SHIPPED', afterSaleId, trackingNo: 'YT2', expressCompany: 'YTO' } as Command, shopper);
            await must(m.id, { type: 'RETURN_RECEIVED', afterSaleId } as Command, merchant);
            sendBack(m, s.qty);
          }
        };

        for (const s of steps) {
          await run(s);
          let heldSum: Record<string, number> = {};
          for (const m of models) {
            const got = Object.fromEntries((await inventory.heldBy(m.id)).map((h) => [h.sku, h.quantity]));
            const want = Object.fromEntries([...m.held].filter(([, n]) => n > 0));
            expect(got, `order ${m.id} after ${JSON.stringify(s)}`).toEqual(want);
            for (const [sku, n] of Object.entries(got)) heldSum = { ...heldSum, [sku]: (heldSum[sku] ?? 0) + n };
          }
          for (const sku of SKUS) {
            const level = (await inventory.level(sku))!;
            expect(level.available).toBeGreaterThanOrEqual(0);
            expect(level.available + level.held).toBe(onHand[sku]);
            expect(level.held).toBe(heldSum[sku] ?? 0);
          }
        }
      }),
      { numRuns: 300 },
    );
  });
});
