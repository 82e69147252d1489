import { createHash } from 'node:crypto';
import type { Policy } from '../order/policy.js';
import type { Actor, Order } from '../order/index.js';
import type { Result } from '../errors/result.js';
import {
  CHECKER_ACTORS,
  CHECKER_PLACEMENTS,
  DEFAULT_PAYLOADS,
  checkerPlacement,
  type CheckerCommand,
  type CheckerPlacement,
  type PayloadGenerator,
} from './checker-domain.js';

/**
 * An exhaustive bounded checker for a lifecycle (docs/lifecycle.md "Checking a lifecycle
 * exhaustively"). fast-check samples command sequences; this explores EVERY sequence up to a
 * depth over a small finite domain (a few placements, one actor of each kind, the payloads of
 * `DEFAULT_PAYLOADS`, and time jumping to each deadline), deduplicates the states it reaches and
 * checks each of them. It talks to the lifecycle through two functions only, `transition` and
 * `allowedActions`, so any lifecycle object with those fits (the built-in one, one made by
 * `createLifecycle`, or a wrapper a test writes to inject a rule).
 */

/** An order as a lifecycle keeps it; extensions may add statuses. */
export type CheckerOrder = Omit<Order, 'status'> & { status: string };

type CheckerResult = Result<{ changed?: boolean; order: CheckerOrder; events: ReadonlyArray<{ version: number }>; effects: readonly unknown[] }, { code: string }>;

/** The part of a lifecycle the checker uses. */
export interface CheckableLifecycle {
  transition(order: CheckerOrder, command: CheckerCommand, ctx: { now: Date; actor: Actor; policy?: Policy }): CheckerResult;
  allowedActions(order: CheckerOrder, actor: Actor, now: Date, policy?: Policy): readonly string[];
  /**
   * Optional: checks a command once (as at an HTTP boundary). When given, each distinct payload is
   * parsed once and the parsed command is what `transition` receives, as a service would send it.
   */
  parse?(command: unknown): Result<{ command: unknown }, { code: string }>;
}

export const CHECK_INVARIANTS = [
  /** Σ pending + succeeded refunds of the order's payment ≤ paid; a stray payment's refunds ≤ that payment. */
  'refunds-within-paid',
  /** pending + succeeded + approved-but-unrefunded after-sales ≤ paid. */
  'committed-within-paid',
  /** Σ line payables + freight = total. */
  'payables-sum-to-total',
  /** A change is version + 1 with its event(s) at that version; an accepted no-op changes nothing. */
  'version-steps-by-one',
  /** Every open after-sale has a command someone may send that moves it (nothing stuck in 退款中). */
  'after-sale-can-move',
  /** Every order not in a terminal status can still reach one. */
  'can-terminate',
  /** `transition` and `allowedActions` answer; they never throw (nor mutate their frozen input). */
  'no-throw',
] as const;
export type CheckInvariant = (typeof CHECK_INVARIANTS)[number];

/** One step of a path: a command and its sender, or time passing to the next deadline. */
export interface CheckStep {
  command: CheckerCommand | { type: 'TIME_PASSES' };
  actor?: Actor;
  /** The clock of the step (ISO). */
  at: string;
}

export interface CheckViolation {
  invariant: CheckInvariant;
  message: string;
  /** From placement to the state (or the step) that breaks the invariant. */
  path: CheckStep[];
  order: CheckerOrder;
}

export interface CheckReport {
  /** No violation and the whole space up to `depth` explored. */
  ok: boolean;
  depth: number;
  /** Distinct states reached (an order and the clock), placements included. */
  statesExplored: number;
  /** `transition` calls made while exploring and checking. */
  transitionsTried: number;
  /** Distinct states per order status. */
  statesByStatus: Record<string, number>;
  /** False when `maxStates` stopped the exploration early. */
  complete: boolean;
  /** Up to `maxViolationsPerInvariant` examples of each broken invariant, shortest paths first. */
  violations: CheckViolation[];
  /** How many states (or steps) broke each invariant. */
  violationCounts: Partial<Record<CheckInvariant, number>>;
}

