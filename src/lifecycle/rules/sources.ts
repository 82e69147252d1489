import { orderkitError, type OrderkitError } from '../../errors/orderkit-error.js';
import { formatFen } from '../../money/format.js';
import type { EffectDraft, Order, PaymentSource, Refund } from '../../order/index.js';
import { paymentSourcesOf, refundRoutes, sourceByTransaction, sourceOf } from '../../refund/routes.js';
import { ok, fail, type Result } from '../../errors/result.js';
import { note, type Draft } from '../step.js';

/**
 * Orders paid from several sources (docs/payment-sources.md): the stored balance (余额/储值卡)
 * and WeChat Pay for the rest. The rules, each in one place here:
 *
 * - Placement: `payWith.balance` fen come from the balance, the rest (`total − balance`) is the
 *   WeChat Pay attempt's amount. The balance is debited with the order's creation, both or
 *   neither (the service and the `BalancePort`); when it covers the total the order is paid at
 *   placement. Bad sources are refused before anything is debited.
 * - Paid: when the sources cover the total exactly: `paidAmount` = balance + the WeChat payment.
 * - Undo: an order that closes unpaid (expired, cancelled) gives the balance back in full
 *   (`balance.credit`, key `<balance out-trade-no>:undo`); a WeChat payment arriving after that is
 *   a late payment and is refunded as before. Nothing collected is ever kept without an order.
 * - Refunds: `refundRoutes` — WeChat Pay first, then the balance, each source at most what it
 *   collected. A refund that spans both is two ledger entries: the first keeps its id (and its
 *   after-sale) for the WeChat share; `<id>B` carries the balance share.
 * - Re-pricing (ADJUST_PRICE) an order with a balance part is refused: the balance already paid
 *   its share of the old total.
 */

/** What the shopper asks to pay with: fen from the balance, and optionally the WeChat share they expect. */
export interface PayWith {
  balance: number;
  /** When given it must equal `total − balance` (the client's sum is checked, never trusted). */
  wechat?: number;
}

const BALANCE_SUFFIX = '-B';

/** The balance transaction id of an order: what the balance port keys the debit with. */
export function balanceTransactionId(orderNumber: string): string {
  return `balance:${orderNumber}`;
}

const isFen = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

/** The typed errors of payment sources (zh-CN and en). */
export const sourceErrors = {
  invalid(path: Array<string | number>, zh: string, en: string): OrderkitError {
    return orderkitError('INVALID_PAYMENT_SOURCES', { 'zh-CN': `支付方式不正确：${zh}`, en: `invalid payment sources: ${en}` }, { path });
  },
  mismatch(total: number, balance: number, wechat: number): OrderkitError {
    return orderkitError(
      'PAYMENT_SOURCES_MISMATCH',
      {
        'zh-CN': `支付方式合计与应付不符：余额 ${formatFen(balance)} + 微信支付 ${formatFen(wechat)} ≠ 应付 ${formatFen(total)}，未扣款`,
        en: `the payment sources do not add up: balance ${formatFen(balance)} + WeChat Pay ${formatFen(wechat)} ≠ total ${formatFen(total)}; nothing was debited`,
      },
      { path: ['payWith'], details: { total, balance, wechat } },
    );
  },
  exceedsSources(refundId: string, amount: number, routed: number): OrderkitError {
    return orderkitError(
      'REFUND_EXCEEDS_SOURCES',
      {
        'zh-CN': `退款 ${formatFen(amount)} 超出各支付来源尚可退回的金额（只能退回 ${formatFen(routed)}），未做任何更改`,
        en: `the refund of ${formatFen(amount)} exceeds what the payment sources can still give back (${formatFen(routed)}); nothing was changed`,
      },
      { path: ['amount'], details: { refundId, amount, routed, unrouted: amount - routed } },
    );
  },
  priceFixed(): OrderkitError {
    return orderkitError(
      'PRICE_FIXED_BY_BALANCE',
      { 'zh-CN': '订单已用余额支付部分金额，不能改价；请取消后重新下单', en: 'part of this order is paid from the balance, so its price cannot be adjusted; cancel it and order again' },
      { path: ['newTotal'] },
    );
  },
};

