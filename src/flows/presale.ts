import * as z from '../zod.js';
import type { OrderkitError } from '../errors/orderkit-error.js';
import {
  NO_MATCH,
  createLifecycle,
  defaultGuards,
  defineCommand,
  defineGuard,
  isDue,
  orderCommands,
  type CommandDefinition,
  type Draft,
  type Lifecycle,
  type Step,
} from '../lifecycle/index.js';
import { allocate } from '../money/allocate.js';
import { note } from '../lifecycle/step.js';
import { FenSchema, ORDER_STATUS_LABELS, createOrderNumber, type EffectDraft, type Order, type Refund } from '../order/index.js';
import { priceCart } from '../pricing/price-cart.js';
import type { Quote } from '../pricing/quote.js';
import {
  committedAmount,
  isFullyRefunded,
  openRefund,
  recordGatewayRefund,
  refundableBalance,
  refundedByTransaction,
  splitOverParts,
  supersedeOpenAfterSales,
  type AfterSaleStepResult,
  type PaidTransaction,
} from '../refund/index.js';
import type { OrderService, PlaceInput, ServiceResult } from '../service/index.js';
import { flowErrors } from './errors.js';
import { fail, ok, type Result } from '../errors/result.js';

/**
 * 预售 (presale: deposit + balance), a flow built like any shop's own (docs/flows.md "Presale").
 *
 * One order, two payment parts: the deposit (定金) and the balance (尾款). Each part has its own
 * `outTradeNo` (`<number>-D`, `<number>-B`) and its own transaction; neither replaces the other,
 * as a new payment attempt would. The parts live in `metadata.presale.parts`; `payment.paidAmount`
 * is what both have collected.
 *
 * Rules (each one place, here):
 * - 定金膨胀: the deposit counts for `deposit + deduction` against the price. The deduction is
 *   stored at placement as a `price_adjustment` spread over the lines (largest remainder), so
 *   total = deposit + balance and refunds read stored amounts as for any order.
 * - The balance is paid in `[balanceFrom, balanceUntil)`; outside it `BALANCE_NOT_OPEN` /
 *   `BALANCE_WINDOW_CLOSED`, and the order is unchanged.
 * - Not paid by `balanceUntil`: `BALANCE_EXPIRED` (the presale sweeper) closes the order; the
 *   deposit comes back only when `depositRefundable`.
 * - Refund split: a refund takes from the balance transaction first, then the deposit (the last
 *   money in comes back first); each ledger entry names its transaction, and its `payment.refund`
 *   carries that transaction's total. An after-sale refund that needs both parts is two entries:
 *   its own on the balance and a piece naming it on the deposit (`placePresaleRefunds`).
 */

export interface PresaleTerms {
  /** Fen paid first. */
  deposit: number;
  /** 定金膨胀: what the deposit is worth beyond itself (定金 ¥100 抵 ¥150 → deduction 5000). Default 0. */
  deduction?: number;
  balanceFrom: Date;
  balanceUntil: Date;
  /** Whether the deposit comes back when the balance is not paid (or the shopper cancels). Default false. */
  depositRefundable?: boolean;
}

export interface PresalePart {
  part: 'deposit' | 'balance';
  outTradeNo: string;
  amount: number;
  transactionId?: string;
  paidAt?: string;
}

export interface PresaleMetadata {
  deposit: number;
  deduction: number;
  balance: number;
  balanceFrom: string;
  balanceUntil: string;
  depositRefundable: boolean;
  parts: PresalePart[];
}

/**
 * The presale terms of an order, or undefined for any other order.
 *
 * @example
 * presaleOf(order)?.parts.map((p) => p.outTradeNo) // ['N1-D', 'N1-B']
 */
export function presaleOf(order: Pick<Order, 'metadata'>): PresaleMetadata | undefined {
  const p = (order.metadata as { presale?: PresaleMetadata } | undefined)?.presale;
  return p !== undefined && Array.isArray(p.parts) ? p : undefined;
}

const partOf = (p: PresaleMetadata, part: 'deposit' | 'balance'): PresalePart => p.parts.find((x) => x.part === part)!;

/**
 * Applies 定金膨胀 to a quote: the deduction is spread over the lines as a `price_adjustment`
 * (largest remainder by payable, never below 0), and the total drops by it.
 *
 * @example
 * withDeduction(quote, 5000).total === quote.total - 5000
 */
export function withDeduction(quote: Quote, deduction: number): Quote {
  if (deduction === 0) return quote;
  const parts = allocate(deduction, quote.lines.map((l) => l.payable));
  const lines = quote.lines.map((l, i) =>
    parts[i] === 0 ? l : { ...l, payable: l.payable - parts[i]!, allocations: [...l.allocations, { source: 'price_adjustment' as const, sourceId: 'presale-deduction', amount: parts[i]! }] },
  );
  return { ...quote, lines, discountTotal: quote.discountTotal + deduction, total: quote.total - deduction, savings: quote.savings + deduction };
}

