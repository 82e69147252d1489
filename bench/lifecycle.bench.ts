/**
 * `npm run bench -- lifecycle`: full order lifecycles per order, two paths:
 *   - happy: place → pay → ship → confirm (4 transitions);
 *   - after-sales: place → pay → ship → request a 1-unit refund → approve → refund succeeded →
 *     confirm (7 transitions; the after-sale, the refund ledger entry and its effects included);
 * each four ways in one run:
 *   (a) xstate itself: its pure `transition(orderMachine, …)`, and an actor per order
 *       (`createActor(orderMachine).start()` then `send`); the faster of the two is the peer;
 *   (b) a hand-written reducer doing the same work (the same checks, the same state updates,
 *       events and effects; the ceiling);
 *   (c) orderkit: `placeOrder` + the compiled `transition()`.
 * Goals (issue 18): (c) ≥ 10× the peer on both paths; the hand reducer ≤ 1.3× (c) on the happy
 * path and ≤ 1.5× with after-sales. Written to docs/benchmarks.md.
 */
import { createActor, initialTransition, transition as xstateTransition } from 'xstate';
import { parseCommand, type Actor, type AfterSale, type Command, type CommandOf, type Effect, type Line, type Order, type OrderEvent, type Refund } from '../src/order/index.js';
import { deadlineAfter, defaultPolicy, placeOrder, transition } from '../src/lifecycle/index.js';
import { orderMachine, toMachineEvent } from '../src/xstate/index.js';
import type { Quote } from '../src/pricing/quote.js';
import { addInZoneToTimestamp } from '../src/time/zoned.js';
import { loadavg } from 'node:os';
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { machineLine, table, writeSection } from './report.js';

const ORDERS_PER_OP = 50;
const TRANSITIONS_PER_ORDER = 4;
const policy = defaultPolicy;

const lines: Line[] = [
  { id: 'a', sku: 'TEA-1', title: '龙井 250g', fulfillment: 'physical', listPrice: 12800, unitPrice: 12800, quantity: 2, subtotal: 25600, allocations: [], payable: 25600 },
  { id: 'b', sku: 'CUP-1', title: '茶杯', fulfillment: 'physical', listPrice: 3900, unitPrice: 3900, quantity: 1, subtotal: 3900, allocations: [], payable: 3900 },
];
const quote: Quote = {
  lines,
  adjustments: [],
  itemsTotal: 29500,
  discountTotal: 0,
  freight: 800,
  pointsUsed: 0,
  pointsDeduction: 0,
  total: 30300,
  savings: 0,
  couponIds: [],
  rejectedCoupons: [],
};
const address = { name: '张三', phone: '13800000000', province: '浙江省', city: '杭州市', detail: '西湖区 1 号' };
const T0 = Date.parse('2026-11-25T04:00:00.000Z');
const customer: Actor = { type: 'customer', id: 'u1' };
const gateway: Actor = { type: 'payment', gateway: 'wechatpay' };
const merchant: Actor = { type: 'merchant', id: 'staff-1' };
// Commands are checked once at the boundary, as the service does: transition() checks any other
// command against the schema itself (see src/lifecycle/lifecycle.ts).
function checked(input: unknown): Command {
  const r = parseCommand(input);
  if (!r.ok) throw r.error;
  return r.command;
}
const pay: Command = checked({ type: 'PAYMENT_SUCCEEDED', amount: 30300, transactionId: '4200001' });
const ship: Command = checked({ type: 'SHIP', logisticsType: 'express', trackingNo: 'SF100', expressCompany: 'SF' });
const confirm: Command = checked({ type: 'CONFIRM_RECEIPT' });
const ids = Array.from({ length: ORDERS_PER_OP }, (_, i) => ({ id: `o${i}`, number: `2026112512000000${String(1000 + i)}` }));

// ---- (b) the ceiling: a hand-written reducer with the same state updates ---------------------

interface Outcome {
  order: Order;
  events: OrderEvent[];
  effects: Effect[];
}

