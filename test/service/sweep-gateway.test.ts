import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Order, PaymentAttempt } from '../../src/order/index.js';
import { createOrderService, GATEWAY_UNREACHABLE, type PaymentQuery } from '../../src/service/index.js';
import { MemoryOrderStore } from '../../src/storage/index.js';
import { MINUTE, manualClock, quote, sequentialIds } from './fixtures.js';

/**
 * Issue 13 item 6: when the payment gateway cannot be reached (`payments.query` answers null or
 * throws), the sweeper leaves the unpaid order open and asks again at the next sweep, up to
 * `unreachableGatewayLimitMs` past its pay-by time; then it expires it with the reason
 * `gateway_unreachable`.
 */
type Answer = 'null' | 'throw' | 'unpaid' | 'paid';

function gatewaySaying(answers: () => Answer): PaymentQuery & { asked: number } {
  const q = {
    asked: 0,
    async query(order: Order, attempt: PaymentAttempt) {
      q.asked += 1;
      const a = answers();
      if (a === 'throw') throw new Error('connect ETIMEDOUT');
      if (a === 'null') return null;
      if (a === 'unpaid') return { paid: false as const };
      return { paid: true as const, amount: attempt.amount, transactionId: `tx-${order.id}`, outTradeNo: attempt.outTradeNo };
    },
  };
  return q;
}

async function setup(answers: () => Answer, limitMs?: number) {
  const store = new MemoryOrderStore();
  const payments = gatewaySaying(answers);
  const service = createOrderService({
    store,
    clock: manualClock(),
    ids: sequentialIds(),
    payments,
    ...(limitMs === undefined ? {} : { unreachableGatewayLimitMs: limitMs }),
  });
  const placed = await service.place({ customerId: 'u1', quote: quote() });
  if (!placed.ok) throw placed.error;
  return { store, service, payments, payBy: Date.parse(placed.order.deadlines.payBy!) };
}

describe('sweep when the payment gateway cannot be reached', () => {
  it('leaves the order open (null or a throw), asks again at the next sweep, and expires it when the gateway says unpaid', async () => {
    let answer: Answer = 'null';
    const { store, service, payments, payBy } = await setup(() => answer);
    const first = await service.sweep(new Date(payBy + MINUTE));
    expect(first).toMatchObject({ expired: 0, gatewayUnreachable: 1, expiredUnverified: 0 });
    expect((await store.load('o1'))!.status).toBe('pending_payment');
    answer = 'throw';
    const second = await service.sweep(new Date(payBy + 2 * MINUTE));
    expect(second).toMatchObject({ expired: 0, gatewayUnreachable: 1 });
    expect((await store.load('o1'))!.status).toBe('pending_payment');
    answer = 'unpaid';
    const third = await service.sweep(new Date(payBy + 3 * MINUTE));
    expect(third).toMatchObject({ expired: 1, gatewayUnreachable: 0, expiredUnverified: 0 });
    const closed = (await store.load('o1'))!;
    expect([closed.status, closed.closeReason]).toEqual(['closed', 'payment_timeout']);
    expect((await store.history('o1')).at(-1)!.data).not.toHaveProperty('reason');
    expect(payments.asked).toBe(3);
  });

  it('applies a payment the gateway reports once it is reachable again', async () => {
    let answer: Answer = 'throw';
    const { store, service, payBy } = await setup(() => answer);
    expect(await service.sweep(new Date(payBy + MINUTE))).toMatchObject({ gatewayUnreachable: 1, paidLate: 0 });
    answer = 'paid';
    expect(await service.sweep(new Date(payBy + 5 * MINUTE))).toMatchObject({ gatewayUnreachable: 0, paidLate: 1, expired: 0 });
    expect((await store.load('o1'))!.status).toBe('paid');
  });

  it('after the limit past pay-by, expires it anyway and says why (reason gateway_unreachable); default limit 2 hours', async () => {
    const { store, service, payBy } = await setup(() => 'null');
    expect(await service.sweep(new Date(payBy + 119 * MINUTE))).toMatchObject({ expired: 0, gatewayUnreachable: 1 });
    const report = await service.sweep(new Date(payBy + 120 * MINUTE));
    expect(report).toMatchObject({ expired: 1, expiredUnverified: 1, gatewayUnreachable: 0 });
    const closed = (await store.load('o1'))!;
    expect([closed.status, closed.closeReason]).toEqual(['closed', 'payment_timeout']);
    const last = (await store.history('o1')).at(-1)!;
    expect([last.type, last.data?.reason]).toEqual(['EXPIRE', GATEWAY_UNREACHABLE]);
    expect(GATEWAY_UNREACHABLE).toBe('gateway_unreachable');
  });

  it('the limit is configurable; 0 expires at once as before', async () => {
    const ten = await setup(() => 'null', 10 * MINUTE);
    expect(await ten.service.sweep(new Date(ten.payBy + 9 * MINUTE))).toMatchObject({ expired: 0, gatewayUnreachable: 1 });
    expect(await ten.service.sweep(new Date(ten.payBy + 10 * MINUTE))).toMatchObject({ expired: 1, expiredUnverified: 1 });
    const zero = await setup(() => 'throw', 0);
    expect(await zero.service.sweep(new Date(zero.payBy + MINUTE))).toMatchObject({ expired: 1, expiredUnverified: 1 });
  });

  it('property: whatever the gateway answers at each sweep, the order closes only on an unpaid answer or past the limit, and is paid exactly when the gateway said so', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.integer({ min: 1, max: 40 }), fc.constantFrom<Answer>('null', 'throw', 'unpaid', 'paid')), { minLength: 1, maxLength: 8 }),
        fc.integer({ min: 0, max: 180 }),
        async (steps, limitMinutes) => {
          let i = 0;
          const { store, service, payBy } = await setup(() => steps[Math.min(i, steps.length - 1)]![1], limitMinutes * MINUTE);
          let t = payBy;
          let expected: 'pending_payment' | 'closed' | 'paid' = 'pending_payment';
          let reason: string | undefined;
          for (; i < steps.length; i++) {
            const [gapMinutes, answer] = steps[i]!;
            t += gapMinutes * MINUTE;
            await service.sweep(new Date(t));
            if (expected === 'pending_payment') {
              if (answer === 'paid') expected = 'paid';
              else if (answer === 'unpaid') expected = 'closed';
              else if (t >= payBy + limitMinutes * MINUTE) {
                expected = 'closed';
                reason = 'gateway_unreachable';
              }
            }
            expect((await store.load('o1'))!.status).toBe(expected);
          }
          const last = (await store.history('o1')).at(-1)!;
          if (expected === 'closed') expect(last.data?.reason).toBe(reason);
        },
      ),
      { numRuns: 150 },
    );
  });
});
