import type { Actor, AfterSale, Order, RefundProposal } from '../order/index.js';
import { availableToRefund, plannedRefundCount } from './caps.js';
import { refundErrors } from './errors.js';
import { finish, runAfterSale, type Step } from './engine.js';
import { exchangeHeld, lineHoldings, shippingHeld } from './holdings.js';
import { nextAfterSaleId } from './request.js';
import { findAfterSale, onAfterSale } from './review.js';
import type { AfterSaleContext, AfterSaleStepResult } from './types.js';
import { lineRefundAmount } from './unit-shares.js';
import { checkAfterSaleWindow, checkRefundPeriod } from './windows.js';
import { fail } from '../errors/result.js';
import { sentBackSkus, type UnitSku } from './unit-skus.js';

/**
 * After-sales beyond a plain refund (docs/after-sales.md "Negotiated refunds", "Return shipping
 * fee", "Freight-only refund", "Exchange"): pure reducers with the same contract as the others
 * (`AfterSaleStepResult`; the order unchanged on a refusal). Each moves the after-sale only along
 * rows of `AFTER_SALE_TRANSITIONS`.
 */

export interface RequestFreightRefundInput {
  type: 'REQUEST_FREIGHT_REFUND';
  afterSaleId?: string;
  /** Fen of freight to refund; default all the freight not yet claimed. */
  amount?: number;
  reason: string;
}

export interface RequestExchangeInput {
  type: 'REQUEST_EXCHANGE';
  afterSaleId?: string;
  /** Units to swap; `sku` of the replacement (default the line's), `unitPrice` its price (default the line's). */
  items: Array<{ lineId: string; quantity: number; sku?: string; unitPrice?: number }>;
  reason: string;
}

export interface ProposeRefundInput {
  type: 'PROPOSE_REFUND';
  afterSaleId: string;
  amount: number;
  note?: string;
}

export interface AnswerProposalInput {
  type: 'ACCEPT_REFUND_PROPOSAL' | 'DECLINE_REFUND_PROPOSAL';
  afterSaleId: string;
  reason?: string;
}

export interface SetReturnShippingFeeInput {
  type: 'SET_RETURN_SHIPPING_FEE';
  afterSaleId: string;
  fee: number;
  treatment?: 'refund' | 'deduct';
}

export interface ShipExchangeInput {
  type: 'SHIP_EXCHANGE';
  afterSaleId: string;
  trackingNo: string;
  expressCompany: string;
}

type Fail = { ok: false; error: import('../errors/orderkit-error.js').OrderkitError };

/** What every new after-sale checks first: a paid, open order within its windows. */
function canOpen(order: Order, ctx: AfterSaleContext, movesMoney = true): Fail | undefined {
  if (order.status === 'pending_payment' || order.status === 'closed') return fail(refundErrors.notRefundableStatus(order.status));
  if (movesMoney && order.payment.paidAmount === 0) return fail(refundErrors.nothingToRefund());
  const period = checkRefundPeriod(order, ctx.now, ctx.policy);
  if (period) return fail(period);
  const window = checkAfterSaleWindow(order, ctx.now, ctx.policy);
  if (window) return fail(window);
  return undefined;
}

function newAfterSale(order: Order, id: string | undefined, ctx: AfterSaleContext, fields: Omit<AfterSale, 'id' | 'status' | 'requestedBy' | 'requestedAt' | 'updatedAt'>): AfterSale | Fail {
  const afterSaleId = id ?? nextAfterSaleId(order);
  if (order.afterSales.some((a) => a.id === afterSaleId)) return fail(refundErrors.afterSaleExists(afterSaleId));
  const at = ctx.now.toISOString();
  return { id: afterSaleId, status: 'requested', requestedBy: ctx.actor, requestedAt: at, updatedAt: at, ...fields };
}

function create(order: Order, afterSale: AfterSale, on: 'REQUEST_FREIGHT_REFUND' | 'REQUEST_EXCHANGE', ctx: AfterSaleContext): AfterSaleStepResult {
  const step: Step = { order, afterSale, effects: [], path: [null] };
  const moved = runAfterSale(step, on, ctx);
  if (!moved.ok) return moved;
  return finish(moved.step, { autoApproved: moved.step.path.indexOf('approved') >= 0, items: afterSale.items });
}

/**
 * The freight still refundable: the order's freight minus what after-sales already claim
 * (`shippingHeld`); a freight-only refund may take all of it or part.
 *
 * @example
 * freightLeft(order) // 1000 before any freight came back
 */