function handPlace(id: string, number: string, now: Date): Outcome {
  const at = now.toISOString();
  const payBy = deadlineAfter(now, policy.payWithin, policy.timeZone);
  const order: Order = {
    id,
    number,
    version: 1,
    status: 'pending_payment',
    customerId: 'u1',
    currency: 'CNY',
    fulfillment: 'physical',
    lines: quote.lines,
    address,
    merchantNotes: [],
    pricing: { itemsTotal: quote.itemsTotal, discountTotal: 0, freight: quote.freight, pointsUsed: 0, pointsDeduction: 0, total: quote.total, adjustments: [], couponIds: [] },
    payment: { attempts: [{ outTradeNo: number, amount: quote.total, status: 'open', createdAt: at }], paidAmount: 0, stray: [] },
    shipments: [],
    afterSales: [],
    refunds: [],
    deadlines: { payBy },
    createdAt: at,
    updatedAt: at,
  };
  return {
    order,
    events: [{ orderId: id, version: 1, type: 'ORDER_PLACED', actor: customer, from: null, to: 'pending_payment', at, data: { total: quote.total, payBy } }],
    effects: [{ id: `${id}:1:0`, orderId: id, type: 'schedule', at: payBy, command: { type: 'EXPIRE' } }],
  };
}

/** A shallow copy written out key by key (a spread copy that later gains keys is slow in V8). */
function copy(o: Order): Order {
  const c: Order = {
    id: o.id, number: o.number, version: o.version, status: o.status, customerId: o.customerId, currency: o.currency,
    fulfillment: o.fulfillment, lines: o.lines, merchantNotes: o.merchantNotes, pricing: o.pricing, payment: o.payment,
    shipments: o.shipments, afterSales: o.afterSales, refunds: o.refunds, deadlines: o.deadlines, createdAt: o.createdAt, updatedAt: o.updatedAt,
  };
  if (o.address !== undefined) c.address = o.address;
  if (o.paidAt !== undefined) c.paidAt = o.paidAt;
  if (o.shippedAt !== undefined) c.shippedAt = o.shippedAt;
  return c;
}

function handReduce(order: Order, command: Command, actor: Actor, now: Date): Outcome {
  const at = now.toISOString();
  const next = copy(order);
  next.version = order.version + 1;
  next.updatedAt = at;
  const v = next.version;
  const effects: Effect[] = [];
  let data: Record<string, unknown> = {};
  if (order.status === 'pending_payment' && command.type === 'PAYMENT_SUCCEEDED') {
    if (actor.type !== 'payment') throw new Error('forbidden');
    const attempt = order.payment.attempts[0]!;
    if (command.amount !== attempt.amount) throw new Error('amount');
    next.status = 'paid';
    next.payment = {
      attempts: [{ outTradeNo: attempt.outTradeNo, amount: attempt.amount, status: 'paid', createdAt: attempt.createdAt }],
      paidAmount: command.amount,
      paidAt: at,
      transactionId: command.transactionId,
      outTradeNo: order.number,
      gateway: actor.gateway,
      stray: order.payment.stray,
    };
    next.paidAt = at;
    data = { amount: command.amount, transactionId: command.transactionId, outTradeNo: order.number };
    effects.push({ id: `${order.id}:${v}:0`, orderId: order.id, type: 'notify', to: 'customer', template: 'order_paid', data: { orderNumber: order.number, total: order.pricing.total, amount: command.amount, transactionId: command.transactionId } });
    effects.push({ id: `${order.id}:${v}:1`, orderId: order.id, type: 'notify', to: 'merchant', template: 'order_to_ship', data: { orderNumber: order.number, total: order.pricing.total, amount: command.amount, transactionId: command.transactionId } });
  } else if (order.status === 'paid' && command.type === 'SHIP') {
    if (actor.type !== 'merchant') throw new Error('forbidden');
    const items = order.lines.map((l) => ({ lineId: l.id, quantity: l.quantity }));
    const shipmentId = `${order.number}-S1`;
    const autoConfirmAt = deadlineAfter(now, policy.autoConfirmAfter, policy.timeZone);
    next.status = 'shipped';
    next.shipments = [{ id: shipmentId, items, logisticsType: 'express', trackingNo: command.trackingNo!, expressCompany: command.expressCompany!, shippedAt: at }];
    next.shippedAt = at;
    next.deadlines = { payBy: order.deadlines.payBy!, autoConfirmAt };
    data = { shipmentId, items, logisticsType: 'express', trackingNo: command.trackingNo, autoConfirmAt };
    effects.push({ id: `${order.id}:${v}:0`, orderId: order.id, type: 'shipping.upload', shipmentId, logisticsType: 'express', items, allDelivered: true });
    effects.push({ id: `${order.id}:${v}:1`, orderId: order.id, type: 'schedule', at: autoConfirmAt, command: { type: 'AUTO_CONFIRM' } });
    effects.push({ id: `${order.id}:${v}:2`, orderId: order.id, type: 'notify', to: 'customer', template: 'order_shipped', data: { orderNumber: order.number, total: order.pricing.total, shipmentId, logisticsType: 'express', trackingNo: command.trackingNo, expressCompany: command.expressCompany } });
  } else if (order.status === 'shipped' && command.type === 'CONFIRM_RECEIPT') {
    if (actor.type !== 'customer' || actor.id !== order.customerId) throw new Error('forbidden');
    // An after-sale still waiting for the merchant keeps the order from completing.
    for (const a of order.afterSales) if (a.status === 'requested' || a.status === 'approved' || a.status === 'awaiting_return' || a.status === 'returned') throw new Error('after-sale open');
    const afterSaleUntil = deadlineAfter(now, policy.afterSaleWindow, policy.timeZone);
    next.status = 'completed';
    next.completedAt = at;
    next.deadlines = { payBy: order.deadlines.payBy!, autoConfirmAt: order.deadlines.autoConfirmAt!, afterSaleUntil };
    data = { afterSaleUntil };
  } else if (command.type === 'REQUEST_AFTER_SALE' || command.type === 'APPROVE_AFTER_SALE' || command.type === 'REFUND_SUCCEEDED') {
    data = handAfterSale(order, next, command, actor, now, at, effects);
  } else {
    throw new Error('invalid transition');
  }
  return { order: next, events: [{ orderId: order.id, version: v, type: command.type, actor, from: order.status, to: next.status, at, data }], effects };
}


