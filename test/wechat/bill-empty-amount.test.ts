import { describe, expect, it } from 'vitest';
import { parseTradeBill, TRADE_BILL_COLUMNS, TRADE_BILL_TOTAL_COLUMNS } from '../../src/wechat/index.js';
import { tradeBillText } from './support/bills.js';
import { MCHID } from './support/notify.js';

/**
 * A trade bill whose 订单金额 column is there but empty on a row: the payment's amount is unknown,
 * never 0 fen (docs/wechat.md "Daily reconciliation"). The totals row agreeing (订单总金额 0.00)
 * must not make it pass.
 */
const DAY = '2026-11-25';
const pay = { at: '2026-11-25 10:00:00', transactionId: '4200000001', outTradeNo: 'N1', amount: 4800 };
const refund = { at: '2026-11-25 12:00:00', transactionId: '4200000001', outTradeNo: 'N1', gatewayRefundId: '50300001', refundId: 'N1R1', amount: 1200 };

function blank(text: string, column: string, line: number, totalsColumn?: string, totalsValue?: string): string {
  const rows = text.split('\r\n');
  const cells = rows[line - 1]!.split(',');
  cells[TRADE_BILL_COLUMNS.indexOf(column as never)] = '`';
  rows[line - 1] = cells.join(',');
  if (totalsColumn !== undefined) {
    const totals = rows[rows.length - 2]!.split(',');
    totals[TRADE_BILL_TOTAL_COLUMNS.indexOf(totalsColumn as never)] = `\`${totalsValue}`;
    rows[rows.length - 2] = totals.join(',');
  }
  return rows.join('\r\n');
}

describe('a trade bill row with an empty 订单金额', () => {
  it('the fixture reads as it is written', () => {
    const bill = parseTradeBill(tradeBillText([pay], [refund]), { billDate: DAY, mchid: MCHID });
    expect(bill.ok && bill.payments.map((p) => p.amount)).toEqual([4800]);
  });

  for (const [why, text, line] of [
    ['a payment row, the totals agreeing', blank(tradeBillText([pay], [refund]), '订单金额', 2, '订单总金额', '0.00'), 2],
    ['a payment row, the totals not agreeing', blank(tradeBillText([pay], [refund]), '订单金额', 2), 2],
    ['a refund row', blank(tradeBillText([pay], [refund]), '订单金额', 3), 3],
  ] as const) {
    it(`${why}: BILL_MALFORMED naming the line`, () => {
      const r = parseTradeBill(text, { billDate: DAY, mchid: MCHID });
      expect(r.ok ? r.payments.map((p) => p.amount) : r.error.code).toBe('BILL_MALFORMED');
      if (!r.ok) {
        expect(r.error.path).toEqual(['bill', line]);
        expect(r.error.messages['zh-CN']).toMatch(/订单金额/);
        expect(r.error.messages.en).toMatch(/订单金额/);
      }
    });
  }
});
