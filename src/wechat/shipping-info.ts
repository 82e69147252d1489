import type { OrderkitError } from '../errors/orderkit-error.js';
import { shippedQuantities, type Effect, type LogisticsType, type Order, type Shipment } from '../order/index.js';
import { unshippableQuantities } from '../refund/holdings.js';
import { AN_ORDER, A_STRING, badArgument, isObject, reject, same } from './errors.js';
import { cutChars } from './text.js';
import { formatRfc3339, isValidDate } from './time.js';
import { isKnownTimeZone } from '../time/zoned.js';
import { fail, ok, type Result, type Failure } from '../errors/result.js';

/**
 * 发货信息录入 (`upload_shipping_info`): mini programs that sell goods must report every shipment,
 * or the money stays frozen. The payload is built from the order and its stored shipment; the
 * caller sends it (`cloud.openapi.wxa.sec.order.uploadShippingInfo(payload)` inside a cloud
 * function, or `POST /wxa/sec/order/upload_shipping_info` with an access token).
 */

export const LOGISTICS_TYPE_CODES: Readonly<Record<LogisticsType, 1 | 2 | 3 | 4>> = {
  express: 1,
  same_city: 2,
  virtual: 3,
  pickup: 4,
};

/** WeChat allows at most 15 packages per payment in split delivery. */
export const MAX_PACKAGES = 15;
/** `item_desc` limit, in characters. */
export const MAX_ITEM_DESC = 120;

export interface ShippingPackage {
  tracking_no?: string;
  express_company?: string;
  item_desc: string;
  contact?: { consignor_contact?: string; receiver_contact?: string };
}

export interface ShippingInfoPayload {
  order_key:
    | { order_number_type: 1; mchid: string; out_trade_no: string }
    | { order_number_type: 2; transaction_id: string };
  logistics_type: 1 | 2 | 3 | 4;
  delivery_mode: 1 | 2;
  is_all_delivered?: boolean;
  shipping_list: ShippingPackage[];
  upload_time: string;
  payer: { openid: string };
}

export interface ShippingInfoOptions {
  /** When the upload happens (`upload_time`); a later upload must carry a later time. */
  now: Date;
  /** Needed for `order_number_type` 1 (merchant id + out_trade_no), the default when given. */
  mchid?: string;
  /** Which key names the payment. Default 'out_trade_no' when `mchid` is given, else 'transaction_id'. */
  orderKey?: 'out_trade_no' | 'transaction_id';
  /** Offset of `upload_time`. Default 'Asia/Shanghai'. */
  timeZone?: string;
  /**
   * 'auto' (default): unified when this one shipment carries the whole order, split otherwise.
   * Split delivery lists every express package shipped so far, with `is_all_delivered`.
   */
  mode?: 'auto' | 'unified' | 'split';
  /** Override whether everything has shipped (the `shipping.upload` effect knows it). */
  allDelivered?: boolean;
  /** The shop's phone (masked before sending). */
  consignorContact?: string;
  /** Express companies that require a contact (顺丰 does). Default ['SF']. */
  contactRequiredFor?: readonly string[];
  /** Default: '<title>*<qty>' per line in the package, joined by '；', cut to 120 characters. */
  itemDesc?: (order: Order, shipment: Shipment) => string;
  /** Default `order.customerId`. */
  openid?: string;
}

/**
 * Masks a phone number the way WeChat asks: the last 4 digits stay, the 4 before them become `*`.
 *
 * @example
 * maskPhone('13812345678')  // '138****5678'
 * maskPhone('021-12345678') // '021-****5678'
 */
