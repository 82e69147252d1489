import { cloneOrder } from '../order/clone.js';
import type { AfterSale, Order, Refund } from '../order/index.js';

/**
 * Copies for the after-sale reducers, written key by key for the reason given in
 * src/order/clone.ts: V8 gives an object made by spread a map of its own, and every key added to
 * it later (an after-sale's `refundId`) builds another; `delete` turns an object into a slow
 * dictionary. Measured, these copies were the largest cost of an after-sale step
 * (docs/benchmarks.md, "Lifecycle").
 */

const hasOwn = Object.prototype.hasOwnProperty;

/**
 * A shallow copy of the order. Unlike `cloneOrder` it also keeps keys outside the Order schema
 * that a caller may have put on the object, as the spread it replaces did: the reducers are public
 * and hand the order back. `schemaOnly` (for `transition()`, which keeps only the schema's fields
 * of a reducer's order, see ReducerContext) makes it `cloneOrder`.
 */
export function copyOrder(o: Order, schemaOnly = false): Order {
  const c = cloneOrder(o);
  // A caller that keeps only the schema's fields (ReducerContext.schemaCopies) has no use for the others.
  if (!schemaOnly) keepOtherKeys(o, c);
  return c;
}

/**
 * Copies onto `to` the own enumerable keys of `from` it lacks (what `for…in` with two own-key
 * tests did). The usual order was made by `cloneOrder` itself, so its keys come in the copy's
 * order: two `Object.keys` lists (cached by V8 for such objects) compared entry by entry settle
 * that case in a fraction of the walk.
 */
function keepOtherKeys(from: object, to: object): void {
  const keys = Object.keys(from);
  if (sameKeyList(keys, to)) return;
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    if (!hasOwn.call(to, key)) (to as Record<string, unknown>)[key] = (from as Record<string, unknown>)[key];
  }
}

/** True when `to`'s own keys are `keys`, in that order (then `to` lacks none of them). */
function sameKeyList(keys: readonly string[], to: object): boolean {
  const own = Object.keys(to);
  if (keys.length !== own.length) return false;
  for (let i = 0; i < keys.length; i++) if (keys[i] !== own[i]) return false;
  return true;
}

/** The order with `afterSales` replaced (`schemaOnly`: see `copyOrder`). */
export function orderWithAfterSales(o: Order, afterSales: AfterSale[], schemaOnly = false): Order {
  const c = copyOrder(o, schemaOnly);
  c.afterSales = afterSales;
  return c;
}

/** The order with `refunds` replaced (`schemaOnly`: see `copyOrder`). */
export function orderWithRefunds(o: Order, refunds: Refund[], schemaOnly = false): Order {
  const c = copyOrder(o, schemaOnly);
  c.refunds = refunds;
  return c;
}

/** A copy of the after-sale with a new status and `updatedAt`; the caller sets anything else. */
export function movedAfterSale(a: AfterSale, status: AfterSale['status'], at: string): AfterSale {
  const c: AfterSale = {
    id: a.id,
    kind: a.kind,
    status,
    items: a.items,
    amount: a.amount,
    shippingAmount: a.shippingAmount,
    reason: a.reason,
    requestedBy: a.requestedBy,
    requestedAt: a.requestedAt,
    updatedAt: at,
  };
  if (a.lines !== undefined) c.lines = a.lines;
  if (a.rejectReason !== undefined) c.rejectReason = a.rejectReason;
  if (a.returnShipment !== undefined) c.returnShipment = a.returnShipment;
  if (a.returnedAt !== undefined) c.returnedAt = a.returnedAt;
  if (a.refundId !== undefined) c.refundId = a.refundId;
  // Other own keys of `a` are kept (what keepOtherKeys does): the keys just copied are settled by
  // name, with no key list built (two `Object.keys` lists per copy showed in the allocation
  // profile of the after-sale path, docs/benchmarks.md).
  for (const key in a) {
    switch (key) {
      case 'id':
      case 'kind':
      case 'status':
      case 'items':
      case 'amount':
      case 'shippingAmount':
      case 'reason':
      case 'requestedBy':
      case 'requestedAt':
      case 'updatedAt':
        continue;
      case 'lines':
      case 'rejectReason':
      case 'returnShipment':
      case 'returnedAt':
      case 'refundId':
        if ((a as Record<string, unknown>)[key] !== undefined) continue; // copied above
    }
    if (hasOwn.call(a, key) && !hasOwn.call(c, key)) (c as Record<string, unknown>)[key] = (a as Record<string, unknown>)[key];
  }
  return c;
}

/**
 * A copy of the ledger entry with a new status and `updatedAt`, leaving out `failureReason` unless
 * `keepReason` and `gatewayStatus` unless `keepGatewayStatus` (an entry pending or succeeded again).
 */
export function movedRefund(r: Refund, status: Refund['status'], at: string, keepReason: boolean, keepGatewayStatus: boolean): Refund {
  const c: Refund = { id: r.id, reason: r.reason, amount: r.amount, status, createdAt: r.createdAt, updatedAt: at, attempts: r.attempts };
  if (r.afterSaleId !== undefined) c.afterSaleId = r.afterSaleId;
  if (r.transactionId !== undefined) c.transactionId = r.transactionId;
  if (r.outTradeNo !== undefined) c.outTradeNo = r.outTradeNo;
  if (r.gatewayRefundId !== undefined) c.gatewayRefundId = r.gatewayRefundId;
  if (keepReason && r.failureReason !== undefined) c.failureReason = r.failureReason;
  if (keepGatewayStatus && r.gatewayStatus !== undefined) c.gatewayStatus = r.gatewayStatus;
  if (r.replaces !== undefined) c.replaces = r.replaces;
  if (r.replacedBy !== undefined) c.replacedBy = r.replacedBy;
  if (r.abnormalHandling !== undefined) c.abnormalHandling = r.abnormalHandling;
  // Other own keys of `r` are kept; the keys just copied are settled by name (see movedAfterSale).
  for (const key in r) {
    switch (key) {
      case 'id':
      case 'reason':
      case 'amount':
      case 'status':
      case 'createdAt':
      case 'updatedAt':
      case 'attempts':
        continue;
      case 'failureReason':
        if (!keepReason) continue; // left out
        break;
      case 'gatewayStatus':
        if (!keepGatewayStatus) continue; // left out
        break;
      case 'afterSaleId':
      case 'transactionId':
      case 'outTradeNo':
      case 'gatewayRefundId':
      case 'replaces':
      case 'replacedBy':
      case 'abnormalHandling':
        if ((r as Record<string, unknown>)[key] !== undefined) continue; // copied above
    }
    if (hasOwn.call(r, key) && !hasOwn.call(c, key)) (c as Record<string, unknown>)[key] = (r as Record<string, unknown>)[key];
  }
  return c;
}
