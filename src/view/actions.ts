import { defaultLifecycle } from '../lifecycle/transition.js';
import { defaultPolicy, type Policy } from '../order/policy.js';
import type { Actor, AfterSale, Command, Order } from '../order/index.js';
import type { ViewLocale } from './format.js';
import { ACTIONS, buttonsOf, type ActionDefinition } from './labels.js';
import type { ActionButton, ViewLifecycle } from './types.js';

/**
 * orderkit's own lifecycle; a view uses it unless the shop passes its own.
 *
 * @example
 * declare const pickedUp: CommandDefinition<'PICKED_UP', { type: 'PICKED_UP' }>;
 * const shop = createLifecycle({ commands: [...orderCommands, pickedUp] });
 * orderView(order, { actor, now, lifecycle: shop as unknown as ViewLifecycle }); // instead of defaultViewLifecycle
 */
export const defaultViewLifecycle: ViewLifecycle = defaultLifecycle as unknown as ViewLifecycle;

/** The gateway as an actor: only used to ask "could this order be paid now?". */
const PAYMENT_PROBE: Actor = { type: 'payment', gateway: 'view-probe' };

export interface ActionContext {
  actor: Actor;
  now: Date;
  policy?: Policy;
  locale?: ViewLocale;
  lifecycle?: ViewLifecycle;
  /** The button table; default `ACTIONS`. */
  actions?: readonly ActionDefinition[];
}

function button(def: ActionDefinition, locale: ViewLocale, afterSaleId?: string): ActionButton {
  const b: ActionButton = { key: def.key, command: def.command, label: def.label[locale], labels: def.label, primary: def.primary };
  if (afterSaleId !== undefined) b.afterSaleId = afterSaleId;
  return b;
}

/**
 * The pay button belongs to the owner while a payment would pay the order: a dry run of the
 * gateway's `PAYMENT_SUCCEEDED` for the open attempt must raise the paid amount without a refund
 * effect (a payment into a closed order is accepted, recorded and refunded — not something to
 * invite), and pay-by must not have passed: a payment after it races the timeout, so the page must
 * not ask for one even if the sweeper has not closed the order yet.
 */
function canPay(order: Order, ctx: ActionContext, lifecycle: ViewLifecycle, policy: Policy): boolean {
  if (ctx.actor.type !== 'customer' || ctx.actor.id !== order.customerId) return false;
  const payBy = order.deadlines.payBy;
  if (payBy !== undefined && ctx.now.getTime() >= Date.parse(payBy)) return false;
  let attempt: Order['payment']['attempts'][number] | undefined;
  for (const a of order.payment.attempts) if (a.status === 'open') attempt = a;
  const amount = attempt !== undefined ? attempt.amount : order.pricing.total;
  if (amount <= 0) return false;
  const probe: Command = { type: 'PAYMENT_SUCCEEDED', amount, transactionId: 'view-probe' };
  if (attempt !== undefined) probe.outTradeNo = attempt.outTradeNo;
  const r = lifecycle.transition(order, probe, { actor: PAYMENT_PROBE, now: ctx.now, policy });
  if (!r.ok || r.order.payment.paidAmount <= order.payment.paidAmount) return false;
  for (const e of r.effects) if (e.type === 'payment.refund') return false;
  return true;
}

/** The owner and the shop may look at the parcel; nobody else sees the order at all. */
function mayViewLogistics(order: Order, actor: Actor): boolean {
  if (actor.type === 'merchant') return true;
  return actor.type === 'customer' && actor.id === order.customerId;
}

function hasTrackableShipment(order: Order): boolean {
  for (const s of order.shipments) if (s.trackingNo !== undefined && s.trackingNo !== '') return true;
  return false;
}

/**
 * The order-level buttons for `actor` at `now`: each command button is shown exactly when the
 * lifecycle's `allowedActions` lists its command, plus 去支付 and 查看物流 (see above).
 *
 * @example
 * orderActions(order, { actor: { type: 'customer', id: order.customerId }, now })
 *   .map((b) => b.label) // e.g. ['取消订单', '去支付'] for an unpaid order
 */
export function orderActions(order: Order, ctx: ActionContext): ActionButton[] {
  const lifecycle = ctx.lifecycle ?? defaultViewLifecycle;
  const policy = ctx.policy ?? defaultPolicy;
  const locale = ctx.locale ?? 'zh-CN';
  const allowed = lifecycle.allowedActions(order, ctx.actor, ctx.now, policy);
  const out: ActionButton[] = [];
  for (const def of tableOf(ctx, lifecycle)) {
    if (def.perAfterSale) continue;
    let show: boolean;
    if (def.key === 'pay') show = canPay(order, ctx, lifecycle, policy);
    else if (def.key === 'viewLogistics') show = mayViewLogistics(order, ctx.actor) && hasTrackableShipment(order);
    else show = def.command !== null && allowed.indexOf(def.command) >= 0;
    if (show) out.push(button(def, locale));
  }
  return out;
}

/** The button table for a view: the caller's, else the lifecycle's own, else orderkit's. */
function tableOf(ctx: ActionContext, lifecycle: ViewLifecycle): readonly ActionDefinition[] {
  if (ctx.actions !== undefined) return ctx.actions;
  if (lifecycle === defaultViewLifecycle || lifecycle.buttons === undefined) return ACTIONS;
  return buttonsOf(lifecycle.buttons);
}

/**
 * Buttons of one after-sale (撤销申请, 填写退货单号; 同意/拒绝 for a merchant). `allowedActions`
 * answers per order, so each candidate is tried against this after-sale with a dry-run
 * `transition()`: pure, so trying costs nothing but time and changes nothing.
 *
 * @example
 * afterSaleActions(order, order.afterSales[0], { actor: customer, now }).map((b) => b.key)
 * // → ['returnShipped'] once a return was approved
 */
export function afterSaleActions(order: Order, afterSale: AfterSale, ctx: ActionContext): ActionButton[] {
  const lifecycle = ctx.lifecycle ?? defaultViewLifecycle;
  const policy = ctx.policy ?? defaultPolicy;
  const locale = ctx.locale ?? 'zh-CN';
  const allowed = lifecycle.allowedActions(order, ctx.actor, ctx.now, policy);
  const out: ActionButton[] = [];
  for (const def of tableOf(ctx, lifecycle)) {
    if (!def.perAfterSale || def.command === null || allowed.indexOf(def.command) < 0 || def.probe === undefined) continue;
    const probe = def.probe(afterSale.id);
    const r = lifecycle.transition(order, probe, { actor: ctx.actor, now: ctx.now, policy });
    if (r.ok) out.push(button(def, locale, afterSale.id));
  }
  return out;
}
