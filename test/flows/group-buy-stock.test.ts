import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createGroupBuy, groupBuyLifecycle, MemoryGroupStore } from '../../src/flows/index.js';
import { MemoryInventory } from '../../src/inventory/index.js';
import type { StockPolicy } from '../../src/inventory/types.js';
import type { Actor, Command, Order } from '../../src/order/index.js';
import { createOrderService } from '../../src/service/index.js';
import { MemoryOrderStore } from '../../src/storage/index.js';

/**
 * 拼团 meets the inventory (docs/inventory.md "The two policies", docs/flows.md "Group buy"): an
 * order gives its units back when it closes unpaid or refunded before shipping, whatever the group
 * did; under 付款减库存 a member whose payment found no stock is closed and refunded in full, and a
 * group never completes with more paid orders than there were units.
 */
const gateway: Actor = { type: 'payment', gateway: 'wechatpay' };
const MIN = 60_000;
const SKU = 'FRUIT-BOX';
const cart = { lines: [{ id: 'l1', sku: SKU, title: '水果礼盒', listPrice: 9900, quantity: 1 }] };
const rules = { freight: { defaultFee: 0 } };

async function setup(policy: StockPolicy, stock: number) {
  let now = Date.parse('2026-11-25T04:00:00Z');
  const clock = { now: () => new Date(now), advance: (ms: number) => void (now += ms) };
  const inventory = new MemoryInventory();
  await inventory.configure({ sku: SKU, available: stock, policy });
  const groups = new MemoryGroupStore();
  const service = createOrderService({ store: new MemoryOrderStore(), clock, lifecycle: groupBuyLifecycle(), inventory });
  let n = 0;
  const gb = createGroupBuy({ service, groups, clock, newOrderId: () => `m${++n}` });
  const pay = (o: Order) => service.dispatch(o.id, { type: 'PAYMENT_SUCCEEDED', amount: o.pricing.total, transactionId: `tx-${o.id}` } as Command, gateway);
  return { clock, inventory, groups, service, gb, pay };
}

