import type { CloseReason, OrderStatus } from '../order/index.js';

/**
 * The order chart as data: states are the statuses, events are the command types, guards and
 * actions are referenced by name (and optional params). `orderMachine` is built from it, the
 * compiler turns it into `transition()`'s lookup table, and the docs draw it. Edit here, and the
 * agreement test checks that `transition()` still says what xstate says.
 *
 * Conventions the compiler relies on: flat states only; a transition without `target` stays in
 * its state; one with neither `target` nor `actions` is an accepted no-op (the duplicate payment).
 */

type ActionRef = string | { type: string; params: Record<string, unknown> };
type GuardRef = string | { type: string; params: Record<string, unknown> };
export interface ChartTransition {
  guard?: GuardRef;
  target?: string;
  actions?: ActionRef | ActionRef[];
  description?: string;
}
export interface ChartState {
  entry?: ActionRef | ActionRef[];
  exit?: ActionRef | ActionRef[];
  on?: Record<string, string | ChartTransition | ChartTransition[]>;
  description?: string;
}
export interface ChartConfig {
  id: string;
  initial: string;
  states: Record<string, ChartState>;
}

const closeAs = (reason: CloseReason) => ({ type: 'close', params: { reason } });
const notify = (to: 'customer' | 'merchant', template: string, include: string[] = []) => ({ type: 'notify', params: { to, template, include } });
const enter = (status: OrderStatus) => ({ type: 'enterStatus', params: { status } });

const refundRecorded = { guard: 'afterSaleAccepted', actions: ['applyAfterSale'] };
/** A refund result the ledger already has: accepted, nothing changes. */
const refundRepeated = { guard: 'afterSaleUnchanged', description: 'no-op' };

/** Every after-sale command on a status where goods or money may come back. */
const afterSaleOn = {
  REQUEST_AFTER_SALE: { guard: 'afterSaleAccepted', actions: ['applyAfterSale'] },
  APPROVE_AFTER_SALE: { guard: 'afterSaleAccepted', actions: ['applyAfterSale'] },
  REJECT_AFTER_SALE: { guard: 'afterSaleAccepted', actions: ['applyAfterSale'] },
  CANCEL_AFTER_SALE: { guard: 'afterSaleAccepted', actions: ['applyAfterSale'] },
  RETURN_SHIPPED: { guard: 'afterSaleAccepted', actions: ['applyAfterSale'] },
  RETURN_RECEIVED: { guard: 'afterSaleAccepted', actions: ['applyAfterSale'] },
  REFUND_SUCCEEDED: [
    refundRepeated,
    { guard: 'refundSettlesOrder', target: 'closed', actions: ['applyAfterSale', closeAs('fully_refunded')] },
    refundRecorded,
  ],
  REFUND_FAILED: [refundRepeated, refundRecorded],
  RETRY_REFUND: refundRecorded,
  // A refund found in WeChat's bill that the ledger did not know (the daily reconciliation).
  RECORD_GATEWAY_REFUND: [
    refundRepeated,
    { guard: 'gatewayRefundSettlesOrder', target: 'closed', actions: ['applyAfterSale', closeAs('fully_refunded')] },
    refundRecorded,
  ],
};

const duplicatePayment = { guard: 'isDuplicatePayment', description: 'no-op' };

/**
 * Order edits and stray payments (DESIGN.md §4 "Edits and payment attempts"). A transaction already
 * kept as a stray payment is an accepted no-op; any other verified payment that cannot pay the
 * order is recorded by RECORD_STRAY_PAYMENT (refunded in full, status unchanged).
 */
const strayRepeated = { guard: 'isRecordedStrayPayment', description: 'no-op' };
const strayRefund = ['recordStrayPayment', notify('customer', 'refund_started', ['refund']), notify('merchant', 'stray_payment_refunded', ['refund'])];
const recordStray = [strayRepeated, { guard: 'strayPaymentAcceptable', actions: strayRefund }];
const addRemark = { guard: 'validRemark', actions: ['addRemark'] };
/** WeChat settled the payment (its order events): kept on the payment, status unchanged. */
const recordSettlement = [{ guard: 'isRecordedSettlement', description: 'no-op' }, { guard: 'settlementAcceptable', actions: ['recordSettlement'] }];
const changeAddress = { guard: 'addressChangeable', actions: ['changeAddress'] };

/**
 * The default chart's config. `orderMachine` is built from it; spread it to extend the lifecycle.
 *
 * @example
 * Object.keys(orderChart.states) // ['pending_payment', 'paid', …, 'closed']
 */
