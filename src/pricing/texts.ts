import type { LocalizedText } from '../errors/orderkit-error.js';

/**
 * Every sentence a quote shows a shopper. Kept in one file so that the zh-CN and en versions are
 * read side by side and stay in step.
 */

/** Yuan for reasons: whole yuan without decimals (¥99), otherwise two decimals (¥9.90). */
export function yuan(fen: number): string {
  const sign = fen < 0 ? '-' : '';
  const abs = Math.abs(fen);
  const whole = Math.floor(abs / 100);
  const cents = abs % 100;
  return cents === 0 ? `${sign}¥${whole}` : `${sign}¥${whole}.${cents < 10 ? '0' : ''}${cents}`;
}

/** 1500 bp off → "8.5 折" (the price paid, in tenths), the way Chinese shops write a discount. */
function zhe(offBp: number): string {
  const paid = 10_000 - offBp; // e.g. 8500
  return `${String(paid / 1000).replace(/\.?0+$/, '') || '0'} 折`;
}

/** 1500 bp → "15%". */
function percent(bp: number): string {
  return `${String(bp / 100)}%`;
}

export const reasons = {
  memberPrice(level: string): LocalizedText {
    return { 'zh-CN': `会员价（${level}）`, en: `Member price (${level})` };
  },
  timedPercent(offBp: number): LocalizedText {
    return { 'zh-CN': `限时折扣 ${zhe(offBp)}`, en: `Limited-time ${percent(offBp)} off` };
  },
  timedPrice(): LocalizedText {
    return { 'zh-CN': '限时特价', en: 'Flash sale price' };
  },
  threshold(threshold: number, off: number): LocalizedText {
    return { 'zh-CN': `满 ${yuan(threshold)} 减 ${yuan(off)}`, en: `Spend ${yuan(threshold)}, save ${yuan(off)}` };
  },
  perStep(step: number, off: number, times: number, cap: number | undefined, capped: boolean): LocalizedText {
    const zhCap = capped && cap !== undefined ? `，最多减 ${yuan(cap)}` : '';
    const enCap = capped && cap !== undefined ? `, up to ${yuan(cap)}` : '';
    return {
      'zh-CN': `每满 ${yuan(step)} 减 ${yuan(off)}（${times} 次）${zhCap}`,
      en: `${yuan(off)} off every ${yuan(step)} (×${times})${enCap}`,
    };
  },
  fixedCoupon(off: number): LocalizedText {
    return { 'zh-CN': `立减 ${yuan(off)}`, en: `${yuan(off)} off` };
  },
  percentCoupon(offBp: number, cap: number | undefined, threshold: number | undefined): LocalizedText {
    const zhT = threshold !== undefined ? `满 ${yuan(threshold)} ` : '';
    const enT = threshold !== undefined ? ` over ${yuan(threshold)}` : '';
    const zhCap = cap !== undefined ? `，最多减 ${yuan(cap)}` : '';
    const enCap = cap !== undefined ? `, up to ${yuan(cap)}` : '';
    return { 'zh-CN': `${zhT}${zhe(offBp)}${zhCap}`, en: `${percent(offBp)} off${enT}${enCap}` };
  },
  coupon(title: string | LocalizedText | undefined, what: LocalizedText): LocalizedText {
    const zh = typeof title === 'string' ? title : title?.['zh-CN'];
    const en = typeof title === 'string' ? title : title?.en;
    const name = zh !== undefined ? `「${zh}」` : '';
    const enName = en !== undefined ? ` "${en}"` : '';
    return { 'zh-CN': `优惠券${name}：${what['zh-CN']}`, en: `Coupon${enName}: ${what.en}` };
  },
  points(points: number, fen: number): LocalizedText {
    return { 'zh-CN': `积分抵扣：${points} 积分抵 ${yuan(fen)}`, en: `Points: ${points} points for ${yuan(fen)}` };
  },
  countOff(minUnits: number, off: number): LocalizedText {
    return { 'zh-CN': `满 ${minUnits} 件减 ${yuan(off)}`, en: `Buy ${minUnits}, save ${yuan(off)}` };
  },
  countPercent(minUnits: number, offBp: number): LocalizedText {
    return { 'zh-CN': `${minUnits} 件 ${zhe(offBp)}`, en: `Buy ${minUnits}, ${percent(offBp)} off` };
  },
  reward(minAmount: number | undefined, minUnits: number | undefined): LocalizedText {
    const zh = [minAmount !== undefined ? `满 ${yuan(minAmount)}` : '', minUnits !== undefined ? `满 ${minUnits} 件` : ''].filter((x) => x !== '').join('且');
    const en = [minAmount !== undefined ? `spend ${yuan(minAmount)}` : '', minUnits !== undefined ? `buy ${minUnits}` : ''].filter((x) => x !== '').join(' and ');
    return { 'zh-CN': `${zh}送`, en: `Reward: ${en}` };
  },
  rewardFreeShipping(activity: string): LocalizedText {
    return { 'zh-CN': `满减送包邮（${activity}）`, en: `Free shipping (activity ${activity})` };
  },
  templateFreeShipping(template: string): LocalizedText {
    return { 'zh-CN': `运费模板 ${template} 包邮`, en: `Free shipping under template ${template}` };
  },
  freeShipping(freeOver: number): LocalizedText {
    return { 'zh-CN': `满 ${yuan(freeOver)} 包邮`, en: `Free shipping over ${yuan(freeOver)}` };
  },
} as const;

/** Why a coupon could not be used: a stable code and the sentence for the coupon picker. */
export const rejections = {
  expired: (): [string, LocalizedText] => ['COUPON_EXPIRED', { 'zh-CN': '已过期', en: 'Expired' }],
  notStarted: (): [string, LocalizedText] => ['COUPON_NOT_STARTED', { 'zh-CN': '未到使用时间', en: 'Not valid yet' }],
  notApplicable: (): [string, LocalizedText] => [
    'COUPON_NOT_APPLICABLE',
    { 'zh-CN': '不适用于该商品', en: 'Not valid for the items in this cart' },
  ],
  belowThreshold: (threshold: number, short: number): [string, LocalizedText] => [
    'COUPON_BELOW_THRESHOLD',
    { 'zh-CN': `未满 ${yuan(threshold)}，还差 ${yuan(short)}`, en: `Spend ${yuan(threshold)} to use it (${yuan(short)} to go)` },
  ],
  noSaving: (): [string, LocalizedText] => [
    'COUPON_NO_SAVING',
    { 'zh-CN': '适用商品已无可抵扣金额', en: 'Nothing left to discount on the items it covers' },
  ],
  notStackable: (): [string, LocalizedText] => [
    'COUPON_NOT_STACKABLE',
    { 'zh-CN': '不可与已选优惠券叠加使用', en: 'Cannot be combined with the chosen coupon(s)' },
  ],
  noExtraSaving: (): [string, LocalizedText] => [
    'COUPON_NO_EXTRA_SAVING',
    { 'zh-CN': '使用后不会更省（例如会失去包邮）', en: 'Would not lower the price (it may cost free shipping)' },
  ],
} as const;
