import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { allocate } from '../../src/money/index.js';
import { cumulativeShare, lineRefundAmount, unitShareRuns } from '../../src/refund/index.js';

const arbLine = fc.record({ payable: fc.integer({ min: 0, max: 10_000_000 }), quantity: fc.integer({ min: 1, max: 60 }) });

describe('unit shares', () => {
  it('cumulativeShare is the prefix sum of allocate(payable, [1, …, 1])', () => {
    fc.assert(
      fc.property(arbLine, (line) => {
        const shares = allocate(line.payable, new Array(line.quantity).fill(1));
        let sum = 0;
        for (let m = 0; m <= line.quantity; m++) {
          expect(cumulativeShare(line, m)).toBe(sum);
          sum += shares[m] ?? 0;
        }
      }),
      { numRuns: 200 },
    );
  });

  it('unitShareRuns lists exactly the shares of the units asked for', () => {
    fc.assert(
      fc.property(arbLine, fc.nat(), fc.nat(), (line, a, b) => {
        const from = a % (line.quantity + 1);
        const count = b % (line.quantity - from + 1);
        const shares = allocate(line.payable, new Array(line.quantity).fill(1)).slice(from, from + count);
        const expanded = unitShareRuns(line, from, count).flatMap((r) => new Array(r.units).fill(r.amount));
        expect(expanded).toEqual(shares);
      }),
      { numRuns: 200 },
    );
  });

  it('a claim made while a withdrawn claim held units absorbs the difference', () => {
    // payable 1000 over 3 units: shares 334, 333, 333.
    const line = { payable: 1000, quantity: 3 };
    const a = lineRefundAmount(line, { heldQuantity: 0, heldAmount: 0 }, 1);
    const b = lineRefundAmount(line, { heldQuantity: 1, heldAmount: a.amount }, 1);
    expect([a.amount, b.amount]).toEqual([334, 333]);
    // A is withdrawn: B alone holds 1 unit and 333 fen, one fen less than the first unit's share.
    const c = lineRefundAmount(line, { heldQuantity: 1, heldAmount: 333 }, 1);
    expect(c).toEqual({ amount: 334, adjustment: 1 });
    const d = lineRefundAmount(line, { heldQuantity: 2, heldAmount: 667 }, 1);
    expect(d.amount).toBe(333);
    expect(b.amount + c.amount + d.amount).toBe(1000);
  });

  it('claims on one line, split and withdrawn in any way, end at exactly its payable and never go negative', () => {
    const arbOps = fc.array(fc.record({ take: fc.boolean(), n: fc.integer({ min: 1, max: 5 }), pick: fc.nat() }), { maxLength: 30 });
    fc.assert(
      fc.property(arbLine, arbOps, (line, ops) => {
        const claims: Array<{ q: number; amount: number }> = [];
        const held = () => claims.reduce((s, c) => ({ heldQuantity: s.heldQuantity + c.q, heldAmount: s.heldAmount + c.amount }), { heldQuantity: 0, heldAmount: 0 });
        for (const op of ops) {
          const h = held();
          if (op.take && h.heldQuantity < line.quantity) {
            const q = Math.min(op.n, line.quantity - h.heldQuantity);
            const { amount } = lineRefundAmount(line, h, q);
            expect(amount).toBeGreaterThanOrEqual(0);
            claims.push({ q, amount });
          } else if (!op.take && claims.length > 0) {
            claims.splice(op.pick % claims.length, 1);
          }
          expect(held().heldAmount).toBeLessThanOrEqual(line.payable);
        }
        const h = held();
        if (h.heldQuantity < line.quantity) claims.push({ q: line.quantity - h.heldQuantity, amount: lineRefundAmount(line, h, line.quantity - h.heldQuantity).amount });
        expect(held()).toEqual({ heldQuantity: line.quantity, heldAmount: line.payable });
      }),
      { numRuns: 300 },
    );
  });
});
