import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { definePolicy, type Policy } from '../../src/order/policy.js';
import type { Actor, Command, Line, Order } from '../../src/order/index.js';
import { afterSaleLineAmounts, isFullyRefunded, succeededRefundTotal } from '../../src/refund/index.js';
import { CUSTOMER, deepFreeze, GATEWAY, MERCHANT, T0 } from './fixtures.js';
import { arbLines, direct, viaTransition, type Driver } from './harness.js';

/**
 * Refunding every line, in any order and any split — with withdrawn requests and failed refunds
 * in between — returns exactly what was paid for the goods, to the fen; the freight comes back
 * once, exactly when the policy says.
 */

interface Part {
  line: number;
  quantity: number;
  kind: 'refund_only' | 'return_and_refund';
  failFirst: boolean;
  key: number;
}
interface Decoy {
  line: number;
  afterPart: number;
  holdFor: number;
  reject: boolean;
}

const arbPlan = fc
  .record({
    lines: arbLines,
    freight: fc.integer({ min: 0, max: 1500 }),
    refundShipping: fc.constantFrom('before_shipment' as const, 'always' as const, 'never' as const),
    autoApprove: fc.boolean(),
    restock: fc.boolean(),
    shipFirst: fc.constantFrom('none' as const, 'all' as const, 'confirm' as const),
    seed: fc.array(fc.record({ cut: fc.boolean(), kind: fc.boolean(), failFirst: fc.nat(3).map((n) => n === 0), key: fc.nat(1000) }), { minLength: 24, maxLength: 24 }),
    decoys: fc.array(fc.record({ line: fc.nat(3), afterPart: fc.nat(12), holdFor: fc.integer({ min: 0, max: 3 }), reject: fc.boolean() }), { maxLength: 4 }),
  })
  .map((p) => {
    const parts: Part[] = [];
    let s = 0;
    p.lines.forEach((line, li) => {
      let run = 0;
      for (let u = 1; u <= line.quantity; u++) {
        run++;
        const bit = p.seed[s++ % p.seed.length]!;
        if (u === line.quantity || bit.cut) {
          parts.push({ line: li, quantity: run, kind: p.shipFirst !== 'none' && bit.kind ? 'return_and_refund' : 'refund_only', failFirst: bit.failFirst, key: bit.key * 100 + parts.length });
          run = 0;
        }
      }
    });
    parts.sort((a, b) => a.key - b.key);
    return { ...p, parts };
  });

