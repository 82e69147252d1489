import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createPresale, presaleLifecycle, presaleOf } from '../../src/flows/index.js';
import type { Actor, Command, Order } from '../../src/order/index.js';
import { createOrderService } from '../../src/service/index.js';
import { MemoryOrderStore } from '../../src/storage/index.js';

/**
 * 预售 (docs/flows.md "Presale"): two payment parts of one order, each with its own out_trade_no
 * and transaction; the balance window; the deposit refund policy; auto-close by the presale
 * sweeper; 定金膨胀; refunds split balance first, each naming its transaction and that total.
 */
const gateway: Actor = { type: 'payment', gateway: 'wechatpay' };
const merchant: Actor = { type: 'merchant', id: 'staff-1' };
const shopper: Actor = { type: 'customer', id: 'u1' };
const DAY = 86_400_000;
const cart = { lines: [{ id: 'l1', sku: 'PHONE-X', title: '新款手机', listPrice: 399900, quantity: 1 }] };
const rules = { freight: { defaultFee: 0 } };

function setup(start = '2026-11-01T04:00:00Z') {
  let now = Date.parse(start);
  const clock = { now: () => new Date(now), advance: (ms: number) => void (now += ms) };
  const service = createOrderService({ store: new MemoryOrderStore(), clock, lifecycle: presaleLifecycle() });
  const presale = createPresale({ service, clock });
  const terms = (extra: Record<string, unknown> = {}) => ({ deposit: 10000, deduction: 5000, balanceFrom: new Date(now + 10 * DAY), balanceUntil: new Date(now + 12 * DAY), ...extra });
  const payPart = async (order: Order, type: 'PAY_DEPOSIT' | 'PAY_BALANCE', tx: string) => {
    const p = presaleOf(order)!.parts.find((x) => x.part === (type === 'PAY_DEPOSIT' ? 'deposit' : 'balance'))!;
    return service.dispatch(order.id, { type, amount: p.amount, transactionId: tx, outTradeNo: p.outTradeNo } as unknown as Command, gateway);
  };
  return { clock, service, presale, terms, payPart };
}

async function placed(s: ReturnType<typeof setup>, extra: Record<string, unknown> = {}) {
  const r = await s.presale.place({ customerId: 'u1', cart, rules, address: { name: '张三', phone: '13800000000', province: '上海市', city: '上海市', detail: '1 号' } }, s.terms(extra) as never);
  if (!r.ok) throw r.error;
  return r.order;
}

