import type { Order } from '../../src/order/index.js';
import type { Outcome } from './invariants.js';

/** Commands that report what the payment gateway did (the service's callbacks). */
const CALLBACKS = new Set(['PAYMENT_SUCCEEDED', 'REFUND_SUCCEEDED', 'REFUND_FAILED', 'RECORD_STRAY_PAYMENT']);

export interface GiveUps {
  callbacks: number;
  others: number;
  /** Share of the other commands that gave up (0…1). */
  othersRate: number;
  p50: number;
  p99: number;
  max: number;
  /** Acknowledged callbacks the final order does not show (must stay empty). */
  missing: string[];
}

/**
 * Give-ups (a conflict not resolved by retrying: VERSION_CONFLICT or ORDER_BUSY) of callbacks and
 * of the other commands, the latency percentiles of all dispatches, and the acknowledged
 * callbacks missing from the final order.
 */
export function giveUps(final: Order, outcomes: Outcome[]): GiveUps {
  const missing: string[] = [];
  const busy = (o: Outcome) => !o.result.ok && (o.result.error.code === 'VERSION_CONFLICT' || o.result.error.code === 'ORDER_BUSY');
  const callbacks = outcomes.filter((o) => CALLBACKS.has(o.command.type));
  const others = outcomes.filter((o) => !CALLBACKS.has(o.command.type));
  // Acknowledged callbacks (ok, the answer that would be a 2xx) are in the final order.
  for (const o of callbacks) {
    if (!o.result.ok) continue;
    const c = o.command;
    if (c.type === 'PAYMENT_SUCCEEDED') {
      const known = final.payment.transactionId === c.transactionId || final.payment.stray.some((p) => p.transactionId === c.transactionId);
      if (!known) missing.push(`payment ${c.transactionId}`);
    }
    if (c.type === 'REFUND_SUCCEEDED') {
      if (final.refunds.find((r) => r.id === c.refundId)?.status !== 'succeeded') missing.push(`refund ${c.refundId}`);
    }
  }
  const times = outcomes.map((o) => o.ms ?? 0).sort((a, b) => a - b);
  const pct = (p: number) => times[Math.min(times.length - 1, Math.floor((p / 100) * times.length))] ?? 0;
  const othersGaveUp = others.filter(busy).length;
  return {
    callbacks: callbacks.filter(busy).length,
    others: othersGaveUp,
    othersRate: others.length === 0 ? 0 : othersGaveUp / others.length,
    p50: pct(50),
    p99: pct(99),
    max: times[times.length - 1] ?? 0,
    missing,
  };
}
