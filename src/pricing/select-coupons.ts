import { takeOnly } from './arith.js';
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
 * coupon), then a short branch-and-bound over the stackable coupons, one decision per exclusive
 * group (each ungrouped coupon is a group of its own), largest saving first. The bound of a branch
 * is min(goods payable, Σ standalone savings still reachable), adjusted for the freight step; it is
 * admissible because a coupon never takes more than it would alone. In the usual case (no clamping,
 * no freight step) the first dive is optimal and everything else is cut at once. When clamped
 * coupons overlap, the bound is loose and the branch-and-bound stops after a few nodes; then every
 * stackable coupon together, improved one exclusive group at a time, is offered
 * (`offerEveryCoupon`), and when it reaches the upper bound of the floor process (`floorShare`),
 * which proves the best savings, the search for the fewest coupons reaching them (`searchTarget`),
 * else the exact search over states (`searchStates`) finishes from the best choice found so far.
 * docs/pricing.md "bestCoupons" says why all of them are exact.
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
  /** False only if the search over states hit its budget (docs/pricing.md "bestCoupons"). */
  readonly optimal: boolean;
}

/** Nodes the branch-and-bound may visit before the search over states takes over. */
const NODE_BUDGET = 60;

/**
 * What the last `selectCoupons` call did, for bench/pricing.bench.ts: the last stage it ran
 * (1 branch-and-bound, 3 the search for the fewest coupons, 4 the search over states) and the
 * states the search over states expanded. Plain counters, written once per stage.
 */
