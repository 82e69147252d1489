import { createHash } from 'node:crypto';
import type { OrderkitError } from '../errors/orderkit-error.js';
import { A_STRING, badArgument, reject, same } from './errors.js';
import type { WechatPayRequest } from './requests.js';
import { isRecord } from './text.js';
import { parseBeijingDateTime } from './time.js';
import { ok, fail, type Result, type Failure } from '../errors/result.js';

/**
 * WeChat Pay's daily bills (对账单), docs/wechat.md "Daily reconciliation". Both are text files:
 * a header row of column names, one row per record with every field prefixed by a backtick (so
 * spreadsheets keep long numbers as text), then a totals header and one totals row. Amounts are
 * yuan with two decimals (fees with more); orderkit turns them into integer fen and checks the
 * totals against the rows, so a truncated or altered file is refused before anything is compared.
 */

/** A shop day: `YYYY-MM-DD` in Beijing time, as `bill_date` takes it. */
export type BillDate = string;

const BILL_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

function checkBillDate(billDate: unknown): Failure | null {
  if (typeof billDate !== 'string' || !BILL_DATE.test(billDate) || parseBeijingDateTime(`${billDate} 00:00:00`) === null) {
    return reject('INVALID_REQUEST', { path: ['billDate'], detail: same('bill_date must be YYYY-MM-DD') });
  }
  return null;
}

/**
 * `GET /v3/bill/tradebill?bill_date=…&bill_type=ALL` (申请交易账单): answers `{ hash_type,
 * hash_value, download_url }`; download the file with `buildBillDownload`.
 *
 * @example
 * buildTradeBillRequest('2026-11-25') // { method: 'GET', path: '/v3/bill/tradebill?bill_date=2026-11-25&bill_type=ALL' }
 */
export function buildTradeBillRequest(billDate: BillDate): Result<{ request: WechatPayRequest }> {
  const bad = checkBillDate(billDate);
  if (bad) return bad;
  return ok({ request: { method: 'GET', path: `/v3/bill/tradebill?bill_date=${billDate}&bill_type=ALL` } });
}

/**
 * `GET /v3/bill/fundflowbill?bill_date=…&account_type=BASIC` (申请资金账单), the basic account's
 * money movements of the day.
 *
 * @example
 * buildFundFlowBillRequest('2026-11-25')
 */
export function buildFundFlowBillRequest(billDate: BillDate): Result<{ request: WechatPayRequest }> {
  const bad = checkBillDate(billDate);
  if (bad) return bad;
  return ok({ request: { method: 'GET', path: `/v3/bill/fundflowbill?bill_date=${billDate}&account_type=BASIC` } });
}

export interface BillLocation {
  hashType: 'SHA1';
  hashValue: string;
  /** The signed GET to send for the file (the path and query of `download_url`). */
  request: WechatPayRequest;
}

/**
 * Reads the answer of a bill request: the download as a request to sign and send (only the path
 * and query of `download_url` are kept: the file comes from the same API host), and the SHA-1 the
 * file must have.
 *
 * @example
 * const asked = buildTradeBillRequest(day);
 * const where = asked.ok ? buildBillDownload(await send(asked.request)) : asked;
 * const text = where.ok ? await download(where.request) : null;
 */
export function buildBillDownload(answer: unknown): Result<BillLocation> {
  if (!isRecord(answer)) return reject('MALFORMED_RESOURCE', { path: ['answer'], detail: same('not an object') });
  const { hash_type: hashType, hash_value: hashValue, download_url: url } = answer;
  if (hashType !== 'SHA1' || typeof hashValue !== 'string' || !/^[0-9a-fA-F]{40}$/.test(hashValue)) {
    return reject('MALFORMED_RESOURCE', { path: ['answer', 'hash_value'], detail: same('expected hash_type SHA1 and a 40-digit hex hash_value') });
  }
  let path: string;
  try {
    if (typeof url !== 'string') throw new Error('no url');
    const parsed = new URL(url);
    if (parsed.protocol !== 'https:' || !parsed.pathname.startsWith('/v3/billdownload/')) throw new Error('unexpected url');
    path = `${parsed.pathname}${parsed.search}`;
  } catch {
    return reject('MALFORMED_RESOURCE', { path: ['answer', 'download_url'], detail: same('expected an https /v3/billdownload/file URL') });
  }
  return ok({ hashType: 'SHA1', hashValue: hashValue.toLowerCase(), request: { method: 'GET', path } });
}

