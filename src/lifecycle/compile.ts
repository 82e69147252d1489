import { lifecycleErrors } from './errors.js';
import { defaultActions, defaultGuards } from './registry.js';
import type { LifecycleAction, LifecycleGuard, LifecycleParams } from './step.js';

/**
 * Compiles a chart's config (states → command types → rows; `lifecycle.chart.config`) into the lookup table `transition()` runs:
 * status → command type → candidate transitions, each with its guard and actions resolved to
 * plain functions. Done once, when a lifecycle is created, so a transition is a property lookup,
 * a few guard calls and the actions; no xstate actor, no interpretation of the config.
 */

export interface BoundAction {
  name: string;
  fn: LifecycleAction;
  params: LifecycleParams;
}

export interface Candidate {
  /** Guard name as the chart wrote it (for docs, tests and error details). */
  guardName: string | undefined;
  guard: LifecycleGuard | undefined;
  guardParams: LifecycleParams;
  /** Undefined: stays in its status. */
  target: string | undefined;
  actions: BoundAction[];
  /** Exit actions of the source and entry actions of the target, when the status changes. */
  exit: BoundAction[];
  entry: BoundAction[];
  /** No target and no actions: an accepted command that changes nothing. */
  noop: boolean;
  description: string | undefined;
}

/** `table[status][commandType]` → candidates in chart order; the first whose guard passes wins. */
export type CompiledTable = Record<string, Record<string, Candidate[]>>;

export interface CompiledChart {
  id: string;
  initial: string;
  statuses: string[];
  commandTypes: string[];
  table: CompiledTable;
}

export interface Implementations {
  guards?: Readonly<Record<string, LifecycleGuard>>;
  actions?: Readonly<Record<string, LifecycleAction>>;
}

type Ref = string | { type: string; params?: Record<string, unknown> };
interface RawTransition {
  guard?: unknown;
  target?: unknown;
  actions?: unknown;
  description?: unknown;
  reenter?: unknown;
}
interface RawState {
  on?: Record<string, unknown>;
  entry?: unknown;
  exit?: unknown;
  states?: unknown;
  always?: unknown;
  after?: unknown;
  invoke?: unknown;
  description?: unknown;
}

function invalid(problem: string, details: Record<string, unknown>): never {
  throw lifecycleErrors.invalidLifecycle(problem, details);
}

function resolveGuard(name: string, impls: Implementations, where: string, type: string): LifecycleGuard {
  const own = impls.guards?.[name];
  if (own !== undefined) return own;
  const fallback = defaultGuards[name];
  if (fallback !== undefined) return fallback;
  return invalid(`guard "${name}" has no implementation (${type}, ${where})`, { command: type, guard: name, where });
}

function resolveAction(name: string, impls: Implementations, where: string, type: string | undefined): LifecycleAction {
  const own = impls.actions?.[name];
  if (own !== undefined) return own;
  const fallback = defaultActions[name];
  if (fallback !== undefined) return fallback;
  return invalid(`action "${name}" has no implementation (${type ?? where})`, { command: type, action: name, where });
}

function asRef(value: unknown, where: string): { type: string; params: LifecycleParams } {
  if (typeof value === 'string') return { type: value, params: undefined };
  if (typeof value === 'object' && value !== null && typeof (value as { type?: unknown }).type === 'string') {
    const params = (value as { params?: unknown }).params;
    if (typeof params === 'function') invalid(`dynamic params are not supported (${where})`, { where });
    return { type: (value as { type: string }).type, params: (params as LifecycleParams) ?? undefined };
  }
  return invalid(`guards and actions must be referenced by name (${where})`, { where });
}

function bindActions(value: unknown, where: string, impls: Implementations, type?: string): BoundAction[] {
  if (value === undefined) return [];
  const list = Array.isArray(value) ? value : [value];
  return list.map((item: unknown) => {
    const ref = asRef(item as Ref, where);
    return { name: ref.type, fn: resolveAction(ref.type, impls, where, type), params: ref.params };
  });
}

function resolveTarget(raw: unknown, id: string, states: Record<string, RawState>, where: string, type: string): string | undefined {
  if (raw === undefined) return undefined;
  const list = Array.isArray(raw) ? raw : [raw];
  if (list.length !== 1 || typeof list[0] !== 'string') invalid(`a transition needs exactly one target (${where})`, { where });
  let target = list[0] as string;
  if (target.startsWith(`#${id}.`)) target = target.slice(id.length + 2);
  if (!Object.prototype.hasOwnProperty.call(states, target)) invalid(`target "${target}" of ${type} does not exist (${where})`, { command: type, where, target });
  return target;
}

