import { describe, expect, it } from 'vitest';
import { createPresale, presaleLifecycle, presaleOf } from '../../src/flows/index.js';
import { MemoryInventory } from '../../src/inventory/index.js';
import type { Actor, Command } from '../../src/order/index.js';
import { createOrderService } from '../../src/service/index.js';
import { MemoryOrderStore, type CommitInput } from '../../src/storage/index.js';

/**
 * 付款减库存 where the store writes chains (docs/inventory.md; `OrderStore.commitChain`, as
 * PostgresOrderStore does): a presale deposit that queues up behind other commands of its order is
 * still written alone and takes its units, as PAYMENT_SUCCEEDED does.
 */
class ChainingStore extends MemoryOrderStore {
  chains = 0;
  async commitChain(inputs: CommitInput[]): Promise<void> {
    this.chains++;
    for (const input of inputs) await this.commit(input);
  }
}

const gateway: Actor = { type: 'payment', gateway: 'wechatpay' };
const merchant: Actor = { type: 'merchant', id: 'staff' };
const DAY = 86_400_000;
const address = { name: '张三', phone: '13800000000', province: '上海市', city: '上海市', detail: '1 号' };

describe('预售 deposits with a chain-writing store', () => {
  it('a deposit queued behind remarks takes its unit', async () => {
    const now = Date.parse('2026-11-01T04:00:00Z');
    const clock = { now: () => new Date(now) };
    const inventory = new MemoryInventory();
    await inventory.configure({ sku: 'P', available: 1, policy: 'take_on_payment' });
    const store = new ChainingStore();
    const service = createOrderService({ store, clock, lifecycle: presaleLifecycle(), inventory });
    const presale = createPresale({ service, clock });
    const placed = await presale.place(
      { customerId: 'u1', cart: { lines: [{ id: 'l1', sku: 'P', title: '手机', listPrice: 100000, quantity: 1 }] }, rules: { freight: { defaultFee: 0 } }, address },
      { deposit: 10000, balanceFrom: new Date(now + DAY), balanceUntil: new Date(now + 2 * DAY) },
    );
    if (!placed.ok) throw placed.error;
    const part = presaleOf(placed.order)!.parts[0]!;
    // The store writes chains: commands that queue up for one order go in one.
    await Promise.all(['a', 'b', 'c'].map((text) => service.dispatch(placed.order.id, { type: 'ADD_REMARK', text } as Command, merchant)));
    expect(store.chains).toBeGreaterThan(0);
    const results = await Promise.all([
      service.dispatch(placed.order.id, { type: 'ADD_REMARK', text: 'one' } as Command, merchant),
      service.dispatch(placed.order.id, { type: 'ADD_REMARK', text: 'two' } as Command, merchant),
      service.dispatch(placed.order.id, { type: 'PAY_DEPOSIT', amount: part.amount, transactionId: 'tx-D', outTradeNo: part.outTradeNo } as unknown as Command, gateway),
    ]);
    expect(results.map((r) => r.ok && r.order.status)).toEqual(['pending_payment', 'pending_payment', 'deposit_paid']);
    expect(await inventory.heldBy(placed.order.id)).toEqual([{ sku: 'P', quantity: 1 }]);
    expect(await inventory.level('P')).toMatchObject({ available: 0, held: 1 });
  });
});