function refundEverything(driver: Driver, numRuns: number) {
  it(`${driver.name}: every line refunded in any order and split returns exactly the amount paid (freight per policy)`, () => {
    fc.assert(
      fc.property(arbPlan, (plan) => {
        const policy: Policy = definePolicy({ refundShipping: plan.refundShipping, autoApproveRefundBeforeShipment: plan.autoApprove, restockOnReturn: plan.restock });
        let order: Order = deepFreeze(driver.start(plan.lines, plan.freight, policy));
        const lines: Line[] = order.lines;
        const must = (command: Command, actor: Actor): Order => {
          const r = driver.run(order, command, actor, T0, policy);
          if (!r.ok) throw new Error(`${command.type} refused: ${r.code}`);
          order = deepFreeze(r.order);
          return order;
        };
        const attempt = (command: Command, actor: Actor) => {
          const r = driver.run(order, command, actor, T0, policy);
          if (r.ok) order = deepFreeze(r.order);
          return r;
        };
        if (plan.shipFirst !== 'none' && order.status === 'paid') must({ type: 'SHIP', logisticsType: 'express' }, MERCHANT);
        if (plan.shipFirst === 'confirm' && order.status === 'shipped') must({ type: 'CONFIRM_RECEIPT' }, CUSTOMER);
        const shippedFirst = order.shipments.length > 0;

        const live: Array<{ id: string; until: number; reject: boolean }> = [];
        const release = (now: number) => {
          for (let i = live.length - 1; i >= 0; i--) {
            const d = live[i]!;
            if (d.until > now) continue;
            must(d.reject ? { type: 'REJECT_AFTER_SALE', afterSaleId: d.id, reason: 'decoy' } : { type: 'CANCEL_AFTER_SALE', afterSaleId: d.id }, d.reject ? MERCHANT : CUSTOMER);
            live.splice(i, 1);
          }
        };
        const retriedIds = new Map<string, number>();
        /** Takes one after-sale to `refunded`: approve, send back and receive a return, fail once if asked, succeed. */
        const settle = (id: string, failFirst: boolean) => {
          const status = () => order.afterSales.find((a) => a.id === id)!.status;
          if (status() === 'requested') must({ type: 'APPROVE_AFTER_SALE', afterSaleId: id }, MERCHANT);
          if (status() === 'awaiting_return') {
            must({ type: 'RETURN_SHIPPED', afterSaleId: id, trackingNo: 'SF1', expressCompany: 'SF' }, CUSTOMER);
            must({ type: 'RETURN_RECEIVED', afterSaleId: id }, MERCHANT);
          }
          if (status() === 'refunded') {
            // Units worth nothing: done without a refund (docs/after-sales.md "Goods worth nothing").
            expect(order.afterSales.find((a) => a.id === id)).toMatchObject({ amount: 0 });
            return;
          }
          expect(status()).toBe('refunding');
          const refundId = order.afterSales.find((a) => a.id === id)!.refundId!;
          const amount = order.refunds.find((x) => x.id === refundId)!.amount;
          if (failFirst) {
            must({ type: 'REFUND_FAILED', refundId, reason: 'NOTENOUGH' }, GATEWAY);
            must({ type: 'APPROVE_AFTER_SALE', afterSaleId: id }, MERCHANT);
            retriedIds.set(refundId, amount);
          }
          must({ type: 'REFUND_SUCCEEDED', refundId, amount }, GATEWAY);
          expect(status()).toBe('refunded');
        };

        plan.parts.forEach((part, k) => {
          const lineId = lines[part.line]!.id;
          const ask = (): ReturnType<Driver['run']> =>
            attempt({ type: 'REQUEST_AFTER_SALE', kind: part.kind, items: [{ lineId, quantity: part.quantity }], reason: 'r' }, CUSTOMER);
          let r = ask();
          if (!r.ok && (r.code === 'QUANTITY_EXCEEDS_REFUNDABLE' || r.code === 'RETURN_EXCEEDS_SHIPPED') && live.length > 0) {
            release(Number.POSITIVE_INFINITY);
            r = ask();
          }
          if (!r.ok) {
            // Only a part worth nothing (zero shares, freight not due) may be refused — or any part
            // once the order is closed because everything paid has come back.
            if (order.status === 'closed') expect(isFullyRefunded(order)).toBe(true);
            else expect(r.code).toBe('NOTHING_TO_REFUND');
            return;
          }
          settle(order.afterSales[order.afterSales.length - 1]!.id, part.failFirst);

          for (const d of plan.decoys) {
            if (d.afterPart % plan.parts.length !== k) continue;
            if (!shippedFirst && policy.autoApproveRefundBeforeShipment) continue; // it would be refunded at once
            const decoy = attempt({ type: 'REQUEST_AFTER_SALE', kind: 'refund_only', items: [{ lineId: lines[d.line % lines.length]!.id, quantity: 1 }], reason: 'decoy' }, CUSTOMER);
            if (decoy.ok) live.push({ id: order.afterSales[order.afterSales.length - 1]!.id, until: k + d.holdFor, reject: d.reject });
          }
          release(k);
        });
        if (live.length > 0) release(Number.POSITIVE_INFINITY);
        // Parts skipped as worthless may become worth something once a withdrawn request frees the
        // money it held: the shopper then asks for "everything left".
        if (order.status !== 'closed') {
          const rest = attempt({ type: 'REQUEST_AFTER_SALE', kind: 'refund_only', reason: 'rest' }, CUSTOMER);
          if (rest.ok) settle(order.afterSales[order.afterSales.length - 1]!.id, false);
          else expect(rest.code).toBe('NOTHING_TO_REFUND');
        }

        const goods = lines.reduce((s, l) => s + l.payable, 0);
        const freightDue = plan.freight > 0 && (plan.refundShipping === 'always' || (plan.refundShipping === 'before_shipment' && !shippedFirst));
        expect(succeededRefundTotal(order)).toBe(goods + (freightDue ? plan.freight : 0));
        for (const line of lines) {
          let sum = 0;
          for (const a of order.afterSales) if (a.status === 'refunded') for (const l of afterSaleLineAmounts(order, a)) if (l.lineId === line.id) sum += l.amount;
          expect(sum).toBe(line.payable);
        }
        for (const [id, amount] of retriedIds) expect(order.refunds.find((x) => x.id === id)).toMatchObject({ amount, status: 'succeeded', attempts: 2 });
        expect(new Set(order.refunds.map((x) => x.id)).size).toBe(order.refunds.length);
        const everything = order.payment.paidAmount > 0 && (freightDue || plan.freight === 0);
        expect(isFullyRefunded(order)).toBe(everything);
        if (everything) expect(order).toMatchObject({ status: 'closed', closeReason: 'fully_refunded' });
      }),
      { numRuns },
    );
  });
}

describe('refunding everything', () => {
  refundEverything(direct, 250);
  refundEverything(viaTransition, 150);
});
