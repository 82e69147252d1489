import type { OrderkitError } from '../errors/orderkit-error.js';
import type { Actor, Command, Effect, Order, OrderEvent } from '../order/index.js';
import type { Policy } from '../order/policy.js';
import type { Failure } from '../errors/result.js';

/** Everything `transition()` needs besides the order and the command: time, who, and the rules. */
export interface TransitionContext {
  now: Date;
  actor: Actor;
  /** Default `defaultPolicy`. */
  policy?: Policy;
}

/**
 * A command that was accepted. `changed` is false for an accepted no-op (a duplicate payment
 * notification for the transaction that already paid the order): then `order` is the very input
 * object, its version is not bumped, and `events` and `effects` are empty, so a service skips the
 * commit. When `changed` is true, `order.version` is the input's + 1 and there is exactly one event.
 */
export type TransitionSuccess<TOrder = Order> = {
  ok: true;
  changed: boolean;
  order: TOrder;
  events: OrderEvent[];
  effects: Effect[];
};
export type TransitionFailure = Failure;
export type TransitionResult<TOrder = Order> = TransitionSuccess<TOrder> | TransitionFailure;

export type TransitionFn = (order: Order, command: Command, ctx: TransitionContext) => TransitionResult;
