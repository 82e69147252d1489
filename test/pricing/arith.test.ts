import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { allocate } from '../../src/money/index.js';
import { largestRemainder, percentOf, takeShare } from '../../src/pricing/arith.js';

describe('pricing arithmetic', () => {
  it('largestRemainder gives exactly the parts of allocate', () => {
    const weightsArb = fc.array(fc.oneof(fc.nat(20), fc.nat(100_000), fc.constant(0), fc.nat({ max: Number.MAX_SAFE_INTEGER })), { minLength: 1, maxLength: 60 });
    fc.assert(
      fc.property(weightsArb, fc.nat(), (weights, seed) => {
        const sum = weights.reduce((a, b) => a + b, 0);
        fc.pre(sum > 0 && Number.isSafeInteger(sum));
        const total = 1 + (seed % sum);
        expect(largestRemainder(total, weights, sum)).toEqual(allocate(total, weights));
      }),
      { numRuns: 3000 },
    );
  });

  it('ties go to the lower index, zero weights get nothing', () => {
    expect(largestRemainder(2, [1, 1, 1], 3)).toEqual([1, 1, 0]);
    expect(largestRemainder(5, [0, 3, 0, 3], 6)).toEqual([0, 3, 0, 2]);
  });

  it('takeShare never takes more than the lines cost, nor more than asked', () => {
    fc.assert(
      fc.property(fc.array(fc.nat(100_000), { minLength: 1, maxLength: 20 }), fc.nat(3_000_000), (payables, wanted) => {
        const before = payables.slice();
        const members = payables.map((_, i) => i).filter((i) => i % 3 !== 2);
        const { taken, parts } = takeShare(payables, members, wanted);
        const pool = members.reduce((a, i) => a + before[i]!, 0);
        expect(taken).toBe(Math.min(wanted, pool));
        expect(parts.reduce((a, b) => a + b, 0)).toBe(taken);
        members.forEach((i, k) => {
          expect(parts[k]).toBeLessThanOrEqual(before[i]!);
          expect(payables[i]).toBe(before[i]! - parts[k]!);
        });
        payables.forEach((p, i) => members.includes(i) || expect(p).toBe(before[i]));
      }),
    );
  });

  it('percentOf rounds halves up, exactly, even beyond 2^53 / 10000', () => {
    expect(percentOf(1999, 2000)).toBe(400); // 399.8
    expect(percentOf(1999, 500)).toBe(100); // 99.95
    expect(percentOf(1, 5000)).toBe(1); // 0.5 → 1
    expect(percentOf(1, 4999)).toBe(0);
    expect(percentOf(Number.MAX_SAFE_INTEGER, 10000)).toBe(Number.MAX_SAFE_INTEGER);
    fc.assert(
      fc.property(fc.nat({ max: Number.MAX_SAFE_INTEGER }), fc.integer({ min: 1, max: 10000 }), (amount, bp) => {
        const exact = (BigInt(amount) * BigInt(bp) * 2n + 10000n) / 20000n;
        expect(BigInt(percentOf(amount, bp))).toBe(exact);
      }),
    );
  });
});
