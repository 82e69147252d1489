import { invalidAmount } from '../money/assert-fen.js';
import type { LocalizedText } from '../errors/orderkit-error.js';
import type { Adjustment, Allocation, DiscountSource, Fulfillment } from '../order/index.js';
import type { Cart, CartLine } from './cart-schema.js';

/** One cart line while it is being priced. */
export interface WorkLine {
  readonly src: CartLine;
  /** Position in the cart as given. */
  readonly index: number;
  readonly id: string;
  readonly sku: string;
  readonly category: string | undefined;
  readonly fulfillment: Fulfillment;
  readonly listPrice: number;
  readonly quantity: number;
  unitPrice: number;
  readonly allocations: Allocation[];
}

/**
 * The pricing scratchpad. `sorted` holds the lines by (sku, line id) and `payables[k]` is what
 * `sorted[k]` still costs: every order-level discount is split in that order, so a quote never
 * depends on the order the lines came in (DESIGN.md §3).
 */
export interface PricingState {
  readonly cart: Cart;
  readonly now: number;
  readonly lines: WorkLine[];
  readonly sorted: WorkLine[];
  readonly payables: number[];
  readonly adjustments: Adjustment[];
  readonly itemsTotal: number;
}

function byLineKey(a: WorkLine, b: WorkLine): number {
  // Code-unit order, not localeCompare: the result must not depend on the host's locale.
  if (a.sku !== b.sku) return a.sku < b.sku ? -1 : 1;
  if (a.id !== b.id) return a.id < b.id ? -1 : 1;
  return 0;
}

export function createState(cart: Cart, now: number): PricingState {
  const lines: WorkLine[] = new Array(cart.lines.length);
  let itemsTotal = 0;
  for (let i = 0; i < cart.lines.length; i++) {
    const src = cart.lines[i]!;
    const amount = src.listPrice * src.quantity;
    itemsTotal += amount;
    if (!Number.isSafeInteger(itemsTotal)) throw invalidAmount(itemsTotal, { path: ['lines', i, 'listPrice'] });
    lines[i] = {
      src,
      index: i,
      id: src.id,
      sku: src.sku,
      category: src.category,
      fulfillment: src.fulfillment ?? 'physical',
      listPrice: src.listPrice,
      quantity: src.quantity,
      unitPrice: src.listPrice,
      allocations: [],
    };
  }
  const sorted = lines.slice().sort(byLineKey);
  const payables = sorted.map((l) => l.listPrice * l.quantity);
  return { cart, now, lines, sorted, payables, adjustments: [], itemsTotal };
}

/** Positions in `state.sorted` of the lines a predicate accepts. */
export function membersOf(state: PricingState, accept: (line: WorkLine) => boolean): number[] {
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
