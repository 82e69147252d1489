import { billYuan, FUND_FLOW_BILL_COLUMNS, FUND_FLOW_BILL_TOTAL_COLUMNS, TRADE_BILL_COLUMNS, TRADE_BILL_TOTAL_COLUMNS } from '../../../src/wechat/index.js';
import { APPID, MCHID } from './notify.js';

/**
 * Bills written the way WeChat Pay writes them (docs/wechat.md "Daily reconciliation"): a header
 * row, every field of a record prefixed with a backtick, then the totals header and row. Built
 * from test orders, so a test states what happened and the bill follows.
 */
export interface BillPaymentRow {
  at: string; // 'YYYY-MM-DD HH:mm:ss' Beijing time
  transactionId: string;
  outTradeNo: string;
  amount: number; // fen
  attach?: string;
  mchid?: string;
}
export interface BillRefundRow {
  at: string;
  transactionId: string;
  outTradeNo: string;
  gatewayRefundId: string;
  refundId: string;
  amount: number;
  status?: string;
  mchid?: string;
}

/** 0.6 % fee at 10^-5 yuan: fen × 6 units. */
const fee = (fen: number) => {
  const units = fen * 6;
  const sign = units < 0 ? '-' : '';
  const abs = Math.abs(units);
  return `${sign}${Math.floor(abs / 100000)}.${String(abs % 100000).padStart(5, '0')}`;
};

export function tradeBillText(payments: BillPaymentRow[], refunds: BillRefundRow[] = []): string {
  const rows: string[] = [TRADE_BILL_COLUMNS.join(',')];
  const sums = { settlement: 0, refund: 0, fee: 0, order: 0, requested: 0 };
  const tick = (values: Array<string | number>) => values.map((v) => `\`${v}`).join(',');
  for (const p of payments) {
    sums.settlement += p.amount;
    sums.order += p.amount;
    sums.fee += p.amount * 6;
    rows.push(tick([p.at, APPID, p.mchid ?? MCHID, '0', '', p.transactionId, p.outTradeNo, 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o', 'JSAPI', 'SUCCESS', 'OTHERS', 'CNY', billYuan(p.amount), '0.00', '0', '0', '0.00', '0.00', '', '', '有机燕麦片', p.attach ?? '', fee(p.amount), '0.60%', billYuan(p.amount), '0.00', '']));
  }
  for (const r of refunds) {
    sums.refund += r.amount;
    sums.requested += r.amount;
    sums.fee -= r.amount * 6;
    rows.push(tick([r.at, APPID, r.mchid ?? MCHID, '0', '', r.transactionId, r.outTradeNo, 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o', 'JSAPI', 'REFUND', 'OTHERS', 'CNY', '0.00', '0.00', r.gatewayRefundId, r.refundId, billYuan(r.amount), '0.00', 'ORIGINAL', r.status ?? 'SUCCESS', '有机燕麦片', '', fee(-r.amount), '0.60%', '0.00', billYuan(r.amount), '']));
  }
  rows.push(TRADE_BILL_TOTAL_COLUMNS.join(','));
  rows.push(tick([payments.length + refunds.length, billYuan(sums.settlement), billYuan(sums.refund), '0.00', fee(sums.fee / 6), billYuan(sums.order), billYuan(sums.requested)]));
  return `${rows.join('\r\n')}\r\n`;
}

export function fundFlowBillText(payments: BillPaymentRow[], refunds: BillRefundRow[] = []): string {
  const rows: string[] = [FUND_FLOW_BILL_COLUMNS.join(',')];
  const tick = (values: Array<string | number>) => values.map((v) => `\`${v}`).join(',');
  let balance = 100000;
  let n = 0;
  const sums = { inCount: 0, inFen: 0, outCount: 0, outFen: 0 };
  for (const p of payments) {
    balance += p.amount;
    sums.inCount++;
    sums.inFen += p.amount;
    rows.push(tick([p.at, p.transactionId, `F${++n}`, '交易', '交易', '收入', billYuan(p.amount), billYuan(balance), 'system', '缺省', p.outTradeNo]));
  }
  for (const r of refunds) {
    balance -= r.amount;
    sums.outCount++;
    sums.outFen += r.amount;
    rows.push(tick([r.at, r.gatewayRefundId, `F${++n}`, '退款', '退款', '支出', billYuan(r.amount), billYuan(balance), 'system', '缺省', r.refundId]));
  }
  rows.push(FUND_FLOW_BILL_TOTAL_COLUMNS.join(','));
  rows.push(tick([payments.length + refunds.length, sums.inCount, billYuan(sums.inFen), sums.outCount, billYuan(sums.outFen)]));
  return `${rows.join('\r\n')}\r\n`;
}
