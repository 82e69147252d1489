import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { definePolicy, type Policy } from '../../src/order/policy.js';
import { OrderSchema, type Actor, type Command, type Order } from '../../src/order/index.js';
import { committedAmount, isFullyRefunded, lineHoldings, pendingRefundTotal, shippingHeld, succeededRefundTotal } from '../../src/refund/index.js';
import { CUSTOMER, deepFreeze, GATEWAY, MERCHANT, OTHER_CUSTOMER, T0 } from './fixtures.js';
import { arbLines, direct, shippable, viaTransition, type Driver } from './harness.js';

/**
 * Model-free properties over random command sequences: whatever happens, money never goes out
 * twice, refunds never exceed the payment, refund ids keep their amounts, and refused commands
 * leave the order exactly as it was.
 */

type Op = ({ aim?: boolean }) & (
  | { t: 'request'; kind: 'refund_only' | 'return_and_refund'; whole: boolean; picks: Array<{ line: number; qty: number }>; merchant: boolean }
  | { t: 'approve' | 'reject' | 'receive'; a: number }
  | { t: 'cancel' | 'sendBack'; a: number; other: boolean }
  | { t: 'succeed'; r: number; wrongAmount: boolean }
  | { t: 'fail'; r: number }
  | { t: 'ship'; line: number; qty: number }
  | { t: 'confirm' }
  | { t: 'wait'; hours: number }
  | { t: 'unknown' });

const arbOp: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ t: fc.constant('request' as const), kind: fc.constantFrom('refund_only' as const, 'return_and_refund' as const), whole: fc.nat(4).map((n) => n === 0), picks: fc.array(fc.record({ line: fc.nat(5), qty: fc.integer({ min: 1, max: 4 }) }), { minLength: 1, maxLength: 3 }), merchant: fc.boolean() }) },
  { weight: 4, arbitrary: fc.record({ t: fc.constantFrom('approve' as const, 'approve' as const, 'reject' as const, 'receive' as const), a: fc.nat(6) }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constantFrom('cancel' as const, 'sendBack' as const, 'sendBack' as const), a: fc.nat(6), other: fc.nat(4).map((n) => n === 0) }) },
  { weight: 3, arbitrary: fc.record({ t: fc.constant('succeed' as const), r: fc.nat(6), wrongAmount: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('fail' as const), r: fc.nat(6) }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('ship' as const), line: fc.nat(5), qty: fc.integer({ min: 1, max: 6 }) }) },
  { weight: 1, arbitrary: fc.constant({ t: 'confirm' as const }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('wait' as const), hours: fc.integer({ min: 1, max: 240 }) }) },
  { weight: 1, arbitrary: fc.constant({ t: 'unknown' as const }) },
);

const arbPolicy: fc.Arbitrary<Policy> = fc
  .record({
    autoApproveRefundBeforeShipment: fc.boolean(),
    refundShipping: fc.constantFrom('before_shipment' as const, 'always' as const, 'never' as const),
    maxPartialRefunds: fc.oneof(fc.constant(50), fc.integer({ min: 1, max: 4 })),
    restockOnReturn: fc.boolean(),
  })
  .map((p) => definePolicy(p));

