import { describe, expect, it } from 'vitest';
import { partiallyShippedForEver } from '../support/liveness.js';
import { defaultLifecycle } from '../../src/lifecycle/index.js';
import { parseCommand } from '../../src/order/index.js';
import { checkLifecycle, type CheckableLifecycle, type CheckOptions, type CheckReport, type CheckViolation } from '../../src/testing/index.js';

/**
 * The exhaustive bounded checker of wx-orderkit/testing (docs/lifecycle.md "Checking a lifecycle
 * exhaustively"): it finds the stuck after-sale of the old closing rule, finds broken invariants
 * planted in a lifecycle, and passes the built-in lifecycle.
 */

const base = { ...defaultLifecycle, parse: parseCommand } as unknown as CheckableLifecycle;

/** The built-in lifecycle with one transition result rewritten. */
function rewrite(change: (r: Extract<ReturnType<CheckableLifecycle['transition']>, { ok: true }>, ...args: Parameters<CheckableLifecycle['transition']>) => ReturnType<CheckableLifecycle['transition']>): CheckableLifecycle {
  return {
    ...base,
    transition(order, command, ctx) {
      const r = base.transition(order, command, ctx);
      return r.ok && r.changed !== false ? change(r, order, command, ctx) : r;
    },
  };
}

/**
 * The closing rule before the fix of docs/after-sales.md "Closing with after-sales open": a
 * merchant cancel refunded in full and left the open after-sales as they were.
 */
const oldClosingRule = rewrite((r, order, command, ctx) =>
  command.type === 'CANCEL' && ctx.actor.type === 'merchant' && order.status === 'paid' ? { ...r, order: { ...r.order, afterSales: order.afterSales } } : r,
);

const check = (options: Omit<CheckOptions, 'lifecycle'> & { lifecycle?: CheckableLifecycle }): CheckReport => checkLifecycle({ lifecycle: base, ...options });
const typesOf = (v: CheckViolation) => v.path.map((s) => s.command.type);

describe('the old closing rule, injected', () => {
  it('is reported: the after-sale stuck in refunding, ¥30.00 committed against ¥20.00 paid', () => {
    const report = check({ lifecycle: oldClosingRule, depth: 4, initial: ['two-units'], maxViolationsPerInvariant: 1000 });
    expect(report.ok).toBe(false);
    const stuck = report.violations.filter((v) => v.invariant === 'after-sale-can-move');
    expect(stuck.length).toBeGreaterThan(0);
    const issuePath = stuck.find((v) => typesOf(v).join(' ') === 'PAYMENT_SUCCEEDED REQUEST_AFTER_SALE REFUND_FAILED CANCEL');
    expect(issuePath, stuck.map((v) => typesOf(v).join(' ')).join('\n')).toBeDefined();
    expect(issuePath!.order.status).toBe('closed');
    expect(issuePath!.order.afterSales[0]!.status).toBe('refunding');
    // The 1-unit request of the issue (a whole-order request commits ¥40.00 the same way).
    const committed = report.violations.filter((v) => v.invariant === 'committed-within-paid' && typesOf(v).join(' ') === 'PAYMENT_SUCCEEDED REQUEST_AFTER_SALE REFUND_FAILED CANCEL');
    expect(committed.map((v) => v.message)).toContain('committed ¥30.00 (refunds ¥20.00 + approved after-sales without a live refund ¥10.00) exceeds paid ¥20.00');
  });

  it('with the fix, the same space has no stuck after-sale and nothing over-committed', () => {
    const report = check({ depth: 4, initial: ['two-units'] });
    expect(report.statesExplored).toBe(check({ lifecycle: oldClosingRule, depth: 4, initial: ['two-units'] }).statesExplored);
    expect(report.violationCounts['after-sale-can-move']).toBeUndefined();
    expect(report.violationCounts['committed-within-paid']).toBeUndefined();
    expect(report.violationCounts['refunds-within-paid']).toBeUndefined();
  });
});