/**
 * Checks the downloaded bytes against the SHA-1 of the bill answer: a truncated or altered
 * download is `BILL_HASH_MISMATCH`.
 *
 * @example
 * const text = checkBillHash(bytes, where.hashValue);
 */
export function checkBillHash(file: string | Buffer | Uint8Array, hashValue: string): Result<{ text: string }> {
  if (typeof file !== 'string' && !(file instanceof Uint8Array)) return fail(badArgument('checkBillHash', 'file', { 'zh-CN': '字符串或字节', en: 'a string or bytes' }));
  if (typeof hashValue !== 'string') return fail(badArgument('checkBillHash', 'hashValue', A_STRING));
  const bytes = typeof file === 'string' ? Buffer.from(file, 'utf8') : Buffer.from(file.buffer, file.byteOffset, file.byteLength);
  const actual = createHash('sha1').update(bytes).digest('hex');
  if (typeof hashValue !== 'string' || actual !== hashValue.toLowerCase()) {
    return reject('BILL_HASH_MISMATCH', { path: ['bill'], details: { expected: String(hashValue).slice(0, 40), actual } });
  }
  return ok({ text: bytes.toString('utf8') });
}

/** The trade bill's columns (交易账单 ALL), in Tencent's order. */
export const TRADE_BILL_COLUMNS = [
  '交易时间',
  '公众账号ID',
  '商户号',
  '特约商户号',
  '设备号',
  '微信订单号',
  '商户订单号',
  '用户标识',
  '交易类型',
  '交易状态',
  '付款银行',
  '货币种类',
  '应结订单金额',
  '代金券金额',
  '微信退款单号',
  '商户退款单号',
  '退款金额',
  '充值券退款金额',
  '退款类型',
  '退款状态',
  '商品名称',
  '商户数据包',
  '手续费',
  '费率',
  '订单金额',
  '申请退款金额',
  '费率备注',
] as const;
export const TRADE_BILL_TOTAL_COLUMNS = ['总交易单数', '应结订单总金额', '退款总金额', '充值券退款总金额', '手续费总金额', '订单总金额', '申请退款总金额'] as const;

/** The fund-flow bill's columns (资金账单). */
export const FUND_FLOW_BILL_COLUMNS = [
  '记账时间',
  '微信支付业务单号',
  '资金流水单号',
  '业务名称',
  '业务类型',
  '收支类型',
  '收支金额（元）',
  '账户结余（元）',
  '资金变更提交申请人',
  '备注',
  '业务凭证号',
] as const;
export const FUND_FLOW_BILL_TOTAL_COLUMNS = ['资金流水总笔数', '收入笔数', '收入金额', '支出笔数', '支出金额'] as const;

/** One payment of the trade bill (交易状态 SUCCESS). */
export interface BillPayment {
  kind: 'payment';
  /** Line of the file (1-based), for reports. */
  line: number;
  at: string;
  mchid: string;
  appid: string;
  transactionId: string;
  outTradeNo: string;
  /** 订单金额 in fen (what `amount.total` was). */
  amount: number;
  /** 应结订单金额 in fen. */
  settlementAmount: number;
  attach: string;
}

/** One refund of the trade bill (交易状态 REFUND). */
export interface BillRefund {
  kind: 'refund';
  line: number;
  at: string;
  mchid: string;
  transactionId: string;
  outTradeNo: string;
  gatewayRefundId: string;
  /** 商户退款单号: orderkit's refund id. */
  refundId: string;
  /** 申请退款金额 in fen (what the refund asked for), else 退款金额. */
  amount: number;
  /** SUCCESS, PROCESSING, … as the bill says. */
  status: string;
}

export interface TradeBill {
  billDate: BillDate;
  payments: BillPayment[];
  refunds: BillRefund[];
  /** Other rows (revoked, closed…) by trade state, counted only. */
  otherRows: number;
  totals: { rows: number; settlementFen: number; refundFen: number; orderFen: number; requestedRefundFen: number };
}

