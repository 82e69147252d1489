import { orderkitError, OrderkitError, type IssuePath } from '../errors/orderkit-error.js';
import { formatFen } from '../money/format.js';
import { shopTime } from '../order/shop-time.js';
import { ORDER_STATUS_LABELS } from '../order/status.js';
import { editErrors } from './edit-errors.js';

/**
 * The lifecycle's errors. Codes are stable (callers switch on them); messages say what happened
 * and what to do, in zh-CN and en.
 */

/** Statuses in which goods have left: the address can no longer change. */
const SHIPPED_STATUSES: readonly string[] = ['partially_shipped', 'shipped', 'delivered', 'completed'];

function statusText(status: string): { zh: string; en: string } {
  const label = (ORDER_STATUS_LABELS as Record<string, { 'zh-CN': string; en: string } | undefined>)[status];
  return label ? { zh: label['zh-CN'], en: label.en.toLowerCase() } : { zh: status, en: status };
}

/**
 * @example
 * return lifecycleErrors.invalidTransition(step.order.status, step.command.type);
 */
export const lifecycleErrors = {
  invalidTransition(status: string, type: string): OrderkitError {
    // The chart offers CHANGE_ADDRESS only before anything ships; afterwards say why, not just "not now".
    if (type === 'CHANGE_ADDRESS' && SHIPPED_STATUSES.indexOf(status) >= 0) return editErrors.addressLocked(status);
    const s = statusText(status);
    return orderkitError(
      'INVALID_TRANSITION',
      { 'zh-CN': `订单状态为「${s.zh}」，不能执行 ${type}`, en: `${type} is not possible while the order is ${s.en}` },
      { path: ['type'], details: { status, command: type } },
    );
  },
  forbidden(actorType: string, type: string, allowed: readonly string[]): OrderkitError {
    return orderkitError(
      'FORBIDDEN',
      { 'zh-CN': `${actorType} 无权执行 ${type}（允许：${allowed.join('、')}）`, en: `${actorType} may not send ${type} (allowed: ${allowed.join(', ')})` },
      { path: [], details: { actor: actorType, command: type, allowed: [...allowed] } },
    );
  },
  notOwner(type: string): OrderkitError {
    return orderkitError(
      'FORBIDDEN',
      { 'zh-CN': `只能操作自己的订单（${type}）`, en: `a customer may only act on their own order (${type})` },
      { path: [], details: { command: type, reason: 'not_owner' } },
    );
  },
  wrongActorForRoute(type: string, actorType: string): OrderkitError {
    return orderkitError(
      'FORBIDDEN',
      { 'zh-CN': `${actorType} 在当前状态下不能执行 ${type}`, en: `${actorType} may not send ${type} in this status` },
      { path: [], details: { command: type, actor: actorType } },
    );
  },
  amountMismatch(expected: number, got: number): OrderkitError {
    return orderkitError(
      'AMOUNT_MISMATCH',
      {
        'zh-CN': `支付金额 ${formatFen(got)} 与应付金额 ${formatFen(expected)} 不一致，订单未变更`,
        en: `the payment of ${formatFen(got)} does not match the ${formatFen(expected)} due; the order is unchanged`,
      },
      { path: ['amount'], details: { expected, got } },
    );
  },
  unknownAttempt(outTradeNo: string): OrderkitError {
    return orderkitError(
      'UNKNOWN_PAYMENT_ATTEMPT',
      { 'zh-CN': `订单没有商户单号为 ${outTradeNo} 的支付`, en: `the order has no payment attempt ${outTradeNo}` },
      { path: ['outTradeNo'], details: { outTradeNo } },
    );
  },
  attemptClosed(outTradeNo: string): OrderkitError {
    return orderkitError(
      'PAYMENT_ATTEMPT_CLOSED',
      { 'zh-CN': `支付单 ${outTradeNo} 已关闭，不能再用于支付本订单`, en: `payment attempt ${outTradeNo} is closed and cannot pay this order` },
      { path: ['outTradeNo'], details: { outTradeNo } },
    );
  },
  alreadyPaid(transactionId: string | undefined): OrderkitError {
    return orderkitError(
      'ALREADY_PAID',
      {
        'zh-CN': `订单已由交易 ${transactionId ?? '（未知）'} 支付，这是另一笔支付；请核对后原路退款`,
        en: `the order was already paid by transaction ${transactionId ?? '(unknown)'}; this is a different payment, refund it`,
      },
      { path: ['transactionId'], details: { paidBy: transactionId } },
    );
  },
  /** `deadline` is an ISO time (kept as is in `details`); the messages say it in the shop's `timeZone`. */
  deadlineNotReached(which: 'payBy' | 'autoConfirmAt', deadline: string | undefined, timeZone: string): OrderkitError {
    const zh = which === 'payBy' ? '支付截止时间' : '自动确认收货时间';
    const en = which === 'payBy' ? 'pay-by deadline' : 'auto-confirm time';
    const at = deadline ? shopTime(deadline, timeZone) : '';
    return orderkitError(
      'DEADLINE_NOT_REACHED',
      {
        'zh-CN': deadline ? `尚未到${zh}（${at}）` : `订单没有${zh}`,
        en: deadline ? `the ${en} (${at}, ${timeZone}) has not been reached` : `the order has no ${en}`,
      },
      { path: [], details: { deadline: which, at: deadline } },
    );
  },
  unknownLine(lineId: string, path: IssuePath): OrderkitError {
    return orderkitError(
      'UNKNOWN_LINE',
      { 'zh-CN': `订单中没有商品行 ${lineId}`, en: `the order has no line ${lineId}` },
      { path, details: { lineId } },
    );
  },
  shipQuantityExceeded(lineId: string, requested: number, left: number, path: IssuePath): OrderkitError {
    return orderkitError(
      'SHIP_QUANTITY_EXCEEDED',
      {
        'zh-CN': `商品行 ${lineId} 还可发货 ${left} 件，本次发货 ${requested} 件`,
        en: `line ${lineId} has ${left} unit(s) left to ship, ${requested} requested`,
      },
      { path, details: { lineId, requested, left } },
    );
  },
  nothingToShip(): OrderkitError {
    return orderkitError('NOTHING_TO_SHIP', { 'zh-CN': '没有待发货的商品', en: 'there is nothing left to ship' }, { path: ['items'] });
  },
  duplicateShipment(id: string): OrderkitError {
    return orderkitError(
      'DUPLICATE_SHIPMENT',
      { 'zh-CN': `发货单 ${id} 已存在`, en: `shipment ${id} already exists` },
      { path: ['shipmentId'], details: { shipmentId: id } },
    );
  },
  unknownShipment(id: string): OrderkitError {
    return orderkitError(
      'UNKNOWN_SHIPMENT',
      { 'zh-CN': `订单中没有发货单 ${id}`, en: `the order has no shipment ${id}` },
      { path: ['shipmentId'], details: { shipmentId: id } },
    );
  },
  alreadyDelivered(id: string | undefined): OrderkitError {
    return orderkitError(
      'ALREADY_DELIVERED',
      { 'zh-CN': id ? `发货单 ${id} 已签收` : '所有包裹均已签收', en: id ? `shipment ${id} is already delivered` : 'every parcel is already delivered' },
      { path: ['shipmentId'], details: id ? { shipmentId: id } : {} },
    );
  },
  notImplemented(type: string): OrderkitError {
    return orderkitError(
      'NOT_IMPLEMENTED',
      { 'zh-CN': `${type} 尚未实现`, en: `${type} is not implemented yet` },
      { path: ['type'], details: { command: type } },
    );
  },
  guardRejected(guard: string, type: string): OrderkitError {
    return orderkitError(
      'GUARD_REJECTED',
      { 'zh-CN': `条件 ${guard} 不满足，不能执行 ${type}`, en: `${type} is refused by the guard ${guard}` },
      { path: [], details: { guard, command: type } },
    );
  },
  invalidLifecycle(problem: string, details: Record<string, unknown>): OrderkitError {
    return orderkitError(
      'INVALID_LIFECYCLE',
      { 'zh-CN': `状态机定义有误：${problem}`, en: `invalid lifecycle chart: ${problem}` },
      { path: [], details },
    );
  },
};

/**
 * A guard's "this branch is not the one" answer: the compiled table tries the next candidate. It
 * is never shown to a caller (when no branch matches they get the most specific real error, or
 * INVALID_TRANSITION), so one shared instance saves an allocation on the hot path.
 *
 * @example
 * defineGuard((step) => (step.order.fulfillment === 'virtual' ? undefined : NO_MATCH))
 */
export const NO_MATCH: OrderkitError = new OrderkitError({
  code: 'NO_MATCHING_BRANCH',
  message: { 'zh-CN': '不适用此分支', en: 'this branch does not apply' },
});
