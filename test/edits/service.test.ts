import { describe, expect, it } from 'vitest';
import { MemoryOrderStore } from '../../src/storage/index.js';
import { createOrderService } from '../../src/service/index.js';
import { createWechatPayQuery, applyPaymentNotice, buildJsapiPrepay, orderNumberFromOutTradeNo, type WechatPayRequest } from '../../src/wechat/index.js';
import type { Order, PaymentAttempt } from '../../src/order/index.js';
import { MINUTE, START, gateway, manualClock, merchant, quote, sequentialIds } from '../service/fixtures.js';

function setup(extra: Parameters<typeof createOrderService>[0] extends infer O ? Partial<O> : never = {}) {
  const store = new MemoryOrderStore();
  const clock = manualClock();
  const service = createOrderService({ store, clock, ids: sequentialIds(), ...extra });
  return { store, clock, service };
}

const adjust = (newTotal: number) => ({ type: 'ADJUST_PRICE' as const, newTotal, reason: '老客优惠' });

describe('service: stray payments', () => {
  it('records a payment for a superseded attempt as stray (with its refund in the outbox) instead of refusing it', async () => {
    const { store, service } = setup();
    const placed = await service.place({ customerId: 'u1', quote: quote() });
    if (!placed.ok) throw placed.error;
    const number = placed.order.number;
    expect((await service.dispatch('o1', adjust(5000), merchant)).ok).toBe(true);
    const late = { type: 'PAYMENT_SUCCEEDED' as const, amount: 5500, transactionId: 'tx-old', outTradeNo: number };
    const r = await service.dispatch('o1', late, gateway, { idempotencyKey: 'pay:tx-old' });
    expect(r.ok && r.strayPayment).toEqual({ code: 'PAYMENT_ATTEMPT_CLOSED' });
    const stored = (await store.load('o1'))!;
    expect(stored.status).toBe('pending_payment');
    expect(stored.payment.stray).toEqual([expect.objectContaining({ transactionId: 'tx-old', amount: 5500, reason: 'attempt_superseded' })]);
    const effects = (await store.claim(100, 1000, new Date(START.getTime() + 1000))).map((e) => e.effect);
    expect(effects.filter((e) => e.type === 'payment.refund')).toEqual([expect.objectContaining({ transactionId: 'tx-old', amount: 5500, total: 5500, reason: 'stray_payment' })]);
    expect(effects.filter((e) => e.type === 'payment.close')).toEqual([expect.objectContaining({ outTradeNo: number })]);
    // WeChat's repeats: the key replays, and without a key the lifecycle answers with a no-op.
    expect((await service.dispatch('o1', late, gateway, { idempotencyKey: 'pay:tx-old' })).ok).toBe(true);
    const again = await service.dispatch('o1', late, gateway);
    expect(again.ok && again.changed).toBe(false);
    expect((await store.load('o1'))!.version).toBe(stored.version);
    // The open attempt still pays the order.
    const paid = await service.dispatch('o1', { type: 'PAYMENT_SUCCEEDED', amount: 5000, transactionId: 'tx-new', outTradeNo: `${number}-2` }, gateway);
    expect(paid.ok && paid.order.status).toBe('paid');
  });

  it('a second transaction for a paid order and any payment for a closed one are stray too; other refusals are not', async () => {
    const { store, service } = setup();
    await service.place({ customerId: 'u1', quote: quote() });
    await service.place({ customerId: 'u1', quote: quote() });
    await service.dispatch('o1', { type: 'PAYMENT_SUCCEEDED', amount: 5500, transactionId: 'tx-1' }, gateway);
    const second = await service.dispatch('o1', { type: 'PAYMENT_SUCCEEDED', amount: 5500, transactionId: 'tx-2' }, gateway);
    expect(second.ok && second.strayPayment).toEqual({ code: 'ALREADY_PAID' });
    expect((await store.load('o1'))!.payment).toMatchObject({ transactionId: 'tx-1', paidAmount: 5500 });
    await service.dispatch('o2', { type: 'CANCEL' }, { type: 'customer', id: 'u1' });
    const afterClose = await service.dispatch('o2', { type: 'PAYMENT_SUCCEEDED', amount: 5500, transactionId: 'tx-3' }, gateway);
    expect(afterClose.ok && afterClose.order.payment.stray.map((s) => s.reason)).toEqual(['order_closed']);
    // Not a gateway: a merchant cannot claim a payment, stray or not.
    const forged = await service.dispatch('o1', { type: 'PAYMENT_SUCCEEDED', amount: 1, transactionId: 'tx-9' }, merchant);
    expect(forged.ok ? 'ok' : forged.error.code).toBe('FORBIDDEN');
  });

  it('can be turned off: recordStrayPayments: false answers with the refusal and writes nothing', async () => {
    const { store, service } = setup({ recordStrayPayments: false });
    await service.place({ customerId: 'u1', quote: quote() });
    const r = await service.dispatch('o1', { type: 'PAYMENT_SUCCEEDED', amount: 1, transactionId: 'tx-1' }, gateway);
    expect(r.ok ? 'ok' : r.error.code).toBe('AMOUNT_MISMATCH');
    expect((await store.load('o1'))!.version).toBe(1);
  });

  it('applyPaymentNotice reports a stray payment from the service as stray', async () => {
    const { service } = setup();
    await service.place({ id: 'o1', number: 'N100', customerId: 'u1', quote: quote() });
    const r = await applyPaymentNotice(
      service,
      { command: { type: 'PAYMENT_SUCCEEDED', amount: 1, transactionId: 'tx-x', outTradeNo: 'N100' }, orderNumber: 'N100', transactionId: 'tx-x', attach: 'o1' },
      { gateway: 'wechatpay' },
    );
    expect(r.ok && r.stray).toBe(true);
    if (r.ok && r.stray) expect(r.strayReason).toBe('AMOUNT_MISMATCH');
  });
});

