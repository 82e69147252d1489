/**
 * The query and update semantics of the WeChat cloud database, as documented, for the TEST DOUBLE
 * in `stand-in.ts`: nested-field conditions, the comparison and logic commands, merge-by-field
 * updates with `set` / `remove` / `inc`, `db.serverDate()`, dates, and ordering. Kept apart so each
 * rule is small and visible. docs/wechat.md ("The test double, rule by rule") lists each rule with
 * the Tencent page it follows.
 */

import { invalidFieldName } from '../adapters/wx-cloud/field-names.js';

export type Doc = Record<string, unknown>;

const QUERY_OPS = ['eq', 'neq', 'lt', 'lte', 'gt', 'gte', 'in', 'nin', 'exists'] as const;
const LOGIC_OPS = ['and', 'or'] as const;
const UPDATE_OPS = ['set', 'remove', 'inc'] as const;
type QueryOp = (typeof QUERY_OPS)[number];
type LogicOp = (typeof LOGIC_OPS)[number];
type UpdateOp = (typeof UPDATE_OPS)[number];

/** A `db.command` value. Query commands can be chained with `.and()` / `.or()` like the SDK's. */
export class StandInCommand {
  constructor(
    readonly kind: 'query' | 'logic' | 'update',
    readonly op: QueryOp | LogicOp | UpdateOp,
    readonly operand: unknown,
  ) {}

  and(...others: unknown[]): StandInCommand {
    return new StandInCommand('logic', 'and', [this, ...flatten(others)]);
  }

  or(...others: unknown[]): StandInCommand {
    return new StandInCommand('logic', 'or', [this, ...flatten(others)]);
  }
}

function flatten(args: unknown[]): unknown[] {
  return args.length === 1 && Array.isArray(args[0]) ? (args[0] as unknown[]) : args;
}

/** `db.command` of the stand-in. */
export function createCommand() {
  const q = (op: QueryOp) => (value: unknown) => new StandInCommand('query', op, value);
  return {
    eq: q('eq'),
    neq: q('neq'),
    lt: q('lt'),
    lte: q('lte'),
    gt: q('gt'),
    gte: q('gte'),
    in: (values: unknown[]) => new StandInCommand('query', 'in', values),
    nin: (values: unknown[]) => new StandInCommand('query', 'nin', values),
    exists: (flag: boolean) => new StandInCommand('query', 'exists', flag),
    and: (...conditions: unknown[]) => new StandInCommand('logic', 'and', flatten(conditions)),
    or: (...conditions: unknown[]) => new StandInCommand('logic', 'or', flatten(conditions)),
    set: (value: unknown) => new StandInCommand('update', 'set', value),
    remove: () => new StandInCommand('update', 'remove', undefined),
    inc: (by: number) => new StandInCommand('update', 'inc', by),
  };
}

/**
 * `db.serverDate({ offset })` (page "serverDate"): a reference to the server's clock, resolved when
 * the operation runs on the server, usable in new records, updates and query conditions.
 */
export class StandInServerDate {
  constructor(readonly offset: number) {}
}

export function isPlainObject(value: unknown): value is Doc {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    !(value instanceof StandInCommand) &&
    !(value instanceof Date) &&
    !(value instanceof StandInServerDate)
  );
}

/**
 * Stored values are plain data and dates: a deep copy in and out, so nothing is shared with the
 * caller. `undefined` fields are dropped (as JSON would), dates stay dates (the SDK returns `Date`).
 */
export function clone<T>(value: T): T {
  if (value === undefined || value === null || typeof value !== 'object') return value;
  if (value instanceof Date) return new Date(value.getTime()) as unknown as T;
  if (Array.isArray(value)) return value.map((v) => (v === undefined ? null : clone(v))) as unknown as T;
  if (value instanceof StandInCommand || value instanceof StandInServerDate) return value;
  const out: Doc = {};
  for (const k of Object.keys(value as Doc)) {
    const v = (value as Doc)[k];
    if (v !== undefined && typeof v !== 'function') out[k] = clone(v);
  }
  return out as T;
}

