import { randomBytes } from 'node:crypto';
import type { CloudCollection, CloudDatabase, CloudDocument, CloudQuery } from '../adapters/wx-cloud/database.js';
import { invalidFieldName } from '../adapters/wx-cloud/field-names.js';
import { queryAllowed, substituteOpenid, type SecurityRuleText } from './stand-in-rules.js';
import {
  applyUpdate,
  assertPlainData,
  clone,
  compareValues,
  createCommand,
  deepEqual,
  getPath,
  isPlainObject,
  matches,
  resolveServerDates,
  StandInCommand,
  StandInServerDate,
  UpdatePathError,
  type Doc,
} from './stand-in-semantics.js';

/**
 * A TEST DOUBLE of the WeChat cloud database — NOT the cloud database. It follows the documented
 * behaviour that `WxCloudOrderStore` depends on, and is unkind where the real service is unkind.
 * docs/wechat.md ("The test double, rule by rule") lists every rule below with the Tencent page it
 * follows:
 *
 * - errors ("错误码"): every failed database request is `-502001`; a taken `_id` is one case, with
 *   `E11000 duplicate key` in `errMsg`; `-501004` beyond the concurrency quota; `-501002` for a
 *   response that timed out, which can come AFTER the write applied; `-502005` for a missing
 *   collection; `-502003` for a mini program query the security rules refuse;
 * - page caps ("Collection.limit"): `get()` returns at most 100 records (or the cap given: 20 in a
 *   mini program, 1000 in newer cloud function SDKs);
 * - updates ("Command.set", "更新数据"): plain objects merge field by field, `_.set` replaces,
 *   `_.remove` deletes, `_.inc` adds; a path through `null` or a non-object fails (never turns it
 *   into `{}`); field names with `.` or a leading `$` fail;
 * - `db.serverDate()` ("serverDate"): the server's clock (`clock` option), stored as a date;
 * - transactions ("Database.runTransaction", "Database.startTransaction", "数据库事务"):
 *   single-record operations only (`doc`, `add`), snapshot reads, a write to a record another
 *   operation changed since the transaction began (or another open transaction wrote) fails AT THE
 *   WRITE with a write conflict and aborts the transaction, writes are invisible until commit,
 *   non-transactional writes to a record wait for the transaction holding it, and a transaction
 *   open longer than 30 s is rolled back;
 * - mini program side ("数据库安全规则", "实时数据推送"): `miniProgram({ openid })` gives the
 *   database a page sees, where a query or `watch()` must be a subset of the collection's rule.
 *
 * Every operation is asynchronous and atomic on its own, so concurrent callers interleave between
 * operations, as they do against the real service; faults can be injected at any operation
 * (`fault`, `beforeOperation`). What it cannot show: real latency, index use, and failures nobody
 * documented. Passing against it is necessary, not sufficient: run the deployment checklist in
 * docs/wechat.md against a real environment too.
 */
export const STAND_IN_LABEL = 'TEST DOUBLE of the WeChat cloud database (not the cloud database)';

export interface StandInOperation {
  collection: string;
  kind:
    | 'get'
    | 'count'
    | 'update'
    | 'remove'
    | 'add'
    | 'doc.get'
    | 'doc.set'
    | 'doc.update'
    | 'doc.remove'
    | 'createCollection'
    | 'transaction.get'
    | 'transaction.write'
    | 'transaction.commit'
    | 'watch';
  id?: string;
  condition?: unknown;
  data?: unknown;
}

/**
 * A fault injected into one operation:
 * - `request-failed`: `-502001` without E11000 (the request failed; nothing applied);
 * - `quota`: `-501004`, refused over the concurrency quota (nothing applied);
 * - `timeout-before`: `-501002` (nothing applied);
 * - `timeout-after`: `-501002` AFTER the operation applied (the answer was lost).
 */
export type StandInFault = 'request-failed' | 'quota' | 'timeout-before' | 'timeout-after';

