import { byWalletId, simulateCoupons, type CouponCandidate } from './coupons.js';

/**
 * Which coupons to use together (docs/pricing.md "bestCoupons").
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

/**
 * The search state. A class rather than closures: selectCoupons runs inside every priceCart that
 * has a coupon, and allocating half a dozen closures per call showed up in the profile.
 */
class Search {
  readonly room: number;
  best: Best = { savings: 0, ids: [], set: [] };
  groups: CouponCandidate[][] = [];
  reach: number[] = [];
  readonly chosen: CouponCandidate[] = [];
  nodes = 0;
  exhausted = false;

  constructor(
    readonly payables: readonly number[],
    readonly freight: FreightStep,
  ) {
    // Coupons worth more than `room` cost free shipping; Infinity when no coupon can.
    const f = freight;
    this.room = f.freeOver !== null && f.fee > 0 && f.base >= f.freeOver ? f.base - f.freeOver : Infinity;
  }

  /** Savings of taking `off` fen off the goods, after any free shipping it costs. */
  score(off: number): number {
    return off > this.room ? off - this.freight.fee : off;
  }

  /** The most `score` can reach when at most `ub` fen come off. */
  bound(ub: number): number {
    return ub <= this.room ? ub : Math.max(this.room, ub - this.freight.fee);
  }

  offer(set: readonly CouponCandidate[], off: number): void {
    const savings = this.score(off);
    const best = this.best;
    if (savings < best.savings) return;
    const sorted = set.length === 1 ? [set[0]!] : set.slice().sort(byWalletId);
    const ids = sorted.map((c) => c.walletId);
    if (savings === best.savings && (ids.length > best.ids.length || (ids.length === best.ids.length && !idsBefore(ids, best.ids)))) return;
    this.best = { savings, ids, set: sorted };
  }

  leaf(sum: number): void {
    const chosen = this.chosen;
    if (chosen.length < 2) return; // singles and "none" were scored up front
    let minPool = Infinity;
    for (const c of chosen) if (c.pool < minPool) minPool = c.pool;
    // When the savings together fit inside every coupon's own pool nobody is clamped and the sum
    // is exact; otherwise replay the real arithmetic.
    this.offer(chosen, sum <= minPool ? sum : simulateCoupons(this.payables, chosen.slice().sort(byWalletId)));
  }

  dive(g: number, sum: number): void {
    if (this.exhausted) return;
    if (++this.nodes > NODE_BUDGET) {
      this.exhausted = true;
      return;
    }
    const reachable = sum + this.reach[g]!;
    const b = this.bound(reachable < this.freight.base ? reachable : this.freight.base);
    const best = this.best;
    if (b < best.savings) return;
    if (b === best.savings) {
      // Can only tie: only fewer coupons, or as many with smaller ids, could still win.
      if (this.chosen.length > best.ids.length) return;
      if (this.chosen.length === best.ids.length) return this.leaf(sum);
    }
    if (g === this.groups.length) return this.leaf(sum);
    for (const c of this.groups[g]!) {
      this.chosen.push(c);
      this.dive(g + 1, sum + c.saving);
      this.chosen.pop();
    }
    this.dive(g + 1, sum);
  }
}

function groupStackable(candidates: readonly CouponCandidate[]): CouponCandidate[][] {
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
  for (const list of groups) list.sort(bySavingThenId);
  groups.sort((a, b) => bySavingThenId(a[0]!, b[0]!));
  return groups;
}

function bySavingThenId(a: CouponCandidate, b: CouponCandidate): number {
  return b.saving - a.saving || byWalletId(a, b);
}

export function selectCoupons(candidates: readonly CouponCandidate[], payables: readonly number[], freight: FreightStep): CouponChoice {
  const search = new Search(payables, freight);
  for (const c of candidates) search.offer([c], c.saving);
  const groups = groupStackable(candidates);
  // With fewer than two groups no combination exists beyond the singles already scored.
  if (groups.length >= 2) {
    search.groups = groups;
    search.reach = new Array<number>(groups.length + 1).fill(0);
    for (let g = groups.length - 1; g >= 0; g--) search.reach[g] = search.reach[g + 1]! + groups[g]![0]!.saving;
    search.dive(0, 0);
  }
  return { chosen: search.best.set, savings: search.best.savings, optimal: !search.exhausted };
}
