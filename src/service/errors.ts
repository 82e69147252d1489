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

export function unsupported(feature: string): OrderkitError {
  return new OrderkitError({
    code: 'UNSUPPORTED',
    message: { 'zh-CN': `当前存储不支持 ${feature}`, en: `the store does not support ${feature}` },
  });
}
