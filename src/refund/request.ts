import { sentBackSkus } from './unit-skus.js';
import type { Actor, AfterSale, CommandOf, Order } from '../order/index.js';
import { refundErrors } from './errors.js';
import { finishRequest, runAfterSale } from './engine.js';
import { refundAmounts, type RefundRequest } from './quote.js';
import type { AfterSaleContext, AfterSaleStepResult } from './types.js';
import { isoTimestamp } from '../time/iso.js';
import { fail } from '../errors/result.js';

/**
 * A deterministic id for a new after-sale: the order number, `-AS`, and a sequence number that
 * skips ids already taken.
 *
 * @example
 * nextAfterSaleId(order) // '202611251200004821937465-AS1'
 */
export function nextAfterSaleId(order: Order): string {
  // A scan per candidate instead of a Set of every id: the list is short (a few after-sales).
  const list = order.afterSales;
  for (let n = list.length + 1; ; n++) {
    const id = `${order.number}-AS${n}`;
    let taken = false;
    for (let i = 0; i < list.length; i++) if (list[i]!.id === id) taken = true;
    if (!taken) return id;
  }
}

/**
 * REQUEST_AFTER_SALE: quote the request from stored line payables (`refundAmounts`, the amounts of `refundQuote`), record the
 * after-sale with its per-line amounts, and tell the merchant. A refund-only request before
 * anything ships is approved in the same step when the policy says so: the refund is put in the
 * ledger and `payment.refund` (plus `inventory.release` for the unshipped goods) goes out at once.
 *
 * @example
 * const r = requestAfterSale(order, { type: 'REQUEST_AFTER_SALE', kind: 'refund_only', reason: '不想要了' }, { now, actor, policy });
 * if (r.ok) r.order.afterSales[r.order.afterSales.length - 1].status // 'refunding' when auto-approved, else 'requested'
 */
export function requestAfterSale(order: Order, command: CommandOf<'REQUEST_AFTER_SALE'>, ctx: AfterSaleContext): AfterSaleStepResult {
  const id = command.afterSaleId ?? nextAfterSaleId(order);
  if (order.afterSales.some((a) => a.id === id)) return fail(refundErrors.afterSaleExists(id));
  const asked: RefundRequest = { kind: command.kind };
  if (command.items !== undefined) asked.items = command.items;
  // What the quote offered is what the request takes: freight included when the shopper asks for it.
  if (command.includeShipping !== undefined) asked.includeShipping = command.includeShipping;
  const quoted = refundAmounts(order, asked, ctx);
  if (!quoted.ok) return quoted;
  const quote = quoted.amounts;
  const at = isoTimestamp(ctx.now.getTime());
  // Keys in `movedAfterSale`'s order (src/refund/copies.ts): the chart's first move copies this
  // after-sale, and a copy whose keys come in the same order skips the search for other keys.
  const afterSale: AfterSale = {
    id,
    kind: command.kind,
    status: 'requested',
    items: quote.items,
    amount: quote.amount,
    shippingAmount: quote.shippingAmount,
    reason: command.reason,
    requestedBy: ctx.actor,
    requestedAt: at,
    updatedAt: at,
    lines: quote.lines,
  };
  if (command.photos !== undefined && command.photos.length > 0) afterSale.photos = command.photos.slice();
  if (command.kind === 'return_and_refund') {
    // Which SKU each unit sent back is, when an exchange swapped some (./unit-skus.ts).
    const skus = sentBackSkus(order, quote.items);
    if (skus !== undefined) afterSale.skus = skus;
  }
  const moved = runAfterSale({ order, afterSale, effects: [], path: [null], fresh: true }, 'REQUEST_AFTER_SALE', ctx);
  if (!moved.ok) return moved;
  return finishRequest(
    moved.step,
    moved.step.path.indexOf('approved') >= 0,
    quote.items,
    quote.lines.map((l) => ({ lineId: l.lineId, quantity: l.quantity, amount: l.amount })),
  );
}

/**
 * Whether `actor` may act as the requester of this after-sale (withdraw it, send the return
 * back): a customer only on a request of their own (or, for one the merchant filed for them, as
 * the order's customer); a merchant only on a request a merchant filed — a shopper's request is
 * the merchant's to approve or reject, not to withdraw. Other actor types are left to the
 * lifecycle's command permissions.
 *
 * @example
 * actsForRequester(order, afterSale, { type: 'customer', id: 'u2' }) // false unless u2 asked
 */
export function actsForRequester(order: Order, afterSale: AfterSale, actor: Actor): boolean {
  if (actor.type === 'merchant') return afterSale.requestedBy.type === 'merchant';
  if (actor.type !== 'customer') return true;
  const owner = afterSale.requestedBy.type === 'customer' ? afterSale.requestedBy.id : order.customerId;
  return actor.id === owner;
}