export interface CloudDatabaseStandInOptions {
  /** Collections that exist from the start. */
  collections?: string[];
  /** Create a collection on first use instead of failing like the real service. Default false. */
  autoCreateCollections?: boolean;
  /** Like `cloud.database({ throwOnNotFound })`. Default true, as in wx-server-sdk. */
  throwOnNotFound?: boolean;
  /** Most records one server-side `get()` returns: 100 (default), or 1000 as newer SDKs allow. */
  pageCap?: 20 | 100 | 1000;
  /** @deprecated use `pageCap`. */
  maxLimit?: number;
  /** Operations in flight at once before `-501004` (the basic plan allows 20). Default unlimited. */
  maxConcurrent?: number;
  /** The server's clock (epoch ms) for `serverDate()` and the transaction limit. Default `Date.now`. */
  clock?: () => number;
  /** How long a transaction may stay open. Default 30 000 ms, as documented. */
  transactionLimitMs?: number;
  /** Decides a fault for each operation (return nothing for none). */
  fault?: (operation: StandInOperation) => StandInFault | null | undefined | void;
  /** Called before every operation runs; throw to make it fail before applying. */
  beforeOperation?: (operation: StandInOperation) => void | Promise<void>;
  /** Security rules for the mini program side, per collection (read rules; see stand-in-rules.ts). */
  rules?: Record<string, { read: SecurityRuleText }>;
}

export interface StandInTransaction {
  collection(name: string): {
    doc(id: string): CloudDocument;
    add(options: { data: object }): Promise<{ _id: string }>;
    where(condition: object): never;
  };
  rollback(reason?: unknown): Promise<void>;
}

export interface WatchSnapshot {
  id: number;
  type?: 'init';
  docs: Doc[];
  docChanges: Array<{ id: number; dataType: 'init' | 'add' | 'update' | 'remove'; docId: string; doc?: Doc }>;
}
export interface WatchOptions {
  onChange(snapshot: WatchSnapshot): void;
  onError(error: unknown): void;
}
export interface Watcher {
  close(): Promise<void>;
}

/** The part of `wx.cloud.database()` a mini program page uses: reads and `watch()`, under rules. */
export interface MiniProgramDatabase {
  command: ReturnType<typeof createCommand>;
  collection(name: string): MiniProgramQuery & { doc(id: string): { get(): Promise<{ data: Doc }>; watch(options: WatchOptions): Watcher } };
}
export interface MiniProgramQuery {
  where(condition: object): MiniProgramQuery;
  orderBy(field: string, direction: 'asc' | 'desc'): MiniProgramQuery;
  skip(n: number): MiniProgramQuery;
  limit(n: number): MiniProgramQuery;
  get(): Promise<{ data: Doc[] }>;
  count(): Promise<{ total: number }>;
  watch(options: WatchOptions): Watcher;
}

export interface CloudDatabaseStandIn extends CloudDatabase {
  readonly label: string;
  command: ReturnType<typeof createCommand>;
  collection(name: string): CloudCollection;
  serverDate(options?: { offset?: number }): StandInServerDate;
  createCollection(name: string): Promise<{ errMsg: string }>;
  runTransaction<T>(body: (tx: StandInTransaction) => Promise<T>, times?: number): Promise<T>;
  startTransaction(): Promise<StandInTransaction & { commit(): Promise<void> }>;
  /** The database a mini program page signed in as `openid` sees. */
  miniProgram(auth: { openid: string }): MiniProgramDatabase;
  /** Every record of a collection, sorted by `_id` (copies). */
  dump(collection: string): Doc[];
  /** Counts of operations by kind since creation or the last `resetCounters()`. */
  readonly counters: Record<string, number>;
  resetCounters(): void;
  /** Operations in flight now, and the most seen at once. */
  readonly concurrency: { now: number; peak: number };
}

interface Row {
  data: Doc;
  /** The write sequence number of the last committed write. */
  seq: number;
}

export interface CloudErrorShape extends Error {
  errCode: number;
  errMsg: string;
}

function cloudError(errCode: number, errMsg: string): CloudErrorShape {
  return Object.assign(new Error(`errCode: ${errCode} | errMsg: ${errMsg}`), { errCode, errMsg });
}

