import type { OrderkitError } from '../errors/orderkit-error.js';
import type { Policy } from '../order/policy.js';
import type { Order } from '../order/index.js';
import { addInZone, addInZoneToTimestamp } from '../time/zoned.js';
import { refundErrors } from './errors.js';

// Windows are counted on the shop's calendar with the same zoned-time rule as every deadline
// (src/time/zoned.ts): "7 days" lands on the same wall-clock time seven days later in the shop's
// zone, whatever zone the host runs in, with the zone's offsets cached per hour.

/**
 * Until when the gateway can still refund this payment (`policy.refundWithin` after payment), or
 * undefined for an unpaid order.
 *
 * @example
 * refundDeadline(order, defaultPolicy) // paidAt + 365 days, in Asia/Shanghai
 */
export function refundDeadline(order: Order, policy: Policy): Date | undefined {
  const paidAt = order.paidAt ?? order.payment.paidAt;
  if (paidAt === undefined) return undefined;
  return addInZone(new Date(paidAt), policy.refundWithin, policy.timeZone);
}

/**
 * The end of the after-sales window: `deadlines.afterSaleUntil` when the order is completed (or
 * `completedAt + afterSaleWindow` if the deadline was never stored), undefined while the order is
 * not completed — before receipt the window is open.
 *
 * @example
 * afterSaleWindowEnd(completedOrder, defaultPolicy) // completedAt + 7 days
 */
export function afterSaleWindowEnd(order: Order, policy: Policy): Date | undefined {
  if (order.deadlines.afterSaleUntil !== undefined && (order.status === 'completed' || order.completedAt !== undefined)) {
    return new Date(order.deadlines.afterSaleUntil);
  }
  if (order.completedAt !== undefined) return addInZone(new Date(order.completedAt), policy.afterSaleWindow, policy.timeZone);
  return undefined;
}

/**
 * `WINDOW_CLOSED` when a request comes after the window; `now` equal to the end is still inside.
 *
 * @example
 * checkAfterSaleWindow(order, now, policy)?.code // 'WINDOW_CLOSED' or undefined
 */
export function checkAfterSaleWindow(order: Order, now: Date, policy: Policy): OrderkitError | undefined {
  const end = afterSaleWindowEnd(order, policy);
  if (end !== undefined && now.getTime() > end.getTime()) return refundErrors.windowClosed(end.toISOString(), policy.timeZone);
  return undefined;
}

/**
 * `REFUND_PERIOD_OVER` when the payment is older than `policy.refundWithin`.
 *
 * @example
 * checkRefundPeriod(order, now, policy)?.code // 'REFUND_PERIOD_OVER' or undefined
 */
export function checkRefundPeriod(order: Order, now: Date, policy: Policy): OrderkitError | undefined {
  // refundDeadline's rule, in milliseconds: this runs on every refund step, so no Date is built
  // unless the period is over, and the end is remembered per payment time (addInZoneToTimestamp).
  const paidAt = order.paidAt ?? order.payment.paidAt;
  if (paidAt === undefined) return undefined;
  const end = addInZoneToTimestamp(paidAt, policy.refundWithin, policy.timeZone);
  if (now.getTime() > end) return refundErrors.refundPeriodOver(new Date(end).toISOString(), policy.timeZone);
  return undefined;
}
