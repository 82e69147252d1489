import type { OrderkitError } from '../errors/orderkit-error.js';
import type { Policy } from '../order/policy.js';
import type { AbnormalRefundHandling, Actor, EffectDraft, Order } from '../order/index.js';
import type { Failure } from '../errors/result.js';

/**
 * What every after-sale reducer needs besides the order and the command. `transition()` passes
 * its own context through; the reducers never read the clock.
 */
export interface AfterSaleContext {
  now: Date;
  actor: Actor;
  policy: Policy;
  /** RETRY_REFUND's choice for an ABNORMAL refund; default `policy.abnormalRefund`. */
  abnormalHandling?: AbnormalRefundHandling;
}

/**
 * The result of one after-sale step. On success the order carries new `afterSales` and `refunds`
 * only: `transition()` owns `status`, `version`, `closeReason`, `updatedAt` and effect ids.
 * `data` goes into the audit event (after-sale id, amounts, refund id).
 */
export type AfterSaleStepResult =
  | { ok: true; order: Order; effects: EffectDraft[]; data?: Record<string, unknown> }
  | Failure;
