import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EffectSchema, OrderEventSchema, OrderSchema, type Actor, type Order } from '../../src/order/index.js';
import { transition, type TransitionResult } from '../../src/lifecycle/index.js';
import { NOW, commandFor, deepFreeze, gateway, line, merchant, moneyFields, must, place, walkArb, type WalkStep } from './fixtures.js';

/**
 * Properties over random command walks from `placeOrder`: every actor, every command type, valid
 * and invalid payloads, time jumping past deadlines.
 */

const orderArb = fc.record({
  units: fc.array(fc.record({ quantity: fc.integer({ min: 1, max: 3 }), unit: fc.integer({ min: 0, max: 50_000 }) }), { minLength: 1, maxLength: 2 }),
  freight: fc.constantFrom(0, 800),
  virtual: fc.boolean(),
  coupons: fc.boolean(),
});

interface OrderSpec {
  units: Array<{ quantity: number; unit: number }>;
  freight: number;
  virtual: boolean;
  coupons: boolean;
}

function startFrom(spec: OrderSpec): Order {
  const ids = ['a', 'b'];
  const lines = spec.units.map((u, i) => line(ids[i]!, u.quantity, u.unit, spec.virtual ? { fulfillment: 'virtual' } : {}));
  return place({ lines, freight: spec.freight, couponIds: spec.coupons ? ['C1'] : [] });
}

/** Runs a walk, calling `check` with the order before, the step and the result. */
function walk(start: Order, steps: WalkStep[], check: (before: Order, result: TransitionResult, step: WalkStep & { actor: Actor }) => void): Order {
  let order = start;
  let now = NOW.getTime();
  for (const step of steps) {
    now += step.minutes * 60_000;
    const command = commandFor(step.pick, order);
    const actor: Actor = step.actor.type === 'customer' && step.actor.id === 'u1' ? { type: 'customer', id: order.customerId } : step.actor;
    const result = transition(order, command, { now: new Date(now), actor });
    check(order, result, { ...step, actor });
    if (result.ok) order = result.order;
  }
  return order;
}

const RUNS = { numRuns: 300 };

