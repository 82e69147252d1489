import { isStorableString, type Order } from '../order/index.js';
import { OrderkitError } from '../errors/orderkit-error.js';
import { fail, type Result } from '../errors/result.js';
import { assertInsightOptions, couponDiscountOf, firstPaid, parse, provinceOf, skusOf, within, type Parsed } from './insights.js';
import { COHORT_PERIODS, INSIGHT_DIMENSIONS, type CohortPeriod, type InsightDimension, type InsightOptions } from './insight-types.js';
import { periodOf, weekdayHour } from './local-time.js';

/*
 * Drill-down (docs/analytics.md "Drill-down"): the orders behind each figure of the analyses,
 * chosen by exactly the rules that counted them, so a figure and its list never disagree.
 */

/** Which figure to open. Each names the analysis it comes from. */
export type Figure =
  /** Orders placed in the range (Totals.placed). */
  | { figure: 'placed' }
  /** Orders paid in the range (Totals.paid, gmv, averageOrderValue; CustomerReport's customers). */
  | { figure: 'paid' }
  /** Paid in the range, with a succeeded refund (Totals.refundedOrders, refundRate). */
  | { figure: 'refunded' }
  /** A row of `breakdown`: placed or paid in the range with this province or channel ('' for none). */
  | { figure: 'segment'; dimension: InsightDimension; key: string }
  /** A cell of `heatmap`: placed in the range on ISO weekday 1–7 at this hour. */
  | { figure: 'heatmap'; weekday: number; hour: number }
  /** A cell of `cohorts`: orders paid in the range, in period `offset` after theirs, by the customers first paying in `period`. */
  | { figure: 'cohort'; by: CohortPeriod; period: string; offset: number }
  /** Orders paid in the range by customers whose first paid order ever lies in it (CustomerReport.newCustomers). */
  | { figure: 'new_customers' }
  /** Orders paid in the range by customers who paid two or more there (repeatCustomers). */
  | { figure: 'repeat_customers' }
  /** Orders paid in the range containing this SKU (top SKUs, refund rate per SKU). */
  | { figure: 'sku'; sku: string }
  /** Orders paid in the range that used a coupon (CouponReport.couponOrders). */
  | { figure: 'coupon' };

export const FIGURES = ['placed', 'paid', 'refunded', 'segment', 'heatmap', 'cohort', 'new_customers', 'repeat_customers', 'sku', 'coupon'] as const;

/** One order of a drill-down list: what a table row needs, without the address or phone. */
export interface DrillRow {
  orderId: string;
  number: string;
  status: Order['status'];
  customerId: string;
  placedAt: string;
  paidAt: string | null;
  /** fen */
  paidAmount: number;
  /** Succeeded refunds, fen (stray payments left out). */
  refunded: number;
  couponDiscount: number;
  province: string | null;
  channel: string | null;
  skus: string[];
}

export interface DrillReport {
  figure: Figure;
  /** Every order behind the figure. */
  total: number;
  /** Newest placed first, at most `limit`. */
  orders: DrillRow[];
}

/** One row of the list; the SQL twin (ordersBehindSql) builds its rows with it too. */
export function drillRow(r: Parsed): DrillRow {
  const o = r.order;
  return {
    orderId: o.id,
    number: o.number,
    status: o.status,
    customerId: o.customerId,
    placedAt: o.createdAt,
    paidAt: o.paidAt ?? o.payment.paidAt ?? null,
    paidAmount: o.payment.paidAmount,
    refunded: r.refunded,
    couponDiscount: couponDiscountOf(o),
    province: provinceOf(o),
    channel: o.channel ?? null,
    skus: [...skusOf(o).keys()],
  };
}

/**
 * The orders behind one figure of the analyses over the same options.
 *
 * @example
 * ordersBehind(orders, { from: new Date(from), to: new Date(to), timeZone: 'Asia/Shanghai' }, { figure: 'segment', dimension: 'province', key: '浙江' }).total
 * // === the 浙江 row's orders placed or paid in the range
 */
