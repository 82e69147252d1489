import { invalidAmount } from '../money/assert-fen.js';
import type { LocalizedText } from '../errors/orderkit-error.js';
import type { Adjustment, DiscountSource, Line } from '../order/index.js';
import type { Cart, CartLine } from './cart-schema.js';

/**
 * The pricing scratchpad. `sorted` holds the lines by (sku, line id) and `payables[k]` is what
 * `sorted[k]` still costs: every order-level discount is split in that order, so a quote never
 * depends on the order the lines came in (docs/pricing.md "Money rules").
 */
export interface PricingState {
  readonly cart: Cart;
  readonly now: number;
  /** The quote's lines, in the cart's order; priced in place. */
  readonly lines: Line[];
  /** The same objects by (sku, line id). */
  readonly sorted: Line[];
  /** The cart line behind `sorted[k]`. */
  readonly sources: CartLine[];
  readonly payables: number[];
  readonly adjustments: Adjustment[];
  readonly itemsTotal: number;
  /** 满减送 rewards won so far (docs/pricing.md "Count-based promotions and 满减送"). */
  readonly rewards: Rewarded;
  /** Some cart line names a 运费模板 (noted while the lines are read, to spare a pass). */
  readonly namesTemplate: boolean;
}

export interface Rewarded {
  /** The activity that waives the freight, or null. */
  freeShipping: string | null;
  bonusPoints: number;
  gifts: Line[];
}

/** Whether cart line `x` sorts before or with `y`: by SKU, then line id, in code-unit order (never localeCompare: the result must not depend on the host's locale). */
function notAfter(x: CartLine, y: CartLine): boolean {
  return x.sku < y.sku || (x.sku === y.sku && x.id <= y.id);
}

/**
 * Positions of the cart's lines in (sku, id) order. A bottom-up merge sort written out by hand:
 * with a comparator callback, Array.prototype.sort was the largest single cost of pricing a
 * 50-line cart.
 */
function lineOrder(src: readonly CartLine[]): number[] {
  const n = src.length;
  let a = new Array<number>(n);
  for (let i = 0; i < n; i++) a[i] = i;
  let sorted = true;
  for (let i = 1; i < n && sorted; i++) sorted = notAfter(src[i - 1]!, src[i]!);
  if (sorted) return a;
  let b = new Array<number>(n);
  for (let width = 1; width < n; width *= 2) {
    for (let lo = 0; lo < n; lo += 2 * width) {
      const mid = Math.min(lo + width, n);
      const hi = Math.min(lo + 2 * width, n);
      let i = lo;
      let j = mid;
      let k = lo;
      while (i < mid && j < hi) b[k++] = notAfter(src[a[i]!]!, src[a[j]!]!) ? a[i++]! : a[j++]!;
      while (i < mid) b[k++] = a[i++]!;
      while (j < hi) b[k++] = a[j++]!;
    }
    const t = a;
    a = b;
    b = t;
  }
  return a;
}

export function createState(cart: Cart, now: number): PricingState {
  const n = cart.lines.length;
  const lines: Line[] = new Array(n);
  let itemsTotal = 0;
  let namesTemplate = false;
  for (let i = 0; i < n; i++) {
    const src = cart.lines[i]!;
    if (src.freightTemplate !== undefined) namesTemplate = true;
    const amount = src.listPrice * src.quantity;
    itemsTotal += amount;
    if (!Number.isSafeInteger(itemsTotal)) throw invalidAmount(itemsTotal, { path: ['lines', i, 'listPrice'] });
    // The quote's Line itself; later stages fill in the prices. Object literals (one shape with a
    // category, one without) build several times faster than adding fields one by one.
    const fulfillment = src.fulfillment ?? 'physical';
    const line: Line =
      src.category !== undefined
        ? { id: src.id, sku: src.sku, title: src.title, category: src.category, fulfillment, listPrice: src.listPrice, unitPrice: src.listPrice, quantity: src.quantity, subtotal: amount, allocations: [], payable: amount }
        : { id: src.id, sku: src.sku, title: src.title, fulfillment, listPrice: src.listPrice, unitPrice: src.listPrice, quantity: src.quantity, subtotal: amount, allocations: [], payable: amount };
    if (src.image !== undefined) line.image = src.image;
    lines[i] = line;
  }
  const src = cart.lines;
  const order = lineOrder(src);
  const sorted = new Array<Line>(n);
  const sources = new Array<CartLine>(n);
  const payables = new Array<number>(n);
  for (let k = 0; k < n; k++) {
    const i = order[k]!;
    sorted[k] = lines[i]!;
    sources[k] = src[i]!;
    payables[k] = lines[i]!.payable;
  }
  return { cart, now, lines, sorted, sources, payables, adjustments: [], itemsTotal, rewards: { freeShipping: null, bonusPoints: 0, gifts: [] }, namesTemplate };
}

/** Positions in `state.sorted` of the lines a predicate accepts. */
export function membersOf(state: PricingState, accept: (line: Line) => boolean): number[] {
  const members: number[] = [];
  for (let k = 0; k < state.sorted.length; k++) if (accept(state.sorted[k]!)) members.push(k);
  return members;
}

/**
 * Writes one order-level discount into the state: each member's share as an allocation on its
 * line, and one adjustment naming the lines that carry a share.
 */
export function recordDiscount(
  state: PricingState,
  members: readonly number[],
  parts: readonly number[],
  source: DiscountSource,
  sourceId: string,
  amount: number,
  reason: LocalizedText,
): void {
  const lineIds: string[] = [];
  for (let k = 0; k < members.length; k++) {
    const part = parts[k]!;
    if (part === 0) continue;
    const line = state.sorted[members[k]!]!;
    line.allocations.push({ source, sourceId, amount: part });
    lineIds.push(line.id);
  }
  state.adjustments.push({ id: `${source}:${sourceId}`, source, sourceId, amount, lineIds, reason });
}
