import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ACTIONS,
  ORDER_LIST_TABS,
  allowedActions,
  countOrdersByTab,
  formatFen,
  orderListItemView,
  orderMatchesTab,
  orderView,
  transition,
  type Actor,
  type Command,
  type Order,
} from '../../src/index.js';
import { customer, merchant, placed, system, wechatpay } from './fixtures.js';

// A random walk through the lifecycle: each step picks a command and an actor, and only the steps
// the library accepts are kept, so every generated order is one the library can really produce.
type Pick = { kind: number; actor: number; advanceMin: number; qty: number };
// Biased towards progress (the usual command, sent by its usual actor, minutes apart), with
// enough randomness left to hit refusals, timeouts and odd orders of events.
const pickArb = fc.record({
  kind: fc.oneof(fc.integer({ min: 0, max: 13 }), fc.constantFrom(0, 0, 13, 13, 5, 7, 8, 9, 10, 11)),
  actor: fc.oneof(fc.constant(-1), fc.constant(-1), fc.integer({ min: 0, max: 3 })),
  advanceMin: fc.oneof(fc.integer({ min: 0, max: 20 }), fc.integer({ min: 0, max: 10 * 24 * 60 })),
  qty: fc.integer({ min: 1, max: 6 }),
});
const ACTORS: Actor[] = [customer, merchant, system, wechatpay];
/** The actor that usually sends each kind of command above. */
const USUAL: Actor[] = [wechatpay, customer, system, merchant, merchant, customer, system, customer, merchant, customer, merchant, system, customer, merchant];

function commandFor(order: Order, p: Pick): Command {
  const lastAs = order.afterSales[order.afterSales.length - 1];
  const asId = lastAs ? lastAs.id : 'none';
  const lastRefund = order.refunds[order.refunds.length - 1];
  const line = order.lines[p.qty % order.lines.length]!;
  switch (p.kind) {
    case 0:
      return { type: 'PAYMENT_SUCCEEDED', amount: order.pricing.total, transactionId: `tx-${order.version}` };
    case 1:
      return { type: 'CANCEL' };
    case 2:
      return { type: 'EXPIRE' };
    case 3:
      return { type: 'SHIP', logisticsType: 'express', trackingNo: `SF${order.version}`, expressCompany: '顺丰', items: [{ lineId: line.id, quantity: Math.min(p.qty, line.quantity) }] };
    case 4:
      return { type: 'DELIVER' };
    case 5:
      return { type: 'CONFIRM_RECEIPT' };
    case 6:
      return { type: 'AUTO_CONFIRM' };
    case 7:
      return { type: 'REQUEST_AFTER_SALE', kind: p.qty % 2 ? 'refund_only' : 'return_and_refund', items: [{ lineId: line.id, quantity: Math.min(p.qty, line.quantity) }], reason: '不想要了' };
    case 8:
      return { type: 'APPROVE_AFTER_SALE', afterSaleId: asId };
    case 9:
      return { type: 'RETURN_SHIPPED', afterSaleId: asId, trackingNo: 'YT1', expressCompany: '圆通' };
    case 10:
      return { type: 'RETURN_RECEIVED', afterSaleId: asId };
    case 11:
      return { type: 'REFUND_SUCCEEDED', refundId: lastRefund ? lastRefund.id : 'none' };
    case 12:
      return { type: 'CANCEL_AFTER_SALE', afterSaleId: asId };
    default:
      return { type: 'SHIP', logisticsType: 'express', trackingNo: `SF${order.version}`, expressCompany: '顺丰' };
  }
}

const walkArb = fc.record({ picks: fc.array(pickArb, { maxLength: 16 }), lookMin: fc.integer({ min: 0, max: 20 * 24 * 60 }), viewer: fc.integer({ min: 0, max: 4 }) });

function walk(picks: Pick[]): { order: Order; now: Date } {
  let order = placed();
  let now = new Date(Date.parse(order.createdAt));
  for (const p of picks) {
    now = new Date(now.getTime() + p.advanceMin * 60_000);
    const r = transition(order, commandFor(order, p), { now, actor: p.actor < 0 ? USUAL[p.kind]! : ACTORS[p.actor]! });
    if (r.ok) order = r.order;
  }
  return { order, now };
}

