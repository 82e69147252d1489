import type { Order } from '../order/index.js';
import { CorruptOrderError } from './errors.js';

/**
 * Versions of the stored order document (docs/storage.md "Stored order versions").
 *
 * Every store writes the order as one document with a top-level `schemaVersion` field beside the
 * order's own fields, and reads it back through `upgradeStoredOrder`, which brings a document of
 * any earlier version up to the current one before the schema check. A document without the field
 * is version 1 (what orderkit wrote before versions were recorded). The rule: a change to the
 * stored shape bumps `ORDER_SCHEMA_VERSION` and adds the upgrade from the previous version to
 * `ORDER_UPGRADES`, in this file and nowhere else; the fixtures of the new version are written by
 * scripts/gen-order-fixtures.ts, and those of every older version keep loading.
 */

/** The version of the stored order document this code writes. */
export const ORDER_SCHEMA_VERSION = 5;

/** The field that carries the version in a stored document. */
export const SCHEMA_VERSION_FIELD = 'schemaVersion';

/** Turns a parsed document of version n into one of version n + 1. Pure; may change its input. */
export type OrderUpgrade = (doc: Record<string, unknown>) => Record<string, unknown>;

/**
 * `ORDER_UPGRADES[n]` takes a version-n document to version n + 1.
 *
 * 1 → 2: version 2 adds optional fields, all released together: `channel` (the sales channel, set
 * at placement), `points` and `pricing.pointsEarn` (points spent, released and earned), and on an
 * after-sale `quotedAmount`, `proposals`, `returnShippingFee`, `freightOnly` and `exchange`
 * (协商退款, 退运费, the freight-only refund, 换货), with the after-sale kind `exchange` and status
 * `exchanged`. A version-1 document has none of them and needs no change; the bump is there so that
 * code which only knows version 1 refuses a version-2 document instead of reading it and dropping
 * those fields on its next write.
 *
 * 2 → 3: version 3 adds optional fields and values a version-2 document never has, so it needs no
 * change: `photos` on an after-sale (the shopper's pictures, as cloud file ids), `deletedByCustomerAt`
 * on the order (the shopper deleted it from their list), and the close and refund reason
 * `out_of_stock` (a paid order whose stock ran out at payment under 付款减库存, closed and refunded
 * in full). Code that knows only version 2 would refuse such an order as invalid, so the version
 * says so before the schema check does.
 *
 * 3 → 4: version 4 adds `payment.sources` (an order paid from the stored balance and WeChat Pay,
 * docs/payment-sources.md) and the `balance.credit` effect. A version-3 order was paid from one
 * source and has no such field: the upgrade changes nothing, and the bump keeps a version-3 reader
 * from dropping the sources (and so the balance's share of every refund) on its next write. Version 4
 * also adds the optional `delivery` (docs/delivery.md: the mode, express, local courier with its
 * slot, rider and proof, or store pickup with its store and code) and the logistics of the new
 * commands (DISPATCH_RIDER, RECORD_DELIVERY_PROOF, VERIFY_PICKUP_CODE). A version-3 document has no
 * `delivery`, which reads as express, the only mode it could have had.
 *
 * 4 → 5: version 5 adds `skus` on an after-sale (the SKUs of the units a return or an exchange
 * sends back, when some are the replacement of an earlier exchange) and the `inventory.take`
 * effect (the replacement of an exchange taken from stock at SHIP_EXCHANGE), docs/after-sales.md
 * "Exchange" and docs/inventory.md "Exchanges". A version-4 document has no `skus`: every unit it
 * sends back reads as its line's SKU, which is what version 4 gave back, so the upgrade changes
 * nothing. The bump keeps a version-4 reader from dropping `skus` on its next write (a later
 * return would then give back the original SKU instead of the replacement).
 */
export const ORDER_UPGRADES: Readonly<Record<number, OrderUpgrade>> = Object.freeze({
  1: (doc: Record<string, unknown>) => doc,
  2: (doc: Record<string, unknown>) => doc,
  3: (doc: Record<string, unknown>) => doc,
  4: (doc: Record<string, unknown>) => doc,
});

/** What `upgradeStoredOrder` reads and applies; tests pass their own chain. */
export interface UpgradeChain {
  current: number;
  upgrades: Readonly<Record<number, OrderUpgrade>>;
}

const CHAIN: UpgradeChain = { current: ORDER_SCHEMA_VERSION, upgrades: ORDER_UPGRADES };

/**
 * The document a store writes for an order: the order's fields and `schemaVersion`.
 *
 * @example
 * storedOrderDocument(order).schemaVersion // ORDER_SCHEMA_VERSION
 */
export function storedOrderDocument(order: Order): Order & { schemaVersion: number } {
  return { ...order, schemaVersion: ORDER_SCHEMA_VERSION };
}

/**
 * `storedOrderDocument(order)` as JSON text. The field is appended to the order's own JSON instead
 * of copying the order into a new object first: this runs on every write of every store.
 *
 * @example
 * JSON.parse(storedOrderText(order)).schemaVersion // ORDER_SCHEMA_VERSION
 */
export function storedOrderText(order: Order): string {
  const text = JSON.stringify(order);
  // An order is a non-empty object, so its text ends with '}' and has at least one field before it.
  return `${text.slice(0, -1)},"${SCHEMA_VERSION_FIELD}":${ORDER_SCHEMA_VERSION}}`;
}

/**
 * Reads `schemaVersion` from a parsed stored document, applies the upgrades from that version to
 * the current one and removes the field, so what is left is an order of the current shape (still
 * to be checked against the schema). `owned`: the caller parsed `doc` itself and it may be changed
 * in place; otherwise the top level is copied first. `upgraded` is true when any upgrade ran.
 * A version newer than this code knows, or one without an upgrade, is a `CorruptOrderError`: a
 * document is never read in a shape the code does not understand.
 *
 * @example
 * const { doc } = upgradeStoredOrder('o1', JSON.parse(text), { owned: true });
 */
export function upgradeStoredOrder(orderId: string, doc: unknown, options: { owned?: boolean; chain?: UpgradeChain } = {}): { doc: unknown; upgraded: boolean } {
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return { doc, upgraded: false };
  const chain = options.chain ?? CHAIN;
  const record = doc as Record<string, unknown>;
  const raw = record[SCHEMA_VERSION_FIELD];
  if (raw === ORDER_SCHEMA_VERSION && chain === CHAIN) {
    // The common case: written by this version.
    const out = options.owned === true ? record : { ...record };
    delete out[SCHEMA_VERSION_FIELD];
    return { doc: out, upgraded: false };
  }
  const from = raw === undefined ? 1 : raw;
  if (typeof from !== 'number' || !Number.isInteger(from) || from < 1) {
    throw new CorruptOrderError(orderId, 'invalid_order', `${SCHEMA_VERSION_FIELD}: must be a positive integer, got ${JSON.stringify(raw)}`);
  }
  if (from > chain.current) throw new CorruptOrderError(orderId, 'unknown_schema_version', `version ${from}, this code reads up to ${chain.current}`);
  let out: Record<string, unknown> = options.owned === true ? record : { ...record };
  delete out[SCHEMA_VERSION_FIELD];
  for (let v = from; v < chain.current; v++) {
    const upgrade = chain.upgrades[v];
    if (upgrade === undefined) throw new CorruptOrderError(orderId, 'unknown_schema_version', `no upgrade from version ${v}`);
    out = upgrade(out);
  }
  return { doc: out, upgraded: from < chain.current };
}
