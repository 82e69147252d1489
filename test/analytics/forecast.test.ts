import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { forecastDaily, holtWinters, seasonalNaive, smape, type DailyValue } from '../../src/analytics/forecast.js';

function series(values: number[], gmvPerOrder = 5000, start = '2026-10-05'): DailyValue[] {
  const [y, m, d] = start.split('-').map(Number) as [number, number, number];
  return values.map((v, i) => ({ date: new Date(Date.UTC(y, m - 1, d + i)).toISOString().slice(0, 10), orders: v, gmv: Math.round(v * gmvPerOrder) }));
}

describe('forecastDaily', () => {
  it('says it has too little data below two weeks, in both languages', () => {
    const r = forecastDaily(series([5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17]));
    expect(r).toMatchObject({ ok: false, reason: 'too_little_data', days: 13, needed: 14 });
    if (!r.ok) {
      expect(r.message.en).toContain('13');
      expect(r.message['zh-CN']).toContain('14 天');
    }
    expect(forecastDaily([])).toMatchObject({ ok: false, days: 0 });
  });

  it('follows a weekly pattern with a trend (noise-free series are forecast within 3 %)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 20, max: 500 }),
        fc.integer({ min: -10, max: 20 }).map((s) => s / 10),
        fc.array(fc.integer({ min: -10, max: 10 }), { minLength: 7, maxLength: 7 }),
        fc.integer({ min: 14, max: 56 }),
        (level, slope, weekly, days) => {
          const shape = weekly.map((w) => (w * level) / 40);
          const at = (t: number) => level + slope * t + shape[t % 7]!;
          const r = forecastDaily(series(Array.from({ length: days }, (_, t) => at(t))));
          expect(r.ok).toBe(true);
          if (!r.ok) return;
          expect(r.points).toHaveLength(14);
          r.points.forEach((p, h) => {
            const truth = Math.max(0, at(days + h));
            expect(Math.abs(p.orders.value - truth)).toBeLessThanOrEqual(0.03 * level + 0.1);
            expect(p.orders.low).toBeLessThanOrEqual(p.orders.value);
            expect(p.orders.high).toBeGreaterThanOrEqual(p.orders.value);
            expect(p.gmv.low).toBeGreaterThanOrEqual(0);
            expect(Number.isInteger(p.gmv.value)).toBe(true);
          });
        },
      ),
      { numRuns: 40 },
    );
  });

  it('continues the calendar from the last day, across a month end', () => {
    const r = forecastDaily(series(Array.from({ length: 14 }, (_, i) => 10 + (i % 7)), 1000, '2026-10-18'));
    expect(r.ok && r.points.map((p) => p.date).slice(0, 2)).toEqual(['2026-11-01', '2026-11-02']);
    expect(r.ok && r.points[13]!.date).toBe('2026-11-14');
  });

  it('widens the band with noise', () => {
    const calm = holtWinters(Array.from({ length: 28 }, (_, t) => 50 + (t % 7)), 14);
    const noisy = holtWinters(Array.from({ length: 28 }, (_, t) => 50 + (t % 7) + (t % 3 === 0 ? 9 : -4)), 14);
    expect(noisy.rmse).toBeGreaterThan(calm.rmse);
  });
});

describe('the backtest measures', () => {
  it('seasonal naive repeats last week, smape is symmetric and 0 for a perfect forecast', () => {
    expect(seasonalNaive([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14], 9)).toEqual([8, 9, 10, 11, 12, 13, 14, 8, 9]);
    expect(smape([10, 0], [10, 0])).toBe(0);
    expect(smape([10], [30])).toBeCloseTo(1);
    expect(smape([30], [10])).toBeCloseTo(1);
  });
});
