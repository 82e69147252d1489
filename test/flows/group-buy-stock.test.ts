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
});