// ---- (b) the same after-sale work, written by hand ----------------------------------------------

const OPEN_AFTER_SALE = new Set(['paid', 'shipped', 'delivered', 'completed']);

/** Paid − refunded − pending − after-sales holding money without a live ledger entry. */
function handAvailable(order: Order, except: string | undefined, includeRequested: boolean): number {
  let committed = 0;
  for (const r of order.refunds) if (r.reason !== 'stray_payment' && (r.status === 'succeeded' || r.status === 'pending')) committed += r.amount;
  for (const a of order.afterSales) {
    if (a.id === except || a.status === 'rejected' || a.status === 'cancelled' || a.status === 'refunded') continue;
    if (a.status === 'requested' && !includeRequested) continue;
    if (a.refundId !== undefined && order.refunds.some((r) => r.id === a.refundId && r.status !== 'failed')) continue;
    committed += a.amount;
  }
  return Math.max(0, order.payment.paidAmount - committed);
}

function handPlannedRefunds(order: Order, except: string | undefined, includeRequested: boolean): number {
  let n = 0;
  for (const r of order.refunds) if (r.reason !== 'stray_payment') n++;
  for (const a of order.afterSales) {
    if (a.id === except || a.status === 'rejected' || a.status === 'cancelled' || a.status === 'refunded') continue;
    if (a.status === 'requested' && !includeRequested) continue;
    if (a.refundId === undefined) n++;
  }
  return n;
}

// The same remembered end per payment time as orderkit's (src/time/zoned.ts), so the ceiling keeps the cache too.
function handRefundPeriodOver(order: Order, now: Date): boolean {
  const paidAt = order.paidAt ?? order.payment.paidAt;
  return paidAt !== undefined && now.getTime() > addInZoneToTimestamp(paidAt, policy.refundWithin, policy.timeZone);
}