export const searchStats = { stage: 0, states: 0 };

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
    readonly payables: Float64Array,
    readonly freight: FreightStep,
    readonly budget = NODE_BUDGET,
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
    if (++this.nodes > this.budget) {
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

/**
 * `nodeBudget`: nodes the branch-and-bound may visit before the later stages take over; `target`:
 * whether the search for the fewest coupons reaching a proven best runs before the search over
 * states (tests pass 0 and false to run the search over states alone).
 */
export function selectCoupons(candidates: readonly CouponCandidate[], payables: readonly number[], freight: FreightStep, nodeBudget = NODE_BUDGET, target = true): CouponChoice {
  const search = new Search(Float64Array.from(payables), freight, nodeBudget);
  searchStats.stage = 1;
  searchStats.states = 0;
  for (const c of candidates) search.offer([c], c.saving);
  const groups = groupStackable(candidates);
  // With fewer than two groups no combination exists beyond the singles already scored.
  if (groups.length >= 2) {
    search.groups = groups;
    search.reach = new Array<number>(groups.length + 1).fill(0);
    for (let g = groups.length - 1; g >= 0; g--) search.reach[g] = search.reach[g + 1]! + groups[g]![0]!.saving;
    search.dive(0, 0);
    if (search.exhausted) {
      // The branch-and-bound could not finish within its small budget (clamped coupons whose
      // savings overlap, so its bound is loose): the exact search over states finishes it,
      // starting from the best choice found so far (every choice offered was priced exactly).
      search.exhausted = false;
      offerEveryCoupon(candidates, search);
      searchStats.stage = 3;
      const reached = target ? searchTarget(candidates, search) : null;
      if (reached !== null) return reached;
      searchStats.stage = 4;
      return searchStates(candidates, search);
    }
  }
  return { chosen: search.best.set, savings: search.best.savings, optimal: !search.exhausted };
}

// ---- the search for the fewest coupons reaching a proven best -----------------------------------

/**
 * The search for the fewest coupons alone (after the singles are scored), for tests: the choice it
 * proves optimal, or null where it does not apply (see `searchTarget`).
 */
export function selectCouponsByTarget(candidates: readonly CouponCandidate[], payables: readonly number[], freight: FreightStep): CouponChoice | null {
  const search = new Search(Float64Array.from(payables), freight, 0);
  for (const c of candidates) search.offer([c], c.saving);
  offerEveryCoupon(candidates, search);
  return searchTarget(candidates, search);
}

/** Nodes the search for the fewest coupons may visit before the search over states takes over. */
const TARGET_BUDGET = 60_000;

/**
 * The stackable candidates in wallet-id order, each with its exclusive group as a small index
 * (−1: none), as both searches walk them.
 */
function stackableInWalletOrder(candidates: readonly CouponCandidate[]): { order: CouponCandidate[]; groupOf: number[]; groupCount: number } {
  const order = candidates.filter((c) => c.coupon.stackable).sort(byWalletId);
  const groupIndex = new Map<string, number>();
  const groupOf = order.map((c) => {
    const g = c.coupon.exclusiveGroup;
    if (g === null) return -1;
    let k = groupIndex.get(g);
    if (k === undefined) groupIndex.set(g, (k = groupIndex.size));
    return k;
  });
  return { order, groupOf, groupCount: groupIndex.size };
}

/**
 * The distinct line sets (scopes) the coupons apply to, and each coupon's scope: coupons on the
 * same lines together take at most what those lines cost (both exact searches bound by it).
 */
function scopesOf(order: readonly CouponCandidate[]): { scopeOf: number[]; scopeMembers: Array<readonly number[]> } {
  const scopeIndex = new Map<string, number>();
  const scopeMembers: Array<readonly number[]> = [];
  const scopeOf = order.map((c) => {
    const key = c.members.join(',');
    let k = scopeIndex.get(key);
    if (k === undefined) {
      scopeIndex.set(key, (k = scopeIndex.size));
      scopeMembers.push(c.members);
    }
    return k;
  });
  return { scopeOf, scopeMembers };
}

/**
 * Stage two (docs/pricing.md "bestCoupons"). The upper bound of the search over states (with the
 * floor process) is computed once for the empty choice; if the best choice known (every coupon
 * together, improved group by group) takes exactly that much, the best savings are proven. With a
 * free-shipping step this holds only when losing it still beats every choice that keeps it. What
 * is left is the tie-break: the fewest coupons, then the smallest ids. Coupons are applied in
 * wallet-id order, so a depth-first search that adds coupons in id order meets the choices of one
 * size in exactly the tie-break's order (sorted id lists, compared id by id): for each size from
 * the least the bound allows upward, the first choice of that size reaching the best is the
 * answer. A branch is cut when even its largest remaining coupons (each at most min(face value,
 * what its lines still cost), one per unused group, together at most what their lines still cost
 * and at most what the floor process takes) cannot reach the best with the coupons left to pick,
 * or when some line would have to give up more than the largest shares of that many coupons
 * covering it; a state already shown to have no such completion is not searched again; a coupon
 * that takes nothing is never picked (the same choice without it is smaller and leaves the same
 * payables). Null when the best savings are not proven this way, or when the search needs more
 * than its budget: the search over states runs.
 */
function searchTarget(candidates: readonly CouponCandidate[], search: Search): CouponChoice | null {
  const { order, groupOf, groupCount } = stackableInWalletOrder(candidates);
  const n = order.length;
  if (n < 2) return null;
  const lineCount = search.payables.length;
  // Lines touched by the coupons from position i on.
  const touched: number[][] = new Array<number[]>(n + 1);
  touched[n] = [];
  {
    const seen = new Uint8Array(lineCount);
    let lines: number[] = [];
    for (let i = n - 1; i >= 0; i--) {
      for (const m of order[i]!.members) if (seen[m] === 0) (seen[m] = 1), (lines = lines.concat(m));
      touched[i] = lines;
    }
  }
  const { scopeOf, scopeMembers } = scopesOf(order);
  const scopePool = new Float64Array(scopeMembers.length);
  const scopeSum = new Float64Array(scopeMembers.length);
  const groupBest = new Float64Array(groupCount);
  const mosts = new Float64Array(n);
  // Each scope's ungrouped coupons, largest face value first (min(face value, what the scope's
  // lines cost), the most one of them takes, keeps that order), and the grouped coupons.
  const scopeSorted: number[][] = scopeMembers.map(() => []);
  const grouped: number[] = [];
  for (let j = 0; j < n; j++) (groupOf[j]! < 0 ? scopeSorted[scopeOf[j]!]! : grouped).push(j);
  for (const list of scopeSorted) list.sort((a, b) => order[b]!.nominal - order[a]!.nominal || a - b);

  /**
   * At most what `picks` more coupons from position i take from `payables` (groups `used` taken).
   * The coupons of one scope together take at most what its lines cost: the k-th largest of them
   * adds at most min(its most, what the larger ones leave of that cost), and any `picks` coupons
   * take at most the largest `picks` of those gains over every scope (one per unused group for the
   * grouped ones, counted at their most).
   */
  function most(payables: Float64Array, i: number, used: Uint8Array, picks: number, need = Infinity): number {
    let count = 0;
    for (let k = 0; k < scopeMembers.length; k++) {
      const members = scopeMembers[k]!;
      let pool = 0;
      for (let m = 0; m < members.length; m++) pool += payables[members[m]!]!;
      scopePool[k] = pool;
      let running = 0;
      const list = scopeSorted[k]!;
      for (let x = 0; x < list.length; x++) {
        const j = list[x]!;
        if (j < i) continue;
        const v = order[j]!.nominal;
        const room = pool - running;
        const gain = v < room ? v : room;
        if (gain <= 0) break;
        mosts[count++] = gain;
        running += gain;
      }
      scopeSum[k] = running;
    }
    if (grouped.length > 0) {
      groupBest.fill(0);
      for (let x = 0; x < grouped.length; x++) {
        const j = grouped[x]!;
        if (j < i) continue;
        const g = groupOf[j]!;
        if (used[g] === 1) continue;
        const k = scopeOf[j]!;
        const v = order[j]!.nominal;
        const m = v < scopePool[k]! ? v : scopePool[k]!;
        scopeSum[k] = scopeSum[k]! + m;
        if (m > groupBest[g]!) groupBest[g] = m;
      }
      for (let g = 0; g < groupCount; g++) if (groupBest[g]! > 0) mosts[count++] = groupBest[g]!;
    }
    // The largest `picks` of them…
    const top = sumOfLargest(mosts, count, picks);
    // …at most what each scope's lines still cost…
    let scoped = 0;
    for (let k = 0; k < scopeMembers.length; k++) scoped += scopeSum[k]! < scopePool[k]! ? scopeSum[k]! : scopePool[k]!;
    // …and at most what all the lines they touch still cost.
    let left = 0;
    const lines = touched[i]!;
    for (let k = 0; k < lines.length; k++) left += payables[lines[k]!]!;
    const bound = Math.min(top, scoped, left);
    // …and at most what the floor process over all of them takes (a pass over the coupons: only
    // when the cheaper bounds still reach `need`).
    if (bound < need) return bound;
    const floored = floorTaken(payables, order, groupOf, i, used, lines, scratch);
    return floored < bound ? floored : bound;
  }
  const scratch = new Float64Array(lineCount);

  // The bound for the empty choice. The best choice known (every coupon together, improved group
  // by group, offered before this stage) proves the best savings when it reaches it.
  const none = new Uint8Array(groupCount);
  const bound = Math.min(most(search.payables, 0, none, n), search.freight.base);
  // The best savings: `bound` fen off, less the freight when that costs free shipping. With a
  // free-shipping step this stage applies only when even then they beat every choice that keeps
  // free shipping (at most `room` fen off): then a choice saving `goal` takes exactly `bound`.
  const goal = search.score(bound);
  if (search.room !== Infinity && goal <= search.room) return null;
  const best = search.best;
  if (best.savings < goal) return null;
  if (best.savings > goal || best.ids.length === 1) return { chosen: best.set, savings: best.savings, optimal: true };

  // The positions of the coupons covering each line.
  const covering: number[][] = Array.from({ length: lineCount }, () => []);
  for (let j = 0; j < n; j++) for (const m of order[j]!.members) covering[m]!.push(j);
  const shares = new Float64Array(n);
  /**
   * Whether `picks` more coupons from position i on are too few to take `need` more: some line
   * must give up at least `need` − (what the other lines still cost), and no coupon takes more
   * from one line than min(face value, what that line still costs), at most one per unused group.
   */
  function tooFew(payables: Float64Array, i: number, used: Uint8Array, picks: number, need: number): boolean {
    const lines = touched[i]!;
    let left = 0;
    for (let k = 0; k < lines.length; k++) left += payables[lines[k]!]!;
    for (let k = 0; k < lines.length; k++) {
      const line = lines[k]!;
      const p = payables[line]!;
      const must = need - (left - p);
      if (must <= 0) continue;
      groupBest.fill(0);
      let count = 0;
      const list = covering[line]!;
      for (let x = 0; x < list.length; x++) {
        const j = list[x]!;
        if (j < i) continue;
        const g = groupOf[j]!;
        if (g >= 0 && used[g] === 1) continue;
        const v = order[j]!.nominal;
        const m = v < p ? v : p;
        if (g < 0) shares[count++] = m;
        else if (m > groupBest[g]!) groupBest[g] = m;
      }
      for (let g = 0; g < groupCount; g++) if (groupBest[g]! > 0) shares[count++] = groupBest[g]!;
      if (sumOfLargest(shares, count, picks) < must) return true;
    }
    return false;
  }
  // States known to have no completion of the given number of coupons reaching the bound.
  const failed = new Set<string>();
  function keyOf(i: number, payables: Float64Array, used: Uint8Array, picks: number, need: number): string {
    let key = `${i}|${picks}|${need}|`;
    for (let g = 0; g < groupCount; g++) key += used[g] === 1 ? '1' : '0';
    const lines = touched[i]!;
    for (let k = 0; k < lines.length; k++) key += `,${payables[lines[k]!]}`;
    return key;
  }

  let nodes = 0;
  const chosen: CouponCandidate[] = [];
  /** The first choice of exactly `size` coupons, in tie-break order, that takes `bound`; 'budget' when out of nodes. */
  function dive(pos: number, payables: Float64Array, off: number, used: Uint8Array, size: number): boolean | 'budget' {
    const picks = size - chosen.length;
    let last = n - picks;
    // `most` from position j with `picks` coupons only shrinks as j grows (fewer coupons, fewer
    // lines, a shorter floor process): past the first j where it cannot reach the bound, no first
    // pick can. A binary search finds that j.
    if (last > pos && off + most(payables, last, used, picks, bound - off) < bound) {
      let lo = pos;
      let hi = last;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (off + most(payables, mid, used, picks, bound - off) < bound) hi = mid;
        else lo = mid + 1;
      }
      last = lo - 1;
    }
    for (let j = pos; j <= last; j++) {
      const g = groupOf[j]!;
      if (g >= 0 && used[g] === 1) continue;
      if (++nodes > TARGET_BUDGET) return 'budget';
      const c = order[j]!;
      const next = payables.slice();
      const taken = takeOnly(next, c.members, c.nominal);
      if (taken <= 0) continue;
      const reached = off + taken;
      chosen.push(c);
      if (picks === 1) {
        if (reached === bound) return true;
      } else {
        let u = used;
        if (g >= 0) {
          u = used.slice();
          u[g] = 1;
        }
        if (reached + most(next, j + 1, u, picks - 1, bound - reached) >= bound && !tooFew(next, j + 1, u, picks - 1, bound - reached)) {
          const key = keyOf(j + 1, next, u, picks - 1, bound - reached);
          if (!failed.has(key)) {
            const found = dive(j + 1, next, reached, u, size);
            if (found !== false) return found;
            failed.add(key);
          }
        }
      }
      chosen.pop();
    }
    return false;
  }
  // The fewest coupons the bound allows, up to the size of the best choice known (or all of them).
  let size = 2;
  while (size < n && (most(search.payables, 0, none, size, bound) < bound || tooFew(search.payables, 0, none, size, bound))) size++;
  const largest = best.ids.length;
  for (; size <= largest; size++) {
    const found = dive(0, search.payables, 0, none, size);
    if (found === 'budget') return null;
    if (found) {
      search.offer(chosen, bound);
      return { chosen: search.best.set, savings: search.best.savings, optimal: true };
    }
  }
  // Unreachable: the best known choice has `largest` coupons and takes `bound`.
  return null;
}

