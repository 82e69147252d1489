import { placeOrder } from '../lifecycle/place-order.js';
import type { Policy } from '../order/policy.js';
import type { Actor, Line, Order } from '../order/index.js';
import type { Quote } from '../pricing/quote.js';

/**
 * The small finite domain the bounded checker explores (docs/lifecycle.md "Checking a lifecycle
 * exhaustively"): who may send commands, which payloads each command type is tried with, and the
 * orders the exploration starts from. Every piece can be replaced or extended through
 * `checkLifecycle`'s options; an extension adds a generator for its own command types.
 */

/** A command the checker sends: a type and its payload. */
export interface CheckerCommand {
  type: string;
  [field: string]: unknown;
}

/**
 * The payloads to try for one command type on this order, sent by this actor. Return [] when the
 * type makes no sense here. Generators read ids (after-sales, refunds, attempts) from the order,
 * so the domain stays finite: an explored order offers only what it holds.
 */
export type PayloadGenerator = (order: Order, actor: Actor) => CheckerCommand[];

/** The shopper who owns the checker's orders. */
export const CHECKER_CUSTOMER_ID = 'u1';

/**
 * One actor of every kind, plus a second shopper who does not own the order (nothing may cross
 * from one shopper to another).
 */
export const CHECKER_ACTORS: readonly Actor[] = Object.freeze([
  { type: 'customer', id: CHECKER_CUSTOMER_ID },
  { type: 'customer', id: 'u2' },
  { type: 'merchant', id: 'staff-1' },
  { type: 'system' },
  { type: 'payment', gateway: 'wechatpay' },
] satisfies Actor[]);

const only = (type: string) => (): CheckerCommand[] => [{ type }];

const openAfterSales = (order: Order) => order.afterSales.filter((a) => a.status !== 'rejected' && a.status !== 'cancelled' && a.status !== 'refunded');

function perAfterSale(type: string, extra: Record<string, unknown> = {}): PayloadGenerator {
  return (order) => openAfterSales(order).map((a) => ({ type, afterSaleId: a.id, ...extra }));
}

function perRefund(type: string, extra: Record<string, unknown> = {}): PayloadGenerator {
  return (order) => order.refunds.map((r) => ({ type, refundId: r.id, ...extra }));
}

function unshipped(order: Order): Array<{ lineId: string; left: number }> {
  const shipped = new Map<string, number>();
  for (const s of order.shipments) for (const item of s.items) shipped.set(item.lineId, (shipped.get(item.lineId) ?? 0) + item.quantity);
  return order.lines.map((l) => ({ lineId: l.id, left: l.quantity - (shipped.get(l.id) ?? 0) })).filter((x) => x.left > 0);
}

/**
 * Payloads of the built-in commands over a small domain: pay the open attempt (and, once the
 * order is closed unpaid, a late payment), one stray payment, everything or one unit shipped,
 * after-sales for the whole order or one unit of the first line (both kinds), every command on
 * every open after-sale and every refund, a price cut by ¥1.00 and to zero, one address change
 * and one merchant note (once each, so that they cannot grow the state space without end).
 */
