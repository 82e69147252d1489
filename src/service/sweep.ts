import { currentAttempt } from '../lifecycle/attempts.js';
import { dueCommandType } from '../lifecycle/due.js';
import type { Actor, Order } from '../order/index.js';
import { CorruptOrderError, STORAGE_ERROR_CODES } from '../storage/errors.js';
import type { CommitInput, CommitOutcome, OrderStore } from '../storage/port.js';
import type { ServiceCore, SweepOptions, SweepReport } from './types.js';

const SWEEPER: Actor = { type: 'system', id: 'sweeper' };
const PARALLEL_COMMITS = 8;

type TimerCommand = 'EXPIRE' | 'AUTO_CONFIRM';

interface Pending {
  input: CommitInput;
  type: TimerCommand;
}

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
  const report: SweepReport = { expired: 0, autoConfirmed: 0, paidLate: 0, skipped: 0, corrupt: [] };
  const count = (type: TimerCommand): void => {
    if (type === 'EXPIRE') report.expired += 1;
    else report.autoConfirmed += 1;
  };
  let seen = 0;
  // Each loop takes its own leased batch, so loops never collide; two of them keep the database
  // busy with one batch's commit while the next batch is being read.
  const loop = async (): Promise<void> => {
    while (seen < maxOrders) {
      const want = Math.min(batchSize, maxOrders - seen);
      seen += want;
      const due = await store.findDue(now, want, { leaseMs, onCorrupt: (error) => report.corrupt.push(error.orderId) });
      seen -= want - due.length;
      if (due.length === 0) return;
      await sweepBatch(core, now, due, report, count);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.concurrency ?? 2) }, loop));
  return report;
}

async function sweepBatch(core: ServiceCore, now: Date, due: Order[], report: SweepReport, count: (type: TimerCommand) => void): Promise<void> {
  const pending: Pending[] = [];
  for (const order of due) {
    const type = dueCommandType(order);
    if (type === null) {
      report.skipped += 1;
      continue;
    }
    if (type === 'EXPIRE' && core.options.payments && (await appliedLatePayment(core, now, order))) {
      report.paidLate += 1;
      continue;
    }
    const result = core.lifecycle.transition(order, { type }, { now, actor: SWEEPER, policy: core.options.policy });
    if (!result.ok || result.changed === false) {
      report.skipped += 1;
      continue;
    }
    pending.push({ type, input: { order: result.order as Order, expectedVersion: order.version, events: result.events, effects: result.effects } });
  }
  const outcomes = await commitAll(core.options.store, pending, report);
  // A conflict means the order moved meanwhile: dispatch reloads it and asks the lifecycle again.
  for (let i = 0; i < pending.length; i++) {
    const { type, input } = pending[i]!;
    const outcome = outcomes[i]!;
    if (outcome === 'ok') count(type);
    else if (outcome === 'conflict') {
      const retried = await core.dispatchAt(now, input.order.id, { type }, SWEEPER);
      if (retried.ok && retried.changed) count(type);
      else report.skipped += 1;
    }
  }
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

/**
 * Asks the gateway about the open attempt before expiring: money that did arrive is applied as
 * PAYMENT_SUCCEEDED instead of being refunded later. A paid answer that cannot pay the order (a
 * different amount) is recorded as a stray payment by dispatch, and the order still expires.
 */
async function appliedLatePayment(core: ServiceCore, now: Date, order: Order): Promise<boolean> {
  const attempt = currentAttempt(order);
  if (attempt === undefined) return false;
  const answer = await core.options.payments!.query(order, attempt);
  if (!answer || !answer.paid) return false;
  const command = {
    type: 'PAYMENT_SUCCEEDED' as const,
    amount: answer.amount,
    transactionId: answer.transactionId,
    outTradeNo: answer.outTradeNo ?? attempt.outTradeNo,
    ...(answer.paidAt !== undefined ? { paidAt: answer.paidAt } : {}),
  };
  const result = await core.dispatchAt(now, order.id, command, { type: 'payment', gateway: 'query' });
  return result.ok && result.order.status !== 'pending_payment';
}