function toCommand(order: Order, op: Op): { command: Command; actor: Actor } {
  const pick = <T>(xs: T[], i: number): T | undefined => (xs.length === 0 ? undefined : xs[i % xs.length]);
  // Aimed ops pick a target the command can act on (so that sequences get deep); the others pick
  // anything, which exercises the refusals.
  const aimed = (ok: (a: Order['afterSales'][number]) => boolean) => (op.aim === false ? order.afterSales : order.afterSales.filter(ok));
  const failed = (a: Order['afterSales'][number]) => order.refunds.some((r) => r.id === a.refundId && r.status === 'failed');
  const afterSaleId = (i: number, ok: (a: Order['afterSales'][number]) => boolean = () => true) => pick(aimed(ok), i)?.id ?? pick(order.afterSales, i)?.id ?? 'missing';
  const refund = (i: number) => pick(op.aim === false ? order.refunds : order.refunds.filter((r) => r.status === 'pending'), i) ?? pick(order.refunds, i);
  switch (op.t) {
    case 'request': {
      const holdings = lineHoldings(order);
      let items = op.whole ? undefined : op.picks.map((p) => ({ lineId: order.lines[p.line % order.lines.length]!.id, quantity: p.qty }));
      if (items && op.aim !== false) {
        const seen = new Set<string>();
        items = items
          .filter((i) => !seen.has(i.lineId) && seen.add(i.lineId))
          .map((i) => {
            const h = holdings.get(i.lineId)!;
            return { lineId: i.lineId, quantity: Math.min(i.quantity, op.kind === 'return_and_refund' ? h.returnable : h.refundable) };
          })
          .filter((i) => i.quantity > 0);
        if (items.length === 0) items = undefined;
      }
      return { command: { type: 'REQUEST_AFTER_SALE', kind: op.kind, reason: 'r', ...(items ? { items } : {}) }, actor: op.merchant ? MERCHANT : CUSTOMER };
    }
    case 'approve':
      return { command: { type: 'APPROVE_AFTER_SALE', afterSaleId: afterSaleId(op.a, (a) => a.status === 'requested' || failed(a)) }, actor: MERCHANT };
    case 'reject':
      return { command: { type: 'REJECT_AFTER_SALE', afterSaleId: afterSaleId(op.a, (a) => a.status === 'requested'), reason: 'no' }, actor: MERCHANT };
    case 'receive':
      return { command: { type: 'RETURN_RECEIVED', afterSaleId: afterSaleId(op.a, (a) => a.status === 'awaiting_return') }, actor: MERCHANT };
    case 'cancel':
      return { command: { type: 'CANCEL_AFTER_SALE', afterSaleId: afterSaleId(op.a, (a) => a.status === 'requested' || (a.status === 'awaiting_return' && !a.returnShipment)) }, actor: op.other ? OTHER_CUSTOMER : CUSTOMER };
    case 'sendBack':
      return { command: { type: 'RETURN_SHIPPED', afterSaleId: afterSaleId(op.a, (a) => a.status === 'awaiting_return'), trackingNo: 'SF1', expressCompany: 'SF' }, actor: op.other ? OTHER_CUSTOMER : CUSTOMER };
    case 'succeed': {
      const r = refund(op.r);
      return { command: { type: 'REFUND_SUCCEEDED', refundId: r?.id ?? 'missing', ...(op.wrongAmount && r ? { amount: r.amount + 1 } : {}) }, actor: GATEWAY };
    }
    case 'fail':
      return { command: { type: 'REFUND_FAILED', refundId: refund(op.r)?.id ?? 'missing', reason: 'NOTENOUGH' }, actor: GATEWAY };
    case 'ship': {
      const line = order.lines[op.line % order.lines.length]!;
      return { command: { type: 'SHIP', logisticsType: 'express', items: [{ lineId: line.id, quantity: op.qty }] }, actor: MERCHANT };
    }
    case 'confirm':
      return { command: { type: 'CONFIRM_RECEIPT' }, actor: CUSTOMER };
    case 'unknown':
    case 'wait':
      return { command: { type: 'REFUND_SUCCEEDED', refundId: 'no-such-refund' }, actor: GATEWAY };
  }
}

function checkInvariants(order: Order, amounts: Map<string, number>): void {
  expect(OrderSchema.safeParse(order).success).toBe(true);
  const paid = order.payment.paidAmount;
  expect(succeededRefundTotal(order) + pendingRefundTotal(order)).toBeLessThanOrEqual(paid);
  expect(committedAmount(order)).toBeLessThanOrEqual(paid);
  for (const r of order.refunds) {
    const seen = amounts.get(r.id);
    if (seen !== undefined) expect(r.amount).toBe(seen);
    amounts.set(r.id, r.amount);
    expect(Number.isSafeInteger(r.amount) && r.amount > 0).toBe(true);
  }
  expect(new Set(order.refunds.map((r) => r.id)).size).toBe(order.refunds.length);
  for (const h of lineHoldings(order).values()) {
    expect(h.heldQuantity).toBeLessThanOrEqual(h.ordered);
    expect(h.heldAmount).toBeLessThanOrEqual(h.line.payable);
    expect(h.returnHeld).toBeLessThanOrEqual(h.shipped);
  }
  expect(shippingHeld(order)).toBeLessThanOrEqual(order.pricing.freight);
  if (isFullyRefunded(order)) expect(order).toMatchObject({ status: 'closed', closeReason: 'fully_refunded' });
}

function randomSequences(driver: Driver, numRuns: number) {
  it(`${driver.name}: any after-sale command sequence keeps refunded + pending ≤ paid, ids with one amount, refusals without change`, () => {
    fc.assert(
      fc.property(arbLines, fc.integer({ min: 0, max: 1500 }), arbPolicy, fc.array(fc.tuple(arbOp, fc.nat(9)).map(([op, n]) => ({ ...op, aim: n > 1 }) as Op), { minLength: 10, maxLength: 40 }), (lines, freight, policy, ops) => {
        let order = deepFreeze(driver.start(lines, freight, policy));
        let now = T0;
        const amounts = new Map<string, number>();
        for (const op of ops) {
          if (op.t === 'wait') {
            now = new Date(now.getTime() + op.hours * 3_600_000);
            continue;
          }
          const { command, actor } = toCommand(order, op);
          if (command.type === 'SHIP') {
            const left = shippable(order).get(command.items![0]!.lineId) ?? 0;
            if (left <= 0) continue;
            command.items![0]!.quantity = Math.min(left, command.items![0]!.quantity);
          }
          const before = JSON.stringify(order);
          const r = driver.run(order, command, actor, now, policy);
          expect(JSON.stringify(order)).toBe(before); // the input is never touched
          if (!r.ok) {
            expect(r.code).toMatch(/^[A-Z_]+$/);
            continue;
          }
          // An accepted repeat (the same refund result again) hands back the same order, unchanged.
          if (r.order === order) continue;
          expect(r.order.version).toBe(order.version + 1);
          checkInvariants(r.order, amounts);
          order = deepFreeze(r.order);
        }
      }),
      { numRuns },
    );
  });
}

describe('random after-sale sequences', () => {
  randomSequences(direct, 300);
  randomSequences(viaTransition, 200);
});