export function maskPhone(phone: string): string {
  if (typeof phone !== 'string') throw badArgument('maskPhone', 'phone', A_STRING);
  let p = phone.trim().replace(/\s+/g, '');
  p = p.replace(/^(\+?86)(?=1\d{10}$)/, '');
  const digitPositions: number[] = [];
  for (let i = 0; i < p.length; i++) if (p[i]! >= '0' && p[i]! <= '9') digitPositions.push(i);
  if (digitPositions.length <= 4) return `****${p}`.slice(-Math.max(8, p.length));
  const chars = p.split('');
  const maskable = digitPositions.slice(0, digitPositions.length - 4);
  for (const i of maskable.slice(-4)) chars[i] = '*';
  return chars.join('');
}

function defaultItemDesc(order: Order, shipment: Shipment): string {
  const titles = new Map(order.lines.map((l) => [l.id, l.title]));
  return shipment.items.map((item) => `${titles.get(item.lineId) ?? item.lineId}*${item.quantity}`).join('；');
}

/**
 * Whether `shipments` carry everything the order will ever send: each line's units in them, plus
 * the units a refund-only after-sale took back before they shipped (they never ship: the
 * lifecycle's units left to ship, src/lifecycle/rules/shipping.ts), reach the line's quantity.
 */
function everythingShipped(order: Order, shipments: Shipment[]): boolean {
  const shipped = shippedQuantities(order, shipments);
  const refunded = order.afterSales.length > 0 ? unshippableQuantities(order) : undefined;
  return order.lines.every((l) => (shipped.get(l.id) ?? 0) + (refunded?.get(l.id) ?? 0) >= l.quantity);
}

type Built = Result<{ payload: ShippingInfoPayload }>;

const isOptionalString = (v: unknown): boolean => v === undefined || typeof v === 'string';
const isLineQuantity = (i: unknown): boolean => isObject(i) && typeof i.lineId === 'string' && Number.isSafeInteger(i.quantity);

/** A parcel as the lifecycle stores it: what the payload reads of it. */
function isShipmentLike(s: unknown): s is Shipment {
  return (
    isObject(s) &&
    typeof s.id === 'string' &&
    typeof s.logisticsType === 'string' &&
    Object.prototype.hasOwnProperty.call(LOGISTICS_TYPE_CODES, s.logisticsType) &&
    Array.isArray(s.items) &&
    s.items.every(isLineQuantity) &&
    isOptionalString(s.trackingNo) &&
    isOptionalString(s.expressCompany)
  );
}

/**
 * Enough of an order to upload its shipping info from: its lines, parcels, payment, after-sales
 * (units refunded before shipping) and the receiver's phone. Anything else is INVALID_ARGUMENT,
 * returned, never a TypeError (docs/wechat.md "Arguments of the wrong type").
 */
function isOrderToUpload(order: unknown): order is Order {
  return (
    isObject(order) &&
    typeof order.number === 'string' &&
    isObject(order.payment) &&
    Array.isArray(order.lines) &&
    order.lines.every((l: unknown) => isObject(l) && typeof l.id === 'string' && typeof l.title === 'string' && Number.isSafeInteger(l.quantity)) &&
    Array.isArray(order.shipments) &&
    order.shipments.every(isShipmentLike) &&
    Array.isArray(order.afterSales) &&
    order.afterSales.every((a: unknown) => isObject(a) && typeof a.id === 'string' && typeof a.kind === 'string' && typeof a.status === 'string' && Array.isArray(a.items) && a.items.every(isLineQuantity)) &&
    (order.address === undefined || (isObject(order.address) && isOptionalString(order.address.phone)))
  );
}