export function ordersBehind(orders: readonly Order[], options: InsightOptions, figure: Figure, limit = 200): DrillReport {
  assertInsightOptions(options);
  const rows = parse(orders, options.filter);
  const from = options.from.getTime();
  const to = options.to.getTime();
  const paidIn = (r: Parsed) => within(r.paidAt, from, to);
  const placedIn = (r: Parsed) => within(r.placedAt, from, to);
  let pick: (r: Parsed) => boolean;
  switch (figure.figure) {
    case 'placed':
      pick = placedIn;
      break;
    case 'paid':
      pick = paidIn;
      break;
    case 'refunded':
      pick = (r) => paidIn(r) && r.refunded > 0;
      break;
    case 'segment': {
      const key = figure.key === '' ? null : figure.key;
      pick = (r) => (placedIn(r) || paidIn(r)) && (figure.dimension === 'province' ? provinceOf(r.order) : (r.order.channel ?? null)) === key;
      break;
    }
    case 'heatmap':
      pick = (r) => {
        if (!placedIn(r)) return false;
        const c = weekdayHour(r.placedAt, options.timeZone);
        return c.isodow === figure.weekday && c.hour === figure.hour;
      };
      break;
    case 'cohort': {
      const first = firstPaid(rows);
      pick = (r) => {
        if (!paidIn(r)) return false;
        const f = first.get(r.order.customerId)!;
        if (!within(f, from, to)) return false;
        const cohort = periodOf(f, options.timeZone, figure.by);
        return cohort.label === figure.period && periodOf(r.paidAt, options.timeZone, figure.by).index - cohort.index === figure.offset;
      };
      break;
    }
    case 'new_customers': {
      const first = firstPaid(rows);
      pick = (r) => paidIn(r) && first.get(r.order.customerId)! >= from;
      break;
    }
    case 'repeat_customers': {
      const count = new Map<string, number>();
      for (const r of rows) if (paidIn(r)) count.set(r.order.customerId, (count.get(r.order.customerId) ?? 0) + 1);
      pick = (r) => paidIn(r) && count.get(r.order.customerId)! >= 2;
      break;
    }
    case 'sku':
      pick = (r) => paidIn(r) && r.order.lines.some((l) => l.sku === figure.sku);
      break;
    case 'coupon':
      pick = (r) => paidIn(r) && r.order.pricing.couponIds.length > 0;
      break;
  }
  const picked = rows.filter(pick).sort((a, b) => b.placedAt - a.placedAt || (a.order.id < b.order.id ? -1 : 1));
  return { figure, total: picked.length, orders: picked.slice(0, limit).map(drillRow) };
}

function invalid(path: string[], zh: string, en: string): OrderkitError {
  return new OrderkitError({ code: 'INVALID_ANALYTICS_OPTIONS', message: { 'zh-CN': zh, en }, path });
}

const int = (v: unknown, min: number, max: number): number | null => {
  const n = typeof v === 'string' && /^-?\d{1,4}$/.test(v) ? Number(v) : typeof v === 'number' ? v : NaN;
  return Number.isInteger(n) && n >= min && n <= max ? n : null;
};
const text = (v: unknown): string | null => (typeof v === 'string' && v.length <= 64 ? v : null);
/** A key or SKU with a character no store can keep (docs/storage.md): it names nothing, and PostgreSQL refuses it. */
const unstorable = (path: string): OrderkitError =>
  invalid([path], `${path} 含有无法保存的字符（如 U+0000）`, `${path} contains a character that cannot be stored (such as U+0000)`);

/**
 * A figure from a query string (`figure=segment&dimension=province&key=浙江`): an unknown figure or
 * dimension, or a missing or out-of-range part, is `INVALID_ANALYTICS_OPTIONS` with its path.
 *
 * @example
 * parseFigure({ figure: 'heatmap', weekday: '5', hour: '20' }) // { ok: true, value: { figure: 'heatmap', weekday: 5, hour: 20 } }
 */