/** One step of a 32-bit FNV-style hash over a number's low 32 bits (`ToInt32`). */
function mix(h: number, v: number): number {
  return Math.imul(h ^ (v | 0), 0x01000193);
}

/**
 * The sum of the `k` largest of `values[0..count)`, which it reorders (a quickselect: the searches
 * call this at every node, where sorting a copy was most of their time).
 * Exported for test/pricing/floor-bound.test.ts only.
 */
export function sumOfLargest(values: Float64Array, count: number, k: number): number {
  let sum = 0;
  if (k >= count) {
    for (let x = 0; x < count; x++) sum += values[x]!;
    return sum;
  }
  if (k <= 0) return 0;
  // Moves the k largest to the front: everything left of `lo` is at least everything from `lo`
  // on, everything right of `hi` at most everything up to `hi`.
  let lo = 0;
  let hi = count - 1;
  while (lo < hi) {
    const pivot = values[(lo + hi) >> 1]!;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (values[i]! > pivot) i++;
      while (values[j]! < pivot) j--;
      if (i <= j) {
        const t = values[i]!;
        values[i] = values[j]!;
        values[j] = t;
        i++;
        j--;
      }
    }
    if (k - 1 <= j) hi = j;
    else if (k - 1 >= i) lo = i;
    else break;
  }
  for (let x = 0; x < k; x++) sum += values[x]!;
  return sum;
}