export const DEFAULT_PAYLOADS: Readonly<Record<string, PayloadGenerator>> = Object.freeze({
  PAYMENT_SUCCEEDED: (order: Order) => {
    const out: CheckerCommand[] = [];
    const open = order.payment.attempts.find((a) => a.status === 'open');
    if (open) out.push({ type: 'PAYMENT_SUCCEEDED', amount: open.amount, transactionId: 'tx-1', outTradeNo: open.outTradeNo });
    const last = order.payment.attempts[order.payment.attempts.length - 1];
    if (order.status === 'closed' && order.payment.paidAmount === 0 && last) {
      out.push({ type: 'PAYMENT_SUCCEEDED', amount: last.amount, transactionId: 'tx-late', outTradeNo: last.outTradeNo });
    }
    return out;
  },
  RECORD_STRAY_PAYMENT: (order: Order) => [{ type: 'RECORD_STRAY_PAYMENT', amount: 100, transactionId: 'tx-stray', outTradeNo: order.number }],
  CANCEL: only('CANCEL'),
  EXPIRE: only('EXPIRE'),
  SHIP: (order: Order) => {
    const left = unshipped(order);
    const out: CheckerCommand[] = [{ type: 'SHIP', logisticsType: 'express' }];
    const units = left.reduce((s, x) => s + x.left, 0);
    if (units > 1) out.push({ type: 'SHIP', logisticsType: 'express', items: [{ lineId: left[0]!.lineId, quantity: 1 }] });
    return out;
  },
  DELIVER: only('DELIVER'),
  CONFIRM_RECEIPT: only('CONFIRM_RECEIPT'),
  AUTO_CONFIRM: only('AUTO_CONFIRM'),
  REQUEST_AFTER_SALE: (order: Order) => {
    const first = order.lines[0]!.id;
    const out: CheckerCommand[] = [];
    for (const kind of ['refund_only', 'return_and_refund']) {
      out.push({ type: 'REQUEST_AFTER_SALE', kind, reason: 'r' });
      if (order.lines.length > 1 || order.lines[0]!.quantity > 1) out.push({ type: 'REQUEST_AFTER_SALE', kind, items: [{ lineId: first, quantity: 1 }], reason: 'r' });
    }
    return out;
  },
  APPROVE_AFTER_SALE: perAfterSale('APPROVE_AFTER_SALE'),
  REJECT_AFTER_SALE: perAfterSale('REJECT_AFTER_SALE', { reason: 'no' }),
  CANCEL_AFTER_SALE: perAfterSale('CANCEL_AFTER_SALE'),
  RETURN_SHIPPED: perAfterSale('RETURN_SHIPPED', { trackingNo: 'YT1', expressCompany: 'YTO' }),
  RETURN_RECEIVED: perAfterSale('RETURN_RECEIVED'),
  REFUND_SUCCEEDED: perRefund('REFUND_SUCCEEDED'),
  REFUND_FAILED: perRefund('REFUND_FAILED', { reason: 'NOTENOUGH' }),
  RETRY_REFUND: perRefund('RETRY_REFUND'),
  ADJUST_PRICE: (order: Order) => {
    const total = order.pricing.total;
    const out: CheckerCommand[] = [];
    if (total > 100) out.push({ type: 'ADJUST_PRICE', newTotal: total - 100, reason: 'cut' });
    if (total > 0) out.push({ type: 'ADJUST_PRICE', newTotal: 0, reason: 'free' });
    return out;
  },
  CHANGE_ADDRESS: (order: Order) =>
    order.address !== undefined && order.address.detail !== '2 号'
      ? [{ type: 'CHANGE_ADDRESS', address: { ...order.address, detail: '2 号' } }]
      : [],
  ADD_REMARK: (order: Order) => (order.merchantNotes.length === 0 ? [{ type: 'ADD_REMARK', text: 'n' }] : []),
  // Delivery modes (docs/delivery.md): offered only on local and pickup orders ('local-delivery', 'pickup').
  DISPATCH_RIDER: () => [{ type: 'DISPATCH_RIDER', rider: { name: 'r', phone: '13900000000' } }],
  RECORD_DELIVERY_PROOF: () => [{ type: 'RECORD_DELIVERY_PROOF', photoUrl: 'p' }],
  VERIFY_PICKUP_CODE: () => [
    { type: 'VERIFY_PICKUP_CODE', code: CHECKER_PICKUP_CODE },
    { type: 'VERIFY_PICKUP_CODE', code: '000000' },
  ],
});

/**
 * Payloads of the after-sales depth commands (docs/after-sales.md): all the freight back, one unit
 * of the first line exchanged, an offer of ¥1.00 less than asked (or 1 fen), both answers, a ¥1.00
 * return shipping fee each way, the replacement parcel. Kept apart from `DEFAULT_PAYLOADS` so the
 * default exploration stays the size it was; pass them as `checkLifecycle({ payloads })`.
 *
 * @example
 * checkLifecycle({ lifecycle, depth: 5, payloads: AFTER_SALE_DEPTH_PAYLOADS })
 */
export const AFTER_SALE_DEPTH_PAYLOADS: Readonly<Record<string, PayloadGenerator>> = Object.freeze({
  REQUEST_FREIGHT_REFUND: () => [{ type: 'REQUEST_FREIGHT_REFUND', reason: 'r' }],
  REQUEST_EXCHANGE: (order: Order) => [{ type: 'REQUEST_EXCHANGE', items: [{ lineId: order.lines[0]!.id, quantity: 1 }], reason: 'r' }],
  PROPOSE_REFUND: (order: Order) => openAfterSales(order).map((a) => ({ type: 'PROPOSE_REFUND', afterSaleId: a.id, amount: a.amount > 100 ? a.amount - 100 : 1 })),
  ACCEPT_REFUND_PROPOSAL: perAfterSale('ACCEPT_REFUND_PROPOSAL'),
  DECLINE_REFUND_PROPOSAL: perAfterSale('DECLINE_REFUND_PROPOSAL'),
  SET_RETURN_SHIPPING_FEE: (order: Order) =>
    openAfterSales(order).flatMap((a) => [
      { type: 'SET_RETURN_SHIPPING_FEE', afterSaleId: a.id, fee: 100, treatment: 'refund' },
      { type: 'SET_RETURN_SHIPPING_FEE', afterSaleId: a.id, fee: 100, treatment: 'deduct' },
    ]),
  SHIP_EXCHANGE: perAfterSale('SHIP_EXCHANGE', { trackingNo: 'SF2', expressCompany: 'SF' }),
});

