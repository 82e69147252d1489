import { describe, expect, it } from 'vitest';
import { MemoryOrderStore } from '../../src/storage/index.js';
import type { CommitInput, OrderStore } from '../../src/storage/index.js';
import { anonymizeCustomer, anonymizeFinishedOrders, ANONYMOUS_PREFIX, createOrderService } from '../../src/service/index.js';
import { MemoryBalance } from '../../src/balance/index.js';
import type { BalancePort } from '../../src/balance/index.js';
import { customer, gateway, manualClock, merchant, quote, sequentialIds, DAY } from '../service/fixtures.js';

// quote(): 5 × 1000 + 1 × 500 = 5500 fen.
function setup(options: { balance?: BalancePort; store?: OrderStore; topUp?: number } = {}) {
  const store = options.store ?? new MemoryOrderStore();
  const balance = options.balance ?? new MemoryBalance();
  const clock = manualClock();
  const service = createOrderService({ store, clock, ids: sequentialIds(), retryDelayMs: 0, balance });
  return { store, balance, clock, service, ready: balance.topUp({ customerId: 'u1', key: 'card-1', amount: options.topUp ?? 3000 }) };
}

/** A memory balance whose credits fail while it is set down (a port outage when a refund is due). */
function flakyCredits(): { real: MemoryBalance; flaky: BalancePort; setDown(v: boolean): void } {
  const real = new MemoryBalance();
  let down = false;
  const flaky: BalancePort = {
    balanceOf: (c) => real.balanceOf(c),
    topUp: (r) => real.topUp(r),
    debit: (r) => real.debit(r),
    credit: (r) => (down ? Promise.reject(new Error('balance down')) : real.credit(r)),
    orderBalance: (o) => real.orderBalance(o),
  };
  return { real, flaky, setDown: (v) => (down = v) };
}

describe('placing with the balance and WeChat Pay', () => {
  it('debits the balance part with the order; WeChat Pay asks for the rest; paid when both have come in', async () => {
    const { service, balance, ready } = setup();
    await ready;
    const placed = await service.place({ customerId: 'u1', quote: quote(), payWith: { balance: 2000 } });
    expect(placed.ok).toBe(true);
    if (!placed.ok) return;
    expect(await balance.balanceOf('u1')).toBe(1000);
    expect(placed.order.payment.attempts.map((a) => a.amount)).toEqual([3500]);
    expect(placed.order.status).toBe('pending_payment');
    const paid = await service.dispatch('o1', { type: 'PAYMENT_SUCCEEDED', amount: 3500, transactionId: 'wx1' }, gateway);
    expect(paid.ok && [paid.order.status, paid.order.payment.paidAmount]).toEqual(['paid', 5500]);
    expect(paid.ok && paid.order.payment.sources!.map((s) => [s.kind, s.amount, s.transactionId])).toEqual([
      ['balance', 2000, 'balance:NO000001'],
      ['wechat', 3500, 'wx1'],
    ]);
  });

  it('the balance covering the total pays the order at placement', async () => {
    const { service, balance, ready } = setup({ topUp: 6000 });
    await ready;
    const placed = await service.place({ customerId: 'u1', quote: quote(), payWith: { balance: 5500 } });
    expect(placed.ok && [placed.order.status, placed.order.payment.paidAmount, placed.order.payment.attempts.length]).toEqual(['paid', 5500, 0]);
    expect(await balance.balanceOf('u1')).toBe(500);
  });

  it.each([
    [{ balance: 9000 }, 'PAYMENT_SOURCES_MISMATCH'],
    [{ balance: 2000, wechat: 3000 }, 'PAYMENT_SOURCES_MISMATCH'],
    [{ balance: -1 }, 'INVALID_PAYMENT_SOURCES'],
    [{ balance: 1.5 }, 'INVALID_PAYMENT_SOURCES'],
    [{ balance: 100, card: 5 }, 'INVALID_PAYMENT_SOURCES'],
    [{ balance: 4000 }, 'INSUFFICIENT_BALANCE'],
  ])('refuses %j with %s: no order, nothing debited', async (payWith, code) => {
    const { service, store, balance, ready } = setup();
    await ready;
    const r = await service.place({ customerId: 'u1', quote: quote(), payWith: payWith as never });
    expect(r.ok ? 'ok' : r.error.code).toBe(code);
    if (!r.ok) expect(r.error.messages['zh-CN'].length > 0 && r.error.messages.en.length > 0).toBe(true);
    expect((await store.list({})).items).toHaveLength(0);
    expect(await balance.balanceOf('u1')).toBe(3000);
  });

  it('without a balance port an order with payWith is refused', async () => {
    const service = createOrderService({ store: new MemoryOrderStore(), ids: sequentialIds() });
    const r = await service.place({ customerId: 'u1', quote: quote(), payWith: { balance: 100 } });
    expect(r.ok ? 'ok' : r.error.code).toBe('BALANCE_NOT_CONFIGURED');
  });
});

