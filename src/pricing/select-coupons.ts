import { byWalletId, simulateCoupons, type CouponCandidate } from './coupons.js';

/**
 * Which coupons to use together (DESIGN.md §5, bestCoupons).
 *
 * Objective: the most money off the goods, minus any free shipping the coupons cost (a coupon can
 * push the goods below `freeOver`). Points are left out: they are the shopper's own money and are
 * spent after coupons either way.
 * Stacking: a coupon that is not `stackable` is used alone; stackable coupons combine, at most one
 * per `exclusiveGroup`. Tie-break among equal savings: fewer coupons, then the smaller list of
 * wallet ids (compared id by id, in code-unit order).
 *
 * Search: every single coupon is scored first (so the answer is never worse than the best single
 * coupon), then a branch-and-bound over the stackable coupons, one decision per exclusive group
 * (each ungrouped coupon is a group of its own), largest saving first. The bound of a branch is
 * min(goods payable, Σ standalone savings still reachable), adjusted for the freight step; it is
 * admissible because a coupon never takes more than it would alone. Exact, and in the usual case
 * (no clamping, no freight step) the first dive is optimal and everything else is cut at once.
 */

/** The freight step as seen by the search: `fee` is charged once the goods fall below `freeOver`. */
export interface FreightStep {
  readonly fee: number;
  /** Goods payable before coupons. */
  readonly base: number;
  readonly freeOver: number | null;
}

export interface CouponChoice {
  readonly chosen: CouponCandidate[];
  /** Money off the goods minus freight lost, in fen. */
  readonly savings: number;
  /** False only if the search hit its node budget (never seen with ≤ 20 coupons). */
  readonly optimal: boolean;
}

const NODE_BUDGET = 250_000;

interface Best {
  savings: number;
  ids: string[];
  set: CouponCandidate[];
}

function idsBefore(a: readonly string[], b: readonly string[]): boolean {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! < b[i]!;
  return a.length < b.length;
}

/** Whether these coupons may be used together under the stacking rules. */
export function canStack(coupons: readonly CouponCandidate[]): boolean {
  if (coupons.length <= 1) return true;
  const groups = new Set<string>();
  for (const c of coupons) {
    if (!c.coupon.stackable) return false;
    const g = c.coupon.exclusiveGroup;
    if (g !== null) {
      if (groups.has(g)) return false;
      groups.add(g);
    }
  }
  return true;
}

export function selectCoupons(candidates: readonly CouponCandidate[], payables: readonly number[], freight: FreightStep): CouponChoice {
  const P = freight.base;
  // Coupons worth more than `room` lose free shipping; `stepped` says whether that can happen.
  const stepped = freight.freeOver !== null && freight.fee > 0 && P >= freight.freeOver;
  const room = stepped ? P - freight.freeOver! : Infinity;
  const score = (off: number) => (off > room ? off - freight.fee : off);
  const bound = (ub: number) => (ub <= room ? ub : Math.max(room, ub - freight.fee));

  const best: Best = { savings: 0, ids: [], set: [] };
  const offer = (set: CouponCandidate[], off: number) => {
    const savings = score(off);
    if (savings < best.savings) return;
    const sorted = set.slice().sort(byWalletId);
    const ids = sorted.map((c) => c.walletId);
    if (savings === best.savings && (ids.length > best.ids.length || (ids.length === best.ids.length && !idsBefore(ids, best.ids)))) return;
    best.savings = savings;
    best.ids = ids;
    best.set = sorted;
  };

  for (const c of candidates) offer([c], c.saving);

  // One decision per exclusive group; an ungrouped stackable coupon is a group of its own.
  const named = new Map<string, CouponCandidate[]>();
  const groups: CouponCandidate[][] = [];
  for (const c of candidates) {
    if (!c.coupon.stackable) continue;
    const g = c.coupon.exclusiveGroup;
    if (g === null) groups.push([c]);
    else {
      let list = named.get(g);
      if (!list) named.set(g, (list = []));
      list.push(c);
    }
  }
  named.forEach((list) => groups.push(list));
  for (const list of groups) list.sort((a, b) => b.saving - a.saving || byWalletId(a, b));
  groups.sort((a, b) => b[0]!.saving - a[0]!.saving || byWalletId(a[0]!, b[0]!));
  const reach = new Array<number>(groups.length + 1).fill(0);
  for (let g = groups.length - 1; g >= 0; g--) reach[g] = reach[g + 1]! + groups[g]![0]!.saving;

  const chosen: CouponCandidate[] = [];
  let nodes = 0;
  let exhausted = false;

  const leaf = (sum: number) => {
    if (chosen.length < 2) return; // singles and "none" were scored up front
    let minPool = Infinity;
    for (const c of chosen) if (c.pool < minPool) minPool = c.pool;
    // When the savings together fit inside every coupon's own pool, nobody gets clamped and the
    // sum is exact; otherwise replay the real arithmetic.
    const off = sum <= minPool ? sum : simulateCoupons(payables, chosen.slice().sort(byWalletId));
    offer(chosen, off);
  };

  const dive = (g: number, sum: number): void => {
    if (exhausted) return;
    if (++nodes > NODE_BUDGET) {
      exhausted = true;
      return;
    }
    const reachable = sum + reach[g]!;
    const b = bound(reachable < P ? reachable : P);
    if (b < best.savings) return;
    if (b === best.savings) {
      // Can only tie: only a set with fewer coupons, or as many with smaller ids, could still win.
      if (chosen.length > best.ids.length) return;
      if (chosen.length === best.ids.length) return leaf(sum);
    }
    if (g === groups.length) return leaf(sum);
    for (const c of groups[g]!) {
      chosen.push(c);
      dive(g + 1, sum + c.saving);
      chosen.pop();
    }
    dive(g + 1, sum);
  };
  if (groups.length >= 2) dive(0, 0);

  return { chosen: best.set, savings: best.savings, optimal: !exhausted };
}
