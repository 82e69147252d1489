import type { OrderStore, OutboxEntry } from '../storage/port.js';
import type { Clock, DrainOptions, DrainReport, EffectHandler, EffectHandlers } from './types.js';

/**
 * Delivers outbox effects: claim a batch (leased, so other workers skip it), hand each effect to
 * its handler, then complete it, or fail it with an exponential backoff. Delivery is
 * at-least-once: a worker that dies mid-batch leaves its effects to be claimed again when the
 * lease runs out, so handlers use `effect.id` to drop repeats.
 *
 * Effects of one order are delivered in the order they were written, also across redelivery: the
 * store hands out a later effect only together with the earlier open ones of its order
 * (`OrderStore.claim`), and when one fails here, the later effects of its order in this batch are
 * handed back untried and wait for its retry (docs/storage.md, "Outbox").
 *
 * Every complete, fail and release carries the entry's lease token: a worker slower than its
 * lease, whose effect another worker claimed since, changes nothing (the other worker's lease and
 * bookkeeping stand).
 */
export async function drainOutbox(store: OrderStore, clock: Clock, handlers: EffectHandlers, options: DrainOptions = {}): Promise<DrainReport> {
  const limit = options.limit ?? 50;
  const leaseMs = options.leaseMs ?? 30_000;
  const maxBatches = options.maxBatches ?? 20;
  const baseMs = options.retryBaseMs ?? 1000;
  const maxMs = options.retryMaxMs ?? 3_600_000;
  const report: DrainReport = { claimed: 0, delivered: 0, failed: 0, unhandled: 0, deferred: 0 };
  for (let batch = 0; batch < maxBatches; batch++) {
    const entries = await store.claim(limit, leaseMs, clock.now());
    if (entries.length === 0) break;
    report.claimed += entries.length;
    // In claim order, one at a time: effects of one order keep the order they were written in.
    const stopped = new Set<string>();
    const deferred: OutboxEntry[] = [];
    for (const entry of entries) {
      const orderId = entry.effect.orderId;
      if (stopped.has(orderId)) {
        // An earlier effect of this order failed: hand this one back untried; the store keeps it
        // behind the failed one until that one is delivered.
        deferred.push(entry);
        continue;
      }
      if (!(await deliver(store, clock, handlers, entry, report, baseMs, maxMs))) stopped.add(orderId);
    }
    if (deferred.length > 0) {
      report.deferred += deferred.length;
      const ids = deferred.map((e) => e.effect.id);
      if (store.release) await store.release(ids, deferred.map((e) => e.leaseToken));
      else for (const e of deferred) await store.fail(e.effect.id, clock.now(), undefined, e.leaseToken);
    }
    if (entries.length < limit) break;
  }
  return report;
}

async function deliver(
  store: OrderStore,
  clock: Clock,
  handlers: EffectHandlers,
  entry: OutboxEntry,
  report: DrainReport,
  baseMs: number,
  maxMs: number,
): Promise<boolean> {
  const effect = entry.effect;
  const handler = handlers[effect.type] as EffectHandler | undefined;
  if (!handler) {
    if (effect.type === 'schedule' || effect.type === 'inventory.take') {
      // Deadlines are kept by `sweep`; a shop that schedules timers elsewhere passes a handler.
      // 换货's take: a service with an inventory that has `take` took it before the commit (its own
      // handler is added); without one there is nothing to do here, and a shop keeping its stock
      // elsewhere passes a handler (docs/inventory.md "Exchanges"). Left undelivered, it would hold
      // back every later effect of the order, a refund included.
      await store.complete(effect.id, clock.now(), entry.leaseToken);
      report.delivered += 1;
      return true;
    }
    report.unhandled += 1;
    await store.fail(effect.id, retryAt(clock.now(), entry.attempts, baseMs, maxMs), `no handler for ${effect.type}`, entry.leaseToken);
    return false;
  }
  try {
    await handler(effect as never, { attempts: entry.attempts });
  } catch (error) {
    report.failed += 1;
    await store.fail(effect.id, retryAt(clock.now(), entry.attempts, baseMs, maxMs), describe(error), entry.leaseToken);
    return false;
  }
  await store.complete(effect.id, clock.now(), entry.leaseToken);
  report.delivered += 1;
  return true;
}

/**
 * base × 2^attempts, capped, with ±20 % jitter so failed effects do not retry in lockstep.
 *
 * @example
 * retryAt(now, 3, 1000, 3_600_000) // about now + 8 s
 */
export function retryAt(now: Date, attempts: number, baseMs: number, maxMs: number): Date {
  const delay = Math.min(maxMs, baseMs * 2 ** Math.min(attempts, 30));
  const jitter = delay * 0.2 * (Math.random() * 2 - 1);
  return new Date(now.getTime() + Math.max(0, Math.round(delay + jitter)));
}

function describe(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return text.length > 500 ? `${text.slice(0, 497)}...` : text;
}

