import * as z from '../zod.js';
import { OrderkitError, orderkitError, type LocalizedText } from '../errors/orderkit-error.js';
import { errorFromZod } from '../errors/zod-issues.js';
import { builtinCommandSchema, CommandSchema, isCheckedCommand, ORDER_STATUS_LABELS, ORDER_STATUSES, parseCommand, type Actor, type ActorType, type Effect, type Order, type OrderEvent } from '../order/index.js';
import type { ChartConfig, ChartState, ChartTransition } from './chart.js';
import { cloneOrder } from './clone.js';
import { orderCommands } from './commands/index.js';
import { compileChart, compileTable, type BoundAction, type Candidate, type CompiledChart, type Implementations } from './compile.js';
import type { CommandDefinition } from './define.js';
import { lifecycleErrors, NO_MATCH } from './errors.js';
import { isoTimestamp } from './iso.js';
import { routeSourceRefunds } from './rules/sources.js';
import { checkAllowed, isPermitted, type PermissionTable } from './permissions.js';
import { defaultPolicy, type Policy } from '../order/policy.js';
import type { Draft, LifecycleAction, LifecycleGuard, Probe, Step } from './step.js';
import type { TransitionContext, TransitionResult } from './types.js';
import { ok, fail, type Result } from '../errors/result.js';

/** An order whose status may be one an extended chart added (such as `ready_for_pickup`). */
export type LifecycleOrder<TStatus extends string> = Omit<Order, 'status'> & { status: TStatus };

export interface LifecycleOptions {
  /** The commands, one definition each (`defineCommand`). Default `orderCommands`. */
  commands?: readonly CommandDefinition<string, any>[];
  /**
   * The statuses, the first one initial: a list, or labels by status (an extension's own statuses
   * need labels for the views). Default orderkit's seven.
   */
  states?: readonly string[] | Readonly<Record<string, LocalizedText>>;
  /** The rules (deadlines, windows, caps) used when a call passes none. Default `defaultPolicy`. */
  policy?: Policy;
}

/** A button a lifecycle offers: one per command that has one, in display order. */
export interface LifecycleButton {
  key: string;
  command: string;
  label: LocalizedText;
  primary: boolean;
  perAfterSale: boolean;
  /** For per-after-sale buttons: the command a dry run tries for one after-sale. */
  probe?: (afterSaleId: string) => { type: string };
}

export type LifecycleParseResult<TCommand> = Result<{ command: TCommand }>;

export interface Lifecycle<TStatus extends string = Order['status'], TCommand extends { type: string } = { type: string }> {
  /** The command definitions, in order. */
  commands: readonly CommandDefinition<string, any>[];
  /** The definition of one command type, or undefined. */
  command(type: string): CommandDefinition<string, any> | undefined;
  statuses: readonly TStatus[];
  /** zh-CN/en label of every status (orderkit's, then the ones given in `states`). */
  statusLabels: Readonly<Record<string, LocalizedText>>;
  /** The compiled table, and the chart config it came from (`chart.config`, plain data for docs and xstate). */
  chart: CompiledChart & { config: ChartConfig };
  permissions: PermissionTable<string>;
  policy: Policy;
  /** The union of the commands' schemas (for JSON Schema, OpenAPI). */
  schema: z.core.$ZodType;
  /** JSON Schema of the input any command may have. */
  jsonSchema(): Record<string, unknown>;
  buttons: readonly LifecycleButton[];
  /** Checks an untrusted value: `UNKNOWN_COMMAND` for a type this lifecycle does not define, `INVALID_COMMAND` with paths otherwise. Never throws. */
  parse(input: unknown): LifecycleParseResult<TCommand>;
  transition(order: LifecycleOrder<TStatus>, command: TCommand, ctx: TransitionContext): TransitionResult<LifecycleOrder<TStatus>>;
  allowedActions(order: LifecycleOrder<TStatus>, actor: Actor, now: Date, policy?: Policy): Array<TCommand['type']>;
}

function invalidContext(): OrderkitError {
  return orderkitError(
    'INVALID_CONTEXT',
    { 'zh-CN': 'now 必须是有效的 Date', en: 'ctx.now must be a valid Date' },
    { path: ['now'] },
  );
}

