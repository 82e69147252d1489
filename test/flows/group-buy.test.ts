import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createGroupBuy, groupBuyLifecycle, MemoryGroupStore } from '../../src/flows/index.js';
import type { Actor, Command, Order } from '../../src/order/index.js';
import { createOrderService } from '../../src/service/index.js';
import { MemoryOrderStore } from '../../src/storage/index.js';

/**
 * 拼团 (docs/flows.md "Group buy") through the order service and the group sweeper: a complete
 * group lets every member's order proceed; a failed one refunds every paid member in full, exactly
 * once, however often (and however concurrently) the sweeper runs.
 */
const gateway: Actor = { type: 'payment', gateway: 'wechatpay' };
const MIN = 60_000;
const cart = { lines: [{ id: 'l1', sku: 'FRUIT-BOX', title: '水果礼盒', listPrice: 9900, quantity: 1 }] };
const rules = { freight: { defaultFee: 0 } };

function setup() {
  let now = Date.parse('2026-11-25T04:00:00Z');
  const clock = { now: () => new Date(now), advance: (ms: number) => void (now += ms) };
  const groups = new MemoryGroupStore();
  const lifecycle = groupBuyLifecycle();
  const service = createOrderService({ store: new MemoryOrderStore(), clock, lifecycle });
  let n = 0;
  const gb = createGroupBuy({ service, groups, clock, newOrderId: () => `m${++n}` });
  const pay = async (order: Order) => {
    const r = await service.dispatch(order.id, { type: 'PAYMENT_SUCCEEDED', amount: order.pricing.total, transactionId: `tx-${order.id}` } as Command, gateway);
    if (!r.ok) throw r.error;
    return r.order;
  };
  return { clock, groups, service, gb, pay, lifecycle };
}

async function member(s: ReturnType<typeof setup>, groupId: string, customerId: string) {
  const r = await s.gb.join(groupId, { customerId, cart, rules });
  if (!r.ok) throw r.error;
  return r.order;
}

