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
export function takeShare(payables: number[] | Float64Array, members: readonly number[], wanted: number): { taken: number; parts: number[] } {
  if (members.length === 1) {
    // One line takes it all: the largest-remainder split of `taken` over one weight is `taken`.
    const m = members[0]!;
    const w = payables[m]!;
    const taken = wanted < w ? wanted : w;
    if (taken <= 0) return { taken: 0, parts: [0] };
    payables[m] = w - taken;
    return { taken, parts: [taken] };
  }
  const weights = new Array<number>(members.length);
  let pool = 0;
  for (let k = 0; k < members.length; k++) {
    const w = payables[members[k]!]!;
    weights[k] = w;
    pool += w;
  }
  const taken = wanted < pool ? wanted : pool;
  if (taken <= 0) return { taken: 0, parts: weights.fill(0) };
  const parts = largestRemainder(taken, weights, pool);
  for (let k = 0; k < members.length; k++) payables[members[k]!]! -= parts[k]!;
  return { taken, parts };
}

/** Reused by `takeOnly` (pricing is synchronous: no two calls interleave). */
let keyScratch = new Float64Array(16);
let partScratch = new Float64Array(16);

/**
 * `takeShare` without the parts: the same payables afterwards to the fen (the same largest-remainder
 * split, test/pricing/floor-bound.test.ts checks it with fast-check), but no allocation. Why a second
 * implementation: the coupon search (select-coupons.ts) splits a coupon tens of thousands of times
 * per call and `takeShare`'s arrays were most of its time and its garbage. The search passes
 * Float64Arrays only (docs/pricing.md "bestCoupons", "Cost"), so that this code meets one kind of
 * array whatever the cart.
 */
export function takeOnly(payables: Float64Array | number[], members: readonly number[], wanted: number): number {
  const n = members.length;
  if (n === 1) {
    const m = members[0]!;
    const w = payables[m]!;
    const taken = wanted < w ? wanted : w;
    if (taken <= 0) return 0;
    payables[m] = w - taken;
    return taken;
  }
  let pool = 0;
  for (let k = 0; k < n; k++) pool += payables[members[k]!]!;
  const taken = wanted < pool ? wanted : pool;
  if (taken <= 0) return 0;
  if (taken === pool) {
    for (let k = 0; k < n; k++) payables[members[k]!] = 0;
    return taken;
  }
  if (!Number.isSafeInteger(taken * pool) || !Number.isSafeInteger((pool + 1) * n)) return takeShare(payables, members, wanted).taken;
  if (keyScratch.length < n) (keyScratch = new Float64Array(2 * n)), (partScratch = new Float64Array(2 * n));
  const keys = keyScratch;
  const parts = partScratch;
  let m = 0;
  let given = 0;
  for (let i = 0; i < n; i++) {
    const w = payables[members[i]!]!;
    const scaled = taken * w;
    const q = Math.floor(scaled / pool);
    parts[i] = q;
    given += q;
    if (w !== 0) keys[m++] = (scaled - q * pool) * n + (n - 1 - i);
  }
  let left = taken - given;
  if (left > 0) {
    let ranked = keys;
    if (m <= 16) {
      // Few keys (the usual scope): sorted in place, without the view `subarray` allocates.
      for (let a = 1; a < m; a++) {
        const key = keys[a]!;
        let b = a - 1;
        while (b >= 0 && keys[b]! > key) (keys[b + 1] = keys[b]!), b--;
        keys[b + 1] = key;
      }
    } else ranked = keys.subarray(0, m).sort();
    for (let k = m - 1; left > 0; k--, left--) parts[n - 1 - (ranked[k]! % n)]! += 1;
  }
  for (let i = 0; i < n; i++) payables[members[i]!]! -= parts[i]!;
  return taken;
}

/** Σ payables over `members`. */
export function poolOf(payables: readonly number[], members: readonly number[]): number {
  let pool = 0;
  for (let k = 0; k < members.length; k++) pool += payables[members[k]!]!;
  return pool;
}

/**
 * `allocate(total, weights)` from src/money, same parts to the fen (largest remainder, ties to the
 * lower index; test/pricing/arith.test.ts checks it against `allocate` with fast-check), for the
 * case pricing always has: 0 < total ≤ Σ weights, weights already known to be safe integers.
 * Why a second implementation: `allocate` re-validates its input and sorts indices with a
 * comparator, which was a third of priceCart's time on a 50-line cart; here the leftover fen go
 * out through one native numeric sort of packed (remainder, index) keys.
 */
export function largestRemainder(total: number, weights: readonly number[], weightSum: number): number[] {
  const n = weights.length;
  // Packed keys must stay exact: remainder × n + n < 2^53, and total × weight must be exact.
  if (!Number.isSafeInteger(total * weightSum) || !Number.isSafeInteger((weightSum + 1) * n)) return allocate(total, weights);
  const parts = new Array<number>(n);
  // Key = remainder × n + (n − 1 − i): bigger remainder first, then lower index. Zero weights
  // never qualify (a zero weight has remainder 0 and must receive nothing).
  const keys = new Float64Array(n);
  let m = 0;
  let given = 0;
  for (let i = 0; i < n; i++) {
    const w = weights[i]!;
    const scaled = total * w;
    const q = Math.floor(scaled / weightSum);
    parts[i] = q;
    given += q;
    if (w !== 0) keys[m++] = (scaled - q * weightSum) * n + (n - 1 - i);
  }
  let left = total - given;
  if (left === 0) return parts;
  const ranked = keys.subarray(0, m).sort();
  for (let k = m - 1; left > 0; k--, left--) {
    const key = ranked[k]!;
    parts[n - 1 - (key % n)]! += 1;
  }
  return parts;
}