/**
 * The sources of a new order, or the typed error that says why not. `payWith` absent: no sources
 * (WeChat Pay alone, as before).
 *
 * @example
 * planSources('N1', 10000, { balance: 3000 }, '2026-11-25T04:00:00.000Z') // ok: balance 3000 (captured), wechat 7000
 */
export function planSources(number: string, total: number, payWith: unknown, at: string): Result<{ sources: PaymentSource[] | undefined; balance: number }> {
  if (payWith === undefined) return ok({ sources: undefined, balance: 0 });
  if (typeof payWith !== 'object' || payWith === null || Array.isArray(payWith)) {
    return fail(sourceErrors.invalid(['payWith'], 'payWith 须为对象 { balance, wechat? }', 'payWith must be an object { balance, wechat? }'));
  }
  const p = payWith as Record<string, unknown>;
  for (const key of Object.keys(p)) {
    if (key !== 'balance' && key !== 'wechat') return fail(sourceErrors.invalid(['payWith', key], `未知的支付方式 ${key}`, `unknown payment source ${key}`));
  }
  if (!isFen(p['balance']) || p['balance'] < 1) {
    return fail(sourceErrors.invalid(['payWith', 'balance'], '余额支付金额须为正整数（分）', 'the balance amount must be a positive integer of fen'));
  }
  if (p['wechat'] !== undefined && !isFen(p['wechat'])) {
    return fail(sourceErrors.invalid(['payWith', 'wechat'], '微信支付金额须为非负整数（分）', 'the WeChat Pay amount must be a non-negative integer of fen'));
  }
  const balance = p['balance'];
  const wechat = (p['wechat'] as number | undefined) ?? total - balance;
  if (balance > total || balance + wechat !== total) return fail(sourceErrors.mismatch(total, balance, wechat < 0 ? 0 : wechat));
  const outTradeNo = `${number}${BALANCE_SUFFIX}`;
  if (outTradeNo.length > 32) return fail(sourceErrors.invalid(['number'], '订单号过长，无法再加余额支付编号', 'the order number is too long for a balance part'));
  const sources: PaymentSource[] = [{ kind: 'balance', amount: balance, outTradeNo, transactionId: balanceTransactionId(number), paidAt: at }];
  if (wechat > 0) sources.push({ kind: 'wechat', amount: wechat, outTradeNo: number });
  return ok({ sources, balance });
}

/** Fen the balance collected and still holds for this order (0 when it has none or gave it back). */
export function capturedBalance(order: Pick<Order, 'payment'>): number {
  const b = sourceOf(order, 'balance');
  return b !== undefined && b.transactionId !== undefined && b.returnedAt === undefined ? b.amount : 0;
}

/** On PAYMENT_SUCCEEDED: the WeChat source records its transaction. Returns the new sources, or undefined. */
export function paidSources(order: Pick<Order, 'payment'>, transactionId: string, outTradeNo: string, paidAt: string): PaymentSource[] | undefined {
  const sources = paymentSourcesOf(order);
  if (sources === undefined) return undefined;
  return sources.map((s) => (s.kind === 'wechat' ? { ...s, transactionId, outTradeNo, paidAt } : s));
}

/**
 * An order closing unpaid gives back the balance it collected at placement: one `balance.credit`
 * (idempotent by its key), and the source marked returned.
 */
export function undoBalance(draft: Draft, at: string): void {
  const order = draft.order;
  const sources = paymentSourcesOf(order);
  if (sources === undefined || order.payment.transactionId !== undefined) return;
  const b = sources.find((s) => s.kind === 'balance');
  if (b === undefined || b.transactionId === undefined || b.returnedAt !== undefined) return;
  order.payment = { ...order.payment, sources: sources.map((s) => (s === b ? { ...s, returnedAt: at } : s)) };
  draft.effects.push({ type: 'balance.credit', customerId: order.customerId, amount: b.amount, key: `${b.outTradeNo}:undo`, reason: 'order_closed_unpaid' });
  note(draft, 'balanceReturned', b.amount);
}

function creditFor(order: Order, refund: Refund, reason: string): EffectDraft {
  return { type: 'balance.credit', customerId: order.customerId, amount: refund.amount, key: refund.id, refundId: refund.id, reason };
}