function unknownCommand(type: string): OrderkitError {
  return orderkitError('UNKNOWN_COMMAND', { 'zh-CN': `未知的指令类型：${type}`, en: `unknown command type: ${type}` }, { path: ['type'], details: { command: type } });
}

function invalidCommandShape(): OrderkitError {
  return orderkitError('INVALID_COMMAND', { 'zh-CN': '指令必须是带 type 字段的对象', en: 'a command must be an object with a type' }, { path: ['type'] });
}

/** What `transition()` needs of one command type (see `entries` in createLifecycle). */
interface CommandEntry {
  /** The definition's schema is orderkit's own: `parseCommand`'s mark counts for it. */
  builtin: boolean;
  /** Who may send it (the permission table's row). */
  actors: readonly ActorType[];
  /** The chart's candidates by status. */
  byStatus: ReadonlyMap<string, Candidate[]>;
}

/**
 * `transition()` trusts a command's fields once `parse` has checked them, but a caller who skips
 * that step still gets a typed error instead of a TypeError for a missing order, command or
 * actor, or a command type the lifecycle does not define. Otherwise the command type's entry.
 */
function commandEntry(order: unknown, command: unknown, actor: unknown, entryOf: (type: string) => CommandEntry | undefined): CommandEntry | OrderkitError {
  if (typeof order !== 'object' || order === null || typeof (order as { status?: unknown }).status !== 'string') {
    return orderkitError('INVALID_ORDER', { 'zh-CN': '订单不是有效的订单对象', en: 'order is not an order object' }, { path: ['order'] });
  }
  if (typeof command !== 'object' || command === null || typeof (command as { type?: unknown }).type !== 'string') {
    return orderkitError('INVALID_COMMAND', { 'zh-CN': '指令必须是带 type 字段的对象', en: 'a command must be an object with a type' }, { path: ['command', 'type'] });
  }
  const type = (command as { type: string }).type;
  const entry = entryOf(type);
  if (entry === undefined) return unknownCommand(type);
  if (typeof actor !== 'object' || actor === null || typeof (actor as { type?: unknown }).type !== 'string') {
    return orderkitError('INVALID_CONTEXT', { 'zh-CN': 'actor 必须是带 type 字段的对象', en: 'ctx.actor must be an object with a type' }, { path: ['actor'] });
  }
  return entry;
}

function merge<T>(into: Record<string, T>, from: Readonly<Record<string, T>> | undefined, kind: string, type: string): void {
  if (from === undefined) return;
  for (const name of Object.keys(from)) {
    const fn = from[name]!;
    if (typeof fn !== 'function') throw lifecycleErrors.invalidLifecycle(`command ${type}: ${kind} "${name}" is not a function`, { command: type, [kind]: name });
    const seen = into[name];
    if (seen !== undefined && seen !== fn) {
      throw lifecycleErrors.invalidLifecycle(`command ${type}: another command already defines the ${kind} "${name}"`, { command: type, [kind]: name });
    }
    into[name] = fn;
  }
}

/** Builds the chart (status → command type → rows) from the command list, checking each row against the statuses. */
export function buildChart(commands: readonly CommandDefinition<string, any>[], statuses: readonly string[]): ChartConfig {
  const states: Record<string, ChartState> = {};
  for (const status of statuses) states[status] = { entry: [{ type: 'enterStatus', params: { status } }], on: {} };
  for (const def of commands) {
    def.rows.forEach((row, i) => {
      const from = typeof row.from === 'string' ? [row.from] : row.from;
      for (const status of from) {
        if (states[status] === undefined) {
          throw lifecycleErrors.invalidLifecycle(`command ${def.type}: row ${i} starts from unknown status "${status}"`, { command: def.type, row: i, status });
        }
      }
      if (row.to !== undefined && states[row.to] === undefined) {
        throw lifecycleErrors.invalidLifecycle(`command ${def.type}: row ${i} targets unknown status "${row.to}"`, { command: def.type, row: i, target: row.to });
      }
      for (const status of from) {
        const t: ChartTransition = {};
        if (row.guard !== undefined) t.guard = row.guard as ChartTransition['guard'];
        if (row.to !== undefined && row.to !== status) t.target = row.to;
        if (row.actions !== undefined && row.actions.length > 0) t.actions = row.actions.slice() as ChartTransition['actions'];
        if (row.description !== undefined) t.description = row.description;
        const on = states[status]!.on!;
        const list = (on[def.type] ??= []) as ChartTransition[];
        list.push(t);
      }
    });
  }
  return { id: 'order', initial: statuses[0]!, states };
}