export function parseFigure(q: Record<string, unknown>): Result<{ value: Figure }> {
  const name = q['figure'];
  switch (name) {
    case 'placed':
    case 'paid':
    case 'refunded':
    case 'new_customers':
    case 'repeat_customers':
    case 'coupon':
      return { ok: true, value: { figure: name } };
    case 'segment': {
      const dimension = q['dimension'];
      if (typeof dimension !== 'string' || (INSIGHT_DIMENSIONS as readonly string[]).indexOf(dimension) < 0) {
        return fail(invalid(['dimension'], `未知的维度 ${String(dimension)}（可用：${INSIGHT_DIMENSIONS.join('、')}）`, `unknown dimension ${String(dimension)} (use ${INSIGHT_DIMENSIONS.join(', ')})`));
      }
      const key = text(q['key'] ?? '');
      if (key === null) return fail(invalid(['key'], 'key 必须是最多 64 个字符的字符串', 'key must be a string of at most 64 characters'));
      if (!isStorableString(key)) return fail(unstorable('key'));
      return { ok: true, value: { figure: 'segment', dimension: dimension as InsightDimension, key } };
    }
    case 'heatmap': {
      const weekday = int(q['weekday'], 1, 7);
      const hour = int(q['hour'], 0, 23);
      if (weekday === null) return fail(invalid(['weekday'], 'weekday 必须是 1–7 的整数（1 = 周一）', 'weekday must be an integer 1–7 (1 = Monday)'));
      if (hour === null) return fail(invalid(['hour'], 'hour 必须是 0–23 的整数', 'hour must be an integer 0–23'));
      return { ok: true, value: { figure: 'heatmap', weekday, hour } };
    }
    case 'cohort': {
      const by = q['by'] ?? 'week';
      if (typeof by !== 'string' || (COHORT_PERIODS as readonly string[]).indexOf(by) < 0) return fail(invalid(['by'], `未知的分组周期 ${String(by)}（可用：week、month）`, `unknown cohort period ${String(by)} (use week or month)`));
      const period = q['period'];
      if (typeof period !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(period)) return fail(invalid(['period'], 'period 必须是 yyyy-MM-dd', 'period must be yyyy-MM-dd'));
      // A cohort is named by its period's first day: a Monday for weeks, the 1st for months.
      const [y, m, d] = period.split('-').map(Number) as [number, number, number];
      const day = new Date(Date.UTC(y, m - 1, d));
      if (day.getUTCFullYear() !== y || day.getUTCMonth() !== m - 1 || day.getUTCDate() !== d) {
        return fail(invalid(['period'], `period ${period} 不是存在的日期`, `period ${period} is not a date that exists`));
      }
      if (by === 'week' ? day.getUTCDay() !== 1 : d !== 1) {
        return fail(invalid(['period'], by === 'week' ? `period 必须是一周的第一天（周一），${period} 不是` : `period 必须是一个月的第一天（1 日），${period} 不是`, by === 'week' ? `period must be the first day of a week (a Monday); ${period} is not` : `period must be the first day of a month (the 1st); ${period} is not`));
      }
      const offset = int(q['offset'], 0, 1000);
      if (offset === null) return fail(invalid(['offset'], 'offset 必须是 0–1000 的整数', 'offset must be an integer 0–1000'));
      return { ok: true, value: { figure: 'cohort', by: by as CohortPeriod, period, offset } };
    }
    case 'sku': {
      const sku = text(q['sku']);
      if (sku === null || sku === '') return fail(invalid(['sku'], 'sku 必须是 1–64 个字符的字符串', 'sku must be a string of 1–64 characters'));
      if (!isStorableString(sku)) return fail(unstorable('sku'));
      return { ok: true, value: { figure: 'sku', sku } };
    }
    default:
      return fail(invalid(['figure'], `未知的指标 ${String(name)}（可用：${FIGURES.join('、')}）`, `unknown figure ${String(name)} (use ${FIGURES.join(', ')})`));
  }
}
