import { OrderkitError } from '../errors/orderkit-error.js';

/** Stable codes of the tracking port (docs/tracking.md "Errors"). */
export const TRACKING_ERROR_CODES = Object.freeze({
  shipmentNotFound: 'SHIPMENT_NOT_FOUND',
  notTrackable: 'NOT_TRACKABLE',
  notFound: 'TRACKING_NOT_FOUND',
  unavailable: 'TRACKING_UNAVAILABLE',
} as const);

export type TrackingErrorCode = (typeof TRACKING_ERROR_CODES)[keyof typeof TRACKING_ERROR_CODES];

export function shipmentNotFound(shipmentId: string): OrderkitError {
  return new OrderkitError({
    code: TRACKING_ERROR_CODES.shipmentNotFound,
    message: { 'zh-CN': '找不到这个包裹', en: `no parcel ${shipmentId} on this order` },
    path: ['shipmentId'],
    details: { shipmentId },
  });
}

export function notTrackable(shipmentId: string): OrderkitError {
  return new OrderkitError({
    code: TRACKING_ERROR_CODES.notTrackable,
    message: { 'zh-CN': '该包裹没有运单号，无法查询物流', en: 'this parcel has no tracking number to look up' },
    path: ['shipmentId'],
    details: { shipmentId },
  });
}

export function traceNotFound(trackingNo: string): OrderkitError {
  return new OrderkitError({
    code: TRACKING_ERROR_CODES.notFound,
    message: { 'zh-CN': '暂无物流信息，请稍后再查', en: `the provider has no trace for ${trackingNo} yet` },
    path: ['trackingNo'],
    details: { trackingNo },
  });
}

export function trackingUnavailable(reason: 'timeout' | 'provider_error' | 'bad_reply'): OrderkitError {
  return new OrderkitError({
    code: TRACKING_ERROR_CODES.unavailable,
    message: { 'zh-CN': '物流查询暂时不可用，请稍后重试', en: `the tracking provider is unavailable (${reason})` },
    path: [],
    details: { reason },
  });
}

/**
 * `INVALID_ARGUMENT`: traceShipment got an order or options of the wrong shape (a programming
 * error of the caller), answered as a typed failure like every other, never a TypeError.
 */
export function badTraceArgument(argument: 'order' | 'options' | 'port', expected: { 'zh-CN': string; en: string }): OrderkitError {
  return new OrderkitError({
    code: 'INVALID_ARGUMENT',
    message: { 'zh-CN': `参数类型错误（调用方的编程错误）：traceShipment 的 ${argument} 应为${expected['zh-CN']}`, en: `an argument is of the wrong type (a programming error): traceShipment: ${argument} must be ${expected.en}` },
    path: [argument],
  });
}
