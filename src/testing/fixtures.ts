import type { Effect, Order, OrderEvent, OrderStatus } from '../order/index.js';

/**
 * Small, valid orders for store tests. They do not go through the lifecycle on purpose: a store is
 * checked on what it keeps, so the contract suite needs orders in any status at any version
 * without depending on the rules that move them there.
 */
export interface TestOrderInit {
  id: string;
  number?: string;
  customerId?: string;
  status?: OrderStatus;
  version?: number;
  /** Default 2026-03-01T02:00:00.000Z */
  createdAt?: string;
  /** Default: createdAt + 30 minutes while pending_payment */
  payBy?: string;
  /** Default: updatedAt + 7 days while shipped or delivered */
  autoConfirmAt?: string;
  total?: number;
}

export const TEST_EPOCH = '2026-03-01T02:00:00.000Z';
const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

function plus(iso: string, ms: number): string {
  return new Date(Date.parse(iso) + ms).toISOString();
}

/** A short order number derived from the id, valid as a WeChat Pay `out_trade_no`. */
function numberFor(id: string): string {
  const cleaned = id.replace(/[^0-9A-Za-z_-]/g, '').slice(-24);
  return `T${cleaned || '0'}`;
}

/**
 * A valid order (it passes `OrderSchema`) with one line.
 *
 * @example
 * const order = testOrder({ id: 'o1', status: 'pending_payment' });
 * await store.create(order, { events: [createdEvent(order)], effects: [] });
 */
export function testOrder(init: TestOrderInit): Order {
  const createdAt = init.createdAt ?? TEST_EPOCH;
  const status = init.status ?? 'pending_payment';
  const total = init.total ?? 1990;
  const number = init.number ?? numberFor(init.id);
  const order: Order = {
    id: init.id,
    number,
    version: init.version ?? 1,
    status,
    customerId: init.customerId ?? 'c1',
    currency: 'CNY',
    fulfillment: 'physical',
    lines: [
      {
        id: 'L1',
        sku: 'SKU-1',
        title: 'Test item 测试商品',
        fulfillment: 'physical',
        listPrice: total,
        unitPrice: total,
        quantity: 1,
        subtotal: total,
        allocations: [],
        payable: total,
      },
    ],
    merchantNotes: [],
    pricing: {
      itemsTotal: total,
      discountTotal: 0,
      freight: 0,
      pointsUsed: 0,
      pointsDeduction: 0,
      total,
      adjustments: [],
      couponIds: [],
    },
    payment: {
      attempts: [{ outTradeNo: number, amount: total, status: status === 'pending_payment' ? 'open' : 'paid', createdAt }],
      paidAmount: status === 'pending_payment' ? 0 : total,
      stray: [],
    },
    shipments: [],
    afterSales: [],
    refunds: [],
    deadlines: {},
    createdAt,
    updatedAt: createdAt,
  };
  applyDeadlines(order, init.payBy, init.autoConfirmAt);
  return order;
}

function applyDeadlines(order: Order, payBy?: string, autoConfirmAt?: string): void {
  order.deadlines = {};
  if (order.status === 'pending_payment') order.deadlines.payBy = payBy ?? plus(order.createdAt, 30 * MINUTE);
  if (order.status === 'shipped' || order.status === 'delivered') {
    order.deadlines.autoConfirmAt = autoConfirmAt ?? plus(order.updatedAt, 7 * DAY);
  }
}

/**
 * The creation event of a test order (version 1).
 *
 * @example
 * await store.create(order, { events: [createdEvent(order)], effects: [] });
 */
export function createdEvent(order: Order): OrderEvent {
  return { orderId: order.id, version: 1, type: 'PLACED', actor: { type: 'customer', id: order.customerId }, from: null, to: order.status, at: order.createdAt };
}

/**
 * `count` notify effects with the ids `transition()` would give them at this version.
 *
 * @example
 * testEffects(order, 2).map((e) => e.id) // ['o1:1:0', 'o1:1:1']
 */
export function testEffects(order: Order, count: number): Effect[] {
  const effects: Effect[] = [];
  for (let i = 0; i < count; i++) {
    effects.push({ id: `${order.id}:${order.version}:${i}`, orderId: order.id, type: 'notify', to: 'customer', template: 'test', data: { i } });
  }
  return effects;
}

export interface TestStep {
  status?: OrderStatus;
  /** Default: updatedAt + 1 minute */
  at?: string;
  effects?: number;
  payBy?: string;
  autoConfirmAt?: string;
}

/**
 * The next version of an order, with one event and `effects` outbox effects: everything a commit
 * needs. Pure; the input is not changed.
 *
 * @example
 * const step = nextVersion(order, { status: 'paid' });
 * await store.commit({ order: step.order, expectedVersion: order.version, events: step.events, effects: step.effects });
 */
export function nextVersion(order: Order, step: TestStep = {}): { order: Order; events: OrderEvent[]; effects: Effect[] } {
  const at = step.at ?? plus(order.updatedAt, MINUTE);
  const status = step.status ?? order.status;
  const next: Order = JSON.parse(JSON.stringify(order)) as Order;
  next.version = order.version + 1;
  next.status = status;
  next.updatedAt = at;
  if (status !== 'pending_payment' && next.payment.paidAmount === 0 && status !== 'closed') {
    next.payment.paidAmount = next.pricing.total;
    next.payment.paidAt = at;
  }
  if (status === 'closed' && next.closeReason === undefined) {
    next.closeReason = 'customer_cancelled';
    next.closedAt = at;
  }
  applyDeadlines(next, step.payBy ?? order.deadlines.payBy, step.autoConfirmAt);
  const events: OrderEvent[] = [
    { orderId: order.id, version: next.version, type: 'TEST_STEP', actor: { type: 'system' }, from: order.status, to: status, at },
  ];
  return { order: next, events, effects: testEffects(next, step.effects ?? 0) };
}
