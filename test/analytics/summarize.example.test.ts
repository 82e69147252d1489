import { describe, expect, it } from 'vitest';
import { bottlenecks, summarize } from '../../src/analytics/index.js';
import { buildOrder } from './support/build-order.js';

// A tiny shop worked out by hand (times are Asia/Shanghai, +08:00). The expected numbers below are
// computed in the comments, not copied from a run.
const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const t = (local: string) => Date.parse(`${local}+08:00`);

const orders = [
  // A: placed day 1, paid after 10 min, one parcel 50 h later, completed 3 days after shipping.
  buildOrder({
    id: 'A',
    placedAt: t('2026-11-01T02:00:00'),
    lines: [{ sku: 'TEA-01', quantity: 2, payable: 10_000 }],
    paidAfterMs: 10 * MIN,
    parcelsAfterPaidMs: [50 * HOUR],
    completedAfterShippedMs: 3 * DAY,
  }),
  // B: placed day 1 at 23:30, paid 40 min later (00:10 on day 2), 2000 refunded, never shipped.
  buildOrder({
    id: 'B',
    placedAt: t('2026-11-01T23:30:00'),
    lines: [
      { sku: 'TEA-01', quantity: 1, payable: 5_000 },
      { sku: 'CUP-01', quantity: 1, payable: 3_000 },
    ],
    freight: 1_000,
    paidAfterMs: 40 * MIN,
    refunds: [{ amount: 2_000, status: 'succeeded' }],
  }),
  // C: placed day 2, payment timed out.
  buildOrder({ id: 'C', placedAt: t('2026-11-02T10:00:00'), lines: [{ sku: 'CUP-01', quantity: 1, payable: 3_000 }], closedUnpaid: 'payment_timeout' }),
  // D: placed before the range, paid inside it (00:30 day 1), shipped 1 h later, delivered 24 h after.
  buildOrder({
    id: 'D',
    placedAt: t('2026-10-31T23:00:00'),
    lines: [{ sku: 'POT-01', quantity: 1, payable: 20_000 }],
    paidAfterMs: 90 * MIN,
    parcelsAfterPaidMs: [HOUR],
    deliveredAfterShippedMs: DAY,
  }),
  // E: placed exactly at `to` (excluded), paid a second later.
  buildOrder({ id: 'E', placedAt: t('2026-11-03T00:00:00'), lines: [{ sku: 'TEA-02', quantity: 1, payable: 100 }], paidAfterMs: 1000 }),
];

const from = new Date(t('2026-11-01T00:00:00'));
const to = new Date(t('2026-11-03T00:00:00'));

