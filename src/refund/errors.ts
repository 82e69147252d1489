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
  balanceRefundCannotFail(id: string): OrderkitError {
    return orderkitError(
      'BALANCE_REFUND_CANNOT_FAIL',
      {
        'zh-CN': `退款 ${id} 退回的是余额（记入账户，不经微信支付），不会失败；该失败报告有误，台账未改变`,
        en: `refund ${id} goes back to the stored balance (credited to the account, not sent to WeChat Pay) and cannot fail; the failure report is wrong and the ledger is unchanged`,
      },
      { path: ['refundId'], details: { refundId: id } },
    );
  },
  unknownTransaction(id: string): OrderkitError {
    return orderkitError(
      'UNKNOWN_TRANSACTION',
      { 'zh-CN': `订单没有交易 ${id || '（无）'}`, en: `the order has no transaction ${id || '(none)'}` },
      { path: ['transactionId'], details: { transactionId: id } },
    );
  },
  /** 协商退款: the merchant offered more than the after-sale may pay. */
  proposalExceedsRefundable(amount: number, refundable: number): OrderkitError {
    return orderkitError(
      'PROPOSAL_EXCEEDS_REFUNDABLE',
      {
        'zh-CN': `协商金额 ${fen(amount)} 超过本售后单最多可退的 ${fen(refundable)}，请调低金额`,
        en: `the proposed ${fen(amount)} is more than this after-sale may refund (${fen(refundable)}); propose less`,
      },
      { path: ['amount'], details: { amount, refundable } },
    );
  },
  /** ACCEPT / DECLINE with no open proposal. */
  noOpenProposal(afterSaleId: string): OrderkitError {
    return orderkitError(
      'NO_OPEN_PROPOSAL',
      { 'zh-CN': `售后单 ${afterSaleId} 没有待答复的协商方案`, en: `after-sale ${afterSaleId} has no proposal waiting for an answer` },
      { path: ['afterSaleId'], details: { afterSaleId } },
    );
  },
  /** 退运费: the fee does not fit (refund: beside the payment; deduct: within the refund). */
  returnShippingFeeTooHigh(fee: number, limit: number, treatment: 'refund' | 'deduct'): OrderkitError {
    return orderkitError(
      'RETURN_SHIPPING_FEE_TOO_HIGH',
      treatment === 'refund'
        ? { 'zh-CN': `退货运费 ${fen(fee)} 超过订单尚可退的 ${fen(limit)}（退款不能超过实付）`, en: `the return shipping fee ${fen(fee)} is more than the ${fen(limit)} still refundable on this order (a refund never exceeds what was paid)` }
        : { 'zh-CN': `要扣除的退货运费 ${fen(fee)} 超过本次退款 ${fen(limit)}`, en: `the return shipping fee to deduct (${fen(fee)}) is more than the refund (${fen(limit)})` },
      { path: ['fee'], details: { fee, limit, treatment } },
    );
  },
  /** 退运费 without a treatment from the command or `policy.returnShippingFee`. */
  returnShippingFeeOff(): OrderkitError {
    return orderkitError(
      'RETURN_SHIPPING_FEE_OFF',
      { 'zh-CN': '店铺规则未设置退货运费的处理方式，请在指令中注明退还或扣除', en: 'the shop policy sets no return shipping fee treatment; say refund or deduct in the command' },
      { path: ['treatment'], details: {} },
    );
  },
  /** 换货 only for the same price: a different price is a return plus a new order. */
  exchangePriceDiffers(lineId: string, unitPrice: number, replacementPrice: number, index: number): OrderkitError {
    return orderkitError(
      'EXCHANGE_PRICE_DIFFERS',
      {
        'zh-CN': `换货商品单价 ${fen(replacementPrice)} 与原商品 ${fen(unitPrice)} 不同：差价商品请退货退款后重新下单`,
        en: `the replacement costs ${fen(replacementPrice)}, the original ${fen(unitPrice)}: for a different price, return the goods for a refund and place a new order`,
      },
      { path: ['items', index, 'unitPrice'], details: { lineId, unitPrice, replacementPrice } },
    );
  },
  /** A freight-only refund when no freight is left to refund. */
  noFreightToRefund(freight: number, held: number): OrderkitError {
    return orderkitError(
      'NO_FREIGHT_TO_REFUND',
      { 'zh-CN': `运费 ${fen(freight)} 已全部申请或退还，没有可退的运费`, en: `the freight (${fen(freight)}) has been claimed or refunded already (${fen(held)}); nothing left to refund` },
      { path: [], details: { freight, held } },
    );
  },
  /** A freight-only refund asking more than the freight left. */
  freightRefundTooHigh(amount: number, left: number): OrderkitError {
    return orderkitError(
      'FREIGHT_REFUND_TOO_HIGH',
      { 'zh-CN': `退运费 ${fen(amount)} 超过尚可退的运费 ${fen(left)}`, en: `a freight refund of ${fen(amount)} is more than the ${fen(left)} of freight left` },
      { path: ['amount'], details: { amount, left } },
    );
  },
};
