import { OrderSchema, type Order, type Shipment } from '../../../src/order/index.js';

/**
 * Hand-built orders for the pure WeChat builders (no lifecycle needed). Every fixture is checked
 * against the Order schema, so a builder is never tested on a shape the library cannot produce.
 */
export function pendingOrder(over: Partial<Order> = {}): Order {
  const order: Order = {
    id: 'order-1',
    number: '202611251200004821937465',
    version: 1,
    status: 'pending_payment',
    customerId: 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o',
    currency: 'CNY',
    fulfillment: 'physical',
    lines: [
      { id: 'L1', sku: 'OAT-1KG', title: '有机燕麦片 1kg', fulfillment: 'physical', listPrice: 3300, unitPrice: 3300, quantity: 2, subtotal: 6600, allocations: [], payable: 6600 },
      { id: 'L2', sku: 'MILK-250', title: '纯牛奶 250ml×12', fulfillment: 'physical', listPrice: 3300, unitPrice: 3300, quantity: 1, subtotal: 3300, allocations: [], payable: 3300 },
    ],
    address: { name: '张三', phone: '13812345678', province: '广东省', city: '深圳市', district: '南山区', detail: '科技园 1 号' },
    merchantNotes: [],
    pricing: { itemsTotal: 9900, discountTotal: 0, freight: 0, pointsUsed: 0, pointsDeduction: 0, total: 9900, adjustments: [], couponIds: [] },
    payment: {
      attempts: [{ outTradeNo: '202611251200004821937465', amount: 9900, status: 'open', createdAt: '2026-11-25T04:00:00.000Z' }],
      paidAmount: 0,
      stray: [],
    },
    shipments: [],
    afterSales: [],
    refunds: [],
    deadlines: { payBy: '2026-11-25T04:30:00.000Z' },
    createdAt: '2026-11-25T04:00:00.000Z',
    updatedAt: '2026-11-25T04:00:00.000Z',
    ...over,
  };
  return OrderSchema.parse(order);
}

export function paidOrder(over: Partial<Order> = {}): Order {
  const base = pendingOrder();
  return OrderSchema.parse({
    ...base,
    version: 2,
    status: 'paid',
    payment: {
      ...base.payment,
      attempts: [{ ...base.payment.attempts[0]!, status: 'paid' }],
      paidAmount: 9900,
      paidAt: '2026-11-25T04:05:00.000Z',
      transactionId: '4200001234202611251234567890',
      outTradeNo: base.number,
      gateway: 'wechatpay',
    },
    paidAt: '2026-11-25T04:05:00.000Z',
    deadlines: {},
    ...over,
  });
}

export function shipment(over: Partial<Shipment> = {}): Shipment {
  return {
    id: 'S1',
    items: [
      { lineId: 'L1', quantity: 2 },
      { lineId: 'L2', quantity: 1 },
    ],
    logisticsType: 'express',
    trackingNo: 'SF1234567890',
    expressCompany: 'SF',
    shippedAt: '2026-11-26T02:00:00.000Z',
    ...over,
  };
}

export function shippedOrder(shipments: Shipment[], over: Partial<Order> = {}): Order {
  return OrderSchema.parse({ ...paidOrder(), version: 3, status: 'shipped', shipments, shippedAt: shipments[0]?.shippedAt, ...over });
}