function handAfterSale(order: Order, next: Order, command: Command, actor: Actor, now: Date, at: string, effects: Effect[]): Record<string, unknown> {
  const v = next.version;
  if (command.type === 'REQUEST_AFTER_SALE') {
    if (actor.type !== 'customer' && actor.type !== 'merchant') throw new Error('forbidden');
    if (actor.type === 'customer' && actor.id !== order.customerId) throw new Error('forbidden');
    if (!OPEN_AFTER_SALE.has(order.status) || order.payment.paidAmount === 0) throw new Error('not refundable');
    if (handRefundPeriodOver(order, now)) throw new Error('refund period over');
    if (order.status === 'completed' && order.deadlines.afterSaleUntil !== undefined && now.getTime() > Date.parse(order.deadlines.afterSaleUntil)) throw new Error('window closed');
    // Units and fen each line has given to earlier after-sales.
    const held = new Map<string, { units: number; amount: number }>();
    for (const l of order.lines) held.set(l.id, { units: 0, amount: 0 });
    let shippingHeld = 0;
    for (const a of order.afterSales) {
      if (a.status === 'rejected' || a.status === 'cancelled') continue;
      shippingHeld += a.shippingAmount;
      for (const part of a.lines!) {
        const h = held.get(part.lineId)!;
        h.units += part.quantity;
        h.amount += part.amount;
      }
    }
    const cmd = command as CommandOf<'REQUEST_AFTER_SALE'>;
    const items = cmd.items!;
    const seen = new Set<string>();
    const parts: Array<{ lineId: string; quantity: number; amount: number }> = [];
    let itemsAmount = 0;
    for (const item of items) {
      const line = order.lines.find((l) => l.id === item.lineId);
      if (line === undefined || seen.has(item.lineId)) throw new Error('bad line');
      seen.add(item.lineId);
      const h = held.get(line.id)!;
      if (item.quantity > line.quantity - h.units) throw new Error('too many units');
      // Largest-remainder shares of the line's payable over its units.
      const q = Math.floor(line.payable / line.quantity);
      const r = line.payable - q * line.quantity;
      const upTo = (n: number) => n * q + Math.min(n, r);
      const amount = Math.min(line.payable - h.amount, Math.max(0, upTo(h.units + item.quantity) - h.amount));
      itemsAmount += amount;
      parts.push({ lineId: line.id, quantity: item.quantity, amount });
    }
    let takesLast = true;
    for (const l of order.lines) {
      const taken = parts.find((p) => p.lineId === l.id)?.amount ?? 0;
      if (l.payable - held.get(l.id)!.amount - taken > 0) takesLast = false;
    }
    const shippingAmount =
      order.pricing.freight > 0 && shippingHeld === 0 && policy.refundShipping !== 'never' && !(policy.refundShipping === 'before_shipment' && order.shipments.length > 0) && takesLast
        ? order.pricing.freight
        : 0;
    const amount = itemsAmount + shippingAmount;
    if (amount === 0) throw new Error('nothing to refund');
    if (amount > handAvailable(order, undefined, true)) throw new Error('exceeds paid');
    if (handPlannedRefunds(order, undefined, true) + 1 > policy.maxPartialRefunds) throw new Error('too many refunds');
    let n = order.afterSales.length + 1;
    while (order.afterSales.some((a) => a.id === `${order.number}-AS${n}`)) n++;
    const id = `${order.number}-AS${n}`;
    const afterSale: AfterSale = {
      id, kind: cmd.kind, status: 'requested', items: items.map((i) => ({ lineId: i.lineId, quantity: i.quantity })), amount, shippingAmount,
      lines: parts, reason: cmd.reason, requestedBy: actor, requestedAt: at, updatedAt: at,
    };
    next.afterSales = [...order.afterSales, afterSale];
    effects.push({ id: `${order.id}:${v}:0`, orderId: order.id, type: 'notify', to: 'merchant', template: 'after_sale_requested', data: { orderNumber: order.number, afterSaleId: id, kind: cmd.kind, amount, reason: cmd.reason } });
    return { afterSaleId: id, kind: cmd.kind, from: null, to: 'requested', amount, shippingAmount, autoApproved: false, items: afterSale.items, lines: parts };
  }
  if (command.type === 'APPROVE_AFTER_SALE') {
    if (actor.type !== 'merchant') throw new Error('forbidden');
    const index = order.afterSales.findIndex((a) => a.id === command.afterSaleId);
    if (index < 0) throw new Error('unknown after-sale');
    const a = order.afterSales[index]!;
    if (a.status !== 'requested' || a.kind !== 'refund_only') throw new Error('invalid after-sale transition');
    // Approval reserves the money, then the refund starts at once (refund only).
    if (a.amount > handAvailable(order, a.id, false)) throw new Error('exceeds paid');
    if (handPlannedRefunds(order, a.id, false) + 1 > policy.maxPartialRefunds) throw new Error('too many refunds');
    if (handRefundPeriodOver(order, now)) throw new Error('refund period over');
    if (a.amount > handAvailable(order, a.id, false)) throw new Error('exceeds paid');
    if (order.refunds.length + 1 > policy.maxPartialRefunds) throw new Error('too many refunds');
    let n = order.refunds.length + 1;
    while (order.refunds.some((r) => r.id === `${order.number}R${n}`) || order.payment.stray.some((s) => s.refundId === `${order.number}R${n}`)) n++;
    const refund: Refund = {
      id: `${order.number}R${n}`, reason: 'after_sale', amount: a.amount, status: 'pending', createdAt: at, updatedAt: at, attempts: 1,
      afterSaleId: a.id, transactionId: order.payment.transactionId!, outTradeNo: order.payment.outTradeNo!,
    };
    next.refunds = [...order.refunds, refund];
    const afterSales = order.afterSales.slice();
    afterSales[index] = { ...a, status: 'refunding', refundId: refund.id, updatedAt: at };
    next.afterSales = afterSales;
    effects.push({ id: `${order.id}:${v}:0`, orderId: order.id, type: 'payment.refund', refundId: refund.id, outTradeNo: refund.outTradeNo!, amount: a.amount, total: order.payment.paidAmount, reason: Array.from(a.reason).slice(0, 80).join(''), transactionId: refund.transactionId! });
    effects.push({ id: `${order.id}:${v}:1`, orderId: order.id, type: 'notify', to: 'customer', template: 'after_sale_approved', data: { orderNumber: order.number, afterSaleId: a.id, kind: a.kind, amount: a.amount, refundId: refund.id } });
    return { afterSaleId: a.id, kind: a.kind, from: 'requested', to: 'refunding', amount: a.amount, shippingAmount: a.shippingAmount, refundId: refund.id };
  }
  if (command.type === 'REFUND_SUCCEEDED') {
    if (actor.type !== 'payment' && actor.type !== 'system') throw new Error('forbidden');
    const ri = order.refunds.findIndex((r) => r.id === command.refundId);
    if (ri < 0) throw new Error('unknown refund');
    const refund = order.refunds[ri]!;
    if (command.amount !== undefined && command.amount !== refund.amount) throw new Error('amount mismatch');
    if (refund.status !== 'pending') throw new Error('not pending');
    const refunds = order.refunds.slice();
    refunds[ri] = { ...refund, status: 'succeeded', updatedAt: at };
    next.refunds = refunds;
    const ai = order.afterSales.findIndex((a) => a.id === refund.afterSaleId);
    const a = order.afterSales[ai]!;
    if (a.status !== 'refunding') throw new Error('invalid after-sale transition');
    const afterSales = order.afterSales.slice();
    afterSales[ai] = { ...a, status: 'refunded', updatedAt: at };
    next.afterSales = afterSales;
    let succeeded = 0;
    for (const r of refunds) if (r.status === 'succeeded' && r.reason !== 'stray_payment') succeeded += r.amount;
    if (succeeded === order.payment.paidAmount) throw new Error('the bench path never refunds everything');
    effects.push({ id: `${order.id}:${v}:0`, orderId: order.id, type: 'notify', to: 'customer', template: 'refund_succeeded', data: { orderNumber: order.number, afterSaleId: a.id, kind: a.kind, amount: a.amount, refundId: refund.id } });
    return { refundId: refund.id, amount: refund.amount, refundReason: refund.reason, afterSaleStatus: 'refunded', afterSaleId: a.id };
  }
  throw new Error('invalid transition');
}

