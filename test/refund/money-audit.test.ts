import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { requestCommand, requestOpArb, type RequestOp } from './request-op.js';
import { placeOrder, transition } from '../../src/lifecycle/index.js';
import { priceCart } from '../../src/pricing/index.js';
import { definePolicy, type Policy } from '../../src/order/policy.js';
import { OrderSchema, type Actor, type Command, type EffectDraft, type Order } from '../../src/order/index.js';
import { lineHoldings, pendingRefundTotal, refundRetryable, succeededRefundTotal } from '../../src/refund/index.js';

/**
 * Money audit: random orders (满减, points spent and earned, freight, balance + WeChat Pay) driven
 * through `transition()` by random sequences of every after-sale and refund command. After every
 * accepted step: the order is schema-valid; refunds stay within what was paid, in total and per
 * payment source; per line, refunded units and fen stay within what was bought; a refund id keeps
 * its amount and a succeeded entry stays succeeded; an after-sale is never paid more than its
 * amount; points given back never exceed points spent and the effects match the record. Every
 * refusal is a typed error with a stable code (never a throw).
 */

const NOW = new Date('2026-11-25T04:00:00.000Z');
const shopper: Actor = { type: 'customer', id: 'u1' };
const shop: Actor = { type: 'merchant', id: 'staff-1' };
const payment: Actor = { type: 'payment', gateway: 'wechatpay' };
const system: Actor = { type: 'system' };
const ADDRESS = { name: '张三', phone: '13800000000', province: '上海市', city: '上海市', detail: '人民路 1 号' };

type Op =
  | RequestOp
  | { t: 'approve' | 'reject' | 'receive' | 'sendBack' | 'cancelAS' | 'accept' | 'decline' | 'shipExchange'; a: number }
  | { t: 'propose'; a: number; amount: number }
  | { t: 'fee'; a: number; fee: number; deduct: boolean }
  | { t: 'freight'; amount: number }
  | { t: 'exchange'; line: number; qty: number }
  | { t: 'succeed'; r: number; again: boolean }
  | { t: 'fail'; r: number; status: 0 | 1 | 2 }
  | { t: 'retry'; r: number }
  | { t: 'gateway'; amount: number }
  | { t: 'ship'; line: number; qty: number }
  | { t: 'confirm' }
  | { t: 'cancel' }
  | { t: 'wait'; hours: number };

const arbOp: fc.Arbitrary<Op> = fc.oneof(
  { weight: 5, arbitrary: requestOpArb({ kinds: ['refund_only', 'return_and_refund', 'return_and_refund'], wholeOneIn: 8, merchantOneIn: 2 }) },
  { weight: 10, arbitrary: fc.record({ t: fc.constantFrom('approve' as const, 'reject' as const, 'receive' as const, 'sendBack' as const, 'cancelAS' as const, 'accept' as const, 'decline' as const, 'shipExchange' as const), a: fc.nat(6) }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('propose' as const), a: fc.nat(6), amount: fc.integer({ min: 1, max: 30_000 }) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('fee' as const), a: fc.nat(6), fee: fc.integer({ min: 1, max: 3000 }), deduct: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('freight' as const), amount: fc.integer({ min: 0, max: 1200 }) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('exchange' as const), line: fc.nat(3), qty: fc.integer({ min: 1, max: 3 }) }) },
  { weight: 5, arbitrary: fc.record({ t: fc.constant('succeed' as const), r: fc.nat(8), again: fc.boolean() }) },
  { weight: 4, arbitrary: fc.record({ t: fc.constant('fail' as const), r: fc.nat(8), status: fc.constantFrom(0 as const, 1 as const, 2 as const) }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('retry' as const), r: fc.nat(8) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('gateway' as const), amount: fc.integer({ min: 1, max: 30_000 }) }) },
  { weight: 5, arbitrary: fc.record({ t: fc.constant('ship' as const), line: fc.nat(3), qty: fc.integer({ min: 1, max: 4 }) }) },
  { weight: 1, arbitrary: fc.constant({ t: 'confirm' as const }) },
  { weight: 2, arbitrary: fc.nat(3).map((n) => (n === 0 ? { t: 'cancel' as const } : { t: 'confirm' as const })) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('wait' as const), hours: fc.integer({ min: 1, max: 200 }) }) },
);

