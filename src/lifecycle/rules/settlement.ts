import { orderkitError } from '../../errors/orderkit-error.js';
import type { CommandOf } from '../../order/index.js';
import { NO_MATCH } from '../errors.js';
import { defineGuard, note, type Draft, type Step } from '../step.js';

/**
 * RECORD_SETTLEMENT: WeChat's shipping-information service (发货信息管理) settled the payment to
 * the merchant (docs/wechat.md "WeChat's order events"). The time is kept as
 * `payment.settledAt`; the status does not move. Only the payment that paid the order settles;
 * a repeat is an accepted no-op. Never a button: only a verified WeChat event sends it.
 */
type Settling = CommandOf<'RECORD_SETTLEMENT'>;

/** The same settlement was recorded already: accepted, nothing changes. */
export const isRecordedSettlement = defineGuard(
  (step: Step<Settling>) =>
    step.order.payment.settledAt !== undefined && step.order.payment.transactionId === step.command.transactionId ? undefined : NO_MATCH,
  () => false,
);

/** The settled transaction is the one that paid this order. */
export const settlementAcceptable = defineGuard(
  (step: Step<Settling>) => {
    const paidBy = step.order.payment.transactionId;
    if (paidBy === undefined || paidBy !== step.command.transactionId) {
      return orderkitError(
        'SETTLEMENT_NOT_OURS',
        {
          'zh-CN': `结算的交易 ${String(step.command.transactionId).slice(0, 64)} 不是支付本订单的交易`,
          en: `the settled transaction ${String(step.command.transactionId).slice(0, 64)} is not the one that paid this order`,
        },
        { path: ['transactionId'], details: { transactionId: step.command.transactionId, paidBy: paidBy ?? null } },
      );
    }
    return undefined;
  },
  () => false,
);

/** Keeps the settlement time on the payment. */
export function recordSettlement(draft: Draft, step: Step<Settling>): void {
  draft.order.payment = { ...draft.order.payment, settledAt: step.command.settledAt };
  note(draft, 'transactionId', step.command.transactionId);
  note(draft, 'settledAt', step.command.settledAt);
}