export function freightLeft(order: Order): number {
  return Math.max(0, order.pricing.freight - shippingHeld(order));
}

/**
 * REQUEST_FREIGHT_REFUND (退运费 without goods): an after-sale of kind `refund_only` with no
 * items, `freightOnly: true`, `amount = shippingAmount`, sent by the merchant and approved at once
 * (the lifecycle lets only a merchant send it; a shopper's own request would wait for review).
 * `policy.refundShipping` is not asked: a freight-only refund is a decision taken on purpose, not
 * the freight that comes back with goods.
 *
 * @example
 * requestFreightRefund(order, { type: 'REQUEST_FREIGHT_REFUND', reason: '发货超时，退运费' }, { now, actor: merchant, policy })
 */
export function requestFreightRefund(order: Order, command: RequestFreightRefundInput, ctx: AfterSaleContext): AfterSaleStepResult {
  const bad = canOpen(order, ctx);
  if (bad) return bad;
  const left = freightLeft(order);
  if (left === 0) return fail(refundErrors.noFreightToRefund(order.pricing.freight, shippingHeld(order)));
  const amount = command.amount ?? left;
  if (amount > left) return fail(refundErrors.freightRefundTooHigh(amount, left));
  const available = availableToRefund(order, { includeRequested: true });
  if (amount > available) return fail(refundErrors.refundExceedsPaid(amount, available));
  if (plannedRefundCount(order) + 1 > ctx.policy.maxPartialRefunds) return fail(refundErrors.tooManyRefunds(ctx.policy.maxPartialRefunds));
  const afterSale = newAfterSale(order, command.afterSaleId, ctx, { kind: 'refund_only', items: [], lines: [], amount, shippingAmount: amount, reason: command.reason, freightOnly: true });
  if ('ok' in afterSale) return afterSale;
  return create(order, afterSale, 'REQUEST_FREIGHT_REFUND', ctx);
}

/**
 * REQUEST_EXCHANGE (换货): shipped units go back and the same number of replacements (the same SKU
 * or another of the same price) come out. No money moves: `amount` is 0. While open, the after-sale
 * holds its units (with their shares, so later refunds of the line stay exact); once `exchanged`
 * it holds nothing, and the replacement may be returned or refunded like the original.
 * A replacement of another price is `EXCHANGE_PRICE_DIFFERS`: that is a return plus a new order.
 *
 * @example
 * requestExchange(order, { type: 'REQUEST_EXCHANGE', items: [{ lineId: 'L1', quantity: 1, sku: 'TEE-M' }], reason: '尺码不合适' }, afterSaleCtx)
 */
export function requestExchange(order: Order, command: RequestExchangeInput, ctx: AfterSaleContext): AfterSaleStepResult {
  // A free gift can be exchanged too: no money has to be left on the order.
  const bad = canOpen(order, ctx, false);
  if (bad) return bad;
  const holdings = lineHoldings(order);
  const seen = new Set<string>();
  const lines: Array<{ lineId: string; quantity: number; amount: number }> = [];
  const swaps: Array<{ lineId: string; quantity: number; sku: string }> = [];
  for (let i = 0; i < command.items.length; i++) {
    const item = command.items[i]!;
    const h = holdings.get(item.lineId);
    if (!h) return fail(refundErrors.unknownLine(item.lineId, ['items', i, 'lineId']));
    if (seen.has(item.lineId)) return fail(refundErrors.duplicateLine(item.lineId, ['items', i, 'lineId']));
    seen.add(item.lineId);
    if (item.quantity > h.returnable) return fail(refundErrors.returnExceedsShipped(item.lineId, item.quantity, h.returnable, ['items', i, 'quantity']));
    if (item.unitPrice !== undefined && item.unitPrice !== h.line.unitPrice) {
      return fail(refundErrors.exchangePriceDiffers(item.lineId, h.line.unitPrice, item.unitPrice, i));
    }
    lines.push({ lineId: item.lineId, quantity: item.quantity, amount: lineRefundAmount(h.line, h, item.quantity).amount });
    swaps.push({ lineId: item.lineId, quantity: item.quantity, sku: item.sku ?? h.line.sku });
  }
  const afterSale = newAfterSale(order, command.afterSaleId, ctx, {
    kind: 'exchange',
    items: swaps.map((s) => ({ lineId: s.lineId, quantity: s.quantity })),
    lines,
    amount: 0,
    shippingAmount: 0,
    reason: command.reason,
    exchange: { items: swaps },
    ...skusOf(order, swaps),
  });
  if ('ok' in afterSale) return afterSale;
  return create(order, afterSale, 'REQUEST_EXCHANGE', ctx);
}