// ---- the paths -----------------------------------------------------------------------------------

let sink = 0;
const time = (k: number) => new Date(T0 + k * 60_000);

interface PathStep {
  /** The command for order i (after-sale and refund ids differ per order). */
  command: (i: number) => Command;
  actor: Actor;
  at: number;
}

const request: Command = checked({ type: 'REQUEST_AFTER_SALE', kind: 'refund_only', items: [{ lineId: 'a', quantity: 1 }], reason: '少了一盒 / one box missing' });
const approves = ids.map(({ number }) => checked({ type: 'APPROVE_AFTER_SALE', afterSaleId: `${number}-AS1` }));
const refundsOk = ids.map(({ number }) => checked({ type: 'REFUND_SUCCEEDED', refundId: `${number}R1`, amount: 12800 }));

const HAPPY: PathStep[] = [
  { command: () => pay, actor: gateway, at: 5 },
  { command: () => ship, actor: merchant, at: 60 },
  { command: () => confirm, actor: customer, at: 3000 },
];
const AFTER_SALES: PathStep[] = [
  { command: () => pay, actor: gateway, at: 5 },
  { command: () => ship, actor: merchant, at: 60 },
  { command: () => request, actor: customer, at: 600 },
  { command: (i) => approves[i]!, actor: merchant, at: 700 },
  { command: (i) => refundsOk[i]!, actor: gateway, at: 800 },
  { command: () => confirm, actor: customer, at: 3000 },
];
// The instants, made once (every variant gets the same Date objects).
const instants = new Map<number, Date>([0, 5, 60, 600, 700, 800, 3000].map((k) => [k, time(k)]));
const when = (k: number) => instants.get(k)!;

