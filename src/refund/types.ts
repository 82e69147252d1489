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
 * The context `transition()` gives the reducers (not part of the public API). `schemaCopies`: the
 * caller keeps only Order-schema fields of the order a reducer returns (the lifecycle moves its
 * after-sales, refunds, payment and deadlines into a copy of its own, which carries no other key),
 * so the reducer's order copies need not look for keys outside the schema (src/refund/copies.ts).
 */
export interface ReducerContext extends AfterSaleContext {
  schemaCopies?: boolean;
}

/**
 * The result of one after-sale step. On success the order carries new `afterSales` and `refunds`
 * only: `transition()` owns `status`, `version`, `closeReason`, `updatedAt` and effect ids.
 * `data` goes into the audit event (after-sale id, amounts, refund id).
 */
export type AfterSaleStepResult =
  | { ok: true; order: Order; effects: EffectDraft[]; data?: Record<string, unknown> }
  | Failure;