function packageOf(order: Order, shipment: Shipment, options: ShippingInfoOptions, index: number): ShippingPackage | Failure {
  const path = ['shipments', index];
  let desc: string;
  try {
    desc = options.itemDesc ? options.itemDesc(order, shipment) : defaultItemDesc(order, shipment);
  } catch (e) {
    return reject('INVALID_CONFIG', { path: ['options', 'itemDesc'], detail: same(e instanceof Error ? e.message : 'itemDesc failed') });
  }
  const pkg: ShippingPackage = { item_desc: cutChars(String(desc).trim() || order.number, MAX_ITEM_DESC) };
  if (shipment.logisticsType === 'express') {
    if (!shipment.trackingNo) return reject('MISSING_TRACKING_NUMBER', { path: [...path, 'trackingNo'], detail: same(shipment.id) });
    if (!shipment.expressCompany) return reject('MISSING_EXPRESS_COMPANY', { path: [...path, 'expressCompany'], detail: same(shipment.id) });
  }
  // Tracking number and company are express fields: a same-city rider's platform and id stay on
  // the order (docs/delivery.md "WeChat shipping info"), WeChat only takes them for express.
  const express = shipment.logisticsType === 'express';
  if (express && shipment.trackingNo) pkg.tracking_no = shipment.trackingNo;
  if (express && shipment.expressCompany) pkg.express_company = shipment.expressCompany;
  const needsContact = express && shipment.expressCompany !== undefined && (options.contactRequiredFor ?? ['SF']).includes(shipment.expressCompany);
  const contact: NonNullable<ShippingPackage['contact']> = {};
  if (options.consignorContact) contact.consignor_contact = maskPhone(options.consignorContact);
  if (needsContact && order.address?.phone) contact.receiver_contact = maskPhone(order.address.phone);
  if (needsContact && !contact.consignor_contact && !contact.receiver_contact) {
    return reject('MISSING_CONTACT', { path: [...path, 'contact'], detail: same(shipment.expressCompany ?? '') });
  }
  if (contact.consignor_contact || contact.receiver_contact) pkg.contact = contact;
  return pkg;
}

/**
 * The `upload_shipping_info` payload for one shipment of a paid order: `order_key` (merchant id +
 * the paid `out_trade_no`, or the transaction id), `logistics_type` (1 express, 2 same-city,
 * 3 virtual, 4 pickup), `delivery_mode` (1 unified, or 2 split with `is_all_delivered`), the
 * packages with masked contacts and `item_desc` cut to 120 characters, `upload_time` in RFC 3339
 * with the offset, and `payer.openid`.
 *
 * @example
 * const s = buildShippingInfo(order, order.shipments[0], { mchid: '1900000109', now: new Date() });
 * if (s.ok) await cloud.openapi.wxa.sec.order.uploadShippingInfo(s.payload);
 */