describe('a source that succeeds while another fails', () => {
  it('an order that expires unpaid gives the balance back, once, even when the outbox delivers again', async () => {
    const { service, balance, clock, store, ready } = setup();
    await ready;
    await service.place({ customerId: 'u1', quote: quote(), payWith: { balance: 2000 } });
    clock.advance(DAY);
    const report = await service.sweep();
    expect(report.expired).toBe(1);
    expect(await balance.balanceOf('u1')).toBe(3000);
    const order = await store.load('o1');
    expect(order!.payment.sources![0]!.returnedAt).toBeDefined();
    // The outbox still holds the credit effect: draining it again moves nothing.
    await service.drainOutbox({ schedule: () => undefined, 'payment.close': () => undefined, 'coupon.release': () => undefined });
    expect(await balance.balanceOf('u1')).toBe(3000);
    expect(await balance.orderBalance('o1')).toEqual({ debited: 2000, credited: 2000 });
  });

  it('a cancel before WeChat Pay pays gives the balance back; a WeChat payment arriving later is refunded as late', async () => {
    const { service, balance, ready } = setup();
    await ready;
    await service.place({ customerId: 'u1', quote: quote(), payWith: { balance: 2000 } });
    await service.dispatch('o1', { type: 'CANCEL' }, customer);
    expect(await balance.balanceOf('u1')).toBe(3000);
    const late = await service.dispatch('o1', { type: 'PAYMENT_SUCCEEDED', amount: 3500, transactionId: 'wx-late' }, gateway);
    expect(late.ok).toBe(true);
    if (!late.ok) return;
    const refunds = late.effects.filter((e) => e.type === 'payment.refund');
    expect(refunds.map((e) => e.type === 'payment.refund' && [e.amount, e.transactionId])).toEqual([[3500, 'wx-late']]);
    expect(await balance.balanceOf('u1')).toBe(3000);
  });

  it('a store that fails the create after the debit: the balance is credited back, no order', async () => {
    const inner = new MemoryOrderStore();
    const failing: OrderStore = Object.assign(Object.create(inner) as OrderStore, {
      create: async () => {
        throw new Error('disk full');
      },
    });
    const { service, balance, ready } = setup({ store: failing });
    await ready;
    await expect(service.place({ customerId: 'u1', quote: quote(), payWith: { balance: 2000 } })).rejects.toThrow('disk full');
    expect(await balance.balanceOf('u1')).toBe(3000);
  });

  it('a balance port down when a credit is due: the credit waits in the outbox and lands on the next drain', async () => {
    const { real, flaky, setDown } = flakyCredits();
    const { service, ready } = setup({ balance: flaky });
    await ready;
    await service.place({ customerId: 'u1', quote: quote(), payWith: { balance: 2000 } });
    setDown(true);
    await service.dispatch('o1', { type: 'CANCEL' }, customer);
    expect(await real.balanceOf('u1')).toBe(1000);
    setDown(false);
    const report = await service.drainOutbox({ schedule: () => undefined, 'payment.close': () => undefined, 'coupon.release': () => undefined });
    expect(report.failed).toBe(0);
    expect(await real.balanceOf('u1')).toBe(3000);
  });
});

describe('refunds back to where the money came from', () => {
  it('a merchant cancel after payment: WeChat Pay gets its share, the balance its own, each entry succeeds', async () => {
    const { service, balance, store, ready } = setup();
    await ready;
    await service.place({ customerId: 'u1', quote: quote(), payWith: { balance: 2000 } });
    await service.dispatch('o1', { type: 'PAYMENT_SUCCEEDED', amount: 3500, transactionId: 'wx1' }, gateway);
    const cancelled = await service.dispatch('o1', { type: 'CANCEL', reason: 'out of tea' }, merchant);
    expect(cancelled.ok).toBe(true);
    if (!cancelled.ok) return;
    const wx = cancelled.effects.filter((e) => e.type === 'payment.refund');
    expect(wx.map((e) => e.type === 'payment.refund' && [e.amount, e.total, e.transactionId])).toEqual([[3500, 3500, 'wx1']]);
    expect(await balance.balanceOf('u1')).toBe(3000);
    const order = (await store.load('o1'))!;
    expect(order.refunds.map((r) => [r.amount, r.transactionId, r.status])).toEqual([
      [3500, 'wx1', 'pending'],
      [2000, 'balance:NO000001', 'succeeded'],
    ]);
    const done = await service.dispatch('o1', { type: 'REFUND_SUCCEEDED', refundId: order.refunds[0]!.id, amount: 3500 }, gateway);
    expect(done.ok && done.order.refunds.every((r) => r.status === 'succeeded')).toBe(true);
  });
});

