import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { appended, cloneOrder } from '../../src/order/clone.js';
import { OrderSchema, type Order } from '../../src/order/index.js';
import { testOrder } from '../../src/testing/index.js';

/**
 * `cloneOrder` writes every field out by name (src/order/clone.ts says why). A field added to the
 * Order schema and forgotten there would be dropped silently by every transition: this test lists
 * the schema's own keys, so adding one without copying it fails here.
 */
describe('cloneOrder', () => {
  const shape = (OrderSchema as unknown as { _zod: { def: { shape: Record<string, unknown> } } })._zod.def.shape;

  it('copies every key of the Order schema, optional ones included', () => {
    const base = testOrder({ id: 'o1' });
    const full: Record<string, unknown> = { ...base };
    for (const key of Object.keys(shape)) if (!(key in full)) full[key] = { marker: key };
    const copy = cloneOrder(full as unknown as Order) as unknown as Record<string, unknown>;
    const lost = Object.keys(shape).filter((key) => copy[key] !== full[key]);
    expect(lost).toEqual([]);
    expect(Object.keys(shape).length).toBeGreaterThan(20);
  });

  it('is a new object whose lists are shared, not copied', () => {
    const o = testOrder({ id: 'o1' });
    const c = cloneOrder(o);
    expect(c).not.toBe(o);
    expect(c.lines).toBe(o.lines);
    expect(c).toEqual(o);
  });
});

describe('appended', () => {
  it('is a new list with the item at the end, the input untouched, at every length', () => {
    fc.assert(
      fc.property(fc.array(fc.record({ id: fc.string() }), { maxLength: 7 }), fc.record({ id: fc.string() }), (list, item) => {
        const before = list.slice();
        const out = appended(list, item);
        expect(out).not.toBe(list);
        expect(out).toStrictEqual([...before, item]);
        expect(out[out.length - 1]).toBe(item);
        expect(list).toStrictEqual(before);
      }),
      { numRuns: 200 },
    );
  });
});
