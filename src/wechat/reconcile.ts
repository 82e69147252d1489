import type { LocalizedText } from '../errors/orderkit-error.js';
import type { CommandOf, Order } from '../order/index.js';
import type { BillDate, BillPayment, BillRefund, FundFlowBill, TradeBill } from './bills.js';
import { orderNumberFromOutTradeNo } from './resources.js';
import { badArgument, isObject, isValidDateValue } from './errors.js';

/**
 * The daily comparison (对账), docs/wechat.md "Daily reconciliation": what WeChat's bills say
 * happened against what the orders and the refund ledger say. Pure: it reads the bills and the
 * orders and plans commands; `reconcileWechatPayDay` loads the orders, applies the plan through
 * the service and writes the report.
 */

export const FINDING_KINDS = [
  'payment_missing',
  'payment_amount_differs',
  'unknown_order',
  'refund_result_missing',
  'refund_not_in_ledger',
  'refund_amount_differs',
  'refund_processing',
  'refund_missing_from_bills',
  'fund_flow_only',
] as const;
export type FindingKind = (typeof FINDING_KINDS)[number];

/** What became of a finding: a command applied it, the service kept it as a stray payment, or it needs a person. */
export type FindingOutcome = 'applied' | 'stray' | 'recorded' | 'flagged' | 'waiting';

export const FINDING_TEXT: Readonly<Record<FindingKind, LocalizedText>> = {
  payment_missing: { 'zh-CN': '账单有支付，订单未记录', en: 'a payment in the bill is missing from the order' },
  payment_amount_differs: { 'zh-CN': '账单支付金额与订单记录不同', en: "the bill's payment amount differs from the order's" },
  unknown_order: { 'zh-CN': '账单中的商户订单号没有对应订单', en: "the bill's out_trade_no matches no order" },
  refund_result_missing: { 'zh-CN': '账单有退款成功，台账未记录结果', en: 'a refund succeeded in the bill but not in the ledger' },
  refund_not_in_ledger: { 'zh-CN': '账单有退款，台账中没有这笔退款', en: 'a refund in the bill is not in the refund ledger' },
  refund_amount_differs: { 'zh-CN': '账单退款金额与台账不同', en: "the bill's refund amount differs from the ledger's" },
  refund_processing: { 'zh-CN': '退款处理中，等待结果', en: 'the refund is still processing' },
  refund_missing_from_bills: { 'zh-CN': '台账中的退款多日未出现在账单中', en: 'a ledger refund has been missing from the bills for days' },
  fund_flow_only: { 'zh-CN': '资金账单有记录，交易账单没有', en: 'the fund-flow bill has a movement the trade bill does not' },
};

export interface ReconciliationFinding {
  kind: FindingKind;
  outcome: FindingOutcome;
  orderNumber?: string;
  orderId?: string;
  transactionId?: string;
  refundId?: string;
  /** Fen as the bill says (or the ledger, for refunds missing from the bills). */
  amount: number;
  /** Fen the order or ledger says, where it differs. */
  recordedAmount?: number;
  /** The typed error that refused the command, when one did. */
  code?: string;
  message: LocalizedText;
}

/** A command the comparison wants applied to one order. */
export interface PlannedCommand {
  orderId: string;
  command: CommandOf<'PAYMENT_SUCCEEDED'> | CommandOf<'REFUND_SUCCEEDED'> | CommandOf<'RECORD_GATEWAY_REFUND'>;
  /** The bill row it comes from (for the finding). */
  finding: Omit<ReconciliationFinding, 'outcome' | 'message'>;
  idempotencyKey?: string;
}

export interface ComparisonInput {
  billDate: BillDate;
  trade: TradeBill;
  fundFlow?: FundFlowBill;
  /** The order of every order number in the bill (null: none has it). */
  orders: ReadonlyMap<string, Order | null>;
  /** Orders whose pending refunds may be stale (any orders; only pending refunds are read). */
  ledgerOrders?: readonly Order[];
  now: Date;
  /** A pending ledger refund older than this many days is flagged. Default 7. */
  staleRefundDays?: number;
}

export interface Comparison {
  /** Commands to apply, in bill order (payments before refunds). */
  planned: PlannedCommand[];
  /** Findings that need no command (flagged or waiting), already final. */
  findings: ReconciliationFinding[];
  /** Bill rows that agree with the orders. */
  matched: number;
}