function ours(path: PathStep[]): () => void {
  return () => {
    for (let i = 0; i < ORDERS_PER_OP; i++) {
      const placed = placeOrder({ id: ids[i]!.id, number: ids[i]!.number, customerId: 'u1', quote, address }, { now: when(0) });
      if (!placed.ok) throw placed.error;
      let order = placed.order;
      for (const s of path) {
        const r = transition(order, s.command(i), { now: when(s.at), actor: s.actor });
        if (!r.ok) throw r.error;
        order = r.order;
      }
      if (order.status !== 'completed') throw new Error('lifecycle did not complete');
      sink += order.version;
    }
  };
}

function hand(path: PathStep[]): () => void {
  return () => {
    for (let i = 0; i < ORDERS_PER_OP; i++) {
      let order = handPlace(ids[i]!.id, ids[i]!.number, when(0)).order;
      for (const s of path) order = handReduce(order, s.command(i), s.actor, when(s.at)).order;
      if (order.status !== 'completed') throw new Error('lifecycle did not complete');
      sink += order.version;
    }
  };
}

function xstatePure(path: PathStep[]): () => void {
  return () => {
    for (let i = 0; i < ORDERS_PER_OP; i++) {
      const placed = handPlace(ids[i]!.id, ids[i]!.number, when(0));
      let [snapshot] = initialTransition(orderMachine, { order: placed.order });
      for (const s of path) [snapshot] = xstateTransition(orderMachine, snapshot, toMachineEvent(s.command(i), { now: when(s.at), actor: s.actor }) as never);
      if (snapshot.value !== 'completed') throw new Error(`xstate ended in ${String(snapshot.value)}`);
      sink += snapshot.context.effects.length;
    }
  };
}

function xstateActor(path: PathStep[]): () => void {
  return () => {
    for (let i = 0; i < ORDERS_PER_OP; i++) {
      const placed = handPlace(ids[i]!.id, ids[i]!.number, when(0));
      const actor = createActor(orderMachine, { input: { order: placed.order } }).start();
      for (const s of path) actor.send(toMachineEvent(s.command(i), { now: when(s.at), actor: s.actor }) as never);
      const snapshot = actor.getSnapshot();
      actor.stop();
      if (snapshot.value !== 'completed') throw new Error(`xstate actor ended in ${String(snapshot.value)}`);
      sink += snapshot.context.effects.length;
    }
  };
}

/** The hand reducer must end where orderkit ends: same order, events and effects at every step. */
function checkSameWork(path: PathStep[]): void {
  const strip = (x: unknown) => JSON.parse(JSON.stringify(x));
  const placed = placeOrder({ id: ids[0]!.id, number: ids[0]!.number, customerId: 'u1', quote, address }, { now: when(0) });
  if (!placed.ok) throw placed.error;
  let a: Order = placed.order;
  let b: Order = handPlace(ids[0]!.id, ids[0]!.number, when(0)).order;
  for (const s of path) {
    const ra = transition(a, s.command(0), { now: when(s.at), actor: s.actor });
    if (!ra.ok) throw ra.error;
    const rb = handReduce(b, s.command(0), s.actor, when(s.at));
    const same = (x: unknown, y: unknown, what: string) => {
      const [jx, jy] = [JSON.stringify(sortKeys(strip(x))), JSON.stringify(sortKeys(strip(y)))];
      if (jx !== jy) throw new Error(`${s.command(0).type}: the hand reducer's ${what} differs from orderkit's:\n${jx}\n${jy}`);
    };
    same(ra.order, rb.order, 'order');
    same(ra.effects, rb.effects, 'effects');
    same(ra.events[0]!.data ?? {}, rb.events[0]!.data, 'event data');
    a = ra.order;
    b = rb.order;
  }
}
function sortKeys(x: unknown): unknown {
  if (Array.isArray(x)) return x.map(sortKeys);
  if (x === null || typeof x !== 'object') return x;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(x).sort()) out[k] = sortKeys((x as Record<string, unknown>)[k]);
  return out;
}

