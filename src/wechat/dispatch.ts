import type { OrderkitError } from '../errors/orderkit-error.js';
import type { Actor, CommandOf } from '../order/index.js';
import type { OrderService, ServiceResult } from '../service/types.js';
import type { OrderStore } from '../storage/port.js';
import { isStrayPaymentRefusal } from '../lifecycle/rules/stray-payment.js';
import { AN_OBJECT, A_STRING, badArgument, isObject, reject, same } from './errors.js';
import { ok, fail, type Result, type Failure } from '../errors/result.js';

/**
 * From a verified notice to the order: which order, which actor, which idempotency key. The notice
 * (from `handlePaymentNotification`, `handleRefundNotification` or a cloudPay mapper) has been
 * verified already; these helpers only make sure every integration dispatches it the same way.
 */


export interface PaymentNoticeLike {
  command: CommandOf<'PAYMENT_SUCCEEDED'>;
  orderNumber: string;
  transactionId: string;
  attach?: string;
}

export interface RefundNoticeLike {
  command: CommandOf<'REFUND_SUCCEEDED'> | CommandOf<'REFUND_FAILED'>;
  refundId: string;
  orderNumber?: string;
  outTradeNo?: string;
}

/**
 * The order a payment belongs to without a store: `attach` when the prepay put the order id there
 * (orderkit's builders do), else the order number. `applyPaymentNotice` looks the number up in the
 * store instead (`resolveOrderId`).
 *
 * @example
 * const orderId = orderIdOfPayment(notice);
 */
export function orderIdOfPayment(notice: { attach?: string; orderNumber: string }): string {
  return notice.attach !== undefined && notice.attach !== '' ? notice.attach : notice.orderNumber;
}

/** A service to dispatch to: an object with `dispatch` (and a `store`, when it has one, with `findByNumber`). */
function isService(service: unknown): service is DispatchingService {
  return isObject(service) && typeof service.dispatch === 'function' && (service.store === undefined || isObject(service.store));
}

/** The options of applyPaymentNotice / applyRefundNotice. */
function optionsProblem(fn: string, options: unknown): Failure | undefined {
  if (!isObject(options)) return fail(badArgument(fn, 'options', AN_OBJECT));
  if (typeof options.gateway !== 'string') return fail(badArgument(fn, 'options.gateway', A_STRING));
  if (options.orderId !== undefined && typeof options.orderId !== 'string') return fail(badArgument(fn, 'options.orderId', A_STRING));
  return undefined;
}

/**
 * The order a refund belongs to: its order number (refund ids are `<number>R<n>`), or the number
 * before the `R` when the notice has no `out_trade_no`.
 */
export function orderIdOfRefund(notice: { orderNumber?: string; refundId: string }): string {
  if (!isObject(notice) || typeof notice.refundId !== 'string') throw badArgument('orderIdOfRefund', 'notice', { 'zh-CN': '带 refundId 的退款通知', en: 'a refund notice with a refundId' });
  if (notice.orderNumber !== undefined && typeof notice.orderNumber !== 'string') throw badArgument('orderIdOfRefund', 'notice.orderNumber', A_STRING);
  if (notice.orderNumber) return notice.orderNumber;
  const m = /^(.+)R\d+$/.exec(notice.refundId);
  return m ? m[1]! : notice.refundId;
}

/** What the apply functions need of a service: `dispatch`, and its store for the number lookup. */
export type DispatchingService = Pick<OrderService, 'dispatch'> & { readonly store?: Pick<OrderStore, 'findByNumber'> };

/**
 * The order id a notice belongs to. `options.orderId` wins; otherwise the order is looked up by the
 * number of its `out_trade_no` in the service's store (`findByNumber`), so services with generated
 * ids work, and an `attach` that names another order (or is not an order id at all) cannot move
 * the payment to the wrong order. A shop's own order number may itself end in `-<n>` (`WX-1-002`):
 * when the number before the suffix has no such attempt, the whole `out_trade_no` is tried as the
 * number. When no order has the number, `attach` (orderkit's prepay puts the order id there) is
 * used if given, else the answer is `UNKNOWN_ORDER` and nothing is dispatched. A service without a
 * store (a bare `{ dispatch }`) uses `attach`, else the number itself as the id, as before.
 *
 * @example
 * const id = await resolveOrderId(service, { orderNumber: n.orderNumber, attach: n.attach, outTradeNo: n.outTradeNo });
 */
