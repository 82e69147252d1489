/**
 * Nearest-rank percentile of ascending `sorted` values: the value at 1-based position
 * ⌈p × n⌉ (at least 1). It always returns a value that occurred, never an interpolation, and it
 * computes the position exactly as PostgreSQL's `percentile_disc` does (a double product, then
 * ceil). Null for no values. Reports cut it with `toDurationFigures`.
 *
 * @example
 * nearestRank([10, 20, 30, 40], 0.5)  // → 20
 * nearestRank([10, 20, 30, 40], 0.9)  // → 40
 */
export function nearestRank(sorted: ArrayLike<number>, p: number): number | null {
  const n = sorted.length;
  if (n === 0) return null;
  const rank = Math.max(1, Math.ceil(p * n));
  return sorted[Math.min(rank, n) - 1]!;
}

/**
 * Significant figures of the reported stage percentiles. The SQL summary reads them from
 * histograms of durations kept at this precision (a million orders then fit in a few thousand
 * rows); three figures is finer than a dashboard shows (12.3 min, 31.4 h).
 */
export const DURATION_FIGURES = 3;

/**
 * `ms` cut to `DURATION_FIGURES` significant figures, toward zero: 1_234_567 → 1_230_000. The cut
 * never reorders values, so the percentile of cut durations is the cut percentile: the in-memory
 * summary cuts the exact nearest rank, the SQL summary ranks cut durations, and they agree.
 * The SQL projection computes the same cut (`cutDurationSql` in orderkit/postgres).
 *
 * @example
 * toDurationFigures(95_432)  // → 95_400
 * toDurationFigures(999)     // → 999
 */
export function toDurationFigures(ms: number): number {
  if (!Number.isSafeInteger(ms)) return ms;
  const digits = String(Math.abs(ms)).length;
  if (digits <= DURATION_FIGURES) return ms;
  const unit = 10 ** (digits - DURATION_FIGURES);
  return ms - (ms % unit);
}
