import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createOrderService, MemoryOrderStore, type Order, type OrderService } from '../../src/index.js';
import {
  applyPaymentNotice,
  notificationResponse,
  buildBillDownload,
  checkBillHash,
  downloadWechatPayBills,
  formatReconciliationReport,
  parseFundFlowBill,
  parseTradeBill,
  reconcileWechatPayDay,
  type WechatPayRequest,
} from '../../src/wechat/index.js';
import { fundFlowBillText, tradeBillText, type BillPaymentRow, type BillRefundRow } from './support/bills.js';
import { MCHID } from './support/notify.js';

const DAY = '2026-11-25';
const T0 = new Date('2026-11-25T02:00:00.000Z'); // 10:00 Beijing
const gateway = { type: 'payment' as const, gateway: 'wechatpay' };
const merchant = { type: 'merchant' as const, id: 'staff-1' };

function codeOf(r: { ok: boolean; error?: { code: string } }): string {
  return r.ok ? 'ok' : r.error!.code;
}

describe('bill parsing', () => {
  const pay: BillPaymentRow = { at: `${DAY} 12:00:01`, transactionId: '4200000001', outTradeNo: 'N1', amount: 4800 };
  const refund: BillRefundRow = { at: `${DAY} 15:30:00`, transactionId: '4200000001', outTradeNo: 'N1', gatewayRefundId: '50300001', refundId: 'N1R1', amount: 1200 };

  it('reads payments and refunds in fen from a bill written as WeChat writes it', () => {
    const bill = parseTradeBill(tradeBillText([pay, { ...pay, transactionId: '4200000002', outTradeNo: 'N2', amount: 1 }], [refund]), { billDate: DAY, mchid: MCHID });
    if (!bill.ok) throw bill.error;
    expect(bill.payments.map((p) => [p.transactionId, p.outTradeNo, p.amount])).toEqual([['4200000001', 'N1', 4800], ['4200000002', 'N2', 1]]);
    expect(bill.payments[0]!.at).toBe('2026-11-25T04:00:01.000Z');
    expect(bill.refunds).toEqual([expect.objectContaining({ refundId: 'N1R1', gatewayRefundId: '50300001', amount: 1200, status: 'SUCCESS' })]);
    expect(bill.totals).toMatchObject({ rows: 3, orderFen: 4801, refundFen: 1200 });
    const flow = parseFundFlowBill(fundFlowBillText([pay], [refund]), { billDate: DAY });
    if (!flow.ok) throw flow.error;
    expect(flow.entries.map((e) => [e.direction, e.amount, e.voucher])).toEqual([['in', 4800, 'N1'], ['out', 1200, 'N1R1']]);
  });

  it('an empty day is a header and zero totals', () => {
    const bill = parseTradeBill(tradeBillText([]), { billDate: DAY, mchid: MCHID });
    expect(bill.ok && bill.payments.length).toBe(0);
  });

  it('refuses malformed, truncated, altered, foreign and other-day bills with a typed error naming the line', () => {
    const good = tradeBillText([pay], [refund]);
    const lines = good.split('\r\n');
    const cases: Array<[string, unknown, string, { mchid?: string; billDate?: string }?]> = [
      ['a field without its backtick', good.replace('`4200000001', '4200000001'), 'BILL_MALFORMED'],
      ['a row with a field missing', good.replace(',`CNY', ''), 'BILL_MALFORMED'],
      ['an amount with three decimals', good.replace('`48.00,`0.00', '`48.001,`0.00'), 'BILL_MALFORMED'],
      ['a changed amount (totals no longer add up)', good.replace('`48.00,`0.00,`0', '`49.00,`0.00,`0'), 'BILL_TOTALS_MISMATCH'],
      ['a dropped row', [lines[0], lines[2], ...lines.slice(3)].join('\r\n'), 'BILL_TOTALS_MISMATCH'],
      ['no totals (cut off)', lines.slice(0, 3).join('\r\n'), 'BILL_TRUNCATED'],
      ['nothing at all', '', 'BILL_TRUNCATED'],
      ['not text', 42, 'BILL_MALFORMED'],
      ['a header that is not a trade bill', good.replace('商户订单号', '订单号'), 'BILL_MALFORMED'],
      ['text after the totals', `${good}\`extra\r\n`, 'BILL_MALFORMED'],
      ['another merchant', tradeBillText([{ ...pay, mchid: '1230000109' }]), 'BILL_MERCHANT_MISMATCH'],
      ['another day', tradeBillText([{ ...pay, at: '2026-11-24 23:59:59' }]), 'BILL_DATE_MISMATCH'],
      ['an impossible time', tradeBillText([{ ...pay, at: '2026-11-25 25:00:00' }]), 'BILL_MALFORMED'],
      ['a bad bill date asked for', good, 'INVALID_REQUEST', { billDate: '2026/11/25' }],
    ];
    for (const [why, text, code, over] of cases) {
      const r = parseTradeBill(text, { billDate: over?.billDate ?? DAY, mchid: over?.mchid ?? MCHID });
      expect(codeOf(r), why).toBe(code);
      if (!r.ok) {
        expect(r.error.messages['zh-CN'].length, why).toBeGreaterThan(0);
        expect(r.error.messages.en.length, why).toBeGreaterThan(0);
      }
    }
    const flow = fundFlowBillText([pay], [refund]);
    expect(codeOf(parseFundFlowBill(flow.replace('`48.00', '`47.00'), { billDate: DAY }))).toBe('BILL_TOTALS_MISMATCH');
    expect(codeOf(parseFundFlowBill(flow.replace('`收入', '`其他'), { billDate: DAY }))).toBe('BILL_MALFORMED');
    expect(codeOf(parseFundFlowBill(flow, { billDate: '2026-11-26' }))).toBe('BILL_DATE_MISMATCH');
  });

  it('the download is checked against its SHA-1; the download URL keeps only its path', () => {
    const text = tradeBillText([pay]);
    const sha1 = createHash('sha1').update(text).digest('hex');
    expect(checkBillHash(Buffer.from(text), sha1.toUpperCase()).ok).toBe(true);
    expect(codeOf(checkBillHash(text.slice(0, -10), sha1))).toBe('BILL_HASH_MISMATCH');
    const where = buildBillDownload({ hash_type: 'SHA1', hash_value: sha1, download_url: 'https://pay.example/v3/billdownload/file?token=6XIv5TUPto7pByrTQKhd6kwvyKLG2uY2wMMR8cNXqaA_Cv_isgaUtBzp4QtiozLO' });
    expect(where.ok && where.request).toEqual({ method: 'GET', path: '/v3/billdownload/file?token=6XIv5TUPto7pByrTQKhd6kwvyKLG2uY2wMMR8cNXqaA_Cv_isgaUtBzp4QtiozLO' });
    expect(codeOf(buildBillDownload({ hash_type: 'MD5', hash_value: sha1, download_url: 'https://pay.example/v3/billdownload/file' }))).toBe('MALFORMED_RESOURCE');
    expect(codeOf(buildBillDownload({ hash_type: 'SHA1', hash_value: sha1, download_url: 'http://pay.example/elsewhere' }))).toBe('MALFORMED_RESOURCE');
  });

  it('downloadWechatPayBills asks for both bills through the caller functions and refuses an altered file', async () => {
    const files: Record<string, string> = { tradebill: tradeBillText([pay]), fundflowbill: fundFlowBillText([pay]) };
    const sent: WechatPayRequest[] = [];
    const send = async (request: WechatPayRequest) => {
      sent.push(request);
      const kind = request.path.includes('tradebill') ? 'tradebill' : 'fundflowbill';
      return { hash_type: 'SHA1', hash_value: createHash('sha1').update(files[kind]!).digest('hex'), download_url: `https://pay.example/v3/billdownload/file?token=${kind}` };
    };
    const download = async (request: WechatPayRequest) => files[request.path.split('token=')[1]!]!;
    const bills = await downloadWechatPayBills({ billDate: DAY, send, download });
    if (!bills.ok) throw bills.error;
    expect(sent.map((r) => r.path)).toEqual([`/v3/bill/tradebill?bill_date=${DAY}&bill_type=ALL`, `/v3/bill/fundflowbill?bill_date=${DAY}&account_type=BASIC`]);
    expect(bills.tradeBill).toBe(files.tradebill);
    const altered = await downloadWechatPayBills({ billDate: DAY, send, download: async (r) => (await download(r)).replace('48.00', '84.00') });
    expect(codeOf(altered)).toBe('BILL_HASH_MISMATCH');
    const down = await downloadWechatPayBills({ billDate: DAY, send: async () => { throw new Error('ECONNRESET'); }, download });
    expect(codeOf(down)).toBe('BILL_DOWNLOAD_FAILED');
  });
});

