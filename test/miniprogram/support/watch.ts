/**
 * `doc().watch()` for the cloud database TEST DOUBLE (src/adapters/wx-cloud/stand-in.ts) — a test
 * double too, not the real realtime push. It follows the documented shape of the mini program's
 * `db.collection(c).doc(id).watch({ onChange, onError })`: the first snapshot (`type: 'init'`,
 * `docChanges[0].dataType === 'init'`) arrives asynchronously after `watch()`, then one snapshot
 * per change of the document (`dataType: 'update'`, or `'remove'`), each with the current `docs`;
 * `watch()` returns `{ close() }` (a promise), after which nothing more is delivered.
 *
 * It is wrapped around the stand-in from the outside (the stand-in is another helper's file): the
 * stand-in's `beforeOperation` hook tells us an operation is about to run, and a check one
 * event-loop turn later (after the operation applied) compares each watched record with what was
 * last delivered, reading records through the stand-in's `dump()`.
 */
import type { CloudDatabaseStandIn, StandInOperation } from '../../../src/adapters/wx-cloud/index.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any;

interface Watch {
  collection: string;
  docId: string;
  onChange: (snapshot: Any) => void;
  onError: (error: unknown) => void;
  last: string | null;
  /** False until the init snapshot went out: changes are reported only after it. */
  ready: boolean;
  snapshots: number;
  closed: boolean;
}

export interface WatchHub {
  /** Pass as the stand-in's `beforeOperation`. */
  beforeOperation(op: StandInOperation): void;
  /** Give the hub the stand-in it reads from (after creating it with the hook above). */
  attach(db: CloudDatabaseStandIn): void;
  /** What the mini program's `wx.cloud.database()` returns: collection().doc().watch() only. */
  miniProgramDatabase(): Any;
  /** Open watchers. */
  open(): number;
  /** Snapshots delivered so far, all watchers. */
  delivered(): number;
}

export function createWatchHub(): WatchHub {
  let db: CloudDatabaseStandIn | null = null;
  const watches: Watch[] = [];
  let delivered = 0;

  function read(collection: string, docId: string): Any | null {
    if (!db) throw new Error('watch hub is not attached to a database');
    try {
      return db.dump(collection).find((d) => d._id === docId) ?? null;
    } catch {
      return null; // the collection does not exist yet
    }
  }

  function deliver(w: Watch, snapshot: Any): void {
    if (w.closed) return;
    w.snapshots += 1;
    delivered += 1;
    try {
      w.onChange(snapshot);
    } catch (error) {
      w.onError(error);
    }
  }

  function check(): void {
    for (const w of watches) {
      if (w.closed || !w.ready) continue;
      const doc = read(w.collection, w.docId);
      const now = doc === null ? null : JSON.stringify(doc);
      if (now === w.last) continue;
      const removed = doc === null;
      w.last = now;
      deliver(w, {
        id: w.snapshots,
        docs: removed ? [] : [doc],
        docChanges: [{ id: w.snapshots, dataType: removed ? 'remove' : 'update', queueType: removed ? 'dequeue' : 'update', docId: w.docId, doc: removed ? undefined : doc }],
      });
    }
  }

  function watch(collection: string, docId: string, options: { onChange: (s: Any) => void; onError: (e: unknown) => void }) {
    const w: Watch = { collection, docId, onChange: options.onChange, onError: options.onError, last: null, ready: false, snapshots: 0, closed: false };
    watches.push(w);
    setImmediate(() => {
      const doc = read(collection, docId);
      w.last = doc === null ? null : JSON.stringify(doc);
      w.ready = true;
      deliver(w, {
        id: 0,
        type: 'init',
        docs: doc === null ? [] : [doc],
        docChanges: doc === null ? [] : [{ id: 0, dataType: 'init', queueType: 'init', docId, doc }],
      });
    });
    return {
      close: async () => {
        w.closed = true;
      },
    };
  }

  return {
    beforeOperation() {
      // The operation applies right after this hook; look one turn later.
      setImmediate(check);
    },
    attach(d) {
      db = d;
    },
    miniProgramDatabase() {
      return {
        collection: (collection: string) => ({
          doc: (docId: string) => ({ watch: (o: Any) => watch(collection, String(docId), o) }),
        }),
      };
    },
    open: () => watches.filter((w) => !w.closed).length,
    delivered: () => delivered,
  };
}
