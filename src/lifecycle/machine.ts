import { assign, setup } from 'xstate';
import type { EffectDraft, Order } from '../order/index.js';
import { orderChart } from './chart.js';
import { cloneOrder } from './clone.js';
import { defaultPolicy } from './policy.js';
import { isoTimestamp } from './iso.js';
import { defaultActions, defaultGuards } from './registry.js';
import type { Draft, LifecycleAction, LifecycleGuard, LifecycleParams, Step, StepContext } from './step.js';
import type { TransitionContext } from './types.js';

/** What the chart carries when it runs inside xstate (an actor, or xstate's own `transition`). */
export interface OrderMachineContext {
  order: Order;
  /** Effects the actions produced so far, without ids (xstate has no version to number them by). */
  effects: EffectDraft[];
}

/** An xstate event for the chart: the command plus the context `transition()` would get. */
export interface OrderMachineEvent {
  type: string;
  command: { type: string };
  ctx: TransitionContext;
}

/**
 * Wraps a command for xstate: `actor.send(toMachineEvent(command, { now, actor, policy }))`.
 *
 * @example
 * createActor(orderMachine, { input: { order } }).start().send(toMachineEvent({ type: 'EXPIRE' }, { now, actor: { type: 'system' } }))
 */
export function toMachineEvent(command: { type: string }, ctx: TransitionContext): OrderMachineEvent {
  return { type: command.type, command, ctx };
}

/** Marks an xstate implementation with the plain function it wraps, so the compiler can unwrap it. */
export const PLAIN_IMPLEMENTATION = Symbol.for('orderkit.lifecycle.plain');

const EPOCH = new Date(0);
const NOBODY = { type: 'system' as const, id: 'xstate' };

function stepOf(context: OrderMachineContext, event: OrderMachineEvent): Step {
  // xstate's own init event carries no command context; only `enterStatus` runs on it.
  const given = event.ctx as TransitionContext | undefined;
  const now = given?.now ?? EPOCH;
  const ctx: StepContext = {
    now,
    at: isoTimestamp(now.getTime()),
    actor: given?.actor ?? NOBODY,
    policy: given?.policy ?? defaultPolicy,
  };
  return { order: context.order, command: event.command, ctx, memo: undefined };
}

type XstateArgs = { context: OrderMachineContext; event: OrderMachineEvent };

/**
 * A plain lifecycle guard as an xstate guard: true when it lets the command through.
 *
 * @example
 * orderMachine.provide({ guards: { isVip: toXstateGuard(isVip) } })
 */
export function toXstateGuard(guard: LifecycleGuard): (args: XstateArgs, params: LifecycleParams) => boolean {
  const wrapped = ({ context, event }: XstateArgs, params: LifecycleParams) => guard(stepOf(context, event), params) === undefined;
  (wrapped as unknown as Record<symbol, unknown>)[PLAIN_IMPLEMENTATION] = guard;
  return wrapped;
}

/**
 * A plain lifecycle action as an xstate `assign` over `{ order, effects }`.
 *
 * @example
 * orderMachine.provide({ actions: { markCollected: toXstateAction(markCollected) } })
 */
export function toXstateAction(action: LifecycleAction): ReturnType<typeof assign> {
  const wrapped = assign(({ context, event }: XstateArgs, params: LifecycleParams) => {
    const draft: Draft = { order: cloneOrder(context.order), effects: context.effects.slice(), data: undefined };
    action(draft, stepOf(context, event), params);
    return { order: draft.order, effects: draft.effects };
  });
  (wrapped as unknown as Record<symbol, unknown>)[PLAIN_IMPLEMENTATION] = action;
  return wrapped as unknown as ReturnType<typeof assign>;
}

function mapValues<T, U>(record: Readonly<Record<string, T>>, fn: (value: T) => U): Record<string, U> {
  const out: Record<string, U> = {};
  for (const key of Object.keys(record)) out[key] = fn(record[key]!);
  return out;
}

const machineSetup = setup({
  types: {
    context: {} as OrderMachineContext,
    events: {} as OrderMachineEvent,
    input: {} as { order: Order },
  },
  // The registry's plain functions, wrapped for xstate; the compiler unwraps them again.
  guards: mapValues(defaultGuards, toXstateGuard) as Record<string, (args: XstateArgs, params: LifecycleParams) => boolean>,
  actions: mapValues(defaultActions, toXstateAction) as Record<string, never>,
});

/**
 * The order lifecycle as an xstate v5 chart: the single source of truth for `transition()`, the
 * docs and the diagrams. States are `order.status` values, events are command types, and guards
 * and actions are referenced by name so the chart is plain data (`orderMachine.config`).
 *
 * It also runs in xstate itself (context `{ order, effects }`, events from `toMachineEvent`), which
 * is how the tests prove that the compiled `transition()` agrees with it.
 *
 * @example
 * import { createActor } from 'xstate';
 * const actor = createActor(orderMachine, { input: { order } }).start();
 * actor.send(toMachineEvent({ type: 'CANCEL' }, { now, actor: { type: 'customer', id: order.customerId } }));
 * actor.getSnapshot().value // 'closed'
 */
export const orderMachine = machineSetup.createMachine({
  ...(orderChart as unknown as Record<string, never>),
  id: orderChart.id,
  initial: orderChart.initial,
  context: ({ input }: { input: { order: Order } }) => ({ order: input.order, effects: [] }),
});

export type OrderMachine = typeof orderMachine;
