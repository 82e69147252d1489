import { expect } from 'vitest';
import type { Actor, Command, Order, OrderEvent } from '../../src/order/index.js';
import type { ServiceResult } from '../../src/service/index.js';

export { prng } from './prng.js';

export interface Outcome {
  command: Command;
  actor?: Actor;
  result: ServiceResult;
  /** How long the dispatch took, in milliseconds. */
  ms?: number;
}

export interface RaceSummary {
  accepted: number;
  noops: number;
  rejected: number;
  exhausted: number;
  byType: Record<string, number>;
}

/**
 * What no interleaving may break: every accepted change is in the history at its own version,
 * versions run 1…n without a gap or a repeat (no lost update), the final version is the number of
 * accepted changes plus `baseVersion` (the version before the race), and refunds never exceed
 * what was paid (stray payments, refunded in full, counted apart).
 */
export function checkNoLostUpdate(final: Order, history: OrderEvent[], outcomes: Outcome[], baseVersion = 1): RaceSummary {
  const summary: RaceSummary = { accepted: 0, noops: 0, rejected: 0, exhausted: 0, byType: {} };
  const byVersion = new Map<number, OrderEvent[]>();
  for (const e of history) byVersion.set(e.version, [...(byVersion.get(e.version) ?? []), e]);
  const acceptedVersions: number[] = [];
  for (const { command, result } of outcomes) {
    if (!result.ok) {
      if (result.error.code === 'VERSION_CONFLICT') summary.exhausted++;
      else summary.rejected++;
      continue;
    }
    if (!result.changed) {
      summary.noops++;
      continue;
    }
    summary.accepted++;
    summary.byType[command.type] = (summary.byType[command.type] ?? 0) + 1;
    acceptedVersions.push(result.order.version);
    expect(byVersion.get(result.order.version), `events of accepted ${command.type} at v${result.order.version}`).toEqual(result.events);
  }
  acceptedVersions.sort((a, b) => a - b);
  expect(acceptedVersions).toEqual(Array.from({ length: summary.accepted }, (_, i) => i + baseVersion + 1));
  expect(final.version).toBe(summary.accepted + baseVersion);
  expect([...byVersion.keys()].sort((a, b) => a - b)).toEqual(Array.from({ length: final.version }, (_, i) => i + 1));
  // Money out never exceeds money in: refunds of the order's payment stay within what it paid,
  // and refunds of stray payments (money that arrived after a close) within those payments.
  const live = final.refunds.filter((r) => r.status !== 'failed');
  const sum = (list: Array<{ amount: number }>) => list.reduce((s, r) => s + r.amount, 0);
  expect(sum(live.filter((r) => r.reason !== 'stray_payment'))).toBeLessThanOrEqual(final.payment.paidAmount);
  expect(sum(live.filter((r) => r.reason === 'stray_payment'))).toBeLessThanOrEqual(sum(final.payment.stray));
  return summary;
}
