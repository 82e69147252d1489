import type { OrderkitError } from '../errors/orderkit-error.js';
import type { AfterSale, AfterSaleStatus, EffectDraft, Order, Refund } from '../order/index.js';
import {
  AFTER_SALE_GUARD_LABELS,
  AFTER_SALE_TRANSITIONS,
  findAfterSaleTransition,
  type AfterSaleCommandType,
  type AfterSaleTransition,
} from './after-sale-states.js';
import { amountThatFits, availableExcept, availableToRefund, plannedRefundsExcept, retryThatFits } from './caps.js';
import { afterSaleNotice, afterSaleNotifyData, exchangeTakeEffect, inventoryReleaseBySku, inventoryReleaseEffect, notifyEffect, paymentRefundEffect } from './effects.js';
import { afterSaleSkus } from './unit-skus.js';
import { refundErrors } from './errors.js';
import { refundOnlyStartedUnits, shippedOfLine } from './holdings.js';
import { afterSaleOfRefund, findRefund, newRefund, openRefund, refundCount, refundedByTransaction, strayRoom } from './ledger.js';
import { sourceByTransaction } from './routes.js';
import type { AfterSaleContext, AfterSaleStepResult, ReducerContext } from './types.js';
import { copyOrder, movedAfterSale, movedRefund, orderWithAfterSales, orderWithRefunds } from './copies.js';
import { isoTimestamp } from '../time/iso.js';
import { appended } from '../order/clone.js';
import { checkRefundPeriod } from './windows.js';
import { ok, fail, type Result, type Failure } from '../errors/result.js';

/**
 * The machinery shared by the reducers: move one after-sale along a row of the chart, run what
 * entering the new state means (reserve money, open a refund, release stock, notify), then follow
 * `always` rows until the after-sale rests. Every step works on copies; the input is never touched.
 */
export interface Step {
  order: Order;
  afterSale: AfterSale;
  effects: EffectDraft[];
  /** Statuses passed through, the first being where the command found the after-sale (null: new). */
  path: Array<AfterSaleStatus | null>;
  /**
   * True once `order` is a copy this run made (no caller holds it): later moves of the same run
   * then write their lists into it instead of copying the whole order again. A step built from a
   * caller's order leaves it unset.
   */
  owned?: boolean;
  /**
   * True when `afterSale` is a new after-sale this run built itself, with its keys in
   * `movedAfterSale`'s order (requestAfterSale): its first move, into the status it already
   * has at the same time, takes it as it is instead of copying it.
   */
  fresh?: boolean;
}

export type StepOutcome = Result<{ step: Step }>;

/** A new after-sale list with `afterSale` in place of the one with its id, or added at the end. */
function replacedAfterSales(list: readonly AfterSale[], afterSale: AfterSale): AfterSale[] {
  let index = -1;
  for (let i = 0; i < list.length; i++) if (list[i]!.id === afterSale.id) index = i;
  if (index < 0) return appended(list, afterSale);
  const afterSales = list.slice();
  afterSales[index] = afterSale;
  return afterSales;
}

export function withAfterSale(order: Order, afterSale: AfterSale, schemaOnly = false): Order {
  return orderWithAfterSales(order, replacedAfterSales(order.afterSales, afterSale), schemaOnly);
}

/** Whether the caller keeps only the schema's fields of the returned order (see ReducerContext). */
export function schemaCopies(ctx: AfterSaleContext): boolean {
  return (ctx as ReducerContext).schemaCopies === true;
}

/**
 * The next step. A run owns its `effects` and `path` lists (each reducer starts them empty and
 * nothing keeps an earlier step), so they grow in place instead of being copied at every move.
 */
