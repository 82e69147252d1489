import type { Cart, CouponDefinition, PricingRules, WalletCoupon } from '../../src/pricing/index.js';

/**
 * Random coupon wallets for bestCoupons, adversarial ones included (issue 18): shared by the
 * brute-force property test (test/pricing/best-coupons-wallets.test.ts, up to 12 coupons) and the
 * benchmark (bench/pricing.bench.ts, 40 coupons). Every wallet comes from a seed, so a slow or
 * wrong one can be replayed.
 *
 * Kinds:
 * - `cheap-sku`: k stackable coupons all scoped to one cheap SKU (together worth far more than it
 *   costs), among others: a naive branch-and-bound explores every subset that covers it;
 * - `order-matters`: stackable percentage and fixed coupons on overlapping scopes (all, a category,
 *   single SKUs), clamped: what a coupon takes depends on which were applied before it;
 * - `groups`: many coupons in a few exclusive groups (at most one each) with close values;
 * - `mixed`: anything, non-stackable coupons, thresholds and a free-shipping step included.
 */
export type WalletKind = 'cheap-sku' | 'order-matters' | 'groups' | 'mixed';
export const WALLET_KINDS: readonly WalletKind[] = ['cheap-sku', 'order-matters', 'groups', 'mixed'];

/** A coupon definition without its id and validity (added by the generator). */
type DefinitionBody = CouponDefinition extends infer T ? (T extends unknown ? Omit<T, 'id' | 'validity'> : never) : never;

export interface WalletCase {
  kind: WalletKind;
  seed: number;
  rules: PricingRules;
  cart: Cart;
  wallet: WalletCoupon[];
}

/** The seeded generator of test/race/prng.ts (mulberry32). */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ACTIVE = { kind: 'window', from: '2025-06-01T00:00:00Z', to: '2025-07-01T00:00:00Z' } as const;
const CATEGORIES = ['tea', 'cup', 'snack'];

export function walletCase(kind: WalletKind, seed: number, size: number): WalletCase {
  const rand = prng(seed * 7919 + WALLET_KINDS.indexOf(kind));
  const int = (min: number, max: number) => min + Math.floor(rand() * (max - min + 1));
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;

  const lineCount = int(3, 8);
  const lines = Array.from({ length: lineCount }, (_, i) => ({
    id: `l${i}`,
    sku: `S${i}`,
    title: `item ${i}`,
    category: CATEGORIES[i % CATEGORIES.length]!,
    // Line 0 is the cheap one.
    listPrice: i === 0 ? int(300, 1500) : int(2000, 30000),
    quantity: int(1, 3),
  }));
  const defs: CouponDefinition[] = [];
  const wallet: WalletCoupon[] = [];
  const add = (d: DefinitionBody) => {
    const id = `d${String(defs.length).padStart(2, '0')}`;
    defs.push({ id, validity: ACTIVE, ...d } as CouponDefinition);
    // Wallet ids in random order of the definitions, so that id order and value order differ.
    wallet.push({ id: `w${String(int(0, 999)).padStart(3, '0')}-${defs.length}`, definitionId: id });
  };
  const sku = (i: number) => ({ kind: 'skus' as const, skus: [`S${i}`] });
  const anyScope = () => {
    const r = rand();
    if (r < 0.4) return undefined;
    if (r < 0.7) return { kind: 'category' as const, categories: [pick(CATEGORIES)] };
    return sku(int(0, lineCount - 1));
  };

  for (let n = 0; n < size; n++) {
    switch (kind) {
      case 'cheap-sku':
        if (n < Math.ceil(size * 0.6)) add({ kind: 'fixed', off: int(50, 600), stackable: true, scope: sku(0) });
        else add({ kind: 'fixed', off: int(100, 2000), stackable: true, ...(rand() < 0.5 ? { scope: anyScope() } : {}) });
        break;
      case 'order-matters': {
        const r = rand();
        if (r < 0.4) add({ kind: 'percent', offBp: int(500, 5000), cap: int(500, 8000), stackable: true, scope: anyScope() });
        else if (r < 0.8) add({ kind: 'fixed', off: int(200, 6000), stackable: true, scope: sku(int(0, Math.min(2, lineCount - 1))) });
        else add({ kind: 'fixed', off: int(100, 3000), stackable: true, scope: { kind: 'category', categories: [pick(CATEGORIES)] } });
        break;
      }
      case 'groups':
        if (rand() < 0.5) add({ kind: 'fixed', off: int(300, 3000), stackable: true, exclusiveGroup: `g${int(0, 5)}`, scope: rand() < 0.3 ? anyScope() : undefined });
        else add({ kind: 'threshold', threshold: int(3000, 20000), off: int(300, 3000), stackable: true, exclusiveGroup: `g${int(0, 5)}`, scope: rand() < 0.3 ? anyScope() : undefined });
        break;
      case 'mixed': {
        const r = rand();
        const common = { stackable: rand() < 0.8, ...(rand() < 0.4 ? { exclusiveGroup: `g${int(0, 3)}` } : {}), ...(rand() < 0.6 ? { scope: anyScope() } : {}) };
        if (r < 0.35) add({ kind: 'fixed', off: int(100, 4000), ...common });
        else if (r < 0.7) add({ kind: 'threshold', threshold: int(6000, 40000), off: int(300, 6000), ...common });
        else add({ kind: 'percent', offBp: int(300, 3000), ...(rand() < 0.7 ? { cap: int(300, 5000) } : {}), ...common });
        break;
      }
    }
  }
  // Drop keys set to undefined (the rule schemas are strict).
  const clean = defs.map((d) => Object.fromEntries(Object.entries(d).filter(([, v]) => v !== undefined)) as CouponDefinition);
  const goods = lines.reduce((s, l) => s + l.listPrice * l.quantity, 0);
  const rules: PricingRules = { coupons: clean };
  // A free-shipping step just below the goods total on half the mixed wallets.
  if (kind === 'mixed' && rand() < 0.5) rules.freight = { defaultFee: int(500, 1500), freeOver: Math.max(1000, goods - int(0, 3000)) };
  return { kind, seed, rules, cart: { lines }, wallet };
}
