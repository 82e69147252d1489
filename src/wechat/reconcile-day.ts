import type { LocalizedText, OrderkitError } from '../errors/orderkit-error.js';
import type { Order } from '../order/index.js';
import type { OrderService } from '../service/types.js';
import type { OrderStore } from '../storage/port.js';
import {
  buildBillDownload,
  buildFundFlowBillRequest,
  buildTradeBillRequest,
  checkBillHash,
  parseFundFlowBill,
  parseTradeBill,
  type BillDate,
  type FundFlowBill,
  type TradeBill,
} from './bills.js';
import { AN_OBJECT, badArgument, isObject, isValidDateValue, reject, same } from './errors.js';
import { compareBills, FINDING_TEXT, type FindingOutcome, type ReconciliationFinding } from './reconcile.js';
import { strayEntryOf } from './dispatch.js';
import { orderNumberFromOutTradeNo } from './resources.js';
import type { WechatPayRequest } from './requests.js';
import { ok, fail, type Result } from '../errors/result.js';

/**
 * The daily reconciliation run (docs/wechat.md "Daily reconciliation"): parse both bills (a bad
 * bill is refused before anything is read or written), load the orders they name, compare, apply
 * the planned commands through the service, and report. Every command is idempotent (payments
 * under `recon:pay:<transaction id>`, and a transaction the order already has is a no-op in the
 * lifecycle whoever sends it; refund results are no-ops once recorded), so running the same day
 * twice changes nothing the second time, and a notification arriving after the run changes nothing
 * either.
 */

export type ReconcilingService = Pick<OrderService, 'dispatch' | 'list'> & { readonly store: Pick<OrderStore, 'findByNumber'> };

export interface ReconcileDayOptions {
  billDate: BillDate;
  /** Our merchant id: a bill of another merchant is refused. */
  mchid: string;
  /** The trade bill's text (hash-checked: `downloadWechatPayBills` does it). */
  tradeBill: string | Buffer;
  /** The fund-flow bill's text; without it only the trade bill is compared. */
  fundFlowBill?: string | Buffer;
  /** Default: the current time. */
  now?: Date;
  /** A pending ledger refund older than this is flagged. Default 7 days. */
  staleRefundDays?: number;
  /** Orders created this many days before `now` are read for stale refunds. Default 60. */
  lookbackDays?: number;
  /** The gateway name on the payment actor. Default 'wechatpay'. */
  gateway?: string;
}

export interface ReconciliationReport {
  billDate: BillDate;
  mchid: string;
  generatedAt: string;
  bill: {
    payments: number;
    paymentFen: number;
    refunds: number;
    refundFen: number;
    fundFlow?: { rows: number; inFen: number; outFen: number };
  };
  counts: { matched: number } & Record<FindingOutcome, number>;
  /** Everything that did not simply match, with what was done about it. */
  findings: ReconciliationFinding[];
}

export type ReconcileResult = Result<{ report: ReconciliationReport }>;

function text(bill: string | Buffer): string {
  return typeof bill === 'string' ? bill : bill.toString('utf8');
}

async function ledgerOrders(service: ReconcilingService, now: Date, lookbackDays: number): Promise<Order[]> {
  const out: Order[] = [];
  let cursor: string | null = null;
  const from = new Date(now.getTime() - lookbackDays * 86_400_000);
  // Bounded: at most 100 pages of 100 orders a day's run reads for stale refunds.
  for (let page = 0; page < 100; page++) {
    const result = await service.list({ from, to: now, limit: 100, cursor, order: 'oldest' });
    for (const o of result.items) if (o.refunds.some((r) => r.status === 'pending')) out.push(o);
    cursor = result.nextCursor;
    if (cursor === null) break;
  }
  return out;
}

/**
 * Reconciles one shop day. Returns the report, or the typed error of a bill that is malformed,
 * truncated, altered, of another merchant or of another day; then no order was read or changed.
 *
 * @example
 * const r = await reconcileWechatPayDay(service, { billDate: '2026-11-25', mchid, tradeBill, fundFlowBill });
 * if (r.ok) console.log(formatReconciliationReport(r.report, 'zh-CN'));
 */
