import { type CloseReason, type EffectDraft, type Order, type Refund } from '../../order/index.js';
import { stockStillHeld } from '../../refund/holdings.js';
import { openRefund, refundableBalance } from '../../refund/ledger.js';
import { supersedeOpenAfterSales } from '../../refund/supersede.js';
import { isDue } from '../deadlines.js';
import { lifecycleErrors, NO_MATCH } from '../errors.js';
import { defineGuard, note, type Draft, type LifecycleParams, type Step } from '../step.js';

/**
 * Ending an order without goods: cancel, payment timeout, merchant cancel with a full refund, and
 * the refund of a payment that arrived after the order was closed.
 */

export const sentByCustomer = defineGuard(
  (step) => (step.ctx.actor.type === 'customer' ? undefined : NO_MATCH),
  (probe) => probe.actor.type === 'customer',
);

export const sentByMerchant = defineGuard(
  (step) => (step.ctx.actor.type === 'merchant' ? undefined : NO_MATCH),
  (probe) => probe.actor.type === 'merchant',
);

/** The close reason of a paid order whose stock ran out at payment (付款减库存, docs/inventory.md). */
export const OUT_OF_STOCK = 'out_of_stock';

/**
 * A shop's CANCEL with reason `out_of_stock`: the stock ran out for a paid order (the service sends
 * it when a payment finds none under 付款减库存; staff may send it too). Closes as `out_of_stock`.
 */
export const stockRanOut = defineGuard(
  (step) =>
    step.ctx.actor.type === 'merchant' && (step.command as { reason?: unknown }).reason === OUT_OF_STOCK && paidOrVirtual(step.order) ? undefined : NO_MATCH,
  (probe) => probe.actor.type === 'merchant' && paidOrVirtual(probe.order),
);

/** Paid and not shipped, or virtual goods (they are `shipped` as soon as they are paid). */
function paidOrVirtual(order: Pick<Order, 'status' | 'fulfillment'>): boolean {
  return order.status === 'paid' || order.fulfillment === 'virtual';
}

/** EXPIRE is valid only once `deadlines.payBy` has passed. */
export const payDeadlinePassed = defineGuard(
  (step) => (isDue(step.order.deadlines.payBy, step.ctx.now) ? undefined : lifecycleErrors.deadlineNotReached('payBy', step.order.deadlines.payBy, step.ctx.policy.timeZone)),
  (probe) => isDue(probe.order.deadlines.payBy, new Date(probe.nowMs)),
);

/** `params.reason`: the close reason. */
export function close(draft: Draft, step: Step, params: LifecycleParams): void {
  const reason = params?.['reason'] as CloseReason;
  draft.order.closeReason = reason;
  draft.order.closedAt = step.ctx.at;
  note(draft, 'closeReason', reason);
  const text = (step.command as { reason?: unknown }).reason;
  if (typeof text === 'string') note(draft, 'reason', text);
}

/**
 * `inventory.release` for everything the order still holds (`stockStillHeld`: not shipped, and not
 * already given back by a refund-only after-sale). `params.reason` names why (default the close reason).
 */
export function releaseInventory(draft: Draft, step: Step, params: LifecycleParams): void {
  const items = stockStillHeld(draft.order, step.ctx.policy);
  if (items.length === 0) return;
  const reason = (params?.['reason'] as string | undefined) ?? draft.order.closeReason ?? 'released';
  draft.effects.push({ type: 'inventory.release', items, reason });
}

/** `coupon.release` for the coupons the order used, when it used any. */
export function releaseCoupons(draft: Draft): void {
  const couponIds = draft.order.pricing.couponIds;
  if (couponIds.length > 0) draft.effects.push({ type: 'coupon.release', couponIds: couponIds.slice() });
}

/**
 * Refunds everything still refundable in one ledger entry and one `payment.refund` effect.
 * After-sales still open without a pending refund are closed first (`supersedeOpenAfterSales`,
 * docs/after-sales.md "Closing with after-sales open"), so none is left stuck and nothing is
 * committed twice. `params.reason`: the ledger reason ('merchant_cancel' or 'late_payment').
 */
export function refundInFull(draft: Draft, step: Step, params: LifecycleParams): void {
  const closed = supersedeOpenAfterSales(draft.order, step.ctx.now);
  if (closed.superseded.length > 0) {
    draft.order.afterSales = closed.order.afterSales;
    note(draft, 'supersededAfterSales', closed.superseded);
  }
  const amount = refundableBalance(draft.order);
  if (amount <= 0) return;
  const reason = (params?.['reason'] as Refund['reason'] | undefined) ?? 'merchant_cancel';
  const opened = openRefund(draft.order, { amount, reason, now: step.ctx.now });
  draft.order.refunds = opened.order.refunds;
  const refund = opened.refund;
  const effect: EffectDraft = { type: 'payment.refund', refundId: refund.id, outTradeNo: refund.outTradeNo ?? draft.order.number, amount, total: draft.order.payment.paidAmount, reason };
  if (refund.transactionId !== undefined) effect.transactionId = refund.transactionId;
  draft.effects.push(effect);
  note(draft, 'refundId', refund.id);
  note(draft, 'refundAmount', amount);
}

/**
 * A subscribe-message instruction. `params.to` ('customer' | 'merchant'), `params.template` (a
 * template key of the shop's), `params.include`: which facts of the order go into `data` besides
 * the order number and total ('payment', 'shipment': the latest parcel, 'refund': a refund opened
 * by this command). Read from the order, so the message says the same whoever runs the chart.
 */
export function notify(draft: Draft, step: Step, params: LifecycleParams): void {
  const to = (params?.['to'] as 'customer' | 'merchant' | undefined) ?? 'customer';
  const template = (params?.['template'] as string | undefined) ?? 'order_updated';
  const include = (params?.['include'] as readonly string[] | undefined) ?? [];
  const order = draft.order;
  const data: Record<string, unknown> = { orderNumber: order.number, total: order.pricing.total };
  if (include.indexOf('payment') >= 0) {
    data['amount'] = order.payment.paidAmount;
    if (order.payment.transactionId !== undefined) data['transactionId'] = order.payment.transactionId;
  }
  if (include.indexOf('shipment') >= 0 && order.shipments.length > 0) {
    const s = order.shipments[order.shipments.length - 1]!;
    data['shipmentId'] = s.id;
    data['logisticsType'] = s.logisticsType;
    if (s.trackingNo !== undefined) data['trackingNo'] = s.trackingNo;
    if (s.expressCompany !== undefined) data['expressCompany'] = s.expressCompany;
  }
  if (include.indexOf('refund') >= 0 && order.refunds.length > 0) {
    const r = order.refunds[order.refunds.length - 1]!;
    if (r.createdAt === step.ctx.at) {
      data['refundId'] = r.id;
      data['refundAmount'] = r.amount;
    }
  }
  const reason = (step.command as { reason?: unknown }).reason;
  if (typeof reason === 'string') data['reason'] = reason;
  draft.effects.push({ type: 'notify', to, template, data });
}
