import type { OrderkitError } from '../errors/orderkit-error.js';
import type { Actor, EffectDraft, Order } from '../order/index.js';
import type { Policy } from '../order/policy.js';

/**
 * What guards and actions see. The chart names guards and actions; these are the plain functions
 * behind the names (the "registry"). They are called with a fixed argument shape and no closures,
 * so one transition allocates little besides the new order.
 */

/** The call's context, resolved once per transition: policy defaulted, `now` also as ISO text. */
export interface StepContext {
  now: Date;
  /** `now.toISOString()`, computed once: every timestamp a transition writes is this string. */
  at: string;
  actor: Actor;
  policy: Policy;
}

/** One command being applied. `order` is the input and is never mutated. */
export interface Step<TCommand extends { type: string } = { type: string }> {
  order: Order;
  command: TCommand;
  ctx: StepContext;
  /**
   * A slot where a guard leaves work for the actions of the same transition (the shipment plan it
   * validated, the after-sale reducer's result), so the work is done once.
   */
  memo: unknown;
}

/** The order being built by a transition's actions: a shallow copy; nested values are replaced, never edited. */
export interface Draft {
  order: Order;
  effects: EffectDraft[];
  /** Goes into the audit event's `data`. */
  data: Record<string, unknown> | undefined;
}

export type LifecycleParams = Readonly<Record<string, unknown>> | undefined;

/** The facts `allowedActions` has without a command payload. */
export interface Probe {
  /** The command type being considered. */
  type: string;
  order: Order;
  actor: Actor;
  nowMs: number;
  policy: Policy;
}

/**
 * A guard: undefined lets the transition through; an OrderkitError says why not (the caller gets
 * it when no other branch matches). `NO_MATCH` means "not this branch" without an opinion.
 *
 * `available` answers the same question without a payload, for `allowedActions`: it may say yes
 * for a command whose payload could still be wrong (a SHIP of unknown lines), never no for one
 * that could succeed. A guard without it counts as available.
 */
export interface LifecycleGuard {
  (step: Step<any>, params: LifecycleParams): OrderkitError | undefined;
  available?: (probe: Probe, params: LifecycleParams) => boolean;
}

/** An action: edits the draft (replacing nested objects it changes) and appends effects. */
export type LifecycleAction = (draft: Draft, step: Step<any>, params: LifecycleParams) => void;

/**
 * Builds a guard with its payload-free availability check.
 *
 * @example
 * const onlyWeekdays = defineGuard(
 *   (step) => (step.ctx.now.getUTCDay() % 6 === 0 ? lifecycleErrors.guardRejected('onlyWeekdays', step.command.type) : undefined),
 *   (probe) => new Date(probe.nowMs).getUTCDay() % 6 !== 0,
 * );
 */
export function defineGuard(
  check: (step: Step<any>, params: LifecycleParams) => OrderkitError | undefined,
  available?: (probe: Probe, params: LifecycleParams) => boolean,
): LifecycleGuard {
  const guard = check as LifecycleGuard;
  if (available !== undefined) guard.available = available;
  return guard;
}

/**
 * Adds several entries to the audit event's data at once (the common case: the first action of a
 * transition hands over its object literal as is).
 *
 * @example
 * declare const paid: CommandOf<'PAYMENT_SUCCEEDED'>;
 * noteAll(draft, { amount: paid.amount, transactionId: paid.transactionId })
 */
export function noteAll(draft: Draft, entries: Record<string, unknown>): void {
  if (draft.data === undefined) draft.data = entries;
  else Object.assign(draft.data, entries);
}

/**
 * Sets one entry of the audit event's data.
 *
 * @example
 * note(draft, 'pickupCode', (step.command as { type: string; code: string }).code)
 */
export function note(draft: Draft, key: string, value: unknown): void {
  if (draft.data === undefined) draft.data = {};
  draft.data[key] = value;
}
