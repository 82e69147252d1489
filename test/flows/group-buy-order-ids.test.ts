import { describe, expect, it } from 'vitest';
import { createGroupBuy, groupBuyLifecycle, MemoryGroupStore } from '../../src/flows/index.js';
import type { Actor, Command } from '../../src/order/index.js';
import { createOrderService, type PlaceInput } from '../../src/service/index.js';
import { MemoryOrderStore } from '../../src/storage/index.js';

/**
 * A join under the id of an order already seated (a caller's own order ids, docs/flows.md "Group
 * buy"): refused before a seat is taken, so the seated member stays in the group and a failed group
 * still refunds them. Before, the failed placement's `leave` gave back both seats of that id: the
 * paid leader left the group and waited in 拼团中 with their money for ever.
 */
const gateway: Actor = { type: 'payment', gateway: 'wechatpay' };
const cart = { lines: [{ id: 'l1', sku: 'FRUIT-BOX', title: '水果礼盒', listPrice: 9900, quantity: 1 }] };
const rules = { freight: { defaultFee: 0 } };

describe('拼团: order ids', () => {
  it('a join under a seated order id is refused and the seated member is refunded when the group fails', async () => {
    let now = Date.parse('2026-11-25T04:00:00Z');
    const clock = { now: () => new Date(now) };
    const groups = new MemoryGroupStore();
    const service = createOrderService({ store: new MemoryOrderStore(), clock, lifecycle: groupBuyLifecycle() });
    const gb = createGroupBuy({ service, groups, clock });
    const leader = await gb.open({ customerId: 'a', cart, rules, id: 'o1' } as PlaceInput & { customerId: string }, { size: 3, deadline: new Date(now + 60_000) });
    if (!leader.ok) throw leader.error;
    const gid = leader.group!.id;
    expect((await service.dispatch('o1', { type: 'PAYMENT_SUCCEEDED', amount: 9900, transactionId: 'tx-a' } as Command, gateway)).ok).toBe(true);
    const twin = await gb.join(gid, { customerId: 'x', cart, rules, id: 'o1' } as PlaceInput & { customerId: string });
    expect(!twin.ok && [twin.error.code, twin.error.path]).toEqual(['ORDER_EXISTS', ['id']]);
    expect((await groups.get(gid))!.members.map((m) => [m.customerId, m.orderId])).toEqual([['a', 'o1']]);
    now += 120_000;
    expect((await gb.sweep()).failed).toEqual([gid]);
    const a = (await service.get('o1'))!;
    expect(a).toMatchObject({ status: 'closed', closeReason: 'fully_refunded' });
    expect(a.refunds.map((r) => [r.amount, r.transactionId])).toEqual([[9900, 'tx-a']]);
  });
});
