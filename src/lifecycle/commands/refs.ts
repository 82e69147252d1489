import type { CloseReason, OrderStatus } from '../../order/index.js';
import type { RuleRef } from '../define.js';

/** Rule references several command files share (docs/lifecycle.md lists what each does). */

export const closeAs = (reason: CloseReason): RuleRef => ({ type: 'close', params: { reason } });
export const notify = (to: 'customer' | 'merchant', template: string, include: string[] = []): RuleRef => ({ type: 'notify', params: { to, template, include } });

/** Every status. */
export const ANY_STATUS: readonly OrderStatus[] = ['pending_payment', 'paid', 'partially_shipped', 'shipped', 'delivered', 'completed', 'closed'];
/** Statuses in which goods or money may come back: where the after-sale commands apply. */
export const AFTER_SALE_OPEN: readonly OrderStatus[] = ['paid', 'partially_shipped', 'shipped', 'delivered', 'completed'];

/** The after-sale reducer decides (refund/ engine); the order's status stays. */
export const AFTER_SALE_ROW = { from: AFTER_SALE_OPEN, guard: 'afterSaleAccepted', actions: ['applyAfterSale', 'settlePoints'] } as const;
/**
 * AFTER_SALE_ROW for the commands that bring an open after-sale to its end (approve, withdraw,
 * reject, the return parcel and its receipt, the replacement of an exchange): they also apply on a
 * closed order, which may still hold an after-sale worth nothing — a request, or a gift's return or
 * exchange already on its way back — when refunding everything else closed it (docs/after-sales.md,
 * "Goods worth nothing"), or one a refund made in the merchant platform left nothing to pay
 * ("Refunds the ledger did not know"). A refund one of them would start is still checked against what is left
 * of the payment, which is nothing on a closed order.
 */
export const AFTER_SALE_END_ROW = { from: [...AFTER_SALE_OPEN, 'closed'] as readonly OrderStatus[], guard: 'afterSaleAccepted', actions: ['applyAfterSale', 'settlePoints'] } as const;
/**
 * Before AFTER_SALE_ROW in the commands that commit a refund-only after-sale once something has
 * shipped (approve, accept a proposal; a request is not approved at once then): when the units it
 * takes were all that was left to ship, the partially shipped order becomes `shipped`.
 */
export const AFTER_SALE_SHIPS_REST_ROW = { from: ['partially_shipped'], to: 'shipped', guard: 'afterSaleShipsRest', actions: ['applyAfterSale', 'scheduleAutoConfirm', 'settlePoints'] } as const;

/** The order becomes paid (virtual goods also ship): one action, `becomePaid` in rules/payment.ts. */
export const BECOMES_PAID: readonly RuleRef[] = ['becomePaid'];
/** A stray payment is recorded and refunded in full; both sides are told. */
export const STRAY_REFUND: readonly RuleRef[] = ['recordStrayPayment', notify('customer', 'refund_started', ['refund']), notify('merchant', 'stray_payment_refunded', ['refund'])];
