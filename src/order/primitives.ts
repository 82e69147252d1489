import * as z from '../zod.js';

/** Integer fen, non-negative, within the safe-integer range (docs/pricing.md "Money rules"). */
export const FenSchema = z.int().check(z.minimum(0), z.maximum(Number.MAX_SAFE_INTEGER));
/** Integer fen that may be negative (an adjustment that raises a price, a balance). */
export const SignedFenSchema = z.int().check(z.minimum(Number.MIN_SAFE_INTEGER), z.maximum(Number.MAX_SAFE_INTEGER));
export const QuantitySchema = z.int().check(z.minimum(1), z.maximum(1_000_000));
export const CountSchema = z.int().check(z.minimum(0), z.maximum(Number.MAX_SAFE_INTEGER));
/** Timestamps are ISO 8601 strings in UTC (`Date.prototype.toISOString()`), so they sort as text. */
export const TimestampSchema = z.iso.datetime({ offset: true });
export const IdSchema = z.string().check(z.minLength(1), z.maxLength(128));
export const LocalizedTextSchema = z.lazySchema(() => z.object({ 'zh-CN': z.string(), en: z.string() }));

/**
 * Strings PostgreSQL cannot store (docs/storage.md, "Strings every store accepts"): `text` and
 * `jsonb` refuse U+0000, and a lone UTF-16 surrogate is not text at all. Every store refuses them
 * the same way because the command and placement schemas do (`CommandSchema`,
 * `PlaceOrderInputSchema`): the rule lives here and nowhere else.
 */
// Unstorable: a NUL, a high surrogate not followed by a low one, or a low surrogate not preceded by
// a high one (PostgreSQL refuses the first, and the others are not text).

/**
 * True when every store can keep `text` as it is.
 *
 * @example
 * isStorableString('张三') // true
 * isStorableString('a\u0000b') // false
 */
export function isStorableString(text: string): boolean {
  // A scan of char codes rather than a regular expression with look-arounds: this runs on every
  // string of every placement and command (test/order/unstorable-strings.test.ts checks it against
  // what UTF-8 can round-trip).
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0) return false;
    if (c < 0xd800 || c > 0xdfff) continue;
    if (c > 0xdbff) return false; // a low surrogate with no high one before it
    const next = text.charCodeAt(i + 1);
    if (!(next >= 0xdc00 && next <= 0xdfff)) return false; // a high surrogate with no low one after it
    i++;
  }
  return true;
}

/**
 * True when every string (value or key) in `value` is storable: `unstorablePath(value) === null`
 * without building a path; allocates nothing.
 *
 * @example
 * allStorable({ address: { detail: 'x\u0000' } }) // false
 */
export function allStorable(value: unknown): boolean {
  if (typeof value === 'string') return isStorableString(value);
  if (value === null || typeof value !== 'object') return true;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) if (!allStorable(value[i])) return false;
    return true;
  }
  const record = value as Record<string, unknown>;
  // for…in with an own-key test visits the keys Object.keys lists, without allocating the list
  // (a third of this walk on a placement).
  for (const key in record) {
    if (!hasOwn.call(record, key)) continue;
    if (!isStorableString(key) || !allStorable(record[key])) return false;
  }
  return true;
}

const hasOwn = Object.prototype.hasOwnProperty;

/**
 * The path of the first string (a value or an object key) in `value` that `isStorableString`
 * refuses, or null when there is none. Arrays and plain objects are walked; other values are
 * left alone.
 *
 * @example
 * unstorablePath({ address: { detail: 'x\u0000' } }) // ['address', 'detail']
 */
export function unstorablePath(value: unknown, path: Array<string | number> = []): Array<string | number> | null {
  // The common case (nothing to refuse) walks once without building paths.
  return allStorable(value) ? null : locateUnstorable(value, path);
}

function locateUnstorable(value: unknown, path: Array<string | number>): Array<string | number> | null {
  if (typeof value === 'string') return isStorableString(value) ? null : path;
  if (value === null || typeof value !== 'object') return null;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = locateUnstorable(value[i], [...path, i]);
      if (found !== null) return found;
    }
    return null;
  }
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    if (!isStorableString(key)) return [...path, key];
    const found = locateUnstorable(record[key], [...path, key]);
    if (found !== null) return found;
  }
  return null;
}

/** The zod issue parameter that marks an unstorable string (for the zh-CN/en message). */
export const UNSTORABLE_STRING = 'unstorable_string';

/**
 * A `superRefine` step for a whole schema: one issue, at its path, for the first unstorable
 * string in the parsed value.
 *
 * @example
 * const Schema = z.object({ note: z.string() }).check(z.superRefine(refuseUnstorableStrings));
 */
export function refuseUnstorableStrings(value: unknown, ctx: z.core.$RefinementCtx): void {
  const path = unstorablePath(value);
  if (path === null) return;
  ctx.addIssue({
    code: 'custom',
    path,
    message: 'contains a character that cannot be stored (U+0000 or a lone surrogate)',
    params: { reason: UNSTORABLE_STRING },
  });
}
