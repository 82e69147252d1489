import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildShippingInfo, buildShippingInfoFromEffect, maskPhone } from '../../src/wechat/index.js';
import { paidOrder, shipment, shippedOrder } from './support/orders.js';

const NOW = new Date('2026-11-26T02:00:00.120Z');
const opts = { mchid: '1900000109', now: NOW };

describe('buildShippingInfo', () => {
  it('uploads one express parcel carrying everything as a unified delivery', () => {
    const order = shippedOrder([shipment()]);
    const r = buildShippingInfo(order, 'S1', opts);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.payload).toEqual({
      order_key: { order_number_type: 1, mchid: '1900000109', out_trade_no: '202611251200004821937465' },
      logistics_type: 1,
      delivery_mode: 1,
      shipping_list: [
        {
          tracking_no: 'SF1234567890',
          express_company: 'SF',
          item_desc: '有机燕麦片 1kg*2；纯牛奶 250ml×12*1',
          contact: { receiver_contact: '138****5678' },
        },
      ],
      upload_time: '2026-11-26T10:00:00.120+08:00',
      payer: { openid: 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o' },
    });
  });

  it('uploads split deliveries cumulatively, with is_all_delivered only once everything shipped', () => {
    const first = shipment({ id: 'S1', items: [{ lineId: 'L1', quantity: 2 }], trackingNo: 'YT001', expressCompany: 'YTO' });
    const second = shipment({ id: 'S2', items: [{ lineId: 'L2', quantity: 1 }], trackingNo: 'YT002', expressCompany: 'YTO' });
    const partial = buildShippingInfo(shippedOrder([first], { status: 'partially_shipped' }), 'S1', opts);
    expect(partial.ok && partial.payload).toMatchObject({ delivery_mode: 2, is_all_delivered: false, shipping_list: [{ tracking_no: 'YT001' }] });
    const order = shippedOrder([first, second]);
    const done = buildShippingInfo(order, 'S2', opts);
    expect(done.ok && done.payload).toMatchObject({
      delivery_mode: 2,
      is_all_delivered: true,
      shipping_list: [
        { tracking_no: 'YT001', item_desc: '有机燕麦片 1kg*2' },
        { tracking_no: 'YT002', item_desc: '纯牛奶 250ml×12*1' },
      ],
    });
    const fromEffect = buildShippingInfoFromEffect(order, { id: 'order-1:4:0', orderId: 'order-1', type: 'shipping.upload', shipmentId: 'S2', logisticsType: 'express', items: second.items, allDelivered: true }, opts);
    expect(fromEffect.ok && fromEffect.payload.is_all_delivered).toBe(true);
  });

  it('maps virtual, same-city and pickup deliveries to logistics types 3, 2 and 4', () => {
    for (const [type, code] of [['virtual', 3], ['same_city', 2], ['pickup', 4]] as const) {
      const s = shipment({ logisticsType: type, trackingNo: undefined, expressCompany: undefined });
      const r = buildShippingInfo(shippedOrder([s]), s, opts);
      expect(r.ok && r.payload.logistics_type).toBe(code);
      expect(r.ok && r.payload.shipping_list[0]!.tracking_no).toBeUndefined();
    }
  });

  it('keys by transaction_id when asked, or when no mchid is given', () => {
    const r = buildShippingInfo(shippedOrder([shipment()]), 'S1', { now: NOW });
    expect(r.ok && r.payload.order_key).toEqual({ order_number_type: 2, transaction_id: '4200001234202611251234567890' });
  });

  it('refuses an express parcel without tracking number or company, an unknown shipment and an unpaid order', () => {
    const noTracking = buildShippingInfo(shippedOrder([shipment({ trackingNo: undefined })]), 'S1', opts);
    expect(!noTracking.ok && noTracking.error.code).toBe('MISSING_TRACKING_NUMBER');
    const noCompany = buildShippingInfo(shippedOrder([shipment({ expressCompany: undefined })]), 'S1', opts);
    expect(!noCompany.ok && noCompany.error.code).toBe('MISSING_EXPRESS_COMPANY');
    const missing = buildShippingInfo(shippedOrder([shipment()]), 'S9', opts);
    expect(!missing.ok && missing.error.code).toBe('SHIPMENT_NOT_FOUND');
    const unpaid = buildShippingInfo({ ...paidOrder(), payment: { ...paidOrder().payment, paidAmount: 0 } }, shipment(), opts);
    expect(!unpaid.ok && unpaid.error.code).toBe('ORDER_NOT_PAID');
    const sfNoPhone = buildShippingInfo(shippedOrder([shipment()], { address: undefined }), 'S1', opts);
    expect(!sfNoPhone.ok && sfNoPhone.error.code).toBe('MISSING_CONTACT');
  });

  it('cuts item_desc to 120 characters on character boundaries', () => {
    const title = '😀'.repeat(90);
    const order = shippedOrder([shipment()], { lines: paidOrder().lines.map((l) => ({ ...l, title })) });
    const r = buildShippingInfo(order, 'S1', opts);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const desc = r.payload.shipping_list[0]!.item_desc;
    expect(Array.from(desc).length).toBe(120);
    expect(desc).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
  });
});

describe('maskPhone', () => {
  it('keeps the last four digits and masks the four before them', () => {
    expect(maskPhone('13812345678')).toBe('138****5678');
    expect(maskPhone('+86 138 1234 5678')).toBe('138****5678');
    expect(maskPhone('021-12345678')).toBe('021-****5678');
    expect(maskPhone('12345678')).toBe('****5678');
  });

  it('property: the last four digits survive and at least four digits are hidden when there are more than four', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^1[3-9]\d{9}$/), (phone) => {
        const masked = maskPhone(phone);
        return masked.slice(-4) === phone.slice(-4) && (masked.match(/\*/g) ?? []).length === 4 && masked.length === phone.length;
      }),
    );
  });
});
