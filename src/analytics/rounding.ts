/**
 * Rounding shared by the in-memory and the SQL summary, done in exact integer arithmetic so that
 * both produce the same digits (a float ratio rounded in two engines can differ in the last place).
 */

/** Decimal places of every rate: 4, i.e. a hundredth of a percent. */
export const RATE_DECIMALS = 4;
const SCALE = 10n ** BigInt(RATE_DECIMALS);

/**
 * `numerator ÷ denominator` rounded half up to 4 decimals; null when the denominator is 0.
 * Inputs are non-negative integers.
 *
 * @example
 * ratio(1, 3)  // → 0.3333
 * ratio(2, 3)  // → 0.6667
 * ratio(5, 0)  // → null
 */
export function ratio(numerator: number, denominator: number): number | null {
  if (denominator === 0) return null;
  const n = BigInt(numerator);
  const d = BigInt(denominator);
  return Number((2n * n * SCALE + d) / (2n * d)) / Number(SCALE);
}

/**
 * Whole-number division rounded half up (for an average in fen); null when dividing by 0.
 *
 * @example
 * divideRounded(1001, 2) // → 501
 */
export function divideRounded(numerator: number, denominator: number): number | null {
  if (denominator === 0) return null;
  const n = BigInt(numerator);
  const d = BigInt(denominator);
  return Number((2n * n + d) / (2n * d));
}