/** One movement of the fund-flow bill. */
export interface FundFlowEntry {
  line: number;
  at: string;
  /** 微信支付业务单号: the transaction or WeChat refund id. */
  gatewayId: string;
  flowId: string;
  businessName: string;
  businessType: string;
  direction: 'in' | 'out';
  amount: number;
  /** 业务凭证号: the merchant's order or refund number. */
  voucher: string;
}

export interface FundFlowBill {
  billDate: BillDate;
  entries: FundFlowEntry[];
  totals: { rows: number; inCount: number; inFen: number; outCount: number; outFen: number };
}

type Fail = Failure;

function malformed(line: number, en: string, zh: string): Fail {
  return reject('BILL_MALFORMED', { path: ['bill', line], detail: { 'zh-CN': `第 ${line} 行：${zh}`, en: `line ${line}: ${en}` } });
}

/** The fields of one row: comma-separated, each starting with a backtick (a header has none). */
function fields(text: string, line: number, ticked: boolean): string[] | Fail {
  const parts = text.split(',');
  if (!ticked) return parts.map((p) => p.trim());
  const out: string[] = [];
  for (const p of parts) {
    if (!p.startsWith('`')) return malformed(line, 'a field does not start with a backtick', '字段未以反引号开头');
    out.push(p.slice(1).trim());
  }
  return out;
}

/**
 * Decimal yuan to an integer count of 10^-scale yuan, exactly (no floating point): '48.00' → 4800
 * at scale 2. More decimals than `scale` or anything else is null.
 */
function decimal(text: string, scale: number): number | null {
  const m = /^(-?)(\d{1,10})(?:\.(\d+))?$/.exec(text);
  if (!m) return null;
  const frac = m[3] ?? '';
  if (frac.length > scale) return null;
  const value = Number(m[2]) * 10 ** scale + Number(frac.padEnd(scale, '0') || '0');
  return m[1] === '-' ? -value : value;
}

/** '0.60%' style fees have up to 5 decimals: kept at 10^-5 yuan for the totals check. */
const FEE_SCALE = 5;

interface Table {
  header: string[];
  rows: Array<{ line: number; values: string[] }>;
  totalsHeader: string[];
  totals: string[];
  totalsLine: number;
}

function splitTable(text: unknown, columns: readonly string[], totalColumns: readonly string[]): Table | Fail {
  if (typeof text !== 'string') return reject('BILL_MALFORMED', { path: ['bill'], detail: same('the bill must be text') });
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  while (lines.length > 0 && lines[lines.length - 1]!.trim() === '') lines.pop();
  if (lines.length === 0) return reject('BILL_TRUNCATED', { path: ['bill'], detail: same('the bill is empty') });
  const header = fields(lines[0]!, 1, false) as string[];
  for (const c of columns.slice(0, 11)) {
    if (!header.includes(c)) return malformed(1, `the header has no column ${c}`, `表头缺少列 ${c}`);
  }
  const totalsAt = lines.findIndex((l, i) => i > 0 && l.split(',')[0]!.trim() === totalColumns[0]);
  if (totalsAt < 0 || totalsAt + 1 >= lines.length) {
    return reject('BILL_TRUNCATED', { path: ['bill'], detail: { 'zh-CN': '缺少汇总行', en: 'the totals section is missing' } });
  }
  if (totalsAt + 2 < lines.length) return malformed(totalsAt + 3, 'text after the totals row', '汇总行之后还有内容');
  const rows: Table['rows'] = [];
  for (let i = 1; i < totalsAt; i++) {
    const line = i + 1;
    if (lines[i]!.trim() === '') return malformed(line, 'an empty row', '空行');
    const values = fields(lines[i]!, line, true);
    if (!Array.isArray(values)) return values;
    if (values.length !== header.length) return malformed(line, `${values.length} fields, the header has ${header.length}`, `有 ${values.length} 个字段，表头为 ${header.length} 个`);
    rows.push({ line, values });
  }
  const totalsHeader = fields(lines[totalsAt]!, totalsAt + 1, false) as string[];
  for (const c of totalColumns.slice(0, 3)) {
    if (!totalsHeader.includes(c)) return malformed(totalsAt + 1, `the totals header has no column ${c}`, `汇总表头缺少列 ${c}`);
  }
  const totals = fields(lines[totalsAt + 1]!, totalsAt + 2, true);
  if (!Array.isArray(totals)) return totals;
  if (totals.length !== totalsHeader.length) return malformed(totalsAt + 2, 'the totals row does not match its header', '汇总行与汇总表头不一致');
  return { header, rows, totalsHeader, totals, totalsLine: totalsAt + 2 };
}

