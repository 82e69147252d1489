import { describe, expect, it } from 'vitest';
import { createGroupBuy, groupBuyLifecycle, MemoryGroupStore } from '../../src/flows/index.js';
import type { Actor, Command, Order } from '../../src/order/index.js';
import { createOrderService } from '../../src/service/index.js';
import { MemoryOrderStore } from '../../src/storage/index.js';

/**
 * docs/flows.md "Group buy": every seat paid → GROUP_COMPLETED; "the deadline passed first" →
 * GROUP_FAILED. A seat taken before the deadline can be paid after it; that payment came after the
 * deadline, so the group failed, whenever the sweeper happens to run. Before, a group whose last
 * seat was paid late completed if no sweep had run between the deadline and the payment, and failed
 * if one had: the outcome hung on the sweeper's timing.
 */
const gateway: Actor = { type: 'payment', gateway: 'wechatpay' };
const MIN = 60_000;
const cart = { lines: [{ id: 'l1', sku: 'FRUIT-BOX', title: '水果礼盒', listPrice: 9900, quantity: 1 }] };
const rules = { freight: { defaultFee: 0 } };

function setup() {
  let now = Date.parse('2026-11-25T04:00:00Z');
  const clock = { now: () => new Date(now), advance: (ms: number) => void (now += ms) };
  const groups = new MemoryGroupStore();
  const service = createOrderService({ store: new MemoryOrderStore(), clock, lifecycle: groupBuyLifecycle() });
  let n = 0;
  const gb = createGroupBuy({ service, groups, clock, newOrderId: () => `m${++n}` });
  const pay = async (order: Order, paidAt?: string) => {
    const command = { type: 'PAYMENT_SUCCEEDED', amount: order.pricing.total, transactionId: `tx-${order.id}`, ...(paidAt ? { paidAt } : {}) } as Command;
    const r = await service.dispatch(order.id, command, gateway);
    if (!r.ok) throw r.error;
    return r.order;
  };
  return { clock, groups, service, gb, pay };
}

async function opened(s: ReturnType<typeof setup>) {
  const deadline = new Date(s.clock.now().getTime() + 60 * MIN);
  const leader = await s.gb.open({ customerId: 'leader', cart, rules }, { size: 2, deadline });
  if (!leader.ok) throw leader.error;
  const other = await s.gb.join(leader.group!.id, { customerId: 'b', cart, rules });
  if (!other.ok) throw other.error;
  return { gid: leader.group!.id, deadline, orders: [leader.order, other.order] };
}

describe('拼团: a seat paid after the deadline', () => {
  it('fails the group (everyone paid is refunded), with no sweep between the deadline and the payment', async () => {
    const s = setup();
    const { gid, orders } = await opened(s);
    await s.pay(orders[0]!);
    s.clock.advance(61 * MIN);
    await s.pay(orders[1]!);
    const report = await s.gb.sweep();
    expect(report.failed).toEqual([gid]);
    expect(report.completed).toEqual([]);
    for (const o of orders) {
      const stored = (await s.service.get(o.id))!;
      expect(stored.status).toBe('closed');
      expect(stored.refunds.reduce((sum, r) => sum + r.amount, 0)).toBe(o.pricing.total);
    }
    expect((await s.groups.get(gid))!.status).toBe('failed');
  });

  it('completes the group when the last payment was made in time and only notified after the deadline (paidAt decides)', async () => {
    const s = setup();
    const { gid, deadline, orders } = await opened(s);
    await s.pay(orders[0]!);
    s.clock.advance(61 * MIN);
    await s.pay(orders[1]!, new Date(deadline.getTime() - 30_000).toISOString());
    const report = await s.gb.sweep();
    expect(report.completed).toEqual([gid]);
    for (const o of orders) expect((await s.service.get(o.id))!.status).toBe('paid');
  });
});