export const orderChart = {
  id: 'order',
  initial: 'pending_payment',
  states: {
    pending_payment: {
      entry: [enter('pending_payment')],
      on: {
        PAYMENT_SUCCEEDED: [
          strayRepeated,
          { guard: 'paysPhysicalOrder', target: 'paid', actions: ['recordPayment', notify('customer', 'order_paid', ['payment']), notify('merchant', 'order_to_ship', ['payment'])] },
          {
            guard: 'paysVirtualOrder',
            target: 'shipped',
            actions: ['recordPayment', 'shipVirtualGoods', 'scheduleAutoConfirm', notify('customer', 'order_paid', ['payment', 'shipment'])],
          },
        ],
        CANCEL: [
          { guard: 'sentByCustomer', target: 'closed', actions: [closeAs('customer_cancelled'), 'closePayment', 'releaseInventory', 'releaseCoupons'] },
          {
            guard: 'sentByMerchant',
            target: 'closed',
            actions: [closeAs('merchant_cancelled'), 'closePayment', 'releaseInventory', 'releaseCoupons', notify('customer', 'order_cancelled')],
          },
        ],
        EXPIRE: { guard: 'payDeadlinePassed', target: 'closed', actions: [closeAs('payment_timeout'), 'closePayment', 'releaseInventory', 'releaseCoupons'] },
        ADJUST_PRICE: [
          { guard: 'adjustsPrice', actions: ['adjustPrice', notify('customer', 'price_adjusted')] },
          { guard: 'adjustsPriceToZero', target: 'paid', actions: ['adjustPrice', notify('customer', 'order_paid', ['payment']), notify('merchant', 'order_to_ship', ['payment'])] },
          {
            guard: 'adjustsVirtualPriceToZero',
            target: 'shipped',
            actions: ['adjustPrice', 'shipVirtualGoods', 'scheduleAutoConfirm', notify('customer', 'order_paid', ['payment', 'shipment'])],
          },
        ],
        CHANGE_ADDRESS: changeAddress,
        ADD_REMARK: addRemark,
        RECORD_STRAY_PAYMENT: recordStray,
        // Refund results of stray payments (the only refunds an unpaid order can have).
        REFUND_SUCCEEDED: [refundRepeated, refundRecorded],
        REFUND_FAILED: [refundRepeated, refundRecorded],
        RETRY_REFUND: refundRecorded,
        RECORD_GATEWAY_REFUND: [refundRepeated, refundRecorded],
      },
    },
    paid: {
      entry: [enter('paid')],
      on: {
        PAYMENT_SUCCEEDED: duplicatePayment,
        CANCEL: [
          {
            guard: 'sentByMerchant',
            target: 'closed',
            actions: [
              closeAs('merchant_cancelled'),
              { type: 'refundInFull', params: { reason: 'merchant_cancel' } },
              'releaseInventory',
              'releaseCoupons',
              notify('customer', 'order_cancelled', ['refund']),
            ],
          },
          { guard: 'customerCancelRequestsRefund', actions: ['applyAfterSale'] },
        ],
        SHIP: [
          { guard: 'shipsRest', target: 'shipped', actions: ['ship', 'scheduleAutoConfirm', notify('customer', 'order_shipped', ['shipment'])] },
          { guard: 'shipsPart', target: 'partially_shipped', actions: ['ship', notify('customer', 'order_shipped', ['shipment'])] },
        ],
        ...afterSaleOn,
        CHANGE_ADDRESS: changeAddress,
        ADD_REMARK: addRemark,
        RECORD_STRAY_PAYMENT: recordStray,
        RECORD_SETTLEMENT: recordSettlement,
      },
    },
    partially_shipped: {
      entry: [enter('partially_shipped')],
      on: {
        PAYMENT_SUCCEEDED: duplicatePayment,
        SHIP: [
          { guard: 'shipsRest', target: 'shipped', actions: ['ship', 'scheduleAutoConfirm', notify('customer', 'order_shipped', ['shipment'])] },
          { guard: 'shipsPart', actions: ['ship', notify('customer', 'order_shipped', ['shipment'])] },
        ],
        DELIVER: { guard: 'deliversParcel', actions: ['markDelivered'] },
        ...afterSaleOn,
        ADD_REMARK: addRemark,
        RECORD_STRAY_PAYMENT: recordStray,
        RECORD_SETTLEMENT: recordSettlement,
      },
    },
    shipped: {
      entry: [enter('shipped')],
      on: {
        PAYMENT_SUCCEEDED: duplicatePayment,
        DELIVER: [
          { guard: 'deliversLastParcel', target: 'delivered', actions: ['markDelivered'] },
          { guard: 'deliversParcel', actions: ['markDelivered'] },
        ],
        CONFIRM_RECEIPT: { target: 'completed', actions: ['complete'] },
        AUTO_CONFIRM: { guard: 'autoConfirmDue', target: 'completed', actions: ['complete'] },
        ...afterSaleOn,
        ADD_REMARK: addRemark,
        RECORD_STRAY_PAYMENT: recordStray,
        RECORD_SETTLEMENT: recordSettlement,
      },
    },
    delivered: {
      entry: [enter('delivered')],
      on: {
        PAYMENT_SUCCEEDED: duplicatePayment,
        CONFIRM_RECEIPT: { target: 'completed', actions: ['complete'] },
        AUTO_CONFIRM: { guard: 'autoConfirmDue', target: 'completed', actions: ['complete'] },
        ...afterSaleOn,
        ADD_REMARK: addRemark,
        RECORD_STRAY_PAYMENT: recordStray,
        RECORD_SETTLEMENT: recordSettlement,
      },
    },
    completed: {
      entry: [enter('completed')],
      on: {
        PAYMENT_SUCCEEDED: duplicatePayment,
        ...afterSaleOn,
        ADD_REMARK: addRemark,
        RECORD_STRAY_PAYMENT: recordStray,
        RECORD_SETTLEMENT: recordSettlement,
      },
    },
    closed: {
      entry: [enter('closed')],
      on: {
        // A payment after close (the timeout raced it, or a second transaction) is a stray payment.
        PAYMENT_SUCCEEDED: [strayRepeated, { guard: 'isPaymentAfterClose', actions: strayRefund }, duplicatePayment],
        REFUND_SUCCEEDED: [refundRepeated, refundRecorded],
        REFUND_FAILED: afterSaleOn.REFUND_FAILED,
        // A failed cancel or stray-payment refund is sent again from here.
        RETRY_REFUND: afterSaleOn.RETRY_REFUND,
        RECORD_GATEWAY_REFUND: [refundRepeated, refundRecorded],
        ADD_REMARK: addRemark,
        RECORD_STRAY_PAYMENT: recordStray,
        RECORD_SETTLEMENT: recordSettlement,
      },
    },
  },
} satisfies ChartConfig;