const arbSetup = fc.record({
  lines: fc.array(fc.record({ listPrice: fc.integer({ min: 1, max: 8000 }), quantity: fc.integer({ min: 1, max: 4 }) }), { minLength: 1, maxLength: 3 }),
  off: fc.integer({ min: 0, max: 1500 }),
  freight: fc.integer({ min: 0, max: 1200 }),
  points: fc.integer({ min: 0, max: 3000 }),
  earn: fc.boolean(),
  balance: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 40_000 })),
  /** 改价 before payment (orders without a balance part): the new total as a share of the old, in ‰. */
  /** Ship some units of every line before the history starts (after-sales after shipment). */
  shipFirst: fc.boolean(),
  adjust: fc.oneof(fc.constant(-1), fc.integer({ min: 0, max: 1300 })),
  policy: fc.record({
    autoApproveRefundBeforeShipment: fc.boolean(),
    refundShipping: fc.constantFrom('before_shipment' as const, 'always' as const, 'never' as const),
    refundShippingBy: fc.constantFrom('last_unit' as const, 'line' as const),
    restockOnReturn: fc.boolean(),
    maxPartialRefunds: fc.oneof(fc.constant(50), fc.integer({ min: 1, max: 5 })),
    maxPriceIncrease: fc.constantFrom(0, 500),
  }),
});

type Setup = typeof arbSetup extends fc.Arbitrary<infer T> ? T : never;

function start(s: Setup, policy: Policy): Order | undefined {
  const cart = {
    lines: s.lines.map((l, i) => ({ id: `L${i + 1}`, sku: `SKU-${i + 1}`, title: `Item ${i + 1}`, listPrice: l.listPrice, quantity: l.quantity })),
    pointsBalance: s.points,
    pointsToUse: s.points > 0 ? ('max' as const) : 0,
  };
  const rules = {
    fullReductions: s.off > 0 ? [{ id: 'FR', kind: 'threshold' as const, threshold: s.off * 2, off: s.off }] : [],
    points: { rate: { points: 100, fen: 100 }, maxShareBp: 5000, ...(s.earn ? { earn: { points: 1, fen: 100 } } : {}) },
    freight: { defaultFee: s.freight },
  };
  const priced = priceCart(cart, rules, { now: NOW });
  if (!priced.ok) throw priced.error;
  const total = priced.quote.total;
  const balance = s.balance > 0 && total > 0 ? Math.min(s.balance, total) : 0;
  const placed = placeOrder({ id: 'o1', number: '20261125120000123456', customerId: 'u1', quote: priced.quote, address: ADDRESS, ...(balance > 0 ? { payWith: { balance } } : {}) }, { now: NOW, policy });
  if (!placed.ok) throw placed.error;
  let order = placed.order;
  if (order.status === 'pending_payment' && balance === 0 && s.adjust >= 0) {
    const newTotal = Math.floor((order.pricing.total * s.adjust) / 1000);
    const adjusted = transition(order, { type: 'ADJUST_PRICE', newTotal, reason: '老客优惠' }, { now: new Date(NOW.getTime() + 30_000), actor: { type: 'merchant', id: 'staff-1' }, policy });
    if (adjusted.ok) order = adjusted.order;
    else expect(adjusted.error.code).toMatch(/^[A-Z_]+$/);
    expect(order.lines.reduce((x, l) => x + l.payable, 0) + order.pricing.freight).toBe(order.pricing.total);
  }
  if (order.status === 'pending_payment') {
    const due = order.payment.attempts[order.payment.attempts.length - 1]!.amount;
    const paid = transition(order, { type: 'PAYMENT_SUCCEEDED', amount: due, transactionId: '4200000000000001' }, { now: new Date(NOW.getTime() + 60_000), actor: payment, policy });
    if (!paid.ok) throw paid.error;
    order = paid.order;
  }
  if (order.status === 'paid' && s.shipFirst) {
    const items = order.lines.map((l) => ({ lineId: l.id, quantity: Math.max(1, l.quantity - 1) }));
    const sent = transition(order, { type: 'SHIP', logisticsType: 'express', items, trackingNo: 'SF0', expressCompany: 'SF' }, { now: new Date(NOW.getTime() + 120_000), actor: { type: 'merchant', id: 'staff-1' }, policy });
    if (sent.ok) order = sent.order;
  }
  return order.status === 'paid' || order.status === 'shipped' || order.status === 'partially_shipped' ? order : undefined;
}