interface Shop {
  service: OrderService;
  store: MemoryOrderStore;
  setNow(d: Date): void;
}

function shop(): Shop {
  let now = new Date(T0);
  const store = new MemoryOrderStore();
  const service = createOrderService({ store, clock: { now: () => now } });
  return { service, store, setNow: (d) => (now = d) };
}

async function placeOrder(s: Shop, quantity = 1): Promise<Order> {
  const r = await s.service.place({
    customerId: 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o',
    cart: { lines: [{ id: 'L1', sku: 'OAT-1KG', title: '有机燕麦片 1kg', listPrice: 3300, quantity }] },
    rules: {},
  });
  if (!r.ok) throw r.error;
  return r.order;
}

async function versions(s: Shop): Promise<string> {
  const page = await s.service.list({ limit: 100 });
  return JSON.stringify(page.items.map((o) => [o.id, o.version]).sort());
}

describe('reconcileWechatPayDay', () => {
  it('applies lost payments, keeps wrong amounts as stray payments, records refunds, flags the rest; a second run changes nothing', async () => {
    const s = shop();
    // Ten days ago: an order whose refund was sent and never came back.
    s.setNow(new Date(T0.getTime() - 10 * 86_400_000));
    const old = await placeOrder(s);
    const oldPaid = await s.service.dispatch(old.id, { type: 'PAYMENT_SUCCEEDED', amount: old.pricing.total, transactionId: '4200000000' }, gateway);
    if (!oldPaid.ok) throw oldPaid.error;
    const oldCancel = await s.service.dispatch(old.id, { type: 'CANCEL', reason: '缺货' }, merchant);
    if (!oldCancel.ok) throw oldCancel.error;
    s.setNow(T0);

    const matched = await placeOrder(s); // paid by its notification
    const lost = await placeOrder(s); // its notification never arrived
    const wrong = await placeOrder(s); // the bill says another amount
    const refunding = await placeOrder(s); // refund pending in the ledger, succeeded in the bill
    const manual = await placeOrder(s, 2); // refunded in the merchant platform, not in the ledger
    for (const [o, tx] of [[matched, '4200000001'], [refunding, '4200000004'], [manual, '4200000005']] as const) {
      const r = await s.service.dispatch(o.id, { type: 'PAYMENT_SUCCEEDED', amount: o.pricing.total, transactionId: tx }, gateway);
      if (!r.ok) throw r.error;
    }
    const cancel = await s.service.dispatch(refunding.id, { type: 'CANCEL', reason: '缺货' }, merchant);
    if (!cancel.ok) throw cancel.error;
    const pendingId = cancel.order.refunds[0]!.id;

    const payments: BillPaymentRow[] = [
      { at: `${DAY} 10:01:00`, transactionId: '4200000001', outTradeNo: matched.number, amount: matched.pricing.total },
      { at: `${DAY} 10:02:00`, transactionId: '4200000002', outTradeNo: lost.number, amount: lost.pricing.total },
      { at: `${DAY} 10:03:00`, transactionId: '4200000003', outTradeNo: wrong.number, amount: wrong.pricing.total - 100 },
      { at: `${DAY} 10:04:00`, transactionId: '4200000004', outTradeNo: refunding.number, amount: refunding.pricing.total },
      { at: `${DAY} 10:05:00`, transactionId: '4200000005', outTradeNo: manual.number, amount: manual.pricing.total },
      { at: `${DAY} 10:06:00`, transactionId: '4200000009', outTradeNo: '20261125NOSUCHORDER', amount: 500 },
    ];
    const refunds: BillRefundRow[] = [
      { at: `${DAY} 16:00:00`, transactionId: '4200000004', outTradeNo: refunding.number, gatewayRefundId: '50300004', refundId: pendingId, amount: refunding.pricing.total },
      { at: `${DAY} 16:10:00`, transactionId: '4200000005', outTradeNo: manual.number, gatewayRefundId: '50300005', refundId: 'MANUAL-0001', amount: 3300 },
    ];
    const tradeBill = tradeBillText(payments, refunds);
    const fundFlowBill = fundFlowBillText(payments, refunds);
    const now = new Date('2026-11-26T01:00:00.000Z');
    s.setNow(now);

    const first = await reconcileWechatPayDay(s.service, { billDate: DAY, mchid: MCHID, tradeBill, fundFlowBill, now });
    if (!first.ok) throw first.error;
    const r = first.report;
    expect(r.counts).toEqual({ matched: 3, applied: 1, stray: 1, recorded: 2, flagged: 2, waiting: 0 });
    const byKind = (kind: string) => r.findings.filter((f) => f.kind === kind);
    expect(byKind('payment_missing').map((f) => [f.orderId, f.outcome])).toEqual([[lost.id, 'applied'], [wrong.id, 'stray']]);
    expect(byKind('refund_result_missing').map((f) => [f.refundId, f.outcome])).toEqual([[pendingId, 'recorded']]);
    expect(byKind('refund_not_in_ledger').map((f) => [f.refundId, f.outcome])).toEqual([['MANUAL-0001', 'recorded']]);
    expect(byKind('unknown_order').map((f) => f.transactionId)).toEqual(['4200000009']);
    expect(byKind('refund_missing_from_bills').map((f) => f.orderId)).toEqual([old.id]);

    expect((await s.service.get(lost.id))!.payment).toMatchObject({ paidAmount: lost.pricing.total, transactionId: '4200000002' });
    const strayOrder = (await s.service.get(wrong.id))!;
    expect(strayOrder.status).toBe('pending_payment');
    expect(strayOrder.payment.stray.map((x) => [x.transactionId, x.amount])).toEqual([['4200000003', wrong.pricing.total - 100]]);
    expect(strayOrder.refunds.map((x) => [x.reason, x.amount, x.status])).toEqual([['stray_payment', wrong.pricing.total - 100, 'pending']]);
    const refunded = (await s.service.get(refunding.id))!;
    expect(refunded.refunds[0]).toMatchObject({ id: pendingId, status: 'succeeded', gatewayRefundId: '50300004' });
    const manualOrder = (await s.service.get(manual.id))!;
    expect(manualOrder.refunds.map((x) => [x.id, x.reason, x.amount, x.status])).toEqual([['MANUAL-0001', 'gateway', 3300, 'succeeded']]);
    expect(manualOrder.status).toBe('paid');

    const en = formatReconciliationReport(r, 'en');
    const zh = formatReconciliationReport(r, 'zh-CN');
    expect(en).toContain(`WeChat Pay reconciliation ${DAY}`);
    expect(en).toContain('kept as a stray payment and refunded');
    expect(zh).toContain(`微信支付对账 ${DAY}`);
    expect(zh).toContain('已记入退款台账');

    // The lost notifications turn up after all (with their own success time): acknowledged, no change.
    const late = await versions(s);
    for (const [o, tx, amount] of [[lost, '4200000002', lost.pricing.total], [wrong, '4200000003', wrong.pricing.total - 100]] as const) {
      const notice = { command: { type: 'PAYMENT_SUCCEEDED' as const, amount, transactionId: tx, outTradeNo: o.number, paidAt: '2026-11-25T02:02:07.000Z' }, orderNumber: o.number, transactionId: tx };
      const r = await applyPaymentNotice(s.service, notice, { gateway: 'wechatpay' });
      expect(notificationResponse(r).status).toBe(204);
    }
    expect(await versions(s)).toBe(late);

    const before = await versions(s);
    const second = await reconcileWechatPayDay(s.service, { billDate: DAY, mchid: MCHID, tradeBill, fundFlowBill, now });
    if (!second.ok) throw second.error;
    expect(await versions(s)).toBe(before);
    expect(second.report.counts).toEqual({ matched: 7, applied: 0, stray: 0, recorded: 0, flagged: 2, waiting: 0 });
  });

  it('a bad bill changes no order: another merchant, another day, an altered total', async () => {
    const s = shop();
    const o = await placeOrder(s);
    const row: BillPaymentRow = { at: `${DAY} 10:02:00`, transactionId: '4200000002', outTradeNo: o.number, amount: o.pricing.total };
    const good = tradeBillText([row]);
    const before = await versions(s);
    for (const [bill, code, options] of [
      [tradeBillText([{ ...row, mchid: '1230000109' }]), 'BILL_MERCHANT_MISMATCH', {}],
      [good, 'BILL_DATE_MISMATCH', { billDate: '2026-11-26' }],
      [good.replace(/`33\.00,`0\.00\r\n$/, '`30.00,`0.00\r\n'), 'BILL_TOTALS_MISMATCH', {}],
    ] as const) {
      const r = await reconcileWechatPayDay(s.service, { billDate: DAY, mchid: MCHID, tradeBill: bill, ...options });
      expect(codeOf(r)).toBe(code);
    }
    const badFlow = await reconcileWechatPayDay(s.service, { billDate: DAY, mchid: MCHID, tradeBill: good, fundFlowBill: 'nonsense' });
    expect(codeOf(badFlow)).toBe('BILL_MALFORMED');
    expect(await versions(s)).toBe(before);
  });

  it('a movement only the fund-flow bill shows, and a refund still processing, are reported, not applied', async () => {
    const s = shop();
    const o = await placeOrder(s);
    const paid = await s.service.dispatch(o.id, { type: 'PAYMENT_SUCCEEDED', amount: o.pricing.total, transactionId: '4200000001' }, gateway);
    if (!paid.ok) throw paid.error;
    const cancel = await s.service.dispatch(o.id, { type: 'CANCEL' }, merchant);
    if (!cancel.ok) throw cancel.error;
    const row: BillPaymentRow = { at: `${DAY} 10:00:00`, transactionId: '4200000001', outTradeNo: o.number, amount: o.pricing.total };
    const processing: BillRefundRow = { at: `${DAY} 11:00:00`, transactionId: '4200000001', outTradeNo: o.number, gatewayRefundId: '503', refundId: cancel.order.refunds[0]!.id, amount: o.pricing.total, status: 'PROCESSING' };
    const extra: BillRefundRow = { at: `${DAY} 12:00:00`, transactionId: '4200000777', outTradeNo: 'X', gatewayRefundId: '503777', refundId: 'ELSEWHERE-1', amount: 100 };
    const r = await reconcileWechatPayDay(s.service, {
      billDate: DAY,
      mchid: MCHID,
      tradeBill: tradeBillText([row], [processing]),
      fundFlowBill: fundFlowBillText([row], [extra]),
      now: new Date('2026-11-26T01:00:00.000Z'),
    });
    if (!r.ok) throw r.error;
    expect(r.report.findings.map((f) => [f.kind, f.outcome])).toEqual([
      ['refund_processing', 'waiting'],
      ['fund_flow_only', 'flagged'],
    ]);
    expect((await s.service.get(o.id))!.refunds[0]!.status).toBe('pending');
  });
});