export interface CheckOptions {
  lifecycle: CheckableLifecycle;
  /** Steps after placement (commands and time jumps). */
  depth: number;
  /** Where the exploration starts: placed orders, or names of the built-in placements. Default all of `CHECKER_PLACEMENTS`. */
  initial?: ReadonlyArray<CheckerOrder | CheckerPlacement>;
  /** Default `CHECKER_ACTORS`: the owner, another shopper, a merchant, the system, the payment gateway. */
  actors?: readonly Actor[];
  /** Payload generators merged over `DEFAULT_PAYLOADS`; a type without one is sent as `{ type }`. */
  payloads?: Readonly<Record<string, PayloadGenerator>>;
  /**
   * Which command types to try in a state: 'allowed' (default) asks `allowedActions` per actor,
   * 'all' tries every type that has a payload generator (slower; finds commands that work without
   * a button).
   */
  candidates?: 'allowed' | 'all';
  /** Statuses an order ends in. Default ['completed', 'closed']. */
  terminalStatuses?: readonly string[];
  /**
   * How many steps past `depth` the termination check looks from states it has not explored.
   * Default 6.
   */
  livenessDepth?: number;
  /**
   * States that look may expand from one unexplored state (default 50; what one search learns is
   * kept for the others). In a sound lifecycle a terminal status is a few steps away; a state the
   * search cannot settle within the bounds is reported as `can-terminate`.
   */
  livenessStates?: number;
  policy?: Policy;
  /** The placement clock. Default 2026-11-25T04:00:00Z. */
  start?: Date;
  /** Stop exploring after this many states (`complete: false`). Default 1 000 000. */
  maxStates?: number;
  /** Examples kept per invariant. Default 5. */
  maxViolationsPerInvariant?: number;
}

const MINUTE = 60_000;
const OPEN_HOLDING = new Set(['approved', 'awaiting_return', 'returned', 'refunding']);
const FINAL_AFTER_SALE = new Set(['rejected', 'cancelled', 'refunded', 'exchanged']);

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const key of Object.keys(value as object)) deepFreeze((value as Record<string, unknown>)[key]);
  }
  return value;
}

function keyOf(order: CheckerOrder, now: number): string {
  return createHash('sha1').update(`${now}|${JSON.stringify(order)}`).digest('base64');
}

/** The next deadline after `now` (plus a minute), or undefined: where a TIME_PASSES step goes. */
function nextInstant(order: CheckerOrder, now: number): number | undefined {
  let best: number | undefined;
  for (const iso of [order.deadlines.payBy, order.deadlines.autoConfirmAt, order.deadlines.afterSaleUntil]) {
    if (iso === undefined) continue;
    const t = Date.parse(iso) + MINUTE;
    if (t > now && (best === undefined || t < best)) best = t;
  }
  return best;
}

const yuan = (fen: number) => `¥${(fen / 100).toFixed(2)}`;

/** The money invariants of one state, written out here rather than borrowed from the code under test. */
function moneyProblems(order: CheckerOrder): Array<[CheckInvariant, string]> {
  const problems: Array<[CheckInvariant, string]> = [];
  const paid = order.payment.paidAmount;
  let succeeded = 0;
  let pending = 0;
  const refundStatus = new Map<string, string>();
  const strayTx = new Set(order.payment.stray.map((s) => s.transactionId));
  if (order.payment.transactionId !== undefined) strayTx.delete(order.payment.transactionId);
  for (const r of order.refunds) {
    refundStatus.set(r.id, r.status);
    // A stray payment's money, whatever the entry's reason (its own refund, or one made by hand).
    if (r.reason === 'stray_payment' || (r.transactionId !== undefined && strayTx.has(r.transactionId))) continue;
    if (r.status === 'succeeded') succeeded += r.amount;
    else if (r.status === 'pending') pending += r.amount;
  }
  if (succeeded + pending > paid) problems.push(['refunds-within-paid', `refunds pending ${yuan(pending)} + succeeded ${yuan(succeeded)} exceed paid ${yuan(paid)}`]);
  for (const s of order.payment.stray) {
    const back = order.refunds
      .filter((r) => (r.id === s.refundId || r.transactionId === s.transactionId) && (r.status === 'pending' || r.status === 'succeeded'))
      .reduce((x, r) => x + r.amount, 0);
    if (back > s.amount) problems.push(['refunds-within-paid', `stray payment ${s.transactionId}: ${yuan(back)} refunded of ${yuan(s.amount)}`]);
  }
  let reserved = 0;
  for (const a of order.afterSales) {
    if (!OPEN_HOLDING.has(a.status)) continue;
    const status = a.refundId === undefined ? undefined : refundStatus.get(a.refundId);
    if (status === 'pending' || status === 'succeeded') continue; // counted with the refunds
    // What a retry of its own entry takes: for a split refund only its own piece (the other pieces
    // are entries of their own, counted with the refunds while they hold money).
    const own = a.refundId === undefined ? undefined : order.refunds.find((r) => r.id === a.refundId);
    reserved += own === undefined ? a.amount : own.amount;
  }
  if (succeeded + pending + reserved > paid) {
    problems.push([
      'committed-within-paid',
      `committed ${yuan(succeeded + pending + reserved)} (refunds ${yuan(succeeded + pending)} + approved after-sales without a live refund ${yuan(reserved)}) exceeds paid ${yuan(paid)}`,
    ]);
  }
  const payables = order.lines.reduce((s, l) => s + l.payable, 0);
  if (payables + order.pricing.freight !== order.pricing.total) {
    problems.push(['payables-sum-to-total', `Σ line payables ${yuan(payables)} + freight ${yuan(order.pricing.freight)} ≠ total ${yuan(order.pricing.total)}`]);
  }
  return problems;
}

