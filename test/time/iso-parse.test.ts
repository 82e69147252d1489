import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseIsoTimestamp } from '../../src/time/iso.js';

/** parseIsoTimestamp is a faster Date.parse for the refund steps: it must never answer otherwise. */
describe('parseIsoTimestamp', () => {
  it('reads back every toISOString of the years it handles, and any other instant as Date.parse does', () => {
    fc.assert(
      fc.property(fc.integer({ min: -62_198_755_200_000, max: 8_640_000_000_000_000 }), (ms) => {
        const text = new Date(ms).toISOString();
        expect(parseIsoTimestamp(text)).toBe(Date.parse(text));
      }),
      { numRuns: 3000 },
    );
  });

  it('agrees with Date.parse on damaged timestamps (a character replaced) and on any string', () => {
    const chars = '0123456789-:.TZ+ /a\u0000';
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 253_402_300_799_999 }),
        fc.array(fc.tuple(fc.nat(23), fc.constantFrom(...chars.split(''))), { maxLength: 3 }),
        (ms, edits) => {
          const text = new Date(ms).toISOString().split('');
          for (const [i, c] of edits) text[i] = c;
          const s = text.join('');
          expect(Object.is(parseIsoTimestamp(s), Date.parse(s))).toBe(true);
        },
      ),
      { numRuns: 3000 },
    );
    fc.assert(
      fc.property(fc.string({ maxLength: 30 }), (s) => {
        expect(Object.is(parseIsoTimestamp(s), Date.parse(s))).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });

  it('leaves month lengths and hour 24 to the runtime', () => {
    for (const s of ['2024-02-29T00:00:00.000Z', '2023-02-29T00:00:00.000Z', '2026-04-31T12:00:00.000Z', '2026-11-25T24:00:00.000Z', '2026-13-01T00:00:00.000Z', '2026-00-10T00:00:00.000Z']) {
      expect(Object.is(parseIsoTimestamp(s), Date.parse(s))).toBe(true);
    }
  });
});
