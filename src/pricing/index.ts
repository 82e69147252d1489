export type { Quote, RejectedCoupon } from './quote.js';
