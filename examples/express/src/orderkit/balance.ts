/** In your own app: 'wx-orderkit/advanced' (the balance port and its memory adapter). */
export { MemoryBalance, isBalanceError, sourceRefunds, REFUND_ROUTE_ORDER } from '../../../../src/advanced.js';
export type { BalancePort } from '../../../../src/advanced.js';