/**
 * What the floor process takes from `payables` when every coupon from position `from` on (outside
 * the groups `used`) is applied in order: at least what any subset of them takes (see `floorShare`).
 * `lines`: the lines those coupons touch; `scratch`: a buffer as long as the payables.
 * Exported for test/pricing/floor-bound.test.ts only.
 */
export function floorTaken(
  payables: Float64Array | readonly number[],
  order: readonly CouponCandidate[],
  groupOf: readonly number[],
  from: number,
  used: Uint8Array,
  lines: readonly number[],
  scratch: Float64Array,
): number {
  for (let k = 0; k < lines.length; k++) scratch[lines[k]!] = payables[lines[k]!]!;
  for (let j = from; j < order.length; j++) {
    const g = groupOf[j]!;
    if (g >= 0 && used[g] === 1) continue;
    floorShare(scratch, order[j]!.members, order[j]!.nominal);
  }
  let taken = 0;
  for (let k = 0; k < lines.length; k++) taken += payables[lines[k]!]! - scratch[lines[k]!]!;
  return taken;
}

/**
 * The lines `floorSplitTaken` sets apart: each line that the coupons scoped to it alone could pay
 * off by themselves (their face values add up to what it costs), provided some coupon also covers
 * it together with other lines. Null when there is none (the split bound would not help).
 */
function linesSetApart(order: readonly CouponCandidate[], payables: Float64Array): Uint8Array | null {
  const cover = new Float64Array(payables.length);
  for (const c of order) if (c.members.length === 1) cover[c.members[0]!] = cover[c.members[0]!]! + c.nominal;
  const apart = new Uint8Array(payables.length);
  let any = false;
  for (let m = 0; m < payables.length; m++) if (cover[m]! > 0 && cover[m]! >= payables[m]!) (apart[m] = 1), (any = true);
  if (!any) return null;
  for (const c of order) if (c.members.length > 1 && c.members.some((m) => apart[m] === 1)) return apart;
  return null;
}

/**
 * A tighter bound than `floorTaken` when some lines (`inP`, 1) are set apart: what any subset of
 * the coupons from position `from` on takes from `payables` is at most what the floor process takes
 * from the lines set apart, plus, from the other lines, the least of what the floor process takes
 * from them and Σ over the coupons touching them of (min(face value, what its lines cost now) −
 * the least share it must take from the lines set apart). That least share, for line x of the set
 * apart, is min(f, ⌊v·f/X⌋), f being what the floor process has left of x at the coupon's turn and
 * X what its lines cost now: the real share is at least that whichever coupons went before (the
 * real line costs at least f, the real pool at most X; 0 where v·f is not a safe integer). At most
 * one coupon per unused group counts (its largest such amount). Never more than `floorTaken`.
 * `groupCap`: scratch, one slot per exclusive group.
 * Exported for test/pricing/floor-bound.test.ts only.
 */
