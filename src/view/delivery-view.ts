import type { Actor, DeliveryMode, Order } from '../order/index.js';
import type { LocalizedText } from '../errors/orderkit-error.js';
import { moneyView, shopTime, type MoneyView, type ViewLocale } from './format.js';

/** The delivery modes' names (docs/delivery.md). @example DELIVERY_MODE_LABELS.pickup['zh-CN'] // → '到店自提' */
export const DELIVERY_MODE_LABELS: Readonly<Record<DeliveryMode, LocalizedText>> = {
  express: { 'zh-CN': '快递配送', en: 'Express' },
  local: { 'zh-CN': '同城配送', en: 'Local delivery' },
  pickup: { 'zh-CN': '到店自提', en: 'Store pickup' },
};

/** How the order reaches the shopper, for the order detail page (docs/delivery.md "Views"). */
export interface DeliveryView {
  mode: DeliveryMode;
  modeLabel: string;
  /** The delivery (or pickup) slot in the shop's time: '2026-11-25 14:00–15:00'. */
  slotText?: string;
  /** Local: the delivery fee before any waiver, the distance ('2.5 km') or the zone. */
  fee?: MoneyView;
  distanceText?: string;
  zone?: string;
  /** Local, once dispatched: who carries it. */
  rider?: { name: string; phone: string; company?: string; trackingNo?: string };
  /** Local, once delivered: the proof. */
  proof?: { photoUrl?: string; receivedBy?: string; note?: string; atText: string };
  /** Pickup: where. */
  store?: { id: string; name: string; address?: string; phone?: string };
  /**
   * Pickup: the code to show at the counter. Only the order's own shopper sees it, once the order
   * is paid and until it is picked up; staff never do (they type the code the shopper shows).
   */
  pickupCode?: string;
  pickedUpAtText?: string;
}

function slotText(slot: { start: string; end: string }, tz: string): string {
  const start = shopTime(slot.start, tz);
  const end = shopTime(slot.end, tz);
  return start.slice(0, 10) === end.slice(0, 10) ? `${start}–${end.slice(11)}` : `${start}–${end}`;
}

function distanceText(metres: number): string {
  return metres < 1000 ? `${metres} m` : `${(Math.round(metres / 100) / 10).toFixed(1)} km`;
}

/**
 * The order's delivery as its detail page shows it; an order without `delivery` is express.
 *
 * @example
 * deliveryView(order, { actor: { type: 'customer', id: order.customerId }, locale: 'zh-CN', timeZone: 'Asia/Shanghai' }).modeLabel // '到店自提'
 */
export function deliveryView(order: Order, options: { actor: Actor; locale: ViewLocale; timeZone: string }): DeliveryView {
  const d = order.delivery ?? { mode: 'express' as const };
  const view: DeliveryView = { mode: d.mode, modeLabel: DELIVERY_MODE_LABELS[d.mode][options.locale] };
  const tz = options.timeZone;
  if (d.mode === 'local') {
    view.slotText = slotText(d.slot, tz);
    view.fee = moneyView(d.fee);
    if (d.distance !== undefined) view.distanceText = distanceText(d.distance);
    if (d.zone !== undefined) view.zone = d.zone;
    if (d.rider !== undefined) {
      view.rider = { name: d.rider.name, phone: d.rider.phone };
      if (d.rider.company !== undefined) view.rider.company = d.rider.company;
      if (d.rider.trackingNo !== undefined) view.rider.trackingNo = d.rider.trackingNo;
    }
    if (d.proof !== undefined) {
      view.proof = { atText: shopTime(d.proof.at, tz) };
      if (d.proof.photoUrl !== undefined) view.proof.photoUrl = d.proof.photoUrl;
      if (d.proof.receivedBy !== undefined) view.proof.receivedBy = d.proof.receivedBy;
      if (d.proof.note !== undefined) view.proof.note = d.proof.note;
    }
  } else if (d.mode === 'pickup') {
    view.store = { id: d.store.id, name: d.store.name };
    if (d.store.address !== undefined) view.store.address = d.store.address;
    if (d.store.phone !== undefined) view.store.phone = d.store.phone;
    if (d.slot !== undefined) view.slotText = slotText(d.slot, tz);
    const owner = options.actor.type === 'customer' && options.actor.id === order.customerId;
    if (owner && order.payment.paidAmount > 0 && order.status === 'paid' && d.pickedUpAt === undefined) view.pickupCode = d.code;
    if (d.pickedUpAt !== undefined) view.pickedUpAtText = shopTime(d.pickedUpAt, tz);
  }
  return view;
}
