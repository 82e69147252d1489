/**
 * Nearest-rank percentile of ascending `sorted` values: the value at 1-based position
 * ⌈p × n⌉ (at least 1). It always returns a value that occurred, never an interpolation, and it
 * computes the position exactly as PostgreSQL's `percentile_disc` does (a double product, then
 * ceil), so the SQL summary and this one agree to the millisecond. Null for no values.
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