function duplicateRow(line: number, first: number, what: string): Fail {
  return malformed(line, `${what} repeats line ${first}`, `${what}与第 ${first} 行重复`);
}

function dayOf(text: string, line: number, column: string, billDate: string): { ok: true; at: string } | Fail {
  const at = parseBeijingDateTime(text);
  if (at === null) return malformed(line, `${column} is not a date and time`, `${column}不是日期时间`);
  if (!text.startsWith(billDate)) {
    return reject('BILL_DATE_MISMATCH', {
      path: ['bill', line],
      detail: { 'zh-CN': `第 ${line} 行的时间 ${text} 不在 ${billDate}`, en: `line ${line} is dated ${text}, not ${billDate}` },
    });
  }
  return ok({ at: at.toISOString() });
}

function totalsMismatch(what: string, stated: number, counted: number): Fail {
  return reject('BILL_TOTALS_MISMATCH', {
    path: ['bill', 'totals', what],
    detail: { 'zh-CN': `${what}：汇总为 ${stated}，明细合计为 ${counted}`, en: `${what}: the totals say ${stated}, the rows add up to ${counted}` },
    details: { column: what, stated, counted },
  });
}

export interface ParseBillOptions {
  /** The day the bill must be for (every row dated that day, Beijing time). */
  billDate: BillDate;
  /** Our merchant id: a row of another merchant refuses the whole bill (trade bill only). */
  mchid?: string;
}

/**
 * Parses a trade bill (交易账单, `bill_type=ALL`) and checks it: every field backtick-prefixed,
 * every row as wide as the header, every row of `billDate` and of `mchid`, every amount a decimal
 * with at most two places, no payment (微信订单号) or refund (商户退款单号) listed twice, and the
 * totals row equal to the rows (count, 应结订单总金额, 退款总金额, 手续费总金额, and 订单总金额 /
 * 申请退款总金额 when present). Refused with
 * `BILL_MALFORMED`, `BILL_TRUNCATED`, `BILL_DATE_MISMATCH`, `BILL_MERCHANT_MISMATCH` or
 * `BILL_TOTALS_MISMATCH`, naming the line. Never throws.
 *
 * @example
 * const bill = parseTradeBill(text, { billDate: '2026-11-25', mchid: '1900000109' });
 * if (bill.ok) bill.payments.length;
 */
