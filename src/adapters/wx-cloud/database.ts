/**
 * The part of the wx-server-sdk database (`cloud.database()`) that `WxCloudOrderStore` uses,
 * described structurally (as kysely describes its drivers), so orderkit never imports
 * wx-server-sdk and a test can hand in `createCloudDatabaseStandIn()` instead.
 *
 * Semantics the store relies on, as the cloud database documents them:
 * - `where(cond).update({ data })` updates every matching record and answers `stats.updated`
 *   (records actually changed); a single-record update is atomic.
 * - `add({ data: { _id } })` fails when the `_id` exists.
 * - `get()` returns at most 100 records in a cloud function; callers page with `skip`/`limit`.
 * - In `update`, a plain object value merges field by field; `_.set(value)` replaces the field,
 *   `_.remove()` deletes it.
 * - Transactions exist (`runTransaction`) but only for single-record operations: no `where`.
 */

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

export interface CloudDatabase {
  collection(name: string): CloudCollection;
  command: CloudCommand;
  /** Available in cloud functions; the store uses it in `ensureCollections()`. */
  createCollection?(name: string): Promise<unknown>;
}

/** The error the wx-server-sdk throws carries `errCode` and `errMsg`; both are read defensively. */
export function cloudErrorText(error: unknown): string {
  if (error && typeof error === 'object') {
    const e = error as { errCode?: unknown; errMsg?: unknown; message?: unknown };
    return `${String(e.errCode ?? '')} ${String(e.errMsg ?? e.message ?? '')}`;
  }
  return String(error);
}

/** True when an `add` failed because the `_id` is taken. */
export function isDuplicateKey(error: unknown): boolean {
  const text = cloudErrorText(error).toLowerCase();
  return text.includes('-502001') || text.includes('duplicate');
}

/** True when a collection is missing. */
export function isMissingCollection(error: unknown): boolean {
  const text = cloudErrorText(error).toLowerCase();
  return text.includes('-502005') || (text.includes('collection') && (text.includes('not exist') || text.includes('not found')));
}
