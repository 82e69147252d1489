import { describe, expect, it } from 'vitest';
import { defaultLifecycle } from '../../src/lifecycle/index.js';
import { parseCommand } from '../../src/order/index.js';
import { DELIVERY_PLACEMENTS, checkLifecycle, type CheckableLifecycle } from '../../src/testing/index.js';

/**
 * The bounded checker (docs/lifecycle.md "Checking a lifecycle exhaustively") over the delivery
 * modes (docs/delivery.md): a local-delivery order and a pickup order, every command (the rider,
 * the proof, the pickup code beside the built-in ones) in every sequence up to the depth. Every
 * state keeps the money invariants and can still end.
 */
const base = { ...defaultLifecycle, parse: parseCommand } as unknown as CheckableLifecycle;
const NEW_COMMANDS = ['DISPATCH_RIDER', 'RECORD_DELIVERY_PROOF', 'VERIFY_PICKUP_CODE'];

/** At `depth` (the suite runs 4; test/load runs 6); `minStates` says the space really was explored. */
export function deliveryCheckerSuite(depth: number, minStates: number): void {
  describe(`the delivery modes under the bounded checker, depth ${depth}`, () => {
    it('local delivery and store pickup: every sequence keeps every invariant and reaches every status', { timeout: 1_800_000 }, () => {
      const report = checkLifecycle({ lifecycle: base, depth, initial: DELIVERY_PLACEMENTS, maxViolationsPerInvariant: 200 });
      console.log(`bounded checker, delivery modes: depth ${depth}, ${report.statesExplored} states, ${report.transitionsTried} transitions`, report.statesByStatus);
      expect(report.complete).toBe(true);
      const others = report.violations;
      expect(others.map((v) => `${v.invariant}: ${v.message} after ${v.path.map((s) => s.command.type).join(' → ')}`)).toEqual([]);
      expect(report.statesExplored).toBeGreaterThan(minStates);
      for (const status of ['pending_payment', 'paid', 'shipped', 'delivered', 'completed', 'closed']) expect(report.statesByStatus[status]).toBeGreaterThan(0);
    });

    it('the same space without the rider, the proof and the pickup code is smaller: they really were explored', () => {
      const without: CheckableLifecycle = {
        ...base,
        allowedActions: (order, actor, now, policy) => base.allowedActions(order, actor, now, policy).filter((t) => !NEW_COMMANDS.includes(t)),
      };
      const d = Math.min(depth, 3);
      const all = checkLifecycle({ lifecycle: base, depth: d, initial: DELIVERY_PLACEMENTS });
      const less = checkLifecycle({ lifecycle: without, depth: d, initial: DELIVERY_PLACEMENTS });
      expect(less.statesExplored).toBeLessThan(all.statesExplored);
      // Without them nothing is ever delivered or picked up: no state is `delivered`.
      expect(less.statesByStatus['delivered'] ?? 0).toBe(0);
    });
  });
}