function runActions(list: BoundAction[], draft: Draft, step: Step): void {
  for (let i = 0; i < list.length; i++) {
    const a = list[i]!;
    a.fn(draft, step, a.params);
  }
}

/**
 * Builds a lifecycle from a list of commands (`defineCommand`, one file each) and the statuses:
 * one object with `parse`, `transition`, `allowedActions`, its `chart`, permission table, buttons
 * and command schema, all derived from the list. The service, the views and the Express example use
 * the lifecycle they are given, so a shop's own command works end to end.
 *
 * At creation it checks every command: statuses its rows name exist, every guard and action it
 * names has an implementation (its own `guards`/`actions`, or orderkit's), it names who may send
 * it, and every status is reachable from the first. Any problem throws `INVALID_LIFECYCLE` (an
 * OrderkitError) whose details name the command. (orderkit's own lifecycle, asked for with neither
 * `commands` nor `states`, is compiled command by command on first use: its chart is fixed and
 * checked by the tests.)
 *
 * @example
 * const pickedUp = defineCommand({
 *   type: 'PICKED_UP',
 *   schema: z.strictObject({ type: z.literal('PICKED_UP') }),
 *   actors: ['merchant'],
 *   rows: [{ from: 'paid', to: 'completed', actions: ['complete'] }],
 *   label: { 'zh-CN': '已自提', en: 'Picked up' },
 * });
 * const shop = createLifecycle({ commands: [...orderCommands, pickedUp] });
 * shop.allowedActions(order, { type: 'merchant', id: 'staff-1' }, new Date('2026-11-25T04:05:00Z')) // includes 'PICKED_UP' once paid
 */
