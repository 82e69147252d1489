import type { LocalizedText } from '../errors/orderkit-error.js';
import { fail, ok, type Result } from '../errors/result.js';
import { defaultPolicy } from '../order/policy.js';
import type { Order } from '../order/index.js';
import { shopTime } from '../order/shop-time.js';
import { badTraceArgument, notTrackable, shipmentNotFound, traceNotFound, trackingUnavailable } from './errors.js';
import { isKnownTimeZone } from '../time/zoned.js';
import type { ShipmentTraceView, TrackingCheckpoint, TrackingPort, TrackingQuery, TrackingState, TrackingTrace } from './types.js';

/** The parcel's state in words. @example TRACKING_STATE_LABELS.delivered['zh-CN'] // → '已签收' */
export const TRACKING_STATE_LABELS: Readonly<Record<TrackingState, LocalizedText>> = Object.freeze({
  in_transit: { 'zh-CN': '运输中', en: 'In transit' },
  out_for_delivery: { 'zh-CN': '派送中', en: 'Out for delivery' },
  delivered: { 'zh-CN': '已签收', en: 'Delivered' },
  exception: { 'zh-CN': '异常件', en: 'Problem with the parcel' },
  unknown: { 'zh-CN': '运输中', en: 'In transit' },
});

const STATES: readonly string[] = Object.keys(TRACKING_STATE_LABELS);
/** Scans kept per parcel: a page shows them all, and a bad provider must not flood it. */
const MAX_CHECKPOINTS = 200;

export interface TraceShipmentOptions {
  /** How long to wait for the provider before answering TRACKING_UNAVAILABLE. Default 5000 ms. */
  timeoutMs?: number;
  /** Shop time zone of the times shown; default `defaultPolicy.timeZone`. */
  timeZone?: string;
  locale?: keyof LocalizedText;
}

function checkpointOk(c: unknown): c is TrackingCheckpoint {
  if (typeof c !== 'object' || c === null) return false;
  const r = c as Record<string, unknown>;
  return typeof r.at === 'string' && !Number.isNaN(Date.parse(r.at)) && typeof r.text === 'string' && (r.location === undefined || typeof r.location === 'string');
}

/** A provider's answer checked before anything of it reaches a page; null when it is unusable. */
function checkedTrace(raw: unknown): TrackingTrace | null {
  if (typeof raw !== 'object' || raw === null) return null;
  const r = raw as Record<string, unknown>;
  if (typeof r.state !== 'string' || STATES.indexOf(r.state) < 0 || !Array.isArray(r.checkpoints)) return null;
  if (!r.checkpoints.every(checkpointOk)) return null;
  return { state: r.state as TrackingState, checkpoints: r.checkpoints as TrackingCheckpoint[] };
}

function isObject(value: unknown): value is Record<string, any> {
  return typeof value === 'object' && value !== null;
}

/** The arguments' shapes, checked before anything is asked (docs/tracking.md "Errors"). */
function badArguments(order: unknown, port: unknown, options: unknown) {
  if (!isObject(order) || !Array.isArray(order.shipments)) return badTraceArgument('order', { 'zh-CN': '订单对象', en: 'an order' });
  if (!isObject(port)) return badTraceArgument('port', { 'zh-CN': '带 trace 方法的对象', en: 'an object with a trace method' });
  if (!isObject(options)) return badTraceArgument('options', { 'zh-CN': '对象', en: 'an object' });
  const o = options as TraceShipmentOptions;
  const timeoutOk = o.timeoutMs === undefined || (typeof o.timeoutMs === 'number' && o.timeoutMs > 0 && o.timeoutMs <= 2_147_483_647);
  const zoneOk = o.timeZone === undefined || (typeof o.timeZone === 'string' && isKnownTimeZone(o.timeZone));
  const localeOk = o.locale === undefined || o.locale === 'zh-CN' || o.locale === 'en';
  if (!timeoutOk || !zoneOk || !localeOk) {
    return badTraceArgument('options', { 'zh-CN': '{ timeoutMs?: 正数毫秒, timeZone?: IANA 时区, locale?: zh-CN | en }', en: '{ timeoutMs?: positive ms, timeZone?: an IANA zone, locale?: zh-CN | en }' });
  }
  return undefined;
}