export function buildShippingInfo(order: Order, shipment: Shipment | string, options: ShippingInfoOptions): Built {
  if (!options || !isValidDate(options.now)) return reject('INVALID_CONFIG', { path: ['options', 'now'], detail: same('now must be a valid Date') });
  if (!isOrderToUpload(order)) return fail(badArgument('buildShippingInfo', 'order', AN_ORDER));
  if (options.consignorContact !== undefined && typeof options.consignorContact !== 'string') {
    return reject('INVALID_CONFIG', { path: ['options', 'consignorContact'], detail: same('a phone number string') });
  }
  if (options.contactRequiredFor !== undefined && !(Array.isArray(options.contactRequiredFor) && options.contactRequiredFor.every((c) => typeof c === 'string'))) {
    return reject('INVALID_CONFIG', { path: ['options', 'contactRequiredFor'], detail: same('a list of express company codes') });
  }
  if (options.timeZone !== undefined && (typeof options.timeZone !== 'string' || !isKnownTimeZone(options.timeZone))) {
    return reject('INVALID_CONFIG', { path: ['options', 'timeZone'], detail: same('not an IANA time zone') });
  }
  const found = typeof shipment === 'string' ? order.shipments.find((s) => s.id === shipment) : shipment;
  if (!found) return reject('SHIPMENT_NOT_FOUND', { path: ['shipment'], detail: same(typeof shipment === 'string' ? shipment : 'no shipment') });
  if (!isShipmentLike(found)) return fail(badArgument('buildShippingInfo', 'shipment', { 'zh-CN': '包裹对象或包裹 id', en: 'a shipment or a shipment id' }));
  if (!(order.payment.paidAmount > 0) || !order.payment.outTradeNo) return reject('ORDER_NOT_PAID', { path: ['order', 'payment'] });

  const keyKind = options.orderKey ?? (options.mchid ? 'out_trade_no' : 'transaction_id');
  let orderKey: ShippingInfoPayload['order_key'];
  if (keyKind === 'out_trade_no') {
    if (!options.mchid || !/^\d{6,32}$/.test(options.mchid)) return reject('INVALID_CONFIG', { path: ['options', 'mchid'], detail: same('mchid is required for order_number_type 1') });
    orderKey = { order_number_type: 1, mchid: options.mchid, out_trade_no: order.payment.outTradeNo };
  } else {
    if (!order.payment.transactionId) return reject('MISSING_TRANSACTION_ID', { path: ['order', 'payment', 'transactionId'] });
    orderKey = { order_number_type: 2, transaction_id: order.payment.transactionId };
  }
  const openid = options.openid ?? order.customerId;
  if (!openid) return reject('MISSING_OPENID', { path: ['order', 'customerId'] });

  // The shipments up to and including this one, in the order they were made.
  const index = order.shipments.findIndex((s) => s.id === found.id);
  const sofar = index >= 0 ? order.shipments.slice(0, index + 1) : [...order.shipments, found];
  const allDelivered = options.allDelivered ?? everythingShipped(order, sofar);
  const mode = options.mode ?? 'auto';
  const unified = mode === 'unified' || (mode === 'auto' && sofar.length === 1 && allDelivered);

  let packages: Shipment[];
  if (unified) packages = [found];
  else {
    packages = sofar.filter((s) => s.logisticsType === 'express');
    if (found.logisticsType !== 'express') return reject('SPLIT_REQUIRES_EXPRESS', { path: ['shipment', 'logisticsType'], detail: same(found.logisticsType) });
    if (packages.length > MAX_PACKAGES) return reject('TOO_MANY_PACKAGES', { path: ['order', 'shipments'], detail: same(String(packages.length)) });
  }
  const list: ShippingPackage[] = [];
  for (const s of packages) {
    const pkg = packageOf(order, s, options, Math.max(0, order.shipments.indexOf(s)));
    if ('ok' in pkg) return pkg;
    list.push(pkg);
  }
  let uploadTime: string;
  try {
    uploadTime = formatRfc3339(options.now, options.timeZone ?? 'Asia/Shanghai', { milliseconds: true });
  } catch {
    return reject('INVALID_CONFIG', { path: ['options', 'timeZone'], detail: same('not an IANA time zone') });
  }
  const payload: ShippingInfoPayload = {
    order_key: orderKey,
    logistics_type: LOGISTICS_TYPE_CODES[found.logisticsType],
    delivery_mode: unified ? 1 : 2,
    shipping_list: list,
    upload_time: uploadTime,
    payer: { openid },
  };
  if (!unified) payload.is_all_delivered = allDelivered;
  return ok({ payload });
}

/**
 * The payload for an outbox `shipping.upload` effect (emitted by SHIP, and by auto-shipping of
 * virtual goods): the effect names the shipment and whether it completes the order.
 *
 * @example
 * handlers['shipping.upload'] = async (effect) => {
 *   const order = await service.get(effect.orderId);
 *   if (!order || effect.type !== 'shipping.upload') return;
 *   const s = buildShippingInfoFromEffect(order, effect, { mchid, now: new Date() });
 *   if (s.ok) await cloud.openapi.wxa.sec.order.uploadShippingInfo(s.payload);
 * };
 */
export function buildShippingInfoFromEffect(
  order: Order,
  effect: Extract<Effect, { type: 'shipping.upload' }>,
  options: ShippingInfoOptions,
): Built {
  if (effect?.type !== 'shipping.upload') return reject('INVALID_REQUEST', { path: ['effect', 'type'], detail: same('expected a shipping.upload effect') });
  return buildShippingInfo(order, effect.shipmentId, { allDelivered: effect.allDelivered, ...options });
}