describe('broken invariants planted in a lifecycle are found', () => {
  it('a refund larger than the payment', () => {
    const generous = rewrite((r, order, command) =>
      command.type === 'CANCEL' && order.status === 'paid' ? { ...r, order: { ...r.order, refunds: r.order.refunds.map((x) => ({ ...x, amount: x.amount + 1 })) } } : r,
    );
    const report = check({ lifecycle: generous, depth: 2, initial: ['two-lines'] });
    expect(report.violations.find((v) => v.invariant === 'refunds-within-paid')?.message).toMatch(/exceed paid ¥18\.00/);
  });

  it('a total that is not the sum of the payables', () => {
    const drifting = rewrite((r, _order, command) =>
      command.type === 'ADJUST_PRICE' ? { ...r, order: { ...r.order, pricing: { ...r.order.pricing, total: r.order.pricing.total + 1 } } } : r,
    );
    expect(check({ lifecycle: drifting, depth: 1, initial: ['two-lines'] }).violationCounts['payables-sum-to-total']).toBeGreaterThan(0);
  });

  it('a change that skips a version, and one without its event', () => {
    const skipping = rewrite((r, _order, command) => (command.type === 'SHIP' ? { ...r, order: { ...r.order, version: r.order.version + 1 } } : r));
    const silent = rewrite((r, _order, command) => (command.type === 'SHIP' ? { ...r, events: [] } : r));
    expect(check({ lifecycle: skipping, depth: 2, initial: ['two-units'] }).violations.find((v) => v.invariant === 'version-steps-by-one')?.message).toMatch(/version 2 → 4/);
    expect(check({ lifecycle: silent, depth: 2, initial: ['two-units'] }).violations.find((v) => v.invariant === 'version-steps-by-one')?.message).toMatch(/no event/);
  });

  it('a transition that mutates its input or throws', () => {
    const mutating: CheckableLifecycle = {
      ...base,
      transition(order, command, ctx) {
        if (command.type === 'SHIP') (order as { buyerRemark?: string }).buyerRemark = 'changed';
        return base.transition(order, command, ctx);
      },
    };
    const report = check({ lifecycle: mutating, depth: 2, initial: ['two-units'] });
    expect(report.violations.find((v) => v.invariant === 'no-throw')?.message).toMatch(/SHIP by merchant threw/);
  });

  it('an order that can never end', () => {
    const endless = rewrite((r, order) => (r.order.status === 'closed' || r.order.status === 'completed' ? { ok: false, error: { code: 'NO' } } : r));
    const report = check({ lifecycle: endless, depth: 2, initial: ['virtual'], livenessDepth: 3 });
    expect(report.violationCounts['can-terminate']).toBe(report.statesExplored);
  });
});

describe('the report', () => {
  it('counts distinct states, grows with the depth and is the same on every run', () => {
    const one = check({ depth: 1, initial: ['two-units'] });
    const two = check({ depth: 2, initial: ['two-units'] });
    expect(one.statesExplored).toBeGreaterThan(1);
    expect(two.statesExplored).toBeGreaterThan(one.statesExplored);
    expect(check({ depth: 2, initial: ['two-units'] })).toEqual(two);
    expect(Object.values(two.statesByStatus).reduce((s, n) => s + n, 0)).toBe(two.statesExplored);
    expect(two.complete).toBe(true);
    expect(check({ depth: 3, initial: ['two-units'], maxStates: 10 }).complete).toBe(false);
  });

  it('refuses a depth that is not a non-negative integer', () => {
    expect(() => check({ depth: -1 })).toThrow(RangeError);
    expect(() => check({ depth: 1.5 })).toThrow(RangeError);
  });
});


describe('the built-in lifecycle, every command sequence up to depth 6', () => {
  it('keeps every invariant; the one open liveness finding is the only can-terminate report', { timeout: 1_800_000 }, () => {
    const report = check({ depth: 6, maxViolationsPerInvariant: 5000 });
    console.log(`bounded checker: depth 6, ${report.statesExplored} states, ${report.transitionsTried} transitions`, report.statesByStatus);
    expect(report.complete).toBe(true);
    expect(report.statesExplored).toBeGreaterThan(20_000);
    for (const status of ['pending_payment', 'paid', 'partially_shipped', 'shipped', 'delivered', 'completed', 'closed']) expect(report.statesByStatus[status]).toBeGreaterThan(0);
    const others = report.violations.filter((v) => v.invariant !== 'can-terminate');
    expect(others.map((v) => `${v.invariant}: ${v.message} after ${typesOf(v).join(' → ')}`)).toEqual([]);
    const cannot = report.violations.filter((v) => v.invariant === 'can-terminate');
    expect(cannot.length).toBe(report.violationCounts['can-terminate'] ?? 0);
    for (const v of cannot) expect(partiallyShippedForEver(v.order), `${v.message} after ${typesOf(v).join(' → ')}`).toBe(true);
  });
});
