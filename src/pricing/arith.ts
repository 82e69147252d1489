import { allocate } from '../money/allocate.js';

/**
 * `amount × bp / 10000` rounded to the nearest fen, halves up (in the shopper's favour):
 * 15 % of ¥19.99 is ¥3.00, not ¥2.99. Exact for every safe amount (BigInt when the product is not).
 */
export function percentOf(amount: number, bp: number): number {
  const product = amount * bp;
  if (Number.isSafeInteger(product + 5000)) return Math.floor((product + 5000) / 10_000);
  return Number((BigInt(amount) * BigInt(bp) + 5000n) / 10_000n);
}

/**
 * Takes up to `wanted` fen off the lines at `members` (positions in `payables`), split by largest
 * remainder in proportion to what each still costs, and never more than they cost together.
 * Mutates `payables`; returns the amount taken and each member's share (same order as `members`).
 *
 * Because every share is at most its line's payable (a largest-remainder part of a total no bigger
 * than the weights' sum never exceeds its own weight), no line can go below zero.
 */
export function takeShare(payables: number[], members: readonly number[], wanted: number): { taken: number; parts: number[] } {
  const weights = new Array<number>(members.length);
  let pool = 0;
  for (let k = 0; k < members.length; k++) {
    const w = payables[members[k]!]!;
    weights[k] = w;
    pool += w;
  }
  const taken = wanted < pool ? wanted : pool;
  if (taken <= 0) return { taken: 0, parts: weights.fill(0) };
  const parts = allocate(taken, weights);
  for (let k = 0; k < members.length; k++) payables[members[k]!]! -= parts[k]!;
  return { taken, parts };
}

/** Σ payables over `members`. */
export function poolOf(payables: readonly number[], members: readonly number[]): number {
  let pool = 0;
  for (let k = 0; k < members.length; k++) pool += payables[members[k]!]!;
  return pool;
}
