import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PlaceOrderInputSchema, placeOrder } from '../../../src/lifecycle/index.js';
import { isPlainPlaceInput } from '../../../src/lifecycle/place-input.js';
import { NOW, line, quoteOf } from '../fixtures.js';

/**
 * placeOrder checks its input by hand before zod (the hot path). The hand check may only say yes
 * to input the schema accepts, and the order must come out the same either way.
 */
const valid = () => ({
  id: 'o1',
  number: '20261125120000123456',
  customerId: 'u1',
  quote: quoteOf([line('a', 2, 1000, { allocations: [{ source: 'coupon', sourceId: 'C1', amount: 100 }], payable: 1900 }), line('b', 1, 500)], 800, ['C1']),
  address: { name: '张三', phone: '13800000000', province: '上海市', city: '上海市', detail: '人民路 1 号' },
  buyerRemark: '放门口',
  metadata: { channel: 'mp' },
});

/** Sets a value at a path of a copy, to damage one field at a time. */
function setAt(input: unknown, path: Array<string | number>, value: unknown): unknown {
  const copy = JSON.parse(JSON.stringify(input)) as Record<string | number, unknown>;
  let at: Record<string | number, unknown> = copy;
  for (const key of path.slice(0, -1)) at = at[key] as Record<string | number, unknown>;
  if (value === undefined) delete at[path[path.length - 1]!];
  else at[path[path.length - 1]!] = value;
  return copy;
}

const paths: Array<Array<string | number>> = [
  ['id'], ['number'], ['customerId'], ['buyerRemark'], ['fulfillment'], ['metadata'], ['address'], ['address', 'phone'], ['address', 'district'],
  ['quote'], ['quote', 'lines'], ['quote', 'lines', 0], ['quote', 'lines', 0, 'id'], ['quote', 'lines', 0, 'quantity'], ['quote', 'lines', 0, 'payable'],
  ['quote', 'lines', 0, 'fulfillment'], ['quote', 'lines', 0, 'category'], ['quote', 'lines', 0, 'allocations'], ['quote', 'lines', 0, 'allocations', 0, 'source'],
  ['quote', 'lines', 0, 'allocations', 0, 'amount'], ['quote', 'adjustments'], ['quote', 'total'], ['quote', 'discountTotal'], ['quote', 'couponIds'], ['quote', 'couponIds', 0],
];
const values = fc.constantFrom<unknown>(undefined, null, '', 'x', 'x'.repeat(300), 0, -1, 1.5, 1_000_001, Number.MAX_SAFE_INTEGER + 2, [], {}, ['a'], 'virtual', 'coupon', 'teleport', true, 'a\u0000b', '\uD800', 'x\uDC00', '😀', { 'k\u0000': 'v' }, ['\uDBFF']);

describe('placeOrder’s hand-written input check', () => {
  it('accepts the valid input', () => {
    expect(isPlainPlaceInput(valid())).toBe(true);
  });

  it('never accepts what the schema rejects', () => {
    fc.assert(
      fc.property(fc.constantFrom(...paths), values, (path, value) => {
        const input = setAt(valid(), path, value);
        if (isPlainPlaceInput(input)) expect(PlaceOrderInputSchema.safeParse(input).success).toBe(true);
      }),
      { numRuns: 1500 },
    );
  });

  it('builds the same order as the schema path', () => {
    const fast = placeOrder(valid() as never, { now: NOW });
    // A line without `fulfillment` is not "plain": zod fills the default, and the result must match.
    const viaZod = placeOrder(setAt(valid(), ['quote', 'lines', 1, 'fulfillment'], undefined) as never, { now: NOW });
    expect(fast.ok && viaZod.ok).toBe(true);
    expect(JSON.parse(JSON.stringify(viaZod))).toEqual(JSON.parse(JSON.stringify(fast)));
  });
});
