import fc from 'fast-check';
import { placeOrder, transition } from '../../src/lifecycle/index.js';
import type { Policy } from '../../src/order/policy.js';
import type { Actor, Command, Line, Order } from '../../src/order/index.js';
import {
  approveAfterSale,
  cancelAfterSale,
  isFullyRefunded,
  refundFailed,
  refundSucceeded,
  rejectAfterSale,
  requestAfterSale,
  returnReceived,
  returnShipped,
  unshippableQuantities,
  requestFreightRefund,
  requestExchange,
  proposeRefund,
  acceptRefundProposal,
  declineRefundProposal,
  setReturnShippingFee,
  shipExchange,
  type AfterSaleStepResult,
} from '../../src/refund/index.js';
import { buildLine, completed, paidOrder, shipped, spreadDiscount, PAID_AT } from './fixtures.js';

/**
 * Two ways to drive an order through after-sales, so that every property runs against the
 * reducers alone and against the lifecycle's `transition()` that delegates to them.
 */
export interface Driver {
  name: string;
  start(lines: Line[], freight: number, policy: Policy): Order;
  run(order: Order, command: Command, actor: Actor, now: Date, policy: Policy): { ok: true; order: Order } | { ok: false; code: string };
}

type Reducer = (order: Order, command: never, ctx: { now: Date; actor: Actor; policy: Policy }) => AfterSaleStepResult;
const REDUCERS: Record<string, Reducer> = {
  REQUEST_AFTER_SALE: requestAfterSale as Reducer,
  APPROVE_AFTER_SALE: approveAfterSale as Reducer,
  REJECT_AFTER_SALE: rejectAfterSale as Reducer,
  CANCEL_AFTER_SALE: cancelAfterSale as Reducer,
  RETURN_SHIPPED: returnShipped as Reducer,
  RETURN_RECEIVED: returnReceived as Reducer,
  REFUND_SUCCEEDED: refundSucceeded as Reducer,
  REFUND_FAILED: refundFailed as Reducer,
  REQUEST_FREIGHT_REFUND: requestFreightRefund as Reducer,
  REQUEST_EXCHANGE: requestExchange as Reducer,
  PROPOSE_REFUND: proposeRefund as Reducer,
  ACCEPT_REFUND_PROPOSAL: acceptRefundProposal as Reducer,
  DECLINE_REFUND_PROPOSAL: declineRefundProposal as Reducer,
  SET_RETURN_SHIPPING_FEE: setReturnShippingFee as Reducer,
  SHIP_EXCHANGE: shipExchange as Reducer,
};

/** Units of each line that may still be put in a parcel. */
export function shippable(order: Order): Map<string, number> {
  const left = new Map(order.lines.map((l) => [l.id, l.quantity] as const));
  for (const s of order.shipments) for (const i of s.items) left.set(i.lineId, left.get(i.lineId)! - i.quantity);
  for (const [id, n] of unshippableQuantities(order)) left.set(id, left.get(id)! - n);
  return left;
}