/**
 * The order an `out_trade_no` belongs to: the one numbered like it without an attempt suffix, or,
 * when that one has no such attempt, the one numbered like the whole `out_trade_no` (a shop's own
 * number may end in `-<n>` itself, `WX-20261125-002`). `orders` may hold both numbers.
 */
export function orderOfOutTradeNo(orders: ReadonlyMap<string, Order | null>, outTradeNo: string): Order | null | undefined {
  const base = orders.get(orderNumberFromOutTradeNo(outTradeNo));
  const hasAttempt = (o: Order | null | undefined) => o !== null && o !== undefined && o.payment.attempts.some((a) => a.outTradeNo === outTradeNo);
  if (hasAttempt(base)) return base;
  const whole = orders.get(outTradeNo);
  return hasAttempt(whole) ? whole : (base ?? whole);
}

function finding(kind: FindingKind, outcome: FindingOutcome, fields: Omit<ReconciliationFinding, 'kind' | 'outcome' | 'message'>): ReconciliationFinding {
  return { kind, outcome, ...fields, message: FINDING_TEXT[kind] };
}

function comparePayment(p: BillPayment, order: Order | null | undefined, out: Comparison): void {
  const orderNumber = orderNumberFromOutTradeNo(p.outTradeNo);
  const base = { orderNumber, transactionId: p.transactionId, amount: p.amount };
  if (order === null || order === undefined) {
    out.findings.push(finding('unknown_order', 'flagged', base));
    return;
  }
  if (order.payment.transactionId === p.transactionId) {
    const paid = order.payment.attempts.find((a) => a.outTradeNo === p.outTradeNo)?.amount ?? order.payment.paidAmount;
    if (paid === p.amount) out.matched++;
    else out.findings.push(finding('payment_amount_differs', 'flagged', { ...base, orderId: order.id, recordedAmount: paid }));
    return;
  }
  const stray = order.payment.stray.find((s) => s.transactionId === p.transactionId);
  if (stray !== undefined) {
    if (stray.amount === p.amount) out.matched++;
    else out.findings.push(finding('payment_amount_differs', 'flagged', { ...base, orderId: order.id, recordedAmount: stray.amount }));
    return;
  }
  // Missing: applied as the payment, or kept as a stray payment (and refunded) by the service.
  out.planned.push({
    orderId: order.id,
    command: { type: 'PAYMENT_SUCCEEDED', amount: p.amount, transactionId: p.transactionId, outTradeNo: p.outTradeNo, paidAt: p.at },
    finding: { kind: 'payment_missing', ...base, orderId: order.id },
    // Its own key: the notification's `pay:<id>` may come later with another payload (its own
    // success time), which a shared key would refuse as IDEMPOTENCY_KEY_REUSED. A later
    // notification of the same transaction is a no-op in the lifecycle instead.
    idempotencyKey: `recon:pay:${p.transactionId}`,
  });
}

function compareRefund(r: BillRefund, order: Order | null | undefined, out: Comparison): void {
  const orderNumber = orderNumberFromOutTradeNo(r.outTradeNo);
  const base = { orderNumber, transactionId: r.transactionId, refundId: r.refundId, amount: r.amount };
  if (order === null || order === undefined) {
    out.findings.push(finding('unknown_order', 'flagged', base));
    return;
  }
  if (r.status !== 'SUCCESS') {
    out.findings.push(finding('refund_processing', 'waiting', { ...base, orderId: order.id }));
    return;
  }
  const entry = order.refunds.find((x) => x.id === r.refundId);
  if (entry === undefined) {
    const command: CommandOf<'RECORD_GATEWAY_REFUND'> = { type: 'RECORD_GATEWAY_REFUND', refundId: r.refundId, amount: r.amount, transactionId: r.transactionId, succeededAt: r.at };
    if (r.gatewayRefundId !== '') command.gatewayRefundId = r.gatewayRefundId.slice(0, 64);
    if (r.outTradeNo !== '') command.outTradeNo = r.outTradeNo;
    out.planned.push({ orderId: order.id, command, finding: { kind: 'refund_not_in_ledger', ...base, orderId: order.id } });
    return;
  }
  if (entry.amount !== r.amount) {
    out.findings.push(finding('refund_amount_differs', 'flagged', { ...base, orderId: order.id, recordedAmount: entry.amount }));
    return;
  }
  if (entry.status === 'succeeded') {
    out.matched++;
    return;
  }
  const command: CommandOf<'REFUND_SUCCEEDED'> = { type: 'REFUND_SUCCEEDED', refundId: r.refundId, amount: r.amount, succeededAt: r.at };
  if (r.gatewayRefundId !== '') command.gatewayRefundId = r.gatewayRefundId.slice(0, 64);
  out.planned.push({ orderId: order.id, command, finding: { kind: 'refund_result_missing', ...base, orderId: order.id } });
}

