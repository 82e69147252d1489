import type { ChangeHub } from './change-hub.js';
import type { Report } from './figures.js';
import type { OrderChange } from './orderkit/index.js';
import type { SseStream } from './sse.js';

/**
 * Pushes fresh figures to every open dashboard. A burst of changes (a sweep closing fifty orders)
 * leads to one recomputation after a short pause, shared by all dashboards, instead of one per
 * change per viewer; the raw changes themselves go out at once for the live list.
 */
export class DashboardFeed {
  private readonly streams = new Set<SseStream>();
  private readonly resumed = new Set<SseStream>();
  private timer: ReturnType<typeof setTimeout> | null = null;
  private running = false;
  private dirty = false;
  private off: (() => void) | null = null;
  /** The latest changes, newest first, for a dashboard that just opened. */
  readonly recent: OrderChange[] = [];

  constructor(
    private readonly compute: () => Promise<Report>,
    private readonly onError: (error: unknown) => void,
    private readonly debounceMs = 400,
  ) {}

  start(hub: ChangeHub): void {
    this.off = hub.onAny((change) => {
      this.recent.unshift(change);
      if (this.recent.length > 50) this.recent.length = 50;
      for (const s of this.streams) if (!this.resumed.has(s)) s.send('change', change, change.position);
      this.schedule();
    });
  }

  /**
   * A stream for the figures and the changes. `ownChanges`: the stream resumed from a position and
   * gets its changes from its own subscription, so only the figures come from here.
   */
  add(stream: SseStream, options: { ownChanges?: boolean } = {}): () => void {
    this.streams.add(stream);
    if (options.ownChanges) this.resumed.add(stream);
    return () => {
      this.streams.delete(stream);
      this.resumed.delete(stream);
    };
  }

  private schedule(): void {
    if (this.streams.size === 0) return;
    if (this.running) {
      this.dirty = true;
      return;
    }
    if (this.timer) return;
    this.timer = setTimeout(() => void this.push(), this.debounceMs);
    this.timer.unref?.();
  }

  private async push(): Promise<void> {
    this.timer = null;
    this.running = true;
    this.dirty = false;
    try {
      const report = await this.compute();
      for (const s of this.streams) s.send('figures', report);
    } catch (error) {
      this.onError(error);
    } finally {
      this.running = false;
      if (this.dirty) this.schedule();
    }
  }

  stop(): void {
    this.off?.();
    if (this.timer) clearTimeout(this.timer);
    for (const s of this.streams) s.close();
    this.streams.clear();
  }
}
