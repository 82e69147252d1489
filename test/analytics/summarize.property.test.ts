import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bottlenecks, divideRounded, nearestRank, orderFacts, ratio, summarize } from '../../src/analytics/index.js';
import { parseIsoTime } from '../../src/analytics/iso-time.js';
import { ordersArb, START } from './support/random-orders.js';

const DAY = 86_400_000;
const rangeArb = fc
  .tuple(fc.integer({ min: -5, max: 35 }), fc.integer({ min: 1, max: 20 }))
  .map(([startDay, days]) => ({ from: new Date(START + startDay * DAY + 3_600_000 * 7), to: new Date(START + (startDay + days) * DAY) }));
const zoneArb = fc.constantFrom('Asia/Shanghai', 'UTC', 'America/New_York', 'Asia/Kathmandu');

describe('nearestRank', () => {
  it('is the smallest value with at least p·n values at or below it', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 1000 }), { minLength: 1, maxLength: 300 }), fc.constantFrom(0.5, 0.9, 0.99), (values, p) => {
        const sorted = [...values].sort((a, b) => a - b);
        const got = nearestRank(sorted, p)!;
        const atOrBelow = sorted.filter((v) => v <= got).length;
        const below = sorted.filter((v) => v < got).length;
        expect(atOrBelow).toBeGreaterThanOrEqual(p * sorted.length);
        // Any smaller candidate covers fewer than p·n values (rank ⌈p·n⌉ is the first that reaches it).
        expect(below).toBeLessThan(Math.max(1, Math.ceil(p * sorted.length)));
      }),
    );
  });
});

describe('rounding', () => {
  it('ratio is the exact quotient rounded half up to 4 decimals', () => {
    fc.assert(
      fc.property(fc.nat({ max: 2 ** 40 }), fc.integer({ min: 1, max: 2 ** 40 }), (n, d) => {
        const r = ratio(n, d)!;
        const scaled = BigInt(Math.round(r * 10_000));
        // scaled/10000 is within half a unit of n/d: |scaled·d − n·10000| ≤ d/2, ties upward.
        const diff = scaled * 2n * BigInt(d) - 2n * BigInt(n) * 10_000n;
        expect(diff <= BigInt(d) && diff > -BigInt(d)).toBe(true);
      }),
    );
  });

  it('divideRounded rounds half up and is null for 0', () => {
    fc.assert(
      fc.property(fc.nat({ max: 2 ** 45 }), fc.integer({ min: 1, max: 10_000 }), (n, d) => {
        const q = divideRounded(n, d)!;
        expect(Math.abs(q * d - n) * 2).toBeLessThanOrEqual(d);
        expect(Number.isSafeInteger(q)).toBe(true);
      }),
    );
    expect(divideRounded(5, 0)).toBeNull();
  });
});

describe('summarize invariants', () => {
  it('funnel never widens, status counts add up to the placed count, money balances', () => {
    fc.assert(
      fc.property(ordersArb, rangeArb, zoneArb, (orders, range, timeZone) => {
        const s = summarize(orders, { ...range, timeZone, topSkuLimit: 100 });
        const counts = s.funnel.map((f) => f.count);
        for (let i = 1; i < counts.length; i++) expect(counts[i]).toBeLessThanOrEqual(counts[i - 1]!);
        expect(Object.values(s.statusCounts).reduce((a, b) => a + b, 0)).toBe(s.funnel[0]!.count);
        expect(s.revenue.netRevenue).toBe(s.revenue.gmv - s.revenue.refunded);
        // Every placement and payment in the range lands on exactly one day.
        expect(s.daily.reduce((a, d) => a + d.placed, 0)).toBe(s.funnel[0]!.count);
        expect(s.daily.reduce((a, d) => a + d.paid, 0)).toBe(s.revenue.paidOrders);
        expect(s.daily.reduce((a, d) => a + d.gmv, 0)).toBe(s.revenue.gmv);
        expect(s.daily.reduce((a, d) => a + d.refunded, 0)).toBe(s.revenue.refunded);
        // Top SKUs with a wide limit account for every line payable of the paid cohort.
        const paid = orders.filter((o) => {
          const t = orderFacts(o).paidAt;
          return t >= range.from.getTime() && t < range.to.getTime();
        });
        const linePayable = paid.reduce((a, o) => a + o.lines.reduce((b, l) => b + l.payable, 0), 0);
        expect(s.topSkus.reduce((a, x) => a + x.revenue, 0)).toBe(linePayable);
        for (const d of s.stageDurations) {
          if (d.count === 0) expect(d.p50).toBeNull();
          else expect(d.p50!).toBeLessThanOrEqual(d.p90!), expect(d.p90!).toBeLessThanOrEqual(d.p99!);
        }
      }),
      { numRuns: 150 },
    );
  });

  it('does not depend on the order the orders come in', () => {
    fc.assert(
      fc.property(ordersArb, rangeArb, fc.integer(), (orders, range, seed) => {
        const shuffled = [...orders].sort((a, b) => ((a.id.length * 31 + seed) % 7) - ((b.id.length * 17 + seed) % 5) || (a.id < b.id ? 1 : -1));
        expect(summarize(shuffled, { ...range, timeZone: 'Asia/Shanghai' })).toEqual(summarize(orders, { ...range, timeZone: 'Asia/Shanghai' }));
      }),
      { numRuns: 50 },
    );
  });

  it('does not change its input', () => {
    fc.assert(
      fc.property(ordersArb, rangeArb, (orders, range) => {
        const before = JSON.stringify(orders);
        summarize(orders, { ...range, timeZone: 'UTC' });
        bottlenecks(orders, { now: range.to });
        expect(JSON.stringify(orders)).toBe(before);
      }),
      { numRuns: 30 },
    );
  });
});