describe('summarize on a shop worked out by hand', () => {
  const s = summarize(orders, { from, to, timeZone: 'Asia/Shanghai' });

  it('counts the placed cohort by status and close reason', () => {
    expect(s.statusCounts).toEqual({
      pending_payment: 0,
      paid: 1,
      partially_shipped: 0,
      shipped: 0,
      delivered: 0,
      completed: 1,
      closed: 1,
    });
    expect(s.closeReasons.payment_timeout).toBe(1);
  });

  it('follows the placed cohort through the funnel', () => {
    expect(s.funnel.map((f) => [f.step, f.count, f.conversionFromPrevious, f.conversionFromPlaced])).toEqual([
      ['placed', 3, null, 1],
      ['paid', 2, 0.6667, 0.6667],
      ['shipped', 1, 0.5, 0.3333],
      ['completed', 1, 1, 0.3333],
    ]);
  });

  it('takes money from the orders paid in the range (A, B, D)', () => {
    expect(s.revenue).toEqual({ gmv: 39_000, refunded: 2_000, netRevenue: 37_000, paidOrders: 3, averageOrderValue: 13_000 });
    // 1 of 3 paid orders refunded; 2000 / 39000 = 0.05128… → 0.0513; 1 of 3 placed timed out.
    expect(s.rates).toEqual({ refundRate: 0.3333, refundAmountRate: 0.0513, paymentTimeoutRate: 0.3333 });
  });

  it('reports nearest-rank stage durations of the placed cohort', () => {
    const byStage = Object.fromEntries(s.stageDurations.map((d) => [d.stage, d]));
    // payment: A 10 min, B 40 min → p50 = 1st of 2, p90 = ⌈1.8⌉ = 2nd.
    expect(byStage.payment).toEqual({ stage: 'payment', count: 2, p50: 10 * MIN, p90: 40 * MIN, p99: 40 * MIN });
    expect(byStage.fulfilment).toEqual({ stage: 'fulfilment', count: 1, p50: 50 * HOUR, p90: 50 * HOUR, p99: 50 * HOUR });
    expect(byStage.delivery).toEqual({ stage: 'delivery', count: 0, p50: null, p90: null, p99: null });
    // 3 days = 259 200 000 ms, reported to three significant figures.
    expect(byStage.confirmation!.p50).toBe(259_000_000);
  });

  it('buckets the daily series by the Shanghai calendar day', () => {
    expect(s.daily).toEqual([
      // placed A, B; paid A (02:10) and D (00:30).
      { date: '2026-11-01', placed: 2, paid: 2, gmv: 30_000, refunded: 0, netRevenue: 30_000 },
      // placed C; paid B at 00:10 with its 2000 refund.
      { date: '2026-11-02', placed: 1, paid: 1, gmv: 9_000, refunded: 2_000, netRevenue: 7_000 },
    ]);
  });

  it('ranks SKUs by revenue of the paid cohort', () => {
    expect(s.topSkus.map((x) => [x.sku, x.units, x.revenue, x.orders])).toEqual([
      ['POT-01', 1, 20_000, 1],
      ['TEA-01', 3, 15_000, 2],
      ['CUP-01', 1, 3_000, 1],
    ]);
  });

  it('uses the same days in another zone (UTC shifts B and D onto other days)', () => {
    const u = summarize(orders, { from, to, timeZone: 'UTC' });
    // from = 10-31T16:00Z, to = 11-02T16:00Z: three UTC days.
    expect(u.daily.map((d) => d.date)).toEqual(['2026-10-31', '2026-11-01', '2026-11-02']);
    // A placed 10-31T18:00Z; B 11-01T15:30Z; C 11-02T02:00Z.
    expect(u.daily.map((d) => d.placed)).toEqual([1, 1, 1]);
  });
});

describe('bottlenecks on the same shop', () => {
  const now = new Date(t('2026-11-05T00:00:00'));
  const r = bottlenecks(orders, { now, slaHours: { fulfilment: 48 } });

  it('finds late and still-waiting fulfilments, worst first', () => {
    // B paid 11-02 00:10, unshipped at 11-05 00:00 → 71 h 50 min, 23 h 50 min over.
    // A shipped after 50 h → 2 h over. E paid 11-03 00:00:01 → 47:59:59, not yet a breach.
    expect(r.breaches.map((b) => [b.orderId, b.open, b.overdueMs])).toEqual([
      ['B', true, 23 * HOUR + 50 * MIN],
      ['A', false, 2 * HOUR],
    ]);
    expect(r.totalBreaches).toBe(2);
    expect(r.mostBreachedStage).toBe('fulfilment');
    const f = r.stages.find((s) => s.stage === 'fulfilment')!;
    expect([f.lateFinished, f.openOverdue, f.slaHours]).toEqual([1, 1, 48]);
  });

  it('names the stage with the longest p90 (confirmation: A took 3 days)', () => {
    expect(r.slowestStage).toBe('confirmation');
  });

  it('rejects a service level that is not a positive number of hours', () => {
    expect(() => bottlenecks(orders, { now, slaHours: { fulfilment: -1 } })).toThrow(/INVALID_ANALYTICS_OPTIONS/);
    expect(() => bottlenecks(orders, { now, slaHours: { shipping: 3 } as never })).toThrow(/INVALID_ANALYTICS_OPTIONS/);
    // So long that the deadline would leave the dates PostgreSQL computes with (an error, not a 500).
    expect(() => bottlenecks(orders, { now, slaHours: { fulfilment: 1e12 } })).toThrow(/INVALID_ANALYTICS_OPTIONS/);
    expect(() => bottlenecks(orders, { now, slaHours: { fulfilment: 876_001 } })).toThrow(/INVALID_ANALYTICS_OPTIONS/);
    expect(bottlenecks(orders, { now, slaHours: { fulfilment: 876_000 } }).totalBreaches).toBe(0);
  });
});

describe('options', () => {
  it('throws a typed error for an empty range or an unknown zone', () => {
    expect(() => summarize(orders, { from: to, to: from, timeZone: 'Asia/Shanghai' })).toThrow(/INVALID_ANALYTICS_OPTIONS/);
    expect(() => summarize(orders, { from, to, timeZone: 'Mars/Olympus' })).toThrow(/INVALID_ANALYTICS_OPTIONS/);
  });
});
