import { describe, expect, it } from 'vitest';
import { defaultLifecycle } from '../../src/lifecycle/index.js';
import { parseCommand } from '../../src/order/index.js';
import { AFTER_SALE_DEPTH_PAYLOADS, checkLifecycle, type CheckableLifecycle, type CheckViolation } from '../../src/testing/index.js';

/**
 * The bounded checker (docs/lifecycle.md "Checking a lifecycle exhaustively") over the after-sales
 * depth commands (docs/after-sales.md): negotiated refunds, the return shipping fee, freight-only
 * refunds and exchanges, beside the built-in commands. Every state keeps the money invariants, no
 * after-sale is left without a command that moves it, and the only states that cannot end are the
 * open liveness finding of docs/lifecycle.md (partially shipped, the rest refunded before shipment).
 */
const base = { ...defaultLifecycle, parse: parseCommand } as unknown as CheckableLifecycle;

function partiallyShippedForEver(order: CheckViolation['order']): boolean {
  if (order.status !== 'partially_shipped') return false;
  return order.lines.every((l) => {
    const shipped = order.shipments.reduce((s, p) => s + p.items.filter((i) => i.lineId === l.id).reduce((x, i) => x + i.quantity, 0), 0);
    const refunded = order.afterSales
      .filter((a) => a.kind === 'refund_only' && (a.status === 'refunding' || a.status === 'refunded'))
      .reduce((s, a) => s + a.items.filter((i) => i.lineId === l.id).reduce((x, i) => x + i.quantity, 0), 0);
    return shipped + refunded >= l.quantity;
  });
}

describe('the after-sales depth commands under the bounded checker', () => {
  it('an order with freight: every sequence of 3 steps (depth 4: test/load/after-sale-depth-checker.load.test.ts) keeps every invariant, and the new commands are reached', { timeout: 120_000 }, () => {
    const report = checkLifecycle({ lifecycle: base, depth: 3, initial: ['two-lines'], payloads: AFTER_SALE_DEPTH_PAYLOADS, maxViolationsPerInvariant: 200 });
    expect(report.complete).toBe(true);
    const others = report.violations.filter((v) => v.invariant !== 'can-terminate' || !partiallyShippedForEver(v.order));
    expect(others.map((v) => `${v.invariant}: ${v.message} after ${v.path.map((s) => s.command.type).join(' → ')}`)).toEqual([]);
    expect(report.statesExplored).toBeGreaterThan(100);
  });

  it('the same space without the new payloads is smaller: the new commands really were explored', { timeout: 120_000 }, () => {
    const withNew = checkLifecycle({ lifecycle: base, depth: 2, initial: ['two-lines'], payloads: AFTER_SALE_DEPTH_PAYLOADS });
    const without = checkLifecycle({ lifecycle: base, depth: 2, initial: ['two-lines'] });
    expect(withNew.statesExplored).toBeGreaterThan(without.statesExplored);
  });
});
