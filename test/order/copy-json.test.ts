import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { copyJson } from '../../src/order/copy-json.js';
import { placeOrder, transition } from '../../src/lifecycle/index.js';
import { line, quote } from '../service/fixtures.js';

/** Every object and array reachable from `value`. */
function objectsOf(value: unknown, into = new Set<object>()): Set<object> {
  if (typeof value === 'object' && value !== null && !into.has(value)) {
    into.add(value);
    for (const item of Object.values(value)) objectsOf(item, into);
  }
  return into;
}

/** JSON-like values with `undefined` in objects and arrays, as orders built in code may hold. */
const withUndefined = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.constant(undefined),
    fc.constant(null),
    fc.boolean(),
    fc.integer(),
    fc.string(),
    fc.array(tie('value'), { maxLength: 5 }),
    fc.dictionary(fc.string({ maxLength: 6 }), tie('value'), { maxKeys: 5 }),
  ),
})).value;

describe('copyJson', () => {
  it('gives what JSON.parse(JSON.stringify(value)) gives, sharing no object with the input', () => {
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue(), withUndefined), (value) => {
        const copy = copyJson(value);
        const text = JSON.stringify(value);
        // JSON.stringify(undefined) is undefined: a lone undefined stays undefined.
        if (text === undefined) {
          expect(copy).toBeUndefined();
          return;
        }
        expect(JSON.stringify(copy)).toBe(text);
        expect(copy).toEqual(JSON.parse(text));
        const mine = objectsOf(copy);
        for (const o of objectsOf(value)) expect(mine.has(o)).toBe(false);
      }),
      { numRuns: 300 },
    );
  });

  it('writes numbers as JSON does: -0 becomes 0, and NaN and the infinities become null (fast-check seed -15720844)', () => {
    const value = { a: -0, b: [-0, NaN, Infinity, -Infinity, 1.5], c: NaN };
    const copy = copyJson(value);
    expect(copy).toEqual(JSON.parse(JSON.stringify(value)));
    expect(Object.is(copy.a, 0)).toBe(true);
    expect(Object.is(copyJson(-0), 0)).toBe(true);
    expect(copyJson(Number.NaN)).toBeNull();
  });

  it('keeps an own __proto__ key as a key, as JSON.parse does, and leaves the prototype alone', () => {
    const value = JSON.parse('{"__proto__":{"polluted":true},"a":1}') as Record<string, unknown>;
    const copy = copyJson(value);
    expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
    expect(Object.keys(copy)).toEqual(['__proto__', 'a']);
    expect(JSON.stringify(copy)).toBe(JSON.stringify(value));
    expect((copy as { polluted?: unknown }).polluted).toBeUndefined();
  });

  it('copies an order so that changing the copy changes nothing of the order', () => {
    const now = new Date('2026-11-25T04:00:00.000Z');
    const placed = placeOrder({ id: 'o1', number: 'N1', customerId: 'u1', quote: quote([line('a', 5, 100)]) }, { now });
    if (!placed.ok) throw placed.error;
    let order = placed.order;
    for (let i = 0; i < 3; i++) {
      const r = transition(order, { type: 'ADD_REMARK', text: `note ${i}` }, { now, actor: { type: 'merchant', id: 'm1' } });
      if (!r.ok) throw r.error;
      order = r.order;
    }
    const before = JSON.stringify(order);
    const copy = copyJson(order);
    expect(copy).toEqual(JSON.parse(before));
    copy.merchantNotes[0]!.text = 'changed';
    copy.merchantNotes.push({ ...copy.merchantNotes[0]! });
    copy.lines[0]!.quantity = 99;
    expect(JSON.stringify(order)).toBe(before);
  });
});
