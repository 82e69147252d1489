import type { Actor, Command, CommandType, Order } from '../order/index.js';
import { createLifecycle, type Lifecycle } from './lifecycle.js';
import type { Policy } from '../order/policy.js';
import type { TransitionContext, TransitionResult } from './types.js';

/**
 * The built-in lifecycle, built from `orderCommands` when the module loads.
 *
 * @example
 * defaultLifecycle.chart.table.shipped.AUTO_CONFIRM[0].guardName // 'autoConfirmDue'
 */
export const defaultLifecycle: Lifecycle<Order['status'], Command> = createLifecycle<Order['status'], Command>();

/**
 * Applies one command to an order (docs/lifecycle.md). Pure and deterministic: the input is never
 * mutated (changed parts are copied), `order.version` goes up by exactly one on success and the
 * result carries one audit event and the effects, each with the id `orderId:version:index`.
 * A refused command returns `{ ok: false, error }` with a stable code and changes nothing.
 *
 * An accepted no-op (the same payment notification again) returns `changed: false` with the same
 * order object, no events and no effects: there is nothing to commit.
 *
 * Check untrusted input with `parseCommand` at the boundary: a command that did not come through it
 * is checked against the schema here (a typed `INVALID_COMMAND`, never a broken order), at a cost.
 *
 * @example
 * const r = transition(order, { type: 'PAYMENT_SUCCEEDED', amount: 9900, transactionId: '4200…' }, {
 *   now: new Date('2026-11-25T04:05:00Z'), actor: { type: 'payment', gateway: 'wechatpay' },
 * });
 * if (r.ok) await store.commit({ order: r.order, expectedVersion: order.version, events: r.events, effects: r.effects });
 * else console.log(r.error.code); // 'AMOUNT_MISMATCH', 'FORBIDDEN', 'INVALID_TRANSITION', …
 */
export const transition: (order: Order, command: Command, ctx: TransitionContext) => TransitionResult =
  defaultLifecycle.transition as unknown as (order: Order, command: Command, ctx: TransitionContext) => TransitionResult;

/**
 * The command types `actor` could send now with success: the buttons an order page shows.
 * Computed from the compiled table, the permission table and each guard's payload-free check
 * (status, ownership, deadlines, what is left to ship or refund). For commands that carry a
 * payload (SHIP, REQUEST_AFTER_SALE…) it means "some payload would be accepted", not that every
 * payload will be. Accepted no-ops (a repeated payment) are not listed.
 *
 * @example
 * allowedActions(order, { type: 'customer', id: order.customerId }, new Date('2026-11-25T04:05:00Z')) // ['CANCEL'] while unpaid
 */
export function allowedActions(order: Order, actor: Actor, now: Date, policy?: Policy): CommandType[] {
  return defaultLifecycle.allowedActions(order, actor, now, policy);
}
