import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { orderCountdown, shopTime } from '../../src/index.js';
import { paid, placed, shipped, T0 } from '../view/fixtures.js';

const at = (iso: string) => new Date(iso);

describe('countdown.deadlineText: a deadline said the way people say it', () => {
  it('pay-by today, auto-confirm in days: 今天/明天/后天, then the date, the year only when it is another', () => {
    const order = placed();
    expect(orderCountdown(order, { now: T0 })!.deadlineText).toBe('请于今天 12:30前付款');
    expect(orderCountdown(order, { now: T0, locale: 'en' })!.deadlineText).toBe('Pay by today 12:30');
    const travelling = shipped(paid(order));
    const due = travelling.deadlines.autoConfirmAt!;
    expect(shopTime(due, 'Asia/Shanghai')).toBe('2026-12-03 12:00');
    expect(orderCountdown(travelling, { now: at('2026-11-26T05:00:00Z') })!.deadlineText).toBe('12月3日 12:00自动确认收货');
    expect(orderCountdown(travelling, { now: at('2026-12-02T05:00:00Z') })!.deadlineText).toBe('明天 12:00自动确认收货');
    expect(orderCountdown(travelling, { now: at('2026-12-01T05:00:00Z') })!.deadlineText).toBe('后天 12:00自动确认收货');
    expect(orderCountdown(travelling, { now: at('2025-12-30T05:00:00Z') })!.deadlineText).toBe('2026年12月3日 12:00自动确认收货');
    expect(orderCountdown(travelling, { now: at('2026-12-02T05:00:00Z'), locale: 'en' })!.deadlineText).toBe('Receipt is confirmed automatically tomorrow 12:00');
    expect(orderCountdown(travelling, { now: at('2026-11-26T05:00:00Z'), locale: 'en' })!.deadlineText).toBe('Receipt is confirmed automatically on Dec 3 12:00');
    // Days are the shop's days: 23:30 UTC is already the next day in Shanghai.
    expect(orderCountdown(travelling, { now: at('2026-12-01T23:30:00Z') })!.deadlineText).toBe('明天 12:00自动确认收货');
  });

  it('for any moment before the deadline, the sentence names its clock time and reads as Chinese words around it', () => {
    const order = placed();
    const payBy = Date.parse(order.deadlines.payBy!);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 400 * 86_400_000 }), (before) => {
        const text = orderCountdown(order, { now: new Date(payBy - before) })!.deadlineText;
        expect(text.startsWith('请于')).toBe(true);
        expect(text.endsWith('12:30前付款')).toBe(true);
        expect(text).not.toMatch(/[A-Za-z]/);
      }),
    );
  });
});
