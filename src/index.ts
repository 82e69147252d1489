/**
 * orderkit: the pure core (money, order model, lifecycle, pricing, after-sales), the storage port,
 * the service and the in-memory store. Adapters and integrations live under their own subpaths:
 * orderkit/postgres, orderkit/wx-cloud, orderkit/wechatpay, orderkit/analytics, orderkit/testing.
 */
export * from './errors/index.js';
export * from './money/index.js';
export * from './order/index.js';
export * from './lifecycle/index.js';
export * from './pricing/index.js';
export * from './refund/index.js';
export * from './view/index.js';
export * from './storage/index.js';
export * from './service/index.js';
