import type { OrderkitError } from './orderkit-error.js';

/**
 * The shape of every fallible pure function, after zod's `safeParse`: check `ok`, then read the
 * value or the error. Never throws for bad input.
 */
export type Result<T> = ({ ok: true } & T) | { ok: false; error: OrderkitError };

export function failure(error: OrderkitError): { ok: false; error: OrderkitError } {
  return { ok: false, error };
}
