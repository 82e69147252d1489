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
      expect(!late.ok && [late.error.code, late.error.path]).toEqual(['BALANCE_WINDOW_CLOSED', ['outTradeNo']]);
      expect(!late.ok && late.error.messages['zh-CN']).toMatch(/尾款支付已于/);
      expect(!late.ok && late.error.messages.en).toMatch(/the balance had to be paid by/);
      expect((await s.service.get(o.id))!.version).toBe(d.order.version);
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

describe('预售 after-sales: a refund split over the deposit and the balance', () => {
  const merchantOrGateway = (type: string): Actor => (type === 'REFUND_SUCCEEDED' || type === 'REFUND_FAILED' ? gateway : merchant);
  const send = (s: ReturnType<typeof setup>, id: string, command: Record<string, unknown>) => s.service.dispatch(id, command as unknown as Command, (command.actor as Actor | undefined) ?? merchantOrGateway(command.type as string));

  async function bothPaid(s: ReturnType<typeof setup>, extra: Record<string, unknown>, c = cart) {
    const r = await s.presale.place({ customerId: 'u1', cart: c, rules, address: { name: '张三', phone: '13800000000', province: '上海市', city: '上海市', detail: '1 号' } }, s.terms(extra) as never);
    if (!r.ok) throw r.error;
    const d = await s.payPart(r.order, 'PAY_DEPOSIT', 'tx-D');
    if (!d.ok) throw d.error;
    s.clock.advance(11 * DAY);
    const b = await s.payPart(d.order, 'PAY_BALANCE', 'tx-B');
    if (!b.ok) throw b.error;
    return b.order;
  }

  it("a refund beyond the balance takes the balance, then the deposit, in two entries naming each transaction and that transaction's total", async () => {
    const s = setup();
    const o = await bothPaid(s, { deposit: 300000, deduction: 0 });
    const balance = presaleOf(o)!.parts[1]!.amount;
    const whole = await s.service.dispatch(o.id, { type: 'REQUEST_AFTER_SALE', kind: 'refund_only', reason: '不想要了' } as Command, shopper);
    if (!whole.ok) throw whole.error;
    expect(whole.order.refunds.map((r) => [r.amount, r.transactionId, r.outTradeNo, r.afterSaleId])).toEqual([
      [balance, 'tx-B', `${o.number}-B`, whole.order.afterSales[0]!.id],
      [300000, 'tx-D', `${o.number}-D`, whole.order.afterSales[0]!.id],
    ]);
    const refunds = whole.effects.filter((e) => e.type === 'payment.refund') as Array<{ refundId: string; transactionId?: string; outTradeNo: string; amount: number; total: number }>;
    expect(refunds.map((e) => [e.refundId, e.transactionId, e.outTradeNo, e.amount, e.total])).toEqual([
      [whole.order.refunds[0]!.id, 'tx-B', `${o.number}-B`, balance, balance],
      [whole.order.refunds[1]!.id, 'tx-D', `${o.number}-D`, 300000, 300000],
    ]);
    // Both pieces succeed: the after-sale with its own entry, the order once everything came back.
    const first = await send(s, o.id, { type: 'REFUND_SUCCEEDED', refundId: whole.order.refunds[0]!.id });
    if (!first.ok) throw first.error;
    expect(first.order.afterSales[0]!.status).toBe('refunded');
    const second = await send(s, o.id, { type: 'REFUND_SUCCEEDED', refundId: whole.order.refunds[1]!.id });
    if (!second.ok) throw second.error;
    expect(second.order).toMatchObject({ status: 'closed', closeReason: 'fully_refunded' });
    // A shopper's cancel now finds nothing to refund: typed, and the order unchanged.
    const again = await s.service.dispatch(o.id, { type: 'CANCEL' } as Command, shopper);
    expect(again.ok).toBe(false);
    expect((await s.service.get(o.id))!.version).toBe(second.order.version);
  });

  it('a refund the balance can hold stays one entry on the balance; the freight refund has none to take', async () => {
    const s = setup();
    const o = await bothPaid(s, { deposit: 10000, deduction: 0 }, { lines: [{ id: 'l1', sku: 'A', title: 'A', listPrice: 5000, quantity: 4 }] });
    const r = await s.service.dispatch(o.id, { type: 'REQUEST_AFTER_SALE', kind: 'refund_only', items: [{ lineId: o.lines[0]!.id, quantity: 1 }], reason: 'x' } as Command, shopper);
    if (!r.ok) throw r.error;
    expect(r.order.refunds.map((x) => [x.amount, x.transactionId])).toEqual([[5000, 'tx-B']]);
    const fee = await s.service.dispatch(o.id, { type: 'REQUEST_FREIGHT_REFUND', amount: 1, reason: 'x' } as Command, merchant);
    expect(!fee.ok && fee.error.code).toBe('NO_FREIGHT_TO_REFUND');
  });

  it("a failed piece keeps its place on its transaction: a later refund does not take it, so the retry still fits", async () => {
    const s = setup();
    const two = { lines: [{ id: 'a', sku: 'A', title: 'A', listPrice: 3333, quantity: 3 }, { id: 'b', sku: 'B', title: 'B', listPrice: 1999, quantity: 2 }] };
    const o = await bothPaid(s, { deposit: 12000, deduction: 0 }, two);
    const balance = presaleOf(o)!.parts[1]!.amount; // 1997
    const first = await s.service.dispatch(o.id, { type: 'REQUEST_AFTER_SALE', kind: 'refund_only', items: [{ lineId: 'a', quantity: 1 }], reason: 'x' } as Command, shopper);
    if (!first.ok) throw first.error;
    expect(first.order.refunds.map((r) => [r.transactionId, r.amount])).toEqual([['tx-B', balance], ['tx-D', 3333 - balance]]);
    const failed = await send(s, o.id, { type: 'REFUND_FAILED', refundId: first.order.refunds[0]!.id, reason: 'NOTENOUGH' });
    if (!failed.ok) throw failed.error;
    const second = await s.service.dispatch(o.id, { type: 'REQUEST_AFTER_SALE', kind: 'refund_only', items: [{ lineId: 'b', quantity: 1 }], reason: 'y' } as Command, shopper);
    if (!second.ok) throw second.error;
    expect(second.order.refunds.slice(2).map((r) => [r.transactionId, r.amount])).toEqual([['tx-D', 1999]]);
    const retried = await send(s, o.id, { type: 'APPROVE_AFTER_SALE', afterSaleId: first.order.afterSales[0]!.id });
    if (!retried.ok) throw retried.error;
    const onB = retried.order.refunds.filter((r) => r.transactionId === 'tx-B' && r.status !== 'failed').reduce((a, r) => a + r.amount, 0);
    expect(onB).toBe(balance);
    expect(retried.effects.filter((e) => e.type === 'payment.refund').map((e) => [(e as { transactionId?: string }).transactionId, (e as { total: number }).total])).toEqual([['tx-B', balance]]);
  });

  it('property: any run of partial refunds, failures and retries keeps Σ per part ≤ what the part collected, and never refunds an entry twice', async () => {
    const lines = [
      { id: 'a', sku: 'A', title: 'A', listPrice: 3333, quantity: 3 },
      { id: 'b', sku: 'B', title: 'B', listPrice: 1999, quantity: 2 },
    ];
    const step = fc.oneof(
      fc.record({ kind: fc.constant('request' as const), line: fc.nat(1), quantity: fc.integer({ min: 1, max: 3 }) }),
      fc.record({ kind: fc.constant('result' as const), pick: fc.nat(20), outcome: fc.constantFrom('succeeded', 'failed', 'closed') }),
      fc.record({ kind: fc.constant('retry' as const), pick: fc.nat(20) }),
      fc.record({ kind: fc.constant('cancel' as const) }),
    );
    let splits = 0;
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 12000 }), fc.array(step, { maxLength: 14 }), async (deposit, steps) => {
        const s = setup();
        const o = await bothPaid(s, { deposit, deduction: 0 }, { lines });
        const parts = presaleOf(o)!.parts;
        const succeededOnce = new Set<string>();
        let split = false;
        for (const st of steps) {
          const cur = (await s.service.get(o.id))!;
          let r;
          if (st.kind === 'request') {
            const line = cur.lines[st.line]!;
            r = await s.service.dispatch(o.id, { type: 'REQUEST_AFTER_SALE', kind: 'refund_only', items: [{ lineId: line.id, quantity: st.quantity }], reason: 'x' } as Command, shopper);
          } else if (st.kind === 'cancel') {
            r = await s.service.dispatch(o.id, { type: 'CANCEL' } as Command, merchant);
          } else if (st.kind === 'result') {
            const pending = cur.refunds.filter((x) => x.status === 'pending');
            if (pending.length === 0) continue;
            const entry = pending[st.pick % pending.length]!;
            r =
              st.outcome === 'succeeded'
                ? await send(s, o.id, { type: 'REFUND_SUCCEEDED', refundId: entry.id })
                : await send(s, o.id, { type: 'REFUND_FAILED', refundId: entry.id, reason: 'NOTENOUGH', ...(st.outcome === 'closed' ? { gatewayStatus: 'CLOSED' } : {}) });
            if (r.ok && st.outcome === 'succeeded') {
              expect(succeededOnce.has(entry.id)).toBe(false);
              succeededOnce.add(entry.id);
            }
          } else {
            const failed = cur.refunds.filter((x) => x.status === 'failed' && x.replacedBy === undefined);
            if (failed.length === 0) continue;
            const entry = failed[st.pick % failed.length]!;
            r = entry.afterSaleId !== undefined ? await send(s, o.id, { type: 'APPROVE_AFTER_SALE', afterSaleId: entry.afterSaleId }) : await send(s, o.id, { type: 'RETRY_REFUND', refundId: entry.id });
          }
          const after = (await s.service.get(o.id))!;
          if (!r.ok) expect(after.version).toBe(cur.version);
          if (r.ok) {
            for (const e of r.effects) {
              if (e.type !== 'payment.refund') continue;
              const part = parts.find((x) => x.part === (e.transactionId === 'tx-D' ? 'deposit' : 'balance'))!;
              expect([e.outTradeNo, e.total]).toEqual([part.outTradeNo, part.amount]);
            }
          }
          for (const part of parts) {
            const tx = part.part === 'deposit' ? 'tx-D' : 'tx-B';
            const onPart = after.refunds.filter((x) => x.transactionId === tx && (x.status !== 'failed' || x.gatewayStatus === 'ABNORMAL')).reduce((a, x) => a + x.amount, 0);
            expect(onPart).toBeLessThanOrEqual(part.amount);
          }
          expect(after.refunds.filter((x) => x.status === 'succeeded').reduce((a, x) => a + x.amount, 0)).toBeLessThanOrEqual(after.payment.paidAmount);
          expect(new Set(after.refunds.map((x) => x.id)).size).toBe(after.refunds.length);
          if (after.refunds.some((x) => x.transactionId === 'tx-D' && x.reason === 'after_sale')) split = true;
        }
        splits += split ? 1 : 0;
      }),
      { numRuns: 40 },
    );
    // The runs reach the split (an after-sale refund on the deposit), not only the balance.
    expect(splits).toBeGreaterThan(0);
  });
});