export async function reconcileWechatPayDay(service: ReconcilingService, options: ReconcileDayOptions): Promise<ReconcileResult> {
  if (!isObject(service) || typeof service.dispatch !== 'function') return fail(badArgument('reconcileWechatPayDay', 'service', { 'zh-CN': '订单服务', en: 'an order service' }));
  if (!isObject(options)) return fail(badArgument('reconcileWechatPayDay', 'options', AN_OBJECT));
  if (options.now !== undefined && !isValidDateValue(options.now)) return fail(badArgument('reconcileWechatPayDay', 'options.now', { 'zh-CN': '有效的 Date', en: 'a valid Date' }));
  const now = options.now ?? new Date();
  if (typeof options?.mchid !== 'string' || !/^\d{6,32}$/.test(options.mchid)) return reject('INVALID_CONFIG', { path: ['mchid'], detail: same('mchid must be digits') });
  if (typeof options.tradeBill !== 'string' && !Buffer.isBuffer(options.tradeBill)) return reject('BILL_MALFORMED', { path: ['tradeBill'], detail: same('the trade bill must be text') });
  const trade = parseTradeBill(text(options.tradeBill), { billDate: options.billDate, mchid: options.mchid });
  if (!trade.ok) return trade;
  let fundFlow: FundFlowBill | undefined;
  if (options.fundFlowBill !== undefined) {
    const parsed = parseFundFlowBill(text(options.fundFlowBill), { billDate: options.billDate });
    if (!parsed.ok) return parsed;
    fundFlow = parsed;
  }

  const numbers = new Set<string>();
  for (const row of [...trade.payments, ...trade.refunds]) {
    numbers.add(orderNumberFromOutTradeNo(row.outTradeNo));
    // A shop's own number may end like an attempt suffix: the whole out_trade_no may be the number.
    numbers.add(row.outTradeNo);
  }
  const orders = new Map<string, Order | null>();
  for (const n of numbers) orders.set(n, await service.store.findByNumber(n));
  const comparison = compareBills({
    billDate: options.billDate,
    trade,
    ...(fundFlow ? { fundFlow } : {}),
    orders,
    ledgerOrders: await ledgerOrders(service, now, options.lookbackDays ?? 60),
    now,
    staleRefundDays: options.staleRefundDays ?? 7,
  });

  const gateway = options.gateway ?? 'wechatpay';
  const findings: ReconciliationFinding[] = [];
  for (const plan of comparison.planned) {
    const f = plan.finding;
    // The service keeps a payment that cannot pay the order as a stray payment (and refunds it):
    // `strayPayment` says so (createOrderService's default recordStrayPayments: true).
    const r = await service.dispatch(plan.orderId, plan.command, { type: 'payment', gateway }, plan.idempotencyKey ? { idempotencyKey: plan.idempotencyKey } : {});
    if (!r.ok) findings.push({ ...f, outcome: 'flagged', code: r.error.code, message: r.error.messages });
    else if (plan.command.type !== 'PAYMENT_SUCCEEDED') findings.push({ ...f, outcome: 'recorded', message: FINDING_TEXT[f.kind] });
    else if (r.strayPayment !== undefined) findings.push({ ...f, outcome: 'stray', code: r.strayPayment.code, message: FINDING_TEXT[f.kind] });
    // A payment for a closed order: the lifecycle keeps it as stray and refunds it by itself.
    else if (strayEntryOf(r.order, plan.command.transactionId) !== undefined) findings.push({ ...f, outcome: 'stray', message: FINDING_TEXT[f.kind] });
    else findings.push({ ...f, outcome: 'applied', message: FINDING_TEXT[f.kind] });
  }
  findings.push(...comparison.findings);

  const counts: ReconciliationReport['counts'] = { matched: comparison.matched, applied: 0, stray: 0, recorded: 0, flagged: 0, waiting: 0 };
  for (const f of findings) counts[f.outcome]++;
  const report: ReconciliationReport = {
    billDate: options.billDate,
    mchid: options.mchid,
    generatedAt: now.toISOString(),
    bill: summary(trade, fundFlow),
    counts,
    findings,
  };
  return ok({ report });
}

function summary(trade: TradeBill, fundFlow: FundFlowBill | undefined): ReconciliationReport['bill'] {
  const bill: ReconciliationReport['bill'] = {
    payments: trade.payments.length,
    paymentFen: trade.payments.reduce((s, p) => s + p.amount, 0),
    refunds: trade.refunds.length,
    refundFen: trade.refunds.reduce((s, r) => s + r.amount, 0),
  };
  if (fundFlow) bill.fundFlow = { rows: fundFlow.totals.rows, inFen: fundFlow.totals.inFen, outFen: fundFlow.totals.outFen };
  return bill;
}

export interface DownloadBillsOptions {
  billDate: BillDate;
  /** Sends a signed v3 request; resolves with the JSON body of a 2xx answer. */
  send: (request: WechatPayRequest) => Promise<unknown>;
  /** Sends the signed download request; resolves with the file's bytes (or text). */
  download: (request: WechatPayRequest) => Promise<string | Buffer | Uint8Array>;
  /** Default true. */
  fundFlow?: boolean;
}

/**
 * Downloads the day's trade bill (and fund-flow bill) through the caller's HTTP functions, as the
 * payment query does, and checks each file's SHA-1 against the bill answer. A transport error is
 * `BILL_DOWNLOAD_FAILED`, a file that does not match its hash `BILL_HASH_MISMATCH`.
 *
 * @example
 * const bills = await downloadWechatPayBills({ billDate: '2026-11-25', send, download });
 * if (bills.ok) await reconcileWechatPayDay(service, { billDate, mchid, ...bills });
 */
