import { describe, expect, it } from 'vitest';
import { builtInLifecycleSuite } from './bounded-checker.suite.js';
import { defaultLifecycle } from '../../src/lifecycle/index.js';
import { parseCommand } from '../../src/order/index.js';
import { checkerPlacement, checkLifecycle, type CheckableLifecycle, type CheckOptions, type CheckReport, type CheckViolation } from '../../src/testing/index.js';

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
const NOW = new Date('2026-11-25T04:00:00.000Z');
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


/**
 * The rule before docs/lifecycle.md "Rules" sent a partially shipped order to `shipped` once every
 * unit not shipped was refunded: the order stayed partially shipped with nothing left to ship.
 */
const stuckPartialShipment = rewrite((r, order) =>
  order.status === 'partially_shipped' && r.order.status === 'shipped' && order.shipments.length === r.order.shipments.length ? { ...r, order: { ...r.order, status: 'partially_shipped' } } : r,
);

describe('an order left partially shipped with nothing to ship, injected', () => {
  it('is reported as an order that can never end', () => {
    const placed = checkerPlacement('two-lines', NOW);
    const paid = base.transition(placed, { type: 'PAYMENT_SUCCEEDED', amount: placed.pricing.total, transactionId: 'tx-1' }, { now: NOW, actor: { type: 'payment', gateway: 'wechatpay' } });
    if (!paid.ok) throw new Error(paid.error.code);
    const shipped = base.transition(paid.order, { type: 'SHIP', logisticsType: 'express', items: [{ lineId: 'a', quantity: 1 }], trackingNo: 'SF1', expressCompany: 'SF' }, { now: NOW, actor: { type: 'merchant', id: 'staff-1' } });
    if (!shipped.ok) throw new Error(shipped.error.code);
    expect(shipped.order.status).toBe('partially_shipped');
    const report = check({ lifecycle: stuckPartialShipment, depth: 3, initial: [shipped.order], maxViolationsPerInvariant: 1000 });
    const stuck = report.violations.filter((v) => v.invariant === 'can-terminate');
    expect(stuck.length).toBeGreaterThan(0);
    expect(stuck.every((v) => v.order.status === 'partially_shipped')).toBe(true);
  });
});

builtInLifecycleSuite(4);
