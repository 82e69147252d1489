import type { LocalizedText } from '../errors/orderkit-error.js';
import type { Policy } from '../order/policy.js';
import { formatFen } from '../money/format.js';
import type { AfterSaleKind, LineQuantity, Order } from '../order/index.js';
import { availableExcept, plannedRefundsExcept } from './caps.js';
import { refundErrors } from './errors.js';
import { explainLine, explainShipping, type ShippingDecision } from './explain.js';
import { lineFreightRefund } from './freight-split.js';
import { exchangeHeld, lineHoldings, shippingHeld, type LineHolding } from './holdings.js';
import { lineRefundAmount, unitShareRuns, type UnitShareRun } from './unit-shares.js';
import { checkAfterSaleWindow, checkRefundPeriod } from './windows.js';
import { ok, fail, type Failure, type Result } from '../errors/result.js';
import { errorFromZod } from '../errors/zod-issues.js';
import { AfterSaleKindSchema, LineQuantitySchema } from '../order/order-schema.js';
import * as z from '../zod.js';

/** What `refundQuote` accepts (the `REQUEST_AFTER_SALE` command's fields of the same names). */
const RefundRequestSchema = z.lazySchema(() =>
  z.object({ kind: AfterSaleKindSchema, items: z.optional(z.array(LineQuantitySchema)), includeShipping: z.optional(z.boolean()) }),
);

/** What the shopper (or the merchant on their behalf) asks to get back. */
export interface RefundRequest {
  kind: AfterSaleKind;
  /** Lines and quantities; absent means everything still refundable (or, for a return, returnable). */
  items?: LineQuantity[];
  /**
   * Freight: absent means "with the request that takes the last unit", `true` asks for it now,
   * `false` leaves it out. Either way `policy.refundShipping` decides whether it can come back.
   */
  includeShipping?: boolean;
}

export interface RefundQuoteContext {
  now: Date;
  policy: Policy;
}

/** One line of a quote, explained. */
export interface RefundQuoteLine {
  lineId: string;
  sku: string;
  title: string;
  /** Units refunded by this quote. */
  quantity: number;
  orderedQuantity: number;
  /** Units of the line claimed by earlier after-sales. */
  heldBefore: number;
  /** The line's stored net payable, after every discount allocated to it at placement. */
  payable: number;
  /** The shares of the units refunded now (largest remainder over the line's units). */
  unitShares: UnitShareRun[];
  /** Fen added (or taken) to even out earlier claims that were withdrawn; usually 0. */
  adjustment: number;
  amount: number;
  reason: LocalizedText;
}

export interface RefundQuote {
  kind: AfterSaleKind;
  /** The request's items, resolved (whole-order requests list every line they take). */
  items: LineQuantity[];
  lines: RefundQuoteLine[];
  itemsAmount: number;
  shippingAmount: number;
  shipping: { amount: number; reason: LocalizedText };
  /** itemsAmount + shippingAmount: what this request refunds. */
  amount: number;
  paidAmount: number;
  /** Fen of the payment not yet refunded, pending or held by other after-sales. */
  available: number;
  /**
   * True when, after this request, no line has money left to claim (freight then comes back by
   * default). Units held by an open exchange count as left: an exchange refunds nothing.
   */
  takesLastUnit: boolean;
  reason: LocalizedText;
}

export type RefundQuoteResult = Result<{ quote: RefundQuote }>;

type Fail = Failure;

function resolveItems(request: RefundRequest, holdings: Map<string, LineHolding>): LineQuantity[] | Fail {
  if (request.items === undefined) {
    const all: LineQuantity[] = [];
    for (const h of holdings.values()) {
      const n = request.kind === 'return_and_refund' ? h.returnable : h.refundable;
      if (n > 0) all.push({ lineId: h.line.id, quantity: n });
    }
    return all;
  }
  const list = request.items;
  for (let i = 0; i < list.length; i++) {
    const item = list[i]!;
    const h = holdings.get(item.lineId);
    if (!h) return fail(refundErrors.unknownLine(item.lineId, ['items', i, 'lineId']));
    // A scan of the items before it instead of a Set of the ids seen: requests name a few lines.
    for (let j = 0; j < i; j++) if (list[j]!.lineId === item.lineId) return fail(refundErrors.duplicateLine(item.lineId, ['items', i, 'lineId']));
    if (item.quantity > h.refundable) {
      return fail(refundErrors.quantityExceedsRefundable(item.lineId, item.quantity, h.refundable, ['items', i, 'quantity']));
    }
    if (request.kind === 'return_and_refund' && item.quantity > h.returnable) {
      return fail(refundErrors.returnExceedsShipped(item.lineId, item.quantity, h.returnable, ['items', i, 'quantity']));
    }
  }
  return request.items.map((i) => ({ lineId: i.lineId, quantity: i.quantity }));
}

