import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createPresale, presaleLifecycle, presaleOf } from '../../src/flows/index.js';
import { MemoryInventory } from '../../src/inventory/index.js';
import type { StockPolicy } from '../../src/inventory/types.js';
import type { Actor, Command, Order } from '../../src/order/index.js';
import { createOrderService } from '../../src/service/index.js';
import { MemoryOrderStore } from '../../src/storage/index.js';

/**
 * 预售 meets the inventory (docs/inventory.md "The two policies", docs/flows.md "Presale"): under
 * 付款减库存 the deposit is the payment that takes the units; a deposit that finds none is closed
 * as out_of_stock and refunded, whatever the deposit policy; whatever happens after, available +
 * held is what is on hand and a closed order holds nothing.
 */
const gateway: Actor = { type: 'payment', gateway: 'wechatpay' };
const DAY = 86_400_000;
const SKU = 'PHONE-X';
const cart = { lines: [{ id: 'l1', sku: SKU, title: '新款手机', listPrice: 399900, quantity: 1 }] };
const rules = { freight: { defaultFee: 0 } };
const address = { name: '张三', phone: '13800000000', province: '上海市', city: '上海市', detail: '1 号' };

async function setup(policy: StockPolicy, stock: number) {
  let now = Date.parse('2026-11-01T04:00:00Z');
  const clock = { now: () => new Date(now), advance: (ms: number) => void (now += ms) };
  const inventory = new MemoryInventory();
  await inventory.configure({ sku: SKU, available: stock, policy });
  const service = createOrderService({ store: new MemoryOrderStore(), clock, lifecycle: presaleLifecycle(), inventory });
  const presale = createPresale({ service, clock });
  const start = now;
  const place = (customerId: string, depositRefundable: boolean) =>
    presale.place({ customerId, cart, rules, address }, { deposit: 10000, deduction: 5000, balanceFrom: new Date(start + 10 * DAY), balanceUntil: new Date(start + 12 * DAY), depositRefundable });
  const payPart = async (order: Order, which: 'deposit' | 'balance', tx: string) => {
    const p = presaleOf(order)!.parts.find((x) => x.part === which)!;
    return service.dispatch(order.id, { type: which === 'deposit' ? 'PAY_DEPOSIT' : 'PAY_BALANCE', amount: p.amount, transactionId: tx, outTradeNo: p.outTradeNo } as unknown as Command, gateway);
  };
  return { clock, inventory, service, presale, place, payPart };
}

describe('预售 and stock', () => {
  it('付款减库存: the deposit takes the unit; a second deposit finds none and is refunded as out_of_stock', async () => {
    const s = await setup('take_on_payment', 1);
    const a = await s.place('u1', false);
    const b = await s.place('u2', false);
    if (!a.ok || !b.ok) throw new Error('placement failed');
    const first = await s.payPart(a.order, 'deposit', 'tx-a');
    expect(first.ok && first.order.status).toBe('deposit_paid');
    expect(await s.inventory.heldBy(a.order.id)).toEqual([{ sku: SKU, quantity: 1 }]);
    const second = await s.payPart(b.order, 'deposit', 'tx-b');
    expect(second.ok && [second.order.status, second.order.closeReason, second.outOfStock?.code]).toEqual(['closed', 'out_of_stock', 'OUT_OF_STOCK']);
    // The deposit is not kept: the shop could not sell the goods (docs/inventory.md).
    expect(second.ok && second.order.refunds.map((r) => [r.amount, r.transactionId, r.reason])).toEqual([[10000, 'tx-b', 'out_of_stock']]);
    expect(await s.inventory.level(SKU)).toMatchObject({ available: 0, held: 1 });
  });

  it('property: after any placements, deposits, balances, cancels and sweeps, available + held is on hand and no unit is sold twice', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom<StockPolicy>('reserve_on_place', 'take_on_payment'),
        fc.integer({ min: 1, max: 3 }),
        fc.array(
          fc.oneof(
            fc.record({ t: fc.constant('place' as const), refundable: fc.boolean() }),
            fc.record({ t: fc.constant('deposit' as const), i: fc.nat(6) }),
            fc.record({ t: fc.constant('balance' as const), i: fc.nat(6) }),
            fc.record({ t: fc.constant('cancel' as const), i: fc.nat(6), merchant: fc.boolean() }),
            fc.record({ t: fc.constant('time' as const), days: fc.integer({ min: 0, max: 6 }) }),
          ),
          { maxLength: 14 },
        ),
        async (policy, stock, plan) => {
          const s = await setup(policy, stock);
          const orders: Order[] = [];
          let n = 0;
          for (const step of plan) {
            const o = orders.length > 0 && 'i' in step ? orders[step.i % orders.length]! : undefined;
            if (step.t === 'place') {
              const r = await s.place(`u${n++}`, step.refundable);
              if (r.ok) orders.push(r.order);
              else expect(r.error.code).toBe('OUT_OF_STOCK');
            } else if (step.t === 'deposit' && o) {
              await s.payPart((await s.service.get(o.id))!, 'deposit', `tx-${o.id}-D`);
            } else if (step.t === 'balance' && o) {
              await s.payPart((await s.service.get(o.id))!, 'balance', `tx-${o.id}-B`);
            } else if (step.t === 'cancel' && o) {
              await s.service.dispatch(o.id, { type: 'CANCEL' } as Command, step.merchant ? { type: 'merchant', id: 'staff' } : { type: 'customer', id: o.customerId });
            } else if (step.t === 'time') {
              s.clock.advance(step.days * DAY);
              await Promise.all([s.presale.sweep(), s.service.sweep()]);
            }
          }
          const level = (await s.inventory.level(SKU))!;
          expect(level.available + level.held).toBe(stock);
          let held = 0;
          let live = 0;
          for (const o of orders) {
            const now = (await s.service.get(o.id))!;
            const units = (await s.inventory.heldBy(o.id)).reduce((x, i) => x + i.quantity, 0);
            held += units;
            if (now.status === 'closed') expect(units).toBe(0);
            if (now.status !== 'closed' && now.status !== 'pending_payment' && now.refunds.length === 0) {
              expect(units).toBe(1);
              live++;
            }
            const refunded = now.refunds.filter((r) => r.reason !== 'late_payment' && r.reason !== 'stray_payment').reduce((x, r) => x + r.amount, 0);
            expect(refunded).toBeLessThanOrEqual(now.payment.paidAmount);
            if (now.closeReason === 'out_of_stock') expect(refunded).toBe(now.payment.paidAmount);
          }
          expect(held).toBe(level.held);
          expect(live).toBeLessThanOrEqual(stock);
        },
      ),
      { numRuns: 150 },
    );
  });
});