/**
 * Routes the ledger entries a command opened on an order with sources (`refundRoutes`), and sets
 * every `payment.refund` to its source's transaction and total (WeChat Pay's refund API needs the
 * original payment's amount, which is the WeChat share, not the order total). An entry routed to
 * the balance gets a `balance.credit` in place of its `payment.refund`. Runs after the command's
 * actions, in `transition()`; a no-op for orders without sources. A refund the sources cannot
 * take in full (the caps keep commands within them; a stored order whose sources do not cover its
 * paid amount does not) is `REFUND_EXCEEDS_SOURCES`: `transition()` then writes nothing, where
 * before the part no source took was silently dropped.
 */
export function routeSourceRefunds(before: Order, draft: Draft): OrderkitError | undefined {
  const order = draft.order;
  const sources = paymentSourcesOf(order);
  if (sources === undefined) return undefined;
  const wechat = sources.find((s) => s.kind === 'wechat');
  const balance = sources.find((s) => s.kind === 'balance');
  const known = new Set(before.refunds.map((r) => r.id));
  const defaultTx = order.payment.transactionId;
  let ledger: Refund[] = order.refunds.filter((r) => known.has(r.id));
  const routes: Array<{ refundId: string; kind: string; amount: number }> = [];
  const replaced = new Map<string, EffectDraft[]>();
  for (const entry of order.refunds) {
    if (known.has(entry.id)) continue;
    const routable = entry.reason !== 'stray_payment' && entry.status === 'pending' && (entry.transactionId === undefined || entry.transactionId === defaultTx);
    if (!routable) {
      ledger = ledger.concat(entry);
      continue;
    }
    const shares = refundRoutes({ ...order, refunds: ledger }, entry.amount);
    const reason = (draft.effects.find((e) => e.type === 'payment.refund' && e.refundId === entry.id) as { reason?: string } | undefined)?.reason ?? entry.reason;
    let routed = 0;
    for (const share of shares) routed += share.amount;
    if (routed !== entry.amount) return sourceErrors.exceedsSources(entry.id, entry.amount, routed);
    const first = shares[0]!;
    const main: Refund = { ...entry, amount: first.amount, transactionId: first.transactionId, outTradeNo: first.outTradeNo };
    const made: Refund[] = [main];
    const effects: EffectDraft[] = [];
    if (first.kind === 'balance') effects.push(creditFor(order, main, reason));
    else effects.push({ type: 'payment.refund', refundId: main.id, outTradeNo: first.outTradeNo, transactionId: first.transactionId, amount: first.amount, total: wechat!.amount, reason });
    routes.push({ refundId: main.id, kind: first.kind, amount: first.amount });
    if (shares.length > 1) {
      const second = shares[1]!;
      const rest: Refund = { ...entry, id: `${entry.id}B`, amount: second.amount, transactionId: second.transactionId, outTradeNo: second.outTradeNo };
      delete rest.afterSaleId;
      made.push(rest);
      effects.push(creditFor(order, rest, reason));
      routes.push({ refundId: rest.id, kind: second.kind, amount: second.amount });
    }
    ledger = ledger.concat(made);
    replaced.set(entry.id, effects);
  }
  if (replaced.size > 0) {
    // Later entries keep their place in the ledger; a split entry's balance share follows it.
    order.refunds = ledger;
    const out: EffectDraft[] = [];
    for (const e of draft.effects) {
      if (e.type === 'payment.refund' && replaced.has(e.refundId)) out.push(...replaced.get(e.refundId)!);
      else out.push(e);
    }
    for (const [id, effects] of replaced) if (!draft.effects.some((e) => e.type === 'payment.refund' && e.refundId === id)) out.push(...effects);
    draft.effects = out;
    note(draft, 'refundRoutes', routes);
  }
  // Retries and re-opened entries: each payment.refund names its source's own total; the balance's become credits.
  for (let i = 0; i < draft.effects.length; i++) {
    const e = draft.effects[i]!;
    if (e.type !== 'payment.refund') continue;
    const s = sourceByTransaction(order, e.transactionId);
    if (s === undefined) continue;
    if (s.kind === 'balance' && balance !== undefined) {
      const entry = order.refunds.find((r) => r.id === e.refundId);
      if (entry !== undefined) draft.effects[i] = creditFor(order, entry, e.reason);
    } else {
      e.total = s.amount;
      e.outTradeNo = s.outTradeNo;
    }
  }
  return undefined;
}