function checkTerms(terms: PresaleTerms, goods: number): OrderkitError | undefined {
  if (typeof terms !== 'object' || terms === null) return flowErrors.invalidPresale([], { 'zh-CN': '缺少预售条款', en: 'the presale terms are missing' });
  const bad = (path: string, zh: string, en: string) => flowErrors.invalidPresale([path], { 'zh-CN': zh, en });
  const deduction = terms.deduction ?? 0;
  if (!Number.isSafeInteger(terms.deposit) || terms.deposit < 1) return bad('deposit', '定金须为正整数（分）', 'the deposit must be a positive integer of fen');
  if (!Number.isSafeInteger(deduction) || deduction < 0) return bad('deduction', '膨胀金额须为非负整数（分）', 'the deduction must be a non-negative integer of fen');
  if (terms.deposit + deduction >= goods) return bad('deposit', '定金加膨胀须小于商品金额（尾款须大于 0）', 'deposit plus deduction must be less than the goods (the balance must be above 0)');
  if (!(terms.balanceFrom instanceof Date) || !(terms.balanceUntil instanceof Date) || !(terms.balanceFrom.getTime() < terms.balanceUntil.getTime())) {
    return bad('balanceUntil', '尾款支付时间段无效（开始须早于截止）', 'the balance window is invalid (its start must come before its end)');
  }
  return undefined;
}

/** Money paid by the order's parts, and the part a transaction belongs to. */
function partByTransaction(p: PresaleMetadata, transactionId: string): PresalePart | undefined {
  return p.parts.find((x) => x.transactionId === transactionId);
}

/**
 * Splits `amount` over the paid parts, balance first, then the deposit (when `withDeposit`): each
 * part gives at most what its transaction has not yet given back.
 *
 * @example
 * presaleRefundSplit(order, 12000, true) // [{ part: balance…, amount: 9000 }, { part: deposit…, amount: 3000 }]
 */
export function presaleRefundSplit(order: Order, amount: number, withDeposit: boolean): Array<{ part: PresalePart; amount: number }> {
  const p = presaleOf(order);
  if (p === undefined) return [];
  // The last money in comes back first: the balance, then (when allowed) the deposit. The split
  // itself is the one rule of every order paid in parts (refund/routes.ts).
  const parts: Array<{ key: PresalePart; amount: number }> = [];
  for (const which of ['balance', 'deposit'] as const) {
    if (which === 'deposit' && !withDeposit) continue;
    const part = partOf(p, which);
    if (part.transactionId !== undefined) parts.push({ key: part, amount: part.amount });
  }
  const byTx = refundedByTransaction(order);
  const taken = new Map(parts.map((x) => [x.key, byTx.get(x.key.transactionId!) ?? 0] as const));
  return splitOverParts(parts, taken, amount).map((r) => ({ part: r.key, amount: r.amount }));
}

/** Opens one ledger entry per part of the split, each naming its transaction and that transaction's total. */
function refundParts(draft: Draft, step: Step, amount: number, withDeposit: boolean, reason: Refund['reason']): void {
  let order = draft.order;
  const ids: string[] = [];
  for (const { part, amount: take } of presaleRefundSplit(order, amount, withDeposit)) {
    const opened = openRefund(order, { amount: take, reason, now: step.ctx.now, transactionId: part.transactionId!, outTradeNo: part.outTradeNo });
    order = opened.order;
    const effect: EffectDraft = { type: 'payment.refund', refundId: opened.refund.id, outTradeNo: part.outTradeNo, transactionId: part.transactionId!, amount: take, total: part.amount, reason };
    draft.effects.push(effect);
    ids.push(opened.refund.id);
  }
  draft.order.refunds = order.refunds;
  note(draft, 'refundIds', ids);
}

const Paying = z.strictObject({
  amount: FenSchema,
  transactionId: z.string().check(z.minLength(1), z.maxLength(64)),
  outTradeNo: z.optional(z.string().check(z.minLength(1), z.maxLength(32))),
  paidAt: z.optional(z.string().check(z.maxLength(40))),
});
type PayingCommand = { type: string; amount: number; transactionId: string; outTradeNo?: string; paidAt?: string };

function paysPart(which: 'deposit' | 'balance') {
  return defineGuard(
    (step: Step<PayingCommand>) => {
      const p = presaleOf(step.order);
      if (p === undefined) return NO_MATCH;
      const part = partOf(p, which);
      if (step.command.outTradeNo !== undefined && step.command.outTradeNo !== part.outTradeNo) return flowErrors.unknownPart(step.command.outTradeNo);
      if (part.transactionId !== undefined) return NO_MATCH;
      if (step.command.amount !== part.amount) return flowErrors.partAmountMismatch(which, part.amount, step.command.amount);
      if (which === 'balance') {
        const now = step.ctx.now;
        if (!isDue(p.balanceFrom, now)) return flowErrors.balanceWindow('not_open', p.balanceFrom, p.balanceUntil, step.ctx.policy.timeZone);
        if (isDue(p.balanceUntil, now)) return flowErrors.balanceWindow('closed', p.balanceFrom, p.balanceUntil, step.ctx.policy.timeZone);
      }
      return undefined;
    },
    (probe) => {
      const p = presaleOf(probe.order);
      if (p === undefined || partOf(p, which).transactionId !== undefined) return false;
      return which === 'deposit' || (isDue(p.balanceFrom, new Date(probe.nowMs)) && !isDue(p.balanceUntil, new Date(probe.nowMs)));
    },
  );
}

