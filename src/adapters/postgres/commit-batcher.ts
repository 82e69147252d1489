import type { CommitInput } from '../../storage/port.js';

/**
 * Group commit for one store instance: while a commit statement is on its way, the commits that
 * arrive meanwhile wait and then leave together in one statement (one transaction, one flush to
 * disk, one turn at PostgreSQL's NOTIFY lock) instead of one statement each. A commit that finds
 * the way free leaves at once, so a quiet store adds no delay; a busy one trades a little latency
 * for throughput. Each order's compare-and-set is still its own: in a batch, one order's conflict
 * never stops another order's write.
 *
 * The batcher only decides what travels together. The store says how a batch is written and how
 * a lone commit is written (`CommitRoutes`).
 */

export interface CommitRoutes {
  /** Writes one commit alone, with the store's own errors (conflict, not found, bad effect id…). */
  one(input: CommitInput): Promise<void>;
  /**
   * Writes several commits in one statement. Resolves with, per input, undefined when it was
   * written or the error that commit gets (a version conflict, a missing order). Rejects when the
   * statement itself failed: nothing was written, and the batcher retries each commit alone so
   * that each gets its own answer.
   */
  many(inputs: CommitInput[]): Promise<Array<unknown | undefined>>;
}

interface Waiting {
  input: CommitInput;
  resolve: () => void;
  reject: (error: unknown) => void;
}

export interface CommitBatcherOptions {
  /** Statements on their way at once. Default 1: PostgreSQL serialises the commits that NOTIFY, and
   *  measured on 8 writers, one batch at a time beat two or three in every notify mode. */
  maxInFlight?: number;
  /** Commits per statement at most. Default 64. */
  maxBatch?: number;
  /**
   * A statement still on its way after this many milliseconds (waiting for a row another
   * transaction holds, say) stops holding the others back: the next batch leaves beside it.
   * Default 50.
   */
  stallMs?: number;
}

export class CommitBatcher {
  private readonly waiting: Waiting[] = [];
  private inFlight = 0;
  private readonly maxInFlight: number;
  private readonly maxBatch: number;
  private readonly stallMs: number;

  constructor(
    private readonly routes: CommitRoutes,
    options: CommitBatcherOptions = {},
  ) {
    this.maxInFlight = Math.max(1, Math.floor(options.maxInFlight ?? 1));
    this.maxBatch = Math.max(1, Math.floor(options.maxBatch ?? 64));
    this.stallMs = Math.max(0, options.stallMs ?? 50);
  }

  commit(input: CommitInput): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.waiting.push({ input, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    while (this.inFlight < this.maxInFlight && this.waiting.length > 0) {
      const batch = this.takeBatch();
      this.inFlight++;
      // Counted until it lands or stalls, whichever comes first.
      let counted = true;
      const release = () => {
        if (!counted) return;
        counted = false;
        this.inFlight--;
        this.pump();
      };
      const stalled = setTimeout(release, this.stallMs);
      stalled.unref?.();
      void this.send(batch).finally(() => {
        clearTimeout(stalled);
        release();
      });
    }
  }

  /**
   * The oldest waiting commits, at most one per order: a second commit of the same order (two
   * writers that loaded the same version) waits for the next statement, where it meets the first
   * one's new version and fails as the conflict it is.
   */
  private takeBatch(): Waiting[] {
    const batch: Waiting[] = [];
    const orders = new Set<string>();
    let kept = 0;
    for (let i = 0; i < this.waiting.length; i++) {
      const w = this.waiting[i]!;
      if (batch.length < this.maxBatch && !orders.has(w.input.order.id)) {
        orders.add(w.input.order.id);
        batch.push(w);
      } else {
        this.waiting[kept++] = w;
      }
    }
    this.waiting.length = kept;
    return batch;
  }

  private async send(batch: Waiting[]): Promise<void> {
    if (batch.length === 1) return settle(batch[0]!, () => this.routes.one(batch[0]!.input));
    let outcomes: Array<unknown | undefined>;
    try {
      outcomes = await this.routes.many(batch.map((w) => w.input));
    } catch (error) {
      if (!rolledBack(error)) {
        // A lost connection: the statement may or may not have committed. Writing again could
        // apply a command twice, so every commit of the batch gets this error, as a lone one would.
        for (const w of batch) w.reject(error);
        return;
      }
      // PostgreSQL refused the statement (a duplicate effect id…) and rolled it back: nothing of
      // it was written. Each commit goes again alone and meets its own error, or succeeds.
      await Promise.all(batch.map((w) => settle(w, () => this.routes.one(w.input))));
      return;
    }
    for (let i = 0; i < batch.length; i++) {
      const error = outcomes[i];
      if (error === undefined) batch[i]!.resolve();
      else batch[i]!.reject(error);
    }
  }
}

async function settle(w: Waiting, write: () => Promise<void>): Promise<void> {
  try {
    await write();
    w.resolve();
  } catch (error) {
    w.reject(error);
  }
}

/**
 * True for an error PostgreSQL answered with after rolling the statement back: bad data (class
 * 22), a broken constraint (23) or a rolled-back transaction (40). Anything else, a dropped
 * connection above all, leaves the outcome unknown.
 */
function rolledBack(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.length === 5 && (code.startsWith('22') || code.startsWith('23') || code.startsWith('40'));
}
