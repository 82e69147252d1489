import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Actor } from '../../src/order/index.js';
import { canonicalJson, dispatchScope, placeScope } from '../../src/service/idempotency.js';

/** The derivation of scoped keys and request fingerprints (src/service/idempotency.ts). */
const actorArb: fc.Arbitrary<Actor> = fc.oneof(
  fc.record({ type: fc.constant('customer' as const), id: fc.string({ minLength: 1, maxLength: 6 }) }),
  fc.record({ type: fc.constant('merchant' as const), id: fc.string({ minLength: 1, maxLength: 6 }) }),
  fc.record({ type: fc.constant('payment' as const), gateway: fc.string({ minLength: 1, maxLength: 6 }) }),
);
const identity = (a: Actor) => JSON.stringify([a.type, 'id' in a ? a.id : 'gateway' in a ? a.gateway : '']);

describe('scoped idempotency keys', () => {
  it('canonicalJson sorts keys at every depth and leaves arrays in order', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { z: 1, y: 0 }], c: 3 }, u: undefined })).toBe('{"a":{"c":3,"d":[2,{"y":0,"z":1}]},"b":1}');
    expect(canonicalJson(undefined)).toBe('null');
  });

  it('property: two scopes share a stored key only when actor, order and caller key are all the same', () => {
    fc.assert(
      fc.property(actorArb, actorArb, fc.constantFrom('o1', 'o2', 'o1:x'), fc.constantFrom('o1', 'o2', 'x:o1'), fc.string({ maxLength: 6 }), fc.string({ maxLength: 6 }), (a1, a2, o1, o2, k1, k2) => {
        const same = identity(a1) === identity(a2) && o1 === o2 && k1 === k2;
        expect(dispatchScope(a1, o1, k1, { type: 'CANCEL' }).key === dispatchScope(a2, o2, k2, { type: 'CANCEL' }).key).toBe(same);
        // A placement never shares a key with a command.
        expect(placeScope(a1, k1, {}).key).not.toBe(dispatchScope(a2, o2, k2, { type: 'CANCEL' }).key);
        expect(dispatchScope(a1, o1, k1, { type: 'CANCEL' }).key).toMatch(/^k1:[0-9a-f]{64}$/);
      }),
      { numRuns: 500 },
    );
  });

  it('a merchant’s roles are not part of the scope; the command and its payload are part of the fingerprint only', () => {
    const staff: Actor = { type: 'merchant', id: 'm1', roles: ['staff'] };
    const owner: Actor = { type: 'merchant', id: 'm1', roles: ['owner'] };
    const a = dispatchScope(staff, 'o1', 'k', { type: 'ADD_REMARK', text: 'x' });
    const b = dispatchScope(owner, 'o1', 'k', { type: 'ADD_REMARK', text: 'y' });
    expect(a.key).toBe(b.key);
    expect(a.request.fingerprint).not.toBe(b.request.fingerprint);
    expect(a.request.fingerprint.startsWith('ADD_REMARK:')).toBe(true);
    const cancel = dispatchScope(staff, 'o1', 'k', { type: 'CANCEL' });
    expect(cancel.request.fingerprint).not.toBe(a.request.fingerprint);
  });

  it('a placement’s fingerprint ignores id, number and rules and the order of fields, not the cart or the address', () => {
    const customer: Actor = { type: 'customer', id: 'u1' };
    const base = { customerId: 'u1', cart: { items: [{ sku: 'A', quantity: 1 }] }, address: { name: 'n', detail: 'd' } };
    const fp = (input: object) => placeScope(customer, 'k', input).request.fingerprint;
    expect(fp({ ...base, id: 'x1', number: 'N1', rules: { freight: { defaultFee: 1 } } })).toBe(fp({ address: { detail: 'd', name: 'n' }, id: 'x2', number: 'N2', rules: {}, cart: base.cart, customerId: 'u1' }));
    expect(fp({ ...base, cart: { items: [{ sku: 'A', quantity: 2 }] } })).not.toBe(fp(base));
    expect(fp({ ...base, address: { name: 'n', detail: 'e' } })).not.toBe(fp(base));
  });
});