export async function downloadWechatPayBills(
  options: DownloadBillsOptions,
): Promise<Result<{ tradeBill: string; fundFlowBill?: string }>> {
  if (!isObject(options)) return fail(badArgument('downloadWechatPayBills', 'options', AN_OBJECT));
  if (typeof options.send !== 'function') return fail(badArgument('downloadWechatPayBills', 'options.send', { 'zh-CN': '函数', en: 'a function' }));
  if (typeof options.download !== 'function') return fail(badArgument('downloadWechatPayBills', 'options.download', { 'zh-CN': '函数', en: 'a function' }));
  const fetchOne = async (built: ReturnType<typeof buildTradeBillRequest>, which: string) => {
    if (!built.ok) return built;
    let answer: unknown;
    let file: string | Buffer | Uint8Array;
    try {
      answer = await options.send(built.request);
    } catch (e) {
      return reject('BILL_DOWNLOAD_FAILED', { path: [which], detail: same(e instanceof Error ? e.message.slice(0, 120) : 'the request failed') });
    }
    const where = buildBillDownload(answer);
    if (!where.ok) return where;
    try {
      file = await options.download(where.request);
    } catch (e) {
      return reject('BILL_DOWNLOAD_FAILED', { path: [which], detail: same(e instanceof Error ? e.message.slice(0, 120) : 'the download failed') });
    }
    if (typeof file !== 'string' && !(file instanceof Uint8Array)) return reject('BILL_DOWNLOAD_FAILED', { path: [which], detail: same('the download gave no bytes') });
    return checkBillHash(file, where.hashValue);
  };
  const trade = await fetchOne(buildTradeBillRequest(options.billDate), 'tradeBill');
  if (!trade.ok) return trade;
  if (options.fundFlow === false) return ok({ tradeBill: trade.text });
  const flow = await fetchOne(buildFundFlowBillRequest(options.billDate), 'fundFlowBill');
  if (!flow.ok) return flow;
  return ok({ tradeBill: trade.text, fundFlowBill: flow.text });
}

const OUTCOME_TEXT: Readonly<Record<FindingOutcome, LocalizedText>> = {
  applied: { 'zh-CN': '已补记为订单支付', en: 'applied as the payment' },
  stray: { 'zh-CN': '已记为异常支付并原路退回', en: 'kept as a stray payment and refunded' },
  recorded: { 'zh-CN': '已记入退款台账', en: 'recorded in the refund ledger' },
  flagged: { 'zh-CN': '需人工处理', en: 'needs a person' },
  waiting: { 'zh-CN': '等待结果', en: 'waiting' },
};

function yuan(fen: number): string {
  return `¥${(fen / 100).toFixed(2)}`;
}

/**
 * The report as plain text in one language, for a log, a mail or a dashboard panel.
 *
 * @example
 * formatReconciliationReport(report, 'en').split('\n')[0] // 'WeChat Pay reconciliation 2026-11-25 (merchant 1900000109)'
 */
export function formatReconciliationReport(report: ReconciliationReport, locale: 'zh-CN' | 'en'): string {
  if (
    !isObject(report) ||
    !isObject(report.counts) ||
    !isObject(report.bill) ||
    !Array.isArray(report.findings) ||
    !report.findings.every((f: unknown) => isObject(f) && isObject(f.message) && Object.prototype.hasOwnProperty.call(OUTCOME_TEXT, f.outcome))
  ) {
    throw badArgument('formatReconciliationReport', 'report', { 'zh-CN': 'reconcileWechatPayDay 的报告', en: 'a report from reconcileWechatPayDay' });
  }
  if (locale !== 'zh-CN' && locale !== 'en') throw badArgument('formatReconciliationReport', 'locale', { 'zh-CN': "'zh-CN' 或 'en'", en: "'zh-CN' or 'en'" });
  const zh = locale === 'zh-CN';
  const c = report.counts;
  const lines = [
    zh ? `微信支付对账 ${report.billDate}（商户号 ${report.mchid}）` : `WeChat Pay reconciliation ${report.billDate} (merchant ${report.mchid})`,
    zh
      ? `账单：支付 ${report.bill.payments} 笔 ${yuan(report.bill.paymentFen)}，退款 ${report.bill.refunds} 笔 ${yuan(report.bill.refundFen)}`
      : `Bill: ${report.bill.payments} payments ${yuan(report.bill.paymentFen)}, ${report.bill.refunds} refunds ${yuan(report.bill.refundFen)}`,
    zh
      ? `一致 ${c.matched}，补记支付 ${c.applied}，异常支付 ${c.stray}，记入台账 ${c.recorded}，待处理 ${c.flagged}，等待 ${c.waiting}`
      : `Matched ${c.matched}, applied ${c.applied}, stray ${c.stray}, recorded ${c.recorded}, flagged ${c.flagged}, waiting ${c.waiting}`,
  ];
  for (const f of report.findings) {
    const ids = [f.orderNumber, f.transactionId, f.refundId].filter((x) => x !== undefined && x !== '').join(' ');
    const differs = f.recordedAmount !== undefined ? (zh ? `（订单记录 ${yuan(f.recordedAmount)}）` : ` (recorded ${yuan(f.recordedAmount)})`) : '';
    const code = f.code !== undefined ? ` [${f.code}]` : '';
    lines.push(`- ${f.message[locale]}: ${ids} ${yuan(f.amount)}${differs} → ${OUTCOME_TEXT[f.outcome][locale]}${code}`);
  }
  return lines.join('\n');
}
