import { shippedQuantities, type CommandOf, type Order } from '../../order/index.js';
import {
  approveAfterSale,
  cancelAfterSale,
  isFullyRefunded,
  lateSuccessFits,
  refundFailed,
  refundSucceeded,
  recordGatewayRefund,
  rejectAfterSale,
  retryRefund,
  requestAfterSale,
  returnReceived,
  returnShipped,
  requestFreightRefund,
  requestExchange,
  proposeRefund,
  acceptRefundProposal,
  declineRefundProposal,
  setReturnShippingFee,
  shipExchange,
  freightLeft,
  lineHoldings,
  sourceByTransaction,
  type AfterSaleStepResult,
} from '../../refund/index.js';
import { refundableBalance } from '../../refund/ledger.js';
import type { ReducerContext } from '../../refund/types.js';
import { afterSaleCommands } from '../../refund/actions.js';
import { refundRetryable } from '../../refund/supersede.js';
import { isDue } from '../deadlines.js';
import { lifecycleErrors, NO_MATCH } from '../errors.js';
import { defineGuard, type Draft, type Probe, type Step } from '../step.js';
import { fail } from '../../errors/result.js';

/**
 * After-sales run beside the status (docs/after-sales.md). The rules live in the refund module as pure
 * reducers; the lifecycle delegates each after-sale command to its reducer, keeps the status,
 * version and effect ids, and closes the order once everything paid has come back.
 */

type Reducer = (order: Order, command: never, ctx: ReducerContext) => AfterSaleStepResult;

const REDUCERS: Readonly<Record<string, Reducer>> = {
  REQUEST_AFTER_SALE: requestAfterSale as Reducer,
  APPROVE_AFTER_SALE: approveAfterSale as Reducer,
  REJECT_AFTER_SALE: rejectAfterSale as Reducer,
  CANCEL_AFTER_SALE: cancelAfterSale as Reducer,
  RETURN_SHIPPED: returnShipped as Reducer,
  RETURN_RECEIVED: returnReceived as Reducer,
  REFUND_SUCCEEDED: refundSucceeded as Reducer,
  REFUND_FAILED: refundFailed as Reducer,
  RECORD_GATEWAY_REFUND: recordGatewayRefund as Reducer,
  REQUEST_FREIGHT_REFUND: requestFreightRefund as Reducer,
  REQUEST_EXCHANGE: requestExchange as Reducer,
  PROPOSE_REFUND: proposeRefund as Reducer,
  ACCEPT_REFUND_PROPOSAL: acceptRefundProposal as Reducer,
  DECLINE_REFUND_PROPOSAL: declineRefundProposal as Reducer,
  SET_RETURN_SHIPPING_FEE: setReturnShippingFee as Reducer,
  SHIP_EXCHANGE: shipExchange as Reducer,
  RETRY_REFUND: ((order, command: CommandOf<'RETRY_REFUND'>, ctx) =>
    retryRefund(order, command.abnormalHandling === undefined ? { refundId: command.refundId } : { refundId: command.refundId, abnormalHandling: command.abnormalHandling }, ctx)) as Reducer,
};

interface AfterSaleMemo {
  kind: 'after_sale';
  result: AfterSaleStepResult;
}

/**
 * The reason stored on the refund a shopper's cancel of a paid order asks for, when they gave none.
 * Stored as it always was (older orders carry it); views show it in the page's language.
 */
export const CUSTOMER_CANCEL_REASON = '买家取消订单 / cancelled by the customer';
/** `CUSTOMER_CANCEL_REASON` per language. */
export const CUSTOMER_CANCEL_REASON_TEXT = Object.freeze({ 'zh-CN': '买家取消订单', en: 'Cancelled by the customer' });

/** The command a customer's CANCEL after payment stands for: a refund of the whole order. */
function asAfterSaleRequest(step: Step): { type: string } {
  if (step.command.type !== 'CANCEL') return step.command;
  const reason = (step.command as CommandOf<'CANCEL'>).reason;
  return { type: 'REQUEST_AFTER_SALE', kind: 'refund_only', reason: reason !== undefined && reason.length > 0 ? reason : CUSTOMER_CANCEL_REASON } as CommandOf<'REQUEST_AFTER_SALE'>;
}