/**
 * Asks the tracking port where one parcel of an order is, and returns it ready for a page: the
 * state in words and the scans newest first, in the shop's time zone. Every failure is a typed
 * result, never a throw: no such parcel (`SHIPMENT_NOT_FOUND`), a parcel without a waybill number
 * (`NOT_TRACKABLE`, e.g. 到店自提), a number the provider does not know yet (`TRACKING_NOT_FOUND`),
 * a provider that throws, answers nonsense or is slower than `timeoutMs` (`TRACKING_UNAVAILABLE`).
 * Whose order it is, is the caller's check (docs/tracking.md).
 *
 * @example
 * declare const tracking: TrackingPort;
 * const r = await traceShipment(order, order.shipments[0]!.id, tracking);
 * if (r.ok) r.trace.checkpoints[0]?.text; // the latest scan
 */
export async function traceShipment(
  order: Order,
  shipmentId: string,
  port: TrackingPort,
  options: TraceShipmentOptions = {},
): Promise<Result<{ trace: ShipmentTraceView }>> {
  const bad = badArguments(order, port, options);
  if (bad !== undefined) return fail(bad);
  const shipment = order.shipments.find((s) => isObject(s) && s.id === shipmentId);
  if (shipment === undefined) return fail(shipmentNotFound(String(shipmentId)));
  if (typeof shipment.trackingNo !== 'string' || shipment.trackingNo === '') return fail(notTrackable(String(shipment.id)));
  const query: TrackingQuery = { trackingNo: shipment.trackingNo };
  if (typeof shipment.expressCompany === 'string') query.expressCompany = shipment.expressCompany;
  const address: unknown = order.address;
  const phone = isObject(address) && typeof address.phone === 'string' ? address.phone : '';
  if (phone.length >= 4) query.phoneTail = phone.slice(-4);

  const timeoutMs = options.timeoutMs ?? 5000;
  const controller = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
  });
  let answer: unknown;
  try {
    answer = await Promise.race([Promise.resolve().then(() => port.trace(query, { signal: controller.signal })), timedOut]);
  } catch {
    return fail(trackingUnavailable('provider_error'));
  } finally {
    if (timer !== undefined) clearTimeout(timer);
  }
  if (answer === 'timeout') {
    controller.abort();
    return fail(trackingUnavailable('timeout'));
  }
  if (answer === null) return fail(traceNotFound(shipment.trackingNo));
  const trace = checkedTrace(answer);
  if (trace === null) return fail(trackingUnavailable('bad_reply'));

  const timeZone = options.timeZone ?? defaultPolicy.timeZone;
  const locale = options.locale ?? 'zh-CN';
  const checkpoints = trace.checkpoints
    .slice()
    .sort((a, b) => Date.parse(b.at) - Date.parse(a.at))
    .slice(0, MAX_CHECKPOINTS)
    .map((c) => {
      const v: ShipmentTraceView['checkpoints'][number] = { at: new Date(Date.parse(c.at)).toISOString(), atText: shopTime(c.at, timeZone), text: c.text };
      if (c.location !== undefined && c.location !== '') v.location = c.location;
      return v;
    });
  const view: ShipmentTraceView = {
    shipmentId: shipment.id,
    trackingNo: shipment.trackingNo,
    state: trace.state,
    stateLabel: TRACKING_STATE_LABELS[trace.state][locale],
    checkpoints,
  };
  if (shipment.expressCompany !== undefined) view.expressCompany = shipment.expressCompany;
  return ok({ trace: view });
}
