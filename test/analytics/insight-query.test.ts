import { describe, expect, it } from 'vitest';
import { parseInsightQuery } from '../../src/analytics/index.js';

/**
 * parseInsightQuery (docs/analytics.md "Customers, products, channels"): `from` and `to` are ISO
 * 8601 times or epoch milliseconds; anything else is refused with its path and a reason in both
 * languages, instead of being read by the engine's lenient date parser ("1" as 2001-01-01).
 */

const base = { from: '2026-11-09T00:00:00+08:00', to: '2026-11-16T00:00:00+08:00', timeZone: 'Asia/Shanghai' };

describe('parseInsightQuery: the range bounds', () => {
  it('accepts ISO times (with an offset or Z, or a date alone), epoch ms as a number or text, and Dates', () => {
    const ms = Date.parse(base.from);
    for (const from of [base.from, '2026-11-08T16:00:00Z', '2026-11-08T16:00:00.000Z', '2026-11-09T00:00+08:00', ms, String(ms), new Date(ms)]) {
      const r = parseInsightQuery({ ...base, from });
      expect(r.ok, String(from)).toBe(true);
      if (r.ok) expect(r.options.from.getTime()).toBe(ms);
    }
    const day = parseInsightQuery({ ...base, from: '2026-11-08' });
    expect(day.ok && day.options.from.toISOString()).toBe('2026-11-08T00:00:00.000Z');
  });

  it('refuses what is not a time, with its path and a reason in both languages', () => {
    for (const from of ['yesterday', 'foo 2026', 'Dec 25', '11/09/2026', '2026-02-30T00:00:00+08:00', '2026-11-09T25:00:00+08:00', '2026-13-01', '', ' ', '1e3', ['2026-11-09', '2026-11-10'], { a: 1 }, true, NaN, Infinity, new Date(NaN)]) {
      const r = parseInsightQuery({ ...base, from });
      expect(r.ok, JSON.stringify(from)).toBe(false);
      if (r.ok) continue;
      expect(r.error.code).toBe('INVALID_ANALYTICS_OPTIONS');
      expect(r.error.path).toEqual(['from']);
      expect(r.error.messages.en).toMatch(/from is not a valid time/);
      expect(r.error.messages['zh-CN']).toMatch(/from 不是有效的时间/);
    }
  });

  it('reads digits as epoch ms, not as a year', () => {
    const r = parseInsightQuery({ ...base, from: '1', to: '86400000' });
    expect(r.ok && [r.options.from.toISOString(), r.options.to.toISOString()]).toEqual(['1970-01-01T00:00:00.001Z', '1970-01-02T00:00:00.000Z']);
  });

  it('says a missing bound is missing', () => {
    const { to: _to, ...noTo } = base;
    const r = parseInsightQuery(noTo);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.path).toEqual(['to']);
      expect(r.error.messages.en).toMatch(/to: required field is missing/);
    }
  });
});
