import { OrderkitError, orderkitError } from '../errors/orderkit-error.js';
import { COMMAND_TYPES, isCheckedCommand, parseCommand, type Actor, type ActorType, type Effect, type Order, type OrderEvent } from '../order/index.js';
import { cloneOrder } from './clone.js';
import { compileChart, type BoundAction, type Candidate, type CompiledChart, type Implementations } from './compile.js';
import { lifecycleErrors, NO_MATCH } from './errors.js';
import { isoTimestamp } from './iso.js';
import { COMMAND_ACTORS, checkPermission, isPermitted, type PermissionTable } from './permissions.js';
import { defaultPolicy, type Policy } from './policy.js';
import type { Draft, Probe, Step } from './step.js';
import type { TransitionContext, TransitionResult } from './types.js';

/** An order whose status may be one an extended chart added (such as `ready_for_pickup`). */
export type LifecycleOrder<TStatus extends string> = Omit<Order, 'status'> & { status: TStatus };

export interface LifecycleOptions<TType extends string = string> extends Implementations {
  /**
   * Actor types allowed per command type, merged over `COMMAND_ACTORS`. Every event the chart
   * uses needs an entry (an extension's own commands, such as `PICKED_UP`).
   */
  permissions?: Partial<Record<TType, readonly ActorType[]>>;
}

export interface Lifecycle<TStatus extends string, TCommand extends { type: string }> {
  /** The machine the lifecycle was compiled from. */
  machine: { config: unknown };
  /** The compiled table: statuses, command types and candidates per (status, command type). */
  chart: CompiledChart;
  permissions: PermissionTable<string>;
  transition(order: LifecycleOrder<TStatus>, command: TCommand, ctx: TransitionContext): TransitionResult<LifecycleOrder<TStatus>>;
  allowedActions(order: LifecycleOrder<TStatus>, actor: Actor, now: Date, policy?: Policy): Array<TCommand['type']>;
}

const DEFAULT_COMMAND_TYPES: ReadonlySet<string> = new Set(COMMAND_TYPES);

function fail(error: OrderkitError): { ok: false; error: OrderkitError } {
  return { ok: false, error };
}

function invalidContext(): OrderkitError {
  return orderkitError(
    'INVALID_CONTEXT',
    { 'zh-CN': 'now 必须是有效的 Date', en: 'ctx.now must be a valid Date' },
    { path: ['now'] },
  );
}

/**
 * `transition()` trusts a command's fields once `parseCommand` has checked them, but a caller who
 * skips that step still gets a typed error instead of a TypeError for a missing order, command or
 * actor, or a command type no chart knows.
 */
function malformedInput(order: unknown, command: unknown, actor: unknown, permissions: Record<string, unknown>): OrderkitError | undefined {
  if (typeof order !== 'object' || order === null || typeof (order as { status?: unknown }).status !== 'string') {
    return orderkitError('INVALID_ORDER', { 'zh-CN': '订单不是有效的订单对象', en: 'order is not an order object' }, { path: ['order'] });
  }
  if (typeof command !== 'object' || command === null || typeof (command as { type?: unknown }).type !== 'string') {
    return orderkitError('INVALID_COMMAND', { 'zh-CN': '指令必须是带 type 字段的对象', en: 'a command must be an object with a type' }, { path: ['command', 'type'] });
  }
  const type = (command as { type: string }).type;
  if (!Object.prototype.hasOwnProperty.call(permissions, type)) {
    return orderkitError('UNKNOWN_COMMAND', { 'zh-CN': `未知的指令类型：${type}`, en: `unknown command type: ${type}` }, { path: ['command', 'type'] });
  }
  if (typeof actor !== 'object' || actor === null || typeof (actor as { type?: unknown }).type !== 'string') {
    return orderkitError('INVALID_CONTEXT', { 'zh-CN': 'actor 必须是带 type 字段的对象', en: 'ctx.actor must be an object with a type' }, { path: ['actor'] });
  }
  return undefined;
}

function runActions(list: BoundAction[], draft: Draft, step: Step): void {
  for (let i = 0; i < list.length; i++) {
    const a = list[i]!;
    a.fn(draft, step, a.params);
  }
}

/**
 * Compiles a chart built from `orderMachine`'s config (a state added, a guard replaced) into a
 * lifecycle of its own: `{ machine, transition, allowedActions }`. At creation it checks that
 * every target exists, every status is reachable, every guard and action has an implementation
 * and every command has a permission entry; any problem throws `INVALID_LIFECYCLE`.
 *
 * Guards and actions are looked up by name in `options`, then among implementations given to
 * xstate with `machine.provide` (a boolean xstate guard refuses with GUARD_REJECTED), then in the
 * default registry.
 *
 * Extensions may add statuses and command types; type them with the generics (the defaults are
 * the built-in `Order` statuses and `Command`).
 *
 * @example
 * const pickup = createLifecycle<OrderStatus | 'ready_for_pickup', Command | { type: 'PICKED_UP' }>(pickupMachine, {
 *   guards: { isPickup: (step) => (step.command.logisticsType === 'pickup' ? undefined : NO_MATCH) },
 *   permissions: { PICKED_UP: ['merchant'] },
 * });
 * pickup.transition(order, { type: 'PICKED_UP' }, { now, actor: { type: 'merchant', id: 'staff-1' } });
 */