function decideShipping(order: Order, request: RefundRequest, policy: Policy, takesLastUnit: boolean): ShippingDecision {
  if (order.pricing.freight === 0) return 'no_freight';
  // Per line, freight comes back in pieces: what is already claimed is subtracted, not a stop.
  // Otherwise it comes back once: only when all of it is claimed is there none left. A freight-only
  // refund of part of it leaves the rest to come back with the goods (docs/after-sales.md
  // "Freight-only refund").
  if (policy.refundShippingBy !== 'line' && shippingHeld(order) >= order.pricing.freight) return 'already_refunded';
  if (request.includeShipping === false) return 'not_requested';
  if (policy.refundShipping === 'never') return 'policy_never';
  if (policy.refundShipping === 'before_shipment' && order.shipments.length > 0) return 'already_shipped';
  if (request.includeShipping === true || takesLastUnit) return 'included';
  return 'partial';
}

/** What a request comes to, before it is put into words (shared by `refundQuote` and the reducer). */
interface QuoteCore {
  items: LineQuantity[];
  parts: Array<{ h: LineHolding; quantity: number; amount: number; adjustment: number }>;
  itemsAmount: number;
  decision: ShippingDecision;
  shippingAmount: number;
  amount: number;
  available: number;
  takesLastUnit: boolean;
}

/** Every check and every amount of a quote, in the order `refundQuote` documents its failures. */
function quoteCore(order: Order, request: RefundRequest, ctx: RefundQuoteContext): QuoteCore | Fail {
  if (order.status === 'pending_payment' || order.status === 'closed') return fail(refundErrors.notRefundableStatus(order.status));
  if (order.payment.paidAmount === 0) return fail(refundErrors.nothingToRefund());
  const period = checkRefundPeriod(order, ctx.now, ctx.policy);
  if (period) return fail(period);
  const window = checkAfterSaleWindow(order, ctx.now, ctx.policy);
  if (window) return fail(window);

  const holdings = lineHoldings(order);
  const items = resolveItems(request, holdings);
  if (!Array.isArray(items)) return items;
  if (items.length === 0) return fail(refundErrors.nothingToRefund());

  const parts: QuoteCore['parts'] = [];
  let itemsAmount = 0;
  for (const item of items) {
    const h = holdings.get(item.lineId)!;
    const { amount, adjustment } = lineRefundAmount(h.line, h, item.quantity);
    itemsAmount += amount;
    parts.push({ h, quantity: item.quantity, amount, adjustment });
  }

  // "The last unit" means the last money: units left over that are worth nothing (a free gift, the
  // zero shares of a 1-fen line) must not keep the freight from coming back.
  // An open exchange holds its units' shares but refunds nothing: the shopper keeps goods for them,
  // so their money is not taken and still holds the freight back (docs/after-sales.md "Exchange").
  const exchanging = exchangeHeld(order);
  let takesLastUnit = true;
  for (const h of holdings.values()) {
    let taken = 0;
    for (const p of parts) if (p.h === h) taken = p.amount;
    const held = h.heldAmount - (exchanging?.get(h.line.id) ?? 0);
    if (h.line.payable - held - taken > 0) takesLastUnit = false;
  }

  let decision = decideShipping(order, request, ctx.policy, takesLastUnit);
  // What freight-only refunds have not taken yet (all of it when there were none).
  let shippingAmount = decision === 'included' ? order.pricing.freight - shippingHeld(order) : 0;
  if (ctx.policy.refundShippingBy === 'line' && (decision === 'included' || decision === 'partial')) {
    // Freight per line (docs/after-sales.md "Freight per line"): the freight of these units.
    const held = shippingHeld(order);
    shippingAmount = lineFreightRefund(order, items, held);
    decision = shippingAmount > 0 ? 'per_line' : held >= order.pricing.freight ? 'already_refunded' : 'per_line';
  }
  const amount = itemsAmount + shippingAmount;
  // Units worth nothing (a free gift, the zero shares of a 1-fen line) named explicitly are a valid
  // request: it completes without a gateway refund (docs/after-sales.md "Goods worth nothing").
  // A whole-order request that finds only such units has nothing to do.
  if (amount === 0 && request.items === undefined) return fail(refundErrors.nothingToRefund());

  const available = availableExcept(order, undefined, true);
  if (amount > available) return fail(refundErrors.refundExceedsPaid(amount, available));
  if (amount > 0 && plannedRefundsExcept(order, undefined, true) + 1 > ctx.policy.maxPartialRefunds) return fail(refundErrors.tooManyRefunds(ctx.policy.maxPartialRefunds));
  return { items, parts, itemsAmount, decision, shippingAmount, amount, available, takesLastUnit };
}

/** The amounts of a quote without its explanations: what an after-sale stores. */
export interface RefundAmounts {
  items: LineQuantity[];
  lines: Array<{ lineId: string; quantity: number; amount: number }>;
  shippingAmount: number;
  amount: number;
}

