import { describe, expect, it } from 'vitest';
import { createGroupBuy, groupBuyLifecycle, MemoryGroupStore } from '../../src/flows/index.js';
import { createOrderService } from '../../src/service/index.js';
import { MemoryOrderStore } from '../../src/storage/index.js';

/**
 * docs/flows.md "Group buy": `open` creates the group and places the leader's order. When that
 * order is refused, the group it created is closed as failed: before, it stayed open with no
 * member, and other shoppers could join a group whose leader never placed an order.
 */
const cart = { lines: [{ id: 'l1', sku: 'FRUIT-BOX', title: '水果礼盒', listPrice: 9900, quantity: 1 }] };
const rules = { freight: { defaultFee: 0 } };

describe('拼团: a leader whose order is refused', () => {
  it('leaves no open group behind for others to join', async () => {
    const now = new Date('2026-11-25T04:00:00Z');
    const clock = { now: () => now };
    const groups = new MemoryGroupStore();
    const service = createOrderService({ store: new MemoryOrderStore(), clock, lifecycle: groupBuyLifecycle() });
    const gb = createGroupBuy({ service, groups, clock });
    const deadline = new Date(now.getTime() + 3_600_000);
    // A line with a negative price: placement refuses it with a typed error.
    const refused = await gb.open({ customerId: 'leader', cart: { lines: [{ ...cart.lines[0]!, listPrice: -1 }] }, rules }, { size: 2, deadline, id: 'G1' });
    expect(refused.ok).toBe(false);
    expect((await groups.get('G1'))?.status).toBe('failed');
    expect(await groups.listOpen()).toEqual([]);
    const joined = await gb.join('G1', { customerId: 'b', cart, rules });
    expect(joined.ok).toBe(false);
    // A group of its own opens normally.
    const ok = await gb.open({ customerId: 'leader', cart, rules }, { size: 2, deadline, id: 'G2' });
    expect(ok.ok).toBe(true);
    expect((await groups.get('G2'))?.members).toHaveLength(1);
  });
});