describe('bottlenecks invariants', () => {
  it('lists exactly the orders over the service level, open ones measured at now', () => {
    fc.assert(
      fc.property(ordersArb, fc.integer({ min: 0, max: 60 }), fc.integer({ min: 1, max: 120 }), (orders, nowDay, sla) => {
        const now = new Date(START + nowDay * DAY);
        const r = bottlenecks(orders, { now, slaHours: { fulfilment: sla, payment: 0.1 }, limit: 10_000 });
        const slaMs = sla * 3_600_000;
        // Brute force: fulfilment breaches from the order fields directly.
        const expected = orders
          .filter((o) => o.paidAt !== undefined)
          .flatMap((o) => {
            const paid = Date.parse(o.paidAt!);
            const first = o.shipments.length ? Math.min(...o.shipments.map((s) => Date.parse(s.shippedAt))) : NaN;
            if (!Number.isNaN(first)) return first - paid > slaMs ? [o.id] : [];
            return o.status !== 'closed' && now.getTime() - paid > slaMs ? [o.id] : [];
          })
          .sort();
        const got = r.breaches.filter((b) => b.stage === 'fulfilment').map((b) => b.orderId).sort();
        expect(got).toEqual(expected);
        for (const b of r.breaches) {
          expect(b.elapsedMs).toBeGreaterThan(b.slaMs);
          expect(b.overdueMs).toBe(b.elapsedMs - b.slaMs);
        }
        for (let i = 1; i < r.breaches.length; i++) expect(r.breaches[i]!.overdueMs).toBeLessThanOrEqual(r.breaches[i - 1]!.overdueMs);
        expect(r.totalBreaches).toBe(r.stages.reduce((a, s) => a + s.lateFinished + s.openOverdue, 0));
      }),
      { numRuns: 100 },
    );
  });
});

describe('parseIsoTime', () => {
  it('gives exactly what Date.parse gives, for canonical, odd and broken timestamps', () => {
    const canonical = fc.integer({ min: -62_000_000_000_000, max: 250_000_000_000_000 }).map((t) => new Date(t).toISOString());
    const digitSoup = fc.array(fc.constantFrom(...'0123456789'), { minLength: 17, maxLength: 17 }).map((d) => {
      const x = d.join('');
      return `${x.slice(0, 4)}-${x.slice(4, 6)}-${x.slice(6, 8)}T${x.slice(8, 10)}:${x.slice(10, 12)}:${x.slice(12, 14)}.${x.slice(14, 17)}Z`;
    });
    const anything = fc.oneof(canonical, digitSoup, fc.string({ maxLength: 30 }), canonical.map((s) => s.replace('Z', '+08:00')), canonical.map((s) => s.slice(0, 19) + 'Z'));
    fc.assert(
      fc.property(anything, (s) => {
        expect(Object.is(parseIsoTime(s), Date.parse(s))).toBe(true);
      }),
      { numRuns: 3000 },
    );
  });
});
