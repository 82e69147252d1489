import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { placeOrder, transition } from '../../src/lifecycle/index.js';
import type { Command, Order } from '../../src/order/index.js';
import { refundRoutes, sourceRefunds, splitOverParts } from '../../src/refund/index.js';
import { NOW, at, customer, gateway, line, merchant, quoteOf } from '../lifecycle/fixtures.js';

/**
 * Refunds go back where the money came from (docs/payment-sources.md "Refunds"): WeChat Pay first,
 * then the balance, exact to the fen, and no source ever gives back more than it collected.
 */

describe('splitOverParts (the one split rule of orders paid in parts)', () => {
  const parts = fc.array(fc.record({ amount: fc.integer({ min: 0, max: 100_000 }), taken: fc.integer({ min: 0, max: 100_000 }) }), { minLength: 1, maxLength: 4 });
  it('is exact to the fen, never passes a part’s room, and takes from a later part only when the earlier ones are empty', () => {
    fc.assert(
      fc.property(parts, fc.integer({ min: 0, max: 300_000 }), (raw, amount) => {
        const ps = raw.map((p, i) => ({ key: i, amount: p.amount }));
        const taken = new Map(raw.map((p, i) => [i, Math.min(p.taken, p.amount)] as const));
        const room = (i: number) => ps[i]!.amount - taken.get(i)!;
        const shares = splitOverParts(ps, taken, amount);
        const total = shares.reduce((s, x) => s + x.amount, 0);
        const allRoom = ps.reduce((s, _, i) => s + room(i), 0);
        expect(total).toBe(Math.min(amount, allRoom));
        for (const s of shares) {
          expect(s.amount).toBeGreaterThan(0);
          expect(s.amount).toBeLessThanOrEqual(room(s.key));
          // Every part before this one was emptied.
          for (let i = 0; i < s.key; i++) {
            const given = shares.find((x) => x.key === i)?.amount ?? 0;
            expect(given).toBe(room(i));
          }
        }
      }),
    );
  });
});

function paidMixedOrder(lines: Array<[number, number]>, balance: number): { order: Order; total: number } {
  const quote = quoteOf(lines.map(([q, unit], i) => line(`l${i}`, q, unit)));
  const placed = placeOrder({ id: 'o1', number: 'N1', customerId: 'u1', quote, payWith: { balance } }, { now: NOW });
  if (!placed.ok) throw new Error(placed.error.message);
  let order = placed.order;
  const due = quote.total - balance;
  if (due > 0) {
    const paid = transition(order, { type: 'PAYMENT_SUCCEEDED', amount: due, transactionId: 'wx1' } as Command, { now: at(1000), actor: gateway });
    if (!paid.ok) throw new Error(paid.error.message);
    order = paid.order;
  }
  return { order, total: quote.total };
}

const mixes = fc
  .array(fc.tuple(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 5000 })), { minLength: 1, maxLength: 4 })
  .chain((lines) => {
    const total = lines.reduce((s, [q, u]) => s + q * u, 0);
    return fc.record({ lines: fc.constant(lines), balance: fc.integer({ min: 1, max: total }) });
  });

function perSourceWithinPaid(order: Order): void {
  for (const s of sourceRefunds(order)) expect(s.refunded + s.pending).toBeLessThanOrEqual(s.paid);
}