describe('拼团 (group buy)', () => {
  it('the group completes: every member waits in 拼团中 after paying, then proceeds to 待发货', async () => {
    const s = setup();
    const opened = await s.gb.open({ customerId: 'leader', cart, rules }, { size: 3, deadline: new Date(s.clock.now().getTime() + 60 * MIN) });
    if (!opened.ok) throw opened.error;
    const gid = opened.group!.id;
    const orders = [opened.order, await member(s, gid, 'b'), await member(s, gid, 'c')];
    for (const o of orders.slice(0, 2)) expect((await s.pay(o)).status).toBe('grouping');
    expect((await s.gb.sweep()).ordersMoved).toBe(0);
    await s.pay(orders[2]!);
    const report = await s.gb.sweep();
    expect(report).toMatchObject({ completed: [gid], ordersMoved: 3 });
    for (const o of orders) expect((await s.service.get(o.id))!.status).toBe('paid');
    expect((await s.groups.get(gid))!.status).toBe('complete');
    // After the deadline nothing fails a complete group.
    s.clock.advance(61 * MIN);
    expect((await s.gb.sweep()).ordersMoved).toBe(0);
    const ship = await s.service.dispatch(orders[0]!.id, { type: 'SHIP', logisticsType: 'express' } as Command, { type: 'merchant', id: 's' });
    expect(ship.ok).toBe(true);
  });

  it('the deadline passes first: paid members refunded in full once, unpaid ones closed; sweeping again refunds nobody twice', async () => {
    const s = setup();
    const opened = await s.gb.open({ customerId: 'leader', cart, rules }, { size: 3, deadline: new Date(s.clock.now().getTime() + 20 * MIN) });
    if (!opened.ok) throw opened.error;
    const gid = opened.group!.id;
    const b = await member(s, gid, 'b');
    const c = await member(s, gid, 'c');
    await s.pay(opened.order);
    await s.pay(b);
    // GROUP_FAILED cannot come before the deadline.
    const early = await s.service.dispatch(b.id, { type: 'GROUP_FAILED' } as unknown as Command, { type: 'system' });
    expect(!early.ok && early.error.code).toBe('INVALID_TRANSITION');
    s.clock.advance(21 * MIN);
    const [one, two] = await Promise.all([s.gb.sweep(), s.gb.sweep()]);
    expect(one.failed.length + two.failed.length).toBe(1);
    await s.gb.sweep();
    for (const o of [opened.order, b]) {
      const now = (await s.service.get(o.id))!;
      expect(now).toMatchObject({ status: 'closed', closeReason: 'fully_refunded' });
      expect(now.refunds.map((r) => [r.amount, r.transactionId])).toEqual([[9900, `tx-${o.id}`]]);
    }
    const unpaid = (await s.service.get(c.id))!;
    expect(unpaid).toMatchObject({ status: 'closed', closeReason: 'payment_timeout', refunds: [] });
  });

  it('joining a full, closed or unknown group is a typed error and places nothing', async () => {
    const s = setup();
    const opened = await s.gb.open({ customerId: 'leader', cart, rules }, { size: 2, deadline: new Date(s.clock.now().getTime() + 30 * MIN) });
    if (!opened.ok) throw opened.error;
    const gid = opened.group!.id;
    await member(s, gid, 'b');
    const before = (await s.service.list({ limit: 100 })).items.length;
    const seats = (await s.groups.get(gid))!.members.length;
    const full = await s.gb.join(gid, { customerId: 'c', cart, rules });
    expect((await s.groups.get(gid))!.members.length).toBe(seats);
    expect(!full.ok && { code: full.error.code, path: full.error.path, zh: full.error.messages['zh-CN'] }).toEqual({ code: 'GROUP_FULL', path: ['groupId'], zh: `拼团 ${gid} 已满（2 人），请开新团或参加其他团` });
    const twice = await s.gb.join(gid, { customerId: 'b', cart, rules });
    expect(!twice.ok && twice.error.code).toBe('ALREADY_IN_GROUP');
    expect(await s.gb.join('G-none', { customerId: 'c', cart, rules })).toMatchObject({ ok: false, error: { code: 'UNKNOWN_GROUP' } });
    const late = await s.gb.open({ customerId: 'd', cart, rules }, { size: 2, deadline: new Date(s.clock.now().getTime() + MIN) });
    if (!late.ok) throw late.error;
    s.clock.advance(2 * MIN);
    const closed = await s.gb.join(late.group!.id, { customerId: 'e', cart, rules });
    expect(!closed.ok && [closed.error.code, closed.error.path]).toEqual(['GROUP_CLOSED', ['groupId']]);
    expect(!closed.ok && closed.error.messages['zh-CN']).toMatch(/不能再参加/);
    // Nobody took a seat: the group is as it was.
    expect((await s.groups.get(late.group!.id))!.members.map((m) => m.customerId)).toEqual(['d']);
    expect(!closed.ok && closed.error.messages.en).toMatch(/cannot be joined/);
    expect((await s.service.list({ limit: 100 })).items.length).toBe(before + 1);
    const bad = await s.gb.open({ customerId: 'f', cart, rules }, { size: 1, deadline: new Date(s.clock.now().getTime() + MIN) });
    expect(!bad.ok && [bad.error.code, bad.error.path]).toEqual(['INVALID_GROUP', ['size']]);
  });

  it('property: whoever pays and whenever the sweeper runs, a failed group refunds every paid member exactly once and a complete one refunds nobody', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 2, max: 4 }),
        fc.array(fc.record({ pays: fc.boolean(), sweepAfterMin: fc.integer({ min: 0, max: 40 }), double: fc.boolean() }), { minLength: 2, maxLength: 4 }),
        async (size, plan) => {
          const s = setup();
          const opened = await s.gb.open({ customerId: 'c0', cart, rules }, { size, deadline: new Date(s.clock.now().getTime() + 30 * MIN) });
          if (!opened.ok) throw opened.error;
          const gid = opened.group!.id;
          const orders: Order[] = [opened.order];
          for (let i = 1; i < plan.length; i++) {
            const r = await s.gb.join(gid, { customerId: `c${i}`, cart, rules });
            if (r.ok) orders.push(r.order);
            else expect(r.error.code).toBe('GROUP_FULL');
          }
          const paid = new Set<string>();
          for (let i = 0; i < orders.length; i++) {
            const step = plan[i]!;
            if (step.pays && s.clock.now().getTime() < Date.parse(orders[i]!.deadlines.payBy!)) {
              const r = await s.service.dispatch(orders[i]!.id, { type: 'PAYMENT_SUCCEEDED', amount: orders[i]!.pricing.total, transactionId: `tx-${i}` } as Command, gateway);
              if (r.ok && r.order.payment.transactionId === `tx-${i}`) paid.add(orders[i]!.id);
            }
            s.clock.advance(step.sweepAfterMin * MIN);
            if (step.double) await Promise.all([s.gb.sweep(), s.gb.sweep()]);
            else await s.gb.sweep();
          }
          s.clock.advance(31 * MIN);
          await Promise.all([s.gb.sweep(), s.gb.sweep()]);
          await s.gb.sweep();
          const group = (await s.groups.get(gid))!;
          expect(group.status).not.toBe('open');
          for (const o of orders) {
            const now = (await s.service.get(o.id))!;
            const back = now.refunds.filter((r) => r.reason === 'merchant_cancel');
            expect(now.payment.attempts.filter((a) => a.status === 'paid').reduce((x, a) => x + a.amount, 0)).toBe(now.payment.paidAmount);
            if (group.status === 'complete') {
              expect(back).toEqual([]);
              if (paid.has(o.id)) expect(now.status).toBe('paid');
            } else if (paid.has(o.id)) {
              expect(back.map((r) => r.amount)).toEqual([now.payment.paidAmount]);
              expect(now.status).toBe('closed');
            } else {
              expect(back).toEqual([]);
            }
          }
          if (group.status === 'complete') expect(paid.size).toBe(size);
        },
      ),
      { numRuns: 60 },
    );
  });
});