function toCommand(order: Order, op: Op): { command: Command; actor: Actor } | undefined {
  const pick = <T>(xs: readonly T[], i: number): T | undefined => (xs.length === 0 ? undefined : xs[i % xs.length]);
  // Aimed at an after-sale the command can act on (so that histories get deep), else any.
  const aims: Partial<Record<Op['t'], (a: Order['afterSales'][number]) => boolean>> = {
    approve: (a) => a.status === 'requested' || (a.status === 'refunding' && order.refunds.some((r) => r.id === a.refundId && r.status === 'failed')),
    reject: (a) => a.status === 'requested',
    receive: (a) => a.status === 'awaiting_return',
    sendBack: (a) => a.status === 'awaiting_return' && a.returnShipment === undefined,
    cancelAS: (a) => a.status === 'requested',
    accept: (a) => a.status === 'requested' && a.proposals?.some((p) => p.status === 'pending') === true,
    decline: (a) => a.status === 'requested' && a.proposals?.some((p) => p.status === 'pending') === true,
    shipExchange: (a) => a.status === 'returned',
    propose: (a) => a.status === 'requested' && a.kind !== 'exchange',
    fee: (a) => a.status === 'awaiting_return' && a.kind === 'return_and_refund',
  };
  const as = (i: number) => {
    const ok = aims[op.t];
    const aimed = ok === undefined ? [] : order.afterSales.filter(ok);
    return (pick(aimed, i) ?? pick(order.afterSales, i))?.id ?? 'missing';
  };
  const refund = (i: number) => (i % 3 === 0 ? pick(order.refunds, i) : pick(order.refunds.filter((r) => r.status === 'pending'), i) ?? pick(order.refunds, i));
  switch (op.t) {
    case 'request':
      return requestCommand(order, op, { shop, shopper });
    case 'approve':
      return { command: { type: 'APPROVE_AFTER_SALE', afterSaleId: as(op.a) }, actor: shop };
    case 'reject':
      return { command: { type: 'REJECT_AFTER_SALE', afterSaleId: as(op.a), reason: 'no' }, actor: shop };
    case 'receive':
      return { command: { type: 'RETURN_RECEIVED', afterSaleId: as(op.a) }, actor: shop };
    case 'sendBack':
      return { command: { type: 'RETURN_SHIPPED', afterSaleId: as(op.a), trackingNo: 'SF1', expressCompany: 'SF' }, actor: shopper };
    case 'cancelAS':
      return { command: { type: 'CANCEL_AFTER_SALE', afterSaleId: as(op.a) }, actor: shopper };
    case 'accept':
      return { command: { type: 'ACCEPT_REFUND_PROPOSAL', afterSaleId: as(op.a) }, actor: shopper };
    case 'decline':
      return { command: { type: 'DECLINE_REFUND_PROPOSAL', afterSaleId: as(op.a), reason: '太少' }, actor: shopper };
    case 'shipExchange':
      return { command: { type: 'SHIP_EXCHANGE', afterSaleId: as(op.a), trackingNo: 'SF2', expressCompany: 'SF' }, actor: shop };
    case 'propose': {
      const a = order.afterSales.find((x) => x.id === as(op.a));
      const amount = a === undefined ? op.amount : 1 + (op.amount % (a.amount + 2));
      return { command: { type: 'PROPOSE_REFUND', afterSaleId: a?.id ?? 'missing', amount }, actor: shop };
    }
    case 'fee':
      return { command: { type: 'SET_RETURN_SHIPPING_FEE', afterSaleId: as(op.a), fee: op.fee, treatment: op.deduct ? 'deduct' : 'refund' }, actor: shop };
    case 'freight':
      return { command: { type: 'REQUEST_FREIGHT_REFUND', reason: '迟发', ...(op.amount > 0 ? { amount: op.amount } : {}) }, actor: shop };
    case 'exchange': {
      const l = order.lines[op.line % order.lines.length]!;
      return { command: { type: 'REQUEST_EXCHANGE', items: [{ lineId: l.id, quantity: op.qty, sku: `${l.sku}-M` }], reason: '尺码' }, actor: shopper };
    }
    case 'succeed': {
      const r = refund(op.r);
      if (!r) return undefined;
      return { command: { type: 'REFUND_SUCCEEDED', refundId: r.id, ...(op.again ? {} : { amount: r.amount }) }, actor: payment };
    }
    case 'fail': {
      const r = refund(op.r);
      // A balance credit does not fail (it waits in the outbox until applied): only WeChat Pay reports failures.
      if (!r || r.transactionId?.startsWith('balance:')) return undefined;
      const status = op.status === 1 ? { gatewayStatus: 'CLOSED' as const } : op.status === 2 ? { gatewayStatus: 'ABNORMAL' as const, gatewayRefundId: 'g1' } : {};
      return { command: { type: 'REFUND_FAILED', refundId: r.id, reason: 'NOTENOUGH', ...status }, actor: payment };
    }
    case 'retry': {
      const r = refund(op.r);
      if (!r) return undefined;
      return { command: { type: 'RETRY_REFUND', refundId: r.id }, actor: shop };
    }
    case 'gateway':
      return { command: { type: 'RECORD_GATEWAY_REFUND', refundId: `MANUAL-${order.refunds.length}`, amount: op.amount }, actor: system };
    case 'ship': {
      const l = order.lines[op.line % order.lines.length]!;
      return { command: { type: 'SHIP', logisticsType: 'express', items: [{ lineId: l.id, quantity: op.qty }], trackingNo: 'SF9', expressCompany: 'SF' }, actor: shop };
    }
    case 'confirm':
      return { command: { type: 'CONFIRM_RECEIPT' }, actor: shopper };
    case 'cancel':
      return { command: { type: 'CANCEL', reason: '缺货' }, actor: shop };
    case 'wait':
      return undefined;
  }
}

