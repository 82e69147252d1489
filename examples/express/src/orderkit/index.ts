/**
 * The example imports orderkit from the repository's sources, so that `npm start` runs without a
 * build step. In your own app these four files are package imports:
 *   'orderkit', 'orderkit/postgres', 'orderkit/analytics', 'orderkit/wechatpay'.
 */
export * from '../../../../src/index.js';
// 'orderkit/advanced' in your own app: the delivery choice a checkout sends (docs/delivery.md).
export { DeliveryChoiceSchema } from '../../../../src/advanced.js';