/**
 * Compiles a machine's chart. Throws `INVALID_LIFECYCLE` (an OrderkitError) when the chart uses
 * something the table cannot express (nested states, eventless or delayed transitions, inline
 * functions), names a guard or action without an implementation, targets a missing state, or has
 * a state no path reaches.
 *
 * @example
 * const { table } = compileChart(defaultLifecycle.chart.config);
 * table.paid.SHIP.map((c) => c.target) // ['shipped', 'partially_shipped']
 */
export function compileChart(chartConfig: unknown, impls: Implementations = {}): CompiledChart {
  const compiled = compileTable(chartConfig, impls);
  const { initial, statuses, table } = compiled;
  const reached = new Set<string>([initial]);
  const queue = [initial];
  while (queue.length > 0) {
    const from = queue.shift()!;
    for (const candidates of Object.values(table[from]!)) {
      for (const c of candidates) {
        if (c.target !== undefined && !reached.has(c.target)) {
          reached.add(c.target);
          queue.push(c.target);
        }
      }
    }
  }
  const unreachable = statuses.filter((s) => !reached.has(s));
  if (unreachable.length > 0) invalid(`no path reaches ${unreachable.join(', ')}`, { unreachable });
  return compiled;
}

/**
 * `compileChart` without the check that every state is reached: what a lifecycle uses to compile
 * the rows of one command on its first use (src/lifecycle/lifecycle.ts), where the chart holds
 * only that command's transitions. Every other check is the same.
 */
export function compileTable(chartConfig: unknown, impls: Implementations = {}): CompiledChart {
  const config = chartConfig as { id?: unknown; initial?: unknown; states?: unknown };
  const id = typeof config.id === 'string' ? config.id : '(machine)';
  const states = config.states as Record<string, RawState> | undefined;
  if (typeof states !== 'object' || states === null) return invalid('the chart has no states', {});
  const initial = config.initial;
  if (typeof initial !== 'string' || !Object.prototype.hasOwnProperty.call(states, initial)) return invalid('the initial state does not exist', { initial });

  const statuses = Object.keys(states);
  const commandTypes: string[] = [];
  const table: CompiledTable = Object.create(null) as CompiledTable;
  for (const status of statuses) {
    const state = states[status]!;
    for (const unsupported of ['states', 'always', 'after', 'invoke'] as const) {
      if (state[unsupported] !== undefined) invalid(`state "${status}" uses "${unsupported}", which a status chart cannot`, { status, feature: unsupported });
    }
    const byType: Record<string, Candidate[]> = Object.create(null) as Record<string, Candidate[]>;
    const on = state.on ?? {};
    for (const type of Object.keys(on)) {
      if (type === '*' || type.includes('.*')) invalid(`wildcard events are not supported ("${type}" on "${status}")`, { status, type });
      if (commandTypes.indexOf(type) < 0) commandTypes.push(type);
      const raw = on[type];
      const list = (Array.isArray(raw) ? raw : [raw]) as unknown[];
      byType[type] = list.map((item, index): Candidate => {
        const where = `${status}.on.${type}[${index}]`;
        const t: RawTransition = typeof item === 'string' ? { target: item } : ((item ?? {}) as RawTransition);
        const guardRef = t.guard === undefined ? undefined : asRef(t.guard, where);
        const target = resolveTarget(t.target, id, states, where, type);
        const actions = bindActions(t.actions, where, impls, type);
        const changes = target !== undefined && target !== status;
        return {
          guardName: guardRef?.type,
          guard: guardRef === undefined ? undefined : resolveGuard(guardRef.type, impls, where, type),
          guardParams: guardRef?.params,
          target: changes ? target : undefined,
          actions,
          exit: changes ? bindActions(state.exit, `${status}.exit`, impls) : [],
          entry: changes ? bindActions(states[target]!.entry, `${target}.entry`, impls) : [],
          noop: !changes && actions.length === 0,
          description: typeof t.description === 'string' ? t.description : undefined,
        };
      });
    }
    table[status] = byType;
  }
  return { id, initial, statuses, commandTypes, table };
}