function samePart(which: 'deposit' | 'balance') {
  return defineGuard(
    (step: Step<PayingCommand>) => {
      const p = presaleOf(step.order);
      return p !== undefined && partOf(p, which).transactionId === step.command.transactionId ? undefined : NO_MATCH;
    },
    () => false,
  );
}

function recordPart(which: 'deposit' | 'balance') {
  return (draft: Draft, step: Step<PayingCommand>): void => {
    const order = draft.order;
    const p = presaleOf(order)!;
    const paidAt = step.command.paidAt ?? step.ctx.at;
    const parts = p.parts.map((x) => (x.part === which ? { ...x, transactionId: step.command.transactionId, paidAt } : x));
    order.metadata = { ...order.metadata, presale: { ...p, parts } };
    const part = parts.find((x) => x.part === which)!;
    // The placement attempt of a presale order is never prepaid: the parts are.
    const attempts = order.payment.attempts.map((a) => (a.status === 'open' ? { ...a, status: 'closed' as const } : a));
    order.payment = {
      ...order.payment,
      attempts,
      paidAmount: order.payment.paidAmount + part.amount,
      paidAt,
      transactionId: part.transactionId!,
      outTradeNo: part.outTradeNo,
      gateway: step.ctx.actor.type === 'payment' ? step.ctx.actor.gateway : (order.payment.gateway ?? 'unknown'),
    };
    if (which === 'deposit') order.paidAt = paidAt;
    note(draft, 'part', which);
    note(draft, 'amount', part.amount);
    note(draft, 'transactionId', part.transactionId);
    note(draft, 'outTradeNo', part.outTradeNo);
  };
}

const balanceDue = defineGuard(
  (step: Step) => {
    const p = presaleOf(step.order);
    return p !== undefined && isDue(p.balanceUntil, step.ctx.now) ? undefined : NO_MATCH;
  },
  (probe) => {
    const p = presaleOf(probe.order);
    return p !== undefined && isDue(p.balanceUntil, new Date(probe.nowMs));
  },
);

const notPresale = (name: string) =>
  defineGuard(
    (step: Step) => (presaleOf(step.order) !== undefined ? NO_MATCH : defaultGuards[name]!(step, undefined)),
    (probe) => presaleOf(probe.order) === undefined && (defaultGuards[name]!.available === undefined || defaultGuards[name]!.available!(probe, undefined)),
  );
const presaleBy = (type: 'merchant' | 'customer') =>
  defineGuard(
    (step: Step) => (presaleOf(step.order) !== undefined && step.ctx.actor.type === type ? undefined : NO_MATCH),
    (probe) => presaleOf(probe.order) !== undefined && probe.actor.type === type,
  );

/** Refund of the deposit part: always for the merchant's cancel, per policy otherwise. */
function refundDeposit(onlyIfRefundable: boolean, reason: Refund['reason'] = 'merchant_cancel') {
  return (draft: Draft, step: Step): void => {
    const p = presaleOf(draft.order)!;
    if (onlyIfRefundable && !p.depositRefundable) {
      note(draft, 'depositKept', partOf(p, 'deposit').amount);
      return;
    }
    refundParts(draft, step, partOf(p, 'deposit').amount, true, reason);
  };
}

/** A merchant's cancel after the balance: everything back, split over both transactions. */
function refundPresaleInFull(draft: Draft, step: Step): void {
  // Open after-sales are settled as orderkit's own full refund settles them (docs/after-sales.md
  // "Closing with after-sales open"): a pending refund stays, the rest are cancelled.
  const closed = supersedeOpenAfterSales(draft.order, step.ctx.now);
  if (closed.superseded.length > 0) {
    draft.order.afterSales = closed.order.afterSales;
    note(draft, 'supersededAfterSales', closed.superseded);
  }
  const amount = refundableBalance(draft.order);
  if (amount > 0) refundParts(draft, step, amount, true, 'merchant_cancel');
}

const refundDepositIfRefundable = refundDeposit(true);
const refundDepositAlways = refundDeposit(false);
const refundDepositOutOfStock = refundDeposit(false, 'out_of_stock');

/**
 * 付款减库存 (docs/inventory.md "The two policies"): the deposit is the payment that takes the units;
 * when it found none, the service's CANCEL with reason `out_of_stock` closes the order and gives
 * the deposit back whatever `depositRefundable` says (the shop cannot sell the goods).
 */
const presaleStockRanOut = defineGuard(
  (step: Step) =>
    presaleOf(step.order) !== undefined && step.ctx.actor.type === 'merchant' && (step.command as { reason?: unknown }).reason === 'out_of_stock' ? undefined : NO_MATCH,
  (probe) => presaleOf(probe.order) !== undefined && probe.actor.type === 'merchant',
);

const closeAs = (reason: string) => ({ type: 'close', params: { reason } });
/** What an order closed without its goods gives back: units, coupons and spent points (docs/pricing.md "Points after the order"). */
const RELEASE = ['releaseInventory', 'releaseCoupons', 'settlePoints'];