/** Replaces every `serverDate()` in data or a condition by the server's time now. */
export function resolveServerDates<T>(value: T, now: number): T {
  if (value instanceof StandInServerDate) return new Date(now + value.offset) as unknown as T;
  if (value instanceof StandInCommand) return new StandInCommand(value.kind, value.op, resolveServerDates(value.operand, now)) as unknown as T;
  if (Array.isArray(value)) return value.map((v) => resolveServerDates(v, now)) as unknown as T;
  if (isPlainObject(value)) {
    const out: Doc = {};
    for (const k of Object.keys(value)) out[k] = resolveServerDates(value[k], now);
    return out as T;
  }
  return value;
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a instanceof Date || b instanceof Date) return a instanceof Date && b instanceof Date && a.getTime() === b.getTime();
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((v, i) => deepEqual(v, bb[i]));
  }
  const ka = Object.keys(a as Doc).filter((k) => (a as Doc)[k] !== undefined);
  const kb = Object.keys(b as Doc).filter((k) => (b as Doc)[k] !== undefined);
  return ka.length === kb.length && ka.every((k) => deepEqual((a as Doc)[k], (b as Doc)[k]));
}

export function getPath(doc: unknown, path: string): unknown {
  let current: unknown = doc;
  for (const part of path.split('.')) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Doc)[part];
  }
  return current;
}

/** Comparisons are type-bracketed, as in the service: a number never compares with a date or a string. */
function comparable(a: unknown, b: unknown): boolean {
  return (typeof a === 'number' && typeof b === 'number') || (typeof a === 'string' && typeof b === 'string') || (a instanceof Date && b instanceof Date);
}

function ordinal(v: unknown): number | string {
  return v instanceof Date ? v.getTime() : (v as number | string);
}

function matchCommand(value: unknown, command: StandInCommand): boolean {
  if (command.kind === 'update') throw new Error(`update command ${command.op} used in a query`);
  if (command.kind === 'logic') {
    const parts = command.operand as unknown[];
    return command.op === 'and' ? parts.every((p) => matchSpec(value, p)) : parts.some((p) => matchSpec(value, p));
  }
  const x = command.operand;
  switch (command.op as QueryOp) {
    case 'eq':
      return matchSpec(value, x);
    case 'neq':
      return !matchSpec(value, x);
    case 'lt':
      return comparable(value, x) && ordinal(value) < ordinal(x);
    case 'lte':
      return comparable(value, x) && ordinal(value) <= ordinal(x);
    case 'gt':
      return comparable(value, x) && ordinal(value) > ordinal(x);
    case 'gte':
      return comparable(value, x) && ordinal(value) >= ordinal(x);
    case 'in':
      return Array.isArray(x) && x.some((item) => matchSpec(value, item));
    case 'nin':
      return Array.isArray(x) && !x.some((item) => matchSpec(value, item));
    case 'exists':
      return (value !== undefined) === Boolean(x);
  }
  return false;
}

/** One field's condition: a command, a nested object (conditions on sub-fields), or a value. */
function matchSpec(value: unknown, spec: unknown): boolean {
  if (spec instanceof StandInCommand) return matchCommand(value, spec);
  if (isPlainObject(spec)) {
    return Object.keys(spec).every((k) => matchSpec(value !== null && typeof value === 'object' ? getPath(value, k) : undefined, spec[k]));
  }
  if (Array.isArray(value) && !Array.isArray(spec)) return value.some((item) => deepEqual(item, spec));
  return deepEqual(value ?? null, spec ?? null) && (value !== undefined || spec === null || spec === undefined);
}

/** Does `doc` satisfy a `where` condition (an object of field conditions, or `_.and` / `_.or`)? */
export function matches(doc: Doc, condition: unknown): boolean {
  if (condition instanceof StandInCommand) {
    if (condition.kind !== 'logic') throw new Error('a top-level where condition must be an object, _.and or _.or');
    const parts = condition.operand as unknown[];
    return condition.op === 'and' ? parts.every((p) => matches(doc, p)) : parts.some((p) => matches(doc, p));
  }
  if (!isPlainObject(condition)) throw new Error('where() takes an object');
  return Object.keys(condition).every((k) => matchSpec(getPath(doc, k), condition[k]));
}

/**
 * Thrown for an update the service refuses (the store turns it into -502001): a path through a
 * field that holds `null`, a number, a string or an array. The service never silently replaces
 * such a field with `{}`.
 */