/**
 * How promising a step looks on the way to a terminal status (lower first): a new status, then
 * fewer open after-sales and pending refunds, then fewer units left to ship. Only an ordering for
 * the termination search; it never decides a result.
 */
function progress(from: CheckerOrder, to: CheckerOrder): number {
  let open = 0;
  for (const a of to.afterSales) if (!FINAL_AFTER_SALE.has(a.status)) open++;
  for (const r of to.refunds) if (r.status !== 'succeeded') open++;
  let units = 0;
  for (const l of to.lines) units += l.quantity;
  for (const p of to.shipments) for (const item of p.items) units -= item.quantity;
  return (to.status !== from.status ? 0 : 1_000_000) + open * 1000 + units;
}

/** What a command does to one after-sale: its own record and its ledger entry. */
function afterSaleFootprint(order: CheckerOrder, afterSaleId: string): string {
  const a = order.afterSales.find((x) => x.id === afterSaleId);
  const r = a?.refundId === undefined ? undefined : order.refunds.find((x) => x.id === a.refundId);
  return JSON.stringify([a, r]);
}

/**
 * Explores every command sequence of `lifecycle` up to `depth` steps from each placement and
 * checks every state reached (see `CHECK_INVARIANTS`). Pure and deterministic: the same options
 * give the same report.
 *
 * @example
 * const report = checkLifecycle({ lifecycle: defaultLifecycle, depth: 6 });
 * report.statesExplored; // distinct states checked
 * report.violations;     // [] when every invariant holds
 */
export function checkLifecycle(options: CheckOptions): CheckReport {
  // Most commands tried are refused, and every refusal builds an OrderkitError; capturing its stack
  // trace was the largest single cost of a run. Nothing here reads those stacks.
  const stackTraceLimit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return explore(options);
  } finally {
    Error.stackTraceLimit = stackTraceLimit;
  }
}