export async function resolveOrderId(
  service: DispatchingService,
  notice: { attach?: string | undefined; orderNumber: string; outTradeNo?: string | undefined },
  orderId?: string,
): Promise<Result<{ orderId: string }>> {
  if (!isService(service)) return fail(badArgument('resolveOrderId', 'service', { 'zh-CN': '带 dispatch 方法的服务', en: 'a service with dispatch' }));
  if (!isObject(notice) || typeof notice.orderNumber !== 'string') return fail(badArgument('resolveOrderId', 'notice', { 'zh-CN': '带 orderNumber 的通知', en: 'a notice with an orderNumber' }));
  for (const key of ['attach', 'outTradeNo'] as const) if (notice[key] !== undefined && typeof notice[key] !== 'string') return fail(badArgument('resolveOrderId', `notice.${key}`, A_STRING));
  if (orderId !== undefined && typeof orderId !== 'string') return fail(badArgument('resolveOrderId', 'orderId', A_STRING));
  if (orderId !== undefined) return ok({ orderId });
  const attach = notice.attach !== undefined && notice.attach !== '' ? notice.attach : undefined;
  const store = service.store;
  if (store === undefined || typeof store.findByNumber !== 'function') return ok({ orderId: attach ?? notice.orderNumber });
  // With a store the out_trade_no decides: it is what WeChat Pay collected the money for, whereas
  // `attach` is free text. An `attach` naming another order must not move the payment there (that
  // order would keep it as a stray payment and refund it, while the order the shopper paid is
  // found paid later by the sweeper's query or the reconciliation: goods shipped, money returned).
  const order = await orderOfOutTradeNo(store, notice.orderNumber, notice.outTradeNo);
  if (order !== null) return ok({ orderId: order.id });
  if (attach !== undefined) return ok({ orderId: attach });
  return reject('UNKNOWN_ORDER', { path: ['out_trade_no'], detail: same(notice.orderNumber.slice(0, 32)), details: { orderNumber: notice.orderNumber } });
}

/** The order with this number, or, when it has no attempt `outTradeNo`, the order numbered `outTradeNo` itself if that one has. */
async function orderOfOutTradeNo(store: Pick<OrderStore, 'findByNumber'>, orderNumber: string, outTradeNo: string | undefined) {
  const order = await store.findByNumber(orderNumber);
  if (outTradeNo === undefined || outTradeNo === orderNumber) return order;
  const hasAttempt = (o: { payment: { attempts: ReadonlyArray<{ outTradeNo: string }> } }) => o.payment.attempts.some((a) => a.outTradeNo === outTradeNo);
  if (order !== null && hasAttempt(order)) return order;
  const whole = await store.findByNumber(outTradeNo);
  return whole !== null && hasAttempt(whole) ? whole : order;
}

/**
 * The stray-payment entry a dispatched payment became, if it became one: the order keeps the
 * transaction in `payment.stray` and was not paid by it. Covers both ways a payment turns stray:
 * the service recording a refused payment (`strayPayment`), and the lifecycle recording a payment
 * for a closed order by itself (no refusal, so no `strayPayment`).
 */
export function strayEntryOf(order: { payment: { transactionId?: string | undefined; stray: ReadonlyArray<{ transactionId: string; reason: string }> } }, transactionId: string): { reason: string } | undefined {
  if (order.payment.transactionId === transactionId) return undefined;
  return order.payment.stray.find((s) => s.transactionId === transactionId);
}

export type ApplyResult = (ServiceResult & { stray?: false }) | (Extract<ServiceResult, { ok: true }> & { stray: true; strayReason: string });

/**
 * Dispatches a verified payment as the `payment` actor, with the idempotency key
 * `pay:<transaction id>`, so each of WeChat's repeats changes the order at most once. When the
 * lifecycle refuses the payment for a money reason (amount mismatch, already paid by another
 * transaction, a superseded attempt), it records the payment with `RECORD_STRAY_PAYMENT` (which
 * refunds it in full) instead of dropping real money; if the lifecycle cannot do that either, the
 * first refusal is returned unchanged and the order is untouched.
 *
 * @example
 * const n = handlePaymentNotification(input);
 * const r = n.ok ? await applyPaymentNotice(service, n, { gateway: 'wechatpay' }) : n;
 * const reply = notificationResponse(r);
 */