/** `{ skus }` when some unit sent back is the replacement of an earlier exchange (./unit-skus.ts). */
function skusOf(order: Order, items: ReadonlyArray<{ lineId: string; quantity: number }>): { skus?: UnitSku[] } {
  const skus = sentBackSkus(order, items);
  return skus === undefined ? {} : { skus };
}

/**
 * The most a proposal may offer: the after-sale's own amount, and no more than the payment has
 * left beside other refunds and requests.
 *
 * @example
 * proposalLimit(order, order.afterSales[0]) // 6000 for a ¥60.00 request on a fresh order
 */
export function proposalLimit(order: Order, afterSale: AfterSale): number {
  return Math.min(afterSale.amount, availableToRefund(order, { includeRequested: true, excludeAfterSaleId: afterSale.id }));
}

/**
 * PROPOSE_REFUND (merchant, 协商退款): offers a partial amount on a request under review. The
 * offer must be at most `proposalLimit` (`PROPOSAL_EXCEEDS_REFUNDABLE`); an earlier offer still
 * unanswered becomes `superseded`. Every offer stays in `afterSale.proposals`.
 *
 * @example
 * proposeRefund(order, { type: 'PROPOSE_REFUND', afterSaleId: 'AS1', amount: 3000, note: '部分退款' }, { now, actor: merchant, policy })
 */
export function proposeRefund(order: Order, command: ProposeRefundInput, ctx: AfterSaleContext): AfterSaleStepResult {
  const a = findAfterSale(order, command.afterSaleId);
  if (!a) return fail(refundErrors.unknownAfterSale(command.afterSaleId));
  if (a.status === 'requested' && a.kind !== 'exchange') {
    const limit = proposalLimit(order, a);
    if (command.amount > limit) return fail(refundErrors.proposalExceedsRefundable(command.amount, limit));
  }
  const proposal: RefundProposal = { amount: command.amount, proposedBy: ctx.actor, proposedAt: ctx.now.toISOString(), status: 'pending' };
  if (command.note !== undefined) proposal.note = command.note;
  const earlier = (a.proposals ?? []).map((p) => (p.status === 'pending' ? { ...p, status: 'superseded' as const, answeredAt: ctx.now.toISOString() } : p));
  return onAfterSale(order, a.id, 'PROPOSE_REFUND', ctx, { extra: { proposals: earlier.concat(proposal) } });
}

function answered(a: AfterSale, status: 'accepted' | 'declined', ctx: AfterSaleContext, reason?: string): RefundProposal[] {
  const proposals = (a.proposals ?? []).slice();
  const last = proposals[proposals.length - 1];
  if (last !== undefined && last.status === 'pending') {
    const p: RefundProposal = { ...last, status, answeredAt: ctx.now.toISOString() };
    if (reason !== undefined) p.declineReason = reason;
    proposals[proposals.length - 1] = p;
  }
  return proposals;
}

function openProposal(a: AfterSale): RefundProposal | undefined {
  const last = a.proposals === undefined ? undefined : a.proposals[a.proposals.length - 1];
  return last !== undefined && last.status === 'pending' ? last : undefined;
}

/**
 * ACCEPT_REFUND_PROPOSAL (the requesting shopper): the offer becomes the after-sale's `amount`
 * (the quote is kept in `quotedAmount`) and the after-sale is approved with it: a refund-only
 * request starts its refund of the agreed amount, a return waits for the parcel. The amount is
 * checked again against the payment (`REFUND_EXCEEDS_PAID` if something else took it meanwhile).
 *
 * @example
 * acceptRefundProposal(order, { type: 'ACCEPT_REFUND_PROPOSAL', afterSaleId: 'AS1' }, { now, actor: shopper, policy })
 */
export function acceptRefundProposal(order: Order, command: AnswerProposalInput, ctx: AfterSaleContext): AfterSaleStepResult {
  const a = findAfterSale(order, command.afterSaleId);
  if (!a) return fail(refundErrors.unknownAfterSale(command.afterSaleId));
  const p = openProposal(a);
  if (a.status === 'requested' && p === undefined) return fail(refundErrors.noOpenProposal(a.id));
  const extra: Partial<AfterSale> = p === undefined ? {} : { amount: p.amount, quotedAmount: a.quotedAmount ?? a.amount, proposals: answered(a, 'accepted', ctx) };
  return onAfterSale(order, a.id, 'ACCEPT_REFUND_PROPOSAL', ctx, { extra });
}