describe('reconciliation: properties', () => {
  it('whatever notifications were lost, after one run every billed payment is on its order (paid or stray), amounts add up, and a second run writes nothing', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ notified: fc.boolean(), amountOff: fc.constantFrom(0, 0, 0, -1, 1, 250), quantity: fc.integer({ min: 1, max: 3 }), paidTwice: fc.boolean() }), { minLength: 1, maxLength: 6 }),
        async (specs) => {
          const s = shop();
          const payments: BillPaymentRow[] = [];
          let tx = 0;
          for (const spec of specs) {
            const o = await placeOrder(s, spec.quantity);
            const amount = o.pricing.total + spec.amountOff;
            const transactionId = `42000${String(++tx).padStart(5, '0')}`;
            payments.push({ at: `${DAY} 10:${String(tx).padStart(2, '0')}:00`, transactionId, outTradeNo: o.number, amount });
            if (spec.notified) await s.service.dispatch(o.id, { type: 'PAYMENT_SUCCEEDED', amount, transactionId }, gateway);
            if (spec.paidTwice) payments.push({ at: `${DAY} 11:${String(tx).padStart(2, '0')}:00`, transactionId: `43000${String(tx).padStart(5, '0')}`, outTradeNo: o.number, amount: o.pricing.total });
          }
          const tradeBill = tradeBillText(payments);
          const now = new Date('2026-11-26T01:00:00.000Z');
          const first = await reconcileWechatPayDay(s.service, { billDate: DAY, mchid: MCHID, tradeBill, now });
          if (!first.ok) throw first.error;
          const page = await s.service.list({ limit: 100 });
          let onOrders = 0;
          for (const p of payments) {
            const o = page.items.find((x) => x.number === p.outTradeNo)!;
            const asPayment = o.payment.transactionId === p.transactionId && o.payment.paidAmount === p.amount;
            const asStray = o.payment.stray.some((x) => x.transactionId === p.transactionId && x.amount === p.amount);
            expect(asPayment !== asStray).toBe(true);
            onOrders += p.amount;
          }
          const recorded = page.items.reduce((sum, o) => sum + o.payment.paidAmount + o.payment.stray.reduce((t, x) => t + x.amount, 0), 0);
          expect(recorded).toBe(onOrders);
          // Every stray payment is on its way back in full.
          for (const o of page.items) for (const x of o.payment.stray) expect(o.refunds.find((r) => r.id === x.refundId)?.amount).toBe(x.amount);
          const before = await versions(s);
          const second = await reconcileWechatPayDay(s.service, { billDate: DAY, mchid: MCHID, tradeBill, now });
          if (!second.ok) throw second.error;
          expect(await versions(s)).toBe(before);
          expect(second.report.counts.matched).toBe(payments.length);
        },
      ),
      { numRuns: 40 },
    );
  });
});