function put(step: Step, ctx: AfterSaleContext, afterSale: AfterSale, effects?: EffectDraft[]): Step {
  if (effects !== undefined) for (let i = 0; i < effects.length; i++) step.effects.push(effects[i]!);
  step.path.push(afterSale.status);
  let order: Order;
  if (step.owned === true) {
    // The run's own copy: only the after-sale list is replaced (a new array, as withAfterSale's).
    order = step.order;
    order.afterSales = replacedAfterSales(order.afterSales, afterSale);
  } else {
    order = withAfterSale(step.order, afterSale, schemaCopies(ctx));
  }
  return { order, afterSale, effects: step.effects, path: step.path, owned: true };
}

/** `{ ok: true, step }` (a literal: `ok()`'s spread costs more than the rest of a small step). */
function moved(step: Step): StepOutcome {
  return { ok: true, step };
}

/** Approval reserves the money: it must fit beside refunds and other approved after-sales. */
function reserve(step: Step, ctx: AfterSaleContext): StepOutcome {
  const a = step.afterSale;
  const fits = amountThatFits(step.order, a.id, a.amount);
  if (fits < 0) return fail(refundErrors.refundExceedsPaid(a.amount, availableExcept(step.order, a.id, false)));
  if (plannedRefundsExcept(step.order, a.id, false) + 1 > ctx.policy.maxPartialRefunds) {
    return fail(refundErrors.tooManyRefunds(ctx.policy.maxPartialRefunds));
  }
  return moved(put(step, ctx, capped(movedAfterSale(a, 'approved', isoTimestamp(ctx.now.getTime())), fits)));
}

/** The after-sale asking `fits` when less than its amount (`amountThatFits`), its quote kept in `quotedAmount`. */
function capped(a: AfterSale, fits: number): AfterSale {
  if (fits >= 0 && fits < a.amount) {
    a.quotedAmount ??= a.amount;
    a.amount = fits;
  }
  return a;
}

/**
 * Units of a refund-only after-sale that never left the warehouse (they go back to stock): the
 * line's unshipped units less those other refund-only after-sales already gave back
 * (`refundOnlyStartedUnits`). Another claim still `requested` gave back nothing: counting it (as
 * every claim holding units was counted before) left a unit neither shipped nor on the shelf when
 * two refund-only requests were open at once (test/inventory/refund-only-release.test.ts).
 */
function neverShippedUnits(order: Order, afterSale: AfterSale): Array<{ lineId: string; quantity: number }> {
  const started = refundOnlyStartedUnits(order, afterSale.id);
  return afterSale.items.map((item) => {
    const line = order.lines.find((l) => l.id === item.lineId);
    if (!line) return { lineId: item.lineId, quantity: 0 };
    const unshipped = Math.max(0, line.quantity - shippedOfLine(order.shipments, item.lineId));
    const free = unshipped - Math.min(unshipped, started.get(item.lineId) ?? 0);
    return { lineId: item.lineId, quantity: Math.min(item.quantity, free) };
  });
}

/** Puts the refund in the ledger (its id persisted before any gateway call) and asks for the payout. */
function startRefund(step: Step, from: AfterSaleStatus, ctx: AfterSaleContext): StepOutcome {
  const a = step.afterSale;
  const period = checkRefundPeriod(step.order, ctx.now, ctx.policy);
  if (period) return fail(period);
  const available = availableExcept(step.order, a.id, false);
  if (a.amount > available) return fail(refundErrors.refundExceedsPaid(a.amount, available));
  if (refundCount(step.order) + 1 > ctx.policy.maxPartialRefunds) return fail(refundErrors.tooManyRefunds(ctx.policy.maxPartialRefunds));
  const refund = newRefund(step.order, { amount: a.amount, reason: 'after_sale', afterSaleId: a.id, now: ctx.now });
  // Everything read from the order before the entry is written (the run's copy may be written in place).
  const effects: EffectDraft[] = [paymentRefundEffect(step.order, refund, a.reason)];
  if (from === 'approved' && ctx.policy.restockOnReturn && !allShipped(step.order, a)) {
    effects.push(...inventoryReleaseEffect(step.order, neverShippedUnits(step.order, a), 'refund_before_shipment'));
  }
  if (from === 'approved') effects.push(afterSaleNotice('customer', 'after_sale_approved', step.order, a, 'refundId', refund.id));
  const order = step.owned === true ? step.order : copyOrder(step.order, schemaCopies(ctx));
  order.refunds = appended(order.refunds, refund); // not Array#concat: several times slower on short lists
  const next = movedAfterSale(a, 'refunding', isoTimestamp(ctx.now.getTime()));
  next.refundId = refund.id;
  return moved(put({ order, afterSale: step.afterSale, effects: step.effects, path: step.path, owned: true }, ctx, next, effects));
}

