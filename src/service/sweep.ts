import { anonymizeFinishedOrders } from './privacy.js';
import { currentAttempt } from '../lifecycle/attempts.js';
import { dueCommandType } from '../lifecycle/due.js';
import type { Actor, Command, Order } from '../order/index.js';
import { CorruptOrderError, STORAGE_ERROR_CODES } from '../storage/errors.js';
import type { CommitInput, CommitOutcome, FindDueOptions, OrderStore } from '../storage/port.js';
import { DEFAULT_PLACEMENT_GRACE_MS, recoverPlacements } from './placement-recovery.js';
import { applyStockEffects } from './stock.js';
import type { PaymentQuery, ServiceCore, SweepOptions, SweepReport } from './types.js';

const SWEEPER: Actor = { type: 'system', id: 'sweeper' };
const PARALLEL_COMMITS = 8;

type TimerCommand = 'EXPIRE' | 'AUTO_CONFIRM';

interface Pending {
  input: CommitInput;
  command: { type: TimerCommand; reason?: string };
}

/** The reason on an EXPIRE sent without the gateway's word, after `unreachableGatewayLimitMs`. */
export const GATEWAY_UNREACHABLE = 'gateway_unreachable';
const DEFAULT_UNREACHABLE_LIMIT_MS = 2 * 60 * 60 * 1000;

/**
 * Sends EXPIRE and AUTO_CONFIRM to every order whose deadline passed. Due orders come leased from
 * `findDue`, so several sweepers (one per instance, or a cron on each) split the work; each
 * change is still a compare-and-set commit, so an order that a customer paid a moment ago is not
 * expired: its commit conflicts, the sweeper reloads it, and the lifecycle refuses EXPIRE.
 */
export async function sweep(core: ServiceCore, now: Date, options: SweepOptions = {}): Promise<SweepReport> {
  const store = core.options.store;
  const batchSize = options.batchSize ?? 200;
  const leaseMs = options.leaseMs ?? 30_000;
  const maxOrders = options.maxOrders ?? Number.POSITIVE_INFINITY;
  const report: SweepReport = { expired: 0, autoConfirmed: 0, paidLate: 0, gatewayUnreachable: 0, expiredUnverified: 0, skipped: 0, corrupt: [] };
  const count = (command: Pending['command']): void => {
    if (command.type === 'AUTO_CONFIRM') report.autoConfirmed += 1;
    else {
      report.expired += 1;
      if (command.reason === GATEWAY_UNREACHABLE) report.expiredUnverified += 1;
    }
  };
  // The port's fast copy (Redis) is brought back in line with its ledger at every sweep.
  if (core.options.inventory?.reconcile) await core.options.inventory.reconcile();
  // Units and debits kept for placements left in doubt go back once their orders cannot exist (./placement-recovery.ts).
  const recovered = await recoverPlacements(store, [core.options.balance, core.options.inventory], now, core.options.placementGraceMs ?? DEFAULT_PLACEMENT_GRACE_MS);
  if (recovered !== null) report.placementsRecovered = recovered;
  let seen = 0;
  const findOptions = { leaseMs, onCorrupt: (error: CorruptOrderError) => report.corrupt.push(error.orderId) };
  // Each loop takes its own batch (claimed or leased), so loops never collide; two of them keep
  // the database busy with one batch's commit while the next batch is being read.
  const loop = async (): Promise<void> => {
    while (seen < maxOrders) {
      const want = Math.min(batchSize, maxOrders - seen);
      seen += want;
      let got: number;
      if (store.sweepDue && !core.options.payments) {
        got = await sweepClaimedBatch(core, store, now, want, findOptions, report, count);
      } else {
        const due = await store.findDue(now, want, findOptions);
        got = due.length;
        if (got > 0) await sweepBatch(core, now, due, report, count);
      }
      seen -= want - got;
      if (got === 0) return;
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.concurrency ?? 2) }, loop));
  if (core.options.retention) {
    // docs/privacy.md "Retention": a bad setting or a store without the capability is an error, never silence.
    // The service's inventory too: its holds of those orders name the customer (docs/privacy.md "The inventory").
    const r = await anonymizeFinishedOrders(store, {
      days: core.options.retention.days,
      now,
      ...(core.options.retention.perSweep !== undefined ? { limit: core.options.retention.perSweep } : {}),
      inventory: core.options.inventory,
    });
    if (!r.ok) throw r.error;
    report.anonymized = r.orders;
  }
  return report;
}

