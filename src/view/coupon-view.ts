import type { LocalizedText } from '../errors/orderkit-error.js';
import type { BestCoupons } from '../pricing/best-coupons.js';
import type { WalletCoupon } from '../pricing/cart-schema.js';
import type { Quote } from '../pricing/quote.js';
import { moneyView, type MoneyView, type ViewLocale } from './format.js';

/** One coupon of the shopper's wallet in the checkout's coupon picker. */
export interface CouponOptionView {
  /** The wallet coupon id (what the page sends back as its choice). */
  id: string;
  title: string;
  /** Could be applied to this cart (alone, at least). */
  usable: boolean;
  /** Part of the combination `bestCoupons` picked. */
  best: boolean;
  /** Part of the quote the page shows now. */
  selected: boolean;
  /** Why it cannot be used, or why the best choice left it out. */
  reason: string;
  /** What it takes off in the quote shown, when selected. */
  saving: MoneyView | null;
}

export interface CouponOptionsInput {
  wallet: readonly WalletCoupon[];
  /** `bestCoupons()` for the same cart and wallet. */
  best: BestCoupons;
  /** The quote shown, when the shopper chose other coupons than the best ones. */
  shown?: Quote;
  /** Coupon definitions (the pricing rules' `coupons`), for their titles (plain or in both languages). */
  definitions?: ReadonlyArray<{ id: string; title?: string | LocalizedText | undefined }>;
  locale?: ViewLocale;
}

/** Left out only because another choice saves more: still a coupon the shopper may pick. */
const STILL_USABLE = ['COUPON_NOT_STACKABLE', 'COUPON_NO_EXTRA_SAVING'];

/**
 * The coupon picker: every wallet coupon, the best combination first and marked, then the other
 * usable ones, then the rest, each
 * unusable one with its reason (已过期, 差 ¥12.00 可用…), all from pricing's own verdicts.
 *
 * @example
 * const best = bestCoupons(cart, wallet, rules, { now });
 * if (best.ok) couponOptionsView({ wallet, best, definitions: rules.coupons ?? [] })[0]
 * // → { id: 'w2', title: '满199减30', usable: true, best: true, selected: true, … }
 */
export function couponOptionsView(input: CouponOptionsInput): CouponOptionView[] {
  const locale = input.locale ?? 'zh-CN';
  const shown = input.shown ?? input.best.quote;
  const rejected = new Map(input.best.rejected.map((r) => [r.couponId, r] as const));
  const shownRejected = new Map(shown.rejectedCoupons.map((r) => [r.couponId, r] as const));
  const savings = new Map<string, number>();
  for (const a of shown.adjustments) if (a.source === 'coupon') savings.set(a.sourceId, (savings.get(a.sourceId) ?? 0) + a.amount);
  const titles = new Map((input.definitions ?? []).map((d) => [d.id, typeof d.title === 'object' && d.title !== null ? d.title[locale] : d.title] as const));
  const options = input.wallet.map((w): CouponOptionView => {
    const r = rejected.get(w.id);
    const usable = r === undefined || STILL_USABLE.indexOf(r.code) >= 0;
    const selected = shown.couponIds.indexOf(w.id) >= 0;
    const why = r ?? shownRejected.get(w.id);
    const saving = savings.get(w.id);
    return {
      id: w.id,
      title: titles.get(w.definitionId) ?? (locale === 'zh-CN' ? `优惠券 ${w.id}` : `Coupon ${w.id}`),
      usable,
      best: input.best.couponIds.indexOf(w.id) >= 0,
      selected,
      reason: selected || why === undefined ? '' : why.reason[locale],
      saving: selected && saving !== undefined ? moneyView(saving) : null,
    };
  });
  // The best choice first, then the other usable ones, then the rest; wallet order within each.
  const rank = (o: CouponOptionView) => (o.best ? 0 : o.usable ? 1 : 2);
  return options
    .map((o, i) => [o, i] as const)
    .sort((a, b) => rank(a[0]) - rank(b[0]) || a[1] - b[1])
    .map(([o]) => o);
}