export function parseTradeBill(text: unknown, options: ParseBillOptions): ({ ok: true } & TradeBill) | Fail {
  const bad = checkBillDate(options?.billDate);
  if (bad) return bad;
  const table = splitTable(text, TRADE_BILL_COLUMNS, TRADE_BILL_TOTAL_COLUMNS);
  if ('ok' in table) return table;
  const col = (name: string) => table.header.indexOf(name);
  const at = { time: col('交易时间'), appid: col('公众账号ID'), mchid: col('商户号'), tx: col('微信订单号'), out: col('商户订单号'), state: col('交易状态') };
  for (const required of ['应结订单金额', '微信退款单号', '商户退款单号', '退款金额', '退款状态', '手续费']) {
    if (col(required) < 0) return malformed(1, `the header has no column ${required}`, `表头缺少列 ${required}`);
  }
  const payments: BillPayment[] = [];
  const refunds: BillRefund[] = [];
  // A transaction is paid once and a refund number refunds once: a second row of either would be
  // counted twice (and the totals, written from the rows, agree with it).
  const paymentLine = new Map<string, number>();
  const refundLine = new Map<string, number>();
  let otherRows = 0;
  const sums = { settlement: 0, refund: 0, fee: 0, order: 0, requested: 0 };
  for (const { line, values } of table.rows) {
    const v = (i: number) => (i < 0 ? '' : values[i]!);
    // An optional column (订单金额, 申请退款金额) may be absent from the header; when it is there,
    // every row's cell must be an amount: an empty 订单金额 is an unknown amount, never 0 fen.
    const money = (name: string, optional = false): number | Fail => {
      const i = col(name);
      if (i < 0 && optional) return 0;
      const n = decimal(v(i), 2);
      if (n === null || n < 0) return malformed(line, `${name} is not an amount in yuan`, `${name}不是金额`);
      return n;
    };
    const day = dayOf(v(at.time), line, '交易时间', options.billDate);
    if (!day.ok) return day;
    if (options.mchid !== undefined && v(at.mchid) !== options.mchid) {
      return reject('BILL_MERCHANT_MISMATCH', {
        path: ['bill', line],
        detail: { 'zh-CN': `第 ${line} 行的商户号是 ${v(at.mchid).slice(0, 32)}`, en: `line ${line} belongs to merchant ${v(at.mchid).slice(0, 32)}` },
      });
    }
    const settlement = money('应结订单金额');
    const refundAmount = money('退款金额');
    const orderAmount = money('订单金额', true);
    const requested = money('申请退款金额', true);
    const fee = decimal(v(col('手续费')), FEE_SCALE);
    for (const n of [settlement, refundAmount, orderAmount, requested]) if (typeof n !== 'number') return n;
    if (fee === null) return malformed(line, '手续费 is not an amount', '手续费不是金额');
    sums.settlement += settlement as number;
    sums.refund += refundAmount as number;
    sums.order += orderAmount as number;
    sums.requested += requested as number;
    sums.fee += fee;
    const state = v(at.state);
    if (v(at.tx) === '' || v(at.out) === '') return malformed(line, '微信订单号 and 商户订单号 are required', '缺少微信订单号或商户订单号');
    if (state === 'SUCCESS') {
      const first = paymentLine.get(v(at.tx));
      if (first !== undefined) return duplicateRow(line, first, `微信订单号 ${v(at.tx).slice(0, 32)}`);
      paymentLine.set(v(at.tx), line);
      payments.push({
        kind: 'payment',
        line,
        at: day.at,
        mchid: v(at.mchid),
        appid: v(at.appid),
        transactionId: v(at.tx),
        outTradeNo: v(at.out),
        amount: col('订单金额') >= 0 ? (orderAmount as number) : (settlement as number),
        settlementAmount: settlement as number,
        attach: v(col('商户数据包')),
      });
    } else if (state === 'REFUND') {
      const refundId = v(col('商户退款单号'));
      if (refundId === '') return malformed(line, 'a refund row needs 商户退款单号', '退款行缺少商户退款单号');
      const first = refundLine.get(refundId);
      if (first !== undefined) return duplicateRow(line, first, `商户退款单号 ${refundId.slice(0, 64)}`);
      refundLine.set(refundId, line);
      refunds.push({
        kind: 'refund',
        line,
        at: day.at,
        mchid: v(at.mchid),
        transactionId: v(at.tx),
        outTradeNo: v(at.out),
        gatewayRefundId: v(col('微信退款单号')),
        refundId,
        amount: col('申请退款金额') >= 0 && (requested as number) > 0 ? (requested as number) : (refundAmount as number),
        status: v(col('退款状态')),
      });
    } else {
      otherRows++;
    }
  }
  const total = (name: string, scale = 2): number | null => {
    const i = table.totalsHeader.indexOf(name);
    return i < 0 ? null : decimal(table.totals[i]!, scale);
  };
  const count = total('总交易单数', 0);
  if (count === null) return malformed(table.totalsLine, '总交易单数 is not a number', '总交易单数不是数字');
  if (count !== table.rows.length) return totalsMismatch('总交易单数', count, table.rows.length);
  const checks: Array<[string, number, number]> = [
    ['应结订单总金额', 2, sums.settlement],
    ['退款总金额', 2, sums.refund],
    ['手续费总金额', FEE_SCALE, sums.fee],
    ['订单总金额', 2, sums.order],
    ['申请退款总金额', 2, sums.requested],
  ];
  for (const [name, scale, counted] of checks) {
    if (table.totalsHeader.indexOf(name) < 0 && name !== '应结订单总金额' && name !== '退款总金额') continue;
    const stated = total(name, scale);
    if (stated === null) return malformed(table.totalsLine, `${name} is not an amount`, `${name}不是金额`);
    if (stated !== counted) return totalsMismatch(name, stated, counted);
  }
  return ok({
    billDate: options.billDate,
    payments,
    refunds,
    otherRows,
    totals: { rows: count, settlementFen: sums.settlement, refundFen: sums.refund, orderFen: sums.order, requestedRefundFen: sums.requested },
  });
}

