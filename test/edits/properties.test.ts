import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { OUT_TRADE_NO_PATTERN, OrderSchema, createOrderNumber, type Actor, type Command, type Order } from '../../src/order/index.js';
import { MAX_PAYMENT_ATTEMPTS, definePolicy, placeOrder, transition } from '../../src/lifecycle/index.js';
import { strayPaymentFor } from '../../src/lifecycle/rules/stray-payment.js';
import { NOW, customer, gateway, line, merchant, quoteOf } from '../lifecycle/fixtures.js';

const RUNS = { numRuns: 150 };
const policy = definePolicy({ maxPriceIncrease: 5_000 });

const linesArb = fc
  .array(fc.record({ quantity: fc.integer({ min: 1, max: 5 }), unit: fc.integer({ min: 0, max: 20_000 }), virtual: fc.boolean() }), { minLength: 1, maxLength: 5 })
  .map((specs) => specs.map((s, i) => line(String.fromCharCode(97 + ((i * 7) % 26)) + i, s.quantity, s.unit, s.virtual ? { fulfillment: 'virtual' } : {})));

function placeWith(lines: ReturnType<typeof line>[], freight: number, number = '20261125120000123456'): Order | null {
  const r = placeOrder({ id: 'o1', number, customerId: 'u1', quote: quoteOf(lines, freight) }, { now: NOW, policy });
  if (!r.ok) throw r.error;
  return r.order.status === 'pending_payment' ? r.order : null;
}

/** Each step: a new total as a share (per mille) of the current one, or an absolute small value. */
const adjustmentsArb = fc.array(fc.oneof(fc.integer({ min: 0, max: 1_500 }).map((permille) => ({ permille })), fc.nat(2_000).map((abs) => ({ abs }))), { minLength: 1, maxLength: 8 });

function applyAdjustments(start: Order, steps: Array<{ permille?: number; abs?: number }>): { order: Order; accepted: number } {
  let order = start;
  let accepted = 0;
  for (const s of steps) {
    if (order.status !== 'pending_payment') break;
    const newTotal = s.abs ?? Math.floor((order.pricing.total * s.permille!) / 1000);
    const r = transition(order, { type: 'ADJUST_PRICE', newTotal, reason: '调价' }, { now: NOW, actor: merchant, policy });
    if (!r.ok) {
      expect(['PRICE_UNCHANGED', 'PRICE_INCREASE_NOT_ALLOWED']).toContain(r.error.code);
      continue;
    }
    accepted++;
    order = r.order;
  }
  return { order, accepted };
}

