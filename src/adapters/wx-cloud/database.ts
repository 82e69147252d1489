/**
 * The part of the wx-server-sdk database (`cloud.database()`) that `WxCloudOrderStore` uses,
 * described structurally (as kysely describes its drivers), so orderkit never imports
 * wx-server-sdk and a test can hand in `createCloudDatabaseStandIn()` (wx-orderkit/testing) instead.
 *
 * Semantics the store relies on, as the Tencent pages listed in docs/wechat.md ("The test double,
 * rule by rule") document them:
 * - `where(cond).update({ data })` updates every matching record and answers `stats.updated`
 *   (records actually changed); a single-record update is atomic.
 * - `add({ data: { _id } })` fails when the `_id` exists, with `-502001` and E11000 in the message;
 *   any other failed request is `-502001` too ("错误码"), so only E11000 means "taken".
 * - `get()` returns at most 100 records in a cloud function (1000 in newer SDKs); callers page.
 * - In `update`, a plain object value merges field by field; `_.set(value)` replaces the field,
 *   `_.remove()` deletes it.
 * - `db.serverDate({ offset })` is the server's clock, in new data, updates and conditions.
 * - Transactions (`runTransaction`, cloud functions only) take single-record operations
 *   (`doc().get/set/update/remove`, `add`), read a snapshot and fail a write that conflicts; that
 *   is enough for a compare-and-set: read the record, check its version, write it.
 */

import { classifyCloudError, InvalidDatabaseError } from './errors.js';

/* eslint-disable @typescript-eslint/no-explicit-any */

/** `db.command` (written `_` in WeChat's examples). */
export interface CloudCommand {
  eq(value: unknown): any;
  neq(value: unknown): any;
  lt(value: unknown): any;
  lte(value: unknown): any;
  gt(value: unknown): any;
  gte(value: unknown): any;
  in(values: unknown[]): any;
  nin(values: unknown[]): any;
  exists(flag: boolean): any;
  and(...conditions: any[]): any;
  or(...conditions: any[]): any;
  set(value: unknown): any;
  remove(): any;
  inc(by: number): any;
}

export interface CloudUpdateResult {
  stats: { updated: number };
}

export interface CloudQuery {
  where(condition: object): CloudQuery;
  orderBy(field: string, direction: 'asc' | 'desc'): CloudQuery;
  skip(n: number): CloudQuery;
  limit(n: number): CloudQuery;
  get(): Promise<{ data: any[] }>;
  count(): Promise<{ total: number }>;
  update(options: { data: object }): Promise<CloudUpdateResult>;
  remove(): Promise<{ stats: { removed: number } }>;
}

export interface CloudDocument {
  get(): Promise<{ data: any }>;
  set(options: { data: object }): Promise<unknown>;
  update(options: { data: object }): Promise<CloudUpdateResult>;
  remove(): Promise<unknown>;
}

export interface CloudCollection extends CloudQuery {
  doc(id: string): CloudDocument;
  add(options: { data: object }): Promise<{ _id: string | number }>;
}

/** The collection handle inside a transaction: single-record operations only. */
export interface CloudTransactionCollection {
  doc(id: string): CloudDocument;
  add(options: { data: object }): Promise<unknown>;
}

export interface CloudTransaction {
  collection(name: string): CloudTransactionCollection;
  rollback(reason?: unknown): Promise<unknown>;
}

export interface CloudDatabase {
  collection(name: string): CloudCollection;
  command: CloudCommand;
  /** `db.serverDate({ offset })`: the server's clock (leases use it, never a function's own clock). */
  serverDate(options?: { offset?: number }): unknown;
  /** Cloud functions only. The store's commits run in one (see docs/wechat.md, "Transactions"). */
  runTransaction<T>(body: (tx: CloudTransaction) => Promise<T>, times?: number): Promise<T>;
  /** Available in cloud functions; the store uses it in `ensureCollections()`. */
  createCollection?(name: string): Promise<unknown>;
}

export { isDuplicateKey } from './errors.js';

/** True when a collection is missing. */
export function isMissingCollection(error: unknown): boolean {
  return classifyCloudError(error).kind === 'missing_collection';
}

/**
 * Refuses, at construction, an object that is not a wx-server-sdk database: the `cloud` object or
 * a CloudBase app instead of `cloud.database()`, a mini program database (no transactions), or
 * anything without `collection`, `command`, `serverDate` and `runTransaction`. A database of
 * `@cloudbase/node-sdk` has the same methods but other signatures (`add(record)` instead of
 * `add({ data })`); `checkWriteShape` tells it apart by writing and reading one record.
 */