const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 7);
const TIME_MS = Number(process.env['BENCH_TIME_MS'] ?? 400);
const VARIANTS = ['xstate pure', 'xstate actor', 'hand', 'orderkit'] as const;
type Variant = (typeof VARIANTS)[number];
const PATHS: Record<string, PathStep[]> = { happy: HAPPY, 'after-sales': AFTER_SALES };
const MAKERS: Record<Variant, (path: PathStep[]) => () => void> = { 'xstate pure': xstatePure, 'xstate actor': xstateActor, hand, orderkit: ours };

/** Transitions per CPU-second of this process over TIME_MS of wall time. */
function cpuRate(fn: () => void, transitions: number): number {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  let n = 0;
  while (performance.now() - t0 < TIME_MS) {
    fn();
    n++;
  }
  const c = process.cpuUsage(c0);
  return (n * ORDERS_PER_OP * transitions * 1e6) / (c.user + c.system);
}

// Worker role: one variant on one path, in a process of its own, timed when the parent asks.
if (process.env['LIFECYCLE_BENCH_TASK'] !== undefined) {
  const [key, variant] = process.env['LIFECYCLE_BENCH_TASK'].split('|') as [string, Variant];
  const path = PATHS[key]!;
  const fn = MAKERS[variant](path);
  for (let i = 0; i < 200; i++) fn(); // warm-up
  process.on('message', (m) => {
    if (m === 'run') process.send!({ rate: cpuRate(fn, path.length + 1) });
    else process.exit(0);
  });
  process.send!('ready');
} else {
  await main();
}

