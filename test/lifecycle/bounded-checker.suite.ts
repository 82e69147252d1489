import { describe, expect, it } from 'vitest';
import { defaultLifecycle } from '../../src/lifecycle/index.js';
import { parseCommand } from '../../src/order/index.js';
import { checkLifecycle, type CheckableLifecycle, type CheckViolation } from '../../src/testing/index.js';

/**
 * The built-in lifecycle through every command sequence up to `depth` from each placement: no
 * invariant is broken and every state can still end (no can-terminate report at all). `npm test`
 * runs it at depth 4 (test/lifecycle/bounded-checker.test.ts); `npm run test:load` at depth 6.
 */
export function builtInLifecycleSuite(depth: number): void {
  describe(`the built-in lifecycle, every command sequence up to depth ${depth}`, () => {
    it('keeps every invariant, and every state it reaches can still end', { timeout: 1_800_000 }, () => {
      const lifecycle = { ...defaultLifecycle, parse: parseCommand } as unknown as CheckableLifecycle;
      const report = checkLifecycle({ lifecycle, depth, maxViolationsPerInvariant: 5000 });
      console.log(`bounded checker: depth ${depth}, ${report.statesExplored} states, ${report.transitionsTried} transitions`, report.statesByStatus);
      expect(report.complete).toBe(true);
      for (const status of ['pending_payment', 'paid', 'partially_shipped', 'shipped', 'delivered', 'completed', 'closed']) expect(report.statesByStatus[status]).toBeGreaterThan(0);
      const typesOf = (v: CheckViolation) => v.path.map((s) => s.command.type).join(' → ');
      expect(report.violations.map((v) => `${v.invariant}: ${v.message} after ${typesOf(v)}`)).toEqual([]);
    });
  });
}