/**
 * A part paid after the order closed (expired unpaid, the balance window passed, cancelled): as
 * orderkit's own payment after close (docs/lifecycle.md "Payment after close"), the money is kept
 * in `payment.stray` and given back in full on its own transaction; the order stays closed. The same
 * transaction again is a no-op (`isRecordedStrayPayment`). Before, the part was refused and the
 * money that arrived was never given back.
 */
const PART_AFTER_CLOSE = [
  { from: 'closed', guard: 'isRecordedStrayPayment', description: 'no-op' },
  {
    from: 'closed',
    guard: 'isPaymentAfterClose',
    actions: ['recordStrayPayment', { type: 'notify', params: { to: 'customer', template: 'refund_started', include: ['refund'] } }, { type: 'notify', params: { to: 'merchant', template: 'stray_payment_refunded', include: ['refund'] } }],
  },
] as const;

/** 付定金 (the gateway): the deposit part is paid; the order waits for the balance. */
export const payDeposit = defineCommand({
  type: 'PAY_DEPOSIT',
  schema: z.extend(Paying, { type: z.literal('PAY_DEPOSIT') }),
  actors: ['payment'],
  label: { 'zh-CN': '定金已付', en: 'Deposit paid' },
  rows: [
    { from: 'pending_payment', to: 'deposit_paid', guard: 'paysDeposit', actions: ['recordDeposit', { type: 'notify', params: { to: 'customer', template: 'deposit_paid', include: ['payment'] } }] },
    { from: ['deposit_paid', 'paid', 'partially_shipped', 'shipped', 'delivered', 'completed', 'closed'], guard: 'sameDeposit', description: 'no-op' },
    ...PART_AFTER_CLOSE,
  ],
  guards: { paysDeposit: paysPart('deposit'), sameDeposit: samePart('deposit') },
  actions: { recordDeposit: recordPart('deposit') },
  button: { key: 'payDeposit', label: { 'zh-CN': '付定金', en: 'Pay deposit' }, rank: 101, primary: true },
});

/** 付尾款 (the gateway), inside the balance window: the order is paid and proceeds. */
export const payBalance = defineCommand({
  type: 'PAY_BALANCE',
  schema: z.extend(Paying, { type: z.literal('PAY_BALANCE') }),
  actors: ['payment'],
  label: { 'zh-CN': '尾款已付', en: 'Balance paid' },
  rows: [
    { from: 'deposit_paid', to: 'paid', guard: 'paysBalance', actions: ['recordBalance', 'becomePaid'] },
    { from: ['paid', 'partially_shipped', 'shipped', 'delivered', 'completed', 'closed'], guard: 'sameBalance', description: 'no-op' },
    ...PART_AFTER_CLOSE,
  ],
  guards: { paysBalance: paysPart('balance'), sameBalance: samePart('balance') },
  actions: { recordBalance: recordPart('balance') },
  button: { key: 'payBalance', label: { 'zh-CN': '付尾款', en: 'Pay balance' }, rank: 102, primary: true },
});

/** 尾款超时 (the presale sweeper): closes the order; the deposit comes back only if refundable. */
export const balanceExpired = defineCommand({
  type: 'BALANCE_EXPIRED',
  schema: z.strictObject({ type: z.literal('BALANCE_EXPIRED') }),
  actors: ['system'],
  label: { 'zh-CN': '尾款超时关闭', en: 'Balance not paid in time' },
  rows: [{ from: 'deposit_paid', to: 'closed', guard: 'balanceDue', actions: [closeAs('payment_timeout'), 'refundDepositIfRefundable', ...RELEASE] }],
  guards: { balanceDue },
  actions: { refundDepositIfRefundable },
});

function original(type: string): CommandDefinition<string, any> {
  const found = orderCommands.find((c) => c.type === type);
  if (found === undefined) throw new Error(`orderkit has no ${type}`);
  return found;
}

const payment = original('PAYMENT_SUCCEEDED');
/** 支付成功 does not pay a presale order: its parts are paid with PAY_DEPOSIT and PAY_BALANCE. */
export const presalePaymentSucceeded = defineCommand({
  ...payment,
  rows: payment.rows.map((r) => (r.guard === 'paysPhysicalOrder' ? { ...r, guard: 'paysPhysicalNonPresale' } : r.guard === 'paysVirtualOrder' ? { ...r, guard: 'paysVirtualNonPresale' } : r)),
  guards: { paysPhysicalNonPresale: notPresale('paysPhysicalOrder'), paysVirtualNonPresale: notPresale('paysVirtualOrder') },
});

/** One `<guard>NonPresale` object per name: a lifecycle refuses two implementations under one name. */
const NON_PRESALE_GUARDS = new Map<string, ReturnType<typeof notPresale>>();
function nonPresaleGuard(name: string): ReturnType<typeof notPresale> {
  const shared = (PRESALE_REFUND_GUARDS as Record<string, ReturnType<typeof notPresale> | undefined>)[`${name}NonPresale`];
  if (shared !== undefined) return shared;
  let g = NON_PRESALE_GUARDS.get(name);
  if (g === undefined) NON_PRESALE_GUARDS.set(name, (g = notPresale(name)));
  return g;
}

