import { orderkitError, type IssuePath, type OrderkitError } from '../errors/orderkit-error.js';
import { formatFen } from '../money/format.js';
import { shopTime } from '../order/shop-time.js';

/**
 * The errors of after-sales and refunds. Codes are stable (callers switch on them); messages say
 * what went wrong and what to do next, in both languages.
 */
const fen = (amount: number): string => formatFen(amount);

export const refundErrors = {
  unknownLine(lineId: string, path: IssuePath): OrderkitError {
    return orderkitError(
      'UNKNOWN_LINE',
      { 'zh-CN': `订单中没有商品行 ${lineId}，请检查所选商品`, en: `the order has no line ${lineId}; check the chosen items` },
      { path, details: { lineId } },
    );
  },
  duplicateLine(lineId: string, path: IssuePath): OrderkitError {
    return orderkitError(
      'DUPLICATE_LINE',
      { 'zh-CN': `商品行 ${lineId} 出现了多次，请合并为一项并填写总数量`, en: `line ${lineId} appears more than once; list it once with the total quantity` },
      { path, details: { lineId } },
    );
  },
  quantityExceedsRefundable(lineId: string, requested: number, refundable: number, path: IssuePath): OrderkitError {
    return orderkitError(
      'QUANTITY_EXCEEDS_REFUNDABLE',
      {
        'zh-CN': `商品行 ${lineId} 最多还可申请 ${refundable} 件，本次申请 ${requested} 件`,
        en: `line ${lineId} has ${refundable} unit(s) left to refund, ${requested} requested`,
      },
      { path, details: { lineId, requested, refundable } },
    );
  },
  returnExceedsShipped(lineId: string, requested: number, returnable: number, path: IssuePath): OrderkitError {
    return orderkitError(
      'RETURN_EXCEEDS_SHIPPED',
      {
        'zh-CN': `商品行 ${lineId} 已发货且未退的只有 ${returnable} 件，不能退货 ${requested} 件；未发货的商品请申请仅退款`,
        en: `line ${lineId} has only ${returnable} shipped unit(s) left to return, ${requested} requested; ask a refund only for goods not shipped`,
      },
      { path, details: { lineId, requested, returnable } },
    );
  },
  /** `until` is an ISO time (kept as is in `details`); the messages say it in the shop's `timeZone`. */
  windowClosed(until: string | undefined, timeZone: string): OrderkitError {
    const at = until ? shopTime(until, timeZone) : '';
    return orderkitError(
      'WINDOW_CLOSED',
      {
        'zh-CN': until ? `售后申请期限已于 ${at} 截止，请联系商家` : '售后申请期限已过，请联系商家',
        en: until ? `the after-sales window closed at ${at} (${timeZone}); contact the shop` : 'the after-sales window has closed; contact the shop',
      },
      { path: [], details: until ? { afterSaleUntil: until } : {} },
    );
  },
  refundPeriodOver(until: string, timeZone: string): OrderkitError {
    const at = shopTime(until, timeZone);
    return orderkitError(
      'REFUND_PERIOD_OVER',
      {
        'zh-CN': `支付已超过可退款期限（截止 ${at}），无法原路退款，请线下处理`,
        en: `the payment can no longer be refunded through the gateway (deadline ${at}, ${timeZone}); settle it offline`,
      },
      { path: [], details: { refundableUntil: until } },
    );
  },
  refundExceedsPaid(requested: number, available: number, path: IssuePath = ['amount']): OrderkitError {
    return orderkitError(
      'REFUND_EXCEEDS_PAID',
      {
        'zh-CN': `退款 ${fen(requested)} 超过了尚可退的 ${fen(available)}（已退款、退款中和已同意的售后占用了其余金额）`,
        en: `a refund of ${fen(requested)} exceeds the ${fen(available)} still refundable (the rest is refunded, pending or held by approved after-sales)`,
      },
      { path, details: { requested, available } },
    );
  },
  tooManyRefunds(max: number): OrderkitError {
    return orderkitError(
      'TOO_MANY_REFUNDS',
      {
        'zh-CN': `一笔支付最多退款 ${max} 次，已达上限；请合并后一次退款或线下处理`,
        en: `a payment can be refunded at most ${max} times and the limit is reached; combine the refund or settle it offline`,
      },
      { path: [], details: { maxPartialRefunds: max } },
    );
  },
  nothingToRefund(): OrderkitError {
    return orderkitError(
      'NOTHING_TO_REFUND',
      { 'zh-CN': '没有可退的商品或金额', en: 'there is nothing left to refund on this order' },
      { path: [] },
    );
  },
  notRefundableStatus(status: string): OrderkitError {
    return orderkitError(
      'INVALID_TRANSITION',
      {
        'zh-CN': `订单当前状态（${status}）不能申请售后`,
        en: `an after-sale cannot be requested while the order is ${status}`,
      },
      { path: ['type'], details: { status } },
    );
  },
  afterSaleExists(id: string): OrderkitError {
    return orderkitError(
      'AFTER_SALE_EXISTS',
      { 'zh-CN': `售后单 ${id} 已存在，请换一个编号或查询原申请`, en: `after-sale ${id} already exists; use another id or look up the existing request` },
      { path: ['afterSaleId'], details: { afterSaleId: id } },
    );
  },
  unknownAfterSale(id: string): OrderkitError {
    return orderkitError(
      'UNKNOWN_AFTER_SALE',
      { 'zh-CN': `订单中没有售后单 ${id}`, en: `the order has no after-sale ${id}` },
      { path: ['afterSaleId'], details: { afterSaleId: id } },
    );
  },
  invalidAfterSaleTransition(id: string, status: string, command: string, hint?: { 'zh-CN': string; en: string }): OrderkitError {
    return orderkitError(
      'INVALID_AFTER_SALE_TRANSITION',
      {
        'zh-CN': `售后单 ${id} 当前为 ${status}，不能执行 ${command}${hint ? `：${hint['zh-CN']}` : ''}`,
        en: `after-sale ${id} is ${status}; ${command} is not possible${hint ? `: ${hint.en}` : ''}`,
      },
      { path: ['afterSaleId'], details: { afterSaleId: id, status, command } },
    );
  },
  notRequester(id: string): OrderkitError {
    return orderkitError(
      'FORBIDDEN',
      { 'zh-CN': `只有申请人可以操作售后单 ${id}（商家请使用同意或拒绝）`, en: `only whoever requested after-sale ${id} may do this (a merchant approves or rejects instead)` },
      { path: ['afterSaleId'], details: { afterSaleId: id } },
    );
  },
  unknownRefund(id: string): OrderkitError {
    return orderkitError(
      'UNKNOWN_REFUND',
      { 'zh-CN': `退款台账中没有退款单 ${id}`, en: `the refund ledger has no refund ${id}` },
      { path: ['refundId'], details: { refundId: id } },
    );
  },
  refundAmountMismatch(id: string, expected: number, got: number): OrderkitError {
    return orderkitError(
      'REFUND_AMOUNT_MISMATCH',
      {
        'zh-CN': `退款单 ${id} 的金额应为 ${fen(expected)}，回调为 ${fen(got)}；请核对支付平台的退款记录`,
        en: `refund ${id} is for ${fen(expected)} but the result says ${fen(got)}; check the gateway's refund record`,
      },
      { path: ['amount'], details: { refundId: id, expected, got } },
    );
  },
  refundAlreadySucceeded(id: string): OrderkitError {
    return orderkitError(
      'REFUND_ALREADY_SUCCEEDED',
      {
        'zh-CN': `退款单 ${id} 已经成功，不能再标记为失败；请核对支付平台的退款记录`,
        en: `refund ${id} has already succeeded and cannot fail now; check the gateway's refund record`,
      },
      { path: ['refundId'], details: { refundId: id } },
    );
  },
  refundNotFailed(id: string, status: string): OrderkitError {
    return orderkitError(
      'REFUND_NOT_FAILED',
      { 'zh-CN': `退款单 ${id} 当前为 ${status}，只有失败的退款可以重试`, en: `refund ${id} is ${status}; only a failed refund can be retried` },
      { path: ['refundId'], details: { refundId: id, status } },
    );
  },
  refundSuperseded(id: string, by: string): OrderkitError {
    return orderkitError(
      'REFUND_SUPERSEDED',
      {
        'zh-CN': `退款单 ${id} 已关闭并由退款单 ${by} 重新发起，旧单号不会再付款`,
        en: `refund ${id} was closed and re-issued as ${by}; the old number is never paid`,
      },
      { path: ['refundId'], details: { refundId: id, replacedBy: by } },
    );
  },
  refundAlreadyInLedger(id: string, status: string): OrderkitError {
    return orderkitError(
      'REFUND_ALREADY_IN_LEDGER',
      {
        'zh-CN': `退款台账中已有退款单 ${id}（${status}），其结果应以 REFUND_SUCCEEDED 记录`,
        en: `the refund ledger already has refund ${id} (${status}); record its result with REFUND_SUCCEEDED`,
      },
      { path: ['refundId'], details: { refundId: id, status } },
    );
  },
  unknownTransaction(id: string): OrderkitError {
    return orderkitError(
      'UNKNOWN_TRANSACTION',
      { 'zh-CN': `订单没有交易 ${id || '（无）'}`, en: `the order has no transaction ${id || '(none)'}` },
      { path: ['transactionId'], details: { transactionId: id } },
    );
  },
};