describe('a refund to the balance after the order was anonymised (docs/privacy.md "What is not rewritten")', () => {
  /** u1 pays 2000 from the balance and 3500 by WeChat Pay, receives the order and asks for everything back. */
  async function completedAndAsked() {
    const s = setup();
    await s.ready;
    const placed = await s.service.place({ customerId: 'u1', quote: quote(), payWith: { balance: 2000 } });
    if (!placed.ok) throw placed.error;
    const id = placed.order.id;
    const must = async (command: Parameters<typeof s.service.dispatch>[1], actor: Parameters<typeof s.service.dispatch>[2]) => {
      const r = await s.service.dispatch(id, command, actor);
      if (!r.ok) throw r.error;
      return r;
    };
    await must({ type: 'PAYMENT_SUCCEEDED', amount: 3500, transactionId: 'wx1' }, gateway);
    await must({ type: 'SHIP', logisticsType: 'express' }, merchant);
    await must({ type: 'CONFIRM_RECEIPT' }, customer);
    const asked = await must(
      { type: 'REQUEST_AFTER_SALE', kind: 'refund_only', items: [{ lineId: 'a', quantity: 5 }, { lineId: 'b', quantity: 1 }], reason: 'damaged' },
      customer,
    );
    expect(await s.balance.balanceOf('u1')).toBe(1000);
    return { ...s, id, must, afterSaleId: asked.order.afterSales[0]!.id };
  }

  async function approvedAfter(anonymise: (s: Awaited<ReturnType<typeof completedAndAsked>>) => Promise<void>): Promise<void> {
    const s = await completedAndAsked();
    await anonymise(s);
    const order = (await s.store.load(s.id))!;
    expect(order.customerId.startsWith(ANONYMOUS_PREFIX)).toBe(true);
    const approved = await s.must({ type: 'APPROVE_AFTER_SALE', afterSaleId: s.afterSaleId }, merchant);
    const credits = approved.effects.filter((e) => e.type === 'balance.credit');
    expect(credits.map((e) => e.type === 'balance.credit' && [e.customerId, e.amount])).toEqual([[order.customerId, 2000]]);
    // The money is back in u1's own account; the pseudonym holds nothing.
    expect(await s.balance.balanceOf('u1')).toBe(3000);
    expect(await s.balance.balanceOf(order.customerId)).toBe(0);
    expect(await s.balance.orderBalance(s.id)).toEqual({ debited: 2000, credited: 2000 });
    const after = (await s.store.load(s.id))!;
    expect(after.refunds.map((r) => [r.amount, r.transactionId, r.status])).toEqual([
      [3500, 'wx1', 'pending'],
      [2000, 'balance:NO000001', 'succeeded'],
    ]);
    // The outbox delivering the credit again moves nothing.
    await s.service.drainOutbox({ schedule: () => undefined, 'payment.refund': () => undefined, 'coupon.release': () => undefined });
    expect(await s.balance.balanceOf('u1')).toBe(3000);
  }

  it('the customer asked to be forgotten (anonymizeCustomer): the approved refund credits the original account', async () => {
    await approvedAfter(async (s) => {
      const r = await anonymizeCustomer(s.store, 'u1');
      expect(r.ok && r.orders).toBe(1);
    });
  });

  it('the retention rule ran (anonymizeFinishedOrders): the approved refund credits the original account', async () => {
    await approvedAfter(async (s) => {
      s.clock.advance(2 * DAY);
      const r = await anonymizeFinishedOrders(s.store, { days: 1, now: s.clock.now() });
      expect(r.ok && r.orders).toBe(1);
    });
  });

  it('a credit waiting in the outbox when the order was anonymised lands in the original account on the next drain', async () => {
    const { real, flaky, setDown } = flakyCredits();
    const { service, store, ready } = setup({ balance: flaky });
    await ready;
    await service.place({ customerId: 'u1', quote: quote(), payWith: { balance: 2000 } });
    setDown(true);
    expect((await service.dispatch('o1', { type: 'CANCEL' }, customer)).ok).toBe(true);
    const r = await anonymizeCustomer(store, 'u1');
    expect(r.ok && r.pseudonym?.startsWith(ANONYMOUS_PREFIX)).toBe(true);
    setDown(false);
    const report = await service.drainOutbox({ schedule: () => undefined, 'payment.close': () => undefined, 'coupon.release': () => undefined });
    expect(report.failed).toBe(0);
    expect(await real.balanceOf('u1')).toBe(3000);
    expect(await real.orderBalance('o1')).toEqual({ debited: 2000, credited: 2000 });
  });
});
