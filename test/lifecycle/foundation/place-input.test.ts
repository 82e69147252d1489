import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PlaceOrderInputSchema, placeOrder } from '../../../src/lifecycle/index.js';
import { isPlainPlaceInput } from '../../../src/lifecycle/place-input.js';
import { unstorablePath } from '../../../src/order/index.js';
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

  it('refuses an unstorable string exactly where the generic walk of the kept fields does', () => {
    // Structurally valid input whose strings (values and extra keys, on lines, allocations, the
    // address, metadata, adjustments) may hold U+0000 or lone surrogates: the named-field check
    // must agree with unstorablePath over the fields the schema keeps.
    // Mostly storable strings, so that one bad string somewhere decides the answer.
    const good = fc.array(fc.constantFrom('a', 'Z', '7', '-', '张', '😀'), { minLength: 3, maxLength: 6 }).map((cs) => cs.join(''));
    const bad = fc.tuple(good, fc.constantFrom('\u0000', '\uD800', '\uDC00', '\uDBFF'), good).map(([a, c, b]) => a + c + b);
    const text = fc.oneof({ weight: 30, arbitrary: good }, { weight: 1, arbitrary: bad });
    const value = fc.oneof(text, fc.integer(), fc.array(text, { maxLength: 2 }), fc.dictionary(text, text, { maxKeys: 2 }));
    const extras = fc.dictionary(text, value, { maxKeys: 2 });
    const allocation = fc.record({ source: fc.constant('coupon'), sourceId: text, amount: fc.integer({ min: 0, max: 100 }) }).chain((a) => extras.map((x) => ({ ...x, ...a })));
    const lineOf = fc
      .record({ id: text, sku: text, title: text, category: fc.option(text, { nil: undefined }), image: fc.option(text, { nil: undefined }), allocations: fc.array(allocation, { maxLength: 2 }), extra: extras })
      .map(({ extra, category, image, ...l }, ) => {
        const out: Record<string, unknown> = { ...extra, ...l, fulfillment: 'physical', listPrice: 100, unitPrice: 100, quantity: 1, subtotal: 100, payable: 100 };
        if (category !== undefined) out['category'] = category;
        if (image !== undefined) out['image'] = image;
        return out;
      });
    const addressOf = fc
      .record({ name: text, phone: text, province: text, city: text, detail: text, district: fc.option(text, { nil: undefined }), extra: extras })
      .map(({ extra, district, ...a }) => (district === undefined ? { ...extra, ...a } : { ...extra, ...a, district }));
    const adjustment = fc.record({ id: text, source: fc.constant('freight'), sourceId: text, amount: fc.integer({ min: -100, max: 0 }), lineIds: fc.array(text, { maxLength: 2 }), reason: fc.record({ 'zh-CN': text, en: text }) });
    const input = fc.record({
      id: text,
      customerId: text,
      lines: fc.uniqueArray(lineOf, { minLength: 1, maxLength: 3, selector: (l) => l['id'] }),
      adjustments: fc.array(adjustment, { maxLength: 1 }),
      couponIds: fc.array(text, { maxLength: 2 }),
      address: fc.option(addressOf, { nil: undefined }),
      buyerRemark: fc.option(text, { nil: undefined }),
      metadata: fc.option(fc.dictionary(text, value, { maxKeys: 2 }), { nil: undefined }),
    });
    fc.assert(
      fc.property(input, (i) => {
        const quote = { lines: i.lines, adjustments: i.adjustments, itemsTotal: 100 * i.lines.length, discountTotal: 0, freight: 0, pointsUsed: 0, pointsDeduction: 0, total: 100 * i.lines.length, couponIds: i.couponIds };
        const candidate: Record<string, unknown> = { id: i.id, number: 'N1', customerId: i.customerId, quote };
        if (i.address !== undefined) candidate['address'] = i.address;
        if (i.buyerRemark !== undefined) candidate['buyerRemark'] = i.buyerRemark;
        if (i.metadata !== undefined) candidate['metadata'] = i.metadata;
        const storable = unstorablePath([i.id, i.customerId, i.address, i.buyerRemark, i.metadata, quote.lines, quote.adjustments, quote.couponIds]) === null;
        expect(isPlainPlaceInput(candidate)).toBe(storable);
      }),
      { numRuns: 1000 },
    );
  });
});
