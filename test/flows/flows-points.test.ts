import { describe, expect, it } from 'vitest';
import { createGroupBuy, createPresale, groupBuyLifecycle, MemoryGroupStore, presaleLifecycle, presaleOf } from '../../src/flows/index.js';
import type { Actor, Command, Effect, Order } from '../../src/order/index.js';
import { createOrderService } from '../../src/service/index.js';
import { MemoryOrderStore } from '../../src/storage/index.js';

/**
 * Spent points come back when a flow's order closes without its goods (docs/pricing.md "Points
 * after the order": on cancel, expiry and a full refund), as they do for any order.
 */
const gateway: Actor = { type: 'payment', gateway: 'wechatpay' };
const DAY = 86_400_000;
const rules = { freight: { defaultFee: 0 }, points: { rate: { points: 100, fen: 100 }, maxShareBp: 5000 } };
const cart = { lines: [{ id: 'l1', sku: 'PHONE-X', title: '新款手机', listPrice: 100000, quantity: 1 }], pointsBalance: 5000, pointsToUse: 2000 };
const address = { name: '张三', phone: '13800000000', province: '上海市', city: '上海市', detail: '1 号' };
const released = (effects: readonly Effect[]) => effects.filter((e) => e.type === 'points.release').map((e) => e.type === 'points.release' && e.points);

function presaleSetup(depositRefundable = false) {
  let now = Date.parse('2026-11-01T04:00:00Z');
  const clock = { now: () => new Date(now), advance: (ms: number) => void (now += ms) };
  const service = createOrderService({ store: new MemoryOrderStore(), clock, lifecycle: presaleLifecycle() });
  const presale = createPresale({ service, clock });
  const start = now;
  const place = async () => {
    const r = await presale.place({ customerId: 'u1', cart, rules, address }, { deposit: 10000, balanceFrom: new Date(start + 10 * DAY), balanceUntil: new Date(start + 12 * DAY), depositRefundable });
    if (!r.ok) throw r.error;
    return r.order;
  };
  const payDeposit = async (order: Order) => {
    const p = presaleOf(order)!.parts[0]!;
    const r = await service.dispatch(order.id, { type: 'PAY_DEPOSIT', amount: p.amount, transactionId: 'tx-D', outTradeNo: p.outTradeNo } as unknown as Command, gateway);
    if (!r.ok) throw r.error;
    return r.order;
  };
  return { clock, service, presale, place, payDeposit };
}

describe('flows give spent points back', () => {
  it('预售: the shopper cancels after the deposit (kept): the 2000 points come back', async () => {
    const s = presaleSetup();
    const o = await s.payDeposit(await s.place());
    expect(o.pricing.pointsUsed).toBe(2000);
    const r = await s.service.dispatch(o.id, { type: 'CANCEL' } as Command, { type: 'customer', id: 'u1' });
    if (!r.ok) throw r.error;
    expect(r.order.status).toBe('closed');
    expect(released(r.effects)).toEqual([2000]);
  });

  it('预售: the merchant cancels after the deposit: the points come back', async () => {
    const s = presaleSetup();
    const o = await s.payDeposit(await s.place());
    const r = await s.service.dispatch(o.id, { type: 'CANCEL' } as Command, { type: 'merchant', id: 'staff' });
    if (!r.ok) throw r.error;
    expect(released(r.effects)).toEqual([2000]);
  });

  it('预售: the balance is not paid in time: the sweeper closes the order and the points come back', async () => {
    const s = presaleSetup();
    const o = await s.payDeposit(await s.place());
    s.clock.advance(12 * DAY);
    expect((await s.presale.sweep()).closed).toBe(1);
    const events = await s.service.get(o.id);
    expect(events!.status).toBe('closed');
    expect(events!.points).toMatchObject({ released: 2000 });
  });

  it('拼团: a failed group gives the points of a paid member back', async () => {
    let now = Date.parse('2026-11-25T04:00:00Z');
    const clock = { now: () => new Date(now) };
    const service = createOrderService({ store: new MemoryOrderStore(), clock, lifecycle: groupBuyLifecycle() });
    const gb = createGroupBuy({ service, groups: new MemoryGroupStore(), clock });
    const opened = await gb.open({ customerId: 'a', cart, rules }, { size: 2, deadline: new Date(now + 60_000) });
    if (!opened.ok) throw opened.error;
    const paid = await service.dispatch(opened.order.id, { type: 'PAYMENT_SUCCEEDED', amount: opened.order.pricing.total, transactionId: 'tx-a' } as Command, gateway);
    if (!paid.ok) throw paid.error;
    now += 120_000;
    await gb.sweep();
    const closed = (await service.get(opened.order.id))!;
    expect(closed).toMatchObject({ status: 'closed', closeReason: 'fully_refunded' });
    expect(closed.points).toMatchObject({ released: 2000 });
  });
});