/**
 * One batch through the store's `sweepDue` (docs/storage.md, "Sweeping"): the claim, the decisions
 * and the commits in one transaction of the store, so concurrent sweepers take disjoint batches and
 * nothing conflicts. Only without a payment query: asking the gateway while holding the claim would
 * keep the orders locked for as long as the gateway takes. Resolves with how many were claimed.
 */
async function sweepClaimedBatch(
  core: ServiceCore,
  store: OrderStore,
  now: Date,
  limit: number,
  options: FindDueOptions,
  report: SweepReport,
  count: (command: Pending['command']) => void,
): Promise<number> {
  let pending: Pending[] = [];
  const { claimed, committed } = await store.sweepDue!(
    now,
    limit,
    (due) => {
      pending = [];
      for (const order of due) {
        const decided = decide(core, now, order);
        if (decided === null) report.skipped += 1;
        else pending.push(decided);
      }
      return pending.map((p) => p.input);
    },
    options,
  );
  const done = new Set(committed);
  for (const p of pending) {
    if (done.has(p.input.order.id)) {
      count(p.command);
      // Stock an expired order held goes back after its commit, as in `sweepBatch`.
      if (core.options.inventory) await applyStockEffects(core.options.inventory, p.input.effects);
      await core.afterCommit?.(now, p.input.effects);
    } else report.skipped += 1;
  }
  return claimed;
}

/** The timer command a due order takes now and its commit, or null when the lifecycle refuses it. */
function decide(core: ServiceCore, now: Date, order: Order): Pending | null {
  const type = dueCommandType(order);
  if (type === null) return null;
  const command: Pending['command'] = { type };
  const result = core.lifecycle.transition(order, command as Command, { now, actor: SWEEPER, policy: core.options.policy });
  if (!result.ok || result.changed === false) return null;
  return { command, input: { order: result.order as Order, expectedVersion: order.version, events: result.events, effects: result.effects } };
}

/** What the first look at a due order decided (`prepare`). */
type Prepared = Pending | 'skipped' | 'paidLate' | 'unreachable';

/**
 * The timer command a due order takes now, with its commit: for EXPIRE with a payment query, the
 * gateway is asked about the open attempt first (money that arrived pays the order instead).
 */
async function prepare(core: ServiceCore, now: Date, order: Order): Promise<Prepared> {
  const type = dueCommandType(order);
  if (type === null) return 'skipped';
  const command: Pending['command'] = { type };
  if (type === 'EXPIRE' && core.options.payments) {
    const late = await latePayment(core, now, order);
    if (late === 'paid') return 'paidLate';
    if (late === 'unreachable') {
      // Nobody could say whether the money arrived: keep the order open and ask again at the
      // next sweep (its lease runs out), up to the limit past its pay-by time.
      if (!pastUnreachableLimit(core, now, order)) return 'unreachable';
      command.reason = GATEWAY_UNREACHABLE;
    }
  }
  const result = core.lifecycle.transition(order, command as Command, { now, actor: SWEEPER, policy: core.options.policy });
  if (!result.ok || result.changed === false) return 'skipped';
  return { command, input: { order: result.order as Order, expectedVersion: order.version, events: result.events, effects: result.effects } };
}

/** Counts what `prepare` decided against an order it did not commit; true for a commit to make. */
function tally(prepared: Prepared, report: SweepReport): prepared is Pending {
  if (prepared === 'skipped') report.skipped += 1;
  else if (prepared === 'paidLate') report.paidLate += 1;
  else if (prepared === 'unreachable') report.gatewayUnreachable += 1;
  else return true;
  return false;
}

/** How many times one order is reloaded after a conflict before it is left for the next sweep. */
const CONFLICT_RETRIES = 3;

async function sweepBatch(core: ServiceCore, now: Date, due: Order[], report: SweepReport, count: (command: Pending['command']) => void): Promise<void> {
  const pending: Pending[] = [];
  for (const order of due) {
    const prepared = await prepare(core, now, order);
    if (tally(prepared, report)) pending.push(prepared);
  }
  const outcomes = await commitAll(core.options.store, pending, report);
  for (let i = 0; i < pending.length; i++) {
    const outcome = outcomes[i]!;
    if (outcome === 'ok') await committed(core, now, pending[i]!, count);
    else if (outcome === 'conflict') await retryAfterConflict(core, now, pending[i]!.input.order.id, report, count);
  }
}