/** A built-in command whose rows never apply to a presale order (its guards answer NO_MATCH there). */
function withoutPresale(type: string): CommandDefinition<string, any> {
  const def = original(type);
  const guards: Record<string, ReturnType<typeof notPresale>> = {};
  const rows = def.rows.map((r) => {
    if (typeof r.guard !== 'string') return r;
    const name = `${r.guard}NonPresale`;
    guards[name] = nonPresaleGuard(r.guard);
    return { ...r, guard: name };
  });
  return defineCommand({ ...def, rows, guards: { ...(def.guards ?? {}), ...guards } });
}

/** A part's transaction key in the ledger (as `refundedByTransaction` keys it). */
function entryTransaction(order: Order, r: Refund): string {
  return r.transactionId ?? r.outTradeNo ?? order.payment.transactionId ?? order.number;
}

/**
 * What a part's transaction has given back or may still give back, `except` one entry: entries
 * succeeded, on their way (or held, ABNORMAL), and failed ones not replaced — a failed entry may be
 * retried under its own id and transaction, so it keeps its place on the part.
 */
function heldOnPart(order: Order, part: PresalePart, except: string): number {
  let sum = 0;
  for (const r of order.refunds) {
    if (r.id === except || r.replacedBy !== undefined) continue;
    if (entryTransaction(order, r) !== part.transactionId) continue;
    if (r.status === 'succeeded' || r.status === 'pending' || r.status === 'failed') sum += r.amount;
  }
  return sum;
}

/** One after-sale refund entry placed on the parts: the entry itself, then the rest if any. */
export interface PresaleRefundPlacement {
  refundId: string;
  pieces: Array<{ part: PresalePart; amount: number }>;
}

/**
 * The rule for a refund an after-sale (or a shopper's cancel, a retry) opens on a presale order
 * (docs/flows.md "Refund split"): a new entry takes from the **balance transaction first, then the
 * deposit**, each part at most what its transaction collected minus what it gave back, has on its
 * way or may still retry. A retried entry stays on its own transaction and must still fit there.
 * `refundIds` are the entries the step sent (`payment.refund` effects); `before` is the order the
 * step started from (to tell a retry from a new entry). Fails with `PRESALE_REFUND_OVER_PARTS`
 * when the parts cannot hold it.
 *
 * @example
 * // paidOrder: as the step found it; order: after the after-sale reducer opened N1R1
 * placePresaleRefunds(paidOrder, order, ['N1R1']) // ok: [{ refundId: 'N1R1', pieces: [{ part: balance, amount: 99900 }, { part: deposit, amount: 300000 }] }]
 */
export function placePresaleRefunds(before: Order, after: Order, refundIds: readonly string[]): Result<{ placements: PresaleRefundPlacement[] }> {
  const p = presaleOf(after);
  if (p === undefined) return ok({ placements: [] });
  const placements: PresaleRefundPlacement[] = [];
  // Entries placed earlier in this same step count on their parts as they will be stored.
  const taken = new Map<string, number>();
  for (const id of refundIds) {
    const r = after.refunds.find((x) => x.id === id);
    if (r === undefined || r.reason === 'stray_payment') continue;
    const retry = before.refunds.some((x) => x.id === id) || r.replaces !== undefined;
    const room = (part: PresalePart) => part.amount - heldOnPart(after, part, id) - (taken.get(part.part) ?? 0);
    const pieces: PresaleRefundPlacement['pieces'] = [];
    if (retry) {
      const part = p.parts.find((x) => x.transactionId !== undefined && x.transactionId === entryTransaction(after, r));
      if (part === undefined) continue;
      if (r.amount > room(part)) return fail(flowErrors.refundOverParts(r.amount, Math.max(0, room(part))));
      pieces.push({ part, amount: r.amount });
    } else {
      let left = r.amount;
      let roomAll = 0;
      for (const which of ['balance', 'deposit'] as const) {
        const part = partOf(p, which);
        if (part.transactionId === undefined) continue;
        const free = Math.max(0, room(part));
        roomAll += free;
        const take = Math.min(free, left);
        if (take > 0) {
          pieces.push({ part, amount: take });
          left -= take;
        }
      }
      if (left > 0) return fail(flowErrors.refundOverParts(r.amount, roomAll));
    }
    for (const piece of pieces) taken.set(piece.part.part, (taken.get(piece.part.part) ?? 0) + piece.amount);
    placements.push({ refundId: id, pieces });
  }
  return ok({ placements });
}

function stepRefundIds(effects: readonly EffectDraft[]): string[] {
  const ids: string[] = [];
  for (const e of effects) if (e.type === 'payment.refund') ids.push(e.refundId);
  return ids;
}

/**
 * The built-in guard, then the split rule (`placePresaleRefunds`) over the reducer's result: a
 * refund the parts cannot hold is refused before anything is written.
 */