describe('预售 (presale)', () => {
  it('定金膨胀: ¥100 deposit worth ¥150; two parts with their own out_trade_no and transaction; total = deposit + balance', async () => {
    const s = setup();
    const o = await placed(s);
    const p = presaleOf(o)!;
    expect(o.pricing.total).toBe(399900 - 5000);
    expect(p.parts.map((x) => [x.part, x.outTradeNo, x.amount])).toEqual([
      ['deposit', `${o.number}-D`, 10000],
      ['balance', `${o.number}-B`, 399900 - 5000 - 10000],
    ]);
    expect(o.lines[0]!.allocations).toEqual([{ source: 'price_adjustment', sourceId: 'presale-deduction', amount: 5000 }]);
    // The whole amount through PAYMENT_SUCCEEDED does not pay a presale order.
    const whole = await s.service.dispatch(o.id, { type: 'PAYMENT_SUCCEEDED', amount: o.pricing.total, transactionId: 'tx-all' } as Command, gateway);
    expect(whole.ok && whole.order.status === 'paid').toBe(false);
    const d = await s.payPart(o, 'PAY_DEPOSIT', 'tx-D');
    if (!d.ok) throw d.error;
    expect(d.order.status).toBe('deposit_paid');
    expect(d.order.payment.paidAmount).toBe(10000);
    // Paying the balance before its window: typed, the order unchanged.
    const early = await s.payPart(d.order, 'PAY_BALANCE', 'tx-B');
    expect(!early.ok && [early.error.code, early.error.path]).toEqual(['BALANCE_NOT_OPEN', ['outTradeNo']]);
    expect((await s.service.get(o.id))!.version).toBe(d.order.version);
    expect(s.presale.nextPart(d.order)).toMatchObject({ ok: false, error: { code: 'BALANCE_NOT_OPEN' } });
    s.clock.advance(10 * DAY);
    expect(s.presale.nextPart(d.order)).toMatchObject({ ok: true, part: { part: 'balance' } });
    const b = await s.payPart(d.order, 'PAY_BALANCE', 'tx-B');
    if (!b.ok) throw b.error;
    expect(b.order.status).toBe('paid');
    expect(b.order.payment.paidAmount).toBe(b.order.pricing.total);
    expect(presaleOf(b.order)!.parts.map((x) => x.transactionId)).toEqual(['tx-D', 'tx-B']);
    // The same deposit notification again is an accepted no-op.
    const again = await s.payPart(b.order, 'PAY_DEPOSIT', 'tx-D');
    expect(again.ok && again.order.version).toBe(b.order.version);
  });

  it('a balance outside its window is BALANCE_WINDOW_CLOSED; the sweeper closes the order, the deposit kept or refunded per policy', async () => {
    for (const refundable of [false, true]) {
      const s = setup();
      const o = await placed(s, { depositRefundable: refundable });
      const d = await s.payPart(o, 'PAY_DEPOSIT', 'tx-D');
      if (!d.ok) throw d.error;
      s.clock.advance(12 * DAY + 1);
      const late = await s.payPart(d.order, 'PAY_BALANCE', 'tx-B');
      expect(!late.ok && late.error.code).toBe('BALANCE_WINDOW_CLOSED');
      expect(!late.ok && late.error.messages['zh-CN']).toMatch(/尾款支付已于/);
      expect(await s.presale.sweep()).toEqual({ closed: 1 });
      expect(await s.presale.sweep()).toEqual({ closed: 0 });
      const closed = (await s.service.get(o.id))!;
      expect(closed).toMatchObject({ status: 'closed', closeReason: 'payment_timeout' });
      expect(closed.refunds.map((r) => [r.amount, r.transactionId, r.outTradeNo])).toEqual(refundable ? [[10000, 'tx-D', `${o.number}-D`]] : []);
    }
  });

  it("a merchant's cancel after the balance refunds both parts, balance first, each naming its transaction and total", async () => {
    const s = setup();
    const o = await placed(s);
    const d = await s.payPart(o, 'PAY_DEPOSIT', 'tx-D');
    if (!d.ok) throw d.error;
    s.clock.advance(11 * DAY);
    const b = await s.payPart(d.order, 'PAY_BALANCE', 'tx-B');
    if (!b.ok) throw b.error;
    const c = await s.service.dispatch(o.id, { type: 'CANCEL' } as Command, merchant);
    if (!c.ok) throw c.error;
    expect(c.order.refunds.map((r) => [r.transactionId, r.amount])).toEqual([
      ['tx-B', b.order.pricing.total - 10000],
      ['tx-D', 10000],
    ]);
    expect(c.effects.filter((e) => e.type === 'payment.refund').map((e) => [(e as { transactionId?: string }).transactionId, (e as { total: number }).total])).toEqual([
      ['tx-B', b.order.pricing.total - 10000],
      ['tx-D', 10000],
    ]);
  });

  it('bad terms are typed errors and place nothing', async () => {
    const s = setup();
    const r = await s.presale.place({ customerId: 'u1', cart, rules }, s.terms({ deposit: 399900 }) as never);
    expect(!r.ok && [r.error.code, r.error.path]).toEqual(['INVALID_PRESALE', ['deposit']]);
    const w = await s.presale.place({ customerId: 'u1', cart, rules }, { deposit: 100, balanceFrom: new Date(2), balanceUntil: new Date(1) });
    expect(!w.ok && w.error.code).toBe('INVALID_PRESALE');
    expect((await s.service.list({})).items).toEqual([]);
  });

  it('property: Σ paid parts = total; a shopper cancel with the deposit paid refunds it only when refundable; refunds never exceed a part', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 20000 }), fc.integer({ min: 0, max: 20000 }), fc.boolean(), fc.constantFrom('balance', 'cancel', 'merchant-cancel', 'expire'), async (deposit, deduction, refundable, end) => {
        const s = setup();
        const o = await placed(s, { deposit, deduction, depositRefundable: refundable });
        const parts = presaleOf(o)!.parts;
        expect(parts[0]!.amount + parts[1]!.amount).toBe(o.pricing.total);
        expect(o.lines.reduce((x, l) => x + l.payable, 0) + o.pricing.freight).toBe(o.pricing.total);
        const d = await s.payPart(o, 'PAY_DEPOSIT', 'tx-D');
        if (!d.ok) throw d.error;
        let last: Order = d.order;
        if (end === 'balance') {
          s.clock.advance(11 * DAY);
          const b = await s.payPart(d.order, 'PAY_BALANCE', 'tx-B');
          if (!b.ok) throw b.error;
          expect(b.order.payment.paidAmount).toBe(o.pricing.total);
          const c = await s.service.dispatch(o.id, { type: 'CANCEL' } as Command, merchant);
          if (!c.ok) throw c.error;
          last = c.order;
          expect(last.refunds.reduce((x, r) => x + r.amount, 0)).toBe(o.pricing.total);
        } else if (end === 'expire') {
          s.clock.advance(13 * DAY);
          await s.presale.sweep();
          last = (await s.service.get(o.id))!;
          expect(last.refunds.reduce((x, r) => x + r.amount, 0)).toBe(refundable ? deposit : 0);
        } else {
          const c = await s.service.dispatch(o.id, { type: 'CANCEL' } as Command, end === 'cancel' ? shopper : merchant);
          if (!c.ok) throw c.error;
          last = c.order;
          expect(last.refunds.reduce((x, r) => x + r.amount, 0)).toBe(end === 'merchant-cancel' || refundable ? deposit : 0);
        }
        for (const p of presaleOf(last)!.parts) {
          const back = last.refunds.filter((r) => r.transactionId !== undefined && r.transactionId === p.transactionId).reduce((x, r) => x + r.amount, 0);
          expect(back).toBeLessThanOrEqual(p.amount);
        }
      }),
      { numRuns: 60 },
    );
  });
});

