import { expect, it } from 'vitest';
import { PostgresOrderStore } from '../../src/adapters/postgres/index.js';
import { createOrderService } from '../../src/service/index.js';
import { describeRealPg, migratedPool } from '../support/pg.js';
import { gateway, line, merchant, quote } from '../service/fixtures.js';

const ROUNDS = 60;

/**
 * 改价 racing the payment of the attempt it supersedes, on the real PostgreSQL, each side in its
 * own service instance (as two processes would be). Exactly one may win: either the payment pays
 * the order and the adjustment is refused, or the adjustment lands and the payment becomes a stray
 * payment with exactly one refund. Never both (a paid order re-priced), never neither (money lost).
 */
await describeRealPg('race: ADJUST_PRICE vs PAYMENT_SUCCEEDED of the old attempt (real PostgreSQL)', (real) => {
  const pool = migratedPool(real);

  it(`${ROUNDS} rounds: one side wins, the money is never lost or taken twice`, async () => {
    const instance = () => createOrderService({ store: new PostgresOrderStore({ db: pool(), schema: real.schema }), maxRetries: 20 });
    const [shop, callback, reader] = [instance(), instance(), instance()];
    const wins = { payment: 0, adjustment: 0 };
    for (let round = 0; round < ROUNDS; round++) {
      const id = `race-${round}`;
      const placed = await reader.place({ id, number: `RACE${String(round).padStart(6, '0')}`, customerId: 'u1', quote: quote([line('a', 3, 1000), line('b', 1, 500)], 800) });
      if (!placed.ok) throw placed.error;
      const old = placed.order.payment.attempts[0]!;
      const payment = { type: 'PAYMENT_SUCCEEDED' as const, amount: old.amount, transactionId: `tx-${round}`, outTradeNo: old.outTradeNo };
      // Alternate who starts first, and let the second start 0–2 ms later, so that both
      // interleavings really happen (the payment does one more round trip, its idempotency
      // lookup, and with no head start it nearly always loses). Both are in flight together.
      const adjustFirst = round % 2 === 0;
      const lead = () => new Promise((r) => setTimeout(r, Math.floor(round / 2) % 3));
      const adjusting = () => shop.dispatch(id, { type: 'ADJUST_PRICE', newTotal: old.amount - 300, reason: '议价' }, merchant);
      const paying = () => callback.dispatch(id, payment, gateway, { idempotencyKey: `pay:tx-${round}` });
      const [adjusted, paid] = adjustFirst
        ? await Promise.all([adjusting(), lead().then(paying)])
        : (await Promise.all([paying(), lead().then(adjusting)])).reverse();
      const final = (await reader.get(id))!;
      const strayRefunds = final.refunds.filter((r) => r.reason === 'stray_payment');
      const history = await reader.history(id);
      expect(paid!.ok).toBe(true);
      if (final.status === 'paid') {
        wins.payment++;
        expect(adjusted!.ok ? 'ok' : adjusted!.error.code).toBe('INVALID_TRANSITION');
        expect(final.pricing.total).toBe(old.amount);
        expect(final.payment).toMatchObject({ paidAmount: old.amount, transactionId: payment.transactionId, outTradeNo: old.outTradeNo });
        expect(final.payment.stray).toEqual([]);
        expect(strayRefunds).toEqual([]);
        expect(history.map((e) => e.type)).toEqual(['ORDER_PLACED', 'PAYMENT_SUCCEEDED']);
      } else {
        wins.adjustment++;
        expect(adjusted!.ok).toBe(true);
        expect(paid!.ok && paid!.strayPayment).toEqual({ code: 'PAYMENT_ATTEMPT_CLOSED' });
        expect(final.status).toBe('pending_payment');
        expect(final.pricing.total).toBe(old.amount - 300);
        expect(final.payment.paidAmount).toBe(0);
        expect(final.payment.stray.map((s) => [s.transactionId, s.amount])).toEqual([[payment.transactionId, old.amount]]);
        expect(strayRefunds).toEqual([expect.objectContaining({ transactionId: payment.transactionId, amount: old.amount, status: 'pending' })]);
        expect(history.map((e) => e.type)).toEqual(['ORDER_PLACED', 'ADJUST_PRICE', 'RECORD_STRAY_PAYMENT']);
      }
      // The outbox holds exactly the refunds the order's ledger says, once each.
      const refunds = await pool().query(`SELECT doc AS effect FROM "${real.schema}".outbox WHERE order_id = $1`, [id]);
      const refundEffects = refunds.rows.map((r: { effect: unknown }) => (typeof r.effect === 'string' ? JSON.parse(r.effect) : r.effect)).filter((e: { type: string }) => e.type === 'payment.refund');
      expect(refundEffects.map((e: { refundId: string }) => e.refundId)).toEqual(strayRefunds.map((r) => r.id));
    }
    console.log(`ADJUST_PRICE vs payment: ${JSON.stringify(wins)} over ${ROUNDS} rounds`);
    expect(wins.payment + wins.adjustment).toBe(ROUNDS);
    // Both interleavings really happened (the start order alternates).
    expect(wins.payment).toBeGreaterThan(0);
    expect(wins.adjustment).toBeGreaterThan(0);
  }, 120_000);
});