/** The reducers, with the lifecycle's part (status on a full refund, version, shipping) done by hand. */
export const direct: Driver = {
  name: 'reducers',
  start(lines, freight) {
    return paidOrder({ lines, freight });
  },
  run(order, command, actor, now, policy) {
    // As the lifecycle's chart: on a closed order, refund results come in and open requests can still be ended.
    const onClosed = ['REFUND_SUCCEEDED', 'REFUND_FAILED', 'APPROVE_AFTER_SALE', 'CANCEL_AFTER_SALE', 'REJECT_AFTER_SALE'];
    if (order.status === 'closed' && !onClosed.includes(command.type)) return { ok: false, code: 'INVALID_TRANSITION' };
    if (command.type === 'SHIP') {
      const left = shippable(order);
      const items = command.items ?? Array.from(left, ([lineId, quantity]) => ({ lineId, quantity })).filter((i) => i.quantity > 0);
      if (items.length === 0 || items.some((i) => i.quantity > (left.get(i.lineId) ?? 0))) return { ok: false, code: 'NOTHING_TO_SHIP' };
      return { ok: true, order: { ...shipped(order, items, now.toISOString()), version: order.version + 1 } };
    }
    if (command.type === 'CONFIRM_RECEIPT') {
      if (order.status !== 'shipped') return { ok: false, code: 'INVALID_TRANSITION' };
      return { ok: true, order: { ...completed(order, now.toISOString()), version: order.version + 1 } };
    }
    const reducer = REDUCERS[command.type];
    if (!reducer) return { ok: false, code: 'UNSUPPORTED' };
    const r = reducer(order, command as never, { now, actor, policy });
    if (!r.ok) return { ok: false, code: r.error.code };
    if (r.order === order) return { ok: true, order }; // a repeated result: nothing to commit
    let next: Order = { ...r.order, version: order.version + 1 };
    if (command.type === 'REFUND_SUCCEEDED' && isFullyRefunded(next) && next.status !== 'closed') next = { ...next, status: 'closed', closeReason: 'fully_refunded' };
    return { ok: true, order: next };
  },
};

/** The lifecycle's `transition()`: placeOrder with a hand-written quote, then a real payment. */
export const viaTransition: Driver = {
  name: 'transition',
  start(lines, freight, policy) {
    const itemsTotal = lines.reduce((s, l) => s + l.listPrice * l.quantity, 0);
    const payable = lines.reduce((s, l) => s + l.payable, 0);
    const quote = {
      lines,
      adjustments: [],
      itemsTotal,
      discountTotal: itemsTotal - payable,
      freight,
      pointsUsed: 0,
      pointsDeduction: 0,
      total: payable + freight,
      savings: 0,
      couponIds: [],
      rejectedCoupons: [],
    };
    const placedAt = new Date(new Date(PAID_AT).getTime() - 60_000);
    const placed = placeOrder({ id: 'o1', number: '20261125120000123456', customerId: 'u1', quote }, { now: placedAt, policy });
    if (!placed.ok) throw placed.error;
    if (placed.order.status !== 'pending_payment') return placed.order;
    const paid = transition(placed.order, { type: 'PAYMENT_SUCCEEDED', amount: quote.total, transactionId: '4200000000000001' }, { now: new Date(PAID_AT), actor: { type: 'payment', gateway: 'wechatpay' }, policy });
    if (!paid.ok) throw paid.error;
    return paid.order;
  },
  run(order, command, actor, now, policy) {
    const r = transition(order, command, { now, actor, policy });
    return r.ok ? { ok: true, order: r.order } : { ok: false, code: r.error.code };
  },
};

/** Random order lines with order-level discounts (满减, a coupon) spread over them as pricing stores them. */
export const arbLines: fc.Arbitrary<Line[]> = fc
  .record({
    drafts: fc.array(fc.record({ listPrice: fc.integer({ min: 0, max: 20_000 }), quantity: fc.integer({ min: 1, max: 6 }) }), { minLength: 1, maxLength: 4 }),
    fullReduction: fc.integer({ min: 0, max: 1000 }),
    coupon: fc.integer({ min: 0, max: 1000 }),
  })
  .map(({ drafts, fullReduction, coupon }) => {
    let lines = drafts.map((d, i) => buildLine({ id: `L${i + 1}`, sku: `SKU-${(i * 7) % 5}-${i}`, title: `Item ${i + 1}`, listPrice: d.listPrice, quantity: d.quantity }));
    const goods = () => lines.reduce((s, l) => s + l.payable, 0);
    const fr = Math.floor((goods() * fullReduction) / 10_000);
    if (fr > 0) lines = spreadDiscount(lines, 'full_reduction', 'FR', fr);
    const cp = Math.floor((goods() * coupon) / 10_000);
    if (cp > 0) lines = spreadDiscount(lines, 'coupon', 'CP', cp);
    return lines;
  });