export class UpdatePathError extends Error {}

function setPath(doc: Doc, path: string[], value: unknown): void {
  let target = doc;
  for (let i = 0; i < path.length - 1; i++) {
    const part = path[i]!;
    const next = target[part];
    if (next === undefined) target[part] = {};
    else if (!isPlainObject(next)) {
      throw new UpdatePathError(`Cannot create field '${path[i + 1]}' in element {${path.slice(0, i + 1).join('.')}: ${JSON.stringify(next)}}`);
    }
    target = target[part] as Doc;
  }
  target[path[path.length - 1]!] = value;
}

function removePath(doc: Doc, path: string[]): void {
  let target: unknown = doc;
  for (const part of path.slice(0, -1)) {
    if (!isPlainObject(target)) return;
    target = (target as Doc)[part];
  }
  if (isPlainObject(target)) delete target[path[path.length - 1]!];
}

/**
 * Applies `update({ data })` to a copy of `doc`: plain objects merge field by field (the cloud
 * database's "partial update"), `_.set` replaces, `_.remove` deletes, `_.inc` adds.
 */
export function applyUpdate(doc: Doc, data: unknown, base: string[] = []): Doc {
  if (!isPlainObject(data)) throw new Error('update() takes { data: object }');
  const out = base.length === 0 ? clone(doc) : doc;
  for (const key of Object.keys(data)) {
    const path = [...base, ...key.split('.')];
    if (path[0] === '_id') throw new UpdatePathError('_id cannot be updated');
    if (path.some((p) => p === '' || p.startsWith('$'))) throw new UpdatePathError(`invalid field name ${key}`);
    const value = data[key];
    if (value === undefined) continue;
    if (value instanceof StandInCommand) {
      if (value.kind !== 'update') throw new Error(`query command ${value.op} used in an update`);
      if (value.op === 'set') setPath(out, path, clone(value.operand));
      else if (value.op === 'remove') removePath(out, path);
      else {
        const current = getPath(out, path.join('.'));
        if (current !== undefined && typeof current !== 'number') throw new UpdatePathError(`Cannot apply $inc to a non-numeric value at ${path.join('.')}`);
        setPath(out, path, (typeof current === 'number' ? current : 0) + (value.operand as number));
      }
    } else if (isPlainObject(value)) {
      const current = getPath(out, path.join('.'));
      if (current === undefined) setPath(out, path, {});
      else if (!isPlainObject(current)) throw new UpdatePathError(`Cannot create field in element {${path.join('.')}: ${JSON.stringify(current)}}`);
      const bad = invalidFieldName(value);
      if (bad !== null) throw new UpdatePathError(`invalid field name ${bad.join('/')}`);
      applyUpdate(out, value, path);
    } else {
      setPath(out, path, clone(value));
    }
  }
  return out;
}

/** Checks that stored data holds no commands (a command outside update() is a caller bug). */
export function assertPlainData(value: unknown, where: string): void {
  if (value instanceof StandInCommand) throw new Error(`${where}: commands are not allowed here`);
  if (value instanceof StandInServerDate || value instanceof Date) return;
  if (Array.isArray(value)) value.forEach((v) => assertPlainData(v, where));
  else if (isPlainObject(value)) for (const k of Object.keys(value)) assertPlainData(value[k], where);
}

function rank(v: unknown): number {
  if (v === undefined || v === null) return 0;
  if (typeof v === 'number') return 1;
  if (typeof v === 'string') return 2;
  if (typeof v === 'boolean') return 4;
  if (v instanceof Date) return 5;
  return 3;
}

/** Sort order of `orderBy`: missing and null first, then numbers, strings, objects, booleans, dates. */
export function compareValues(a: unknown, b: unknown): number {
  const ra = rank(a);
  const rb = rank(b);
  if (ra !== rb) return ra - rb;
  if (ra === 1) return (a as number) - (b as number);
  if (ra === 2) return (a as string) < (b as string) ? -1 : (a as string) > (b as string) ? 1 : 0;
  if (ra === 4) return Number(a) - Number(b);
  if (ra === 5) return (a as Date).getTime() - (b as Date).getTime();
  return 0;
}
