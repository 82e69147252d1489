import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MemoryInventory } from '../../src/inventory/index.js';
import type { StockPolicy } from '../../src/inventory/types.js';
import type { Actor, Command, Order } from '../../src/order/index.js';
import { createOrderService } from '../../src/service/index.js';
import { MemoryOrderStore } from '../../src/storage/index.js';
import { DAY, gateway, line, manualClock, merchant, quote, sequentialIds } from '../service/fixtures.js';

/**
 * The service and the inventory, model-free (docs/inventory.md): after any batches of placements,
 * payments, cancels, expiries, refunds before shipping and returns, run concurrently within a batch,
 * every SKU's available + held is what is on hand, held is what the orders hold, a closed order
 * holds nothing, an order that goes on untouched holds all its units, and no customer holds more
 * of a 限购 SKU than the limit.
 */
const LIMIT = 2;
const ON_HAND = { TEA: 4, CUP: 3 };

type Step =
  | { t: 'place'; c: number; tea: number; cup: number }
  | { t: 'pay' | 'customerCancel' | 'merchantCancel' | 'refundOne' | 'ship' | 'returnOne'; i: number }
  | { t: 'sweep'; days: number };

const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ t: fc.constant('place' as const), c: fc.nat(2), tea: fc.integer({ min: 0, max: 3 }), cup: fc.integer({ min: 0, max: 2 }) }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('pay' as const), i: fc.nat(9) }) },
  fc.record({ t: fc.constantFrom('customerCancel' as const, 'merchantCancel' as const, 'refundOne' as const, 'ship' as const, 'returnOne' as const), i: fc.nat(9) }),
  fc.record({ t: fc.constant('sweep' as const), days: fc.integer({ min: 0, max: 2 }) }),
);

describe('service + MemoryInventory: stock over any run', () => {
  it('property: available + held is on hand, closed orders hold nothing, 限购 holds under concurrency', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom<StockPolicy>('reserve_on_place', 'take_on_payment'),
        fc.constantFrom<StockPolicy>('reserve_on_place', 'take_on_payment'),
        fc.array(fc.array(step, { minLength: 1, maxLength: 3 }), { maxLength: 12 }),
        async (teaPolicy, cupPolicy, batches) => {
          const inventory = new MemoryInventory();
          await inventory.configure({ sku: 'TEA', available: ON_HAND.TEA, policy: teaPolicy, limit: { perCustomer: LIMIT } });
          await inventory.configure({ sku: 'CUP', available: ON_HAND.CUP, policy: cupPolicy });
          const clock = manualClock();
          const service = createOrderService({ store: new MemoryOrderStore(), inventory, clock, ids: sequentialIds() });
          const orders: Order[] = [];
          let tx = 0;
          const fresh = async (i: number) => (orders.length === 0 ? undefined : (await service.get(orders[i % orders.length]!.id))!);
          const shopper = (o: Order): Actor => ({ type: 'customer', id: o.customerId });
          const run = async (s: Step): Promise<void> => {
            if (s.t === 'place') {
              const lines = [...(s.tea > 0 ? [line('tea', s.tea, 1000, { sku: 'TEA' })] : []), ...(s.cup > 0 ? [line('cup', s.cup, 500, { sku: 'CUP' })] : [])];
              if (lines.length === 0) return;
              const r = await service.place({ customerId: `u${s.c}`, quote: quote(lines) });
              if (r.ok) orders.push(r.order);
              else expect(['OUT_OF_STOCK', 'LIMIT_REACHED']).toContain(r.error.code);
              return;
            }
            if (s.t === 'sweep') {
              clock.advance(s.days * DAY);
              await service.sweep();
              return;
            }
            const o = await fresh(s.i);
            if (o === undefined) return;
            if (s.t === 'pay') await service.dispatch(o.id, { type: 'PAYMENT_SUCCEEDED', amount: o.pricing.total, transactionId: `tx-${++tx}` } as Command, gateway);
            else if (s.t === 'customerCancel') await service.dispatch(o.id, { type: 'CANCEL' } as Command, shopper(o));
            else if (s.t === 'merchantCancel') await service.dispatch(o.id, { type: 'CANCEL' } as Command, merchant);
            else if (s.t === 'ship') await service.dispatch(o.id, { type: 'SHIP', logisticsType: 'express', trackingNo: `SF${o.id}`, expressCompany: 'SF' } as Command, merchant);
            else if (s.t === 'refundOne') {
              const r = await service.dispatch(o.id, { type: 'REQUEST_AFTER_SALE', kind: 'refund_only', items: [{ lineId: o.lines[0]!.id, quantity: 1 }], reason: 'x' } as Command, shopper(o));
              if (r.ok) for (const f of r.order.refunds.filter((x) => x.status === 'pending')) await service.dispatch(o.id, { type: 'REFUND_SUCCEEDED', refundId: f.id } as Command, gateway);
            } else if (s.t === 'returnOne') {
              if (o.status === 'paid') await service.dispatch(o.id, { type: 'SHIP', logisticsType: 'express', trackingNo: `SF${o.id}`, expressCompany: 'SF' } as Command, merchant);
              await service.dispatch(o.id, { type: 'CONFIRM_RECEIPT' } as Command, shopper(o));
              const asked = await service.dispatch(o.id, { type: 'REQUEST_AFTER_SALE', kind: 'return_and_refund', items: [{ lineId: o.lines[0]!.id, quantity: 1 }], reason: 'broken' } as Command, shopper(o));
              if (!asked.ok) return;
              const afterSaleId = asked.order.afterSales[asked.order.afterSales.length - 1]!.id;
              await service.dispatch(o.id, { type: 'APPROVE_AFTER_SALE', afterSaleId } as Command, merchant);
              await service.dispatch(o.id, { type: 'RETURN_SHIPPED', afterSaleId, trackingNo: 'R1', expressCompany: 'SF' } as Command, shopper(o));
              await service.dispatch(o.id, { type: 'RETURN_RECEIVED', afterSaleId } as Command, merchant);
            }
          };
          for (const batch of batches) {
            await Promise.all(batch.map(run));
            const heldBy = new Map<string, number>();
            const teaByCustomer = new Map<string, number>();
            for (const placed of orders) {
              const o = (await service.get(placed.id))!;
              const held = await inventory.heldBy(o.id);
              for (const h of held) heldBy.set(h.sku, (heldBy.get(h.sku) ?? 0) + h.quantity);
              const tea = held.find((h) => h.sku === 'TEA')?.quantity ?? 0;
              teaByCustomer.set(o.customerId, (teaByCustomer.get(o.customerId) ?? 0) + tea);
              if (o.status === 'closed') expect(held).toEqual([]);
              const untouched = o.refunds.length === 0 && o.afterSales.length === 0 && o.status !== 'closed';
              if (untouched) {
                for (const l of o.lines) {
                  const policy = l.sku === 'TEA' ? teaPolicy : cupPolicy;
                  const expected = policy === 'reserve_on_place' || o.status !== 'pending_payment' ? l.quantity : 0;
                  expect(held.find((h) => h.sku === l.sku)?.quantity ?? 0).toBe(expected);
                }
              }
            }
            for (const sku of ['TEA', 'CUP'] as const) {
              const level = (await inventory.level(sku))!;
              expect(level.available + level.held).toBe(ON_HAND[sku]);
              expect(level.available).toBeGreaterThanOrEqual(0);
              expect(heldBy.get(sku) ?? 0).toBe(level.held);
            }
            for (const n of teaByCustomer.values()) expect(n).toBeLessThanOrEqual(LIMIT);
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});
