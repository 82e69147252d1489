import type { OrderStore, OutboxEntry } from '../storage/port.js';
import type { Clock, DrainOptions, DrainReport, EffectHandler, EffectHandlers } from './types.js';

/**
 * Delivers outbox effects: claim a batch (leased, so other workers skip it), hand each effect to
 * its handler, then complete it, or fail it with an exponential backoff. Delivery is
 * at-least-once: a worker that dies mid-batch leaves its effects to be claimed again when the
 * lease runs out, so handlers use `effect.id` to drop repeats.
 */
export async function drainOutbox(store: OrderStore, clock: Clock, handlers: EffectHandlers, options: DrainOptions = {}): Promise<DrainReport> {
  const limit = options.limit ?? 50;
  const leaseMs = options.leaseMs ?? 30_000;
  const maxBatches = options.maxBatches ?? 20;
  const baseMs = options.retryBaseMs ?? 1000;
  const maxMs = options.retryMaxMs ?? 3_600_000;
  const report: DrainReport = { claimed: 0, delivered: 0, failed: 0, unhandled: 0 };
  for (let batch = 0; batch < maxBatches; batch++) {
    const entries = await store.claim(limit, leaseMs, clock.now());
    if (entries.length === 0) break;
    report.claimed += entries.length;
    // In claim order, one at a time: effects of one order keep the order they were written in.
    for (const entry of entries) await deliver(store, clock, handlers, entry, report, baseMs, maxMs);
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
): Promise<void> {
  const effect = entry.effect;
  const handler = handlers[effect.type] as EffectHandler | undefined;
  if (!handler) {
    if (effect.type === 'schedule') {
      // Deadlines are kept by `sweep`; a shop that schedules timers elsewhere passes a handler.
      await store.complete(effect.id, clock.now());
      report.delivered += 1;
      return;
    }
    report.unhandled += 1;
    await store.fail(effect.id, retryAt(clock.now(), entry.attempts, baseMs, maxMs), `no handler for ${effect.type}`);
    return;
  }
  try {
    await handler(effect as never, { attempts: entry.attempts });
  } catch (error) {
    report.failed += 1;
    await store.fail(effect.id, retryAt(clock.now(), entry.attempts, baseMs, maxMs), describe(error));
    return;
  }
  await store.complete(effect.id, clock.now());
  report.delivered += 1;
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