function presaleRefundFits(name: string) {
  const inner = defaultGuards[name]!;
  return defineGuard(
    (step: Step) => {
      const p = presaleOf(step.order);
      if (p === undefined) return NO_MATCH;
      const refused = inner(step, undefined);
      if (refused !== undefined) return refused;
      // The after-sale reducer's result, left by the guard for the action (rules/after-sale.ts).
      const result = (step.memo as { result?: { ok: boolean; order?: Order; effects?: EffectDraft[] } } | undefined)?.result;
      if (result === undefined || !result.ok || result.order === undefined) return undefined;
      const placed = placePresaleRefunds(step.order, result.order, stepRefundIds(result.effects ?? []));
      return placed.ok ? undefined : placed.error;
    },
    (probe) => presaleOf(probe.order) !== undefined && (inner.available === undefined || inner.available(probe, undefined)),
  );
}

/**
 * Applies the split to what the after-sale step wrote: the entry keeps the balance piece (or moves
 * to the deposit when the balance has nothing left), a second entry of its own takes the deposit
 * piece; every `payment.refund` names its part's transaction, `out_trade_no` and total.
 */
function presaleRefundTotals(draft: Draft, step: Step): void {
  const p = presaleOf(draft.order);
  if (p === undefined) return;
  const placed = placePresaleRefunds(step.order, draft.order, stepRefundIds(draft.effects));
  if (!placed.ok) return; // unreachable: the guard refused the command already
  let order = draft.order;
  const added: EffectDraft[] = [];
  const extra: string[] = [];
  for (const { refundId, pieces } of placed.placements) {
    const effect = draft.effects.find((e) => e.type === 'payment.refund' && e.refundId === refundId);
    if (effect === undefined || effect.type !== 'payment.refund' || pieces.length === 0) continue;
    const [first, second] = pieces as [(typeof pieces)[number], (typeof pieces)[number] | undefined];
    order = { ...order, refunds: order.refunds.map((r) => (r.id === refundId ? { ...r, amount: first.amount, transactionId: first.part.transactionId!, outTradeNo: first.part.outTradeNo } : r)) };
    effect.amount = first.amount;
    effect.transactionId = first.part.transactionId!;
    effect.outTradeNo = first.part.outTradeNo;
    effect.total = first.part.amount;
    if (second !== undefined) {
      const entry = order.refunds.find((r) => r.id === refundId)!;
      // A piece: it names the after-sale (its money counts there) but is not its refund (afterSaleOfRefund).
      const input: Parameters<typeof openRefund>[1] = { amount: second.amount, reason: entry.reason, now: step.ctx.now, transactionId: second.part.transactionId!, outTradeNo: second.part.outTradeNo };
      if (entry.afterSaleId !== undefined) input.afterSaleId = entry.afterSaleId;
      const opened = openRefund(order, input);
      order = opened.order;
      added.push({ ...effect, refundId: opened.refund.id, amount: second.amount, transactionId: second.part.transactionId!, outTradeNo: second.part.outTradeNo, total: second.part.amount });
      extra.push(opened.refund.id);
    }
  }
  draft.order.refunds = order.refunds;
  for (const e of added) draft.effects.push(e);
  if (extra.length > 0) note(draft, 'depositRefundIds', extra);
}

const REFUNDING_GUARDS = ['afterSaleAccepted', 'afterSaleShipsRest', 'customerCancelRequestsRefund'];
/** One guard object per name: a lifecycle refuses two different implementations under one name. */
const PRESALE_REFUND_GUARDS: Record<string, ReturnType<typeof presaleRefundFits>> = Object.fromEntries(
  REFUNDING_GUARDS.flatMap((g) => [
    [`${g}Presale`, presaleRefundFits(g)],
    [`${g}NonPresale`, notPresale(g)],
  ]),
);

/** A built-in command with a presale row before each row that may open a refund. */
function withPresaleRefunds(def: CommandDefinition<string, any>): CommandDefinition<string, any> {
  const guards: Record<string, ReturnType<typeof presaleRefundFits>> = {};
  const rows: CommandDefinition<string, any>['rows'][number][] = [];
  for (const r of def.rows) {
    if (typeof r.guard === 'string' && REFUNDING_GUARDS.indexOf(r.guard) >= 0) {
      const name = `${r.guard}Presale`;
      guards[name] = PRESALE_REFUND_GUARDS[name]!;
      guards[`${r.guard}NonPresale`] = PRESALE_REFUND_GUARDS[`${r.guard}NonPresale`]!;
      rows.push({ ...r, guard: name, actions: [...(r.actions ?? []), 'presaleRefundTotals'] });
      // The original row, for every order that is not a presale one (a refused presale row must not fall through to it).
      rows.push({ ...r, guard: `${r.guard}NonPresale` });
      continue;
    }
    rows.push(r);
  }
  if (Object.keys(guards).length === 0) return def;
  return defineCommand({ ...def, rows, guards: { ...(def.guards ?? {}), ...guards }, actions: { ...(def.actions ?? {}), presaleRefundTotals } });
}

/** 改价 does not apply to a presale order: its parts were fixed at placement. */
export const presaleAdjustPrice = withoutPresale('ADJUST_PRICE');

