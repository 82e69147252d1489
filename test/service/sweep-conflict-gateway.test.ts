import { describe, expect, it } from 'vitest';
import { currentAttempt } from '../../src/lifecycle/attempts.js';
import type { Order, PaymentAttempt } from '../../src/order/index.js';
import { createOrderService, type PaymentQuery } from '../../src/service/index.js';
import { MemoryOrderStore } from '../../src/storage/index.js';
import { MINUTE, manualClock, merchant, quote, sequentialIds } from './fixtures.js';

/**
 * The sweeper's retry after a version conflict must ask the gateway as its first pass does: the
 * order moved meanwhile, possibly to a new payment attempt (a new out_trade_no) that the shopper
 * has paid. Expiring it unasked closes a paid order; its money then arrives as a stray payment.
 */
describe('sweep: the retry after a conflict asks the gateway too', () => {
  async function setup(onFirstQuery: (service: ReturnType<typeof createOrderService>, order: Order) => Promise<void>) {
    const store = new MemoryOrderStore();
    // The gateway: paid out_trade_nos and their amounts.
    const paidAtGateway = new Map<string, number>();
    const asked: string[] = [];
    let service!: ReturnType<typeof createOrderService>;
    const payments: PaymentQuery = {
      async query(order: Order, attempt: PaymentAttempt) {
        asked.push(attempt.outTradeNo);
        if (asked.length === 1) await onFirstQuery(service, order);
        const amount = paidAtGateway.get(attempt.outTradeNo);
        if (amount === undefined) return { paid: false as const };
        return { paid: true as const, amount, transactionId: `tx-${attempt.outTradeNo}`, outTradeNo: attempt.outTradeNo };
      },
    };
    service = createOrderService({ store, clock: manualClock(), ids: sequentialIds(), payments });
    const placed = await service.place({ customerId: 'u1', quote: quote() });
    if (!placed.ok) throw placed.error;
    return { store, service, paidAtGateway, asked, payBy: Date.parse(placed.order.deadlines.payBy!) };
  }

  it('an order re-priced (new out_trade_no) and paid at the gateway while the sweeper asked about the old attempt is paid, not expired', async () => {
    let paid!: Map<string, number>;
    const ctx = await setup(async (service, order) => {
      // While the gateway answers for attempt 1, the merchant re-prices (attempt 2) and the
      // shopper pays attempt 2.
      const adjusted = await service.dispatch(order.id, { type: 'ADJUST_PRICE', newTotal: order.pricing.total - 100, reason: '老客优惠' }, merchant);
      if (!adjusted.ok) throw adjusted.error;
      const attempt = currentAttempt(adjusted.order)!;
      expect(attempt.outTradeNo).not.toBe(currentAttempt(order)!.outTradeNo);
      paid.set(attempt.outTradeNo, attempt.amount);
    });
    paid = ctx.paidAtGateway;
    const report = await ctx.service.sweep(new Date(ctx.payBy + MINUTE));
    const after = (await ctx.store.load('o1'))!;
    expect(after.status).toBe('paid');
    expect(report).toMatchObject({ expired: 0, paidLate: 1 });
    // The retry asked about the new attempt.
    expect(ctx.asked).toEqual([ctx.asked[0], `${after.number}-2`]);
  });

  it('the retry still expires an order whose new attempt the gateway says is unpaid', async () => {
    const ctx = await setup(async (service, order) => {
      const adjusted = await service.dispatch(order.id, { type: 'ADJUST_PRICE', newTotal: order.pricing.total - 100, reason: '老客优惠' }, merchant);
      if (!adjusted.ok) throw adjusted.error;
    });
    const report = await ctx.service.sweep(new Date(ctx.payBy + MINUTE));
    expect((await ctx.store.load('o1'))!.status).toBe('closed');
    expect(report).toMatchObject({ expired: 1, paidLate: 0 });
    expect(ctx.asked).toHaveLength(2);
  });
});