export function createLifecycle<TStatus extends string = Order['status'], TCommand extends { type: string } = { type: string }>(
  options: LifecycleOptions = {},
): Lifecycle<TStatus, TCommand> {
  if (typeof options !== 'object' || options === null || 'config' in options) {
    throw lifecycleErrors.invalidLifecycle('createLifecycle takes { commands, states, policy }', {});
  }
  const commands = options.commands ?? orderCommands;
  if (!Array.isArray(commands) || commands.length === 0) throw lifecycleErrors.invalidLifecycle('commands must list at least one command', {});
  const extraLabels: Record<string, LocalizedText> = {};
  let statuses: string[];
  if (options.states === undefined) statuses = ORDER_STATUSES.slice();
  else if (Array.isArray(options.states)) statuses = (options.states as readonly string[]).slice();
  else {
    statuses = Object.keys(options.states);
    Object.assign(extraLabels, options.states);
  }
  if (statuses.length === 0) throw lifecycleErrors.invalidLifecycle('states must list at least one status', {});
  const statusLabels: Record<string, LocalizedText> = { ...(ORDER_STATUS_LABELS as Record<string, LocalizedText>), ...extraLabels };

  const definitions = new Map<string, CommandDefinition<string, any>>();
  const permissions: Record<string, readonly ActorType[]> = {};
  const guards: Record<string, LifecycleGuard> = {};
  const actions: Record<string, LifecycleAction> = {};
  for (const def of commands) {
    const type = typeof def === 'object' && def !== null ? def.type : undefined;
    if (typeof type !== 'string') throw lifecycleErrors.invalidLifecycle('a command definition has no type; build it with defineCommand', { command: type });
    if (definitions.has(type)) throw lifecycleErrors.invalidLifecycle(`command ${type} is defined twice`, { command: type });
    if (!Array.isArray(def.actors) || def.actors.length === 0) throw lifecycleErrors.invalidLifecycle(`command ${type}: actors must list who may send it`, { command: type });
    if (!Array.isArray(def.rows)) throw lifecycleErrors.invalidLifecycle(`command ${type}: rows must be a list`, { command: type });
    definitions.set(type, def);
    permissions[type] = def.actors;
    merge(guards, def.guards, 'guard', type);
    merge(actions, def.actions, 'action', type);
  }
  const implementations: Implementations = { guards, actions };
  const policyDefault = options.policy ?? defaultPolicy;

  // Commands whose schema is orderkit's own: `parseCommand`'s mark counts for them.
  const builtinSame = new Set<string>();
  for (const [type, def] of definitions) if (builtinCommandSchema(type) === def.schema) builtinSame.add(type);
  const checked = new WeakSet<object>();

  function parse(input: unknown): LifecycleParseResult<TCommand> {
    if (typeof input !== 'object' || input === null || typeof (input as { type?: unknown }).type !== 'string') return fail(invalidCommandShape());
    const type = (input as { type: string }).type;
    const def = definitions.get(type);
    if (def === undefined) return fail(unknownCommand(type));
    if (builtinSame.has(type)) return parseCommand(input) as LifecycleParseResult<TCommand>;
    if (checked.has(input)) return ok({ command: input as TCommand });
    const parsed = def.schema.safeParse(input);
    if (!parsed.success) return fail(errorFromZod('INVALID_COMMAND', { 'zh-CN': `指令 ${type} 格式不正确`, en: `invalid ${type} command` }, parsed.error));
    const command = parsed.data as object;
    if (typeof command === 'object' && command !== null) checked.add(command);
    return ok({ command: command as TCommand });
  }

  let union: z.core.$ZodType | undefined;
  const schemaOf = (): z.core.$ZodType => {
    if (union === undefined) {
      const list = commands.map((d) => d.schema as z.core.$ZodType);
      union = list.length === 1 ? list[0]! : z.union(list as unknown as [z.core.$ZodType, z.core.$ZodType, ...z.core.$ZodType[]]);
    }
    return union;
  };

  const buttons: LifecycleButton[] = [];
  for (const def of commands) {
    const b = def.button;
    if (b === undefined) continue;
    const button: LifecycleButton = { key: b.key, command: def.type, label: b.label ?? def.label, primary: b.primary === true, perAfterSale: b.perAfterSale !== undefined };
    if (b.perAfterSale !== undefined) button.probe = b.perAfterSale;
    buttons.push(button);
  }
  const ranks = new Map(commands.map((d) => [d.type, d.button?.rank ?? 0] as const));
  buttons.sort((a, b) => ranks.get(a.command)! - ranks.get(b.command)!);

  // The compiled chart, and the maps for the hot lookups built from it (the records of
  // `chart.table` have no prototype, which V8 keeps in slower dictionary mode).
  interface Compiled {
    chart: CompiledChart & { config: ChartConfig };
    lookup: Map<string, Map<string, Candidate[]>>;
    typesByStatus: Map<string, string[]>;
  }
  let compiled: Compiled | undefined;
  function compileAll(): Compiled {
    if (compiled !== undefined) return compiled;
    const config = buildChart(commands, statuses);
    const chart = { ...compileChart(config, implementations), config };
    const table = chart.table;
    const lookup = new Map<string, Map<string, Candidate[]>>();
    const typesByStatus = new Map<string, string[]>();
    for (const status of chart.statuses) {
      const byType = new Map<string, Candidate[]>();
      for (const type of Object.keys(table[status]!)) byType.set(type, table[status]![type]!);
      lookup.set(status, byType);
      typesByStatus.set(status, Object.keys(table[status]!));
    }
    for (const type of definitions.keys()) if (!entries.has(type)) entries.set(type, entryFrom(type, table));
    compiled = { chart, lookup, typesByStatus };
    return compiled;
  }
  // What `transition()` needs of a command type, found with one lookup instead of one per table
  // (the definitions, the built-in marks, the permission table, the chart by status).
  const entries = new Map<string, CommandEntry>();
  function entryFrom(type: string, table: CompiledChart['table']): CommandEntry {
    const byStatus = new Map<string, Candidate[]>();
    for (const status of statuses) {
      const candidates = table[status]?.[type];
      if (candidates !== undefined) byStatus.set(status, candidates);
    }
    return { builtin: builtinSame.has(type), actors: definitions.get(type)!.actors, byStatus };
  }
  /** The entry of a known command type; orderkit's own lifecycle compiles a command's rows on its first use. */
  function entryOf(type: string): CommandEntry | undefined {
    const known = entries.get(type);
    if (known !== undefined) return known;
    const def = definitions.get(type);
    if (def === undefined) return undefined;
    const entry = entryFrom(type, compileTable(buildChart([def], statuses), implementations).table);
    entries.set(type, entry);
    return entry;
  }
  // A lifecycle built from the caller's commands or statuses is compiled and checked whole at
  // creation (an INVALID_LIFECYCLE here, not at a later call). orderkit's own one, the same code
  // every time and checked by its tests (test/lifecycle/lazy-compile.test.ts), compiles each
  // command the first time it is dispatched and the whole chart the first time it is read: a
  // cloud function's first call dispatches one or two commands (docs/benchmarks.md, "Cold start").
  if (options.commands !== undefined || options.states !== undefined) compileAll();

  function transition(input: LifecycleOrder<TStatus>, command: TCommand, ctx: TransitionContext): TransitionResult<LifecycleOrder<TStatus>> {
    const order = input as unknown as Order;
    const entry = commandEntry(order, command, ctx === null || typeof ctx !== 'object' ? undefined : ctx.actor, entryOf);
    if (entry instanceof OrderkitError) return fail(entry);
    // A command that did not come through `parse` is checked here: a typed INVALID_COMMAND,
    // never a broken order.
    // orderkit's own commands (the usual case) are asked about first: one WeakSet lookup, not two.
    if (!(entry.builtin && isCheckedCommand(command)) && !checked.has(command)) {
      const parsed = parse(command);
      if (!parsed.ok) return fail(parsed.error);
      command = parsed.command as unknown as TCommand;
    }
    const now = ctx.now;
    if (!(now instanceof Date) || now.getTime() !== now.getTime()) return fail(invalidContext());
    const type = command.type;
    const denied = checkAllowed(entry.actors, type, ctx.actor, order.customerId);
    if (denied !== undefined) return fail(denied);
    const candidates = entry.byStatus.get(order.status);
    if (candidates === undefined) return fail(lifecycleErrors.invalidTransition(order.status, type));

    const step: Step = {
      order,
      command,
      ctx: { now, at: isoTimestamp(now.getTime()), actor: ctx.actor, policy: ctx.policy ?? policyDefault },
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
      if (c.noop) return ok({ changed: false, order: input, events: [], effects: [] });

      const draft: Draft = { order: cloneOrder(order), effects: [], data: undefined };
      if (c.target !== undefined) runActions(c.exit, draft, step);
      runActions(c.actions, draft, step);
      const from = order.status;
      const to = c.target ?? from;
      if (c.target !== undefined) {
        draft.order.status = to as Order['status'];
        runActions(c.entry, draft, step);
      }
      // An order paid from several sources: refunds go back where the money came from (rules/sources.ts).
      if (order.payment.sources !== undefined) {
        const unroutable = routeSourceRefunds(order, draft);
        if (unroutable !== undefined) return fail(unroutable);
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
      // A literal, not ok(): its spread was a measurable part of every transition.
      return { ok: true, changed: true, order: next as unknown as LifecycleOrder<TStatus>, events: [event], effects };
    } catch (error) {
      // Rules signal impossible money (an unsafe sum, a bad zone) by throwing OrderkitError.
      if (error instanceof OrderkitError) return fail(error);
      throw error;
    }
  }

  function allowedActions(input: LifecycleOrder<TStatus>, actor: Actor, now: Date, policy: Policy = policyDefault): Array<TCommand['type']> {
    const order = input as unknown as Order;
    const { typesByStatus, lookup } = compileAll();
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

  return {
    commands,
    command: (type) => definitions.get(type),
    statuses: statuses as unknown as readonly TStatus[],
    statusLabels,
    get chart() {
      return compileAll().chart;
    },
    permissions,
    policy: policyDefault,
    get schema() {
      return schemaOf();
    },
    jsonSchema: () => z.toJSONSchema(schemaOf(), { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>,
    buttons,
    parse,
    transition,
    allowedActions,
  };
}
