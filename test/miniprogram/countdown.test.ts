// @vitest-environment node
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createMiniProgram } from './support/harness.js';
import { createWxStub } from './support/wx-stub.js';

// utils/countdown.js is plain mini program JS; load it through the harness's runtime-style require.
function countdownModule() {
  return createMiniProgram(createWxStub().wx).require('utils/countdown');
}

describe('utils/countdown.js', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('formats remaining time as [d天 ][hh:]mm:ss from whole seconds', () => {
    const { formatRemaining } = countdownModule();
    expect(formatRemaining(1_800_000)).toBe('30:00');
    expect(formatRemaining(1_799_001)).toBe('29:59');
    expect(formatRemaining(3_723_000)).toBe('01:02:03');
    expect(formatRemaining(7 * 86_400_000)).toBe('7天 00:00:00');
    expect(formatRemaining(0)).toBe('00:00');
    expect(formatRemaining(-5)).toBe('00:00');
  });

  it('reads back to the same number of whole seconds', () => {
    const { formatRemaining } = countdownModule();
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 400 * 86_400_000 }), (ms) => {
        const t = formatRemaining(ms) as string;
        const m = /^(?:(\d+)天 )?(?:(\d{2}):)?(\d{2}):(\d{2})$/.exec(t);
        expect(m).not.toBeNull();
        const [, d = '0', h = '0', mi, s] = m!;
        expect(Number(d) * 86400 + Number(h) * 3600 + Number(mi) * 60 + Number(s)).toBe(Math.floor(ms / 1000));
        expect(Number(h)).toBeLessThan(24);
        expect(Number(mi)).toBeLessThan(60);
      }),
      { numRuns: 500 },
    );
  });

  it('ticks every second from the remaining time it was given and ends once', () => {
    vi.useFakeTimers({ now: new Date('2026-11-25T04:00:00Z') });
    const { startCountdown } = countdownModule();
    const ticks: string[] = [];
    const onEnd = vi.fn();
    startCountdown(3_500, (text: string) => ticks.push(text), onEnd);
    expect(ticks).toEqual(['00:03']);
    vi.advanceTimersByTime(1_000);
    vi.advanceTimersByTime(1_000);
    expect(ticks).toEqual(['00:03', '00:02', '00:01']);
    expect(onEnd).not.toHaveBeenCalled();
    vi.advanceTimersByTime(5_000);
    expect(onEnd).toHaveBeenCalledTimes(1);
    expect(ticks[ticks.length - 1]).toBe('00:00');
    expect(vi.getTimerCount()).toBe(0);
  });

  it('stop() ends the ticker', () => {
    vi.useFakeTimers();
    const { startCountdown } = countdownModule();
    const onTick = vi.fn();
    const stop = startCountdown(60_000, onTick, () => {});
    stop();
    vi.advanceTimersByTime(10_000);
    expect(onTick).toHaveBeenCalledTimes(1);
    expect(vi.getTimerCount()).toBe(0);
  });
});
