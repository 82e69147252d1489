import type { Actor, Command } from '../order/index.js';

/**
 * How `dispatch` retries after a version conflict (another process committed the order first).
 * Commands from people give up after `maxRetries` rounds; callbacks from the payment gateway (the
 * money already moved) keep trying for `callbackRetryMs`, because their answer tells the gateway
 * whether to deliver again. docs/storage.md ("Concurrency") explains the figures.
 */
export interface RetryPolicy {
  maxRetries: number;
  /** The first round's upper bound of the random delay, doubled each round. */
  baseMs: number;
  /** The longest delay of one round. */
  capMs: number;
  callbackRetryMs: number;
}

/** Commands that report what the payment gateway did: they are never dropped for a conflict. */
const CALLBACK_COMMANDS: ReadonlySet<Command['type']> = new Set(['PAYMENT_SUCCEEDED', 'REFUND_SUCCEEDED', 'REFUND_FAILED', 'RECORD_STRAY_PAYMENT']);

/**
 * True for a gateway callback: the `payment` actor, or a command that reports money moved.
 *
 * @example
 * isCallback({ type: 'REFUND_SUCCEEDED', refundId: 'r1' }, { type: 'payment', gateway: 'wechatpay' }) // true
 */
export function isCallback(command: Command, actor: Actor): boolean {
  return actor.type === 'payment' || CALLBACK_COMMANDS.has(command.type);
}

/**
 * The delay before retry round `attempt` (0-based): "full jitter", a random point between 0 and
 * base × 2^attempt (capped), so that processes that collided spread out instead of colliding
 * again in step.
 *
 * @example
 * backoffMs(3, 2, 100, Math.random) // somewhere in 0…16 ms
 */
export function backoffMs(attempt: number, baseMs: number, capMs: number, random: () => number): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.min(attempt, 30));
  return random() * ceiling;
}
