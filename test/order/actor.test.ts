import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ActorSchema } from '../../src/order/index.js';
import { isActor } from '../../src/order/actor.js';

/**
 * The service and placeOrder check actors with `isActor` (by hand, for a cheaper first call); the
 * zod schema is the documented contract. This proves both accept exactly the same values.
 */

const field = fc.constantFrom<unknown>(
  undefined, null, true, 0, 1, '', 'x', 'x'.repeat(128), 'x'.repeat(129), 'wechatpay', [], ['ops'], ['ops', 1], [undefined], {}, { toString: 'x' },
);
const type = fc.constantFrom<unknown>('customer', 'merchant', 'system', 'payment', 'robot', '', undefined, 1, null);
const actorLike = fc.record({ type, id: field, roles: field, gateway: field, extra: field }, { requiredKeys: [] });

describe('isActor', () => {
  it('accepts exactly what ActorSchema accepts', () => {
    fc.assert(
      fc.property(actorLike, (value) => {
        expect(isActor(value)).toBe(ActorSchema.safeParse(value).success);
      }),
      { numRuns: 3000 },
    );
  });

  it('agrees on values that are not objects, arrays, sparse roles and inherited fields', () => {
    const sparse: unknown[] = ['a'];
    sparse[2] = 'c';
    const inherited = Object.create({ type: 'customer', id: 'u1' }) as object;
    const values: unknown[] = [
      undefined, null, 'customer', 1, [], [{ type: 'customer', id: 'u1' }], Object.assign([], { type: 'customer', id: 'u1' }),
      { type: 'merchant', id: 'm1', roles: sparse }, { type: 'merchant', id: 'm1', roles: ['a', 'b'] }, inherited,
      { type: 'system' }, { type: 'system', id: undefined }, { type: 'payment', gateway: 'wechatpay' }, { type: 'payment', gateway: '' },
      { type: 'customer', id: 'u1', roles: 5 }, new (class { type = 'customer'; id = 'u1'; })(),
    ];
    for (const value of values) expect(isActor(value), String(JSON.stringify(value))).toBe(ActorSchema.safeParse(value).success);
  });
});