interface Seen {
  amounts: Map<string, number>;
  succeeded: Set<string>;
  released: number;
  granted: number;
  clawedBack: number;
  credits: Map<string, number>;
}

function afterSaleOfEntry(order: Order, id: string): string | undefined {
  const r = order.refunds.find((x) => x.id === id);
  if (r?.afterSaleId !== undefined) return r.afterSaleId;
  // A balance piece `<id>B` of a split refund belongs to the after-sale of `<id>`.
  if (id.endsWith('B')) return order.refunds.find((x) => x.id === id.slice(0, -1))?.afterSaleId;
  return undefined;
}

function check(order: Order, effects: readonly EffectDraft[], seen: Seen): void {
  expect(OrderSchema.safeParse(order).success).toBe(true);
  const paid = order.payment.paidAmount;
  // Total: succeeded + held ≤ paid.
  expect(succeededRefundTotal(order) + pendingRefundTotal(order)).toBeLessThanOrEqual(paid);
  // Per payment source (balance, WeChat): succeeded + held ≤ what it collected.
  for (const s of order.payment.sources ?? []) {
    if (s.transactionId === undefined) continue;
    let taken = 0;
    for (const r of order.refunds) {
      if (r.transactionId !== s.transactionId || r.reason === 'stray_payment') continue;
      if (r.status === 'succeeded' || r.status === 'pending' || (r.status === 'failed' && r.gatewayStatus === 'ABNORMAL')) taken += r.amount;
    }
    expect(taken, `source ${s.kind}`).toBeLessThanOrEqual(s.amount);
  }
  // Refund ids keep their amounts; succeeded stays succeeded.
  for (const r of order.refunds) {
    const before = seen.amounts.get(r.id);
    if (before !== undefined) expect(r.amount, `refund ${r.id}`).toBe(before);
    seen.amounts.set(r.id, r.amount);
    expect(Number.isSafeInteger(r.amount) && r.amount > 0).toBe(true);
    if (seen.succeeded.has(r.id)) expect(r.status).toBe('succeeded');
    if (r.status === 'succeeded') seen.succeeded.add(r.id);
  }
  // Money held by WeChat Pay (an ABNORMAL failure) can always still be sent on: never stuck.
  for (const r of order.refunds) {
    if (r.status === 'failed' && r.gatewayStatus === 'ABNORMAL' && r.replacedBy === undefined) expect(refundRetryable(order, r), `held refund ${r.id}`).toBe(true);
  }
  // Per after-sale: never paid more than its amount.
  const paidPerAfterSale = new Map<string, number>();
  for (const r of order.refunds) {
    if (r.status !== 'succeeded') continue;
    const a = afterSaleOfEntry(order, r.id);
    if (a !== undefined) paidPerAfterSale.set(a, (paidPerAfterSale.get(a) ?? 0) + r.amount);
  }
  for (const a of order.afterSales) expect(paidPerAfterSale.get(a.id) ?? 0, `after-sale ${a.id}`).toBeLessThanOrEqual(a.amount);
  // Per line: refunded units and fen within what was bought.
  for (const l of order.lines) {
    let units = 0;
    let fen = 0;
    for (const a of order.afterSales) {
      if (a.status !== 'refunded' && a.status !== 'refunding') continue;
      for (const part of a.lines ?? []) if (part.lineId === l.id) {
        units += part.quantity;
        fen += part.amount;
      }
    }
    expect(units, `units of ${l.id}`).toBeLessThanOrEqual(l.quantity);
    expect(fen, `fen of ${l.id}`).toBeLessThanOrEqual(l.payable);
  }
  for (const h of lineHoldings(order).values()) {
    expect(h.heldQuantity).toBeLessThanOrEqual(h.ordered);
    expect(h.heldAmount).toBeLessThanOrEqual(h.line.payable);
  }
  // Points: effects match the record; never more back than spent; never more clawed back than granted.
  for (const e of effects) {
    if (e.type === 'points.release') seen.released += e.points;
    if (e.type === 'points.grant') seen.granted += e.points;
    if (e.type === 'points.clawback') seen.clawedBack += e.points;
    if (e.type === 'balance.credit') {
      const before = seen.credits.get(e.key);
      if (before !== undefined) expect(e.amount, `credit ${e.key}`).toBe(before);
      seen.credits.set(e.key, e.amount);
    }
  }
  const p = order.points ?? { released: 0, granted: 0, clawedBack: 0 };
  expect([p.released, p.granted, p.clawedBack]).toEqual([seen.released, seen.granted, seen.clawedBack]);
  expect(p.released).toBeLessThanOrEqual(order.pricing.pointsUsed);
  expect(p.clawedBack).toBeLessThanOrEqual(p.granted);
  // Balance credits (one per key) never give back more than the balance collected.
  const balance = order.payment.sources?.find((s) => s.kind === 'balance');
  const credited = [...seen.credits.values()].reduce((s, x) => s + x, 0);
  expect(credited).toBeLessThanOrEqual(balance?.amount ?? 0);
}