export function floorSplitTaken(
  payables: Float64Array | readonly number[],
  order: readonly CouponCandidate[],
  groupOf: readonly number[],
  from: number,
  used: Uint8Array,
  lines: readonly number[],
  scratch: Float64Array,
  inP: Uint8Array,
  groupCap: Float64Array,
): number {
  for (let k = 0; k < lines.length; k++) scratch[lines[k]!] = payables[lines[k]!]!;
  groupCap.fill(0);
  let caps = 0;
  for (let j = from; j < order.length; j++) {
    const g = groupOf[j]!;
    if (g >= 0 && used[g] === 1) continue;
    const c = order[j]!;
    const members = c.members;
    let touchesQ = false;
    let pool = 0;
    for (let k = 0; k < members.length; k++) {
      const m = members[k]!;
      pool += payables[m]!;
      if (inP[m] === 0) touchesQ = true;
    }
    if (touchesQ && pool > 0) {
      const v = c.nominal;
      let cap = v < pool ? v : pool;
      for (let k = 0; k < members.length; k++) {
        const m = members[k]!;
        if (inP[m] === 0) continue;
        const f = scratch[m]!;
        const product = v * f;
        const least = Number.isSafeInteger(product) ? Math.floor(product / pool) : 0;
        cap -= least < f ? least : f;
      }
      if (g < 0) caps += cap;
      else if (cap > groupCap[g]!) groupCap[g] = cap;
    }
    floorShare(scratch, members, c.nominal);
  }
  for (let g = 0; g < groupCap.length; g++) caps += groupCap[g]!;
  let fromP = 0;
  let fromQ = 0;
  for (let k = 0; k < lines.length; k++) {
    const m = lines[k]!;
    const d = payables[m]! - scratch[m]!;
    if (inP[m] === 1) fromP += d;
    else fromQ += d;
  }
  return fromP + (caps < fromQ ? caps : fromQ);
}

/**
 * One step of the floor process (docs/pricing.md "bestCoupons"): what `takeShare` would leave of
 * each member, rounded down before any largest-remainder fen is handed out, i.e.
 * floor(x × (X − v) / X) of a member x when the members cost X > v, else 0. It leaves each line at
 * most what `takeShare` leaves (a share is at most its floor plus one fen, and a member whose exact
 * share is whole gets no extra fen), and it is monotone: from smaller payables it leaves smaller
 * ones, line by line. Hence, applied for every coupon still to decide, in their order, it leaves
 * at most what any subset of them would leave, and the difference is an upper bound on what any
 * subset takes.
 */
export function floorShare(x: Float64Array | number[], members: readonly number[], v: number): void {
  let pool = 0;
  for (let k = 0; k < members.length; k++) pool += x[members[k]!]!;
  if (v >= pool) {
    for (let k = 0; k < members.length; k++) x[members[k]!] = 0;
    return;
  }
  if (members.length === 1) {
    x[members[0]!] = pool - v;
    return;
  }
  const rest = pool - v;
  for (let k = 0; k < members.length; k++) {
    const m = members[k]!;
    const w = x[m]!;
    const product = w * rest;
    x[m] = Number.isSafeInteger(product) ? Math.floor(product / pool) : Number((BigInt(w) * BigInt(rest)) / BigInt(pool));
  }
}

/**
 * Offers every stackable coupon together (the one saving most of each exclusive group), then
 * improves that choice one exclusive group at a time (each of its coupons, or none) while that
 * raises the savings; coupons that take nothing at their turn are left out (they change nothing).
 * Usually the best savings, found before the exact stages so that their bounds cut from the start.
 * Every choice is priced with the engine's own arithmetic.
 */
function offerEveryCoupon(candidates: readonly CouponCandidate[], search: Search): void {
  const { order, groupOf, groupCount } = stackableInWalletOrder(candidates);
  const n = order.length;
  // The chosen member of each group (a position in `order`), or −1.
  const pickOf = new Int32Array(groupCount).fill(-1);
  for (let j = 0; j < n; j++) {
    const g = groupOf[j]!;
    if (g >= 0 && (pickOf[g] === -1 || order[j]!.saving > order[pickOf[g]!]!.saving)) pickOf[g] = j;
  }
  const scratch = new Float64Array(search.payables.length);
  const kept: CouponCandidate[] = [];
  /** Prices the choice `pickOf` describes; returns its savings and leaves its coupons in `kept`. */
  const price = (): number => {
    scratch.set(search.payables);
    kept.length = 0;
    let off = 0;
    for (let j = 0; j < n; j++) {
      const g = groupOf[j]!;
      if (g >= 0 && pickOf[g] !== j) continue;
      const c = order[j]!;
      const taken = takeOnly(scratch, c.members, c.nominal);
      if (taken > 0) (kept.push(c), (off += taken));
    }
    return off;
  };
  const offer = (off: number) => {
    if (kept.length >= 2) search.offer(kept, off);
  };
  let current = search.score(price());
  offer(price());
  for (let pass = 0; pass < 3 && groupCount > 0; pass++) {
    let improved = false;
    for (let g = 0; g < groupCount; g++) {
      const was = pickOf[g]!;
      let bestPick = was;
      for (let j = -1; j < n; j++) {
        if (j === was || (j >= 0 && groupOf[j] !== g)) continue;
        pickOf[g] = j;
        const off = price();
        const savings = search.score(off);
        if (savings > current) (current = savings), (bestPick = j), (improved = true);
        offer(off);
      }
      pickOf[g] = bestPick;
    }
    if (!improved) break;
  }
}