/**
 * Runs the reducer once per transition (guard and action share the result through the memo).
 * Only the schema's fields of the reducer's order are used (`applyAfterSale` moves four of them
 * into the draft, a copy that carries no other key), so its copies need not keep other keys.
 */
function runReducer(step: Step): AfterSaleStepResult {
  if (step.memo !== undefined && (step.memo as AfterSaleMemo).kind === 'after_sale') return (step.memo as AfterSaleMemo).result;
  const command = asAfterSaleRequest(step);
  const reducer = REDUCERS[command.type];
  const result: AfterSaleStepResult =
    reducer === undefined
      ? fail(lifecycleErrors.notImplemented(command.type))
      : reducer(step.order, command as never, { now: step.ctx.now, actor: step.ctx.actor, policy: step.ctx.policy, schemaCopies: true } satisfies ReducerContext);
  step.memo = { kind: 'after_sale', result } satisfies AfterSaleMemo;
  return result;
}

const PER_AFTER_SALE: readonly string[] = [
  'APPROVE_AFTER_SALE',
  'REJECT_AFTER_SALE',
  'CANCEL_AFTER_SALE',
  'RETURN_SHIPPED',
  'RETURN_RECEIVED',
  'PROPOSE_REFUND',
  'ACCEPT_REFUND_PROPOSAL',
  'DECLINE_REFUND_PROPOSAL',
  'SET_RETURN_SHIPPING_FEE',
  'SHIP_EXCHANGE',
];

function windowOpen(probe: Probe): boolean {
  return probe.order.status !== 'completed' || !isDue(probe.order.deadlines.afterSaleUntil, new Date(probe.nowMs));
}

/**
 * Availability without a payload: is there anything for this after-sale command to act on? The
 * commands on one after-sale ask the after-sale chart itself (`afterSaleCommands`: its rows, their
 * guards and actors, and the requester rule), so a button is never missing or extra.
 */
function afterSaleAvailable(probe: Probe, type: string): boolean {
  const { order, actor } = probe;
  if (PER_AFTER_SALE.indexOf(type) >= 0) {
    return order.afterSales.some((a) => (afterSaleCommands(order, a, actor, probe.policy) as string[]).indexOf(type) >= 0);
  }
  switch (type) {
    case 'CANCEL':
    case 'REQUEST_AFTER_SALE':
      if (refundableBalance(order) <= 0) return false;
      if (order.status === 'completed') return !isDue(order.deadlines.afterSaleUntil, new Date(probe.nowMs));
      return true;
    case 'REQUEST_FREIGHT_REFUND':
      return freightLeft(order) > 0 && refundableBalance(order) > 0 && windowOpen(probe);
    case 'REQUEST_EXCHANGE': {
      if (!windowOpen(probe)) return false;
      for (const h of lineHoldings(order).values()) if (h.returnable > 0) return true;
      return false;
    }
    case 'REFUND_SUCCEEDED':
      // A failed refund may still succeed late (the reducer's own rule).
      return order.refunds.some((r) => r.status === 'pending' || (r.status === 'failed' && lateSuccessFits(order, r)));
    case 'REFUND_FAILED':
      // A credit to the stored balance cannot fail (the reducer refuses it).
      return order.refunds.some((r) => r.status === 'pending' && sourceByTransaction(order, r.transactionId)?.kind !== 'balance');
    case 'RECORD_GATEWAY_REFUND':
      // Never a button: only the daily reconciliation sends it, from WeChat's bill.
      return false;
    case 'RETRY_REFUND':
      return order.refunds.some((r) => r.status === 'failed' && r.replacedBy === undefined && refundRetryable(order, r));
    default:
      return true;
  }
}

/** The after-sale rules accept the command (delegated to the refund module's reducer). */
export const afterSaleAccepted = defineGuard(
  (step) => {
    const r = runReducer(step);
    return r.ok ? undefined : r.error;
  },
  (probe) => afterSaleAvailable(probe, probe.type),
);