describe('transition properties', () => {
  it('is deterministic and never mutates its input (deep-frozen orders)', () => {
    fc.assert(
      fc.property(orderArb, walkArb, (spec, steps) => {
        let now = NOW.getTime();
        let order = deepFreeze(startFrom(spec));
        for (const step of steps) {
          now += step.minutes * 60_000;
          const command = deepFreeze(commandFor(step.pick, order));
          const before = JSON.stringify(order);
          const ctx = { now: new Date(now), actor: step.actor };
          const a = transition(order, command, ctx);
          const b = transition(order, command, ctx);
          expect(JSON.stringify(order)).toBe(before);
          expect(JSON.stringify(a)).toBe(JSON.stringify(b));
          if (a.ok) order = deepFreeze(a.order);
        }
      }),
      RUNS,
    );
  });

  it('bumps the version by exactly one on a change, never on a refusal or a no-op', () => {
    fc.assert(
      fc.property(orderArb, walkArb, (spec, steps) => {
        walk(startFrom(spec), steps, (before, r) => {
          if (!r.ok) {
            expect(r.error.code).toMatch(/^[A-Z][A-Z_]+$/);
            expect(r.error.messages['zh-CN'].length).toBeGreaterThan(0);
            expect(r.error.messages.en.length).toBeGreaterThan(0);
            return;
          }
          if (r.changed) {
            expect(r.order.version).toBe(before.version + 1);
            expect(r.events).toHaveLength(1);
            expect(r.events[0]!.version).toBe(r.order.version);
            expect(r.events[0]!.from).toBe(before.status);
            expect(r.events[0]!.to).toBe(r.order.status);
            r.effects.forEach((e, i) => expect(e.id).toBe(`${before.id}:${r.order.version}:${i}`));
          } else {
            expect(r.order).toBe(before);
            expect(r.events).toEqual([]);
            expect(r.effects).toEqual([]);
          }
        });
      }),
      RUNS,
    );
  });

  it('every order, event and effect on the way passes its schema; money stays in safe integers', () => {
    fc.assert(
      fc.property(orderArb, walkArb, (spec, steps) => {
        const start = startFrom(spec);
        expect(OrderSchema.safeParse(start).success).toBe(true);
        const end = walk(start, steps, (_before, r) => {
          if (!r.ok || !r.changed) return;
          const parsed = OrderSchema.safeParse(r.order);
          if (!parsed.success) throw new Error(JSON.stringify(parsed.error.issues));
          for (const e of r.events) expect(OrderEventSchema.safeParse(e).success).toBe(true);
          for (const e of r.effects) expect(EffectSchema.safeParse(e).success).toBe(true);
          for (const [path, value] of moneyFields(r.order)) {
            if (!Number.isSafeInteger(value)) throw new Error(`${path} = ${String(value)} is not a safe integer`);
          }
        });
        // The refund ledger never holds more than was paid (stray payments are refunded from their own money).
        const held = end.refunds.filter((r) => r.status !== 'failed' && r.reason !== 'stray_payment').reduce((s, r) => s + r.amount, 0);
        expect(held).toBeLessThanOrEqual(end.payment.paidAmount);
      }),
      RUNS,
    );
  });

  it('a closed order never leaves closed; only a late payment and refund results change it', () => {
    const closeBy = fc.constantFrom('expire', 'customer_cancel', 'merchant_cancel', 'refund_all');
    fc.assert(
      fc.property(orderArb, closeBy, walkArb, (spec, how, after) => {
        const start = startFrom(spec);
        if (start.status !== 'pending_payment') return; // a free order has no unpaid phase
        const system = { type: 'system' } as const;
        const owner = { type: 'customer', id: start.customerId } as const;
        const paid = () => must(start, { type: 'PAYMENT_SUCCEEDED', amount: start.pricing.total, transactionId: 'tx-1' }, gateway).order;
        let order: Order;
        if (how === 'expire') order = must(start, { type: 'EXPIRE' }, system, new Date(NOW.getTime() + 31 * 60_000)).order;
        else if (how === 'customer_cancel') order = must(start, { type: 'CANCEL' }, owner).order;
        else if (how === 'merchant_cancel') {
          const p = paid();
          if (p.status !== 'paid') return; // virtual goods ship at once
          order = must(p, { type: 'CANCEL' }, merchant).order;
        } else {
          const p = paid();
          if (p.status !== 'paid' || p.payment.paidAmount === 0) return;
          const asked = must(p, { type: 'CANCEL' }, owner).order;
          order = must(asked, { type: 'REFUND_SUCCEEDED', refundId: asked.refunds[0]!.id }, gateway).order;
        }
        expect(order.status).toBe('closed');
        walk(order, after, (before, r) => {
          if (!r.ok || !r.changed) return;
          expect(r.order.status).toBe('closed');
          expect(r.order.closeReason).toBe(before.closeReason);
          expect(r.order.shipments).toBe(before.shipments);
          expect(r.order.lines).toBe(before.lines);
          expect(['PAYMENT_SUCCEEDED', 'REFUND_SUCCEEDED', 'REFUND_FAILED']).toContain(r.events[0]!.type);
          if (r.events[0]!.type === 'PAYMENT_SUCCEEDED') {
            // A payment after close is a stray payment: kept, refunded in full at once, never the order's money.
            expect(r.order.payment.paidAmount).toBe(before.payment.paidAmount);
            expect(r.order.payment.transactionId).toBe(before.payment.transactionId);
            expect(r.order.payment.stray.length).toBe(before.payment.stray.length + 1);
            expect(r.order.refunds.length).toBe(before.refunds.length + 1);
            const stray = r.order.payment.stray[r.order.payment.stray.length - 1]!;
            const refund = r.effects.find((e) => e.type === 'payment.refund');
            expect(refund).toMatchObject({ refundId: stray.refundId, amount: stray.amount, total: stray.amount, transactionId: stray.transactionId, reason: 'stray_payment' });
          } else {
            expect(r.order.payment).toBe(before.payment);
          }
        });
      }),
      RUNS,
    );
  });
});
