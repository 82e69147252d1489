/**
 * What a mini program page sees of the cloud database, for tests: the TEST DOUBLE's mini program
 * side (`db.miniProgram({ openid })`, src/testing/cloud-database-stand-in.ts), which enforces the
 * collection's security rule on queries and `watch()` as Tencent documents it ("数据库安全规则":
 * the query must be a subset of the rule) and pushes snapshots in the documented shape (`type:
 * 'init'` first, then one per change). This hub only counts what it delivers and which watchers
 * are open, so a test can say "the page heard it through watch alone".
 */
import type { CloudDatabaseStandIn, StandInOperation, WatchOptions } from '../../../src/testing/index.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any;

export interface WatchHub {
  /** Kept for callers that pass it to the stand-in; the stand-in pushes on its own now. */
  beforeOperation(op: StandInOperation): void;
  /** Give the hub the stand-in it reads from. */
  attach(db: CloudDatabaseStandIn): void;
  /** What the mini program's `wx.cloud.database()` returns for the user `openid`. */
  miniProgramDatabase(openid: string): Any;
  /** Open watchers. */
  open(): number;
  /** Snapshots delivered so far, all watchers. */
  delivered(): number;
  /** Errors watchers received (a refused query, for one). */
  errors(): unknown[];
}

export function createWatchHub(): WatchHub {
  let db: CloudDatabaseStandIn | null = null;
  let open = 0;
  let delivered = 0;
  const errors: unknown[] = [];

  function counted(start: (o: WatchOptions) => { close(): Promise<void> }, o: WatchOptions) {
    let closed = false;
    open += 1;
    const watcher = start({
      onChange: (snapshot) => {
        if (closed) return;
        delivered += 1;
        o.onChange(snapshot);
      },
      onError: (error) => {
        errors.push(error);
        if (!closed) {
          closed = true;
          open -= 1;
        }
        o.onError(error);
      },
    });
    return {
      close: async () => {
        if (!closed) {
          closed = true;
          open -= 1;
        }
        await watcher.close();
      },
    };
  }

  return {
    beforeOperation() {
      // Nothing to do: the stand-in's mini program side pushes after each committed write.
    },
    attach(d) {
      db = d;
    },
    miniProgramDatabase(openid: string) {
      if (!db) throw new Error('watch hub is not attached to a database');
      const mp = db.miniProgram({ openid });
      return {
        command: mp.command,
        collection: (collection: string) => ({
          where: (condition: object) => ({
            get: () => mp.collection(collection).where(condition).get(),
            watch: (o: WatchOptions) => counted((w) => mp.collection(collection).where(condition).watch(w), o),
          }),
          doc: (docId: string) => ({
            get: () => mp.collection(collection).doc(docId).get(),
            watch: (o: WatchOptions) => counted((w) => mp.collection(collection).doc(docId).watch(w), o),
          }),
        }),
      };
    },
    open: () => open,
    delivered: () => delivered,
    errors: () => [...errors],
  };
}
