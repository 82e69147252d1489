import { randomBytes } from 'node:crypto';
import type { CloudCollection, CloudDatabase, CloudDocument, CloudQuery } from './database.js';
import { applyUpdate, assertPlainData, clone, compareValues, createCommand, deepEqual, getPath, isPlainObject, matches, StandInCommand, type Doc } from './stand-in-semantics.js';

/**
 * A TEST DOUBLE of the WeChat cloud database — NOT the cloud database. It follows the documented
 * semantics that `WxCloudOrderStore` depends on, so the store's logic can be tested anywhere:
 * `get()` returns at most 100 records; `where().update()` answers `stats.updated` (records actually
 * changed); `add` refuses a taken `_id`; `doc().get()` throws for a missing record (unless
 * `throwOnNotFound: false`); updates merge field by field; collections must exist before use;
 * transactions allow single-record operations only and refuse `where`. Every operation is
 * asynchronous and atomic on its own, so concurrent callers interleave between operations, as they
 * do against the real service. What it cannot show: real latency, index use, quotas, and the
 * service's own failure modes. Passing against it is necessary, not sufficient: run the
 * deployment checklist in docs/wechat.md against a real environment too.
 */
export const STAND_IN_LABEL = 'TEST DOUBLE of the WeChat cloud database (not the cloud database)';

export interface StandInOperation {
  collection: string;
  kind: 'get' | 'count' | 'update' | 'remove' | 'add' | 'doc.get' | 'doc.set' | 'doc.update' | 'doc.remove' | 'createCollection' | 'transaction.commit';
  id?: string;
  condition?: unknown;
  data?: unknown;
}

export interface CloudDatabaseStandInOptions {
  /** Collections that exist from the start. */
  collections?: string[];
  /** Create a collection on first use instead of failing like the real service. Default false. */
  autoCreateCollections?: boolean;
  /** Like `cloud.database({ throwOnNotFound })`. Default true, as in wx-server-sdk. */
  throwOnNotFound?: boolean;
  /** Most records one `get()` returns. Default 100 (a cloud function's limit). */
  maxLimit?: number;
  /**
   * Called before every operation runs. Throw to make that operation fail; use it to simulate a
   * network error or a function killed half-way through a sequence of writes.
   */
  beforeOperation?: (operation: StandInOperation) => void | Promise<void>;
}

export interface StandInTransaction {
  collection(name: string): {
    doc(id: string): CloudDocument;
    add(options: { data: object }): Promise<{ _id: string }>;
    where(condition: object): never;
  };
  rollback(reason?: unknown): Promise<void>;
}

export interface CloudDatabaseStandIn extends CloudDatabase {
  readonly label: string;
  command: ReturnType<typeof createCommand>;
  collection(name: string): CloudCollection;
  createCollection(name: string): Promise<{ errMsg: string }>;
  runTransaction<T>(body: (tx: StandInTransaction) => Promise<T>, times?: number): Promise<T>;
  startTransaction(): Promise<StandInTransaction & { commit(): Promise<void> }>;
  /** Every record of a collection, sorted by `_id` (copies). */
  dump(collection: string): Doc[];
  /** Counts of operations by kind since creation or the last `resetCounters()`. */
  readonly counters: Record<string, number>;
  resetCounters(): void;
}

interface Row {
  data: Doc;
  rev: number;
}

function cloudError(errCode: number, errMsg: string): Error {
  return Object.assign(new Error(`errCode: ${errCode} | errMsg: ${errMsg}`), { errCode, errMsg });
}

/**
 * Creates an empty TEST DOUBLE of the cloud database (see `STAND_IN_LABEL`).
 *
 * @example
 * const db = createCloudDatabaseStandIn();
 * const store = new WxCloudOrderStore(db);
 * await store.ensureCollections();
 */