// ---- the exact search over states ------------------------------------------------------------

/** States the search over states may expand before it gives up (never reached by the bench's wallets). */
const STATE_BUDGET = 60_000;

/** A partial choice: the coupons taken so far (a linked list, newest first) and what they left. */
interface State {
  payables: Float64Array;
  /** Exclusive groups used, by index. */
  used: Uint8Array;
  off: number;
  count: number;
  last: Taken | null;
}
interface Taken {
  readonly c: CouponCandidate;
  readonly prev: Taken | null;
}

function listOf(t: Taken | null): CouponCandidate[] {
  const out: CouponCandidate[] = [];
  for (let x = t; x !== null; x = x.prev) out.push(x.c);
  return out.reverse();
}

/** Whether prefix `a` should be kept over prefix `b`, both with the same count (ids compared in order). */
function prefixBefore(a: Taken | null, b: Taken | null): boolean {
  const x = listOf(a);
  const y = listOf(b);
  for (let i = 0; i < x.length; i++) if (x[i]!.walletId !== y[i]!.walletId) return x[i]!.walletId < y[i]!.walletId;
  return false;
}

/**
 * The exact search over states (docs/pricing.md "bestCoupons"). The stackable coupons are decided
 * one by one in wallet-id order, the order in which they are applied, so that the state after a
 * decision — the lines' payables, the exclusive groups used, and (with a free-shipping step) the
 * amount taken — determines everything that can still happen. Two partial choices that reach the
 * same state have the same futures: only the better of the two is kept (more taken, then fewer
 * coupons, then the smaller ids; with a freight step the amount is part of the state, unless the
 * best choice already saves more than keeping free shipping can). A state is also dropped when
 * even its upper bound cannot beat the best complete choice seen so far: what is taken from here
 * on is at most, per coupon, min(its face value, what its lines still cost) (at most one per
 * unused group), at most what the lines touched by the remaining coupons still cost together, and
 * at most what the floor process over every remaining coupon takes (`floorShare`), or the split
 * bound (`floorSplitTaken`) when some line is set apart. Every state is itself a complete choice
 * (take nothing more) and is offered.
 */