describe('refunds of orders paid with the balance and WeChat Pay (random mixes, random partial refunds)', () => {
  it('a refund-only after-sale of random units: routed WeChat Pay first, Σ per source ≤ paid per source, exact to the fen', () => {
    fc.assert(
      fc.property(mixes, fc.array(fc.tuple(fc.nat(), fc.nat()), { minLength: 1, maxLength: 6 }), fc.array(fc.boolean(), { minLength: 6, maxLength: 6 }), ({ lines, balance }, picks, outcomes) => {
        let { order } = paidMixedOrder(lines, balance);
        const wechatPaid = order.payment.sources!.find((s) => s.kind === 'wechat')?.amount ?? 0;
        let t = 2000;
        for (let k = 0; k < picks.length; k++) {
          const [li, qi] = picks[k]!;
          const l = order.lines[li % order.lines.length]!;
          const quantity = 1 + (qi % l.quantity);
          const asked = transition(order, { type: 'REQUEST_AFTER_SALE', kind: 'refund_only', items: [{ lineId: l.id, quantity }], reason: 'r' } as Command, { now: at(t++), actor: customer });
          if (!asked.ok) continue;
          const id = asked.order.afterSales[asked.order.afterSales.length - 1]!.id;
          const before = asked.order;
          const approved = transition(before, { type: 'APPROVE_AFTER_SALE', afterSaleId: id } as Command, { now: at(t++), actor: merchant });
          if (!approved.ok) continue;
          order = approved.order;
          const opened = order.refunds.filter((r) => !before.refunds.some((b) => b.id === r.id));
          const asAfterSale = order.afterSales.find((a) => a.id === id)!;
          // Exact: the entries this approval opened add up to the after-sale's amount.
          expect(opened.reduce((s, r) => s + r.amount, 0)).toBe(asAfterSale.amount);
          // WeChat Pay first: a balance share only once the WeChat share is used up.
          if (opened.some((r) => r.transactionId?.startsWith('balance:'))) {
            const fromWechat = order.refunds.filter((r) => r.transactionId === 'wx1' && r.status !== 'failed').reduce((s, r) => s + r.amount, 0);
            expect(fromWechat).toBe(wechatPaid);
          }
          // Every payment.refund names its source's own total.
          for (const e of approved.effects) if (e.type === 'payment.refund') expect([e.transactionId, e.total]).toEqual(['wx1', wechatPaid]);
          perSourceWithinPaid(order);
          // The gateway answers: some WeChat refunds fail (their money is free again), the rest succeed.
          for (const r of opened) {
            const type = r.transactionId === 'wx1' && !outcomes[k] ? 'REFUND_FAILED' : 'REFUND_SUCCEEDED';
            const answered = transition(order, (type === 'REFUND_FAILED' ? { type, refundId: r.id, reason: 'NOTENOUGH' } : { type, refundId: r.id, amount: r.amount }) as Command, { now: at(t++), actor: gateway });
            if (answered.ok) order = answered.order;
            perSourceWithinPaid(order);
          }
        }
      }),
      { numRuns: 60 },
    );
  });

  it('refundRoutes over a random ledger: never more than a source has left, WeChat Pay first', () => {
    fc.assert(
      fc.property(mixes, fc.array(fc.integer({ min: 1, max: 30_000 }), { minLength: 1, maxLength: 8 }), ({ lines, balance }, amounts) => {
        const { order } = paidMixedOrder(lines, balance);
        let o = order;
        for (const amount of amounts) {
          const left = sourceRefunds(o).reduce((s, x) => s + x.paid - x.refunded - x.pending, 0);
          const routes = refundRoutes(o, amount);
          expect(routes.reduce((s, r) => s + r.amount, 0)).toBe(Math.min(amount, left));
          expect(routes.map((r) => r.kind)).toEqual(routes.length === 2 ? ['wechat', 'balance'] : routes.map((r) => r.kind));
          const refunds = routes.map((r, i) => ({ id: `R${o.refunds.length + i}`, reason: 'merchant_cancel' as const, amount: r.amount, status: 'succeeded' as const, transactionId: r.transactionId, outTradeNo: r.outTradeNo, createdAt: o.createdAt, updatedAt: o.createdAt, attempts: 1 }));
          o = { ...o, refunds: o.refunds.concat(refunds) };
          perSourceWithinPaid(o);
        }
      }),
      { numRuns: 100 },
    );
  });

  it('a merchant cancel of a paid order refunds every fen, each source its own', () => {
    fc.assert(
      fc.property(mixes, ({ lines, balance }) => {
        const { order, total } = paidMixedOrder(lines, balance);
        const r = transition(order, { type: 'CANCEL', reason: 'x' } as Command, { now: at(5000), actor: merchant });
        expect(r.ok).toBe(true);
        if (!r.ok) return;
        expect(r.order.refunds.reduce((s, x) => s + x.amount, 0)).toBe(total);
        const credit = r.effects.filter((e) => e.type === 'balance.credit').reduce((s, e) => s + (e.type === 'balance.credit' ? e.amount : 0), 0);
        const wx = r.effects.filter((e) => e.type === 'payment.refund').reduce((s, e) => s + (e.type === 'payment.refund' ? e.amount : 0), 0);
        expect([credit, wx]).toEqual([balance, total - balance]);
      }),
      { numRuns: 60 },
    );
  });
});