describe('bill parsing: properties', () => {
  const arbPayments = fc.array(fc.integer({ min: 1, max: 99_999_999 }), { minLength: 0, maxLength: 8 });

  it('a bill written from any amounts reads back the same fen, and its totals add up', () => {
    fc.assert(
      fc.property(arbPayments, fc.array(fc.integer({ min: 1, max: 9_999_999 }), { maxLength: 4 }), (amounts, refundAmounts) => {
        const payments = amounts.map((amount, i) => ({ at: `${DAY} 0${i % 10}:00:00`, transactionId: `42${i}`, outTradeNo: `N${i}`, amount }));
        const refunds = refundAmounts.map((amount, i) => ({ at: `${DAY} 12:00:0${i}`, transactionId: `42${i}`, outTradeNo: `N${i}`, gatewayRefundId: `503${i}`, refundId: `N${i}R1`, amount }));
        const bill = parseTradeBill(tradeBillText(payments, refunds), { billDate: DAY, mchid: MCHID });
        if (!bill.ok) throw bill.error;
        expect(bill.payments.map((p) => p.amount)).toEqual(amounts);
        expect(bill.refunds.map((r) => r.amount)).toEqual(refundAmounts);
        const flow = parseFundFlowBill(fundFlowBillText(payments, refunds), { billDate: DAY });
        if (!flow.ok) throw flow.error;
        expect(flow.totals.inFen).toBe(amounts.reduce((s, a) => s + a, 0));
      }),
      { numRuns: 200 },
    );
  });

  it('changing any one digit of an amount in a row is refused, never read as another amount', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 100, max: 9_999_999 }), { minLength: 1, maxLength: 5 }), fc.nat(), fc.nat(), (amounts, pick, digit) => {
        const payments = amounts.map((amount, i) => ({ at: `${DAY} 10:00:0${i}`, transactionId: `42${i}`, outTradeNo: `N${i}`, amount }));
        const lines = tradeBillText(payments).split('\r\n');
        const row = 1 + (pick % amounts.length);
        const fields = lines[row]!.split(',');
        // 订单金额 (column 25) changed alone: the totals row no longer agrees.
        const value = fields[24]!;
        const positions = [...value].map((c, i) => (c >= '0' && c <= '9' ? i : -1)).filter((i) => i >= 0);
        const at = positions[digit % positions.length]!;
        const next = String((Number(value[at]) + 1 + (digit % 9)) % 10);
        fields[24] = value.slice(0, at) + next + value.slice(at + 1);
        lines[row] = fields.join(',');
        const r = parseTradeBill(lines.join('\r\n'), { billDate: DAY, mchid: MCHID });
        expect(r.ok ? 'ok' : r.error.code).toMatch(/^BILL_(TOTALS_MISMATCH|MALFORMED)$/);
      }),
      { numRuns: 200 },
    );
  });

  it('any text at all is answered with a result, never a throw', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.constant(tradeBillText([]))).chain((base) => fc.tuple(fc.constant(base), fc.string(), fc.nat())), ([base, noise, at]) => {
        const text = base.slice(0, at % (base.length + 1)) + noise;
        const t = parseTradeBill(text, { billDate: DAY, mchid: MCHID });
        const f = parseFundFlowBill(text, { billDate: DAY });
        expect(typeof t.ok).toBe('boolean');
        expect(typeof f.ok).toBe('boolean');
      }),
      { numRuns: 300 },
    );
  });
});
