import { describe, expect, it } from 'vitest';
import { unknownDatabaseZone } from '../../src/adapters/postgres/analytics-projection.js';
import { OrderkitError } from '../../src/errors/orderkit-error.js';

// A zone the JavaScript runtime knows but the server's tz database does not (docs/analytics.md):
// PostgreSQL answers `time zone "…" not recognized`; no server here lacks a zone, so the mapping is
// checked on the error itself.
describe('unknownDatabaseZone', () => {
  it('turns the server’s unknown-zone error into a typed error at path timeZone', () => {
    const e = unknownDatabaseZone(new Error('time zone "America/Ciudad_Juarez" not recognized'));
    expect(e).toBeInstanceOf(OrderkitError);
    expect(e).toMatchObject({ code: 'INVALID_ANALYTICS_OPTIONS', path: ['timeZone'], messages: { 'zh-CN': expect.stringContaining('时区'), en: expect.stringContaining('time zone') } });
  });

  it('leaves every other error alone', () => {
    expect(unknownDatabaseZone(new Error('connection terminated'))).toBeNull();
    expect(unknownDatabaseZone('time zone')).toBeNull();
    expect(unknownDatabaseZone(undefined)).toBeNull();
  });
});
