import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { takeOnly, takeShare } from '../../src/pricing/arith.js';
import type { CouponCandidate } from '../../src/pricing/coupons.js';
import { floorShare, floorSplitTaken, floorTaken, sumOfLargest } from '../../src/pricing/select-coupons.js';

/**
 * The pieces the exact coupon search stands on (docs/pricing.md "bestCoupons"): `takeOnly` splits
 * exactly like `takeShare`, and the floor process bounds what any subset of the coupons still to
 * decide can take, whatever their order effects and rounding. Small amounts on purpose: rounding
 * matters most there (a real split of one fen can go either way).
 */
const payablesArb = (max: number) => fc.array(fc.nat(max), { minLength: 1, maxLength: 6 });

/** A coupon as the search sees it: its lines (positions) and its face value. */
function coupon(members: number[], nominal: number, id: number): CouponCandidate {
  return { walletId: `w${id}`, members, nominal, pool: 0, saving: 0 } as unknown as CouponCandidate;
}

const couponsArb = (lines: number, max: number) =>
  fc.array(
    fc.record({
      members: fc.subarray(
        Array.from({ length: lines }, (_, i) => i),
        { minLength: 1 },
      ),
      nominal: fc.integer({ min: 1, max }),
    }),
    { minLength: 1, maxLength: 7 },
  );

