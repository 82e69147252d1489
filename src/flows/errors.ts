import { orderkitError, type OrderkitError } from '../errors/orderkit-error.js';
import { formatFen } from '../money/format.js';
import { shopTime } from '../order/shop-time.js';

/** The typed refusals of the flows (docs/flows.md): stable codes, a path, zh-CN and en. */
export const flowErrors = {
  unknownGroup(groupId: string): OrderkitError {
    return orderkitError('UNKNOWN_GROUP', { 'zh-CN': `拼团 ${groupId} 不存在`, en: `there is no group ${groupId}` }, { path: ['groupId'], details: { groupId } });
  },
  groupExists(groupId: string): OrderkitError {
    return orderkitError('GROUP_EXISTS', { 'zh-CN': `拼团 ${groupId} 已存在`, en: `group ${groupId} exists already` }, { path: ['groupId'], details: { groupId } });
  },
  groupFull(groupId: string, size: number): OrderkitError {
    return orderkitError(
      'GROUP_FULL',
      { 'zh-CN': `拼团 ${groupId} 已满（${size} 人），请开新团或参加其他团`, en: `group ${groupId} is full (${size} members); open a new group or join another` },
      { path: ['groupId'], details: { groupId, size } },
    );
  },
  groupClosed(groupId: string, status: string, deadline: string, timeZone: string): OrderkitError {
    return orderkitError(
      'GROUP_CLOSED',
      {
        'zh-CN': `拼团 ${groupId} 已结束（${status === 'open' ? `截止于 ${shopTime(deadline, timeZone)}` : status === 'complete' ? '已成团' : '未成团'}），不能再参加`,
        en: `group ${groupId} is over (${status === 'open' ? `its deadline was ${shopTime(deadline, timeZone)} (${timeZone})` : status === 'complete' ? 'complete' : 'failed'}); it cannot be joined`,
      },
      { path: ['groupId'], details: { groupId, status, deadline } },
    );
  },
  alreadyInGroup(groupId: string, customerId: string): OrderkitError {
    return orderkitError(
      'ALREADY_IN_GROUP',
      { 'zh-CN': `您已在拼团 ${groupId} 中`, en: `customer ${customerId} is in group ${groupId} already` },
      { path: ['groupId'], details: { groupId, customerId } },
    );
  },
  invalidGroup(path: Array<string | number>, problem: { 'zh-CN': string; en: string }): OrderkitError {
    return orderkitError('INVALID_GROUP', problem, { path, details: {} });
  },
  balanceWindow(when: 'not_open' | 'closed', from: string, until: string, timeZone: string): OrderkitError {
    return orderkitError(
      when === 'not_open' ? 'BALANCE_NOT_OPEN' : 'BALANCE_WINDOW_CLOSED',
      when === 'not_open'
        ? { 'zh-CN': `尾款将于 ${shopTime(from, timeZone)} 开始支付`, en: `the balance can be paid from ${shopTime(from, timeZone)} (${timeZone})` }
        : { 'zh-CN': `尾款支付已于 ${shopTime(until, timeZone)} 截止`, en: `the balance had to be paid by ${shopTime(until, timeZone)} (${timeZone})` },
      { path: ['outTradeNo'], details: { balanceFrom: from, balanceUntil: until } },
    );
  },
  partAmountMismatch(part: string, expected: number, got: number): OrderkitError {
    return orderkitError(
      'AMOUNT_MISMATCH',
      { 'zh-CN': `${part === 'deposit' ? '定金' : '尾款'}应为 ${formatFen(expected)}，支付了 ${formatFen(got)}`, en: `the ${part} is ${formatFen(expected)}, ${formatFen(got)} was paid` },
      { path: ['amount'], details: { part, expected, got } },
    );
  },
  unknownPart(outTradeNo: string): OrderkitError {
    return orderkitError(
      'UNKNOWN_PAYMENT_PART',
      { 'zh-CN': `订单没有商户单号为 ${outTradeNo} 的付款部分`, en: `the order has no payment part ${outTradeNo}` },
      { path: ['outTradeNo'], details: { outTradeNo } },
    );
  },
  refundOverParts(amount: number, room: number): OrderkitError {
    return orderkitError(
      'PRESALE_REFUND_OVER_PARTS',
      {
        'zh-CN': `该预售订单的定金和尾款交易合计还可退 ${formatFen(room)}，本次退款 ${formatFen(amount)} 超出`,
        en: `the deposit and balance transactions of this presale order have ${formatFen(room)} left to give back; a refund of ${formatFen(amount)} is more`,
      },
      { path: ['amount'], details: { amount, room } },
    );
  },
  invalidPresale(path: Array<string | number>, problem: { 'zh-CN': string; en: string }): OrderkitError {
    return orderkitError('INVALID_PRESALE', problem, { path, details: {} });
  },
};