/**
 * Compares one day's bills with the orders and the ledger and plans what to apply:
 * - a payment the order does not have → PAYMENT_SUCCEEDED (the service applies it as the payment,
 *   or keeps it as a stray payment and refunds it when it cannot pay the order: a differing
 *   amount, a superseded attempt, an order already paid or closed);
 * - a refund the ledger has as pending or failed → REFUND_SUCCEEDED; one it does not have at all
 *   → RECORD_GATEWAY_REFUND;
 * - a differing amount on a recorded payment or refund, an order number no order has, a
 *   movement only the fund-flow bill shows → flagged for a person;
 * - a pending ledger refund older than `staleRefundDays` → flagged (each day's run records the
 *   bills' refunds, so one still pending has been missing from them).
 *
 * @example
 * const plan = compareBills({ billDate, trade, orders: new Map(orders.map((o) => [o.number, o])), now: new Date() });
 */
export function compareBills(input: ComparisonInput): Comparison {
  if (
    !isObject(input) ||
    !isObject(input.trade) ||
    !Array.isArray(input.trade.payments) ||
    !Array.isArray(input.trade.refunds) ||
    !(input.orders instanceof Map) ||
    !isValidDateValue(input.now) ||
    (input.fundFlow !== undefined && !(isObject(input.fundFlow) && Array.isArray(input.fundFlow.entries))) ||
    (input.ledgerOrders !== undefined && !Array.isArray(input.ledgerOrders))
  ) {
    throw badArgument('compareBills', 'input', { 'zh-CN': '{ billDate, trade, orders: Map, now: Date, … }', en: '{ billDate, trade, orders: Map, now: Date, … }' });
  }
  const out: Comparison = { planned: [], findings: [], matched: 0 };
  const orderOf = (outTradeNo: string) => orderOfOutTradeNo(input.orders, outTradeNo);
  for (const p of input.trade.payments) comparePayment(p, orderOf(p.outTradeNo), out);
  for (const r of input.trade.refunds) compareRefund(r, orderOf(r.outTradeNo), out);

  if (input.fundFlow !== undefined) {
    const known = new Set<string>();
    for (const p of input.trade.payments) known.add(p.transactionId).add(p.outTradeNo);
    for (const r of input.trade.refunds) known.add(r.refundId).add(r.gatewayRefundId);
    for (const e of input.fundFlow.entries) {
      // Only the movements of trades and refunds can be matched; fees, withdrawals… are not orders.
      const isTrade = e.businessType === '交易' || e.businessName === '交易';
      const isRefund = e.businessType === '退款' || e.businessName === '退款';
      if (!isTrade && !isRefund) continue;
      if (known.has(e.gatewayId) || (e.voucher !== '' && known.has(e.voucher))) continue;
      const f: Omit<ReconciliationFinding, 'kind' | 'outcome' | 'message'> = { amount: e.amount };
      if (e.voucher !== '') {
        if (isRefund) f.refundId = e.voucher;
        else f.orderNumber = orderNumberFromOutTradeNo(e.voucher);
      }
      if (isTrade && e.gatewayId !== '') f.transactionId = e.gatewayId;
      out.findings.push(finding('fund_flow_only', 'flagged', f));
    }
  }

  const staleMs = (input.staleRefundDays ?? 7) * 86_400_000;
  const seen = new Set<string>();
  for (const order of input.ledgerOrders ?? []) {
    for (const r of order.refunds) {
      if (r.status !== 'pending' || seen.has(`${order.id}\u0000${r.id}`)) continue;
      seen.add(`${order.id}\u0000${r.id}`);
      const age = input.now.getTime() - Date.parse(r.createdAt);
      // A refund the bill just settled is not stale: it is planned above.
      const settledNow = input.trade.refunds.some((b) => b.refundId === r.id && b.status === 'SUCCESS');
      if (age > staleMs && !settledNow) {
        const f: Omit<ReconciliationFinding, 'kind' | 'outcome' | 'message'> = { orderNumber: order.number, orderId: order.id, refundId: r.id, amount: r.amount };
        if (r.transactionId !== undefined) f.transactionId = r.transactionId;
        out.findings.push(finding('refund_missing_from_bills', 'flagged', f));
      }
    }
  }
  return out;
}