export function createCloudDatabaseStandIn(options: CloudDatabaseStandInOptions = {}): CloudDatabaseStandIn {
  const tables = new Map<string, Map<string, Row>>();
  for (const name of options.collections ?? []) tables.set(name, new Map());
  const maxLimit = options.maxLimit ?? 100;
  const throwOnNotFound = options.throwOnNotFound ?? true;
  const command = createCommand();
  let counters: Record<string, number> = {};

  async function enter(op: StandInOperation): Promise<Map<string, Row>> {
    await pass(op);
    return table(op.collection);
  }

  async function pass(op: StandInOperation): Promise<void> {
    // Yield first: concurrent callers interleave between operations, never inside one.
    await new Promise<void>((resolve) => setImmediate(resolve));
    counters[op.kind] = (counters[op.kind] ?? 0) + 1;
    if (options.beforeOperation) await options.beforeOperation(op);
  }

  function table(name: string): Map<string, Row> {
    let t = tables.get(name);
    if (!t) {
      if (!options.autoCreateCollections) throw cloudError(-502005, `database collection not exists: ${name}`);
      t = new Map();
      tables.set(name, t);
    }
    return t;
  }

  function newId(t: Map<string, Row>): string {
    let id: string;
    do id = randomBytes(16).toString('hex');
    while (t.has(id));
    return id;
  }

  function select(t: Map<string, Row>, condition: unknown): Doc[] {
    const out: Doc[] = [];
    for (const row of t.values()) if (condition === undefined || matches(row.data, condition)) out.push(row.data);
    return out;
  }

  function query(collection: string, condition: unknown, orders: Array<[string, 'asc' | 'desc']>, skipN: number, limitN: number | null): CloudQuery {
    const and = (c: object): unknown => (condition === undefined ? c : new StandInCommand('logic', 'and', [condition, c]));
    return {
      where: (c) => query(collection, and(c), orders, skipN, limitN),
      orderBy: (field, direction) => query(collection, condition, [...orders, [field, direction]], skipN, limitN),
      skip: (n) => query(collection, condition, orders, n, limitN),
      limit: (n) => query(collection, condition, orders, skipN, n),
      async get() {
        const t = await enter({ collection, kind: 'get', condition });
        const found = select(t, condition);
        found.sort((a, b) => {
          for (const [field, dir] of orders) {
            const c = compareValues(getPath(a, field), getPath(b, field));
            if (c !== 0) return dir === 'desc' ? -c : c;
          }
          return 0;
        });
        const size = Math.min(limitN ?? maxLimit, maxLimit);
        return { data: found.slice(skipN, skipN + size).map((d) => clone(d)), errMsg: 'collection.get:ok' };
      },
      async count() {
        const t = await enter({ collection, kind: 'count', condition });
        return { total: select(t, condition).length, errMsg: 'collection.count:ok' };
      },
      async update({ data }) {
        const t = await enter({ collection, kind: 'update', condition, data });
        let updated = 0;
        for (const row of t.values()) {
          if (condition !== undefined && !matches(row.data, condition)) continue;
          const next = applyUpdate(row.data, data);
          if (!deepEqual(next, row.data)) {
            row.data = next;
            row.rev += 1;
            updated += 1;
          }
        }
        return { stats: { updated }, errMsg: 'collection.update:ok' };
      },
      async remove() {
        const t = await enter({ collection, kind: 'remove', condition });
        let removed = 0;
        for (const [id, row] of t) {
          if (condition === undefined || matches(row.data, condition)) {
            t.delete(id);
            removed += 1;
          }
        }
        return { stats: { removed }, errMsg: 'collection.remove:ok' };
      },
    };
  }

  function doc(collection: string, id: string): CloudDocument {
    return {
      async get() {
        const t = await enter({ collection, kind: 'doc.get', id });
        const row = t.get(id);
        if (!row && throwOnNotFound) throw cloudError(-502004, `document.get:fail document with _id ${id} does not exist`);
        return { data: row ? clone(row.data) : null, errMsg: 'document.get:ok' };
      },
      async set({ data }) {
        assertPlainData(data, 'doc.set');
        const t = await enter({ collection, kind: 'doc.set', id, data });
        const existing = t.get(id);
        const next = { ...clone(data as Doc), _id: id };
        t.set(id, { data: next, rev: (existing?.rev ?? 0) + 1 });
        return { _id: id, stats: { updated: existing ? 1 : 0, created: existing ? 0 : 1 }, errMsg: 'document.set:ok' };
      },
      async update({ data }) {
        const t = await enter({ collection, kind: 'doc.update', id, data });
        const row = t.get(id);
        if (!row) return { stats: { updated: 0 }, errMsg: 'document.update:ok' };
        const next = applyUpdate(row.data, data);
        const changed = !deepEqual(next, row.data);
        if (changed) t.set(id, { data: next, rev: row.rev + 1 });
        return { stats: { updated: changed ? 1 : 0 }, errMsg: 'document.update:ok' };
      },
      async remove() {
        const t = await enter({ collection, kind: 'doc.remove', id });
        const removed = t.delete(id) ? 1 : 0;
        return { stats: { removed }, errMsg: 'document.remove:ok' };
      },
    };
  }

  function collection(name: string): CloudCollection {
    return {
      ...query(name, undefined, [], 0, null),
      doc: (id: string) => doc(name, String(id)),
      async add({ data }) {
        assertPlainData(data, 'collection.add');
        if (!isPlainObject(data)) throw cloudError(-501007, 'collection.add:fail data must be an object');
        const t = await enter({ collection: name, kind: 'add', data });
        const given = (data as Doc)._id;
        const id = given === undefined ? newId(t) : String(given);
        if (t.has(id)) throw cloudError(-502001, `collection.add:fail duplicate key error: _id ${id}`);
        t.set(id, { data: { ...clone(data as Doc), _id: id }, rev: 1 });
        return { _id: id, errMsg: 'collection.add:ok' };
      },
    };
  }

  function transaction() {
    // Optimistic: remember the revision of every record touched, apply all writes at commit if
    // none of them changed meanwhile (the service reports a conflict and runTransaction retries).
    const seen = new Map<string, number>();
    const writes = new Map<string, Doc | null>();
    let state: 'open' | 'done' = 'open';
    const key = (c: string, id: string) => `${c}\u0000${id}`;
    const current = (c: string, id: string): Doc | undefined => {
      const k = key(c, id);
      const row = table(c).get(id);
      if (!seen.has(k)) seen.set(k, row?.rev ?? 0);
      if (writes.has(k)) return writes.get(k) ?? undefined;
      return row ? clone(row.data) : undefined;
    };
    const open = () => {
      if (state !== 'open') throw cloudError(-502006, 'transaction already finished');
    };
    const tx = {
      collection(c: string) {
        return {
          doc(id: string): CloudDocument {
            return {
              async get() {
                open();
                const d = current(c, id);
                if (!d && throwOnNotFound) throw cloudError(-502004, `document.get:fail document with _id ${id} does not exist`);
                return { data: d ? clone(d) : null };
              },
              async set({ data }) {
                open();
                assertPlainData(data, 'transaction doc.set');
                current(c, id);
                writes.set(key(c, id), { ...clone(data as Doc), _id: id });
                return { stats: { updated: 1 } };
              },
              async update({ data }) {
                open();
                const d = current(c, id);
                if (!d) return { stats: { updated: 0 } };
                writes.set(key(c, id), applyUpdate(d, data));
                return { stats: { updated: 1 } };
              },
              async remove() {
                open();
                current(c, id);
                writes.set(key(c, id), null);
                return { stats: { removed: 1 } };
              },
            };
          },
          async add({ data }: { data: object }) {
            open();
            assertPlainData(data, 'transaction add');
            const given = (data as Doc)._id;
            const id = given === undefined ? newId(table(c)) : String(given);
            if (current(c, id)) throw cloudError(-502001, `collection.add:fail duplicate key error: _id ${id}`);
            writes.set(key(c, id), { ...clone(data as Doc), _id: id });
            return { _id: id };
          },
          where(): never {
            throw cloudError(-502007, 'transaction does not support where: only single-record operations (doc, add) are allowed');
          },
        };
      },
      async rollback(reason?: unknown) {
        state = 'done';
        throw { rolledBack: true, reason };
      },
      async commit() {
        open();
        await pass({ collection: '', kind: 'transaction.commit' });
        for (const [k, rev] of seen) {
          const [c, id] = k.split('\u0000') as [string, string];
          if ((table(c).get(id)?.rev ?? 0) !== rev) throw cloudError(-502008, 'transaction conflict');
        }
        for (const [k, d] of writes) {
          const [c, id] = k.split('\u0000') as [string, string];
          const t = table(c);
          if (d === null) t.delete(id);
          else t.set(id, { data: d, rev: (t.get(id)?.rev ?? 0) + 1 });
        }
        state = 'done';
      },
    };
    return tx;
  }

  return {
    label: STAND_IN_LABEL,
    command,
    collection,
    async createCollection(name: string) {
      await pass({ collection: name, kind: 'createCollection' });
      if (tables.has(name)) throw cloudError(-501001, `database collection already exists: ${name}`);
      tables.set(name, new Map());
      return { errMsg: 'createCollection:ok' };
    },
    async runTransaction<T>(body: (tx: StandInTransaction) => Promise<T>, times = 3): Promise<T> {
      for (let attempt = 1; ; attempt++) {
        const tx = transaction();
        let result: T;
        try {
          result = await body(tx as unknown as StandInTransaction);
        } catch (e) {
          if (e && typeof e === 'object' && (e as { rolledBack?: boolean }).rolledBack) throw (e as { reason?: unknown }).reason;
          throw e;
        }
        try {
          await tx.commit();
          return result;
        } catch (e) {
          if ((e as { errCode?: number }).errCode !== -502008 || attempt >= times) throw e;
        }
      }
    },
    async startTransaction() {
      const tx = transaction();
      return {
        collection: tx.collection,
        commit: tx.commit,
        rollback: async (reason?: unknown) => {
          await tx.rollback(reason).catch(() => undefined);
        },
      } as unknown as StandInTransaction & { commit(): Promise<void> };
    },
    dump(name: string) {
      return [...(tables.get(name)?.values() ?? [])].map((r) => clone(r.data)).sort((a, b) => compareValues(a._id, b._id));
    },
    get counters() {
      return counters;
    },
    resetCounters() {
      counters = {};
    },
  };
}
