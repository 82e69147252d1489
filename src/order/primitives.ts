import * as z from '../zod.js';

/** Integer fen, non-negative, within the safe-integer range (DESIGN.md §3). */
export const FenSchema = z.int().check(z.minimum(0), z.maximum(Number.MAX_SAFE_INTEGER));
/** Integer fen that may be negative (an adjustment that raises a price, a balance). */
export const SignedFenSchema = z.int().check(z.minimum(Number.MIN_SAFE_INTEGER), z.maximum(Number.MAX_SAFE_INTEGER));
export const QuantitySchema = z.int().check(z.minimum(1), z.maximum(1_000_000));
export const CountSchema = z.int().check(z.minimum(0), z.maximum(Number.MAX_SAFE_INTEGER));
/** Timestamps are ISO 8601 strings in UTC (`Date.prototype.toISOString()`), so they sort as text. */
export const TimestampSchema = z.iso.datetime({ offset: true });
export const IdSchema = z.string().check(z.minLength(1), z.maxLength(128));
export const LocalizedTextSchema = z.object({ 'zh-CN': z.string(), en: z.string() });