/**
 * Whether every unit of the after-sale's lines has shipped, so none can go back to stock: then
 * `neverShippedUnits` is all zeros and its holdings need not be counted. Shipments are the only
 * input: a line shipped in full has no unshipped unit whatever the after-sales hold.
 */
function allShipped(order: Order, afterSale: AfterSale): boolean {
  const shipments = order.shipments;
  if (shipments.length === 0) return false;
  const items = afterSale.items;
  for (let k = 0; k < items.length; k++) {
    const lineId = items[k]!.lineId;
    let line: Order['lines'][number] | undefined;
    for (let i = 0; i < order.lines.length; i++) if (order.lines[i]!.id === lineId) line = order.lines[i];
    if (line === undefined) continue; // neverShippedUnits gives such an item 0 units too
    let shipped = 0;
    for (let s = 0; s < shipments.length; s++) {
      const parcel = shipments[s]!.items;
      for (let i = 0; i < parcel.length; i++) if (parcel[i]!.lineId === lineId) shipped += parcel[i]!.quantity;
    }
    if (shipped < line.quantity) return false;
  }
  return true;
}

/**
 * An after-sale worth nothing (a free gift: its units' shares are 0) ends `refunded` with no ledger
 * entry and no `payment.refund`. Refund-only: its never-shipped units go back to stock (when the
 * policy restocks), as a paid refund's would; a return was restocked when it was received.
 */
function completeWithoutRefund(step: Step, from: AfterSaleStatus, ctx: AfterSaleContext): StepOutcome {
  const a = step.afterSale;
  const effects: EffectDraft[] = [];
  if (from === 'approved' && ctx.policy.restockOnReturn) {
    effects.push(...inventoryReleaseEffect(step.order, neverShippedUnits(step.order, a), 'refund_before_shipment'));
  }
  effects.push(notifyEffect('customer', 'after_sale_completed', step.order, afterSaleNotifyData(a)));
  // Nothing more is paid: from `refunding`, its failed entry (refunds made in the merchant platform
  // took that money) is taken off; other pieces of a split refund stay paid.
  const next: AfterSale = capped({ ...a, status: 'refunded', updatedAt: ctx.now.toISOString() }, from === 'refunding' ? a.amount - findRefund(step.order, a.refundId!)!.amount : 0);
  return moved(put(step, ctx, next, effects));
}

export type RestartResult = Result<{ order: Order; effects: EffectDraft[]; refundId: string }>;

/**
 * Sends a failed ledger entry again (docs/after-sales.md "Refund states"):
 * - a plain failure: re-opened under the same id and amount (WeChat Pay wants the same
 *   `out_refund_no`, and pays one number at most once);
 * - `CLOSED`: WeChat will not take that number again, so a new entry with a new id and the same
 *   amount is opened, and the two are linked (`replaces` / `replacedBy`); the old id is never
 *   paid (REFUND_SUCCEEDED for it is `REFUND_SUPERSEDED`);
 * - `ABNORMAL`: the money is still held by WeChat; the entry is re-opened under its own id and the
 *   effect asks for the abnormal-refund request (`abnormal.type` from the context, default
 *   `policy.abnormalRefund`, else 'MERCHANT_BANK_CARD').
 * `refundId` is the entry that is pending afterwards.
 */
