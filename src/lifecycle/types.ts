import type { OrderkitError } from '../errors/orderkit-error.js';
import type { Actor, Command, Effect, Order, OrderEvent } from '../order/index.js';
import type { Policy } from './policy.js';

/** Everything `transition()` needs besides the order and the command: time, who, and the rules. */
export interface TransitionContext {
  now: Date;
  actor: Actor;
  /** Default `defaultPolicy`. */
  policy?: Policy;
}

export type TransitionSuccess = { ok: true; order: Order; events: OrderEvent[]; effects: Effect[] };
export type TransitionFailure = { ok: false; error: OrderkitError };
export type TransitionResult = TransitionSuccess | TransitionFailure;

export type TransitionFn = (order: Order, command: Command, ctx: TransitionContext) => TransitionResult;
