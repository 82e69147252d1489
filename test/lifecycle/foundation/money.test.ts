import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { OrderkitError } from '../../../src/errors/index.js';
import { allocate, assertFen, formatFen, isFen, multiplyFen, sumFen } from '../../../src/money/index.js';

const code = (fn: () => unknown): string | undefined => {
  try {
    fn();
  } catch (e) {
    return e instanceof OrderkitError ? e.code : 'UNTYPED';
  }
  return undefined;
};

describe('allocate', () => {
  it('splits by largest remainder with the lower index winning ties', () => {
    expect(allocate(100, [1, 1, 1])).toEqual([34, 33, 33]);
    expect(allocate(1000, [3000, 2000, 0])).toEqual([600, 400, 0]);
    expect(allocate(5, [1, 1])).toEqual([3, 2]);
    expect(allocate(-100, [1, 1, 1])).toEqual([-34, -33, -33]);
    expect(allocate(0, [0, 0])).toEqual([0, 0]);
  });

  it('always sums to the total, never pays a weight-0 part, and is near-proportional', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -10_000_000, max: 10_000_000 }),
        fc.array(fc.integer({ min: 0, max: 1_000_000 }), { minLength: 1, maxLength: 12 }).filter((w) => w.some((x) => x > 0)),
        (total, weights) => {
          const parts = allocate(total, weights);
          expect(parts.reduce((a, b) => a + b, 0)).toBe(total);
          const sum = weights.reduce((a, b) => a + b, 0);
          parts.forEach((p, i) => {
            expect(Number.isSafeInteger(p)).toBe(true);
            if (weights[i] === 0) expect(p).toBe(0);
            expect(Math.abs(p - (total * weights[i]!) / sum)).toBeLessThan(1);
          });
        },
      ),
      { numRuns: 500 },
    );
  });

  it('breaks ties towards the lower index, deterministically', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 20 }), fc.integer({ min: 2, max: 10 }), (total, n) => {
        const parts = allocate(total, new Array(n).fill(1));
        // Equal weights: the extra fen go to the first indexes, so parts never increase.
        for (let i = 1; i < n; i++) expect(parts[i]!).toBeLessThanOrEqual(parts[i - 1]!);
        expect(allocate(total, new Array(n).fill(1))).toEqual(parts);
      }),
    );
  });

  it('takes the BigInt path for huge weights and still sums exactly', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
        fc.array(fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }), { minLength: 2, maxLength: 5 }).filter((w) => Number.isSafeInteger(w.reduce((a, b) => a + b, 0))),
        (total, weights) => {
          const parts = allocate(total, weights);
          expect(parts.reduce((a, b) => a + b, 0)).toBe(total);
          parts.forEach((p) => expect(Number.isSafeInteger(p)).toBe(true));
        },
      ),
      { numRuns: 200 },
    );
    expect(allocate(Number.MAX_SAFE_INTEGER, [Number.MAX_SAFE_INTEGER - 1, 1])).toEqual([Number.MAX_SAFE_INTEGER - 1, 1]);
  });

  it('refuses bad weights and nothing to split over with typed errors', () => {
    expect(code(() => allocate(10, [1.5]))).toBe('ALLOCATE_BAD_WEIGHT');
    expect(code(() => allocate(10, [-1, 2]))).toBe('ALLOCATE_BAD_WEIGHT');
    expect(code(() => allocate(10, [0, 0]))).toBe('ALLOCATE_NO_WEIGHT');
    expect(code(() => allocate(10, []))).toBe('ALLOCATE_NO_WEIGHT');
    expect(code(() => allocate(0.5, [1]))).toBe('INVALID_AMOUNT');
  });
});

describe('fen guards', () => {
  it('assertFen rejects floats, negatives, unsafe integers and non-numbers', () => {
    for (const bad of [19.99, -1, Number.MAX_SAFE_INTEGER + 1, Number.NaN, Number.POSITIVE_INFINITY, '100', null, undefined]) {
      expect(code(() => assertFen(bad))).toBe('INVALID_AMOUNT');
      expect(isFen(bad)).toBe(false);
    }
    expect(code(() => assertFen(-5, { allowNegative: true }))).toBeUndefined();
    expect(code(() => assertFen(0))).toBeUndefined();
    fc.assert(fc.property(fc.double({ noInteger: true }), (x) => {
      expect(isFen(x)).toBe(false);
    }));
    fc.assert(fc.property(fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), (x) => {
      expect(isFen(x)).toBe(true);
    }));
  });

  it('names the path and speaks both languages', () => {
    try {
      assertFen(1.5, { path: ['lines', 0, 'price'] });
    } catch (e) {
      const err = e as OrderkitError;
      expect(err.path).toEqual(['lines', 0, 'price']);
      expect(err.messages['zh-CN']).toContain('分');
      expect(err.messages.en).toContain('fen');
    }
  });

  it('sumFen and multiplyFen refuse to leave the safe range', () => {
    expect(sumFen([1, 2, 3])).toBe(6);
    expect(code(() => sumFen([Number.MAX_SAFE_INTEGER, 1]))).toBe('INVALID_AMOUNT');
    expect(multiplyFen(1999, 3)).toBe(5997);
    expect(code(() => multiplyFen(Number.MAX_SAFE_INTEGER, 2))).toBe('INVALID_AMOUNT');
  });
});

describe('formatFen', () => {
  it('formats yuan with grouping and two decimals', () => {
    expect(formatFen(123456)).toBe('¥1,234.56');
    expect(formatFen(5)).toBe('¥0.05');
    expect(formatFen(-5)).toBe('-¥0.05');
    expect(formatFen(100000000)).toBe('¥1,000,000.00');
    expect(formatFen(123456, { symbol: '', grouping: false })).toBe('1234.56');
  });

  it('round-trips every amount through its digits', () => {
    fc.assert(
      fc.property(fc.integer({ min: -Number.MAX_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER }), (fen) => {
        const text = formatFen(fen, { symbol: '' }).replace(/,/g, '');
        const [whole, cents] = text.replace('-', '').split('.');
        expect(cents).toHaveLength(2);
        const back = BigInt(whole!) * 100n + BigInt(cents!);
        expect(fen < 0 ? -back : back).toBe(BigInt(fen));
      }),
      { numRuns: 500 },
    );
  });

  it('refuses floats', () => {
    expect(code(() => formatFen(1.5))).toBe('INVALID_AMOUNT');
  });
});
