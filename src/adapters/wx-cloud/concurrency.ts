import { ok, fail, type Result } from '../../errors/result.js';
/**
 * Bounded parallelism for the store's fan-out writes (lease updates, event records). The basic
 * plan allows about 20 concurrent database connections per environment (page "资源配额", see
 * docs/wechat.md), shared by every running function; `Promise.all` over 100 updates meets
 * `-501004`. Each item's outcome is kept on its own, so a refused item never undoes the others.
 * Written here (not a library) because it is ten lines and the cloud functions run on Node 16.
 */
export type Settled<T> = Result<{ value: T }, unknown>;

export async function mapSettled<I, T>(items: readonly I[], limit: number, fn: (item: I, index: number) => Promise<T>): Promise<Array<Settled<T>>> {
  const out: Array<Settled<T>> = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      try {
        out[i] = ok({ value: await fn(items[i]!, i) });
      } catch (error) {
        out[i] = fail(error);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return out;
}

/** Waits a little, with jitter, before trying a contended write again. */
export function backoff(attempt: number, random: () => number = Math.random): Promise<void> {
  const ms = Math.min(100, 2 ** Math.min(attempt, 7)) * random();
  return new Promise((resolve) => setTimeout(resolve, ms));
}
