/**
 * `npm run bench -- lifecycle`: a full order lifecycle (place → pay → ship → confirm) per order,
 * three ways in one run:
 *   (a) xstate itself: its pure `transition(orderMachine, …)`, and an actor per order
 *       (`createActor(orderMachine).start()` then `send`); the faster of the two is the peer;
 *   (b) a minimal hand-written reducer doing the same state updates (the ceiling);
 *   (c) orderkit: `placeOrder` + the compiled `transition()`.
 * Goals: (c) ≥ 10× the peer, and within 3× of (b). Written to docs/benchmarks.md.
 */
import { Bench } from 'tinybench';
import { createActor, initialTransition, transition as xstateTransition } from 'xstate';
import { parseCommand, type Actor, type Command, type Effect, type Line, type Order, type OrderEvent } from '../src/order/index.js';
import { deadlineAfter, defaultPolicy, placeOrder, transition } from '../src/lifecycle/index.js';
import { orderMachine, toMachineEvent } from '../src/xstate/index.js';
import type { Quote } from '../src/pricing/quote.js';
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
    effects.push({ id: `${order.id}:${v}:2`, orderId: order.id, type: 'notify', to: 'customer', template: 'order_shipped', data: { orderNumber: order.number, total: order.pricing.total, shipmentId, trackingNo: command.trackingNo } });
  } else if (order.status === 'shipped' && command.type === 'CONFIRM_RECEIPT') {
    if (actor.type !== 'customer' || actor.id !== order.customerId) throw new Error('forbidden');
    const afterSaleUntil = deadlineAfter(now, policy.afterSaleWindow, policy.timeZone);
    next.status = 'completed';
    next.completedAt = at;
    next.deadlines = { payBy: order.deadlines.payBy!, autoConfirmAt: order.deadlines.autoConfirmAt!, afterSaleUntil };
    data = { afterSaleUntil };
  } else {
    throw new Error('invalid transition');
  }
  return { order: next, events: [{ orderId: order.id, version: v, type: command.type, actor, from: order.status, to: next.status, at, data }], effects };
}

// ---- the lifecycles ------------------------------------------------------------------------

let sink = 0;
const time = (k: number) => new Date(T0 + k * 60_000);

function lifecycleOurs(): void {
  for (let i = 0; i < ORDERS_PER_OP; i++) {
    const placed = placeOrder({ id: ids[i]!.id, number: ids[i]!.number, customerId: 'u1', quote, address }, { now: time(0) });
    if (!placed.ok) throw placed.error;
    const paid = transition(placed.order, pay, { now: time(5), actor: gateway });
    if (!paid.ok) throw paid.error;
    const shipped = transition(paid.order, ship, { now: time(60), actor: merchant });
    if (!shipped.ok) throw shipped.error;
    const done = transition(shipped.order, confirm, { now: time(3000), actor: customer });
    if (!done.ok || done.order.status !== 'completed') throw new Error('lifecycle did not complete');
    sink += done.order.version;
  }
}

function lifecycleHand(): void {
  for (let i = 0; i < ORDERS_PER_OP; i++) {
    const placed = handPlace(ids[i]!.id, ids[i]!.number, time(0));
    const paid = handReduce(placed.order, pay, gateway, time(5));
    const shipped = handReduce(paid.order, ship, merchant, time(60));
    const done = handReduce(shipped.order, confirm, customer, time(3000));
    if (done.order.status !== 'completed') throw new Error('lifecycle did not complete');
    sink += done.order.version;
  }
}

function lifecycleXstatePure(): void {
  for (let i = 0; i < ORDERS_PER_OP; i++) {
    const placed = handPlace(ids[i]!.id, ids[i]!.number, time(0));
    let [snapshot] = initialTransition(orderMachine, { order: placed.order });
    [snapshot] = xstateTransition(orderMachine, snapshot, toMachineEvent(pay, { now: time(5), actor: gateway }) as never);
    [snapshot] = xstateTransition(orderMachine, snapshot, toMachineEvent(ship, { now: time(60), actor: merchant }) as never);
    [snapshot] = xstateTransition(orderMachine, snapshot, toMachineEvent(confirm, { now: time(3000), actor: customer }) as never);
    if (snapshot.value !== 'completed') throw new Error(`xstate ended in ${String(snapshot.value)}`);
    sink += snapshot.context.effects.length;
  }
}

function lifecycleXstateActor(): void {
  for (let i = 0; i < ORDERS_PER_OP; i++) {
    const placed = handPlace(ids[i]!.id, ids[i]!.number, time(0));
    const actor = createActor(orderMachine, { input: { order: placed.order } }).start();
    actor.send(toMachineEvent(pay, { now: time(5), actor: gateway }) as never);
    actor.send(toMachineEvent(ship, { now: time(60), actor: merchant }) as never);
    actor.send(toMachineEvent(confirm, { now: time(3000), actor: customer }) as never);
    const snapshot = actor.getSnapshot();
    actor.stop();
    if (snapshot.value !== 'completed') throw new Error(`xstate actor ended in ${String(snapshot.value)}`);
    sink += snapshot.context.effects.length;
  }
}