describe('拼团 and stock', () => {
  it('a failed group gives back the units of its paid members (they are refunded before shipping)', async () => {
    const s = await setup('reserve_on_place', 5);
    const opened = await s.gb.open({ customerId: 'a', cart, rules }, { size: 2, deadline: new Date(s.clock.now().getTime() + 30 * MIN) });
    if (!opened.ok) throw opened.error;
    expect((await s.pay(opened.order)).ok).toBe(true);
    s.clock.advance(31 * MIN);
    await s.gb.sweep();
    const closed = (await s.service.get(opened.order.id))!;
    expect(closed).toMatchObject({ status: 'closed', closeReason: 'fully_refunded' });
    expect(await s.inventory.heldBy(opened.order.id)).toEqual([]);
    expect(await s.inventory.level(SKU)).toMatchObject({ available: 5, held: 0 });
  });

  it('付款减库存: a member whose payment finds no stock is closed and refunded, and the group cannot complete on it', async () => {
    const s = await setup('take_on_payment', 1);
    const opened = await s.gb.open({ customerId: 'a', cart, rules }, { size: 2, deadline: new Date(s.clock.now().getTime() + 30 * MIN) });
    if (!opened.ok) throw opened.error;
    const b = await s.gb.join(opened.group!.id, { customerId: 'b', cart, rules });
    if (!b.ok) throw b.error;
    expect((await s.pay(opened.order)).ok).toBe(true);
    const second = await s.pay(b.order);
    expect(second.ok && [second.order.status, second.order.closeReason, second.outOfStock?.code]).toEqual(['closed', 'out_of_stock', 'OUT_OF_STOCK']);
    expect(second.ok && second.order.refunds.map((r) => [r.amount, r.reason])).toEqual([[9900, 'out_of_stock']]);
    await s.gb.sweep();
    expect((await s.groups.get(opened.group!.id))!.status).toBe('open');
    expect((await s.service.get(opened.order.id))!.status).toBe('grouping');
    // The seat of the member refunded for want of stock is free again: a newcomer fills it.
    expect((await s.groups.get(opened.group!.id))!.members.map((m) => m.customerId)).toEqual(['a']);
    await s.inventory.configure({ sku: SKU, available: 1, policy: 'take_on_payment' });
    const c = await s.gb.join(opened.group!.id, { customerId: 'c', cart, rules });
    if (!c.ok) throw c.error;
    expect((await s.pay(c.order)).ok).toBe(true);
    expect((await s.gb.sweep()).completed).toEqual([opened.group!.id]);
    expect((await s.inventory.level(SKU))!).toMatchObject({ available: 0, held: 2 });
  });

  it('property: after any joins, payments, cancels and sweeps, available + held is on hand, closed orders hold nothing and no group completes on units it does not hold', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom<StockPolicy>('reserve_on_place', 'take_on_payment'),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 2, max: 4 }),
        fc.array(
          fc.oneof(
            fc.record({ t: fc.constant('join' as const) }),
            fc.record({ t: fc.constant('pay' as const), i: fc.nat(6) }),
            fc.record({ t: fc.constant('cancel' as const), i: fc.nat(6) }),
            fc.record({ t: fc.constant('sweep' as const), min: fc.integer({ min: 0, max: 20 }), both: fc.boolean() }),
          ),
          { maxLength: 12 },
        ),
        async (policy, stock, size, plan) => {
          const s = await setup(policy, stock);
          const opened = await s.gb.open({ customerId: 'c0', cart, rules }, { size, deadline: new Date(s.clock.now().getTime() + 30 * MIN) });
          const orders: Order[] = [];
          if (!opened.ok) {
            expect(opened.error.code).toBe('OUT_OF_STOCK');
            return;
          }
          const gid = opened.group!.id;
          orders.push(opened.order);
          let joined = 1;
          const sweep = async (both: boolean) => {
            if (both) await Promise.all([s.gb.sweep(), s.gb.sweep(), s.service.sweep()]);
            else await s.gb.sweep();
          };
          for (const step of plan) {
            if (step.t === 'join') {
              const r = await s.gb.join(gid, { customerId: `c${joined++}`, cart, rules });
              if (r.ok) orders.push(r.order);
              else expect(['GROUP_FULL', 'GROUP_CLOSED', 'OUT_OF_STOCK']).toContain(r.error.code);
            } else if (step.t === 'pay' && orders.length > 0) {
              const o = orders[step.i % orders.length]!;
              const r = await s.pay(o);
              if (!r.ok) expect(typeof r.error.code).toBe('string');
            } else if (step.t === 'cancel' && orders.length > 0) {
              const o = orders[step.i % orders.length]!;
              await s.service.dispatch(o.id, { type: 'CANCEL' } as Command, { type: 'customer', id: o.customerId });
            } else if (step.t === 'sweep') {
              s.clock.advance(step.min * MIN);
              await sweep(step.both);
            }
          }
          s.clock.advance(31 * MIN);
          await sweep(true);
          await sweep(false);
          const level = (await s.inventory.level(SKU))!;
          expect(level.available + level.held).toBe(stock);
          let heldByOrders = 0;
          let live = 0;
          let members = 0;
          for (const o of orders) {
            const now = (await s.service.get(o.id))!;
            const held = (await s.inventory.heldBy(o.id)).reduce((x, i) => x + i.quantity, 0);
            heldByOrders += held;
            if (now.status === 'closed') expect(held).toBe(0);
            if (now.status !== 'closed' && now.status !== 'pending_payment' && now.refunds.length === 0) {
              // A paid member that goes on (nothing refunded) holds its unit.
              expect(held).toBe(1);
              live++;
            }
            // A payment that arrived after the order closed is given back on its own (late_payment): not part of paidAmount.
            if (now.payment.paidAmount > 0 && now.closeReason !== 'out_of_stock') members++;
            const refunded = now.refunds.filter((r) => r.reason !== 'late_payment' && r.reason !== 'stray_payment').reduce((x, r) => x + r.amount, 0);
            expect(refunded).toBeLessThanOrEqual(now.payment.paidAmount);
            if (now.status === 'closed' && now.payment.paidAmount > 0) expect(refunded).toBe(now.payment.paidAmount);
          }
          expect(heldByOrders).toBe(level.held);
          expect(live).toBeLessThanOrEqual(stock);
          const group = (await s.groups.get(gid))!;
          expect(group.status).not.toBe('open');
          // A complete group had a unit for each of its paid members (one may have asked for a refund since).
          if (group.status === 'complete') expect(members).toBe(size);
        },
      ),
      { numRuns: 150 },
    );
  });
});
