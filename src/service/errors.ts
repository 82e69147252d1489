import { OrderkitError } from '../errors/orderkit-error.js';

/** The service's own refusals (the storage and lifecycle errors pass through unchanged). */
export function retriesExhausted(orderId: string, attempts: number): OrderkitError {
  return new OrderkitError({
    code: 'VERSION_CONFLICT',
    message: {
      'zh-CN': `订单 ${orderId} 正被频繁修改，重试 ${attempts} 次后仍冲突，请稍后再试`,
      en: `order ${orderId} kept changing: still conflicting after ${attempts} attempts; try again shortly`,
    },
    details: { orderId, attempts },
  });
}

/**
 * A gateway callback that could not be committed within `callbackRetryMs` because the order kept
 * changing under it: nothing was written, and the callback must not be acknowledged (answer it
 * with a failure so that the gateway delivers it again).
 */
export function orderBusy(orderId: string, attempts: number): OrderkitError {
  return new OrderkitError({
    code: 'ORDER_BUSY',
    message: {
      'zh-CN': `订单 ${orderId} 正被频繁修改，回调在 ${attempts} 次尝试后仍未写入，请稍后重新投递`,
      en: `order ${orderId} kept changing: the callback was not written after ${attempts} attempts; deliver it again later`,
    },
    details: { orderId, attempts },
  });
}

export function unsupported(feature: string): OrderkitError {
  return new OrderkitError({
    code: 'UNSUPPORTED',
    message: { 'zh-CN': `当前存储不支持 ${feature}`, en: `the store does not support ${feature}` },
  });
}
