import type { EffectType } from '../order/index.js';
import { afterSaleAccepted, afterSaleShipsRest, afterSaleUnchanged, applyAfterSale, customerCancelRequestsRefund, gatewayRefundSettlesOrder, refundSettlesOrder } from './rules/after-sale.js';
import { close, notify, payDeadlinePassed, refundInFull, releaseCoupons, releaseInventory, sentByCustomer, sentByMerchant, stockRanOut } from './rules/closing.js';
import { becomePaid, closePayment, isDuplicatePayment, isLatePayment, paysPhysicalOrder, paysVirtualOrder, recordPayment } from './rules/payment.js';
import {
  autoConfirmDue,
  complete,
  deliversLastParcel,
  deliversParcel,
  markDelivered,
  scheduleAutoConfirm,
  ship,
  shipsPart,
  shipsRest,
  shipVirtualGoods,
} from './rules/shipping.js';
import { addRemark, addressChangeable, changeAddress, validRemark } from './rules/edits.js';
import { adjustPrice, adjustsPrice, adjustsPriceToZero, adjustsVirtualPriceToZero } from './rules/price-adjustment.js';
import { isPaymentAfterClose, isRecordedStrayPayment, recordStrayPayment, strayPaymentAcceptable } from './rules/stray-payment.js';
import { isRecordedSettlement, recordSettlement, settlementAcceptable } from './rules/settlement.js';
import { settlePoints } from './rules/points.js';
import { deliveryProofAccepted, dispatchesRider, dispatchRider, pickupCodeMatches, recordDeliveryProof, verifyPickup } from './rules/delivery.js';
import type { Draft, LifecycleAction, LifecycleGuard, LifecycleParams } from './step.js';

/**
 * The plain functions behind the names in `orderMachine`'s chart. `createLifecycle` looks names up
 * here (after the caller's own `guards`/`actions`), so replacing a rule is passing a function of
 * the same name.
 *
 * @example
 * Object.keys(defaultGuards).includes('shipsPart') // true: the rule behind a partial shipment
 */
export const defaultGuards: Readonly<Record<string, LifecycleGuard>> = Object.freeze({
  paysPhysicalOrder,
  paysVirtualOrder,
  isDuplicatePayment,
  isLatePayment,
  sentByCustomer,
  sentByMerchant,
  stockRanOut,
  payDeadlinePassed,
  shipsRest,
  shipsPart,
  deliversLastParcel,
  deliversParcel,
  autoConfirmDue,
  afterSaleAccepted,
  afterSaleShipsRest,
  afterSaleUnchanged,
  customerCancelRequestsRefund,
  refundSettlesOrder,
  gatewayRefundSettlesOrder,
  adjustsPrice,
  adjustsPriceToZero,
  adjustsVirtualPriceToZero,
  addressChangeable,
  validRemark,
  isRecordedStrayPayment,
  isPaymentAfterClose,
  strayPaymentAcceptable,
  isRecordedSettlement,
  settlementAcceptable,
  dispatchesRider,
  deliveryProofAccepted,
  pickupCodeMatches,
});

/** Keeps the order's status in step with the chart when the chart runs inside xstate itself. */
function enterStatus(draft: Draft, _step: unknown, params: LifecycleParams): void {
  const status = params?.['status'];
  if (typeof status === 'string') draft.order.status = status as Draft['order']['status'];
}

/**
 * The default actions by name.
 *
 * @example
 * Object.keys(defaultActions).includes('notify') // true: the action that queues a subscribe message
 */
export const defaultActions: Readonly<Record<string, LifecycleAction>> = Object.freeze({
  enterStatus,
  recordPayment,
  becomePaid,
  closePayment,
  close,
  releaseInventory,
  releaseCoupons,
  refundInFull,
  notify,
  ship,
  shipVirtualGoods,
  scheduleAutoConfirm,
  markDelivered,
  complete,
  applyAfterSale,
  adjustPrice,
  changeAddress,
  addRemark,
  recordStrayPayment,
  recordSettlement,
  settlePoints,
  dispatchRider,
  recordDeliveryProof,
  verifyPickup,
});

/**
 * Which effects each action may emit: what docs/lifecycle.md lists per command.
 *
 * @example
 * ACTION_EFFECTS.closePayment // ['payment.close']
 */
export const ACTION_EFFECTS: Readonly<Record<string, readonly EffectType[]>> = Object.freeze({
  closePayment: ['payment.close', 'balance.credit'],
  releaseInventory: ['inventory.release'],
  releaseCoupons: ['coupon.release'],
  refundInFull: ['payment.refund'],
  notify: ['notify'],
  ship: ['shipping.upload'],
  shipVirtualGoods: ['shipping.upload'],
  scheduleAutoConfirm: ['schedule'],
  applyAfterSale: ['payment.refund', 'inventory.release', 'inventory.take', 'notify'],
  adjustPrice: ['payment.close'],
  becomePaid: ['shipping.upload', 'schedule', 'notify'],
  recordStrayPayment: ['payment.refund'],
  settlePoints: ['points.release', 'points.grant', 'points.clawback'],
  dispatchRider: ['shipping.upload'],
  verifyPickup: ['shipping.upload'],
});
