import { assign, setup } from 'xstate';
import type { EffectDraft, Order } from '../order/index.js';
import { cloneOrder } from '../lifecycle/clone.js';
import { defaultPolicy } from '../order/policy.js';
import { isoTimestamp } from '../lifecycle/iso.js';
import type { Lifecycle } from '../lifecycle/lifecycle.js';
import type { Draft, LifecycleAction, LifecycleGuard, LifecycleParams, Step, StepContext } from '../lifecycle/step.js';
import { defaultLifecycle } from '../lifecycle/transition.js';
import type { TransitionContext } from '../lifecycle/types.js';

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
 * import { createActor } from 'xstate';
 * createActor(orderMachine, { input: { order } }).start().send(toMachineEvent({ type: 'EXPIRE' }, { now, actor: { type: 'system' } }))
 */
export function toMachineEvent(command: { type: string }, ctx: TransitionContext): OrderMachineEvent {
  return { type: command.type, command, ctx };
}

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
 * declare const isVip: LifecycleGuard;
 * const guard = toXstateGuard(isVip); // for machine.provide({ guards: { isVip: guard } })
 */
export function toXstateGuard(guard: LifecycleGuard): (args: XstateArgs, params: LifecycleParams) => boolean {
  return ({ context, event }: XstateArgs, params: LifecycleParams) => guard(stepOf(context, event), params) === undefined;
}

/**
 * A plain lifecycle action as an xstate `assign` over `{ order, effects }`.
 *
 * @example
 * declare const markCollected: LifecycleAction;
 * const action = toXstateAction(markCollected); // for machine.provide({ actions: { markCollected: action } })
 */
export function toXstateAction(action: LifecycleAction): ReturnType<typeof assign> {
  const wrapped = assign(({ context, event }: XstateArgs, params: LifecycleParams) => {
    const draft: Draft = { order: cloneOrder(context.order), effects: context.effects.slice(), data: undefined };
    action(draft, stepOf(context, event), params);
    return { order: draft.order, effects: draft.effects };
  });
  return wrapped as unknown as ReturnType<typeof assign>;
}

/** The guards and actions a lifecycle's compiled chart uses, by name. */
function implementationsOf(lifecycle: Pick<Lifecycle<string, { type: string }>, 'chart'>): { guards: Record<string, LifecycleGuard>; actions: Record<string, LifecycleAction> } {
  const guards: Record<string, LifecycleGuard> = {};
  const actions: Record<string, LifecycleAction> = {};
  for (const status of lifecycle.chart.statuses) {
    const byType = lifecycle.chart.table[status]!;
    for (const type of Object.keys(byType)) {
      for (const c of byType[type]!) {
        if (c.guardName !== undefined && c.guard !== undefined) guards[c.guardName] = c.guard;
        for (const a of c.actions) actions[a.name] = a.fn;
        for (const a of c.entry) actions[a.name] = a.fn;
        for (const a of c.exit) actions[a.name] = a.fn;
      }
    }
  }
  return { guards, actions };
}

function mapValues<T, U>(record: Readonly<Record<string, T>>, fn: (value: T) => U): Record<string, U> {
  const out: Record<string, U> = {};
  for (const key of Object.keys(record)) out[key] = fn(record[key]!);
  return out;
}

/**
 * A lifecycle as an xstate v5 machine: the same chart (`lifecycle.chart.config`: states are
 * `order.status` values, events are command types, guards and actions by name) with the same plain
 * functions wrapped as xstate implementations. For the Stately editor and inspector, and for the
 * agreement test that random-walks `transition()` and xstate side by side. The lifecycle itself
 * never runs xstate; importing `wx-orderkit` does not load it.
 *
 * It runs in xstate with context `{ order, effects }` and events from `toMachineEvent`.
 *
 * @example
 * import { createActor } from 'xstate';
 * const actor = createActor(toXstateMachine(defaultLifecycle), { input: { order } }).start();
 * actor.send(toMachineEvent({ type: 'CANCEL' }, { now: new Date('2026-11-25T04:05:00Z'), actor: { type: 'customer', id: order.customerId } }));
 * actor.getSnapshot().value // 'closed'
 */
export function toXstateMachine(lifecycle: Pick<Lifecycle<string, { type: string }>, 'chart'>) {
  const impls = implementationsOf(lifecycle);
  const config = lifecycle.chart.config;
  return setup({
    types: {
      context: {} as OrderMachineContext,
      events: {} as OrderMachineEvent,
      input: {} as { order: Order },
    },
    guards: mapValues(impls.guards, toXstateGuard) as Record<string, (args: XstateArgs, params: LifecycleParams) => boolean>,
    actions: mapValues(impls.actions, toXstateAction) as Record<string, never>,
  }).createMachine({
    ...(config as unknown as Record<string, never>),
    id: config.id,
    initial: config.initial,
    context: ({ input }: { input: { order: Order } }) => ({ order: input.order, effects: [] }),
  });
}

/**
 * orderkit's own lifecycle as an xstate machine (`toXstateMachine(defaultLifecycle)`).
 *
 * @example
 * orderMachine.root.states.paid.on // the paid status's commands, as xstate parsed them
 */
export const orderMachine = toXstateMachine(defaultLifecycle);

export type OrderMachine = typeof orderMachine;