describe('takeOnly and the floor process', () => {
  it('takeOnly leaves the same payables and takes the same amount as takeShare', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.nat(30), fc.nat(200_000), fc.constant(0)), { minLength: 1, maxLength: 12 }),
        fc.nat(400_000),
        fc.nat(),
        (payables, wanted, pick) => {
          const members = payables.map((_, i) => i).filter((i) => ((pick >> i) & 1) === 0 || i === 0);
          const a = payables.slice();
          const b = payables.slice();
          const taken = takeOnly(a, members, wanted);
          expect(taken).toBe(takeShare(b, members, wanted).taken);
          expect(a).toEqual(b);
        },
      ),
      { numRuns: 800 },
    );
  });

  it('one floor step leaves each line at most what takeShare leaves, and is monotone', () => {
    fc.assert(
      fc.property(payablesArb(40), fc.nat(), fc.integer({ min: 1, max: 120 }), fc.nat(), (x, lower, v, pick) => {
        const members = x.map((_, i) => i).filter((i) => ((pick >> i) & 1) === 0 || i === 0);
        const y = x.map((a, i) => (a === 0 ? 0 : (lower >> i) % (a + 1))); // y ≤ x line by line
        const real = x.slice();
        takeShare(real, members, v);
        const fx = Float64Array.from(x);
        const fy = Float64Array.from(y);
        floorShare(fx, members, v);
        floorShare(fy, members, v);
        x.forEach((_, i) => {
          expect(fx[i]).toBeLessThanOrEqual(real[i]!);
          expect(fy[i]).toBeLessThanOrEqual(fx[i]!);
          expect(Number.isInteger(fx[i])).toBe(true);
        });
      }),
      { numRuns: 1000 },
    );
  });

  it('no subset of the coupons takes more than the floor process over all of them', () => {
    // Integer splits are not monotone (adding a coupon can, by a fen, lower the total), which is
    // why the search's bound is this process and not "every coupon together".
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5 }).chain((lines) => fc.tuple(fc.array(fc.nat(12), { minLength: lines, maxLength: lines }), couponsArb(lines, 14))),
        ([payables, defs]) => {
          const order = defs.map((d, i) => coupon(d.members, d.nominal, i));
          const lines = payables.map((_, i) => i);
          const bound = floorTaken(payables, order, order.map(() => -1), 0, new Uint8Array(0), lines, new Float64Array(payables.length));
          for (let mask = 0; mask < 1 << order.length; mask++) {
            const x = payables.slice();
            let taken = 0;
            order.forEach((c, i) => {
              if ((mask >> i) & 1) taken += takeOnly(x, c.members, c.nominal);
            });
            expect(taken).toBeLessThanOrEqual(bound);
          }
        },
      ),
      { numRuns: 500 },
    );
  });

  it('no subset of the coupons takes more than the split bound, whatever lines are set apart', () => {
    // floorSplitTaken (docs/pricing.md "bestCoupons", stage 4): every subset allowed by the
    // exclusive groups (at most one per group, none from a group already used), from any
    // position on, against the bound for any set of lines set apart. One line is sometimes
    // large so that shares of several fen and their rounding both occur.
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 5 }).chain((lines) =>
          fc.tuple(
            fc.array(fc.oneof(fc.nat(14), fc.integer({ min: 100, max: 3000 })), { minLength: lines, maxLength: lines }),
            fc.array(
              fc.record({
                members: fc.subarray(
                  Array.from({ length: lines }, (_, i) => i),
                  { minLength: 1 },
                ),
                nominal: fc.oneof(fc.integer({ min: 1, max: 20 }), fc.integer({ min: 1, max: 400 })),
                group: fc.integer({ min: -1, max: 2 }),
              }),
              { minLength: 1, maxLength: 8 },
            ),
            fc.array(fc.boolean(), { minLength: lines, maxLength: lines }),
            fc.nat(8),
            fc.array(fc.boolean(), { minLength: 3, maxLength: 3 }),
          ),
        ),
        ([payables, defs, apart, fromRaw, usedRaw]) => {
          const order = defs.map((d, i) => coupon(d.members, d.nominal, i));
          const groupOf = defs.map((d) => d.group);
          const from = fromRaw % (order.length + 1);
          const used = Uint8Array.from(usedRaw.map((u) => (u ? 1 : 0)));
          const lines = payables.map((_, i) => i);
          const inP = Uint8Array.from(apart.map((a) => (a ? 1 : 0)));
          const bound = floorSplitTaken(payables, order, groupOf, from, used, lines, new Float64Array(payables.length), inP, new Float64Array(3));
          expect(bound).toBeLessThanOrEqual(floorTaken(payables, order, groupOf, from, used, lines, new Float64Array(payables.length)));
          for (let mask = 0; mask < 1 << order.length; mask++) {
            const taken = new Set<number>();
            let allowed = true;
            order.forEach((_, i) => {
              if (!((mask >> i) & 1)) return;
              const g = groupOf[i]!;
              if (i < from || (g >= 0 && (used[g] === 1 || taken.has(g)))) allowed = false;
              if (g >= 0) taken.add(g);
            });
            if (!allowed) continue;
            const x = payables.slice();
            let off = 0;
            order.forEach((c, i) => {
              if ((mask >> i) & 1) off += takeOnly(x, c.members, c.nominal);
            });
            expect(off).toBeLessThanOrEqual(bound);
          }
        },
      ),
      { numRuns: 400 },
    );
  });

  it('the split bound removes the rounding of the floor process on a cheap line paid off by its own coupons', () => {
    // Line 0 is cheap and its own coupons pay it off; the coupons on every line round each share
    // down in the floor process, which then takes more from the dear lines than they can.
    const payables = [41, 2003, 1999, 3001];
    const all = [0, 1, 2, 3];
    const order = [coupon(all, 97, 0), coupon(all, 89, 1), coupon([0], 30, 2), coupon(all, 83, 3), coupon([0], 30, 4), coupon(all, 79, 5)];
    const groupOf = order.map(() => -1);
    const none = new Uint8Array(0);
    const floor = floorTaken(payables, order, groupOf, 0, none, all, new Float64Array(4));
    const split = floorSplitTaken(payables, order, groupOf, 0, none, all, new Float64Array(4), Uint8Array.from([1, 0, 0, 0]), new Float64Array(0));
    let best = 0;
    for (let mask = 0; mask < 1 << order.length; mask++) {
      const x = payables.slice();
      let off = 0;
      order.forEach((c, i) => {
        if ((mask >> i) & 1) off += takeOnly(x, c.members, c.nominal);
      });
      best = Math.max(best, off);
    }
    expect(best).toBe(387);
    expect(floor).toBe(393);
    expect(split).toBe(389); // tighter, and still at least the best
  });

  it('the floor process is exact when nothing is split (single-line coupons)', () => {
    const order = [coupon([0], 5, 0), coupon([0], 7, 1), coupon([1], 3, 2)];
    expect(floorTaken([10, 2], order, [-1, -1, -1], 0, new Uint8Array(0), [0, 1], new Float64Array(2))).toBe(12);
  });

  it('sumOfLargest is the sum of the k largest values, ties and repeats included', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.nat(5), fc.nat(100_000)), { maxLength: 45 }), fc.integer({ min: -1, max: 50 }), (xs, k) => {
        const expected = xs
          .slice()
          .sort((a, b) => b - a)
          .slice(0, Math.max(0, k))
          .reduce((s, x) => s + x, 0);
        const values = new Float64Array(xs.length + 3).fill(-7); // room past `count` is left alone
        values.set(xs);
        expect(sumOfLargest(values, xs.length, k)).toBe(expected);
        expect(Array.from(values.subarray(xs.length))).toEqual([-7, -7, -7]);
        expect(Array.from(values.subarray(0, xs.length)).sort((a, b) => a - b)).toEqual(xs.slice().sort((a, b) => a - b));
      }),
      { numRuns: 600 },
    );
  });
});