function searchStates(candidates: readonly CouponCandidate[], search: Search): CouponChoice {
  const { order, groupOf, groupCount } = stackableInWalletOrder(candidates);
  const n = order.length;
  // Per position: the lines any coupon from here on touches, and the groups still to be decided.
  const lineCount = search.payables.length;
  const touched: number[][] = new Array<number[]>(n + 1);
  const liveGroups: number[][] = new Array<number[]>(n + 1);
  touched[n] = [];
  liveGroups[n] = [];
  {
    const seenLine = new Uint8Array(lineCount);
    const seenGroup = new Uint8Array(groupCount);
    let lines: number[] = [];
    let groups: number[] = [];
    for (let i = n - 1; i >= 0; i--) {
      for (const m of order[i]!.members) if (seenLine[m] === 0) (seenLine[m] = 1), (lines = lines.concat(m));
      const g = groupOf[i]!;
      if (g >= 0 && seenGroup[g] === 0) (seenGroup[g] = 1), (groups = groups.concat(g));
      touched[i] = lines;
      liveGroups[i] = groups;
    }
  }
  // With a free-shipping step, the amount taken is part of the state (more taken is not always
  // better: it may cost free shipping), unless the best choice already saves more than `room`:
  // then only choices that lose free shipping can beat it, and for those more taken is better.
  const stepped = search.room !== Infinity && search.best.savings <= search.room;
  const base = search.freight.base;
  const groupBest = new Float64Array(groupCount);
  // Coupons on the same lines (the same scope) together take at most what those lines cost.
  const { scopeOf, scopeMembers } = scopesOf(order);
  const scopePool = new Float64Array(scopeMembers.length);
  const scopeCount = scopeMembers.length;
  // Per scope, its ungrouped coupons from each position on, face values ascending with running
  // sums (block of position i and scope k at `sufStart[i * scopeCount + k]`, `sufLen` long): what
  // they take at most, Σ min(face value, what the scope's lines cost), is then a binary search.
  // The grouped coupons are few and are walked.
  const grouped: number[] = [];
  const ungroupedOf: number[][] = scopeMembers.map(() => []);
  for (let j = 0; j < n; j++) (groupOf[j]! < 0 ? ungroupedOf[scopeOf[j]!]! : grouped).push(j);
  const sufStart = new Int32Array((n + 1) * scopeCount);
  const sufLen = new Int32Array((n + 1) * scopeCount);
  const sufValues: number[] = [];
  const sufSums: number[] = [];
  const sorted: number[] = [];
  for (let k = 0; k < scopeCount; k++) {
    const positions = ungroupedOf[k]!;
    const blockOf = new Array<number>(positions.length + 1);
    // From the last coupon of the scope backwards, each inserted into the sorted face values.
    sorted.length = 0;
    for (let t = positions.length; t >= 0; t--) {
      if (t < positions.length) {
        const v = order[positions[t]!]!.nominal;
        let x = sorted.length;
        sorted.push(v);
        while (x > 0 && sorted[x - 1]! > v) (sorted[x] = sorted[x - 1]!), x--;
        sorted[x] = v;
      }
      blockOf[t] = sufValues.length;
      let run = 0;
      for (let x = 0; x < sorted.length; x++) sufValues.push(sorted[x]!), sufSums.push((run += sorted[x]!));
    }
    for (let i = 0, t = 0; i <= n; i++) {
      while (t < positions.length && positions[t]! < i) t++;
      sufStart[i * scopeCount + k] = blockOf[t]!;
      sufLen[i * scopeCount + k] = positions.length - t;
    }
  }
  // Scratch for `fewestMore`: each remaining coupon's most (the best one per unused group).
  const mosts = new Float64Array(n + groupCount);

  /**
   * The fewest more coupons that could bring the amount taken from `off` to `wanted`, from each
   * remaining coupon's most at position i (min(face value, what its scope's lines cost), the best
   * one per unused group; `scopePool` as the last `bound` call of this state left it), largest
   * first: a completion with fewer cannot get there.
   */
  function fewestMore(s: State, i: number, off: number, wanted: number): number {
    if (off >= wanted) return 0;
    groupBest.fill(0);
    let count = 0;
    for (let j = i; j < n; j++) {
      const g = groupOf[j]!;
      if (g >= 0 && s.used[g] === 1) continue;
      const v = order[j]!.nominal;
      const pool = scopePool[scopeOf[j]!]!;
      const most = v < pool ? v : pool;
      if (g < 0) mosts[count++] = most;
      else if (most > groupBest[g]!) groupBest[g] = most;
    }
    for (let g = 0; g < groupCount; g++) if (groupBest[g]! > 0) mosts[count++] = groupBest[g]!;
    const sorted = mosts.subarray(0, count).sort();
    let sum = off;
    for (let k = count - 1, used = 1; k >= 0; k--, used++) {
      sum += sorted[k]!;
      if (sum >= wanted) return used;
    }
    return Infinity;
  }

  /** Upper bound on the savings any completion of `s` from position `i` reaches. */
  function bound(s: State, i: number): number {
    let sum = 0;
    for (let k = 0; k < scopeCount; k++) {
      const members = scopeMembers[k]!;
      let pool = 0;
      for (let m = 0; m < members.length; m++) pool += s.payables[members[m]!]!;
      scopePool[k] = pool;
      const at = i * scopeCount + k;
      const start = sufStart[at]!;
      const len = sufLen[at]!;
      if (len === 0) continue;
      // The first face value ≥ pool: those below count whole, the others count `pool` each.
      let lo = 0;
      let hi = len;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (sufValues[start + mid]! < pool) lo = mid + 1;
        else hi = mid;
      }
      const most = (lo > 0 ? sufSums[start + lo - 1]! : 0) + (len - lo) * pool;
      sum += most < pool ? most : pool;
    }
    if (grouped.length > 0) {
      groupBest.fill(0);
      for (let x = 0; x < grouped.length; x++) {
        const j = grouped[x]!;
        if (j < i) continue;
        const g = groupOf[j]!;
        if (s.used[g] === 1) continue;
        const v = order[j]!.nominal;
        const pool = scopePool[scopeOf[j]!]!;
        const most = v < pool ? v : pool;
        if (most > groupBest[g]!) groupBest[g] = most;
      }
      for (let g = 0; g < groupCount; g++) sum += groupBest[g]!;
    }
    let left = 0;
    const lines = touched[i]!;
    for (let k = 0; k < lines.length; k++) left += s.payables[lines[k]!]!;
    if (sum < left) left = sum;
    let ub = s.off + left;
    // The floor process costs a pass over the remaining coupons: only when the cheaper bound
    // does not cut the state already.
    if (search.bound(ub < base ? ub : base) >= search.best.savings) {
      const floored = s.off + floorFuture(s, i);
      if (floored < ub) ub = floored;
    }
    return search.bound(ub < base ? ub : base);
  }

  const scratch = new Float64Array(lineCount);
  const splitP = linesSetApart(order, search.payables);
  const groupCap = new Float64Array(groupCount);
  /** At most what any subset of the coupons from position i on takes from `s` (the floor process). */
  function floorFuture(s: State, i: number): number {
    return splitP === null
      ? floorTaken(s.payables, order, groupOf, i, s.used, touched[i]!, scratch)
      : floorSplitTaken(s.payables, order, groupOf, i, s.used, touched[i]!, scratch, splitP, groupCap);
  }

  /**
   * A hash of the state at position i (the amount taken when stepped, the live groups used, what
   * the touched lines still cost); equal states hash equal, and `sameState` settles collisions.
   * Numbers rather than a string key: building and hashing a string per state was a quarter of
   * the search's time and most of its garbage.
   */
  function hashOf(s: State, i: number): number {
    let h = 0x811c9dc5;
    if (stepped) h = mix(mix(h, s.off), s.off / 4294967296);
    const groups = liveGroups[i]!;
    for (let k = 0; k < groups.length; k++) h = mix(h, s.used[groups[k]!]!);
    const lines = touched[i]!;
    for (let k = 0; k < lines.length; k++) {
      const v = s.payables[lines[k]!]!;
      h = mix(mix(h, v), v / 4294967296);
    }
    return h;
  }

  /** Whether `a` and `b` are the same state at position i (what `hashOf` reads, compared exactly). */
  function sameState(a: State, b: State, i: number): boolean {
    if (stepped && a.off !== b.off) return false;
    const groups = liveGroups[i]!;
    for (let k = 0; k < groups.length; k++) if (a.used[groups[k]!] !== b.used[groups[k]!]) return false;
    const lines = touched[i]!;
    for (let k = 0; k < lines.length; k++) if (a.payables[lines[k]!] !== b.payables[lines[k]!]) return false;
    return true;
  }

  /** Whether `a` is kept over `b` when both reach the same state. */
  function better(a: State, b: State): boolean {
    if (!stepped && a.off !== b.off) return a.off > b.off;
    if (a.count !== b.count) return a.count < b.count;
    return prefixBefore(a.last, b.last);
  }

  function offer(s: State): void {
    if (s.count < 2) return; // the singles are scored already
    const savings = search.score(s.off);
    if (savings < search.best.savings) return;
    if (savings === search.best.savings && s.count > search.best.ids.length) return;
    search.offer(listOf(s.last), s.off);
  }

  let layer: State[] = [{ payables: search.payables.slice(), used: new Uint8Array(groupCount), off: 0, count: 0, last: null }];
  let expanded = 0;
  for (let i = 0; i < n; i++) {
    const c = order[i]!;
    const g = groupOf[i]!;
    // The next layer: its states in order of arrival, and an open-addressing table of their
    // positions (+1) by hash, at most a quarter full (a layer at most doubles the last one).
    const next: State[] = [];
    const hashes: number[] = [];
    let size = 16;
    while (size < 8 * layer.length) size *= 2;
    const table = new Int32Array(size);
    const mask = size - 1;
    const keep = (s: State) => {
      // The bound first: most states it drops would not have met an equal one, and looking an
      // equal one up costs a pass over the touched lines.
      const b = bound(s, i + 1);
      const best = search.best;
      // Cannot beat the best, or can only tie it with as many coupons or more.
      if (b < best.savings || (b === best.savings && s.count >= best.ids.length && best.ids.length > 0)) return;
      if (b === best.savings && best.ids.length > 0) {
        // Only a tie is possible, so only a completion with no more coupons than the best could
        // win: drop the state if even its largest remaining coupons need more to catch up.
        const wanted = best.savings <= search.room ? best.savings : best.savings + search.freight.fee;
        if (s.count + fewestMore(s, i + 1, s.off, wanted) > best.ids.length) return;
      }
      const h = hashOf(s, i + 1);
      for (let slot = h & mask; ; slot = (slot + 1) & mask) {
        const e = table[slot]!;
        if (e === 0) {
          table[slot] = next.length + 1;
          next.push(s);
          hashes.push(h);
          return;
        }
        const seen = next[e - 1]!;
        if (hashes[e - 1] === h && sameState(s, seen, i + 1)) {
          // The same state reached twice: only the better partial choice is kept.
          if (better(s, seen)) next[e - 1] = s;
          return;
        }
      }
    };
    for (const s of layer) {
      if (++expanded > STATE_BUDGET) {
        searchStats.states = expanded;
        return { chosen: search.best.set, savings: search.best.savings, optimal: false };
      }
      keep(s); // skip coupon i
      if (g >= 0 && s.used[g] === 1) continue;
      const payables = s.payables.slice();
      const taken = takeOnly(payables, c.members, c.nominal);
      if (taken <= 0) continue; // a coupon that takes nothing never helps
      const used = g >= 0 ? s.used.slice() : s.used;
      if (g >= 0) used[g] = 1;
      const t: State = { payables, used, off: s.off + taken, count: s.count + 1, last: { c, prev: s.last } };
      offer(t);
      keep(t);
    }
    layer = next;
  }
  searchStats.states = expanded;
  return { chosen: search.best.set, savings: search.best.savings, optimal: true };
}