export async function applyPaymentNotice(
  service: DispatchingService,
  notice: PaymentNoticeLike,
  options: { gateway: string; orderId?: string; recordStray?: boolean },
): Promise<ApplyResult> {
  if (!isService(service)) return fail(badArgument('applyPaymentNotice', 'service', { 'zh-CN': '带 dispatch 方法的服务', en: 'a service with dispatch' }));
  if (!isObject(notice) || !isObject(notice.command) || typeof notice.orderNumber !== 'string') {
    return fail(badArgument('applyPaymentNotice', 'notice', { 'zh-CN': '支付通知（handlePaymentNotification 的结果）', en: 'a payment notice (what handlePaymentNotification returns)' }));
  }
  const badOptions = optionsProblem('applyPaymentNotice', options);
  if (badOptions !== undefined) return badOptions;
  const resolved = await resolveOrderId(service, { attach: notice.attach, orderNumber: notice.orderNumber, outTradeNo: notice.command.outTradeNo }, options.orderId);
  if (!resolved.ok) return resolved;
  const orderId = resolved.orderId;
  const actor: Actor = { type: 'payment', gateway: options.gateway };
  const paid = await service.dispatch(orderId, notice.command, actor, { idempotencyKey: `pay:${notice.transactionId}` });
  // orderkit's service already turned a payment that cannot pay the order into a stray payment.
  if (paid.ok && paid.strayPayment !== undefined) return { ...paid, stray: true, strayReason: paid.strayPayment.code };
  if (paid.ok) {
    // A payment for a closed order is kept as stray by the lifecycle itself (no refusal to name).
    const entry = strayEntryOf(paid.order, notice.transactionId);
    return entry === undefined ? paid : { ...paid, stray: true, strayReason: entry.reason };
  }
  if (options.recordStray === false) return paid;
  const code = paid.error.code;
  // Which refusals mean real money that cannot pay the order: one list, the lifecycle's.
  if (!isStrayPaymentRefusal(code)) return paid;
  const stray = await service.dispatch(
    orderId,
    {
      type: 'RECORD_STRAY_PAYMENT',
      amount: notice.command.amount,
      transactionId: notice.transactionId,
      outTradeNo: notice.command.outTradeNo ?? notice.orderNumber,
      ...(notice.command.paidAt ? { paidAt: notice.command.paidAt } : {}),
      reason: code,
    },
    actor,
    { idempotencyKey: `stray:${notice.transactionId}` },
  );
  if (!stray.ok) return paid;
  return { ...stray, stray: true, strayReason: code };
}

/**
 * Dispatches a verified refund result (`REFUND_SUCCEEDED` / `REFUND_FAILED`) as the `payment` actor.
 * Repeats are no-ops in the refund ledger.
 * A refund id the order does not know comes back as the lifecycle's typed error (UNKNOWN_REFUND),
 * and the order is unchanged.
 *
 * @example
 * const n = handleRefundNotification(input);
 * const r = n.ok ? await applyRefundNotice(service, n, { gateway: 'wechatpay' }) : n;
 */
export async function applyRefundNotice(
  service: DispatchingService,
  notice: RefundNoticeLike,
  options: { gateway: string; orderId?: string },
): Promise<ServiceResult | Failure> {
  if (!isService(service)) return fail(badArgument('applyRefundNotice', 'service', { 'zh-CN': '带 dispatch 方法的服务', en: 'a service with dispatch' }));
  if (!isObject(notice) || !isObject(notice.command) || typeof notice.refundId !== 'string') {
    return fail(badArgument('applyRefundNotice', 'notice', { 'zh-CN': '退款通知（handleRefundNotification 的结果）', en: 'a refund notice (what handleRefundNotification returns)' }));
  }
  const badOptions = optionsProblem('applyRefundNotice', options);
  if (badOptions !== undefined) return badOptions;
  const resolved = await resolveOrderId(service, { orderNumber: orderIdOfRefund(notice), outTradeNo: notice.outTradeNo }, options.orderId);
  if (!resolved.ok) return resolved;
  const orderId = resolved.orderId;
  // No idempotency key: the ledger itself treats a repeated result as a no-op, and a refund that
  // failed, was retried and failed again must be recorded twice.
  return service.dispatch(orderId, notice.command, { type: 'payment', gateway: options.gateway });
}