const viewerOf = (i: number): Actor => (i < 4 ? ACTORS[i]! : { type: 'customer', id: 'stranger' });

/** Every { fen, text } pair anywhere in a view. */
function moneyPairs(value: unknown, out: Array<{ fen: number; text: string }> = []): Array<{ fen: number; text: string }> {
  if (Array.isArray(value)) for (const v of value) moneyPairs(v, out);
  else if (value !== null && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    if (typeof o.fen === 'number' && typeof o.text === 'string' && Object.keys(o).length === 2) out.push({ fen: o.fen, text: o.text });
    else for (const v of Object.values(o)) moneyPairs(v, out);
  }
  return out;
}

describe('views of any reachable order', () => {
  it('the walk reaches every status and after-sales (the generator is not trivial)', () => {
    const seen = new Set<string>();
    let withAfterSale = 0;
    for (const w of fc.sample(walkArb, { numRuns: 300, seed: 7 })) {
      const { order } = walk(w.picks);
      seen.add(order.status);
      if (order.afterSales.length > 0) withAfterSale += 1;
    }
    expect([...seen].sort()).toEqual(['closed', 'completed', 'delivered', 'paid', 'partially_shipped', 'pending_payment', 'shipped']);
    expect(withAfterSale).toBeGreaterThan(10);
  });

  it('the command buttons are exactly the allowed commands that have a button', () => {
    fc.assert(
      fc.property(walkArb, ({ picks, lookMin, viewer }) => {
        const { order, now } = walk(picks);
        const at = new Date(now.getTime() + lookMin * 60_000);
        const actor = viewerOf(viewer);
        const view = orderView(order, { actor, now: at });
        const allowed = new Set<string>(allowedActions(order, actor, at));
        const shown = view.actions.filter((a) => a.command !== null && a.key !== 'pay').map((a) => a.command);
        const expected = ACTIONS.filter((d) => !d.perAfterSale && d.command !== null && d.key !== 'pay' && allowed.has(d.command)).map((d) => d.command);
        expect(shown).toEqual(expected);
        // Buttons come in the table's display order, each at most once.
        const order_ = ACTIONS.map((d) => d.key);
        const idx = view.actions.map((a) => order_.indexOf(a.key));
        expect([...idx].sort((a, b) => a - b)).toEqual(idx);
        expect(new Set(idx).size).toBe(idx.length);
      }),
      { numRuns: 150 },
    );
  });

  it('去支付 shows exactly when a payment now would pay the order, before pay-by, for its owner', () => {
    fc.assert(
      fc.property(walkArb, ({ picks, lookMin, viewer }) => {
        const { order, now } = walk(picks);
        const at = new Date(now.getTime() + (lookMin % 90) * 60_000);
        const actor = viewerOf(viewer);
        const hasPay = orderView(order, { actor, now: at }).actions.some((a) => a.key === 'pay');
        const r = transition(order, { type: 'PAYMENT_SUCCEEDED', amount: order.pricing.total, transactionId: 'probe' }, { now: at, actor: wechatpay });
        const wouldPay = r.ok && r.order.status !== 'closed' && r.order.payment.paidAmount > order.payment.paidAmount && !r.effects.some((e) => e.type === 'payment.refund');
        const beforeDeadline = order.deadlines.payBy === undefined || at.getTime() < Date.parse(order.deadlines.payBy);
        const owner = actor.type === 'customer' && actor.id === order.customerId;
        expect(hasPay).toBe(wouldPay && beforeDeadline && owner);
        if (hasPay) expect(order.status).toBe('pending_payment');
      }),
      { numRuns: 150 },
    );
  });

  it('each after-sale button is a command the lifecycle accepts for that after-sale', () => {
    fc.assert(
      fc.property(walkArb, ({ picks, lookMin, viewer }) => {
        const { order, now } = walk(picks);
        const at = new Date(now.getTime() + lookMin * 60_000);
        const actor = viewerOf(viewer);
        for (const as of orderView(order, { actor, now: at }).afterSales) {
          for (const b of as.actions) {
            expect(b.afterSaleId).toBe(as.id);
            const cmd = { type: b.command, afterSaleId: as.id, reason: 'x', trackingNo: 'T', expressCompany: 'C' } as Record<string, unknown>;
            if (b.command !== 'REJECT_AFTER_SALE') delete cmd.reason;
            // The after-sales depth buttons carry the payload of their command file's probe.
            if (b.command === 'PROPOSE_REFUND') cmd.amount = 1;
            if (b.command === 'SET_RETURN_SHIPPING_FEE') Object.assign(cmd, { fee: 1, treatment: 'refund' });
            if (b.command !== 'RETURN_SHIPPED' && b.command !== 'SHIP_EXCHANGE') {
              delete cmd.trackingNo;
              delete cmd.expressCompany;
            }
            expect(transition(order, cmd as Command, { now: at, actor }).ok).toBe(true);
          }
        }
      }),
      { numRuns: 120 },
    );
  });

  it('every amount is integer fen beside formatFen of it, and the lines add up to the total', () => {
    fc.assert(
      fc.property(walkArb, ({ picks, lookMin }) => {
        const { order, now } = walk(picks);
        const at = new Date(now.getTime() + lookMin * 60_000);
        const view = orderView(order, { actor: customer, now: at });
        const pairs = moneyPairs(view);
        expect(pairs.length).toBeGreaterThan(5);
        for (const p of pairs) {
          expect(Number.isSafeInteger(p.fen)).toBe(true);
          expect(p.text).toBe(formatFen(p.fen));
        }
        let lines = 0;
        for (const l of view.lines) lines += l.payable.fen;
        expect(lines + view.pricing.freight.fen).toBe(view.pricing.total.fen);
        let adj = 0;
        for (const a of view.pricing.adjustments) adj += a.amount.fen;
        expect(view.pricing.itemsTotal.fen - adj + view.pricing.freightFee.fen).toBe(view.pricing.total.fen);
        const item = orderListItemView(order, { actor: customer, now: at });
        expect(item.total).toEqual(view.pricing.total);
        expect(item.actions).toEqual(view.actions);
      }),
      { numRuns: 120 },
    );
  });

  it('the countdown never goes below zero and runs only while something is awaited', () => {
    fc.assert(
      fc.property(walkArb, ({ picks, lookMin }) => {
        const { order, now } = walk(picks);
        const at = new Date(now.getTime() + lookMin * 60_000);
        const cd = orderView(order, { actor: customer, now: at }).countdown;
        if (cd === null) return;
        expect(cd.remainingMs).toBeGreaterThanOrEqual(0);
        expect(cd.remainingMs).toBe(Math.max(0, Date.parse(cd.at) - at.getTime()));
        expect(cd.kind === 'payBy' ? ['pending_payment'] : ['shipped', 'delivered']).toContain(order.status);
      }),
      { numRuns: 120 },
    );
  });

  it('tab counts: 全部 counts everything, and every open order sits under exactly one status tab', () => {
    fc.assert(
      fc.property(fc.array(walkArb, { minLength: 1, maxLength: 8 }), (walks) => {
        const orders = walks.map((w) => walk(w.picks).order);
        const counts = countOrdersByTab(orders);
        expect(counts.all).toBe(orders.length);
        expect(counts.after_sale).toBe(orders.filter((o) => o.afterSales.length > 0).length);
        for (const o of orders) {
          const statusTabs = ORDER_LIST_TABS.filter((t) => t.statuses !== null && orderMatchesTab(o, t.key));
          expect(statusTabs.length).toBe(o.status === 'closed' ? 0 : 1);
        }
        const sum = counts.pending_payment + counts.to_ship + counts.to_receive + counts.completed;
        expect(sum).toBe(orders.filter((o) => o.status !== 'closed').length);
      }),
      { numRuns: 40 },
    );
  });
});
