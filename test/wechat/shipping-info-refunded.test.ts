import { describe, expect, it } from 'vitest';
import type { Effect, Order } from '../../src/order/index.js';
import { buildShippingInfo, buildShippingInfoFromEffect } from '../../src/wechat/index.js';
import { customer, line, LOCAL_DELIVERY, merchant, must, NOW, pay, PICKUP_CODE, PICKUP_DELIVERY, place } from '../lifecycle/fixtures.js';

/**
 * Units a refund-only after-sale took back before they shipped never ship (docs/lifecycle.md
 * "Rules"): the parcel that carries the rest carries everything the order will send. The upload
 * built from the order alone (`buildShippingInfo`, docs/wechat.md "Shipping info") must say so the
 * same way as the one built from the outbox effect: unified, or split with `is_all_delivered`.
 */
const opts = { now: NOW, openid: 'o-1' };
const refundOne = (order: Order): Order =>
  must(order, { type: 'REQUEST_AFTER_SALE', kind: 'refund_only', items: [{ lineId: 'a', quantity: 1 }], reason: '少要一件' }, customer).order;
const uploadOf = (effects: Effect[]) => effects.find((e): e is Extract<Effect, { type: 'shipping.upload' }> => e.type === 'shipping.upload')!;

describe('shipping info after a refund of units not shipped', () => {
  it('pickup: the hand-over of the rest is one unified type-4 upload, from the order as from the effect', () => {
    const order = refundOne(pay(place({ lines: [line('a', 2, 1000)], delivery: PICKUP_DELIVERY })));
    const done = must(order, { type: 'VERIFY_PICKUP_CODE', code: PICKUP_CODE }, merchant);
    const id = done.order.shipments[0]!.id;
    const direct = buildShippingInfo(done.order, id, opts);
    const fromEffect = buildShippingInfoFromEffect(done.order, uploadOf(done.effects), opts);
    if (!direct.ok) throw direct.error;
    if (!fromEffect.ok) throw fromEffect.error;
    expect([direct.payload.logistics_type, direct.payload.delivery_mode, direct.payload.is_all_delivered]).toEqual([4, 1, undefined]);
    expect(direct.payload).toEqual(fromEffect.payload);
  });

  it('local: the rider taking the rest is one unified type-2 upload', () => {
    const order = refundOne(pay(place({ lines: [line('a', 2, 1000)], delivery: LOCAL_DELIVERY })));
    const out = must(order, { type: 'DISPATCH_RIDER', rider: { name: '李师傅', phone: '13900000000' } }, merchant);
    const direct = buildShippingInfo(out.order, out.order.shipments[0]!.id, opts);
    if (!direct.ok) throw direct.error;
    expect([direct.payload.logistics_type, direct.payload.delivery_mode]).toEqual([2, 1]);
    expect(direct.payload.shipping_list).toEqual([{ item_desc: 'Item a*1' }]);
  });

  it('express: one parcel with the rest is unified; after a split, the last parcel says everything is delivered', () => {
    const single = must(refundOne(pay(place({ lines: [line('a', 2, 1000)] }))), { type: 'SHIP', logisticsType: 'express', trackingNo: 'YT1', expressCompany: 'YTO' }, merchant);
    const one = buildShippingInfo(single.order, single.order.shipments[0]!.id, opts);
    if (!one.ok) throw one.error;
    expect(one.payload.delivery_mode).toBe(1);
    expect(one.payload).toEqual((buildShippingInfoFromEffect(single.order, uploadOf(single.effects), opts) as { payload: unknown }).payload);

    // 3 units: 1 ships, 1 is refunded, the last one ships.
    let order = pay(place({ lines: [line('a', 3, 1000)] }));
    order = must(order, { type: 'SHIP', logisticsType: 'express', items: [{ lineId: 'a', quantity: 1 }], trackingNo: 'YT1', expressCompany: 'YTO' }, merchant).order;
    order = refundOne(order);
    order = must(order, { type: 'APPROVE_AFTER_SALE', afterSaleId: order.afterSales[0]!.id }, merchant).order;
    const last = must(order, { type: 'SHIP', logisticsType: 'express', trackingNo: 'YT2', expressCompany: 'YTO' }, merchant);
    expect(uploadOf(last.effects).allDelivered).toBe(true);
    const second = buildShippingInfo(last.order, last.order.shipments[1]!.id, opts);
    const first = buildShippingInfo(last.order, last.order.shipments[0]!.id, opts);
    if (!second.ok) throw second.error;
    if (!first.ok) throw first.error;
    expect([second.payload.delivery_mode, second.payload.is_all_delivered, second.payload.shipping_list.length]).toEqual([2, true, 2]);
    // The first parcel, uploaded again, still does not claim the second.
    expect([first.payload.delivery_mode, first.payload.is_all_delivered]).toEqual([2, false]);
  });
});
