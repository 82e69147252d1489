import type { OrderkitError } from './orderkit-error.js';

/**
 * The shape of every fallible function, after zod's `safeParse`: check `ok`, then read the value's
 * fields or the error. Never throws for bad input.
 *
 * The value's fields sit beside `ok` (`{ ok: true, order, effects }`), so a caller reads
 * `result.order` after checking `result.ok`; a failure is `{ ok: false, error }`.
 *
 * @example
 * import { fail, ok, type Result } from 'wx-orderkit';
 * function half(fen: number): Result<{ fen: number }> {
 *   return fen % 2 === 0 ? ok({ fen: fen / 2 }) : fail(new Error('odd') as never);
 * }
 * const r = half(4);
 * if (r.ok) console.log(r.fen);
 */
export type Result<T extends object = {}, E = OrderkitError> = Success<T> | Failure<E>;

/** The success side of a {@link Result}: the value's fields beside `ok: true`. */
export type Success<T extends object = {}> = { ok: true } & T;

/** The failure side of a {@link Result}. */
export type Failure<E = OrderkitError> = { ok: false; error: E };

/** `{ ok: true, ...value }`: the success side of a {@link Result}. */
export function ok(): Success;
export function ok<T extends object>(value: T): Success<T>;
export function ok<T extends object>(value?: T): Success<T> {
  return value === undefined ? ({ ok: true } as Success<T>) : { ok: true, ...value };
}

/** `{ ok: false, error }`: the failure side of a {@link Result}. */
export function fail<E = OrderkitError>(error: E): Failure<E> {
  return { ok: false, error };
}
