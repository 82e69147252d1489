import type { Line, Order, OrderStatus, Refund } from '../../../src/order/index.js';

/**
 * Builds a schema-valid order from a plain plan of what happened to it and when, without running
 * the lifecycle, so analytics can be tested on any mix of histories (including ones the lifecycle
 * would take many commands to reach).
 */
export interface OrderPlan {
  id: string;
  customerId?: string;
  placedAt: number;
  lines: Array<{ sku: string; title?: string; quantity: number; payable: number }>;
  freight?: number;
  paidAfterMs?: number;
  /** Closed unpaid: 'payment_timeout' or 'customer_cancelled'. */
  closedUnpaid?: 'payment_timeout' | 'customer_cancelled';
  closedAfterMs?: number;
  /** Parcels, each shipped this long after payment (first one is the fulfilment time). */
  parcelsAfterPaidMs?: number[];
  deliveredAfterShippedMs?: number;
  completedAfterShippedMs?: number;
  refunds?: Array<{ amount: number; status: Refund['status']; reason?: Refund['reason']; afterMs?: number; afterSaleReason?: string }>;
  /** Closed after payment because everything was refunded. */
  fullyRefunded?: boolean;
  /** Delivery address province ('' = an address without one). */
  province?: string;
  channel?: string;
  /** A coupon of this many fen on the first line (couponIds gets one id). */
  coupon?: number;
  /** Succeeded after-sale refunds get an after-sale with this reason. */
  afterSaleReason?: string;
}

const iso = (t: number) => new Date(t).toISOString();

export function buildOrder(plan: OrderPlan): Order {
  const lines: Line[] = plan.lines.map((l, i) => ({
    id: `${plan.id}-L${i + 1}`,
    sku: l.sku,
    title: l.title ?? `Product ${l.sku}`,
    fulfillment: 'physical',
    listPrice: Math.ceil(l.payable / l.quantity),
    unitPrice: Math.ceil(l.payable / l.quantity),
    quantity: l.quantity,
    subtotal: Math.ceil(l.payable / l.quantity) * l.quantity,
    allocations: [],
    payable: l.payable,
  }));
  const freight = plan.freight ?? 0;
  const total = lines.reduce((s, l) => s + l.payable, 0) + freight;
  const itemsTotal = lines.reduce((s, l) => s + l.subtotal, 0);
  const number = `N${plan.id}`;
  let status: OrderStatus = 'pending_payment';
  let updatedAt = plan.placedAt;
  const order: Order = {
    id: plan.id,
    number,
    version: 1,
    status,
    customerId: plan.customerId ?? 'c1',
    currency: 'CNY',
    fulfillment: 'physical',
    lines,
    merchantNotes: [],
    pricing: {
      itemsTotal,
      discountTotal: itemsTotal - lines.reduce((s, l) => s + l.payable, 0),
      freight,
      pointsUsed: 0,
      pointsDeduction: 0,
      total,
      adjustments: [],
      couponIds: [],
    },
    payment: {
      attempts: [{ outTradeNo: number, amount: total, status: 'open', createdAt: iso(plan.placedAt) }],
      paidAmount: 0,
      stray: [],
    },
    shipments: [],
    afterSales: [],
    refunds: [],
    deadlines: { payBy: iso(plan.placedAt + 30 * 60_000) },
    createdAt: iso(plan.placedAt),
    updatedAt: iso(plan.placedAt),
  };
  let version = 1;
  if (plan.paidAfterMs === undefined) {
    if (plan.closedUnpaid) {
      const t = plan.placedAt + (plan.closedAfterMs ?? 30 * 60_000);
      status = 'closed';
      order.closeReason = plan.closedUnpaid;
      order.closedAt = iso(t);
      order.payment.attempts[0]!.status = 'closed';
      updatedAt = t;
      version++;
    }
  } else {
    const paidAt = plan.placedAt + plan.paidAfterMs;
    status = 'paid';
    order.paidAt = iso(paidAt);
    order.payment = {
      ...order.payment,
      attempts: [{ ...order.payment.attempts[0]!, status: 'paid' }],
      paidAmount: total,
      paidAt: iso(paidAt),
      transactionId: `T${plan.id}`,
      outTradeNo: number,
      gateway: 'demo',
    };
    updatedAt = paidAt;
    version++;
    const parcels = plan.parcelsAfterPaidMs ?? [];
    let lastShip = NaN;
    parcels.forEach((after, i) => {
      const t = paidAt + after;
      order.shipments.push({
        id: `${plan.id}-S${i + 1}`,
        items: [{ lineId: lines[Math.min(i, lines.length - 1)]!.id, quantity: 1 }],
        logisticsType: 'express',
        shippedAt: iso(t),
      });
      lastShip = Math.max(Number.isNaN(lastShip) ? t : lastShip, t);
      version++;
    });
    if (parcels.length > 0) {
      status = parcels.length >= lines.length ? 'shipped' : 'partially_shipped';
      if (status === 'shipped') order.shippedAt = iso(lastShip);
      updatedAt = lastShip;
      if (status === 'shipped' && plan.deliveredAfterShippedMs !== undefined) {
        const t = lastShip + plan.deliveredAfterShippedMs;
        order.deliveredAt = iso(t);
        status = 'delivered';
        updatedAt = Math.max(updatedAt, t);
        version++;
      }
      if (status !== 'partially_shipped' && plan.completedAfterShippedMs !== undefined) {
        const t = lastShip + plan.completedAfterShippedMs;
        order.completedAt = iso(t);
        status = 'completed';
        updatedAt = Math.max(updatedAt, t);
        version++;
      }
    }
    (plan.refunds ?? []).forEach((r, i) => {
      const t = paidAt + (r.afterMs ?? 3_600_000);
      order.refunds.push({
        id: `${number}R${i + 1}`,
        reason: r.reason ?? 'after_sale',
        amount: r.amount,
        status: r.status,
        transactionId: `T${plan.id}`,
        outTradeNo: number,
        createdAt: iso(t),
        updatedAt: iso(t),
        attempts: 1,
      });
      updatedAt = Math.max(updatedAt, t);
      version++;
    });
    if (plan.fullyRefunded) {
      status = 'closed';
      order.closeReason = 'fully_refunded';
      order.closedAt = iso(updatedAt);
    }
  }
  if (plan.province !== undefined) {
    order.address = { name: '顾客', phone: '13800000000', province: plan.province, city: '市', detail: '某路 1 号' };
  }
  if (plan.channel !== undefined) order.channel = plan.channel;
  if (plan.coupon !== undefined && plan.coupon > 0) {
    order.pricing.couponIds = ['CPN-1'];
    order.lines[0]!.allocations = [{ source: 'coupon', sourceId: 'CPN-1', amount: plan.coupon }];
  }
  order.refunds.forEach((r, i) => {
    const reason = plan.refunds?.[i]?.afterSaleReason;
    if (reason === undefined || r.reason !== 'after_sale') return;
    const id = `${plan.id}-AS${i + 1}`;
    r.afterSaleId = id;
    order.afterSales.push({
      id, kind: 'refund_only', status: r.status === 'succeeded' ? 'refunded' : 'refunding', items: [], amount: r.amount, shippingAmount: 0,
      reason, requestedBy: { type: 'customer', id: order.customerId }, requestedAt: r.createdAt, updatedAt: r.updatedAt, refundId: r.id,
    });
  });
  order.status = status;
  order.version = version;
  order.updatedAt = iso(updatedAt);
  return order;
}
