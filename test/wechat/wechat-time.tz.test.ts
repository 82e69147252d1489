import { describe, expect, it } from 'vitest';
import { formatBeijingCompact, formatRfc3339, parseBeijingCompact, parseBeijingDateTime, parseRfc3339 } from '../../src/wechat/index.js';

// Re-run under TZ=UTC and TZ=America/New_York by `npm test`: none of these may depend on the host zone.
describe('WeChat time formats', () => {
  it('formats RFC 3339 with the shop zone offset, not the host one', () => {
    const at = new Date('2026-11-25T16:30:00.120Z');
    expect(formatRfc3339(at)).toBe('2026-11-26T00:30:00+08:00');
    expect(formatRfc3339(at, 'Asia/Shanghai', { milliseconds: true })).toBe('2026-11-26T00:30:00.120+08:00');
    expect(formatRfc3339(at, 'UTC')).toBe('2026-11-25T16:30:00+00:00');
  });

  it('reads v3 and v2 times as the instants they name', () => {
    expect(parseRfc3339('2026-11-26T00:30:00+08:00')?.toISOString()).toBe('2026-11-25T16:30:00.000Z');
    expect(parseRfc3339('2026-02-30T00:00:00+08:00')).toBeNull();
    expect(parseBeijingCompact('20261126003000')?.toISOString()).toBe('2026-11-25T16:30:00.000Z');
    expect(parseBeijingCompact('20260230000000')).toBeNull();
    expect(parseBeijingDateTime('2026-11-26 00:30:00')?.toISOString()).toBe('2026-11-25T16:30:00.000Z');
    expect(formatBeijingCompact(new Date('2026-11-25T16:30:00Z'))).toBe('20261126003000');
  });
});