/**
 * Parses a fund-flow bill (资金账单) and checks it like the trade bill: backtick fields, rows of
 * `billDate`, 收支类型 收入 or 支出, and the totals row (count, 收入笔数/收入金额, 支出笔数/支出金额)
 * equal to the rows. Never throws.
 *
 * @example
 * const flow = parseFundFlowBill(text, { billDate: '2026-11-25' });
 */
export function parseFundFlowBill(text: unknown, options: ParseBillOptions): ({ ok: true } & FundFlowBill) | Fail {
  const bad = checkBillDate(options?.billDate);
  if (bad) return bad;
  const table = splitTable(text, FUND_FLOW_BILL_COLUMNS, FUND_FLOW_BILL_TOTAL_COLUMNS);
  if ('ok' in table) return table;
  const col = (name: string) => table.header.indexOf(name);
  const entries: FundFlowEntry[] = [];
  const sums = { inCount: 0, inFen: 0, outCount: 0, outFen: 0 };
  for (const { line, values } of table.rows) {
    const v = (name: string) => values[col(name)] ?? '';
    const day = dayOf(v('记账时间'), line, '记账时间', options.billDate);
    if (!day.ok) return day;
    const amount = decimal(v('收支金额（元）'), 2);
    if (amount === null || amount < 0) return malformed(line, '收支金额（元） is not an amount in yuan', '收支金额不是金额');
    const kind = v('收支类型');
    if (kind !== '收入' && kind !== '支出') return malformed(line, '收支类型 must be 收入 or 支出', '收支类型应为收入或支出');
    if (kind === '收入') {
      sums.inCount++;
      sums.inFen += amount;
    } else {
      sums.outCount++;
      sums.outFen += amount;
    }
    entries.push({
      line,
      at: day.at,
      gatewayId: v('微信支付业务单号'),
      flowId: v('资金流水单号'),
      businessName: v('业务名称'),
      businessType: v('业务类型'),
      direction: kind === '收入' ? 'in' : 'out',
      amount,
      voucher: v('业务凭证号'),
    });
  }
  const total = (name: string, scale: number): number | null => {
    const i = table.totalsHeader.indexOf(name);
    return i < 0 ? null : decimal(table.totals[i]!, scale);
  };
  const checks: Array<[string, number, number]> = [
    ['资金流水总笔数', 0, table.rows.length],
    ['收入笔数', 0, sums.inCount],
    ['收入金额', 2, sums.inFen],
    ['支出笔数', 0, sums.outCount],
    ['支出金额', 2, sums.outFen],
  ];
  for (const [name, scale, counted] of checks) {
    const stated = total(name, scale);
    if (stated === null) return malformed(table.totalsLine, `${name} is missing or not a number`, `${name}缺失或不是数字`);
    if (stated !== counted) return totalsMismatch(name, stated, counted);
  }
  return ok({ billDate: options.billDate, entries, totals: { rows: table.rows.length, ...sums } });
}

/** Fen as the bills write them: '48.00'. */
export function billYuan(fen: number): string {
  if (!Number.isSafeInteger(fen)) throw badArgument('billYuan', 'fen', { 'zh-CN': '整数（分）', en: 'an integer number of fen' });
  const sign = fen < 0 ? '-' : '';
  const abs = Math.abs(fen);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}