describe('预售 after-sales', () => {
  it("a partial refund after the balance comes from the balance transaction with that transaction's total; beyond it a typed error", async () => {
    const s = setup();
    const o = await placed(s, { deposit: 300000, deduction: 0 });
    const d = await s.payPart(o, 'PAY_DEPOSIT', 'tx-D');
    if (!d.ok) throw d.error;
    s.clock.advance(11 * DAY);
    const b = await s.payPart(d.order, 'PAY_BALANCE', 'tx-B');
    if (!b.ok) throw b.error;
    const balance = presaleOf(b.order)!.parts[1]!.amount;
    // The whole order (¥3,999) would take more than the balance transaction (¥999) holds.
    const whole = await s.service.dispatch(o.id, { type: 'REQUEST_AFTER_SALE', kind: 'refund_only', reason: 'x' } as Command, shopper);
    expect(!whole.ok && [whole.error.code, whole.error.path]).toEqual(['PRESALE_REFUND_OVER_BALANCE', ['amount']]);
    const fee = await s.service.dispatch(o.id, { type: 'REQUEST_FREIGHT_REFUND', amount: 1, reason: 'x' } as Command, merchant);
    expect(!fee.ok && fee.error.code).toBe('NO_FREIGHT_TO_REFUND');
    const part = await s.service.dispatch(o.id, { type: 'CANCEL' } as Command, shopper);
    expect(!part.ok && part.error.code).toBe('PRESALE_REFUND_OVER_BALANCE');
    const c = await s.service.dispatch(o.id, { type: 'CANCEL' } as Command, merchant);
    if (!c.ok) throw c.error;
    expect(c.effects.filter((e) => e.type === 'payment.refund').map((e) => (e as { total: number }).total)).toEqual([balance, 300000]);
  });
});