export function restartRefund(order: Order, refundId: string, ctx: AfterSaleContext): RestartResult {
  const refund = findRefund(order, refundId);
  if (!refund) return fail(refundErrors.unknownRefund(refundId));
  if (refund.replacedBy !== undefined) return fail(refundErrors.refundSuperseded(refundId, refund.replacedBy));
  if (refund.status !== 'failed') return fail(refundErrors.refundNotFailed(refundId, refund.status));
  const at = isoTimestamp(ctx.now.getTime());
  const afterSale = refund.afterSaleId === undefined ? undefined : order.afterSales.find((a) => a.id === refund.afterSaleId);
  const reason = afterSale ? afterSale.reason : refund.reason;
  if (refund.gatewayStatus === 'ABNORMAL') {
    // Same money, same refund: nothing new is taken from the balance.
    const type = ctx.abnormalHandling ?? ctx.policy.abnormalRefund ?? 'MERCHANT_BANK_CARD';
    const reopened = movedRefund(refund, 'pending', at, false, false);
    reopened.attempts = refund.attempts + 1;
    reopened.abnormalHandling = type;
    const next = orderWithRefunds(order, order.refunds.map((r) => (r.id === refundId ? reopened : r)));
    const effect = paymentRefundEffect(next, reopened, reason);
    if (effect.type === 'payment.refund') {
      effect.abnormal = refund.gatewayRefundId === undefined ? { type } : { type, gatewayRefundId: refund.gatewayRefundId };
    }
    return ok({ order: next, effects: [effect], refundId });
  }
  // A refund that gives back everything left (a stray payment's, a merchant cancel's) is re-issued
  // for what is left now when it CLOSED, or failed otherwise and no longer fits: part of it may
  // have been given back by hand meanwhile, in the merchant platform (recorded by the
  // reconciliation). The full amount would exceed it, and the rest would stay with the merchant for good.
  let left = leftToGiveBack(order, refund, ctx);
  if (left !== undefined && left <= 0) return fail(refundErrors.refundExceedsPaid(refund.amount, 0));
  if (refund.gatewayStatus !== 'CLOSED' && left !== undefined && left >= refund.amount) left = undefined;
  // An after-sale's own refund that refunds made in the merchant platform left less room for
  // (`retryThatFits`) is re-issued under a new number for what is left (docs/after-sales.md
  // "Refunds the ledger did not know"); nothing left is the chart's `paid_outside` row.
  const owner = left === undefined ? afterSaleOfRefund(order, refund) : undefined;
  const fits = owner === undefined ? -1 : retryThatFits(order, owner.id, refund);
  if (fits > 0 && fits < refund.amount) {
    const period = checkRefundPeriod(order, ctx.now, ctx.policy);
    if (period) return fail(period);
    left = fits;
  }
  const room = left === undefined ? roomFor(order, refund, ctx) : null;
  if (room) return room;
  if (refund.gatewayStatus === 'CLOSED' || left !== undefined) {
    if (refundCount(order) + 1 > ctx.policy.maxPartialRefunds) return fail(refundErrors.tooManyRefunds(ctx.policy.maxPartialRefunds));
    const amount = left === undefined ? refund.amount : Math.min(refund.amount, left);
    const input: Parameters<typeof openRefund>[1] = { amount, reason: refund.reason, now: ctx.now };
    if (refund.afterSaleId !== undefined) input.afterSaleId = refund.afterSaleId;
    if (refund.transactionId !== undefined) input.transactionId = refund.transactionId;
    if (refund.outTradeNo !== undefined) input.outTradeNo = refund.outTradeNo;
    const opened = openRefund(order, input);
    const fresh: Refund = { ...opened.refund, replaces: refund.id };
    const closed: Refund = { ...refund, replacedBy: fresh.id, updatedAt: at };
    const next: Order = { ...order, refunds: order.refunds.map((r) => (r.id === refundId ? closed : r)).concat(fresh) };
    if (refund.reason === 'stray_payment') {
      next.payment = { ...order.payment, stray: order.payment.stray.map((s) => (s.refundId === refund.id ? { ...s, refundId: fresh.id } : s)) };
    }
    return ok({ order: next, effects: [strayTotal(next, fresh, paymentRefundEffect(next, fresh, reason))], refundId: fresh.id });
  }
  // Re-opened under its own id, so on its own transaction: on an order paid from several sources
  // it must still fit in what that source has left (docs/payment-sources.md "Refunds").
  const source = sourceByTransaction(order, refund.transactionId);
  if (source !== undefined && refund.reason !== 'stray_payment') {
    const left = source.amount - (refundedByTransaction(order).get(source.transactionId!) ?? 0);
    if (refund.amount > left) return fail(refundErrors.refundExceedsPaid(refund.amount, Math.max(0, left)));
  }
  // Re-opened under its own id: the failure reason goes, the gateway status stays (as before).
  const reopened = movedRefund(refund, 'pending', at, false, true);
  reopened.attempts = refund.attempts + 1;
  const next = orderWithRefunds(order, order.refunds.map((r) => (r.id === refundId ? reopened : r)));
  return ok({ order: next, effects: [strayTotal(next, reopened, paymentRefundEffect(next, reopened, reason))], refundId });
}

