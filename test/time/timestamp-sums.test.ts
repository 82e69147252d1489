import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseIsoTimestamp } from '../../src/time/iso.js';
import { addInZoneMs, addInZoneToTimestamp, type Duration } from '../../src/time/zoned.js';

/**
 * addInZoneToTimestamp remembers its last answer (the refund period's end, asked on every
 * after-sale step): it must answer exactly as the sum it stands for, whatever was asked before it
 * (another text, or the same text with another zone or duration), or with the same duration object
 * edited. (Checked to fail when the entry is taken for any text of the same length.)
 */
const ZONES = ['Asia/Shanghai', 'America/New_York', 'Europe/Berlin', 'UTC', '+05:30', ''];
const DURATIONS: Duration[] = [{ days: 365 }, { days: 7 }, { months: 1 }, { years: 1, hours: 3 }, { weeks: 2, minutes: 30 }, { seconds: 59 }];

function expected(text: string, d: Duration, zone: string): number {
  return addInZoneMs(parseIsoTimestamp(text), d, zone);
}

/** The value, or the error's name for a call that throws (an unreadable text in a zone Intl is asked about). */
function outcome(fn: () => number): number | string {
  try {
    return fn();
  } catch (error) {
    return (error as Error).name;
  }
}

describe('addInZoneToTimestamp', () => {
  it('equals addInZoneMs(parseIsoTimestamp(text)) for a few texts asked again and again with other zones and durations', () => {
    // A small pool of texts, so most calls find an entry made under another key.
    const texts = fc.constantFrom(
      '2026-11-25T04:05:00.000Z',
      '2026-03-08T06:30:00.000Z',
      '2026-10-25T00:59:59.999Z',
      '2024-02-29T23:00:00.000Z',
      'not a time',
      '2026-11-25T04:05:00Z',
    );
    fc.assert(
      fc.property(fc.array(fc.tuple(texts, fc.constantFrom(...DURATIONS), fc.constantFrom(...ZONES)), { minLength: 1, maxLength: 12 }), (calls) => {
        for (const [text, d, zone] of calls) expect(outcome(() => addInZoneToTimestamp(text, d, zone))).toEqual(outcome(() => expected(text, d, zone)));
      }),
      { numRuns: 400 },
    );
  });

  it('answers from the edited value when a duration object is changed in place', () => {
    const d: Duration = { days: 365 };
    const text = '2026-11-25T04:05:00.000Z';
    expect(addInZoneToTimestamp(text, d, 'Asia/Shanghai')).toBe(expected(text, { days: 365 }, 'Asia/Shanghai'));
    d.days = 30;
    expect(addInZoneToTimestamp(text, d, 'Asia/Shanghai')).toBe(expected(text, { days: 30 }, 'Asia/Shanghai'));
    d.hours = 1;
    expect(addInZoneToTimestamp(text, d, 'Asia/Shanghai')).toBe(expected(text, { days: 30, hours: 1 }, 'Asia/Shanghai'));
  });

  it('stays right past its bound (more texts than it keeps), and an unknown zone still throws every time', () => {
    const base = Date.parse('2026-01-01T00:00:00.000Z');
    for (let i = 0; i < 2500; i++) {
      const text = new Date(base + i * 3_600_000).toISOString();
      expect(addInZoneToTimestamp(text, { days: 365 }, 'America/New_York')).toBe(expected(text, { days: 365 }, 'America/New_York'));
    }
    const text = new Date(base).toISOString();
    expect(addInZoneToTimestamp(text, { days: 365 }, 'America/New_York')).toBe(expected(text, { days: 365 }, 'America/New_York'));
    for (let i = 0; i < 2; i++) expect(() => addInZoneToTimestamp(text, { days: 365 }, 'Mars/Olympus')).toThrow(/time zone/);
  });
});