export function createLifecycle<TStatus extends string = Order['status'], TCommand extends { type: string } = { type: string }>(
  machine: { config: unknown; implementations?: { guards?: Record<string, unknown>; actions?: Record<string, unknown> } },
  options: LifecycleOptions<TCommand['type']> = {},
): Lifecycle<TStatus, TCommand> {
  const chart = compileChart(machine, options);
  const permissions = { ...COMMAND_ACTORS, ...options.permissions } as Record<string, readonly ActorType[]>;
  for (const type of chart.commandTypes) {
    if (permissions[type] === undefined) {
      throw lifecycleErrors.invalidLifecycle(`command "${type}" has no permission entry; add it to options.permissions`, { command: type });
    }
  }
  const table = chart.table;
  // Maps for the hot lookups: the records of `chart.table` have no prototype, which V8 keeps in
  // (slower) dictionary mode.
  const lookup = new Map<string, Map<string, Candidate[]>>();
  const typesByStatus = new Map<string, string[]>();
  for (const status of chart.statuses) {
    const byType = new Map<string, Candidate[]>();
    for (const type of Object.keys(table[status]!)) byType.set(type, table[status]![type]!);
    lookup.set(status, byType);
    typesByStatus.set(status, Object.keys(table[status]!));
  }

  function transition(input: LifecycleOrder<TStatus>, command: TCommand, ctx: TransitionContext): TransitionResult<LifecycleOrder<TStatus>> {
    const order = input as unknown as Order;
    const malformed = malformedInput(order, command, ctx === null || typeof ctx !== 'object' ? undefined : ctx.actor, permissions as Record<string, unknown>);
    if (malformed !== undefined) return fail(malformed);
    // Built-in commands that did not come through parseCommand are checked here (an extension's
    // own command types are the extension's to check).
    if (!isCheckedCommand(command) && DEFAULT_COMMAND_TYPES.has(command.type)) {
      const parsed = parseCommand(command);
      if (!parsed.ok) return fail(parsed.error);
      command = parsed.command as unknown as TCommand;
    }
    const now = ctx.now;
    if (!(now instanceof Date) || now.getTime() !== now.getTime()) return fail(invalidContext());
    const type = command.type;
    const denied = checkPermission(permissions, type, ctx.actor, order.customerId);
    if (denied !== undefined) return fail(denied);
    const byType = lookup.get(order.status);
    const candidates = byType === undefined ? undefined : byType.get(type);
    if (candidates === undefined) return fail(lifecycleErrors.invalidTransition(order.status, type));

    const step: Step = {
      order,
      command,
      ctx: { now, at: isoTimestamp(now.getTime()), actor: ctx.actor, policy: ctx.policy ?? defaultPolicy },
      memo: undefined,
    };
    try {
      let chosen = -1;
      let reason: OrderkitError | undefined;
      for (let i = 0; i < candidates.length; i++) {
        const c = candidates[i]!;
        const refused = c.guard === undefined ? undefined : c.guard(step, c.guardParams);
        if (refused === undefined) {
          chosen = i;
          break;
        }
        if (reason === undefined && refused !== NO_MATCH) reason = refused;
      }
      if (chosen < 0) return fail(reason ?? lifecycleErrors.invalidTransition(order.status, type));
      const c = candidates[chosen]!;
      if (c.noop) return { ok: true, changed: false, order: input, events: [], effects: [] };

      const draft: Draft = { order: cloneOrder(order), effects: [], data: undefined };
      if (c.target !== undefined) runActions(c.exit, draft, step);
      runActions(c.actions, draft, step);
      const from = order.status;
      const to = c.target ?? from;
      if (c.target !== undefined) {
        draft.order.status = to as Order['status'];
        runActions(c.entry, draft, step);
      }
      const version = order.version + 1;
      const next = draft.order;
      next.version = version;
      next.updatedAt = step.ctx.at;

      const event: OrderEvent = { orderId: order.id, version, type, actor: ctx.actor, from, to: to as Order['status'], at: step.ctx.at };
      if (draft.data !== undefined) event.data = draft.data;
      const drafts = draft.effects;
      const effects = new Array<Effect>(drafts.length);
      const idPrefix = drafts.length === 0 ? '' : `${order.id}:${version}:`;
      for (let i = 0; i < drafts.length; i++) {
        // The drafts are this call's own objects: stamping them beats copying into a spread literal.
        const effect = drafts[i]! as unknown as Effect;
        effect.id = idPrefix + i;
        effect.orderId = order.id;
        effects[i] = effect;
      }
      return { ok: true, changed: true, order: next as unknown as LifecycleOrder<TStatus>, events: [event], effects };
    } catch (error) {
      // Rules signal impossible money (an unsafe sum, a bad zone) by throwing OrderkitError.
      if (error instanceof OrderkitError) return fail(error);
      throw error;
    }
  }

  function allowedActions(input: LifecycleOrder<TStatus>, actor: Actor, now: Date, policy: Policy = defaultPolicy): Array<TCommand['type']> {
    const order = input as unknown as Order;
    const types = typesByStatus.get(order.status);
    const out: string[] = [];
    if (types === undefined) return out;
    const byType = lookup.get(order.status)!;
    const probe: Probe = { type: '', order, actor, nowMs: now.getTime(), policy };
    for (let t = 0; t < types.length; t++) {
      const type = types[t]!;
      if (!isPermitted(permissions, type, actor, order.customerId)) continue;
      probe.type = type;
      const candidates = byType.get(type)!;
      for (let i = 0; i < candidates.length; i++) {
        const c = candidates[i]!;
        if (c.noop) continue; // nothing to press a button for
        const available = c.guard?.available;
        if (available !== undefined && !available(probe, c.guardParams)) continue;
        out.push(type);
        break;
      }
    }
    return out;
  }

  return { machine, chart, permissions, transition, allowedActions };
}