/** A stray payment's refund returns that transaction's own money: its total is the transaction's. */
function strayTotal(order: Order, refund: Refund, effect: EffectDraft): EffectDraft {
  if (refund.reason !== 'stray_payment' || effect.type !== 'payment.refund') return effect;
  const stray = order.payment.stray.find((s) => s.refundId === refund.id);
  return stray === undefined ? effect : { ...effect, total: stray.amount };
}

/** Refunds that give back everything left of their money rather than a fixed part of it. */
const GIVES_BACK_THE_REST: readonly Refund['reason'][] = ['stray_payment', 'merchant_cancel', 'late_payment', 'out_of_stock'];

/**
 * For a refund that gives back everything left: what is left now (a stray payment's `strayRoom`;
 * the order's `availableToRefund`, within the refund period). Undefined for any other refund (an
 * after-sale's is for its own amount, checked by `roomFor`).
 */
function leftToGiveBack(order: Order, refund: Refund, ctx: AfterSaleContext): number | undefined {
  if (GIVES_BACK_THE_REST.indexOf(refund.reason) < 0 || refund.afterSaleId !== undefined) return undefined;
  if (refund.reason === 'stray_payment') {
    const stray = order.payment.stray.find((s) => s.refundId === refund.id);
    return stray === undefined ? 0 : strayRoom(order, stray, refund.id);
  }
  if (checkRefundPeriod(order, ctx.now, ctx.policy)) return undefined;
  return availableToRefund(order, {});
}

/** Whether a failed entry still fits beside everything refunded, pending or reserved. */
function roomFor(order: Order, refund: Refund, ctx: AfterSaleContext): Failure | null {
  if (refund.reason === 'stray_payment') {
    // A stray payment's refund returns that transaction's own money, which never became the
    // order's paid amount: its cap is the stray transaction, not the order's balance.
    // Everything else given back from that transaction counts too (a refund made in the merchant
    // platform while this one was closed, recorded by the reconciliation).
    const stray = order.payment.stray.find((s) => s.refundId === refund.id);
    const available = stray === undefined ? 0 : strayRoom(order, stray, refund.id);
    return refund.amount > available ? fail(refundErrors.refundExceedsPaid(refund.amount, available)) : null;
  }
  const period = checkRefundPeriod(order, ctx.now, ctx.policy);
  if (period) return fail(period);
  // Only an after-sale's own entry stands in for it; a piece of a split refund takes room of its own.
  const owner = afterSaleOfRefund(order, refund);
  const available = availableToRefund(order, owner === undefined ? {} : { excludeAfterSaleId: owner.id });
  return refund.amount > available ? fail(refundErrors.refundExceedsPaid(refund.amount, available)) : null;
}

