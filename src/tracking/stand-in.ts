import type { TrackingPort, TrackingQuery, TrackingTrace } from './types.js';

/**
 * A tracking provider for tests and demos (docs/tracking.md "The stand-in"): it answers from the
 * traces you put in, and can be made to fail like a real provider: down (rejects), slow (never
 * answers, so the caller's timeout fires) or garbled (answers something that is not a trace).
 * Every query it received is kept in `queries`.
 *
 * @example
 * const tracking = new StandInTracking();
 * tracking.put('SF1234567890', { state: 'in_transit', checkpoints: [{ at: '2026-11-26T01:30:00Z', text: '已揽收' }] });
 * tracking.mode = 'down'; // the next trace() rejects
 */
export class StandInTracking implements TrackingPort {
  /** `ok` answers from the traces; `down` rejects; `slow` never settles; `garbled` answers a non-trace. */
  mode: 'ok' | 'down' | 'slow' | 'garbled' = 'ok';
  readonly queries: TrackingQuery[] = [];
  private readonly traces = new Map<string, TrackingTrace>();

  put(trackingNo: string, trace: TrackingTrace): this {
    this.traces.set(trackingNo, { state: trace.state, checkpoints: trace.checkpoints.map((c) => ({ ...c })) });
    return this;
  }

  trace(query: TrackingQuery, options: { signal: AbortSignal }): Promise<TrackingTrace | null> {
    this.queries.push({ ...query });
    if (this.mode === 'down') return Promise.reject(new Error('tracking provider is down'));
    if (this.mode === 'slow') {
      return new Promise((_resolve, reject) => {
        options.signal.addEventListener('abort', () => reject(new Error('aborted')), { once: true });
      });
    }
    if (this.mode === 'garbled') return Promise.resolve({ state: 'teleported', checkpoints: 'none' } as unknown as TrackingTrace);
    const found = this.traces.get(query.trackingNo);
    return Promise.resolve(found === undefined ? null : { state: found.state, checkpoints: found.checkpoints.map((c) => ({ ...c })) });
  }
}