// Same end state from every variant before timing anything.
lifecycleOurs();
lifecycleHand();
lifecycleXstatePure();
lifecycleXstateActor();

// Other processes share the machine, so one long run per variant can land in a busy or a quiet
// moment. Several short rounds, each timing every variant back to back, and the median of each
// figure over the rounds, keep the ratios honest.
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 7);
const TIME_MS = Number(process.env['BENCH_TIME_MS'] ?? 500);
const variants: Array<[string, () => void]> = [
  ['xstate: pure transition(orderMachine, …)', lifecycleXstatePure],
  ['xstate: actor per order', lifecycleXstateActor],
  ['hand-written reducer (ceiling)', lifecycleHand],
  ['orderkit: placeOrder + transition()', lifecycleOurs],
];
const samples = new Map<string, number[]>(variants.map(([name]) => [name, []]));
const peerRatios: number[] = [];
const ceilingRatios: number[] = [];
for (let round = 0; round < ROUNDS; round++) {
  const bench = new Bench({ time: TIME_MS, warmupTime: 100 });
  // Alternate the order so that no variant always runs first or last.
  const order = round % 2 === 0 ? variants : [...variants].reverse();
  for (const [name, fn] of order) bench.add(name, fn);
  await bench.run();
  const rates = new Map<string, number>();
  for (const task of bench.tasks) {
    const r = task.result as { period?: number };
    if (r.period === undefined) throw new Error(`${task.name} did not complete`);
    const rate = (ORDERS_PER_OP * TRANSITIONS_PER_ORDER * 1000) / r.period;
    rates.set(task.name, rate);
    samples.get(task.name)!.push(rate);
  }
  const ours = rates.get('orderkit: placeOrder + transition()')!;
  peerRatios.push(ours / Math.max(rates.get('xstate: pure transition(orderMachine, …)')!, rates.get('xstate: actor per order')!));
  ceilingRatios.push(rates.get('hand-written reducer (ceiling)')! / ours);
}
const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const rate = (name: string): number => median(samples.get(name)!);
const pure = rate('xstate: pure transition(orderMachine, …)');
const actor = rate('xstate: actor per order');
const hand = rate('hand-written reducer (ceiling)');
const ours = rate('orderkit: placeOrder + transition()');
const peer = Math.max(pure, actor);
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const vsPeer = median(peerRatios);
const vsHand = median(ceilingRatios);
const spread = (xs: number[]) => `${Math.min(...xs).toFixed(1)}–${Math.max(...xs).toFixed(1)}`;

const rows = [
  ['(a) xstate pure `transition(orderMachine, …)`', fmt(pure), (ours / pure).toFixed(1) + '×'],
  ['(a) xstate actor per order', fmt(actor), (ours / actor).toFixed(1) + '×'],
  ['(b) hand-written reducer (ceiling)', fmt(hand), (ours / hand).toFixed(2) + '×'],
  ['(c) orderkit `placeOrder` + `transition()`', fmt(ours), '1.0×'],
];
const markdown = `## Lifecycle / 订单生命周期

Command: \`npm run bench -- lifecycle\` (bench/lifecycle.bench.ts). ${machineLine()}

One full lifecycle per order (place → pay → ship → confirm, 4 transitions), ${ORDERS_PER_OP} orders per
sample, ${ROUNDS} rounds of ${TIME_MS} ms per variant (medians; the rounds alternate the order of the
variants). Every variant makes the same state updates (payment record, shipment, deadlines in the
shop's zone through the same deadline function, audit event, effects with ids). The xstate runs
use \`orderMachine\` itself, with the same guards and actions wrapped as xstate implementations.
每个订单完整走一遍 下单 → 支付 → 发货 → 确认收货（4 次状态迁移）；三种实现做同样的状态更新。

${table(['variant / 实现', 'transitions/s', 'orderkit ÷ this'], rows)}

- Peer (the faster xstate way): ${fmt(peer)} transitions/s. orderkit is **${vsPeer.toFixed(1)}×** the peer
  (median of the per-round ratios; range ${spread(peerRatios)}), goal ≥ 10×: ${vsPeer >= 10 ? 'met' : 'NOT met'}.
- Ceiling: the hand-written reducer is **${vsHand.toFixed(2)}×** orderkit (range ${spread(ceilingRatios)}), goal ≤ 3×: ${vsHand <= 3 ? 'met' : 'NOT met'}.
  orderkit's \`placeOrder\` validates its whole input with zod, which the hand-written one does not.
- 目标：orderkit ≥ xstate 较快方式的 10 倍（${vsPeer >= 10 ? '达成' : '未达成'}），且不慢于手写 reducer 的 3 倍（${vsHand <= 3 ? '达成' : '未达成'}）。
`;
writeSection('lifecycle', markdown);
console.log(markdown);
if (sink === 0) console.log('');
