// @vitest-environment node
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatFen } from '../../src/money/index.js';
import { loadWxs, readSource } from './support/harness.js';

const money = loadWxs('utils/money.wxs');

describe('utils/money.wxs', () => {
  it('formats like formatFen for every safe integer of fen', () => {
    fc.assert(
      fc.property(fc.maxSafeInteger(), (fen) => {
        expect(money.format(fen)).toBe(formatFen(fen));
      }),
      { numRuns: 2000 },
    );
  });

  it('formats small amounts and the edges of grouping exactly', () => {
    const cases = [0, 1, 9, 10, 99, 100, 101, 99_999, 100_000, 123_456, 99_999_999, -1, -100, -123_456, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER];
    for (const fen of cases) expect(money.format(fen)).toBe(formatFen(fen));
    expect(money.format(123456)).toBe('¥1,234.56');
    expect(money.format(-5)).toBe('-¥0.05');
  });

  it('splits yuan and cents so that they join back to the amount', () => {
    fc.assert(
      fc.property(fc.integer({ min: -1e12, max: 1e12 }), (fen) => {
        expect(money.yuan(fen) + money.cents(fen)).toBe(formatFen(fen, { symbol: '' }));
      }),
      { numRuns: 500 },
    );
  });

  it('shows a placeholder for an amount that has not arrived', () => {
    expect(money.format(undefined)).toBe('--');
    expect(money.format(null)).toBe('--');
  });

  it('stays inside the WXS subset: no let/const, arrows, regex literals or float division of fen', () => {
    const src = readSource('utils/money.wxs').replace(/\/\/.*$/gm, '');
    expect(src).not.toMatch(/\b(let|const)\b/);
    expect(src).not.toMatch(/=>/);
    expect(src).not.toMatch(/\.replace\(\//);
    // The only division divides a multiple of 100 (abs - cents) by 100.
    const divisions = src.match(/\/\s*100\b/g) ?? [];
    expect(divisions).toHaveLength(1);
    expect(src).toContain('(abs - cents) / 100');
  });
});
