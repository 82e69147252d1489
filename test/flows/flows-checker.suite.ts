import { describe, expect, it } from 'vitest';
import { groupBuyLifecycle, presaleLifecycle } from '../../src/flows/index.js';
import type { Order } from '../../src/order/index.js';
import { checkerPlacement, checkLifecycle, type CheckableLifecycle, type CheckerOrder } from '../../src/testing/index.js';

/**
 * The exhaustive bounded checker (docs/lifecycle.md "Checking a lifecycle exhaustively") over the
 * two flows of wx-orderkit/flows (docs/flows.md): every command sequence from a group-buy order
 * and from a presale order, every state checked for the money invariants, stuck after-sales, and
 * whether it can still end. The group deadline and the balance window end at the order's pay-by
 * time, so the checker's clock (which jumps to the order's deadlines) reaches them.
 */
const START = new Date('2026-11-25T04:00:00.000Z');

const problems = (violations: Array<{ invariant: string; message: string; order: CheckerOrder; path: Array<{ command: { type: string } }> }>) =>
  violations.map((v) => `${v.invariant}: ${v.message} after ${v.path.map((s) => s.command.type).join(' → ')}`);

function groupOrder(): CheckerOrder {
  const o = checkerPlacement('two-units', START);
  return { ...o, id: 'chk-group', metadata: { groupBuy: { groupId: 'G1', size: 2, deadline: o.deadlines.payBy! } } } as CheckerOrder;
}

function presaleOrder(): CheckerOrder {
  const o = checkerPlacement('two-lines', START);
  const deposit = 500;
  const balance = o.pricing.total - deposit;
  const presale = {
    deposit,
    deduction: 0,
    balance,
    balanceFrom: START.toISOString(),
    balanceUntil: o.deadlines.payBy!,
    depositRefundable: false,
    parts: [
      { part: 'deposit', outTradeNo: `${o.number}-D`, amount: deposit },
      { part: 'balance', outTradeNo: `${o.number}-B`, amount: balance },
    ],
  };
  return { ...o, id: 'chk-presale', metadata: { presale } } as CheckerOrder;
}

const partPayload = (type: 'PAY_DEPOSIT' | 'PAY_BALANCE') => (order: Order) => {
  const parts = (order.metadata as { presale?: { parts: Array<{ part: string; outTradeNo: string; amount: number }> } } | undefined)?.presale?.parts ?? [];
  const p = parts.find((x) => x.part === (type === 'PAY_DEPOSIT' ? 'deposit' : 'balance'));
  return p === undefined ? [] : [{ type, amount: p.amount, transactionId: `tx-${p.part}`, outTradeNo: p.outTradeNo }];
};

/** The two flows at `depth` (the suite runs 4; test/load runs 6). */
export function flowsCheckerSuite(depth: number): void {
describe(`the bounded checker over the flows, depth ${depth}`, () => {
  it(`拼团: every sequence of ${depth} steps keeps every invariant and can end`, { timeout: 120_000 }, () => {
    const report = checkLifecycle({
      lifecycle: groupBuyLifecycle() as unknown as CheckableLifecycle,
      depth,
      initial: [groupOrder()],
      payloads: { GROUP_COMPLETED: () => [{ type: 'GROUP_COMPLETED' }], GROUP_FAILED: () => [{ type: 'GROUP_FAILED' }] },
    });
    expect(problems(report.violations)).toEqual([]);
    expect(report.complete).toBe(true);
    expect(report.statesByStatus['grouping']).toBeGreaterThan(0);
    expect(report.statesByStatus['closed']).toBeGreaterThan(0);
    expect(report.statesExplored).toBeGreaterThan(100);
  });

  it(`预售: every sequence of ${depth} steps keeps every invariant and can end`, { timeout: 120_000 }, () => {
    const report = checkLifecycle({
      lifecycle: presaleLifecycle() as unknown as CheckableLifecycle,
      depth,
      initial: [presaleOrder()],
      payloads: { PAY_DEPOSIT: partPayload('PAY_DEPOSIT'), PAY_BALANCE: partPayload('PAY_BALANCE'), BALANCE_EXPIRED: () => [{ type: 'BALANCE_EXPIRED' }] },
    });
    expect(problems(report.violations)).toEqual([]);
    expect(report.complete).toBe(true);
    expect(report.statesByStatus['deposit_paid']).toBeGreaterThan(0);
    expect(report.statesByStatus['paid']).toBeGreaterThan(0);
    expect(report.statesExplored).toBeGreaterThan(100);
  });
});
}