/** What entering `t.to` by row `t` does. */
function enter(step: Step, t: AfterSaleTransition, ctx: AfterSaleContext, extra: Partial<AfterSale>): StepOutcome {
  const a = step.afterSale;
  const at = isoTimestamp(ctx.now.getTime());
  if (t.from === 'requested' && t.to === 'approved') {
    // ACCEPT_REFUND_PROPOSAL brings the agreed amount and the answered proposal as `extra`.
    let withExtra = false;
    for (const _ in extra) {
      withExtra = true;
      break;
    }
    return reserve(withExtra ? { ...step, afterSale: { ...a, ...extra } } : step, ctx);
  }
  // From refunding: the chart's `paid_outside` row (REFUND_SUCCEEDED's is the ledger's, below).
  if (t.to === 'refunded' && (t.from !== 'refunding' || t.on === 'APPROVE_AFTER_SALE')) return completeWithoutRefund(step, t.from!, ctx);
  if (t.from === 'approved' && t.to === 'refunding') return startRefund(step, 'approved', ctx);
  if (t.from === 'returned' && t.to === 'refunding') return startRefund(step, 'returned', ctx);
  if (t.from === 'refunding' && t.to === 'refunding' && t.on === 'APPROVE_AFTER_SALE') {
    const restarted = restartRefund(step.order, a.refundId!, ctx);
    if (!restarted.ok) return restarted;
    // A CLOSED refund is re-issued under a new id: the after-sale follows it (and its amount, when
    // refunds made in the merchant platform left less room: restartRefund).
    const next = capped({ ...a, refundId: restarted.refundId, updatedAt: at }, a.amount - findRefund(step.order, a.refundId!)!.amount + findRefund(restarted.order, restarted.refundId)!.amount);
    return moved(put({ order: restarted.order, afterSale: step.afterSale, effects: step.effects, path: step.path }, ctx, next, restarted.effects));
  }
  const next = step.fresh === true && t.from === null && a.status === t.to && a.updatedAt === at ? a : movedAfterSale(a, t.to, at);
  // What the command adds (a reject reason, the return parcel); status and time are the move's own.
  for (const key in extra) if (key !== 'status' && key !== 'updatedAt') (next as Record<string, unknown>)[key] = (extra as Record<string, unknown>)[key];
  const effects: EffectDraft[] = [];
  if (t.on === 'PROPOSE_REFUND') {
    const p = next.proposals![next.proposals!.length - 1]!;
    return { ok: true, step: put(step, ctx, next, [notifyEffect('customer', 'refund_proposed', step.order, { ...afterSaleNotifyData(next), proposedAmount: p.amount, quotedAmount: a.amount })]) };
  }
  if (t.on === 'DECLINE_REFUND_PROPOSAL') {
    return { ok: true, step: put(step, ctx, next, [notifyEffect('merchant', 'refund_proposal_declined', step.order, afterSaleNotifyData(next))]) };
  }
  if (t.on === 'SET_RETURN_SHIPPING_FEE') return { ok: true, step: put(step, ctx, next) };
  switch (t.to) {
    case 'exchanged':
      // The replacement leaves the warehouse: taken from stock (the service takes it before the commit).
      effects.push(...exchangeTakeEffect(next));
      effects.push(notifyEffect('customer', 'exchange_shipped', step.order, { ...afterSaleNotifyData(a), ...next.exchange?.shipment }));
      break;
    case 'requested':
      effects.push(afterSaleNotice('merchant', 'after_sale_requested', step.order, a, 'reason', a.reason));
      break;
    case 'awaiting_return':
      if (t.from === 'approved') effects.push(notifyEffect('customer', 'after_sale_approved', step.order, { ...afterSaleNotifyData(a), returnRequired: true }));
      else effects.push(notifyEffect('merchant', 'return_shipped', step.order, { ...afterSaleNotifyData(a), ...next.returnShipment }));
      break;
    case 'rejected':
      effects.push(afterSaleNotice('customer', 'after_sale_rejected', step.order, a, 'reason', next.rejectReason));
      break;
    case 'refunding':
      // Only REFUND_FAILED rests here without a ledger change of its own (the reducer marks the entry).
      effects.push(afterSaleNotice('merchant', 'refund_failed', step.order, a, 'refundId', a.refundId));
      break;
    case 'refunded':
      effects.push(afterSaleNotice('customer', 'refund_succeeded', step.order, a, 'refundId', a.refundId));
      break;
    case 'returned':
      next.returnedAt = at;
      // The goods are back whatever was refunded meanwhile in the merchant platform: the refund is what is left.
      capped(next, amountThatFits(step.order, a.id, a.amount));
      // The SKUs the shopper sent back: a replacement of an earlier exchange is its own SKU (./unit-skus.ts).
      if (ctx.policy.restockOnReturn) effects.push(...inventoryReleaseBySku(afterSaleSkus(step.order, a), 'after_sale_return'));
      break;
    default:
      break;
  }
  return moved(put(step, ctx, next, effects));
}