describe('price adjustments (properties)', () => {
  it('after any sequence of adjustments Σ line payables + freight = total, and every number is a stored allocation', () => {
    fc.assert(
      fc.property(linesArb, fc.nat(2_000), adjustmentsArb, (lines, freight, steps) => {
        const start = placeWith(lines, freight);
        if (start === null) return;
        const { order } = applyAdjustments(start, steps);
        expect(OrderSchema.safeParse(order).success).toBe(true);
        const payables = order.lines.reduce((s, l) => s + l.payable, 0);
        expect(payables + order.pricing.freight).toBe(order.pricing.total);
        expect(order.pricing.freight).toBeLessThanOrEqual(start.pricing.freight);
        for (let i = 0; i < order.lines.length; i++) {
          const l = order.lines[i]!;
          expect(l.payable).toBeGreaterThanOrEqual(0);
          // A line's payable is its placed payable less exactly its stored adjustment shares.
          const shares = l.allocations.filter((a) => a.source === 'price_adjustment').reduce((s, a) => s + a.amount, 0);
          expect(l.payable + shares).toBe(start.lines[i]!.payable);
        }
        // The order-level entries explain the whole difference.
        const explained = order.pricing.adjustments.reduce((s, a) => s + a.amount, 0);
        expect(start.pricing.total - explained).toBe(order.pricing.total);
        // Never above the cap.
        expect(order.pricing.total - start.pricing.total).toBeLessThanOrEqual(policy.maxPriceIncrease);
        if (order.status === 'pending_payment') {
          const open = order.payment.attempts.filter((a) => a.status === 'open');
          expect(open).toHaveLength(1);
          expect(open[0]!.amount).toBe(order.pricing.total);
        } else {
          expect(order.pricing.total).toBe(0);
        }
      }),
      RUNS,
    );
  });

  it('a full refund after adjustments returns exactly what was paid', () => {
    fc.assert(
      fc.property(linesArb, fc.nat(2_000), adjustmentsArb, fc.boolean(), (lines, freight, steps, byCancel) => {
        const start = placeWith(lines.map((l) => ({ ...l, fulfillment: 'physical' as const })), freight);
        if (start === null) return;
        let { order } = applyAdjustments(start, steps);
        if (order.status === 'pending_payment') {
          const paid = transition(order, { type: 'PAYMENT_SUCCEEDED', amount: order.pricing.total, transactionId: 'tx-1' }, { now: NOW, actor: gateway, policy });
          if (!paid.ok) throw paid.error;
          order = paid.order;
        }
        const paidAmount = order.payment.paidAmount;
        if (paidAmount === 0) return; // adjusted to 0: nothing to give back
        const cmd: Command = byCancel ? { type: 'CANCEL' } : { type: 'REQUEST_AFTER_SALE', kind: 'refund_only', reason: '不要了' };
        const actor: Actor = byCancel ? merchant : customer;
        const r = transition(order, cmd, { now: NOW, actor, policy });
        if (!r.ok) throw r.error;
        const refunds = r.order.refunds.filter((x) => x.reason !== 'stray_payment');
        expect(refunds.reduce((s, x) => s + x.amount, 0)).toBe(paidAmount);
        let done = r.order;
        for (const refund of refunds) {
          const s = transition(done, { type: 'REFUND_SUCCEEDED', refundId: refund.id }, { now: NOW, actor: gateway, policy });
          if (!s.ok) throw s.error;
          done = s.order;
        }
        expect(done.status).toBe('closed');
      }),
      RUNS,
    );
  });

  it('every out_trade_no ever produced is valid for WeChat Pay and cloudPay, and unique within the order', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[A-Z0-9]{0,4}$/),
        fc.integer({ min: 6, max: 10 }),
        fc.integer({ min: 1, max: MAX_PAYMENT_ATTEMPTS + 3 }),
        fc.integer({ min: 0, max: 2 ** 31 }),
        (prefix, randomDigits, adjustments, seed) => {
          let x = seed;
          const random = () => ((x = (x * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
          const number = createOrderNumber({ now: NOW, random, prefix, randomDigits });
          let order = placeWith([line('a', 1, 1_000_000)], 0, number)!;
          for (let i = 0; i < adjustments; i++) {
            const r = transition(order, { type: 'ADJUST_PRICE', newTotal: order.pricing.total - 1, reason: '调价' }, { now: NOW, actor: merchant, policy });
            if (!r.ok) {
              expect(r.error.code).toBe('TOO_MANY_PAYMENT_ATTEMPTS');
              break;
            }
            order = r.order;
          }
          const ids = order.payment.attempts.map((a) => a.outTradeNo);
          expect(new Set(ids).size).toBe(ids.length);
          for (const id of ids) {
            expect(id).toMatch(OUT_TRADE_NO_PATTERN);
            expect(id.length).toBeLessThanOrEqual(32);
          }
          expect(ids.length).toBe(Math.min(adjustments + 1, MAX_PAYMENT_ATTEMPTS));
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe('stray payments (properties)', () => {
  /** What the service does with a verified payment: apply it, or record it as stray when refused. */
  function deliver(order: Order, command: Command): { order: Order; effects: string[]; refundTx: string[] } {
    const ctx = { now: NOW, actor: gateway, policy };
    let r = transition(order, command, ctx);
    if (!r.ok) {
      const stray = strayPaymentFor(order, command, gateway, r.error);
      if (stray !== undefined) r = transition(order, stray, ctx);
    }
    if (!r.ok) return { order, effects: [], refundTx: [] };
    return {
      order: r.order,
      effects: r.effects.map((e) => e.type),
      refundTx: r.effects.flatMap((e) => (e.type === 'payment.refund' && e.reason === 'stray_payment' ? [e.transactionId!] : [])),
    };
  }

  const eventArb = fc.oneof(
    fc.record({ kind: fc.constant('pay' as const), tx: fc.constantFrom('t1', 't2', 't3', 't4'), attempt: fc.nat(3), delta: fc.constantFrom(0, 0, 1, -1) }),
    fc.record({ kind: fc.constant('adjust' as const), permille: fc.integer({ min: 0, max: 999 }) }),
    fc.record({ kind: fc.constantFrom('cancel' as const, 'expire' as const, 'ship' as const) }),
  );

  it('a stray payment never changes the status and yields exactly one refund per transaction', () => {
    fc.assert(
      fc.property(linesArb, fc.nat(1_000), fc.array(eventArb, { minLength: 1, maxLength: 16 }), (lines, freight, events) => {
        const start = placeWith(lines, freight);
        if (start === null) return;
        let order = start;
        const refundsByTx = new Map<string, number>();
        let payer: string | undefined;
        for (const e of events) {
          if (e.kind === 'pay') {
            const attempts = order.payment.attempts;
            const attempt = attempts[Math.min(e.attempt, attempts.length - 1)];
            const amount = Math.max(1, (attempt?.amount ?? 1) + e.delta);
            const command: Command = { type: 'PAYMENT_SUCCEEDED', amount, transactionId: e.tx, ...(attempt ? { outTradeNo: attempt.outTradeNo } : {}) };
            const before = order;
            const out = deliver(order, command);
            order = out.order;
            for (const tx of out.refundTx) refundsByTx.set(tx, (refundsByTx.get(tx) ?? 0) + 1);
            if (out.refundTx.length > 0) {
              // Recorded as stray: the status and the order's own money did not move.
              expect(order.status).toBe(before.status);
              expect(order.payment.paidAmount).toBe(before.payment.paidAmount);
              expect(order.payment.transactionId).toBe(before.payment.transactionId);
              expect(out.refundTx).toEqual([e.tx]);
            } else if (order !== before && order.payment.transactionId === e.tx) {
              payer = e.tx;
            }
            // Money is never dropped: a verified payment either paid the order or is on record.
            expect(order.payment.transactionId === e.tx || order.payment.stray.some((s) => s.transactionId === e.tx)).toBe(true);
          } else if (e.kind === 'adjust' && order.status === 'pending_payment') {
            const r = transition(order, { type: 'ADJUST_PRICE', newTotal: Math.floor((order.pricing.total * e.permille) / 1000), reason: '调价' }, { now: NOW, actor: merchant, policy });
            if (r.ok) order = r.order;
          } else if (e.kind !== 'adjust') {
            const command: Command = e.kind === 'cancel' ? { type: 'CANCEL' } : e.kind === 'expire' ? { type: 'EXPIRE' } : { type: 'SHIP', logisticsType: 'express' };
            const actor: Actor = e.kind === 'expire' ? { type: 'system' } : merchant;
            const r = transition(order, command, { now: new Date(NOW.getTime() + 3_600_000), actor, policy });
            if (r.ok) order = r.order;
          }
        }
        for (const [tx, n] of refundsByTx) {
          expect(n).toBe(1);
          expect(tx).not.toBe(payer);
          expect(order.refunds.filter((r) => r.reason === 'stray_payment' && r.transactionId === tx)).toHaveLength(1);
        }
        expect(order.payment.stray.map((s) => s.transactionId).sort()).toEqual([...refundsByTx.keys()].sort());
      }),
      RUNS,
    );
  });
});
