import { z } from 'zod';

/** Integer fen, non-negative, within the safe-integer range (DESIGN.md §3). */
export const FenSchema = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
/** Integer fen that may be negative (an adjustment that raises a price, a balance). */
export const SignedFenSchema = z.number().int().min(Number.MIN_SAFE_INTEGER).max(Number.MAX_SAFE_INTEGER);
export const QuantitySchema = z.number().int().min(1).max(1_000_000);
export const CountSchema = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
/** Timestamps are ISO 8601 strings in UTC (`Date.prototype.toISOString()`), so they sort as text. */
export const TimestampSchema = z.iso.datetime({ offset: true });
export const IdSchema = z.string().min(1).max(128);
export const LocalizedTextSchema = z.object({ 'zh-CN': z.string(), en: z.string() });
