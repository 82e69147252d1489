import { createHash } from 'node:crypto';
import type { Order } from '../../order/index.js';
import { copyJson, sameJson } from '../../order/copy-json.js';
import { ORDER_SCHEMA_VERSION, SCHEMA_VERSION_FIELD, storedOrderDocument, storedOrderText } from '../../storage/schema-version.js';
import { CorruptOrderError } from '../../storage/errors.js';

/**
 * An order's shipments and merchant notes as rows of their own (docs/storage.md, "Shipments and
 * notes as rows"). Both lists only grow; kept inside the document, every commit rewrote all of
 * them. The stored document keeps `tails` (how many entries of each list are rows) and, in
 * `shipments`, a copy of the earliest parcel only (SQL that reads the document, such as the
 * analytics' first-parcel time, still finds it); `merchantNotes` is empty.
 */
export const TAILS_FIELD = 'tails';

/** The two lists kept as rows: 's' shipments, 'n' merchant notes. */
export type TailKind = 's' | 'n';

/** One entry to write: its list, its position in it, the entry. */
export interface TailEntry {
  k: TailKind;
  i: number;
  d: unknown;
}

/** How many entries of each list are rows. */
export interface TailCounts {
  s: number;
  n: number;
}

/**
 * Up to this many entries (shipments and notes together) an order keeps its lists inside its
 * document, as before migration 004: most orders never have more, and for them a row per entry
 * costs more than it saves (docs/benchmarks.md, "Storage"). Past it the lists are rows.
 */
export const INLINE_ENTRIES = 8;

/** Whether the order's lists are stored as rows (more than INLINE_ENTRIES entries). */
export function listsAsRows(order: Order): boolean {
  return order.shipments.length + order.merchantNotes.length > INLINE_ENTRIES;
}

/** The earliest parcel (the smallest `shippedAt`, the first of equals). */
function earliestParcel(shipments: Order['shipments']): Order['shipments'] {
  let first = shipments[0];
  for (let i = 1; i < shipments.length; i++) if (shipments[i]!.shippedAt < first!.shippedAt) first = shipments[i];
  return first === undefined ? [] : [first];
}

/**
 * The document the row holds: the order with its schema version, and for an order whose lists
 * are rows (`listsAsRows`), without them but with their counts.
 */
export function splitDocument(order: Order): Record<string, unknown> {
  return listsAsRows(order) ? withoutLists(order) : storedOrderDocument(order);
}

/** `splitDocument(order)` as JSON text. */
export function splitText(order: Order): string {
  return listsAsRows(order) ? JSON.stringify(withoutLists(order)) : storedOrderText(order);
}

/** The stored document of an order whose lists are rows: their counts and the earliest parcel instead. */
function withoutLists(order: Order): Record<string, unknown> {
  return {
    ...order,
    shipments: earliestParcel(order.shipments),
    merchantNotes: [],
    [TAILS_FIELD]: { s: order.shipments.length, n: order.merchantNotes.length },
    [SCHEMA_VERSION_FIELD]: ORDER_SCHEMA_VERSION,
  };
}

function countsOf(doc: Record<string, unknown>): TailCounts | null {
  const t = doc[TAILS_FIELD] as { s?: unknown; n?: unknown } | undefined;
  if (typeof t !== 'object' || t === null || Array.isArray(t)) return null;
  return Number.isSafeInteger(t.s) && Number.isSafeInteger(t.n) && (t.s as number) >= 0 && (t.n as number) >= 0 ? { s: t.s as number, n: t.n as number } : null;
}

/**
 * A stored document put back together: parsed, with its lists read from the rows when it keeps
 * them there (see `joinLists`). A document that keeps its lists inline (written before migration
 * 004, or by another tool) comes back as it is, `split: false`.
 */
export function joinDocument(orderId: string, text: string, rows: readonly string[] | null): { doc: Record<string, unknown>; split: boolean; intact: boolean } {
  let doc: Record<string, unknown>;
  try {
    doc = JSON.parse(text) as Record<string, unknown>;
  } catch {
    throw new CorruptOrderError(orderId, 'invalid_json');
  }
  return joinLists(orderId, doc, rows);
}

/**
 * A parsed stored document with its lists put back from `rows` (the store's `tails` column: each
 * `kind + md5 + entry text`, by kind and position), changed in place. `intact` is false when a
 * row's checksum does not match, so that the order is checked in full; a missing row is a
 * CorruptOrderError.
 */
export function joinLists(orderId: string, doc: Record<string, unknown>, rows: readonly string[] | null): { doc: Record<string, unknown>; split: boolean; intact: boolean } {
  const counts = typeof doc === 'object' && doc !== null && !Array.isArray(doc) ? countsOf(doc) : null;
  if (counts === null) return { doc, split: false, intact: true };
  const lists: Record<TailKind, unknown[]> = { s: [], n: [] };
  let intact = true;
  for (const row of rows ?? []) {
    const kind = row[0] as TailKind;
    const list = lists[kind];
    // Rows past the count are left over from a list that was written shorter: not part of it.
    if (list === undefined || list.length >= counts[kind]) continue;
    const entry = row.slice(33);
    if (createHash('md5').update(entry, 'utf8').digest('hex') !== row.slice(1, 33)) intact = false;
    list.push(JSON.parse(entry));
  }
  if (lists.s.length !== counts.s || lists.n.length !== counts.n) {
    throw new CorruptOrderError(orderId, 'invalid_order', `tails: ${counts.s} shipments and ${counts.n} notes stored as rows, ${lists.s.length} and ${lists.n.length} found`);
  }
  delete doc[TAILS_FIELD];
  doc.shipments = lists.s;
  doc.merchantNotes = lists.n;
  return { doc, split: true, intact };
}

/**
 * What the store remembers of the orders it read or wrote with their lists as rows, to write only
 * what is new: the version and a copy of both lists (a copy, since callers may change the orders
 * they hold). An order not remembered at the version a commit replaces (or whose lists were inline
 * there) writes all of its entries; the rows already there with the same content stay as they are.
 */
export class TailMemory {
  private readonly known = new Map<string, { version: number; s: unknown[]; n: unknown[] }>();
  constructor(private readonly max = 256) {}

  remember(order: Order): void {
    this.known.delete(order.id);
    if (!listsAsRows(order)) return;
    this.known.set(order.id, { version: order.version, s: copyJson(order.shipments), n: copyJson(order.merchantNotes) });
    if (this.known.size > this.max) this.known.delete(this.known.keys().next().value!);
  }

  /** The entries of `order` to write over the version `expectedVersion` (all of them for a new order: 0). */
  entries(order: Order, expectedVersion: number): TailEntry[] {
    if (!listsAsRows(order)) return [];
    const before = expectedVersion === 0 ? undefined : this.known.get(order.id);
    const known = before !== undefined && before.version === expectedVersion ? before : undefined;
    const out: TailEntry[] = [];
    newEntries(out, 's', order.shipments, known?.s);
    newEntries(out, 'n', order.merchantNotes, known?.n);
    return out;
  }
}

/** The entries of `list` from the first that differs from `before` (all without `before`). */
function newEntries(out: TailEntry[], k: TailKind, list: readonly unknown[], before: readonly unknown[] | undefined): void {
  let from = 0;
  if (before !== undefined) {
    const same = Math.min(before.length, list.length);
    while (from < same && sameJson(before[from], list[from])) from++;
  }
  for (let i = from; i < list.length; i++) out.push({ k, i, d: list[i] });
}