const cancelDef = original('CANCEL');
/** 取消: with the deposit paid, the merchant refunds it; the shopper gets it back only if refundable. After the balance, the merchant refunds both parts. */
export const presaleCancel = defineCommand({
  ...cancelDef,
  rows: [
    { from: 'deposit_paid', to: 'closed', guard: 'presaleStockRanOut', actions: [closeAs('out_of_stock'), 'refundDepositOutOfStock', ...RELEASE] },
    { from: 'deposit_paid', to: 'closed', guard: 'presaleByMerchant', actions: [closeAs('merchant_cancelled'), 'refundDepositAlways', ...RELEASE] },
    { from: 'deposit_paid', to: 'closed', guard: 'presaleByCustomer', actions: [closeAs('customer_cancelled'), 'refundDepositIfRefundable', ...RELEASE] },
    { from: 'paid', to: 'closed', guard: 'presaleByMerchant', actions: [closeAs('merchant_cancelled'), 'refundPresaleInFull', ...RELEASE] },
    ...cancelDef.rows,
  ],
  guards: { presaleStockRanOut, presaleByMerchant: presaleBy('merchant'), presaleByCustomer: presaleBy('customer') },
  actions: { refundDepositAlways, refundDepositIfRefundable, refundDepositOutOfStock, refundPresaleInFull },
});

/**
 * 账单退款入账 on a presale order: a refund WeChat made that the ledger does not know is weighed
 * against the part whose transaction paid it back — the balance (尾款) or the deposit (定金) —
 * never against the order's whole paid amount (docs/flows.md "Refund split"). The refund module's
 * own reducer does the work (`recordGatewayRefund` with the parts as `paidBy`); orderkit's rows
 * stay for every other order. A presale order whose deposit alone is paid records it too.
 */
interface GatewayRefundMemo {
  kind: 'presale_gateway_refund';
  result: AfterSaleStepResult;
}

function presaleGatewayRefund(step: Step): AfterSaleStepResult | undefined {
  const p = presaleOf(step.order);
  if (p === undefined) return undefined;
  const memo = step.memo as GatewayRefundMemo | undefined;
  if (memo !== undefined && memo.kind === 'presale_gateway_refund') return memo.result;
  const paidBy: PaidTransaction[] = [];
  for (const part of p.parts) if (part.transactionId !== undefined) paidBy.push({ transactionId: part.transactionId, outTradeNo: part.outTradeNo, amount: part.amount });
  const ctx = { now: step.ctx.now, actor: step.ctx.actor, policy: step.ctx.policy };
  const result = recordGatewayRefund(step.order, step.command as Parameters<typeof recordGatewayRefund>[1], ctx, paidBy);
  step.memo = { kind: 'presale_gateway_refund', result } satisfies GatewayRefundMemo;
  return result;
}

function gatewayRefundGuard(when: 'unchanged' | 'settles' | 'accepted') {
  return defineGuard(
    (step: Step) => {
      const r = presaleGatewayRefund(step);
      if (r === undefined) return NO_MATCH;
      if (!r.ok) return r.error;
      if (when === 'unchanged') return r.order === step.order && r.effects.length === 0 ? undefined : NO_MATCH;
      if (when === 'settles') return isFullyRefunded(r.order) ? undefined : NO_MATCH;
      return undefined;
    },
    // Never a button: only the daily reconciliation sends it, from WeChat's bill.
    () => false,
  );
}

/** Takes over the reducer's ledger, effects and audit data (as orderkit's `applyAfterSale`). */
function applyPresaleGatewayRefund(draft: Draft, step: Step): void {
  const r = presaleGatewayRefund(step);
  if (r === undefined || !r.ok) return; // unreachable: the guard refused the command already
  draft.order.refunds = r.order.refunds;
  for (const e of r.effects) draft.effects.push(e);
  if (r.data !== undefined) draft.data = draft.data === undefined ? { ...r.data } : Object.assign(draft.data, r.data);
}

const gatewayRefundDef = withoutPresale('RECORD_GATEWAY_REFUND');
const PRESALE_ANY_STATUS = ['pending_payment', 'deposit_paid', 'paid', 'partially_shipped', 'shipped', 'delivered', 'completed', 'closed'];
const PRESALE_REFUND_OPEN = ['paid', 'partially_shipped', 'shipped', 'delivered', 'completed'];
/** RECORD_GATEWAY_REFUND: presale orders by their parts, every other order as orderkit records it. */
export const presaleRecordGatewayRefund = defineCommand({
  ...gatewayRefundDef,
  rows: [
    { from: PRESALE_ANY_STATUS, guard: 'presaleGatewayRefundUnchanged', description: 'no-op' },
    { from: PRESALE_REFUND_OPEN, to: 'closed', guard: 'presaleGatewayRefundSettlesOrder', actions: ['applyPresaleGatewayRefund', closeAs('fully_refunded'), 'settlePoints'] },
    { from: PRESALE_ANY_STATUS, guard: 'presaleGatewayRefundAccepted', actions: ['applyPresaleGatewayRefund'] },
    ...gatewayRefundDef.rows,
  ],
  guards: {
    ...(gatewayRefundDef.guards ?? {}),
    presaleGatewayRefundUnchanged: gatewayRefundGuard('unchanged'),
    presaleGatewayRefundSettlesOrder: gatewayRefundGuard('settles'),
    presaleGatewayRefundAccepted: gatewayRefundGuard('accepted'),
  },
  actions: { ...(gatewayRefundDef.actions ?? {}), applyPresaleGatewayRefund },
});