/**
 * `refundQuote` without the words: the same checks, failures and amounts, for the reducer that
 * records a request (it stores amounts, not explanations, and formatting both languages' texts
 * was a fifth of an after-sale request's time; docs/benchmarks.md).
 *
 * @example
 * const r = refundAmounts(order, { kind: 'refund_only', items: [{ lineId: 'L1', quantity: 1 }] }, { now, policy: defaultPolicy });
 * if (r.ok) r.amounts.amount // the same as refundQuote(…).quote.amount
 */
export function refundAmounts(order: Order, request: RefundRequest, ctx: RefundQuoteContext): Result<{ amounts: RefundAmounts }> {
  const c = quoteCore(order, request, ctx);
  if ('ok' in c) return c;
  const lines = new Array<RefundAmounts['lines'][number]>(c.parts.length);
  for (let i = 0; i < c.parts.length; i++) {
    const p = c.parts[i]!;
    lines[i] = { lineId: p.h.line.id, quantity: p.quantity, amount: p.amount };
  }
  return { ok: true, amounts: { items: c.items, lines, shippingAmount: c.shippingAmount, amount: c.amount } };
}

/**
 * The exact refund for a request, from the amounts stored on the order's lines at placement —
 * promotions are never re-run. Refunding every unit of a line returns exactly its payable; some
 * units return their largest-remainder shares, and however a line is split over several refunds,
 * the parts add up to its payable. Freight follows `policy.refundShipping` and comes back once.
 *
 * Fails (and changes nothing) with `UNKNOWN_LINE`, `DUPLICATE_LINE`, `QUANTITY_EXCEEDS_REFUNDABLE`,
 * `RETURN_EXCEEDS_SHIPPED`, `WINDOW_CLOSED`, `REFUND_PERIOD_OVER`, `REFUND_EXCEEDS_PAID`,
 * `TOO_MANY_REFUNDS`, `NOTHING_TO_REFUND`, `INVALID_TRANSITION` (unpaid or closed order) or
 * `INVALID_REFUND_REQUEST` (an unknown `kind`, or `items` that are not lines and whole quantities).
 *
 * @example
 * const r = refundQuote(order, { kind: 'refund_only', items: [{ lineId: 'L1', quantity: 1 }] }, { now, policy: defaultPolicy });
 * if (r.ok) console.log(r.quote.amount, r.quote.lines[0].reason.en);
 */
export function refundQuote(order: Order, request: RefundRequest, ctx: RefundQuoteContext): RefundQuoteResult {
  // The request often comes straight from a page (申请售后 before submitting): an unknown kind or a
  // junk line is a typed error here, never a quote that the view cannot put into words.
  const parsed = RefundRequestSchema.safeParse(request);
  if (!parsed.success) return fail(errorFromZod('INVALID_REFUND_REQUEST', { 'zh-CN': '售后申请内容不正确', en: 'invalid after-sale request' }, parsed.error, ['request']));
  const c = quoteCore(order, request, ctx);
  if ('ok' in c) return c;
  const { items, itemsAmount, shippingAmount, amount, available, takesLastUnit } = c;
  const lines: RefundQuoteLine[] = [];
  for (const p of c.parts) {
    const h = p.h;
    const unitShares = unitShareRuns(h.line, h.heldQuantity, p.quantity);
    lines.push({
      lineId: h.line.id,
      sku: h.line.sku,
      title: h.line.title,
      quantity: p.quantity,
      orderedQuantity: h.ordered,
      heldBefore: h.heldQuantity,
      payable: h.line.payable,
      unitShares,
      adjustment: p.adjustment,
      amount: p.amount,
      reason: explainLine(h.line, p.quantity, h.heldQuantity, unitShares, p.adjustment, p.amount),
    });
  }
  const decision = c.decision;

  const shipping = { amount: shippingAmount, reason: explainShipping(decision, decision === 'per_line' || decision === 'included' ? shippingAmount : order.pricing.freight) };
  return ok({
    quote: {
      kind: request.kind,
      items,
      lines,
      itemsAmount,
      shippingAmount,
      shipping,
      amount,
      paidAmount: order.payment.paidAmount,
      available,
      takesLastUnit,
      reason: {
        'zh-CN': `商品 ${formatFen(itemsAmount)} + 运费 ${formatFen(shippingAmount)} = 退款 ${formatFen(amount)}（实付 ${formatFen(order.payment.paidAmount)}，本次前尚可退 ${formatFen(available)}）`,
        en: `goods ${formatFen(itemsAmount)} + freight ${formatFen(shippingAmount)} = refund ${formatFen(amount)} (paid ${formatFen(order.payment.paidAmount)}, ${formatFen(available)} refundable before this)`,
      },
    },
  });
}
