import type { Line } from '../order/index.js';

/**
 * A line's payable spread over its units by largest remainder (`allocate(payable, [1, …, 1])`):
 * the first `payable mod quantity` units carry one fen more. Computed in closed form so that a line
 * of a million units costs nothing.
 */

/**
 * Σ of the shares of the first `units` units of `line`; `cumulativeShare(line, line.quantity) === line.payable`.
 *
 * @example
 * cumulativeShare({ payable: 1000, quantity: 3 }, 2) // 667 (334 + 333)
 */
export function cumulativeShare(line: Pick<Line, 'payable' | 'quantity'>, units: number): number {
  const q = Math.floor(line.payable / line.quantity);
  const r = line.payable - q * line.quantity;
  return units * q + Math.min(units, r);
}

/** One run of equal unit shares: `units` units at `amount` fen each. */
export interface UnitShareRun {
  amount: number;
  units: number;
}

/**
 * The shares of units `from + 1 … from + count` (1-based), as runs of equal amounts.
 *
 * @example
 * unitShareRuns({ payable: 1000, quantity: 3 }, 0, 3) // [{ amount: 334, units: 1 }, { amount: 333, units: 2 }]
 */
export function unitShareRuns(line: Pick<Line, 'payable' | 'quantity'>, from: number, count: number): UnitShareRun[] {
  const q = Math.floor(line.payable / line.quantity);
  const r = line.payable - q * line.quantity;
  const runs: UnitShareRun[] = [];
  const bigger = Math.max(0, Math.min(from + count, r) - from);
  if (bigger > 0) runs.push({ amount: q + 1, units: bigger });
  if (count - bigger > 0) runs.push({ amount: q, units: count - bigger });
  return runs;
}

/**
 * What `count` more units of a line refund, given the units and fen already claimed on it: the
 * cumulative share up to the new count, minus what earlier claims took. Claims that were later
 * cancelled may have taken a fen more or less than their units' shares; the next claim absorbs that
 * difference, so the claims on a line always end at exactly its payable.
 *
 * @example
 * // 3 units, payable 1000: one unit refunded before (334), two more now
 * lineRefundAmount({ payable: 1000, quantity: 3 }, { heldQuantity: 1, heldAmount: 334 }, 2) // 666
 */
export function lineRefundAmount(
  line: Pick<Line, 'payable' | 'quantity'>,
  held: { heldQuantity: number; heldAmount: number },
  count: number,
): { amount: number; adjustment: number } {
  const target = cumulativeShare(line, held.heldQuantity + count);
  const left = Math.max(0, line.payable - held.heldAmount);
  const amount = Math.min(left, Math.max(0, target - held.heldAmount));
  const plain = target - cumulativeShare(line, held.heldQuantity);
  return { amount, adjustment: amount - plain };
}