describe('service: reconcile before closing', () => {
  it('asks about the open attempt after 改价 and applies a paid one instead of EXPIRE', async () => {
    const asked: Array<[string, PaymentAttempt]> = [];
    const { store, service } = setup({
      payments: {
        async query(order: Order, attempt: PaymentAttempt) {
          asked.push([order.id, attempt]);
          return { paid: true, amount: attempt.amount, transactionId: 'tx-q', outTradeNo: attempt.outTradeNo };
        },
      },
    });
    const placed = await service.place({ customerId: 'u1', quote: quote() });
    if (!placed.ok) throw placed.error;
    await service.dispatch('o1', adjust(5000), merchant);
    const report = await service.sweep(new Date(START.getTime() + 31 * MINUTE));
    expect(report).toMatchObject({ paidLate: 1, expired: 0 });
    expect(asked.map(([id, a]) => [id, a.outTradeNo, a.amount])).toEqual([['o1', `${placed.order.number}-2`, 5000]]);
    expect((await store.load('o1'))!.payment).toMatchObject({ paidAmount: 5000, transactionId: 'tx-q', outTradeNo: `${placed.order.number}-2` });
  });

  it('a paid answer that cannot pay the order is kept as stray, and the order still expires', async () => {
    const { store, service } = setup({
      payments: { query: async (_order: Order, attempt: PaymentAttempt) => ({ paid: true, amount: attempt.amount + 1, transactionId: 'tx-odd' }) },
    });
    await service.place({ customerId: 'u1', quote: quote() });
    const report = await service.sweep(new Date(START.getTime() + 31 * MINUTE));
    expect(report).toMatchObject({ paidLate: 0, expired: 1 });
    const o = (await store.load('o1'))!;
    expect(o.status).toBe('closed');
    expect(o.payment.stray.map((s) => [s.transactionId, s.reason])).toEqual([['tx-odd', 'amount_mismatch']]);
  });
});

describe('createWechatPayQuery', () => {
  const attempt: PaymentAttempt = { outTradeNo: 'N100-2', amount: 5000, status: 'open', createdAt: START.toISOString() };
  const order = { id: 'o1' } as Order;
  const tx = (extra: Record<string, unknown> = {}) => ({
    mchid: '1900000109',
    appid: 'wx1',
    out_trade_no: 'N100-2',
    transaction_id: '4200000001',
    trade_state: 'SUCCESS',
    success_time: '2026-11-25T12:10:00+08:00',
    amount: { total: 5000, currency: 'CNY' },
    ...extra,
  });

  it('queries the attempt by out_trade_no and reads a SUCCESS answer', async () => {
    const sent: WechatPayRequest[] = [];
    const q = createWechatPayQuery({ mchid: '1900000109', appid: 'wx1', send: async (r) => (sent.push(r), tx()) });
    expect(await q.query(order, attempt)).toEqual({ paid: true, amount: 5000, transactionId: '4200000001', outTradeNo: 'N100-2', paidAt: '2026-11-25T04:10:00.000Z' });
    expect(sent).toEqual([{ method: 'GET', path: '/v3/pay/transactions/out-trade-no/N100-2?mchid=1900000109' }]);
  });

  it('answers not paid for other states, and unknown (null) for failures, other merchants or other attempts', async () => {
    const errors: unknown[] = [];
    const make = (body: unknown) =>
      createWechatPayQuery({ mchid: '1900000109', appid: 'wx1', send: async () => (body instanceof Error ? Promise.reject(body) : body), onError: (e) => errors.push(e) });
    expect(await make(tx({ trade_state: 'NOTPAY' })).query(order, attempt)).toEqual({ paid: false });
    expect(await make(tx({ trade_state: 'CLOSED' })).query(order, attempt)).toEqual({ paid: false });
    expect(await make(new Error('timeout')).query(order, attempt)).toBeNull();
    expect(await make(tx({ mchid: '1230000109' })).query(order, attempt)).toBeNull();
    expect(await make(tx({ out_trade_no: 'N100' })).query(order, attempt)).toBeNull();
    expect(errors).toHaveLength(2);
  });
});

describe('WeChat requests follow the attempt', () => {
  it('prepay uses the open attempt and time_expire is payBy; notices map back to the order number', async () => {
    const { service } = setup();
    await service.place({ id: 'o1', number: 'N100', customerId: 'u1', quote: quote() });
    const adjusted = await service.dispatch('o1', adjust(5000), merchant);
    if (!adjusted.ok) throw adjusted.error;
    const r = buildJsapiPrepay(adjusted.order, { appid: 'wx1', mchid: '1900000109', notifyUrl: 'https://shop.example/notify' });
    expect(r.ok && r.request.body).toMatchObject({ out_trade_no: 'N100-2', amount: { total: 5000, currency: 'CNY' }, time_expire: '2026-11-25T12:30:00+08:00' });
    expect(orderNumberFromOutTradeNo('N100-2')).toBe('N100');
  });
});