describe('money audit: random after-sale histories through transition()', () => {
  it('keeps refunds within what was paid (in total, per source, per line, per after-sale), ids with one amount, points consistent, refusals typed', () => {
    fc.assert(
      fc.property(arbSetup, fc.array(arbOp, { minLength: 5, maxLength: 60 }), (setup, ops) => {
        const policy = definePolicy(setup.policy);
        let order = start(setup, policy);
        if (order === undefined) return;
        let now = new Date(NOW.getTime() + 3_600_000);
        const seen: Seen = { amounts: new Map(), succeeded: new Set(), released: 0, granted: 0, clawedBack: 0, credits: new Map() };
        for (const op of ops) {
          if (op.t === 'wait') {
            now = new Date(now.getTime() + op.hours * 3_600_000);
            continue;
          }
          const c = toCommand(order, op);
          if (c === undefined) continue;
          const r = transition(order, c.command, { now, actor: c.actor, policy });
          if (!r.ok) {
            expect(r.error.code).toMatch(/^[A-Z_]+$/);
            continue;
          }
          if (r.order === order) continue;
          check(r.order, r.effects, seen);
          order = r.order;
          now = new Date(now.getTime() + 60_000);
        }
      }),
      { numRuns: Number(process.env.AUDIT_RUNS ?? 400) },
    );
  });
});