/**
 * DECLINE_REFUND_PROPOSAL (the requesting shopper): the offer is declined; the request stays under
 * review (the merchant may approve it in full, reject it or offer again; the shopper may withdraw).
 *
 * @example
 * declineRefundProposal(order, { type: 'DECLINE_REFUND_PROPOSAL', afterSaleId: 'AS1', reason: '金额太少' }, afterSaleCtx)
 */
export function declineRefundProposal(order: Order, command: AnswerProposalInput, ctx: AfterSaleContext): AfterSaleStepResult {
  const a = findAfterSale(order, command.afterSaleId);
  if (!a) return fail(refundErrors.unknownAfterSale(command.afterSaleId));
  if (a.status === 'requested' && openProposal(a) === undefined) return fail(refundErrors.noOpenProposal(a.id));
  return onAfterSale(order, a.id, 'DECLINE_REFUND_PROPOSAL', ctx, { extra: { proposals: answered(a, 'declined', ctx, command.reason) } });
}

/**
 * SET_RETURN_SHIPPING_FEE (merchant, 退运费) on a return awaiting its parcel, once: `refund` adds
 * the fee to the refund (it must fit in what the payment has left: `RETURN_SHIPPING_FEE_TOO_HIGH`),
 * `deduct` takes it off (at most the refund). The treatment defaults to
 * `policy.returnShippingFee`; with neither it is `RETURN_SHIPPING_FEE_OFF`.
 *
 * @example
 * setReturnShippingFee(order, { type: 'SET_RETURN_SHIPPING_FEE', afterSaleId: 'AS1', fee: 1200, treatment: 'refund' }, afterSaleCtx)
 */
export function setReturnShippingFee(order: Order, command: SetReturnShippingFeeInput, ctx: AfterSaleContext): AfterSaleStepResult {
  const a = findAfterSale(order, command.afterSaleId);
  if (!a) return fail(refundErrors.unknownAfterSale(command.afterSaleId));
  const treatment = command.treatment ?? ctx.policy.returnShippingFee;
  if (treatment === undefined) return fail(refundErrors.returnShippingFeeOff());
  let amount = a.amount;
  if (a.status === 'awaiting_return' && a.kind === 'return_and_refund') {
    if (treatment === 'refund') {
      // Beside other refunds and requests, open exchanges included: the units they hold are goods
      // the shopper keeps, whose money a fee must not take (docs/after-sales.md "Return shipping fee").
      let room = availableToRefund(order, { includeRequested: true, excludeAfterSaleId: a.id }) - a.amount;
      for (const fen of exchangeHeld(order)?.values() ?? []) room -= fen;
      if (command.fee > room) return fail(refundErrors.returnShippingFeeTooHigh(command.fee, Math.max(0, room), 'refund'));
      amount = a.amount + command.fee;
    } else {
      if (command.fee > a.amount) return fail(refundErrors.returnShippingFeeTooHigh(command.fee, a.amount, 'deduct'));
      amount = a.amount - command.fee;
    }
  }
  const fee = { fee: command.fee, treatment, setBy: ctx.actor as Actor, setAt: ctx.now.toISOString() };
  return onAfterSale(order, a.id, 'SET_RETURN_SHIPPING_FEE', ctx, { extra: { amount, quotedAmount: a.quotedAmount ?? a.amount, returnShippingFee: fee } });
}

/**
 * SHIP_EXCHANGE (merchant): the replacement parcel of an exchange whose return has arrived; the
 * after-sale becomes `exchanged` and the shopper is told. Nothing is refunded.
 *
 * @example
 * shipExchange(order, { type: 'SHIP_EXCHANGE', afterSaleId: 'AS1', trackingNo: 'SF2', expressCompany: 'SF' }, afterSaleCtx)
 */
export function shipExchange(order: Order, command: ShipExchangeInput, ctx: AfterSaleContext): AfterSaleStepResult {
  const a = findAfterSale(order, command.afterSaleId);
  if (!a) return fail(refundErrors.unknownAfterSale(command.afterSaleId));
  const exchange = { items: a.exchange?.items ?? [], shipment: { trackingNo: command.trackingNo, expressCompany: command.expressCompany, shippedAt: ctx.now.toISOString() } };
  return onAfterSale(order, a.id, 'SHIP_EXCHANGE', ctx, { extra: { exchange } });
}
