import type { AfterSale, CommandOf, Order } from '../order/index.js';
import { refundErrors } from './errors.js';
import { finish, runAfterSale, type StepOutcome } from './engine.js';
import { actsForRequester } from './request.js';
import type { AfterSaleContext, AfterSaleStepResult } from './types.js';
import { isRequesterOnly, type AfterSaleCommandType } from './after-sale-states.js';
import { fail } from '../errors/result.js';

/**
 * The after-sale with this id, if any.
 *
 * @example
 * findAfterSale(order, 'NO123-AS1')?.status
 */
export function findAfterSale(order: Order, id: string): AfterSale | undefined {
  for (const a of order.afterSales) if (a.id === id) return a;
  return undefined;
}

/** Loads the after-sale a command names and runs the command on it. */
export function onAfterSale(
  order: Order,
  afterSaleId: string,
  on: AfterSaleCommandType,
  ctx: AfterSaleContext,
  options?: { extra?: Partial<AfterSale> },
): AfterSaleStepResult {
  const afterSale = findAfterSale(order, afterSaleId);
  if (!afterSale) return fail(refundErrors.unknownAfterSale(afterSaleId));
  if (isRequesterOnly(on) && !actsForRequester(order, afterSale, ctx.actor)) return fail(refundErrors.notRequester(afterSaleId));
  const moved: StepOutcome = runAfterSale({ order, afterSale, effects: [], path: [afterSale.status] }, on, ctx, options?.extra);
  return moved.ok ? finish(moved.step) : moved;
}

/**
 * APPROVE_AFTER_SALE (merchant). A request is approved only if its amount still fits beside the
 * refunds and other approvals (`REFUND_EXCEEDS_PAID` otherwise); refund-only goes straight to
 * refunding, a return waits for the parcel. On an after-sale whose refund failed, approving again
 * retries the refund under the same refund id and amount.
 *
 * @example
 * approveAfterSale(order, { type: 'APPROVE_AFTER_SALE', afterSaleId: 'AS1' }, { now, actor: merchant, policy })
 */
export function approveAfterSale(order: Order, command: CommandOf<'APPROVE_AFTER_SALE'>, ctx: AfterSaleContext): AfterSaleStepResult {
  return onAfterSale(order, command.afterSaleId, 'APPROVE_AFTER_SALE', ctx);
}

/**
 * REJECT_AFTER_SALE (merchant): a request is turned down with a reason the shopper sees; its
 * units become requestable again.
 *
 * @example
 * rejectAfterSale(order, { type: 'REJECT_AFTER_SALE', afterSaleId: 'AS1', reason: '商品已使用' }, afterSaleCtx)
 */
export function rejectAfterSale(order: Order, command: CommandOf<'REJECT_AFTER_SALE'>, ctx: AfterSaleContext): AfterSaleStepResult {
  return onAfterSale(order, command.afterSaleId, 'REJECT_AFTER_SALE', ctx, { extra: { rejectReason: command.reason } });
}

/**
 * CANCEL_AFTER_SALE: the shopper withdraws a request (only their own), or a return before the
 * parcel is sent. Its units and money are free again.
 *
 * @example
 * cancelAfterSale(order, { type: 'CANCEL_AFTER_SALE', afterSaleId: 'AS1' }, { now, actor: { type: 'customer', id: 'u1' }, policy })
 */
export function cancelAfterSale(order: Order, command: CommandOf<'CANCEL_AFTER_SALE'>, ctx: AfterSaleContext): AfterSaleStepResult {
  return onAfterSale(order, command.afterSaleId, 'CANCEL_AFTER_SALE', ctx);
}

/**
 * RETURN_SHIPPED (the requesting shopper): the tracking number of the return parcel, sent once.
 * The after-sale stays `awaiting_return` (with `returnShipment` set) until the merchant receives
 * it. Once sent, the request can no longer be withdrawn and the tracking number no longer changed
 * (the merchant may already be looking for that parcel); a wrong one is sorted out with the shop.
 *
 * @example
 * returnShipped(order, { type: 'RETURN_SHIPPED', afterSaleId: 'AS1', trackingNo: 'SF123', expressCompany: 'SF' }, afterSaleCtx)
 */
export function returnShipped(order: Order, command: CommandOf<'RETURN_SHIPPED'>, ctx: AfterSaleContext): AfterSaleStepResult {
  return onAfterSale(order, command.afterSaleId, 'RETURN_SHIPPED', ctx, {
    extra: { returnShipment: { trackingNo: command.trackingNo, expressCompany: command.expressCompany, shippedAt: ctx.now.toISOString() } },
  });
}

/**
 * RETURN_RECEIVED (merchant): the goods are back. The after-sale passes `returned` and starts its
 * refund: a ledger entry, `payment.refund`, and `inventory.release` when `policy.restockOnReturn`.
 *
 * @example
 * returnReceived(order, { type: 'RETURN_RECEIVED', afterSaleId: 'AS1' }, { now, actor: merchant, policy })
 */
export function returnReceived(order: Order, command: CommandOf<'RETURN_RECEIVED'>, ctx: AfterSaleContext): AfterSaleStepResult {
  return onAfterSale(order, command.afterSaleId, 'RETURN_RECEIVED', ctx);
}