/**
 * Units a refund-only after-sale has committed to refund (approved, refunding or refunded): they
 * can no longer come back to be shipped, whatever happens to the requests still pending.
 */
function committedRefundOnly(order: Order): Map<string, number> {
  const out = new Map<string, number>();
  for (const a of order.afterSales) {
    if (a.kind !== 'refund_only' || (a.status !== 'approved' && a.status !== 'refunding' && a.status !== 'refunded')) continue;
    for (const item of a.items) out.set(item.lineId, (out.get(item.lineId) ?? 0) + item.quantity);
  }
  return out;
}

/**
 * A partially shipped order whose every unit not yet shipped is now committed to a refund-only
 * after-sale: nothing is left to ship, so the order is `shipped` (docs/lifecycle.md "Rules"). Pending
 * requests do not count: a merchant may still reject them and ship those units.
 */
export const afterSaleShipsRest = defineGuard(
  (step) => {
    if (step.order.status !== 'partially_shipped') return NO_MATCH;
    const r = runReducer(step);
    if (!r.ok) return r.error;
    const shipped = shippedQuantities(r.order);
    const committed = committedRefundOnly(r.order);
    for (const line of r.order.lines) {
      if (line.quantity - (shipped.get(line.id) ?? 0) - (committed.get(line.id) ?? 0) > 0) return NO_MATCH;
    }
    return undefined;
  },
  // Never a button of its own: the command's other row decides whether it is offered.
  () => false,
);

/** A customer's CANCEL after payment: becomes a refund-only request for the whole order. */
export const customerCancelRequestsRefund = defineGuard(
  (step) => {
    if (step.ctx.actor.type !== 'customer') return NO_MATCH;
    const r = runReducer(step);
    return r.ok ? undefined : r.error;
  },
  (probe) => probe.actor.type === 'customer' && afterSaleAvailable(probe, 'CANCEL'),
);

/**
 * The reducer accepted the command but nothing changed (a refund result reported twice): the
 * lifecycle answers with an accepted no-op, no new version.
 */
export const afterSaleUnchanged = defineGuard(
  (step) => {
    const r = runReducer(step);
    if (!r.ok) return r.error;
    return r.order === step.order && r.effects.length === 0 ? undefined : NO_MATCH;
  },
  () => false,
);

/** A refund result after which everything paid has come back: the order closes as fully refunded. */
export const refundSettlesOrder = defineGuard(
  (step) => {
    const r = runReducer(step);
    if (!r.ok) return r.error;
    return isFullyRefunded(r.order) ? undefined : NO_MATCH;
  },
  (probe) => probe.order.refunds.some((r) => r.status === 'pending'),
);

/** RECORD_GATEWAY_REFUND that brings back everything paid: the order closes as fully refunded. */
export const gatewayRefundSettlesOrder = defineGuard(
  (step) => {
    const r = runReducer(step);
    if (!r.ok) return r.error;
    return isFullyRefunded(r.order) ? undefined : NO_MATCH;
  },
  // Never a button (see afterSaleAvailable).
  () => false,
);

/** Takes over the reducer's order (after-sales and refund ledger), effects and audit data. */
export function applyAfterSale(draft: Draft, step: Step): void {
  const r = runReducer(step);
  if (!r.ok) return; // unreachable: the guard refused the command already
  const order = draft.order;
  const next = r.order;
  order.afterSales = next.afterSales;
  order.refunds = next.refunds;
  if (next.payment !== step.order.payment) order.payment = next.payment;
  if (next.deadlines !== step.order.deadlines) order.deadlines = next.deadlines;
  // r.effects is the reducer's own list for this transition: taken as it is when nothing came before.
  if (draft.effects.length === 0) draft.effects = r.effects;
  else for (let i = 0; i < r.effects.length; i++) draft.effects.push(r.effects[i]!);
  // r.data is the reducer's own object for this one transition (kept only in step.memo): taken as it is.
  if (r.data !== undefined) draft.data = draft.data === undefined ? r.data : Object.assign(draft.data, r.data);
}