function explore(options: CheckOptions): CheckReport {
  const lifecycle = options.lifecycle;
  const depth = options.depth;
  if (!Number.isInteger(depth) || depth < 0) throw new RangeError(`depth must be a non-negative integer, got ${String(depth)}`);
  const actors = options.actors ?? CHECKER_ACTORS;
  const payloads: Record<string, PayloadGenerator> = { ...DEFAULT_PAYLOADS, ...options.payloads };
  const allTypes = Object.keys(payloads);
  const tryAll = options.candidates === 'all';
  const terminal = new Set(options.terminalStatuses ?? ['completed', 'closed']);
  const livenessDepth = options.livenessDepth ?? 6;
  const policy = options.policy;
  const start = options.start ?? new Date('2026-11-25T04:00:00.000Z');
  const maxStates = options.maxStates ?? 1_000_000;
  const maxExamples = options.maxViolationsPerInvariant ?? 5;
  const ctxOf = (now: number, actor: Actor) => (policy ? { now: new Date(now), actor, policy } : { now: new Date(now), actor });

  // The explored graph: one entry per distinct state.
  const index = new Map<string, number>();
  const parent: number[] = [];
  const stepOf: Array<CheckStep | null> = [];
  const statusOf: string[] = [];
  const children: Array<number[] | null> = [];
  /** Reverse edges, for spreading "can reach a terminal status" back to where it came from. */
  const parentsOf: number[][] = [];
  /** 1: the state is terminal or can reach a terminal state through known edges. */
  const good: number[] = [];
  let explored = 0;
  const statesByStatus: Record<string, number> = {};
  let transitionsTried = 0;
  let complete = true;

  const violations: CheckViolation[] = [];
  const violationCounts: Partial<Record<CheckInvariant, number>> = {};

  function pathTo(id: number, last?: CheckStep): CheckStep[] {
    const steps: CheckStep[] = [];
    if (last) steps.push(last);
    for (let at = id; at >= 0 && stepOf[at] !== null; at = parent[at]!) steps.push(stepOf[at]!);
    return steps.reverse();
  }

  const kept: Partial<Record<CheckInvariant, number>> = {};
  function report(invariant: CheckInvariant, message: string, id: number, order: CheckerOrder | (() => CheckerOrder), last?: CheckStep): void {
    violationCounts[invariant] = (violationCounts[invariant] ?? 0) + 1;
    if ((kept[invariant] ?? 0) >= maxExamples) return;
    kept[invariant] = (kept[invariant] ?? 0) + 1;
    violations.push({ invariant, message, path: pathTo(id, last), order: typeof order === 'function' ? order() : order });
  }

  function safeAllowed(order: CheckerOrder, actor: Actor, now: number, id: number): readonly string[] {
    try {
      return lifecycle.allowedActions(order, actor, new Date(now), policy);
    } catch (error) {
      report('no-throw', `allowedActions threw for ${actor.type}: ${String(error)}`, id, order);
      return [];
    }
  }

  // Parsed commands by their JSON: the domain repeats the same few payloads in every state.
  const parsed = new Map<string, CheckerCommand | null>();
  const parseOnce = (command: CheckerCommand): CheckerCommand | null => {
    if (lifecycle.parse === undefined) return command;
    const key = JSON.stringify(command);
    let known = parsed.get(key);
    if (known === undefined) {
      const r = lifecycle.parse(command);
      known = r.ok ? (r.command as CheckerCommand) : null;
      parsed.set(key, known);
    }
    return known;
  };

  /** Every command worth trying here: per actor, the candidate types and their payloads. */
  function candidates(
    order: CheckerOrder,
    now: number,
    id: number,
    all: boolean,
    keep?: (command: CheckerCommand) => boolean,
  ): Array<{ actor: Actor; command: CheckerCommand }> {
    const out: Array<{ actor: Actor; command: CheckerCommand }> = [];
    for (const actor of actors) {
      const types = all ? allTypes : safeAllowed(order, actor, now, id);
      for (const type of types) {
        const generate = payloads[type];
        const commands = generate ? generate(order as Order, actor) : [{ type }];
        for (const command of commands) {
          if (keep !== undefined && !keep(command)) continue;
          const checked = parseOnce(command);
          if (checked !== null) out.push({ actor, command: checked });
        }
      }
    }
    return out;
  }

  /** Runs one command; reports broken step invariants; returns the changed order, if any. */
  function attempt(order: CheckerOrder, now: number, actor: Actor, command: CheckerCommand, id: number, check: boolean): CheckerOrder | undefined {
    transitionsTried++;
    let r: CheckerResult;
    try {
      r = lifecycle.transition(order, command, ctxOf(now, actor));
    } catch (error) {
      if (check) report('no-throw', `${command.type} by ${actor.type} threw: ${String(error)}`, id, order, { command, actor, at: new Date(now).toISOString() });
      return undefined;
    }
    if (!r.ok) return undefined;
    if (r.changed === false) {
      if (check && r.order !== order && JSON.stringify(r.order) !== JSON.stringify(order)) {
        report('version-steps-by-one', `${command.type} was an accepted no-op but returned a different order`, id, order, { command, actor, at: new Date(now).toISOString() });
      }
      return undefined;
    }
    if (check) {
      const next = r.order;
      const bad =
        next.version !== order.version + 1
          ? `version ${order.version} → ${next.version}`
          : r.events.length === 0
            ? 'no event'
            : r.events.some((e) => e.version !== next.version)
              ? `event versions ${r.events.map((e) => e.version).join(',')} for order version ${next.version}`
              : undefined;
      if (bad !== undefined) report('version-steps-by-one', `${command.type} by ${actor.type}: ${bad}`, id, order, { command, actor, at: new Date(now).toISOString() });
    }
    return r.order;
  }

  /** Open after-sales that no command (any actor, any candidate type) can move, now or at the next deadline. */
  function stuckAfterSales(order: CheckerOrder, now: number, id: number): string[] {
    const open = order.afterSales.filter((a) => !FINAL_AFTER_SALE.has(a.status));
    if (open.length === 0) return [];
    const stuck: string[] = [];
    const instants = [now];
    const later = nextInstant(order, now);
    if (later !== undefined) instants.push(later);
    for (const a of open) {
      const before = afterSaleFootprint(order, a.id);
      let moved = false;
      for (const t of instants) {
        const touches = (command: CheckerCommand) => command['afterSaleId'] === a.id || (a.refundId !== undefined && command['refundId'] === a.refundId);
        for (const { actor, command } of candidates(order, t, id, true, touches)) {
          const next = attempt(order, t, actor, command, id, false);
          if (next !== undefined && afterSaleFootprint(next, a.id) !== before) {
            moved = true;
            break;
          }
        }
        if (moved) break;
      }
      if (!moved) stuck.push(`${a.id} (${a.status}${a.refundId === undefined ? '' : `, refund ${order.refunds.find((r) => r.id === a.refundId)?.status ?? 'missing'}`})`);
    }
    return stuck;
  }

  /** Adds a state (or finds it) and checks a new one. */
  function add(order: CheckerOrder, now: number, from: number, step: CheckStep | null): { id: number; fresh: boolean } {
    const key = keyOf(order, now);
    const known = index.get(key);
    if (known !== undefined) return { id: known, fresh: false };
    const id = parent.length;
    index.set(key, id);
    parent.push(from);
    stepOf.push(step);
    statusOf.push(order.status);
    children.push(null);
    parentsOf.push([]);
    good.push(terminal.has(order.status) ? 1 : 0);
    explored++;
    statesByStatus[order.status] = (statesByStatus[order.status] ?? 0) + 1;
    deepFreeze(order);
    for (const [invariant, message] of moneyProblems(order)) report(invariant, message, id, order);
    const stuck = stuckAfterSales(order, now, id);
    if (stuck.length > 0) report('after-sale-can-move', `no command moves after-sale ${stuck.join(', ')} on a ${order.status} order`, id, order);
    return { id, fresh: true };
  }

  /** Successors of a state: every accepted changing command, and time passing. */
  function successors(order: CheckerOrder, now: number, id: number, check: boolean): Array<{ order: CheckerOrder; now: number; step: CheckStep }> {
    const out: Array<{ order: CheckerOrder; now: number; step: CheckStep }> = [];
    const at = new Date(now).toISOString();
    for (const { actor, command } of candidates(order, now, id, tryAll)) {
      const next = attempt(order, now, actor, command, id, check);
      if (next !== undefined) out.push({ order: next, now, step: { command, actor, at } });
    }
    const later = nextInstant(order, now);
    if (later !== undefined) out.push({ order, now: later, step: { command: { type: 'TIME_PASSES' }, at: new Date(later).toISOString() } });
    return out;
  }

  /** Marks a state good and every state that leads to it. */
  function spread(from: number): void {
    if (good[from] === 1 && parentsOf[from]!.length === 0) return;
    const queue = [from];
    good[from] = 1;
    while (queue.length > 0) {
      const x = queue.pop()!;
      for (const p of parentsOf[x]!) {
        if (good[p] === 0) {
          good[p] = 1;
          queue.push(p);
        }
      }
    }
  }

  /** Expands one state: records its edges, spreads goodness, returns the new states. */
  function expand(state: { id: number; order: CheckerOrder; now: number }): Array<{ id: number; order: CheckerOrder; now: number }> {
    const fresh: Array<{ id: number; order: CheckerOrder; now: number }> = [];
    const kids: number[] = [];
    let reaches = false;
    for (const s of successors(state.order, state.now, state.id, true)) {
      const added = add(s.order, s.now, state.id, s.step);
      kids.push(added.id);
      parentsOf[added.id]!.push(state.id);
      if (good[added.id] === 1) reaches = true;
      if (added.fresh) fresh.push({ id: added.id, order: s.order, now: s.now });
    }
    children[state.id] = kids;
    if (reaches && good[state.id] === 0) spread(state.id);
    return fresh;
  }

  // Breadth-first, level by level; only the current level's orders are kept in memory.
  let level: Array<{ id: number; order: CheckerOrder; now: number }> = [];
  for (const item of options.initial ?? CHECKER_PLACEMENTS) {
    const order = typeof item === 'string' ? (checkerPlacement(item, start, policy) as CheckerOrder) : item;
    const now = typeof item === 'string' ? start.getTime() : Date.parse(order.updatedAt);
    const { id, fresh } = add(order, now, -1, null);
    if (fresh) level.push({ id, order, now });
  }
  for (let d = 0; d < depth && level.length > 0; d++) {
    const next: typeof level = [];
    for (const state of level) {
      for (const s of expand(state)) next.push(s);
      if (explored >= maxStates) {
        complete = false;
        break;
      }
    }
    level = next;
    if (!complete) break;
  }

  // Termination. Explored states know their successors; from each state of the last level (not
  // expanded) a depth-first search looks up to `livenessDepth` steps further, trying first the
  // steps that change the status, and expanding at most `livenessStates` states. What it learns (a
  // state reaches a terminal status, or not within so many steps) is shared by all searches.
  const livenessStates = options.livenessStates ?? 50;
  const frontier = new Set(level.map((s) => s.id));
  const REACHES = -1;
  const learned = new Map<string, number>();
  let expansions = 0;
  const reaches = (order: CheckerOrder, now: number, budget: number): boolean => {
    if (terminal.has(order.status)) return true;
    const key = keyOf(order, now);
    const id = index.get(key);
    if (id !== undefined && good[id] === 1) return true;
    const memo = learned.get(key);
    if (memo === REACHES) return true;
    if (budget <= 0 || (memo !== undefined && memo >= budget) || expansions >= livenessStates) return false;
    expansions++;
    const next = successors(order, now, -1, false);
    for (const s of next) {
      if (terminal.has(s.order.status)) {
        learned.set(key, REACHES);
        return true;
      }
    }
    next.sort((x, y) => progress(order, x.order) - progress(order, y.order));
    for (const s of next) {
      if (reaches(s.order, s.now, budget - 1)) {
        learned.set(key, REACHES);
        return true;
      }
    }
    learned.set(key, Math.max(memo ?? 0, budget));
    return false;
  };
  for (const s of level) {
    if (good[s.id] === 1) continue;
    expansions = 0;
    if (reaches(s.order, s.now, livenessDepth + 1)) spread(s.id);
  }
  for (let i = 0; i < parent.length; i++) {
    if (good[i] === 1 || (children[i] === null && !frontier.has(i))) continue;
    report(
      'can-terminate',
      `a ${statusOf[i]} order from which no ${[...terminal].join('/')} status is reachable${frontier.has(i) || children[i]!.length > 0 ? ` (looked up to ${livenessDepth} steps and ${livenessStates} states past the explored depth)` : ''}`,
      i,
      () => orderAt(i),
    );
  }

  /** Replays the path to a state (only the current level's orders are kept). */
  function orderAt(id: number): CheckerOrder {
    const steps = pathTo(id);
    let root = id;
    while (parent[root]! >= 0) root = parent[root]!;
    const initial = options.initial ?? CHECKER_PLACEMENTS;
    let order = initialOrder(initial, root);
    for (const step of steps) {
      if (step.command.type === 'TIME_PASSES' || step.actor === undefined) continue;
      const r = lifecycle.transition(order, step.command as CheckerCommand, ctxOf(Date.parse(step.at), step.actor));
      if (r.ok) order = r.order;
    }
    return order;
  }

  function initialOrder(initial: ReadonlyArray<CheckerOrder | CheckerPlacement>, root: number): CheckerOrder {
    // Placements were added first, in order, each a distinct state (or a duplicate of an earlier one).
    let id = 0;
    for (const item of initial) {
      const order = typeof item === 'string' ? (checkerPlacement(item, start, policy) as CheckerOrder) : item;
      if (id === root) return order;
      id++;
    }
    throw new Error(`no placement for state ${root}`);
  }

  violations.sort((a, b) => a.path.length - b.path.length);
  return {
    ok: complete && violations.length === 0,
    depth,
    statesExplored: explored,
    transitionsTried,
    statesByStatus,
    complete,
    violations,
    violationCounts,
  };
}
