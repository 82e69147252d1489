import { orderkitError, type IssuePath, type OrderkitError } from '../errors/orderkit-error.js';
import { formatFen } from '../money/format.js';
import { shopTime } from '../order/shop-time.js';

/**
 * Errors of order edits (改价, 改地址, 备注), payment attempts and stray payments. Codes are stable;
 * messages say what happened and what to do, in zh-CN and en.
 *
 * @example
 * return editErrors.priceIncreaseNotAllowed(0, 500);
 */
export const editErrors = {
  invalidAdjustment(path: IssuePath, zh: string, en: string): OrderkitError {
    return orderkitError('INVALID_PRICE_ADJUSTMENT', { 'zh-CN': `改价无效：${zh}`, en: `invalid price adjustment: ${en}` }, { path });
  },
  priceUnchanged(total: number): OrderkitError {
    return orderkitError(
      'PRICE_UNCHANGED',
      { 'zh-CN': `新价格与当前应付 ${formatFen(total)} 相同，无需改价`, en: `the new total equals the current ${formatFen(total)}; nothing to adjust` },
      { path: ['newTotal'], details: { total } },
    );
  },
  priceIncreaseNotAllowed(max: number, asked: number): OrderkitError {
    return orderkitError(
      'PRICE_INCREASE_NOT_ALLOWED',
      {
        'zh-CN': max === 0 ? `不允许加价（本次加价 ${formatFen(asked)}）` : `加价不得超过 ${formatFen(max)}（本次累计加价 ${formatFen(asked)}）`,
        en: max === 0 ? `raising the price is not allowed (asked for ${formatFen(asked)} more)` : `the price may rise by at most ${formatFen(max)} (asked for ${formatFen(asked)} in total)`,
      },
      { path: ['newTotal'], details: { maxPriceIncrease: max, increase: asked } },
    );
  },
  /** `payBy` is an ISO time (kept as is in `details`); the messages say it in the shop's `timeZone`. */
  payDeadlinePassed(payBy: string, timeZone: string): OrderkitError {
    const at = shopTime(payBy, timeZone);
    return orderkitError(
      'PAY_DEADLINE_PASSED',
      { 'zh-CN': `已过支付截止时间（${at}），订单即将关闭，不能改价`, en: `the pay-by deadline (${at}, ${timeZone}) has passed; the order is about to close and cannot be re-priced` },
      { path: [], details: { payBy } },
    );
  },
  tooManyAttempts(max: number): OrderkitError {
    return orderkitError(
      'TOO_MANY_PAYMENT_ATTEMPTS',
      { 'zh-CN': `一个订单最多发起 ${max} 次支付，请取消后重新下单`, en: `an order may have at most ${max} payment attempts; cancel it and place a new one` },
      { path: ['payment', 'attempts'], details: { max } },
    );
  },
  outTradeNoTooLong(outTradeNo: string): OrderkitError {
    return orderkitError(
      'OUT_TRADE_NO_TOO_LONG',
      {
        'zh-CN': `支付单号 ${outTradeNo} 超过 32 位或含有非法字符，订单号太长，无法再次发起支付`,
        en: `the attempt's out_trade_no ${outTradeNo} is not 1–32 of [0-9A-Za-z_-]: the order number is too long for another attempt`,
      },
      { path: ['number'], details: { outTradeNo } },
    );
  },
  outTradeNoTaken(outTradeNo: string): OrderkitError {
    return orderkitError(
      'OUT_TRADE_NO_TAKEN',
      { 'zh-CN': `支付单号 ${outTradeNo} 已被本订单使用`, en: `the out_trade_no ${outTradeNo} is already used by this order` },
      { path: ['payment', 'attempts'], details: { outTradeNo } },
    );
  },
  addressLocked(status: string): OrderkitError {
    return orderkitError(
      'ADDRESS_LOCKED',
      {
        'zh-CN': '商品已发出，不能再修改收货地址；请联系快递改派或申请售后',
        en: 'goods have shipped, so the address can no longer change; ask the carrier to redirect the parcel or request an after-sale',
      },
      { path: ['address'], details: { status } },
    );
  },
  invalidAddress(path: IssuePath): OrderkitError {
    return orderkitError('INVALID_ADDRESS', { 'zh-CN': '收货地址不完整或格式不正确', en: 'the address is incomplete or malformed' }, { path });
  },
  invalidRemark(): OrderkitError {
    return orderkitError(
      'INVALID_REMARK',
      { 'zh-CN': '备注应为 1 到 200 个字符', en: 'a note must be 1 to 200 characters' },
      { path: ['text'] },
    );
  },
  notStrayPayment(transactionId: string): OrderkitError {
    return orderkitError(
      'PAYMENT_NOT_STRAY',
      {
        'zh-CN': `交易 ${transactionId} 可以支付本订单（或已支付本订单），不是无效支付；请按 PAYMENT_SUCCEEDED 处理`,
        en: `transaction ${transactionId} pays (or paid) this order, it is not a stray payment; send PAYMENT_SUCCEEDED`,
      },
      { path: ['transactionId'], details: { transactionId } },
    );
  },
  invalidStrayPayment(path: IssuePath, zh: string, en: string): OrderkitError {
    return orderkitError('INVALID_STRAY_PAYMENT', { 'zh-CN': `无效支付记录不正确：${zh}`, en: `invalid stray payment: ${en}` }, { path });
  },
};