describe('money audit: a merchant cancel while refunds are in flight', () => {
  it('every fen paid is refunded, pending or held by a refund that can still be sent on; nothing is stuck or paid twice', () => {
    fc.assert(
      fc.property(
        arbSetup,
        fc.array(fc.record({ line: fc.nat(3), qty: fc.integer({ min: 1, max: 2 }), outcome: fc.constantFrom('pending' as const, 'succeeded' as const, 'failed' as const, 'CLOSED' as const, 'ABNORMAL' as const) }), { minLength: 1, maxLength: 4 }),
        (setup, asks) => {
          const policy = definePolicy({ ...setup.policy, autoApproveRefundBeforeShipment: true });
          let order = start({ ...setup, shipFirst: false }, policy);
          if (order === undefined || order.status !== 'paid') return;
          let t = NOW.getTime() + 3_600_000;
          const seen: Seen = { amounts: new Map(), succeeded: new Set(), released: 0, granted: 0, clawedBack: 0, credits: new Map() };
          const step = (command: Command, actor: Actor): boolean => {
            const r = transition(order!, command, { now: new Date((t += 60_000)), actor, policy });
            if (!r.ok) {
              expect(r.error.code).toMatch(/^[A-Z_]+$/);
              return false;
            }
            if (r.order !== order) check(r.order, r.effects, seen);
            order = r.order;
            return true;
          };
          for (const ask of asks) {
            const l = order.lines[ask.line % order.lines.length]!;
            const before = order.refunds.length;
            if (!step({ type: 'REQUEST_AFTER_SALE', kind: 'refund_only', items: [{ lineId: l.id, quantity: ask.qty }], reason: 'r' }, shopper)) continue;
            for (const r of order.refunds.slice(before)) {
              if (r.transactionId?.startsWith('balance:') || ask.outcome === 'pending') continue;
              if (ask.outcome === 'succeeded') step({ type: 'REFUND_SUCCEEDED', refundId: r.id, amount: r.amount }, payment);
              else step({ type: 'REFUND_FAILED', refundId: r.id, reason: 'x', ...(ask.outcome === 'failed' ? {} : { gatewayStatus: ask.outcome, gatewayRefundId: 'g1' }) }, payment);
            }
          }
          // Some failed refunds are retried before the cancel (the same number, on the same source).
          for (const [i, r] of order.refunds.entries()) if (i % 2 === 0 && r.status === 'failed' && r.replacedBy === undefined && refundRetryable(order, r)) step({ type: 'RETRY_REFUND', refundId: r.id }, shop);
          if (order.status !== 'paid') return;
          expect(step({ type: 'CANCEL', reason: '缺货' }, shop)).toBe(true);
          // Settle everything that can still be settled: retry what failed, then every success comes in.
          for (let round = 0; round < 3; round++) {
            for (const r of order.refunds) if (r.status === 'failed' && r.replacedBy === undefined && refundRetryable(order, r)) step({ type: 'RETRY_REFUND', refundId: r.id }, shop);
            for (const r of order.refunds) if (r.status === 'pending') step({ type: 'REFUND_SUCCEEDED', refundId: r.id, amount: r.amount }, payment);
          }
          // Every fen paid came back, exactly once, each source its own.
          expect(succeededRefundTotal(order)).toBe(order.payment.paidAmount);
          expect(order.afterSales.every((a) => a.status === 'refunded' || a.status === 'cancelled')).toBe(true);
        },
      ),
      { numRuns: Number(process.env.AUDIT_RUNS ?? 300) },
    );
  });
});
