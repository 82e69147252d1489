import { allocate } from '../../src/money/index.js';
import { OrderSchema, type Actor, type Allocation, type Line, type Order } from '../../src/order/index.js';
import { definePolicy, type Policy } from '../../src/order/policy.js';
import type { AfterSaleContext } from '../../src/refund/index.js';

/**
 * Orders built by hand for the refund tests: the lines carry allocations the way a priced cart
 * stores them, so these tests never depend on the pricing engine or on the lifecycle.
 */

export interface LineSpec {
  id: string;
  sku?: string;
  title?: string;
  listPrice: number;
  quantity: number;
  allocations?: Allocation[];
  fulfillment?: 'physical' | 'virtual';
}

export const CUSTOMER: Actor = { type: 'customer', id: 'u1' };
export const OTHER_CUSTOMER: Actor = { type: 'customer', id: 'u2' };
export const MERCHANT: Actor = { type: 'merchant', id: 'staff-1' };
export const GATEWAY: Actor = { type: 'payment', gateway: 'wechatpay' };

export const PAID_AT = '2026-11-25T04:00:00.000Z';
export const T0 = new Date('2026-11-25T05:00:00.000Z');

export function at(iso: string): Date {
  return new Date(iso);
}

export function ctx(actor: Actor = CUSTOMER, now: Date = T0, policy: Policy = definePolicy()): AfterSaleContext {
  return { now, actor, policy };
}

export function buildLine(spec: LineSpec): Line {
  const allocations = spec.allocations ?? [];
  const discount = allocations.reduce((s, a) => s + a.amount, 0);
  const subtotal = spec.listPrice * spec.quantity;
  return {
    id: spec.id,
    sku: spec.sku ?? `SKU-${spec.id}`,
    title: spec.title ?? `Item ${spec.id}`,
    fulfillment: spec.fulfillment ?? 'physical',
    listPrice: spec.listPrice,
    unitPrice: spec.listPrice,
    quantity: spec.quantity,
    subtotal,
    allocations,
    payable: subtotal - discount,
  };
}

/**
 * Splits an order-level discount over lines by their current payables, largest remainder, lines
 * ordered by SKU then id — what the pricing engine stores at placement (docs/pricing.md).
 */
export function spreadDiscount(lines: Line[], source: Allocation['source'], sourceId: string, amount: number): Line[] {
  const order = lines.map((l, i) => ({ l, i })).sort((a, b) => (a.l.sku < b.l.sku ? -1 : a.l.sku > b.l.sku ? 1 : a.l.id < b.l.id ? -1 : 1));
  const parts = allocate(amount, order.map((x) => x.l.payable));
  const out = lines.slice();
  order.forEach((x, k) => {
    const part = parts[k]!;
    if (part === 0) return;
    out[x.i] = { ...x.l, allocations: [...x.l.allocations, { source, sourceId, amount: part }], payable: x.l.payable - part };
  });
  return out;
}

export interface OrderSpec {
  lines: Array<LineSpec | Line>;
  freight?: number;
  number?: string;
}

/** A paid order (status `paid`), nothing shipped. */
export function paidOrder(spec: OrderSpec): Order {
  const lines = spec.lines.map((l) => ('payable' in l ? l : buildLine(l)));
  const freight = spec.freight ?? 0;
  const itemsTotal = lines.reduce((s, l) => s + l.listPrice * l.quantity, 0);
  const payable = lines.reduce((s, l) => s + l.payable, 0);
  const total = payable + freight;
  const number = spec.number ?? '20261125120000123456';
  const order: Order = {
    id: 'o1',
    number,
    version: 2,
    status: 'paid',
    customerId: 'u1',
    currency: 'CNY',
    fulfillment: 'physical',
    lines,
    merchantNotes: [],
    pricing: {
      itemsTotal,
      discountTotal: itemsTotal - payable,
      freight,
      pointsUsed: 0,
      pointsDeduction: 0,
      total,
      adjustments: [],
      couponIds: [],
    },
    payment: {
      attempts: [{ outTradeNo: number, amount: total, status: 'paid', createdAt: '2026-11-25T03:59:00.000Z' }],
      paidAmount: total,
      paidAt: PAID_AT,
      transactionId: '4200000000000001',
      outTradeNo: number,
      gateway: 'wechatpay',
      stray: [],
    },
    shipments: [],
    afterSales: [],
    refunds: [],
    deadlines: {},
    createdAt: '2026-11-25T03:59:00.000Z',
    updatedAt: PAID_AT,
    paidAt: PAID_AT,
  };
  return OrderSchema.parse(order) as Order;
}

/** The order with a parcel of `items` (default: every unit) shipped at `when`. */
export function shipped(order: Order, items?: Array<{ lineId: string; quantity: number }>, when = '2026-11-26T02:00:00.000Z'): Order {
  const parcel = items ?? order.lines.map((l) => ({ lineId: l.id, quantity: l.quantity }));
  const shipments = [...order.shipments, { id: `S${order.shipments.length + 1}`, items: parcel, logisticsType: 'express' as const, shippedAt: when }];
  const sent = new Map<string, number>();
  for (const s of shipments) for (const i of s.items) sent.set(i.lineId, (sent.get(i.lineId) ?? 0) + i.quantity);
  const all = order.lines.every((l) => (sent.get(l.id) ?? 0) >= l.quantity);
  return { ...order, shipments, status: all ? 'shipped' : 'partially_shipped', shippedAt: order.shippedAt ?? when };
}

/** The order completed at `when`, its after-sales window closing `windowDays` later. */
export function completed(order: Order, when = '2026-11-28T02:00:00.000Z', windowDays = 7): Order {
  const until = new Date(new Date(when).getTime() + windowDays * 86_400_000).toISOString();
  return { ...order, status: 'completed', completedAt: when, deadlines: { ...order.deadlines, afterSaleUntil: until } };
}

/** The worked order: 3 T-shirts and a mug, 满减 ¥10 and a ¥5 coupon spread over both, ¥10 freight. */
export function promoOrder(): Order {
  let lines = [buildLine({ id: 'L1', sku: 'TS-01', title: 'T-shirt', listPrice: 3333, quantity: 3 }), buildLine({ id: 'L2', sku: 'MUG-01', title: 'Mug', listPrice: 5001, quantity: 1 })];
  lines = spreadDiscount(lines, 'full_reduction', 'FR-150-10', 1000);
  lines = spreadDiscount(lines, 'coupon', 'CP-5', 500);
  return paidOrder({ lines, freight: 1000 });
}

export const policy = definePolicy();

/** Freezes an order all the way down, so a reducer that writes into its input throws. */
export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const key of Object.keys(value as object)) deepFreeze((value as Record<string, unknown>)[key]);
  }
  return value;
}

/** A ledger entry the lifecycle would make (merchant cancel, late payment), for refund-result tests. */
export function withLedgerEntry(order: Order, entry: { id?: string; amount: number; reason?: 'merchant_cancel' | 'late_payment' | 'stray_payment'; status?: 'pending' | 'succeeded' | 'failed' }): Order {
  const refund = {
    id: entry.id ?? `${order.number}R${order.refunds.length + 1}`,
    reason: entry.reason ?? ('merchant_cancel' as const),
    amount: entry.amount,
    status: entry.status ?? ('pending' as const),
    createdAt: T0.toISOString(),
    updatedAt: T0.toISOString(),
    attempts: 1,
    transactionId: order.payment.transactionId,
    outTradeNo: order.payment.outTradeNo,
  };
  return { ...order, refunds: [...order.refunds, refund] };
}