export function checkDatabase(db: unknown): asserts db is CloudDatabase {
  if (!db || typeof db !== 'object') throw new InvalidDatabaseError('got no object', '传入的不是对象');
  const d = db as Record<string, unknown>;
  if (typeof d.collection !== 'function' && typeof d.database === 'function') {
    throw new InvalidDatabaseError('this is the cloud (or app) object: pass cloud.database()', '这是 cloud（或 app）对象，请传入 cloud.database()');
  }
  if (typeof d.collection !== 'function' || !d.command || typeof d.command !== 'object') {
    throw new InvalidDatabaseError('it has no collection() or command', '它没有 collection() 或 command');
  }
  if (typeof d.serverDate !== 'function') {
    throw new InvalidDatabaseError('it has no serverDate(): leases must run on the server clock', '它没有 serverDate()：租约必须使用服务端时间');
  }
  if (typeof d.runTransaction !== 'function') {
    throw new InvalidDatabaseError(
      'it has no runTransaction(): a mini program database cannot run the store (use it in a cloud function)',
      '它没有 runTransaction()：小程序端数据库不能运行该存储，请在云函数中使用',
    );
  }
  if (looksLikeNodeSdk(d)) {
    throw new InvalidDatabaseError(
      "this is @cloudbase/node-sdk's app.database(): its add/update take the record itself, not { data }, so every order would be stored under a field named data",
      '这是 @cloudbase/node-sdk 的 app.database()：它的 add/update 直接接收记录而不是 { data }，订单会被写进名为 data 的字段',
    );
  }
}

/**
 * @cloudbase/node-sdk's `app.database()` next to wx-server-sdk's `cloud.database()`, as the two
 * packages build them (observed on @cloudbase/node-sdk 3.18 and wx-server-sdk 4.0; docs/wechat.md,
 * "The SDK check"): node-sdk's object carries `ObjectId` and its own `startTransaction`, and no
 * `cloud`, while wx-server-sdk's carries `cloud` and keeps `startTransaction` on its prototype.
 * Older node-sdk builds also marked their config with `_fromApp`. Anything else is let through to
 * the write-shape probe below, which refuses a lookalike before the first write.
 */
function looksLikeNodeSdk(d: Record<string, unknown>): boolean {
  if ('cloud' in d) return false;
  if (Object.prototype.hasOwnProperty.call(d, 'ObjectId') && Object.prototype.hasOwnProperty.call(d, 'startTransaction')) return true;
  const config = d.config as Record<string, unknown> | undefined;
  const app = config && typeof config === 'object' ? (config._fromApp as Record<string, unknown> | undefined) : undefined;
  return !!app && typeof app === 'object' && typeof app.callFunction === 'function' && typeof app.uploadFile === 'function' && !('DYNAMIC_CURRENT_ENV' in app);
}

/**
 * Proves the write shape once (per store, before the first write): `doc(id).set({ data })` then
 * `doc(id).get()` must give back the record's own fields. @cloudbase/node-sdk writes a field named
 * `data` and answers `get()` with an array; both are refused with `INVALID_DATABASE`.
 */
export async function checkWriteShape(collection: CloudCollection, serverDate: unknown): Promise<void> {
  const ref = collection.doc('ok_sdk_probe');
  await ref.set({ data: { kind: 'probe', at: serverDate } });
  const res = (await ref.get()) as { data?: unknown };
  const data = res.data as Record<string, unknown> | null | undefined;
  if (!data || Array.isArray(data) || data.kind !== 'probe' || 'data' in data) {
    throw new InvalidDatabaseError(
      'a record written with set({ data }) came back under a field named data (or as an array): this is not wx-server-sdk (@cloudbase/node-sdk?)',
      '用 set({ data }) 写入的记录读回时在名为 data 的字段里（或是数组）：这不是 wx-server-sdk（可能是 @cloudbase/node-sdk）',
    );
  }
}

function isNotFound(error: unknown): boolean {
  const { errCode, errMsg } = classifyCloudError(error);
  return errCode === -502004 || /document.*not exist/i.test(errMsg);
}

/** `doc(id).get()` inside a transaction, null for a missing record (whatever `throwOnNotFound` says). */
export async function txRead<T>(tx: CloudTransaction, collection: string, id: string): Promise<T | null> {
  try {
    const res = (await tx.collection(collection).doc(id).get()) as { data?: unknown };
    return (res.data as T | undefined) ?? null;
  } catch (error) {
    if (isNotFound(error)) return null;
    throw error;
  }
}

/** Creates the collections that are missing (cloud functions can; once per cold start). */
export async function ensureCollections(db: CloudDatabase, names: Iterable<string>): Promise<void> {
  for (const name of names) {
    try {
      await db.collection(name).limit(1).get();
    } catch {
      await db.createCollection?.(name);
    }
  }
}