function line(id: string, quantity: number, unit: number, fulfillment: Line['fulfillment'] = 'physical'): Line {
  return { id, sku: `SKU-${id}`, title: `Item ${id}`, fulfillment, listPrice: unit, unitPrice: unit, quantity, subtotal: unit * quantity, allocations: [], payable: unit * quantity };
}

function quoteOf(lines: Line[], freight: number): Quote {
  const items = lines.reduce((s, l) => s + l.payable, 0);
  return { lines, adjustments: [], itemsTotal: items, discountTotal: 0, freight, pointsUsed: 0, pointsDeduction: 0, total: items + freight, savings: 0, couponIds: [], rejectedCoupons: [] };
}

/** The starting points by name (`checkLifecycle({ placements: ['two-units'] })`). */
export const CHECKER_PLACEMENTS = ['two-units', 'two-lines', 'virtual'] as const;
/**
 * Starting points of the delivery modes (docs/delivery.md), not explored by default: 'local-delivery'
 * is 'two-lines' delivered locally (¥3.00 fee), 'pickup' is 'two-units' collected at a store.
 *
 * @example
 * checkLifecycle({ lifecycle, depth: 5, initial: DELIVERY_PLACEMENTS })
 */
export const DELIVERY_PLACEMENTS = ['local-delivery', 'pickup'] as const;
export type CheckerPlacement = (typeof CHECKER_PLACEMENTS)[number] | (typeof DELIVERY_PLACEMENTS)[number];
/** The pickup code of the 'pickup' placement. */
export const CHECKER_PICKUP_CODE = '123456';

/**
 * A placed order of the domain: 'two-units' is one line of 2 × ¥10.00 (the shape of the stuck
 * after-sale in docs/after-sales.md), 'two-lines' is ¥10.00 + ¥5.00 with ¥3.00 freight, 'virtual'
 * one virtual item of ¥10.00 (shipped at payment).
 *
 * @example
 * checkerPlacement('two-units', new Date('2026-11-25T04:00:00Z')).pricing.total // 2000
 */
export function checkerPlacement(name: CheckerPlacement, now: Date, policy?: Policy): Order {
  const shape = name === 'local-delivery' ? 'two-lines' : name === 'pickup' ? 'two-units' : name;
  const lines = shape === 'two-units' ? [line('a', 2, 1000)] : shape === 'two-lines' ? [line('a', 1, 1000), line('b', 1, 500)] : [line('v', 1, 1000, 'virtual')];
  const freight = shape === 'two-lines' ? 300 : 0;
  const quote = quoteOf(lines, freight);
  if (name === 'local-delivery') {
    const start = new Date(now.getTime() + 2 * 3_600_000).toISOString();
    quote.delivery = { mode: 'local', distance: 1000, fee: freight, slot: { start, end: new Date(Date.parse(start) + 3_600_000).toISOString() } };
  }
  if (name === 'pickup') quote.delivery = { mode: 'pickup', store: { id: 's1', name: 'Store 1' } };
  const index = (CHECKER_PLACEMENTS as readonly string[]).indexOf(name) + 1 || CHECKER_PLACEMENTS.length + (DELIVERY_PLACEMENTS as readonly string[]).indexOf(name) + 1;
  const placed = placeOrder(
    {
      id: `chk-${name}`,
      number: `CHK${index}`,
      customerId: CHECKER_CUSTOMER_ID,
      quote,
      ...(name === 'pickup' ? { pickupCode: CHECKER_PICKUP_CODE } : {}),
      ...(name === 'virtual'
        ? { fulfillment: 'virtual' as const }
        : { address: { name: '张三', phone: '13800000000', province: '上海市', city: '上海市', detail: '1 号' } }),
    },
    { now, ...(policy ? { policy } : {}) },
  );
  if (!placed.ok) throw placed.error;
  return placed.order;
}