async function main(): Promise<void> {
// Same end state from every variant before timing anything.
checkSameWork(HAPPY);
checkSameWork(AFTER_SALES);
for (const path of [HAPPY, AFTER_SALES]) for (const v of VARIANTS) MAKERS[v](path)();

interface Scenario {
  key: string;
  label: string;
  transitions: number;
  samples: Record<Variant, number[]>;
  peerRatios: number[];
  ceilingRatios: number[];
}
const scenario = (key: string, label: string): Scenario => ({
  key,
  label,
  transitions: PATHS[key]!.length + 1,
  samples: { 'xstate pure': [], 'xstate actor': [], hand: [], orderkit: [] },
  peerRatios: [],
  ceilingRatios: [],
});
const scenarios = [scenario('happy', 'place → pay → ship → confirm'), scenario('after-sales', 'place → pay → ship → request after-sale → approve → refund succeeded → confirm')];

// Each variant runs in a process of its own (its own JIT state, as in a deployment where only one
// of them exists), and is timed by the CPU time that process spent (process.cpuUsage), not by the
// wall clock: the machine is shared (two cores, often a load average far above two), and waiting
// for a core then counts for no variant. Every round asks each process in turn for one timing, in
// alternating order; the figures are medians over the rounds.
const loadBefore = loadavg();
const workers = new Map<string, ChildProcess>();
for (const sc of scenarios) {
  for (const v of VARIANTS) {
    const child = fork(fileURLToPath(import.meta.url), [], { execArgv: ['--import', 'tsx'], env: { ...process.env, LIFECYCLE_BENCH_TASK: `${sc.key}|${v}` }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    await new Promise<void>((resolve, reject) => {
      child.once('message', () => resolve());
      child.once('exit', (code) => reject(new Error(`${sc.key} ${v} exited with ${code}`)));
    });
    workers.set(`${sc.key}|${v}`, child);
  }
}
const ask = (child: ChildProcess) =>
  new Promise<number>((resolve) => {
    child.once('message', (m) => resolve((m as { rate: number }).rate));
    child.send('run');
  });
for (let round = 0; round < ROUNDS; round++) {
  const tasks: Array<[Scenario, Variant]> = [];
  for (const sc of scenarios) for (const v of VARIANTS) tasks.push([sc, v]);
  if (round % 2 === 1) tasks.reverse();
  const rates = new Map<Scenario, Record<Variant, number>>(scenarios.map((sc) => [sc, {} as Record<Variant, number>]));
  for (const [sc, v] of tasks) {
    const r = await ask(workers.get(`${sc.key}|${v}`)!);
    rates.get(sc)![v] = r;
    sc.samples[v].push(r);
  }
  for (const sc of scenarios) {
    const r = rates.get(sc)!;
    sc.peerRatios.push(r.orderkit / Math.max(r['xstate pure'], r['xstate actor']));
    sc.ceilingRatios.push(r.hand / r.orderkit);
  }
}
for (const child of workers.values()) child.send('stop');
const loadAfter = loadavg();
const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const spread = (xs: number[], digits: number) => `${Math.min(...xs).toFixed(digits)}–${Math.max(...xs).toFixed(digits)}`;
const CEILING_GOAL: Record<string, number> = { happy: 1.3, 'after-sales': 1.5 };

let sections = '';
for (const sc of scenarios) {
  const rate = (v: Variant) => median(sc.samples[v]);
  const o = rate('orderkit');
  const vsPeer = median(sc.peerRatios);
  const vsHand = median(sc.ceilingRatios);
  const goal = CEILING_GOAL[sc.key]!;
  const rows = [
    ['(a) xstate pure `transition(orderMachine, …)`', fmt(rate('xstate pure')), (o / rate('xstate pure')).toFixed(1) + '×'],
    ['(a) xstate actor per order', fmt(rate('xstate actor')), (o / rate('xstate actor')).toFixed(1) + '×'],
    ['(b) hand-written reducer, same work (ceiling)', fmt(rate('hand')), (o / rate('hand')).toFixed(2) + '×'],
    ['(c) orderkit `placeOrder` + `transition()`', fmt(o), '1.0×'],
  ];
  sections += `
### ${sc.key === 'happy' ? 'Happy path' : 'With an after-sale'}: ${sc.label} (${sc.transitions} transitions)

${table(['variant / 实现', 'transitions per CPU-second', 'orderkit ÷ this'], rows)}

- orderkit is **${vsPeer.toFixed(1)}×** the faster xstate way (median of the per-round ratios; range ${spread(sc.peerRatios, 1)}), goal ≥ 10×: **${vsPeer >= 10 ? 'met' : 'NOT met'}**.
- The hand-written reducer is **${vsHand.toFixed(2)}×** orderkit (range ${spread(sc.ceilingRatios, 2)}), goal ≤ ${goal}×: **${vsHand <= goal ? 'met' : 'NOT met'}**.
- For scale: the hand-written reducer itself is ${(rate('hand') / Math.max(rate('xstate pure'), rate('xstate actor'))).toFixed(1)}× the faster xstate way on this path.
`;
}

const markdown = `## Lifecycle / 订单生命周期

Command: \`npm run bench -- lifecycle\` (bench/lifecycle.bench.ts). ${machineLine()} Load average
(1/5/15 min) at the start ${loadBefore.map((x) => x.toFixed(2)).join(' / ')}, at the end ${loadAfter.map((x) => x.toFixed(2)).join(' / ')}.

Full lifecycles per order, ${ORDERS_PER_OP} orders per sample, two paths, ${ROUNDS} rounds of ${TIME_MS} ms per
variant (medians; every round times all eight variants back to back and alternates their order).
Each variant runs in a process of its own (its own JIT state, as where only one of them is
deployed); rates are per CPU-second of that process (\`process.cpuUsage\`), so that time spent
waiting for a core on the shared machine counts for no variant. Ratios are medians of the
per-round ratios.
Every variant makes the same state updates (payment record, shipment, the after-sale with its
per-line amounts, the refund ledger entry, deadlines and the refund period in the shop's zone
through the same zoned-time function, audit event data, effects with ids); before timing, the
hand-written reducer's order, effects and event data are checked equal to orderkit's at every
step. The hand reducer makes the same checks (actor, status, units left per line, money left,
refund count, refund period, ids not taken) but trusts its commands, which are parsed once up front
for every variant, as the service does at its boundary: no variant re-validates a parsed command.
orderkit's \`placeOrder\` validates its whole input (quote, address, ids) with zod; the hand
\`handPlace\` does not. The xstate runs use \`orderMachine\` itself (built from the same lifecycle),
with the same guards and actions wrapped as xstate implementations.
${sections}`;
writeSection('lifecycle', markdown);
console.log(markdown);
if (sink === 0) console.log('');
}
