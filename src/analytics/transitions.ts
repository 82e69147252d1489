import type { OrderEvent } from '../order/index.js';
import { parseIsoTime } from './iso-time.js';
import type { TransitionCount } from './types.js';

/**
 * How many times orders moved from one status to another in [from, to), by event time: the flow
 * between the funnel's steps, including the ways out (paid → closed). Events that did not change
 * the status (a remark, an after-sale request) are left out.
 *
 * @example
 * countTransitions(events, new Date('2026-11-01T00:00:00Z'), new Date('2026-12-01T00:00:00Z'))
 * // → [{ from: 'pending_payment', to: 'paid', count: 640 }, { from: 'paid', to: 'shipped', count: 590 }, …]
 */
export function countTransitions(events: readonly OrderEvent[], from: Date, to: Date): TransitionCount[] {
  const fromMs = from.getTime();
  const toMs = to.getTime();
  const counts = new Map<string, TransitionCount>();
  for (const e of events) {
    if (e.from === e.to) continue;
    const at = parseIsoTime(e.at);
    if (!(at >= fromMs && at < toMs)) continue;
    const key = `${e.from ?? ''}>${e.to}`;
    const row = counts.get(key);
    if (row) row.count++;
    else counts.set(key, { from: e.from, to: e.to, count: 1 });
  }
  return [...counts.values()].sort(compareTransitions);
}

/** Most frequent first; ties by from (null first), then to. */
export function compareTransitions(a: TransitionCount, b: TransitionCount): number {
  if (a.count !== b.count) return b.count - a.count;
  const af = a.from ?? '';
  const bf = b.from ?? '';
  if (af !== bf) return af < bf ? -1 : 1;
  return a.to < b.to ? -1 : a.to > b.to ? 1 : 0;
}