async function committed(core: ServiceCore, now: Date, { command, input }: Pending, count: (command: Pending['command']) => void): Promise<void> {
  count(command);
  if (core.options.inventory) await applyStockEffects(core.options.inventory, input.effects);
  await core.afterCommit?.(now, input.effects);
}

/**
 * A conflict means the order moved meanwhile (a payment, or a new payment attempt: 改价 makes a
 * new out_trade_no): reload it and decide again exactly as the first pass did, the gateway query
 * included, so an attempt paid meanwhile is applied instead of expired. An order that keeps
 * moving is left for the next sweep.
 */
async function retryAfterConflict(core: ServiceCore, now: Date, orderId: string, report: SweepReport, count: (command: Pending['command']) => void): Promise<void> {
  const store = core.options.store;
  for (let round = 0; round < CONFLICT_RETRIES; round++) {
    let order: Order | null;
    try {
      order = await store.load(orderId);
    } catch (error) {
      if (!(error instanceof CorruptOrderError)) throw error;
      report.corrupt.push(error.orderId);
      return;
    }
    if (order === null) break;
    const prepared = await prepare(core, now, order);
    if (!tally(prepared, report)) return;
    const [outcome] = await commitAll(store, [prepared], report);
    if (outcome === 'ok') return committed(core, now, prepared, count);
    if (outcome === 'corrupt') return;
  }
  report.skipped += 1;
}

/** Commits a batch in one round trip when the store can, else a few at a time. */
async function commitAll(store: OrderStore, pending: Pending[], report: SweepReport): Promise<Array<'ok' | 'conflict' | 'corrupt'>> {
  if (pending.length === 0) return [];
  if (store.commitMany) {
    try {
      const outcomes: CommitOutcome[] = await store.commitMany(pending.map((p) => p.input));
      return outcomes.map((o) => (o.ok ? 'ok' : 'conflict'));
    } catch (error) {
      // One bad order fails the whole batch statement; fall back to one commit each to isolate it.
      if (!(error instanceof CorruptOrderError)) throw error;
    }
  }
  const outcomes: Array<'ok' | 'conflict' | 'corrupt'> = new Array(pending.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < pending.length) {
      const i = next++;
      try {
        await store.commit(pending[i]!.input);
        outcomes[i] = 'ok';
      } catch (error) {
        const code = (error as { code?: string }).code;
        if (code === STORAGE_ERROR_CODES.versionConflict || code === STORAGE_ERROR_CODES.orderNotFound) outcomes[i] = 'conflict';
        else if (error instanceof CorruptOrderError) {
          outcomes[i] = 'corrupt';
          report.corrupt.push(error.orderId);
        } else throw error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL_COMMITS, pending.length) }, worker));
  return outcomes;
}

/** True once an order is `unreachableGatewayLimitMs` past its pay-by time (or has none). */
function pastUnreachableLimit(core: ServiceCore, now: Date, order: Order): boolean {
  const payBy = order.deadlines.payBy;
  if (payBy === null || payBy === undefined) return true;
  const limit = core.options.unreachableGatewayLimitMs ?? DEFAULT_UNREACHABLE_LIMIT_MS;
  return now.getTime() >= Date.parse(payBy) + Math.max(0, limit);
}

/**
 * Asks the gateway about the open attempt before expiring: money that did arrive is applied as
 * PAYMENT_SUCCEEDED instead of being refunded later ('paid'). A paid answer that cannot pay the
 * order (a different amount) is recorded as a stray payment by dispatch, and the order still
 * expires ('expire'). No answer (null, or the query threw) is 'unreachable'.
 */
async function latePayment(core: ServiceCore, now: Date, order: Order): Promise<'paid' | 'expire' | 'unreachable'> {
  const attempt = currentAttempt(order);
  if (attempt === undefined) return 'expire';
  let answer: Awaited<ReturnType<PaymentQuery['query']>>;
  try {
    answer = await core.options.payments!.query(order, attempt);
  } catch {
    answer = null;
  }
  if (answer === null || answer === undefined) return 'unreachable';
  if (!answer.paid) return 'expire';
  const command = {
    type: 'PAYMENT_SUCCEEDED' as const,
    amount: answer.amount,
    transactionId: answer.transactionId,
    outTradeNo: answer.outTradeNo ?? attempt.outTradeNo,
    ...(answer.paidAt !== undefined ? { paidAt: answer.paidAt } : {}),
  };
  const result = await core.dispatchAt(now, order.id, command, { type: 'payment', gateway: 'query' });
  return result.ok && result.order.status !== 'pending_payment' ? 'paid' : 'expire';
}
