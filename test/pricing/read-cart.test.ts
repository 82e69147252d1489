import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CartSchema, WalletSchema, readCart, readWallet } from '../../src/pricing/index.js';

/**
 * priceCart checks carts by hand for speed; the zod schemas are the documented contract. This
 * proves the two accept exactly the same carts, on valid carts with a few fields broken.
 */

const tricky = fc.constantFrom<unknown>(
  undefined, null, true, 0, 1, -1, 1.5, 1_000_000, 1_000_001, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53, Number.MAX_SAFE_INTEGER,
  '', 'x', 'x'.repeat(64), 'x'.repeat(65), 'x'.repeat(128), 'x'.repeat(129), 'x'.repeat(201), '12', 'max', 'physical', 'virtual', 'drone',
  '2025-06-01T00:00:00Z', '2025-06-01T00:00:00+08:00', '2025-06-01', {}, [], { level: 'gold' }, { level: '' },
  [{ id: 'c', definitionId: 'd' }], [{ id: 'c', definitionId: 'd' }, { id: 'c', definitionId: 'e' }], [{ id: 'c' }], [{ id: 'c', definitionId: 'd', claimedAt: 'soon' }],
);

const lineArb = (i: number) =>
  fc.record(
    {
      id: fc.constant(`l${i}`),
      sku: fc.constantFrom('A', 'B'),
      title: fc.constant('t'),
      category: fc.constantFrom('tea', ''),
      image: fc.constant('https-less/path.png'),
      fulfillment: fc.constantFrom('physical', 'virtual'),
      listPrice: fc.integer({ min: 0, max: 100000 }),
      quantity: fc.integer({ min: 1, max: 1_000_000 }),
      memberPrice: fc.integer({ min: 0, max: 100000 }),
      extra: fc.constant('shop data'),
    },
    { requiredKeys: ['id', 'sku', 'title', 'listPrice', 'quantity'] },
  );

const validCartArb = fc.integer({ min: 1, max: 4 }).chain((n) =>
  fc.record(
    {
      lines: fc.tuple(...Array.from({ length: n }, (_, i) => lineArb(i))),
      member: fc.constant({ level: 'gold' }),
      region: fc.constant('SH'),
      pointsBalance: fc.nat(),
      pointsToUse: fc.oneof(fc.nat(), fc.constant('max' as const)),
      coupons: fc.constant([{ id: 'w1', definitionId: 'd1', claimedAt: '2025-06-01T00:00:00Z' }]),
    },
    { requiredKeys: ['lines'] },
  ),
);

const LINE_FIELDS = ['id', 'sku', 'title', 'category', 'image', 'fulfillment', 'listPrice', 'quantity', 'memberPrice'];
const CART_FIELDS = ['lines', 'member', 'region', 'pointsBalance', 'pointsToUse', 'coupons'];

const brokenCartArb = fc
  .tuple(
    validCartArb,
    fc.array(fc.tuple(fc.boolean(), fc.nat(), fc.nat(), tricky), { maxLength: 2 }),
    fc.boolean(),
  )
  .map(([cart, edits, duplicate]) => {
    const c = JSON.parse(JSON.stringify(cart)) as Record<string, unknown> & { lines: Array<Record<string, unknown>> };
    if (duplicate && c.lines.length > 1) c.lines[1] = { ...c.lines[1], id: c.lines[0]!.id };
    // Line edits first: a cart edit may replace `lines` itself.
    for (const [onLine, a, b, value] of edits) if (onLine) c.lines[a % c.lines.length]![LINE_FIELDS[b % LINE_FIELDS.length]!] = value;
    for (const [onLine, , b, value] of edits) if (!onLine) c[CART_FIELDS[b % CART_FIELDS.length]!] = value;
    return c;
  });

describe('readCart agrees with CartSchema', () => {
  it('accepts exactly what the schema accepts', () => {
    let rejected = 0;
    fc.assert(
      fc.property(brokenCartArb, (cart) => {
        const ours = readCart(cart);
        const theirs = CartSchema.safeParse(cart);
        expect(ours.ok).toBe(theirs.success);
        if (!ours.ok) {
          rejected++;
          expect(ours.error.code).toBe('INVALID_CART');
        }
      }),
      { numRuns: 3000 },
    );
    expect(rejected).toBeGreaterThan(300); // the mutations really break carts
  });

  it('readWallet accepts exactly what WalletSchema accepts', () => {
    fc.assert(
      fc.property(fc.oneof(tricky, fc.array(fc.record({ id: tricky, definitionId: tricky, claimedAt: tricky }, { requiredKeys: [] }), { maxLength: 3 })), (wallet) => {
        expect(readWallet(wallet).ok).toBe(WalletSchema.safeParse(wallet).success);
      }),
      { numRuns: 1000 },
    );
  });
});
