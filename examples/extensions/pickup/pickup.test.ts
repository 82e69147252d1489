import { describe, expect, it } from 'vitest';
import { MemoryOrderStore, createOrderService, orderView, type Actor, type Clock } from 'wx-orderkit';
import { pickupExtension } from './pickup.js';

/**
 * The pickup extension through orderkit's service and sweeper, as a shop would use it: the test
 * imports `wx-orderkit` (the built package, dist/), never the sources.
 */
const shopper: Actor = { type: 'customer', id: 'openid-alice' };
const staff: Actor = { type: 'merchant', id: 'staff-1' };
const gateway: Actor = { type: 'payment', gateway: 'wechatpay' };
const DAY = 86_400_000;

function setup(codes = ['481516', '234200']) {
  let now = Date.parse('2026-11-25T04:00:00Z');
  const clock: Clock & { advance(ms: number): void } = { now: () => new Date(now), advance: (ms) => void (now += ms) };
  const queue = codes.slice();
  const pickup = pickupExtension({ newCode: () => queue.shift() ?? '000000', expireAfterDays: 3 });
  const service = createOrderService({ store: new MemoryOrderStore(), clock, lifecycle: pickup.lifecycle });
  return { clock, pickup, service };
}

async function paidPickupOrder(s: ReturnType<typeof setup>) {
  const placed = await s.service.place({
    customerId: shopper.id,
    cart: { lines: [{ id: 'l1', sku: 'TEA-LJ', title: '明前龙井', listPrice: 6800, quantity: 2 }] },
    rules: { freight: { defaultFee: 0 } },
    metadata: { delivery: 'pickup' },
  });
  if (!placed.ok) throw placed.error;
  s.clock.advance(60_000);
  const paid = await s.service.dispatch(placed.order.id, { type: 'PAYMENT_SUCCEEDED', amount: placed.order.pricing.total, transactionId: 'wx-1' }, gateway);
  if (!paid.ok) throw paid.error;
  return paid.order;
}

describe('到店自提 + 核销 (examples/extensions/pickup)', () => {
  it('issues the injected code on payment; a wrong code is PICKUP_CODE_MISMATCH and counted; the right one completes the order', async () => {
    const s = setup();
    const order = await paidPickupOrder(s);
    expect(order.status).toBe('shipped');
    expect(order.metadata).toMatchObject({ delivery: 'pickup', pickup: { code: '481516', expiresAt: '2026-11-28T04:01:00.000Z' } });
    expect(order.shipments[0]).toMatchObject({ logisticsType: 'pickup', items: [{ lineId: 'l1', quantity: 2 }] });
    // The shopper cannot skip the counter; the merchant's page offers the redemption.
    const confirm = await s.service.dispatch(order.id, { type: 'CONFIRM_RECEIPT' }, shopper);
    expect(!confirm.ok && confirm.error.code).toBe('INVALID_TRANSITION');
    expect(orderView(order, { actor: staff, now: s.clock.now(), lifecycle: s.pickup.lifecycle }).actions.map((a) => a.key)).toContain('redeemPickupCode');
    expect(orderView(order, { actor: shopper, now: s.clock.now(), lifecycle: s.pickup.lifecycle }).actions.map((a) => a.key)).not.toContain('redeemPickupCode');

    for (const code of ['111111', '999999']) {
      const wrong = await s.service.dispatch(order.id, { type: 'REDEEM_PICKUP_CODE', code }, staff);
      expect(!wrong.ok && wrong.error.code).toBe('PICKUP_CODE_MISMATCH');
    }
    expect(s.pickup.wrongCodes()).toBe(2);
    const byShopper = await s.service.dispatch(order.id, { type: 'REDEEM_PICKUP_CODE', code: '481516' }, shopper);
    expect(!byShopper.ok && byShopper.error.code).toBe('FORBIDDEN');
    const done = await s.service.dispatch(order.id, { type: 'REDEEM_PICKUP_CODE', code: '481516' }, staff);
    if (!done.ok) throw done.error;
    expect(done.order.status).toBe('completed');
    expect(done.order.metadata).toMatchObject({ pickup: { redeemedAt: s.clock.now().toISOString() } });
    const again = await s.service.dispatch(order.id, { type: 'REDEEM_PICKUP_CODE', code: '481516' }, staff);
    expect(!again.ok && again.error.code).toBe('INVALID_TRANSITION');
    expect(s.pickup.wrongCodes()).toBe(2);
  });

  it('an unredeemed code expires after N days: the sweeper closes the order with a full refund', async () => {
    const s = setup();
    const order = await paidPickupOrder(s);
    s.clock.advance(3 * DAY - 120_000);
    const early = await s.service.sweep();
    expect(early.autoConfirmed + early.expired).toBe(0);
    expect((await s.service.get(order.id))!.status).toBe('shipped');
    s.clock.advance(120_000);
    await s.service.sweep();
    const closed = (await s.service.get(order.id))!;
    expect(closed.status).toBe('closed');
    expect(closed.closeReason).toBe('fully_refunded');
    expect(closed.refunds.map((r) => r.amount)).toEqual([order.pricing.total]);
    const history = await s.service.history(order.id);
    expect(history.map((e) => e.type)).toEqual(['ORDER_PLACED', 'PAYMENT_SUCCEEDED', 'AUTO_CONFIRM']);
    const late = await s.service.dispatch(order.id, { type: 'REDEEM_PICKUP_CODE', code: '481516' }, staff);
    expect(!late.ok && late.error.code).toBe('INVALID_TRANSITION');
  });

  it('an ordinary express order of the same shop takes orderkit’s own path', async () => {
    const s = setup();
    const placed = await s.service.place({ customerId: shopper.id, cart: { lines: [{ id: 'l1', sku: 'TEA-LJ', title: '明前龙井', listPrice: 6800, quantity: 1 }] }, rules: { freight: { defaultFee: 0 } } });
    if (!placed.ok) throw placed.error;
    const paid = await s.service.dispatch(placed.order.id, { type: 'PAYMENT_SUCCEEDED', amount: placed.order.pricing.total, transactionId: 'wx-9' }, gateway);
    expect(paid.ok && paid.order.status).toBe('paid');
    expect(paid.ok && paid.order.metadata).toBeUndefined();
  });
});
