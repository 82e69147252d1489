// Temporary stubs so that lifecycle can wire the delegation while the real reducers are written.
import { orderkitError } from '../errors/orderkit-error.js';
import type { CommandOf, Order } from '../order/index.js';
import { succeededRefundTotal } from './ledger.js';
import type { AfterSaleContext, AfterSaleStepResult } from './types.js';

function notYet(): AfterSaleStepResult {
  return { ok: false, error: orderkitError('NOT_IMPLEMENTED', { 'zh-CN': '售后功能尚未实现', en: 'after-sales are not implemented yet' }) };
}

export function requestAfterSale(_o: Order, _c: CommandOf<'REQUEST_AFTER_SALE'>, _x: AfterSaleContext): AfterSaleStepResult { return notYet(); }
export function approveAfterSale(_o: Order, _c: CommandOf<'APPROVE_AFTER_SALE'>, _x: AfterSaleContext): AfterSaleStepResult { return notYet(); }
export function rejectAfterSale(_o: Order, _c: CommandOf<'REJECT_AFTER_SALE'>, _x: AfterSaleContext): AfterSaleStepResult { return notYet(); }
export function cancelAfterSale(_o: Order, _c: CommandOf<'CANCEL_AFTER_SALE'>, _x: AfterSaleContext): AfterSaleStepResult { return notYet(); }
export function returnShipped(_o: Order, _c: CommandOf<'RETURN_SHIPPED'>, _x: AfterSaleContext): AfterSaleStepResult { return notYet(); }
export function returnReceived(_o: Order, _c: CommandOf<'RETURN_RECEIVED'>, _x: AfterSaleContext): AfterSaleStepResult { return notYet(); }
export function refundSucceeded(_o: Order, _c: CommandOf<'REFUND_SUCCEEDED'>, _x: AfterSaleContext): AfterSaleStepResult { return notYet(); }
export function refundFailed(_o: Order, _c: CommandOf<'REFUND_FAILED'>, _x: AfterSaleContext): AfterSaleStepResult { return notYet(); }
export function isFullyRefunded(order: Order): boolean {
  return order.payment.paidAmount > 0 && succeededRefundTotal(order) === order.payment.paidAmount;
}