/**
 * Runs command `on` on the step's after-sale, then its `always` rows. Fails with
 * `INVALID_AFTER_SALE_TRANSITION` when the chart has no row for it.
 */
/** The `extra` of a command that brings nothing (shared: nothing writes into it). */
const NO_EXTRA: Partial<AfterSale> = Object.freeze({});

export function runAfterSale(step: Step, on: AfterSaleCommandType, ctx: AfterSaleContext, extra: Partial<AfterSale> = NO_EXTRA): StepOutcome {
  const from = step.path[step.path.length - 1] ?? null;
  const t = findAfterSaleTransition(from, on, step.order, step.afterSale, ctx.policy);
  if (!t) {
    const blocked = AFTER_SALE_TRANSITIONS.find((row) => row.from === from && row.on === on && row.when !== undefined);
    const hint = blocked?.when === undefined ? undefined : { 'zh-CN': `需要满足：${AFTER_SALE_GUARD_LABELS[blocked.when]['zh-CN']}`, en: `requires: ${AFTER_SALE_GUARD_LABELS[blocked.when].en}` };
    return fail(refundErrors.invalidAfterSaleTransition(step.afterSale.id, from ?? 'new', on, hint));
  }
  let outcome = enter(step, t, ctx, extra);
  for (let guard = 0; outcome.ok && guard < 10; guard++) {
    const next = findAfterSaleTransition(outcome.step.afterSale.status, 'always', outcome.step.order, outcome.step.afterSale, ctx.policy);
    if (!next) break;
    outcome = enter(outcome.step, next, ctx, NO_EXTRA);
  }
  return outcome;
}

/** A successful reducer result with the audit data every after-sale step reports. */
export function finish(step: Step, data?: Record<string, unknown>): AfterSaleStepResult {
  const a = step.afterSale;
  const out: Record<string, unknown> = {
    afterSaleId: a.id,
    kind: a.kind,
    from: step.path[0] ?? null,
    to: a.status,
    amount: a.amount,
    shippingAmount: a.shippingAmount,
  };
  // The spread `{ …, ...data }` wrote out key by key (data is the caller's small literal).
  if (data !== undefined) for (const key of Object.keys(data)) out[key] = data[key];
  if (a.refundId !== undefined) out.refundId = a.refundId;
  return { ok: true, order: step.order, effects: step.effects, data: out };
}

/**
 * `finish(step, { autoApproved, items, lines })` for a new request (every after-sale's first
 * step) written as one literal: adding the three keys one by one to `finish`'s object was most
 * of `finish`'s time. The same keys in the same order.
 */
export function finishRequest(step: Step, autoApproved: boolean, items: unknown, lines: unknown): AfterSaleStepResult {
  const a = step.afterSale;
  const out: Record<string, unknown> = {
    afterSaleId: a.id,
    kind: a.kind,
    from: step.path[0] ?? null,
    to: a.status,
    amount: a.amount,
    shippingAmount: a.shippingAmount,
    autoApproved,
    items,
    lines,
  };
  if (a.refundId !== undefined) out.refundId = a.refundId;
  return { ok: true, order: step.order, effects: step.effects, data: out };
}
