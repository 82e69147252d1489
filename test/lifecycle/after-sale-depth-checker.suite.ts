import { describe, expect, it } from 'vitest';
import { defaultLifecycle } from '../../src/lifecycle/index.js';
import { parseCommand } from '../../src/order/index.js';
import { AFTER_SALE_DEPTH_PAYLOADS, checkLifecycle, type CheckableLifecycle } from '../../src/testing/index.js';

/**
 * The bounded checker (docs/lifecycle.md "Checking a lifecycle exhaustively") over the after-sales
 * depth commands (docs/after-sales.md): negotiated refunds, the return shipping fee, freight-only
 * refunds and exchanges, beside the built-in commands. Every state keeps the money invariants, no
 * after-sale is left without a command that moves it, and every state can still end.
 */
const base = { ...defaultLifecycle, parse: parseCommand } as unknown as CheckableLifecycle;

/** At `depth` (the suite runs 3; test/load runs 4); `minStates` says the space really was explored. */
export function afterSaleDepthCheckerSuite(depth: number, minStates: number): void {
describe(`the after-sales depth commands under the bounded checker, depth ${depth}`, () => {
  it(`an order with freight: every sequence of ${depth} steps keeps every invariant, and the new commands are reached`, { timeout: 120_000 }, () => {
    const report = checkLifecycle({ lifecycle: base, depth, initial: ['two-lines'], payloads: AFTER_SALE_DEPTH_PAYLOADS, maxViolationsPerInvariant: 200 });
    expect(report.complete).toBe(true);
    const others = report.violations;
    expect(others.map((v) => `${v.invariant}: ${v.message} after ${v.path.map((s) => s.command.type).join(' → ')}`)).toEqual([]);
    expect(report.statesExplored).toBeGreaterThan(minStates);
  });

  it('the same space without the new payloads is smaller: the new commands really were explored', { timeout: 120_000 }, () => {
    const withNew = checkLifecycle({ lifecycle: base, depth: depth - 1, initial: ['two-lines'], payloads: AFTER_SALE_DEPTH_PAYLOADS });
    const without = checkLifecycle({ lifecycle: base, depth: depth - 1, initial: ['two-lines'] });
    expect(withNew.statesExplored).toBeGreaterThan(without.statesExplored);
  });
});
}
