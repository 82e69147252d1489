import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { unitsLeftToShip } from '../../src/lifecycle/rules/shipping.js';
import { shippedQuantities, type Order } from '../../src/order/index.js';
import { line } from './fixtures.js';

/**
 * unitsLeftToShip subtracts parcel items one by one instead of through shippedQuantities' map
 * (docs/benchmarks.md, "After-sale path, fourth pass"): the same units, keys in the same order,
 * parcels naming unknown or repeated lines included.
 */
describe('unitsLeftToShip', () => {
  it('is ordered − shippedQuantities per line, in the same key order', () => {
    const id = fc.constantFrom('a', 'b', 'c', 'x');
    const parcel = fc.array(fc.record({ lineId: id, quantity: fc.integer({ min: 1, max: 3 }) }), { minLength: 1, maxLength: 3 });
    fc.assert(
      fc.property(fc.uniqueArray(fc.constantFrom('a', 'b', 'c'), { minLength: 1 }), fc.array(parcel, { maxLength: 3 }), (lineIds, parcels) => {
        const order = {
          lines: lineIds.map((l) => line(l, 3, 100)),
          shipments: parcels.map((items, i) => ({ id: `S${i}`, items, logisticsType: 'express', shippedAt: '2026-11-25T04:00:00.000Z' })),
          afterSales: [],
        } as unknown as Order;
        const expected = new Map<string, number>();
        for (const l of order.lines) expected.set(l.id, (expected.get(l.id) ?? 0) + l.quantity);
        for (const [lineId, n] of shippedQuantities(order)) expected.set(lineId, (expected.get(lineId) ?? 0) - n);
        expect([...unitsLeftToShip(order)]).toEqual([...expected]);
      }),
      { numRuns: 300 },
    );
  });
});