const requestFailed = (what: string) => cloudError(-502001, `database request fail | [FailedOperation] ${what}`);
const writeConflict = () => requestFailed('WriteConflict: the record was changed by another operation after this transaction began; the transaction is aborted');

/** The error a runTransaction retries on. */
export function isStandInWriteConflict(error: unknown): boolean {
  return Boolean(error && typeof error === 'object' && String((error as { errMsg?: unknown }).errMsg ?? '').includes('WriteConflict'));
}

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Creates an empty TEST DOUBLE of the cloud database (see `STAND_IN_LABEL`).
 *
 * @example
 * const db = createCloudDatabaseStandIn({ maxConcurrent: 20, fault: () => (Math.random() < 0.05 ? 'timeout-after' : null) });
 * const store = new WxCloudOrderStore(db);
 * await store.ensureCollections();
 */
export function createCloudDatabaseStandIn(options: CloudDatabaseStandInOptions = {}): CloudDatabaseStandIn {
  const tables = new Map<string, Map<string, Row>>();
  for (const name of options.collections ?? []) tables.set(name, new Map());
  const pageCap = options.pageCap ?? options.maxLimit ?? 100;
  const throwOnNotFound = options.throwOnNotFound ?? true;
  const clock = options.clock ?? Date.now;
  const txLimit = options.transactionLimitMs ?? 30_000;
  const command = createCommand();
  let counters: Record<string, number> = {};
  const concurrency = { now: 0, peak: 0 };
  let writeSeq = 0;
  let txCounter = 0;
  /** Record key → the open transaction that wrote it. */
  const locks = new Map<string, TxState>();
  const watchers = new Set<() => void>();

  interface TxState {
    id: number;
    startSeq: number;
    startedAt: number;
    state: 'open' | 'committed' | 'aborted';
    reads: Map<string, Doc | null>;
    writes: Map<string, Doc | null>;
  }

  const keyOf = (c: string, id: string) => `${c}\u0000${id}`;
  const expired = (tx: TxState) => clock() - tx.startedAt > txLimit;
  function lockHolder(key: string): TxState | null {
    const tx = locks.get(key);
    if (!tx) return null;
    if (tx.state !== 'open' || expired(tx)) {
      abort(tx);
      return null;
    }
    return tx;
  }
  function abort(tx: TxState): void {
    if (tx.state === 'open') tx.state = 'aborted';
    for (const [k, holder] of locks) if (holder === tx) locks.delete(k);
  }

  /**
   * Runs one operation as the service would: a turn of the event loop first (callers interleave
   * between operations), the quota and the injected fault, the operation itself (atomic), then
   * another turn before the answer, during which the request still counts as in flight.
   */
  async function run<T>(op: StandInOperation, apply: () => T | Promise<T>): Promise<T> {
    await tick();
    counters[op.kind] = (counters[op.kind] ?? 0) + 1;
    if (options.beforeOperation) await options.beforeOperation(op);
    const fault = options.fault?.(op) ?? null;
    if (fault === 'quota' || (options.maxConcurrent !== undefined && concurrency.now >= options.maxConcurrent)) {
      throw cloudError(-501004, 'cloud resource error: the number of concurrent requests exceeds the environment quota');
    }
    concurrency.now += 1;
    concurrency.peak = Math.max(concurrency.peak, concurrency.now);
    try {
      if (fault === 'request-failed') throw requestFailed('database request failed');
      if (fault === 'timeout-before') throw cloudError(-501002, 'cloud response timed out');
      const result = await apply();
      await tick();
      if (fault === 'timeout-after') throw cloudError(-501002, 'cloud response timed out');
      return result;
    } finally {
      concurrency.now -= 1;
    }
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

  /** Data for a new record: plain, valid field names, server dates resolved. */
  function storable(data: unknown, where: string): Doc {
    assertPlainData(data, where);
    if (!isPlainObject(data)) throw cloudError(-501007, `${where}:fail data must be an object`);
    const bad = invalidFieldName(data);
    if (bad !== null) throw requestFailed(`invalid field name: ${bad.join('/')}`);
    return resolveServerDates(clone(data), clock());
  }

  function update(doc: Doc, data: unknown): Doc {
    try {
      return applyUpdate(doc, resolveServerDates(data, clock()));
    } catch (error) {
      if (error instanceof UpdatePathError) throw requestFailed(error.message);
      throw error;
    }
  }

  /** A non-transactional write waits while an open transaction holds the record. */
  async function waitUnlocked(collection: string, id: string): Promise<void> {
    while (lockHolder(keyOf(collection, id))) await sleep(1);
  }

  /** Waits until no record matching the condition is held by an open transaction; the caller then applies at once. */
  async function waitUnlockedMatching(collection: string, t: Map<string, Row>, cond: unknown): Promise<void> {
    for (;;) {
      const held = [...t].find(([id, row]) => (cond === undefined || matches(row.data, cond)) && lockHolder(keyOf(collection, id)));
      if (!held) return;
      await waitUnlocked(collection, held[0]);
    }
  }

  function commitRow(t: Map<string, Row>, id: string, data: Doc | null): void {
    writeSeq += 1;
    if (data === null) t.delete(id);
    else t.set(id, { data, seq: writeSeq });
  }

  function notify(): void {
    for (const w of watchers) w();
  }

  function select(t: Map<string, Row>, condition: unknown): Doc[] {
    const out: Doc[] = [];
    for (const row of t.values()) if (condition === undefined || matches(row.data, condition)) out.push(row.data);
    return out;
  }

  function sorted(docs: Doc[], orders: Array<[string, 'asc' | 'desc']>): Doc[] {
    return docs.sort((a, b) => {
      for (const [field, dir] of orders) {
        const c = compareValues(getPath(a, field), getPath(b, field));
        if (c !== 0) return dir === 'desc' ? -c : c;
      }
      return 0;
    });
  }

  const and = (condition: unknown, c: object): unknown => (condition === undefined ? c : new StandInCommand('logic', 'and', [condition, c]));

  function query(collection: string, condition: unknown, orders: Array<[string, 'asc' | 'desc']>, skipN: number, limitN: number | null): CloudQuery {
    const now = () => (condition === undefined ? undefined : resolveServerDates(condition, clock()));
    return {
      where: (c) => query(collection, and(condition, c), orders, skipN, limitN),
      orderBy: (field, direction) => query(collection, condition, [...orders, [field, direction]], skipN, limitN),
      skip: (n) => query(collection, condition, orders, n, limitN),
      limit: (n) => query(collection, condition, orders, skipN, n),
      get: () =>
        run({ collection, kind: 'get', condition }, () => {
          const found = sorted(select(table(collection), now()), orders);
          const size = Math.min(limitN ?? pageCap, pageCap);
          return { data: found.slice(skipN, skipN + size).map((d) => clone(d)), errMsg: 'collection.get:ok' };
        }),
      count: () => run({ collection, kind: 'count', condition }, () => ({ total: select(table(collection), now()).length, errMsg: 'collection.count:ok' })),
      update: ({ data }) =>
        run({ collection, kind: 'update', condition, data }, async () => {
          const t = table(collection);
          const cond = now();
          await waitUnlockedMatching(collection, t, cond);
          let updated = 0;
          const changes: Array<[string, Doc]> = [];
          for (const [id, row] of t) {
            if (cond !== undefined && !matches(row.data, cond)) continue;
            const next = update(row.data, data);
            if (!deepEqual(next, row.data)) changes.push([id, next]);
          }
          for (const [id, next] of changes) {
            commitRow(t, id, next);
            updated += 1;
          }
          if (updated > 0) notify();
          return { stats: { updated }, errMsg: 'collection.update:ok' };
        }),
      remove: () =>
        run({ collection, kind: 'remove', condition }, async () => {
          const t = table(collection);
          const cond = now();
          await waitUnlockedMatching(collection, t, cond);
          let removed = 0;
          for (const [id, row] of [...t]) {
            if (cond === undefined || matches(row.data, cond)) {
              commitRow(t, id, null);
              removed += 1;
            }
          }
          if (removed > 0) notify();
          return { stats: { removed }, errMsg: 'collection.remove:ok' };
        }),
    };
  }

  function doc(collection: string, id: string): CloudDocument {
    return {
      get: () =>
        run({ collection, kind: 'doc.get', id }, () => {
          const row = table(collection).get(id);
          if (!row && throwOnNotFound) throw cloudError(-502004, `document.get:fail document with _id ${id} does not exist`);
          return { data: row ? clone(row.data) : null, errMsg: 'document.get:ok' };
        }),
      set: ({ data }) =>
        run({ collection, kind: 'doc.set', id, data }, async () => {
          const next = { ...storable(data, 'document.set'), _id: id };
          await waitUnlocked(collection, id);
          const t = table(collection);
          const existing = t.get(id);
          commitRow(t, id, next);
          notify();
          return { _id: id, stats: { updated: existing ? 1 : 0, created: existing ? 0 : 1 }, errMsg: 'document.set:ok' };
        }),
      update: ({ data }) =>
        run({ collection, kind: 'doc.update', id, data }, async () => {
          await waitUnlocked(collection, id);
          const t = table(collection);
          const row = t.get(id);
          if (!row) return { stats: { updated: 0 }, errMsg: 'document.update:ok' };
          const next = update(row.data, data);
          const changed = !deepEqual(next, row.data);
          if (changed) {
            commitRow(t, id, next);
            notify();
          }
          return { stats: { updated: changed ? 1 : 0 }, errMsg: 'document.update:ok' };
        }),
      remove: () =>
        run({ collection, kind: 'doc.remove', id }, async () => {
          await waitUnlocked(collection, id);
          const t = table(collection);
          const removed = t.has(id) ? 1 : 0;
          if (removed) {
            commitRow(t, id, null);
            notify();
          }
          return { stats: { removed }, errMsg: 'document.remove:ok' };
        }),
    };
  }

  function collection(name: string): CloudCollection {
    return {
      ...query(name, undefined, [], 0, null),
      doc: (id: string) => doc(name, String(id)),
      add: ({ data }) =>
        run({ collection: name, kind: 'add', data }, async () => {
          const record = storable(data, 'collection.add');
          const t = table(name);
          const given = record._id;
          const id = given === undefined ? newId(t) : String(given);
          await waitUnlocked(name, id);
          if (t.has(id)) throw duplicate(name, id);
          commitRow(t, id, { ...record, _id: id });
          notify();
          return { _id: id, errMsg: 'collection.add:ok' };
        }),
    };
  }

  function duplicate(c: string, id: string): CloudErrorShape {
    return requestFailed(`multiple write errors: [{write errors: [{E11000 duplicate key error collection: env.${c} index: _id_ dup key: { _id: "${id}" }}]}]`);
  }

  function transaction(): StandInTransaction & { commit(): Promise<void>; state: TxState } {
    txCounter += 1;
    const tx: TxState = { id: txCounter, startSeq: writeSeq, startedAt: clock(), state: 'open', reads: new Map(), writes: new Map() };

    const live = () => {
      if (tx.state === 'open' && expired(tx)) {
        abort(tx);
        throw requestFailed(`transaction expired: open longer than ${txLimit} ms, rolled back`);
      }
      if (tx.state !== 'open') throw requestFailed(`transaction is ${tx.state === 'committed' ? 'already committed' : 'aborted'}`);
    };
    /** The record as this transaction sees it: its own writes, else what it read first. */
    const view = (c: string, id: string): Doc | null => {
      const k = keyOf(c, id);
      if (tx.writes.has(k)) return tx.writes.get(k) ?? null;
      if (!tx.reads.has(k)) tx.reads.set(k, clone(table(c).get(id)?.data ?? null));
      return tx.reads.get(k) ?? null;
    };
    /** A write conflicts when the record changed after the transaction began or another transaction holds it. */
    const claim = (c: string, id: string) => {
      const k = keyOf(c, id);
      const row = table(c).get(id);
      const holder = lockHolder(k);
      const changedSince = row ? row.seq > tx.startSeq : (tx.reads.get(k) ?? null) !== null;
      if ((holder && holder !== tx) || changedSince) {
        abort(tx);
        throw writeConflict();
      }
      locks.set(k, tx);
    };
    const write = (c: string, id: string, data: unknown) =>
      run({ collection: c, kind: 'transaction.write', id, data }, () => {
        live();
        view(c, id);
        claim(c, id);
        return undefined;
      });

    const api = {
      state: tx,
      collection(c: string) {
        return {
          doc(id: string): CloudDocument {
            return {
              get: () =>
                run({ collection: c, kind: 'transaction.get', id }, () => {
                  live();
                  const d = view(c, id);
                  if (!d && throwOnNotFound) throw cloudError(-502004, `document.get:fail document with _id ${id} does not exist`);
                  return { data: d ? clone(d) : null };
                }),
              async set({ data }) {
                const next = { ...storable(data, 'transaction document.set'), _id: id };
                await write(c, id, data);
                tx.writes.set(keyOf(c, id), next);
                return { stats: { updated: 1 } };
              },
              async update({ data }) {
                await write(c, id, data);
                const d = view(c, id);
                if (!d) return { stats: { updated: 0 } };
                try {
                  tx.writes.set(keyOf(c, id), update(d, data));
                } catch (error) {
                  abort(tx);
                  throw error;
                }
                return { stats: { updated: 1 } };
              },
              async remove() {
                await write(c, id, null);
                tx.writes.set(keyOf(c, id), null);
                return { stats: { removed: 1 } };
              },
            };
          },
          async add({ data }: { data: object }) {
            const record = storable(data, 'transaction collection.add');
            const id = record._id === undefined ? newId(table(c)) : String(record._id);
            await write(c, id, data);
            if (view(c, id)) {
              abort(tx);
              throw duplicate(c, id);
            }
            tx.writes.set(keyOf(c, id), { ...record, _id: id });
            return { _id: id };
          },
          where(): never {
            throw cloudError(-501007, 'transaction does not support where: only single-record operations (doc, add) are allowed');
          },
        };
      },
      async rollback(reason?: unknown) {
        abort(tx);
        throw { rolledBack: true, reason };
      },
      commit: () =>
        run({ collection: '', kind: 'transaction.commit' }, () => {
          live();
          for (const k of tx.writes.keys()) {
            if (lockHolder(k) !== tx) {
              abort(tx);
              throw writeConflict();
            }
          }
          for (const [k, d] of tx.writes) {
            const [c, id] = k.split('\u0000') as [string, string];
            commitRow(table(c), id, d);
          }
          tx.state = 'committed';
          abort(tx);
          if (tx.writes.size > 0) notify();
        }),
    };
    return api;
  }

  function miniProgram(auth: { openid: string }): MiniProgramDatabase {
    const check = (c: string, condition: unknown) => {
      const rule = options.rules?.[c]?.read ?? 'doc._openid == auth.openid';
      if (!queryAllowed(rule, condition, auth.openid)) {
        throw cloudError(-502003, `database permission denied: the query on ${c} is not a subset of its security rule (${rule})`);
      }
    };
    const watch = (c: string, condition: unknown, o: WatchOptions): Watcher => {
      let closed = false;
      let last = new Map<string, string>();
      let id = 0;
      const snapshot = (init: boolean) => {
        if (closed) return;
        let docs: Doc[];
        try {
          docs = sorted(select(table(c), condition), [['_id', 'asc']]).map((d) => clone(d));
        } catch (error) {
          o.onError(error);
          return;
        }
        const now = new Map(docs.map((d) => [String(d._id), JSON.stringify(d)]));
        const changes: WatchSnapshot['docChanges'] = [];
        for (const d of docs) {
          const key = String(d._id);
          if (init) changes.push({ id, dataType: 'init', docId: key, doc: d });
          else if (!last.has(key)) changes.push({ id, dataType: 'add', docId: key, doc: d });
          else if (last.get(key) !== now.get(key)) changes.push({ id, dataType: 'update', docId: key, doc: d });
        }
        for (const key of last.keys()) if (!now.has(key)) changes.push({ id, dataType: 'remove', docId: key });
        last = now;
        if (!init && changes.length === 0) return;
        const snap: WatchSnapshot = { id: id++, docs, docChanges: changes };
        if (init) snap.type = 'init';
        try {
          o.onChange(snap);
        } catch (error) {
          o.onError(error);
        }
      };
      const listener = () => setImmediate(() => snapshot(false));
      void run({ collection: c, kind: 'watch', condition }, () => check(c, condition)).then(
        () => {
          if (closed) return;
          watchers.add(listener);
          snapshot(true);
        },
        (error) => {
          closed = true;
          o.onError(error);
        },
      );
      return {
        close: async () => {
          closed = true;
          watchers.delete(listener);
        },
      };
    };
    const mpQuery = (c: string, condition: unknown, orders: Array<[string, 'asc' | 'desc']>, skipN: number, limitN: number | null): MiniProgramQuery => ({
      where: (cond) => mpQuery(c, and(condition, substituteOpenid(cond, auth.openid)), orders, skipN, limitN),
      orderBy: (f, d) => mpQuery(c, condition, [...orders, [f, d]], skipN, limitN),
      skip: (n) => mpQuery(c, condition, orders, n, limitN),
      limit: (n) => mpQuery(c, condition, orders, skipN, n),
      get: () =>
        run({ collection: c, kind: 'get', condition }, () => {
          check(c, condition);
          const size = Math.min(limitN ?? 20, 20);
          return { data: sorted(select(table(c), condition), orders).slice(skipN, skipN + size).map((d) => clone(d)) };
        }),
      count: () =>
        run({ collection: c, kind: 'count', condition }, () => {
          check(c, condition);
          return { total: select(table(c), condition).length };
        }),
      watch: (o) => watch(c, condition, o),
    });
    return {
      command,
      collection: (c: string) => ({
        ...mpQuery(c, undefined, [], 0, null),
        doc: (id: string) => ({
          get: () =>
            run({ collection: c, kind: 'doc.get', id }, () => {
              check(c, { _id: id });
              const row = table(c).get(id);
              if (!row) throw cloudError(-502004, `document.get:fail document with _id ${id} does not exist`);
              return { data: clone(row.data) };
            }),
          watch: (o: WatchOptions) => watch(c, { _id: id }, o),
        }),
      }),
    };
  }

  return {
    label: STAND_IN_LABEL,
    command,
    collection,
    serverDate: (o?: { offset?: number }) => new StandInServerDate(o?.offset ?? 0),
    createCollection: (name: string) =>
      run({ collection: name, kind: 'createCollection' }, () => {
        if (tables.has(name)) throw cloudError(-501001, `database collection already exists: ${name}`);
        tables.set(name, new Map());
        return { errMsg: 'createCollection:ok' };
      }),
    async runTransaction<T>(body: (tx: StandInTransaction) => Promise<T>, times = 3): Promise<T> {
      for (let attempt = 1; ; attempt++) {
        const tx = transaction();
        try {
          const result = await body(tx);
          await tx.commit();
          return result;
        } catch (e) {
          abort(tx.state);
          if (e && typeof e === 'object' && (e as { rolledBack?: boolean }).rolledBack) throw (e as { reason?: unknown }).reason;
          if (!isStandInWriteConflict(e) || attempt >= times) throw e;
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
      };
    },
    miniProgram,
    dump(name: string) {
      return [...(tables.get(name)?.values() ?? [])].map((r) => clone(r.data)).sort((a, b) => compareValues(a._id, b._id));
    },
    get counters() {
      return counters;
    },
    resetCounters() {
      counters = {};
    },
    get concurrency() {
      return { ...concurrency };
    },
  };
}
