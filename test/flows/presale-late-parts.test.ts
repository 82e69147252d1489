import { describe, expect, it } from 'vitest';
import { createPresale, presaleLifecycle, presaleOf } from '../../src/flows/index.js';
import type { Actor, Command, Order } from '../../src/order/index.js';
import { createOrderService } from '../../src/service/index.js';
import { MemoryOrderStore } from '../../src/storage/index.js';

/**
 * A part paid after the presale order closed (docs/lifecycle.md "Payment after close", docs/flows.md
 * "Presale"): the money is real, so it is recorded as a stray payment and given back in full on its
 * own transaction; the order stays closed, and the same notification again changes nothing.
 */
const gateway: Actor = { type: 'payment', gateway: 'wechatpay' };
const DAY = 86_400_000;
const cart = { lines: [{ id: 'l1', sku: 'PHONE-X', title: '新款手机', listPrice: 399900, quantity: 1 }] };
const rules = { freight: { defaultFee: 0 } };
const address = { name: '张三', phone: '13800000000', province: '上海市', city: '上海市', detail: '1 号' };

function setup() {
  let now = Date.parse('2026-11-01T04:00:00Z');
  const clock = { now: () => new Date(now), advance: (ms: number) => void (now += ms) };
  const service = createOrderService({ store: new MemoryOrderStore(), clock, lifecycle: presaleLifecycle() });
  const presale = createPresale({ service, clock });
  const start = now;
  const place = async () => {
    const r = await presale.place({ customerId: 'u1', cart, rules, address }, { deposit: 10000, balanceFrom: new Date(start + 10 * DAY), balanceUntil: new Date(start + 12 * DAY) });
    if (!r.ok) throw r.error;
    return r.order;
  };
  const payPart = (order: Order, which: 'deposit' | 'balance', tx: string) => {
    const p = presaleOf(order)!.parts.find((x) => x.part === which)!;
    return service.dispatch(order.id, { type: which === 'deposit' ? 'PAY_DEPOSIT' : 'PAY_BALANCE', amount: p.amount, transactionId: tx, outTradeNo: p.outTradeNo } as unknown as Command, gateway);
  };
  return { clock, service, presale, place, payPart };
}

describe('预售: a part paid after the order closed', () => {
  it('a deposit after the order expired unpaid is recorded and refunded in full on its own transaction', async () => {
    const s = setup();
    const o = await s.place();
    s.clock.advance(3 * DAY);
    await s.service.sweep();
    expect((await s.service.get(o.id))!).toMatchObject({ status: 'closed', closeReason: 'payment_timeout' });
    const late = await s.payPart(o, 'deposit', 'tx-late');
    if (!late.ok) throw late.error;
    expect(late.order.status).toBe('closed');
    expect(late.order.payment.paidAmount).toBe(0);
    expect(late.order.refunds.map((r) => [r.amount, r.transactionId, r.outTradeNo, r.reason])).toEqual([[10000, 'tx-late', `${o.number}-D`, 'stray_payment']]);
    expect(late.effects.filter((e) => e.type === 'payment.refund').map((e) => e.type === 'payment.refund' && [e.amount, e.total, e.transactionId])).toEqual([[10000, 10000, 'tx-late']]);
    const again = await s.payPart(o, 'deposit', 'tx-late');
    expect(again.ok && again.changed).toBe(false);
  });

  it('a balance after the sweeper closed the order keeps the deposit per policy and gives the balance back', async () => {
    const s = setup();
    const o = await s.place();
    const d = await s.payPart(o, 'deposit', 'tx-D');
    if (!d.ok) throw d.error;
    s.clock.advance(12 * DAY);
    expect((await s.presale.sweep()).closed).toBe(1);
    const late = await s.payPart(d.order, 'balance', 'tx-B');
    if (!late.ok) throw late.error;
    expect(late.order.status).toBe('closed');
    expect(late.order.payment.paidAmount).toBe(10000);
    expect(late.order.refunds.map((r) => [r.amount, r.transactionId, r.reason])).toEqual([[presaleOf(o)!.parts[1]!.amount, 'tx-B', 'stray_payment']]);
    // The deposit's own notification again is still a no-op.
    const dep = await s.payPart(d.order, 'deposit', 'tx-D');
    expect(dep.ok && dep.changed).toBe(false);
  });
});
