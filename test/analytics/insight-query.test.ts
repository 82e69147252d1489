import { describe, expect, it } from 'vitest';
import { parseFigure, parseInsightQuery } from '../../src/analytics/index.js';

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

describe('parseInsightQuery and parseFigure: text no store can keep', () => {
  // U+0000 and a lone surrogate (docs/storage.md "Strings every store accepts"): PostgreSQL refuses
  // them in a query parameter, so on the SQL twins such a filter was a database error (a 500 from
  // the Express example) where the same request in memory was simply empty.
  const unstorable = ['a\u0000', '\u0000', '\ud800', 'x\udc00y'];

  it('a channel or province filter with one is INVALID_ANALYTICS_OPTIONS at its path, in both languages', () => {
    for (const key of ['channel', 'province'] as const) {
      for (const value of unstorable) {
        const r = parseInsightQuery({ ...base, [key]: value });
        expect(r.ok, `${key} ${JSON.stringify(value)}`).toBe(false);
        if (r.ok) continue;
        expect(r.error.code).toBe('INVALID_ANALYTICS_OPTIONS');
        expect(r.error.path).toEqual(['filter', key]);
        expect(r.error.messages.en).toMatch(/cannot be stored/);
        expect(r.error.messages['zh-CN']).toMatch(/无法保存/);
      }
      expect(parseInsightQuery({ ...base, [key]: '浙江 live 😀' }).ok).toBe(true);
    }
  });

  it('a segment key or a SKU with one is INVALID_ANALYTICS_OPTIONS at its path', () => {
    for (const value of unstorable) {
      const segment = parseFigure({ figure: 'segment', dimension: 'channel', key: value });
      expect(segment.ok).toBe(false);
      if (!segment.ok) expect([segment.error.code, segment.error.path]).toEqual(['INVALID_ANALYTICS_OPTIONS', ['key']]);
      const sku = parseFigure({ figure: 'sku', sku: value });
      expect(sku.ok).toBe(false);
      if (!sku.ok) expect([sku.error.code, sku.error.path, /无法保存/.test(sku.error.messages['zh-CN'])]).toEqual(['INVALID_ANALYTICS_OPTIONS', ['sku'], true]);
    }
    expect(parseFigure({ figure: 'segment', dimension: 'channel', key: '' }).ok).toBe(true);
    expect(parseFigure({ figure: 'sku', sku: 'TEA-😀' }).ok).toBe(true);
  });
});
