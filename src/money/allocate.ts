import { OrderkitError } from '../errors/orderkit-error.js';
import { assertFen, type Fen } from './assert-fen.js';

/**
 * Splits `total` fen over `weights` by the largest-remainder method.
 *
 * - The parts always sum to exactly `total`.
 * - A weight of 0 never receives anything (unless every weight is 0: then nothing can be split and
 *   `ALLOCATE_NO_WEIGHT` is thrown, because silently dropping money is worse than failing).
 * - Ties in the remainder go to the lower index, so the same input always gives the same parts.
 *   Callers who split over order lines sort them by a stable key first (docs/pricing.md "Money rules").
 *
 * Works with big weights too: the arithmetic runs in BigInt when `total × weight` would leave the
 * safe-integer range.
 *
 * @example
 * allocate(100, [1, 1, 1]) // [34, 33, 33]
 * allocate(1000, [3000, 2000, 0]) // [600, 400, 0]
 */
export function allocate(total: Fen, weights: readonly number[]): Fen[] {
  assertFen(total, { allowNegative: true, path: ['total'] });
  let weightSum = 0;
  for (let i = 0; i < weights.length; i++) {
    const w = weights[i]!;
    if (!Number.isSafeInteger(w) || w < 0) {
      throw new OrderkitError({
        code: 'ALLOCATE_BAD_WEIGHT',
        message: { 'zh-CN': `分摊权重必须是非负整数（第 ${i} 项为 ${String(w)}）`, en: `weights must be non-negative integers (index ${i} is ${String(w)})` },
        path: ['weights', i],
      });
    }
    weightSum += w;
  }
  if (weights.length === 0 || weightSum === 0) {
    if (total === 0) return weights.map(() => 0);
    throw new OrderkitError({
      code: 'ALLOCATE_NO_WEIGHT',
      message: { 'zh-CN': '没有可分摊的对象：所有权重均为 0', en: 'nothing to allocate over: every weight is 0' },
      path: ['weights'],
    });
  }
  if (total < 0) return allocate(-total, weights).map((part) => (part === 0 ? 0 : -part));

  const parts = new Array<number>(weights.length);
  const remainders = new Array<number>(weights.length);
  let given = 0;
  const exact = Number.isSafeInteger(total * weightSum);
  for (let i = 0; i < weights.length; i++) {
    const w = weights[i]!;
    if (exact) {
      const scaled = total * w;
      const q = Math.floor(scaled / weightSum);
      parts[i] = q;
      remainders[i] = scaled - q * weightSum;
    } else {
      const scaled = BigInt(total) * BigInt(w);
      const big = BigInt(weightSum);
      const q = scaled / big;
      parts[i] = Number(q);
      remainders[i] = Number(scaled - q * big);
    }
    given += parts[i]!;
  }
  let left = total - given;
  if (left > 0) {
    // Indices by descending remainder, lower index first on ties; zero weights never qualify.
    const order: number[] = [];
    for (let i = 0; i < weights.length; i++) if (weights[i]! > 0) order.push(i);
    order.sort((a, b) => remainders[b]! - remainders[a]! || a - b);
    for (let k = 0; left > 0; k = (k + 1) % order.length, left--) parts[order[k]!]! += 1;
  }
  return parts;
}