/** The statuses of a presale lifecycle: orderkit's, and 待付尾款 between the parts. */
export const PRESALE_STATUSES = { ...ORDER_STATUS_LABELS, deposit_paid: { 'zh-CN': '待付尾款', en: 'Deposit paid, balance due' } };

/**
 * orderkit's commands with the presale ones.
 *
 * @example
 * const lifecycle = presaleLifecycle();
 */
export function presaleLifecycle(extra: readonly CommandDefinition<string, any>[] = []): Lifecycle<string, { type: string }> {
  const replaced: Record<string, CommandDefinition<string, any>> = {
    PAYMENT_SUCCEEDED: presalePaymentSucceeded,
    CANCEL: presaleCancel,
    ADJUST_PRICE: presaleAdjustPrice,
    RECORD_GATEWAY_REFUND: presaleRecordGatewayRefund,
  };
  const commands = orderCommands.map((c) => withPresaleRefunds(replaced[c.type] ?? c));
  return createLifecycle({ commands: [...commands, payDeposit, payBalance, balanceExpired, ...extra], states: PRESALE_STATUSES }) as unknown as Lifecycle<string, { type: string }>;
}

export interface PresaleOptions {
  service: OrderService;
  clock?: { now(): Date };
  /** The shop's zone, for the times in `nextPart`'s messages. Default 'Asia/Shanghai'. */
  timeZone?: string;
}

export interface Presale {
  /** Places a presale order: prices the cart, applies the deduction, records the two parts. */
  place(input: Omit<PlaceInput, 'quote'> & { cart: Parameters<typeof priceCart>[0]; rules: Parameters<typeof priceCart>[1] }, terms: PresaleTerms): Promise<ServiceResult>;
  /** The part to prepay now (`outTradeNo`, `amount`), or a typed error (outside the balance window…). */
  nextPart(order: Order): Result<{ part: PresalePart }>;
  /** Closes every order whose balance was not paid in time (run it beside `service.sweep`). */
  sweep(): Promise<{ closed: number }>;
}

/**
 * The presale flow over an order service made with `presaleLifecycle()`.
 *
 * @example
 * const presale = createPresale({ service });
 */
export function createPresale(options: PresaleOptions): Presale {
  const { service } = options;
  const clock = options.clock ?? { now: () => new Date() };
  const timeZone = options.timeZone ?? 'Asia/Shanghai';
  return {
    async place(input, terms) {
      if (typeof input !== 'object' || input === null) return service.place(input as never);
      const { cart, rules, ...rest } = input;
      const priced = priceCart(cart, rules, { now: clock.now() });
      if (!priced.ok) return priced;
      const goods = priced.quote.lines.reduce((s, l) => s + l.payable, 0);
      const bad = checkTerms(terms, goods);
      if (bad) return fail(bad);
      const deduction = terms.deduction ?? 0;
      const quote = withDeduction(priced.quote, deduction);
      // The parts' out_trade_no derive from the order number: it is made here, before placement.
      const n = rest.number ?? createOrderNumber({ now: clock.now(), random: Math.random });
      const presale: PresaleMetadata = {
        deposit: terms.deposit,
        deduction,
        balance: quote.total - terms.deposit,
        balanceFrom: terms.balanceFrom.toISOString(),
        balanceUntil: terms.balanceUntil.toISOString(),
        depositRefundable: terms.depositRefundable === true,
        parts: [
          { part: 'deposit', outTradeNo: `${n}-D`, amount: terms.deposit },
          { part: 'balance', outTradeNo: `${n}-B`, amount: quote.total - terms.deposit },
        ],
      };
      return service.place({ ...rest, number: n, quote, metadata: { ...(rest.metadata ?? {}), presale } } as PlaceInput);
    },

    nextPart(order) {
      const p = presaleOf(order);
      if (p === undefined) return fail(flowErrors.unknownPart(order.number));
      const deposit = partOf(p, 'deposit');
      if (deposit.transactionId === undefined) return { ok: true, part: deposit };
      const now = clock.now();
      if (!isDue(p.balanceFrom, now)) return fail(flowErrors.balanceWindow('not_open', p.balanceFrom, p.balanceUntil, timeZone));
      if (isDue(p.balanceUntil, now)) return fail(flowErrors.balanceWindow('closed', p.balanceFrom, p.balanceUntil, timeZone));
      return { ok: true, part: partOf(p, 'balance') };
    },

    async sweep() {
      let closed = 0;
      let cursor: string | null = null;
      do {
        const page = await service.list({ status: 'deposit_paid' as never, limit: 100, cursor, order: 'oldest' });
        for (const o of page.items) {
          const p = presaleOf(o);
          if (p === undefined || !isDue(p.balanceUntil, clock.now())) continue;
          const r = await service.dispatch(o.id, { type: 'BALANCE_EXPIRED' } as never, { type: 'system', id: 'presale-sweeper' });
          if (r.ok) closed++;
        }
        cursor = page.nextCursor;
      } while (cursor !== null);
      return { closed };
    },
  };
}
