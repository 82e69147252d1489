import { isStorableString, type Order } from '../order/index.js';
import { OrderkitError } from '../errors/orderkit-error.js';
import { errorFromZod } from '../errors/zod-issues.js';
import { fail, type Result } from '../errors/result.js';
import * as z from '../zod.js';
import { checkRange } from './options.js';
import { divideRounded, ratio, RATE_DECIMALS } from './rounding.js';
import { periodOf, weekdayHour } from './local-time.js';
import { parseIsoTime } from './iso-time.js';
import { paysBackOrderMoney, succeededRefundTotal } from '../refund/ledger.js';
import {
  COHORT_PERIODS,
  INSIGHT_DIMENSIONS,
  type Breakdown,
  type BreakdownRow,
  type Change,
  type Cohort,
  type CohortPeriod,
  type CohortReport,
  type CouponReport,
  type CustomerReport,
  type Heatmap,
  type InsightDimension,
  type InsightFilter,
  type InsightOptions,
  type PairReport,
  type RefundReason,
  type RefundReport,
  type SegmentTopSkus,
  type SkuPair,
  type SkuRefundRate,
  type Totals,
  type Trend,
} from './insight-types.js';
import type { TopSku } from './types.js';

/*
 * The decision-support analyses in memory (docs/analytics.md "Customers, products, channels").
 * Each is split in two: a tally of integer counts and sums over the orders, then a `finish…`
 * step that ranks and rounds. orderkit/postgres computes the same tallies in SQL and calls the
 * very same `finish…` functions, so the two engines cannot differ in ordering or the last digit.
 */

// ---- options -----------------------------------------------------------------------------------

function invalid(path: Array<string | number>, zh: string, en: string): OrderkitError {
  return new OrderkitError({ code: 'INVALID_ANALYTICS_OPTIONS', message: { 'zh-CN': zh, en }, path });
}

/** The problem with analysis options, or null. Shared by every analysis of both engines. */
export function checkInsightOptions(options: InsightOptions, extra: { dimension?: unknown; by?: unknown } = {}): OrderkitError | null {
  if (options === null || typeof options !== 'object') return invalid([], '缺少统计参数', 'missing report options');
  const range = checkRange(options.from, options.to, options.timeZone);
  if (range) return range;
  const filter = options.filter;
  if (filter !== undefined) {
    if (filter === null || typeof filter !== 'object') return invalid(['filter'], '筛选条件必须是对象', 'filter must be an object');
    for (const key of Object.keys(filter)) {
      if ((INSIGHT_DIMENSIONS as readonly string[]).indexOf(key) < 0) {
        return invalid(['filter', key], `未知的筛选维度 ${key}（可用：${INSIGHT_DIMENSIONS.join('、')}）`, `unknown filter dimension ${key} (use ${INSIGHT_DIMENSIONS.join(', ')})`);
      }
      const v = (filter as Record<string, unknown>)[key];
      if (v !== undefined && (typeof v !== 'string' || v.length === 0 || v.length > 64)) {
        return invalid(['filter', key], '筛选值必须是 1–64 个字符的字符串', 'a filter value must be a string of 1–64 characters');
      }
      // No stored order holds such a value, and PostgreSQL refuses it as a query parameter.
      if (v !== undefined && !isStorableString(v)) {
        return invalid(['filter', key], '筛选值含有无法保存的字符（如 U+0000）', 'a filter value contains a character that cannot be stored (such as U+0000)');
      }
    }
  }
  if ('dimension' in extra && (typeof extra.dimension !== 'string' || (INSIGHT_DIMENSIONS as readonly string[]).indexOf(extra.dimension) < 0)) {
    return invalid(['dimension'], `未知的维度 ${String(extra.dimension)}（可用：${INSIGHT_DIMENSIONS.join('、')}）`, `unknown dimension ${String(extra.dimension)} (use ${INSIGHT_DIMENSIONS.join(', ')})`);
  }
  if ('by' in extra && (typeof extra.by !== 'string' || (COHORT_PERIODS as readonly string[]).indexOf(extra.by) < 0)) {
    return invalid(['by'], `未知的分组周期 ${String(extra.by)}（可用：week、month）`, `unknown cohort period ${String(extra.by)} (use week or month)`);
  }
  return null;
}

/** Throws `checkInsightOptions`' problem: the options of a function call are the programmer's. */
export function assertInsightOptions(options: InsightOptions, extra: { dimension?: unknown; by?: unknown } = {}): void {
  const problem = checkInsightOptions(options, extra);
  if (problem) throw problem;
}

/** What an analysis request may carry over HTTP (a query string): ISO times or epoch ms. */
export const InsightQuerySchema = z.lazySchema(() => z.strictObject({
  from: z.coerce.date(),
  to: z.coerce.date(),
  timeZone: z.string().check(z.minLength(1), z.maxLength(64)),
  channel: z.optional(z.string().check(z.minLength(1), z.maxLength(64))),
  province: z.optional(z.string().check(z.minLength(1), z.maxLength(64))),
  dimension: z.optional(z.string().check(z.maxLength(32))),
  by: z.optional(z.string().check(z.maxLength(32))),
}));

// yyyy-MM-dd, optionally Thh:mm[:ss[.fraction]] and Z or ±hh[:]mm (docs/analytics.md "Customers, products, channels").
const ISO_TIME = /^(\d{4})-(\d{2})-(\d{2})(?:[Tt](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(?:[Zz]|[+-](?:[01]\d|2[0-3]):?[0-5]\d)?)?$/;

/**
 * A range bound from a query string or an event: a valid Date, finite epoch ms (a number or its
 * digits), or an ISO 8601 time whose calendar fields exist (no 30 February, no hour 25). Null for
 * anything else: the engine's own date parser would read "1" as 2001-01-01 and roll 30 February
 * over to March.
 */
function instantOf(v: unknown): Date | null {
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? null : v;
  if (typeof v === 'number') return Number.isFinite(v) && Math.abs(v) <= 8.64e15 ? new Date(v) : null;
  if (typeof v !== 'string') return null;
  if (/^-?\d{1,16}$/.test(v)) return instantOf(Number(v));
  const m = ISO_TIME.exec(v);
  if (!m) return null;
  const [, y, mo, d, h, mi, sec] = m.map((x) => (x === undefined ? 0 : Number(x)));
  const days = new Date(Date.UTC(y!, mo!, 0)).getUTCDate();
  if (mo! < 1 || mo! > 12 || d! < 1 || d! > days || h! > 23 || mi! > 59 || sec! > 59) return null;
  const t = new Date(v);
  return Number.isNaN(t.getTime()) ? null : t;
}

export interface ParsedInsightQuery {
  options: InsightOptions;
  dimension: InsightDimension;
  by: CohortPeriod;
}

/**
 * Checks untrusted analysis options (a query string): a missing bound, an inverted range, an
 * unknown zone, dimension or period is `INVALID_ANALYTICS_OPTIONS` with its path. Never throws.
 *
 * @example
 * const r = parseInsightQuery({ from: '2026-11-01T00:00:00+08:00', to: '2026-12-01T00:00:00+08:00', timeZone: 'Asia/Shanghai', dimension: 'province' });
 * if (r.ok) console.log(breakdown(orders, r.options, r.dimension).rows);
 */
export function parseInsightQuery(input: unknown): Result<ParsedInsightQuery> {
  if (input !== null && typeof input === 'object') {
    const bounds: Record<string, unknown> = {};
    for (const key of ['from', 'to'] as const) {
      const v = (input as Record<string, unknown>)[key];
      if (v === undefined) continue;
      const t = instantOf(v);
      if (t === null) return fail(invalid([key], `${key} 不是有效的时间（应为 ISO 8601 时间，如 2026-11-09T00:00:00+08:00，或毫秒时间戳）`, `${key} is not a valid time (use an ISO 8601 time such as 2026-11-09T00:00:00+08:00, or epoch milliseconds)`));
      bounds[key] = t;
    }
    input = { ...(input as Record<string, unknown>), ...bounds };
  }
  const parsed = InsightQuerySchema.safeParse(input);
  if (!parsed.success) {
    return fail(errorFromZod('INVALID_ANALYTICS_OPTIONS', { 'zh-CN': '统计参数不正确', en: 'invalid report options' }, parsed.error));
  }
  const d = parsed.data;
  const filter: InsightFilter = {};
  if (d.channel !== undefined) filter.channel = d.channel;
  if (d.province !== undefined) filter.province = d.province;
  const options: InsightOptions = { from: d.from, to: d.to, timeZone: d.timeZone, filter };
  const dimension = d.dimension ?? 'province';
  const by = d.by ?? 'week';
  const problem = checkInsightOptions(options, { dimension, by });
  if (problem) return fail(problem);
  return { ok: true, options, dimension: dimension as InsightDimension, by: by as CohortPeriod };
}

// ---- shared helpers ----------------------------------------------------------------------------

/** The order's province ('' counts as none). */
export function provinceOf(order: Order): string | null {
  const p = order.address?.province;
  return p === undefined || p === '' ? null : p;
}

function keyOf(order: Order, dimension: InsightDimension): string | null {
  return dimension === 'province' ? provinceOf(order) : (order.channel ?? null);
}

/** Whether the order passes the analysis filter (channel and/or province, '' province as none). */
export function matches(order: Order, filter: InsightFilter | undefined): boolean {
  if (filter === undefined) return true;
  if (filter.channel !== undefined && order.channel !== filter.channel) return false;
  if (filter.province !== undefined && provinceOf(order) !== filter.province) return false;
  return true;
}

/** Code-point order (what PostgreSQL's "C" collation gives for UTF-8), null last. */
export function compareKeys(a: string | null, b: string | null): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  const ia = Array.from(a, (c) => c.codePointAt(0)!);
  const ib = Array.from(b, (c) => c.codePointAt(0)!);
  for (let i = 0; i < Math.min(ia.length, ib.length); i++) if (ia[i] !== ib[i]) return ia[i]! - ib[i]!;
  return ia.length - ib.length;
}

export interface Parsed {
  order: Order;
  placedAt: number;
  paidAt: number;
  refunded: number;
}

export function parse(orders: readonly Order[], filter: InsightFilter | undefined): Parsed[] {
  const out: Parsed[] = [];
  for (const order of orders) {
    if (!matches(order, filter)) continue;
    const paidText = order.paidAt ?? order.payment.paidAt;
    const refunded = succeededRefundTotal(order);
    out.push({ order, placedAt: parseIsoTime(order.createdAt), paidAt: paidText === undefined ? NaN : parseIsoTime(paidText), refunded });
  }
  return out;
}

export const within = (t: number, from: number, to: number): boolean => t >= from && t < to;

/** (current − previous) ÷ previous, half away from zero at 4 decimals, in exact arithmetic. */
export function signedChange(current: number | null, previous: number | null): Change {
  if (current === null || previous === null) return { current, previous, absolute: null, relative: null };
  const whole = Number.isInteger(current) && Number.isInteger(previous);
  const absolute = whole ? current - previous : Math.round((current - previous) * 10 ** RATE_DECIMALS) / 10 ** RATE_DECIMALS;
  if (previous === 0) return { current, previous, absolute, relative: null };
  // Rates carry 4 decimals: scale them to integers before the exact division (counts and fen already are).
  const scale = whole ? 1 : 10 ** RATE_DECIMALS;
  const c = Math.round(current * scale);
  const p = Math.round(previous * scale);
  const magnitude = ratio(Math.abs(c - p), Math.abs(p))!;
  const negative = (c - p < 0) !== (p < 0);
  return { current, previous, absolute, relative: magnitude === 0 ? 0 : negative ? -magnitude : magnitude };
}

// ---- totals, breakdown, trend ------------------------------------------------------------------

/** The integer tally behind `Totals`. */
export interface TotalsTally {
  placed: number;
  paid: number;
  gmv: number;
  refunded: number;
  refundedOrders: number;
}

export function finishTotals(t: TotalsTally): Totals {
  return { ...t, averageOrderValue: divideRounded(t.gmv, t.paid), refundRate: ratio(t.refundedOrders, t.paid) };
}

function tallyTotals(rows: readonly Parsed[], from: number, to: number, key?: (o: Order) => string | null): Map<string | null, TotalsTally> {
  const out = new Map<string | null, TotalsTally>();
  const at = (k: string | null): TotalsTally => {
    let t = out.get(k);
    if (!t) out.set(k, (t = { placed: 0, paid: 0, gmv: 0, refunded: 0, refundedOrders: 0 }));
    return t;
  };
  for (const r of rows) {
    const placed = within(r.placedAt, from, to);
    const paid = within(r.paidAt, from, to);
    if (!placed && !paid) continue;
    const t = at(key ? key(r.order) : null);
    if (placed) t.placed++;
    if (paid) {
      t.paid++;
      t.gmv += r.order.payment.paidAmount;
      t.refunded += r.refunded;
      if (r.refunded > 0) t.refundedOrders++;
    }
  }
  return out;
}

export function finishBreakdown(dimension: InsightDimension, tallies: Iterable<[string | null, TotalsTally]>): Breakdown {
  const rows: BreakdownRow[] = [];
  for (const [key, t] of tallies) rows.push({ key, ...finishTotals(t) });
  rows.sort((a, b) => b.gmv - a.gmv || b.placed - a.placed || compareKeys(a.key, b.key));
  return { dimension, rows };
}

/**
 * The range's figures per province (from the delivery address) or per channel: orders placed,
 * paid, GMV, refunds, average order value and refund rate.
 *
 * @example
 * breakdown(orders, { from: new Date(from), to: new Date(to), timeZone: 'Asia/Shanghai' }, 'province').rows[0] // the province with the most GMV
 */
export function breakdown(orders: readonly Order[], options: InsightOptions, dimension: InsightDimension): Breakdown {
  assertInsightOptions(options, { dimension });
  const rows = parse(orders, options.filter);
  return finishBreakdown(dimension, tallyTotals(rows, options.from.getTime(), options.to.getTime(), (o) => keyOf(o, dimension)));
}

/** The period of the same length just before [from, to). */
export function previousPeriod(from: Date, to: Date): { from: Date; to: Date } {
  const span = to.getTime() - from.getTime();
  return { from: new Date(from.getTime() - span), to: new Date(from.getTime()) };
}

export function finishTrend(options: InsightOptions, current: TotalsTally, previous: TotalsTally): Trend {
  const prev = previousPeriod(options.from, options.to);
  const c = finishTotals(current);
  const p = finishTotals(previous);
  const figures = {} as Trend['figures'];
  for (const k of Object.keys(c) as Array<keyof Totals>) figures[k] = signedChange(c[k], p[k]);
  return {
    current: { from: options.from.toISOString(), to: options.to.toISOString() },
    previous: { from: prev.from.toISOString(), to: prev.to.toISOString() },
    figures,
  };
}

const EMPTY: TotalsTally = { placed: 0, paid: 0, gmv: 0, refunded: 0, refundedOrders: 0 };

/**
 * The range against the period of the same length just before it: each figure now, then, and the
 * change (absolute and relative).
 *
 * @example
 * trend(orders, { from: new Date(from), to: new Date(to), timeZone: 'Asia/Shanghai' }).figures.gmv // { current, previous, absolute, relative }
 */
export function trend(orders: readonly Order[], options: InsightOptions): Trend {
  assertInsightOptions(options);
  const rows = parse(orders, options.filter);
  const prev = previousPeriod(options.from, options.to);
  const cur = tallyTotals(rows, options.from.getTime(), options.to.getTime()).get(null) ?? EMPTY;
  const before = tallyTotals(rows, prev.from.getTime(), prev.to.getTime()).get(null) ?? EMPTY;
  return finishTrend(options, cur, before);
}

// ---- customers and cohorts ---------------------------------------------------------------------

export interface CustomerTally {
  customers: number;
  newCustomers: number;
  repeatCustomers: number;
}

export function finishCustomers(t: CustomerTally): CustomerReport {
  const returning = t.customers - t.newCustomers;
  return {
    customers: t.customers,
    newCustomers: t.newCustomers,
    returningCustomers: returning,
    repeatCustomers: t.repeatCustomers,
    repeatRate: ratio(t.repeatCustomers, t.customers),
    returningRate: ratio(returning, t.customers),
  };
}

/** Each customer's first paid order ever (epoch ms), among the orders that pass the filter. */
export function firstPaid(rows: readonly Parsed[]): Map<string, number> {
  const first = new Map<string, number>();
  for (const r of rows) {
    if (Number.isNaN(r.paidAt)) continue;
    const f = first.get(r.order.customerId);
    if (f === undefined || r.paidAt < f) first.set(r.order.customerId, r.paidAt);
  }
  return first;
}

/**
 * 复购率: distinct customers who paid in the range, how many of them were new (their first paid
 * order ever lies in the range) or returning, and how many paid twice or more in the range.
 * Pass every order of the shop (not only the range's): "new" needs the history before it.
 *
 * @example
 * customers(orders, { from: new Date(from), to: new Date(to), timeZone: 'Asia/Shanghai' }).repeatRate // e.g. 0.2315
 */
export function customers(orders: readonly Order[], options: InsightOptions): CustomerReport {
  assertInsightOptions(options);
  const rows = parse(orders, options.filter);
  const from = options.from.getTime();
  const to = options.to.getTime();
  const first = firstPaid(rows);
  const count = new Map<string, number>();
  for (const r of rows) if (within(r.paidAt, from, to)) count.set(r.order.customerId, (count.get(r.order.customerId) ?? 0) + 1);
  let newCustomers = 0;
  let repeat = 0;
  for (const [c, n] of count) {
    if (first.get(c)! >= from) newCustomers++;
    if (n >= 2) repeat++;
  }
  return finishCustomers({ customers: count.size, newCustomers, repeatCustomers: repeat });
}

/** One cohort's tally: `retained[k]` customers paid in the k-th period after the cohort's. */
export interface CohortTallyRow {
  period: string;
  index: number;
  customers: number;
  retained: Map<number, number>;
}

export function finishCohorts(by: CohortPeriod, lastIndex: number, rows: readonly CohortTallyRow[]): CohortReport {
  const cohorts: Cohort[] = [...rows]
    .sort((a, b) => a.index - b.index)
    .map((r) => {
      const retained = Array.from({ length: lastIndex - r.index + 1 }, (_, k) => r.retained.get(k) ?? 0);
      return { period: r.period, customers: r.customers, retained, retention: retained.map((n) => ratio(n, r.customers)) };
    });
  return { by, cohorts };
}

/**
 * Cohorts by the week (from Monday) or month of each customer's first paid order, in the shop's
 * zone: of the customers who first paid in the range, how many paid again in each later period up
 * to the range's end (retention). Pass every order: "first" needs the history before the range.
 *
 * @example
 * cohorts(orders, { from: new Date(from), to: new Date(to), timeZone: 'Asia/Shanghai' }, 'week').cohorts[0].retention // [1, 0.21, 0.13, …]
 */
export function cohorts(orders: readonly Order[], options: InsightOptions, by: CohortPeriod = 'week'): CohortReport {
  assertInsightOptions(options, { by });
  const rows = parse(orders, options.filter);
  const from = options.from.getTime();
  const to = options.to.getTime();
  const first = firstPaid(rows);
  const tally = new Map<number, CohortTallyRow>();
  const seen = new Set<string>();
  for (const [customer, f] of first) {
    if (!within(f, from, to)) continue;
    const p = periodOf(f, options.timeZone, by);
    let t = tally.get(p.index);
    if (!t) tally.set(p.index, (t = { period: p.label, index: p.index, customers: 0, retained: new Map() }));
    t.customers++;
    seen.add(customer);
  }
  const active = new Set<string>();
  for (const r of rows) {
    if (!within(r.paidAt, from, to) || !seen.has(r.order.customerId)) continue;
    const cohort = periodOf(first.get(r.order.customerId)!, options.timeZone, by).index;
    const k = periodOf(r.paidAt, options.timeZone, by).index - cohort;
    const mark = `${k}\u0000${r.order.customerId}`;
    if (active.has(mark)) continue;
    active.add(mark);
    const t = tally.get(cohort)!;
    t.retained.set(k, (t.retained.get(k) ?? 0) + 1);
  }
  return finishCohorts(by, periodOf(to - 1, options.timeZone, by).index, [...tally.values()]);
}

// ---- heatmap -----------------------------------------------------------------------------------

export function finishHeatmap(cellsIn: Iterable<{ isodow: number; hour: number; n: number }>): Heatmap {
  const cells = Array.from({ length: 7 }, () => new Array<number>(24).fill(0));
  let max = 0;
  for (const c of cellsIn) {
    cells[c.isodow - 1]![c.hour] = c.n;
    if (c.n > max) max = c.n;
  }
  return { cells, max };
}

/**
 * Orders placed in the range by weekday and hour on the shop's clock.
 *
 * @example
 * heatmap(orders, { from: new Date(from), to: new Date(to), timeZone: 'Asia/Shanghai' }).cells[4][20] // Friday 20:00–21:00
 */
export function heatmap(orders: readonly Order[], options: InsightOptions): Heatmap {
  assertInsightOptions(options);
  const from = options.from.getTime();
  const to = options.to.getTime();
  const counts = new Map<number, number>();
  for (const r of parse(orders, options.filter)) {
    if (!within(r.placedAt, from, to)) continue;
    const { isodow, hour } = weekdayHour(r.placedAt, options.timeZone);
    const k = isodow * 100 + hour;
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  return finishHeatmap([...counts].map(([k, n]) => ({ isodow: Math.floor(k / 100), hour: k % 100, n })));
}

// ---- products ----------------------------------------------------------------------------------

export interface SkuTally {
  key: string | null;
  sku: string;
  title: string;
  units: number;
  revenue: number;
  orders: number;
}

export function finishSegmentSkus(dimension: InsightDimension, limit: number, rows: readonly SkuTally[]): SegmentTopSkus {
  const bySegment = new Map<string | null, TopSku[]>();
  for (const r of rows) {
    let list = bySegment.get(r.key);
    if (!list) bySegment.set(r.key, (list = []));
    list.push({ sku: r.sku, title: r.title, units: r.units, revenue: r.revenue, orders: r.orders });
  }
  const segments = [...bySegment]
    .sort((a, b) => compareKeys(a[0], b[0]))
    .map(([key, skus]) => ({
      key,
      skus: skus.sort((a, b) => b.revenue - a.revenue || b.units - a.units || compareKeys(a.sku, b.sku)).slice(0, limit),
    }));
  return { dimension, segments };
}

/** One entry per (order, SKU): quantities and payables summed, the smallest title kept. */
export function skusOf(order: Order): Map<string, { title: string; units: number; revenue: number }> {
  const out = new Map<string, { title: string; units: number; revenue: number }>();
  for (const l of order.lines) {
    const s = out.get(l.sku);
    if (!s) out.set(l.sku, { title: l.title, units: l.quantity, revenue: l.payable });
    else {
      s.units += l.quantity;
      s.revenue += l.payable;
      if (l.title < s.title) s.title = l.title;
    }
  }
  return out;
}

/**
 * Product preference: the `limit` best-selling SKUs (by revenue, then units) of each province or
 * channel, over the orders paid in the range.
 *
 * @example
 * topSkusBySegment(orders, { from: new Date(from), to: new Date(to), timeZone: 'Asia/Shanghai' }, 'channel', 3).segments // [{ key: 'live', skus: [...] }, …]
 */
export function topSkusBySegment(orders: readonly Order[], options: InsightOptions, dimension: InsightDimension, limit = 5): SegmentTopSkus {
  assertInsightOptions(options, { dimension });
  const from = options.from.getTime();
  const to = options.to.getTime();
  const tally = new Map<string, SkuTally>();
  for (const r of parse(orders, options.filter)) {
    if (!within(r.paidAt, from, to)) continue;
    const key = keyOf(r.order, dimension);
    for (const [sku, s] of skusOf(r.order)) {
      const k = `${key ?? '\u0000'}\u0001${sku}`;
      const t = tally.get(k);
      if (!t) tally.set(k, { key, sku, title: s.title, units: s.units, revenue: s.revenue, orders: 1 });
      else {
        t.units += s.units;
        t.revenue += s.revenue;
        t.orders++;
        if (s.title < t.title) t.title = s.title;
      }
    }
  }
  return finishSegmentSkus(dimension, limit, [...tally.values()]);
}

export function finishPairs(paidOrders: number, skuOrders: ReadonlyMap<string, number>, pairs: Iterable<{ a: string; b: string; orders: number }>, minOrders: number, limit: number): PairReport {
  const out: SkuPair[] = [];
  for (const p of pairs) {
    if (p.orders < minOrders) continue;
    const [a, b] = compareKeys(p.a, p.b) <= 0 ? [p.a, p.b] : [p.b, p.a];
    const na = skuOrders.get(a) ?? 0;
    const nb = skuOrders.get(b) ?? 0;
    out.push({ a, b, orders: p.orders, support: ratio(p.orders, paidOrders), lift: ratio(p.orders * paidOrders, na * nb) });
  }
  out.sort((x, y) => y.orders - x.orders || (y.lift ?? 0) - (x.lift ?? 0) || compareKeys(x.a, y.a) || compareKeys(x.b, y.b));
  return { paidOrders, pairs: out.slice(0, limit) };
}

/**
 * Pairs of SKUs bought in the same order (orders paid in the range), with support and lift; pairs
 * seen in fewer than `minOrders` orders are left out.
 *
 * @example
 * skuPairs(orders, { from: new Date(from), to: new Date(to), timeZone: 'Asia/Shanghai' }).pairs[0] // { a: 'CUP-01', b: 'TEA-01', orders: 41, support: 0.082, lift: 1.9 }
 */
export function skuPairs(orders: readonly Order[], options: InsightOptions, minOrders = 2, limit = 20): PairReport {
  assertInsightOptions(options);
  const from = options.from.getTime();
  const to = options.to.getTime();
  let paid = 0;
  const single = new Map<string, number>();
  const pairs = new Map<string, { a: string; b: string; orders: number }>();
  for (const r of parse(orders, options.filter)) {
    if (!within(r.paidAt, from, to)) continue;
    paid++;
    const skus = [...skusOf(r.order).keys()].sort(compareKeys);
    for (let i = 0; i < skus.length; i++) {
      single.set(skus[i]!, (single.get(skus[i]!) ?? 0) + 1);
      for (let j = i + 1; j < skus.length; j++) {
        const k = `${skus[i]}\u0000${skus[j]}`;
        const p = pairs.get(k);
        if (p) p.orders++;
        else pairs.set(k, { a: skus[i]!, b: skus[j]!, orders: 1 });
      }
    }
  }
  return finishPairs(paid, single, pairs.values(), minOrders, limit);
}

// ---- refunds and coupons -----------------------------------------------------------------------

export function finishRefunds(reasons: readonly Omit<RefundReason, never>[], skus: ReadonlyArray<{ sku: string; orders: number; refundedOrders: number }>): RefundReport {
  const r = [...reasons].sort((a, b) => b.amount - a.amount || b.refunds - a.refunds || compareKeys(a.kind, b.kind) || compareKeys(a.reason, b.reason));
  const s: SkuRefundRate[] = skus.map((x) => ({ ...x, refundRate: ratio(x.refundedOrders, x.orders) }));
  s.sort((a, b) => (b.refundRate ?? 0) - (a.refundRate ?? 0) || b.orders - a.orders || compareKeys(a.sku, b.sku));
  return { reasons: r, skus: s };
}

/**
 * Why money went back, and which products come back most, over the orders paid in the range:
 * succeeded refunds by kind and by the shopper's after-sale reason, and per SKU the share of its
 * orders with a succeeded refund (refunds of stray payments, whatever their reason, are left out,
 * as in the summary).
 *
 * @example
 * refunds(orders, { from: new Date(from), to: new Date(to), timeZone: 'Asia/Shanghai' }).reasons[0] // { kind: 'after_sale', reason: '尺码不合适', refunds: 12, amount: 35800 }
 */
export function refunds(orders: readonly Order[], options: InsightOptions): RefundReport {
  assertInsightOptions(options);
  const from = options.from.getTime();
  const to = options.to.getTime();
  const reasons = new Map<string, RefundReason>();
  const skus = new Map<string, { sku: string; orders: number; refundedOrders: number }>();
  for (const r of parse(orders, options.filter)) {
    if (!within(r.paidAt, from, to)) continue;
    for (const f of r.order.refunds) {
      if (f.status !== 'succeeded' || !paysBackOrderMoney(r.order, f)) continue;
      const afterSale = f.afterSaleId === undefined ? undefined : r.order.afterSales.find((a) => a.id === f.afterSaleId);
      const reason = afterSale ? afterSale.reason : null;
      const k = `${f.reason}\u0000${reason ?? '\u0001'}`;
      const t = reasons.get(k);
      if (t) {
        t.refunds++;
        t.amount += f.amount;
      } else reasons.set(k, { kind: f.reason, reason, refunds: 1, amount: f.amount });
    }
    for (const sku of skusOf(r.order).keys()) {
      let t = skus.get(sku);
      if (!t) skus.set(sku, (t = { sku, orders: 0, refundedOrders: 0 }));
      t.orders++;
      if (r.refunded > 0) t.refundedOrders++;
    }
  }
  return finishRefunds([...reasons.values()], [...skus.values()]);
}

export interface CouponTally {
  paidOrders: number;
  gmv: number;
  couponOrders: number;
  couponGmv: number;
  couponDiscount: number;
}

export function finishCoupons(t: CouponTally): CouponReport {
  return {
    ...t,
    couponOrderShare: ratio(t.couponOrders, t.paidOrders),
    discountRate: ratio(t.couponDiscount, t.couponGmv + t.couponDiscount),
    averageOrderValueWithCoupon: divideRounded(t.couponGmv, t.couponOrders),
    averageOrderValueWithout: divideRounded(t.gmv - t.couponGmv, t.paidOrders - t.couponOrders),
  };
}

/** Σ of the order's coupon allocations (fen). */
export function couponDiscountOf(order: Order): number {
  let sum = 0;
  for (const l of order.lines) for (const a of l.allocations) if (a.source === 'coupon') sum += a.amount;
  return sum;
}

/**
 * Coupon effect over the orders paid in the range: how many used a coupon, their GMV, what the
 * coupons cost, and the average order with and without one.
 *
 * @example
 * couponEffect(orders, { from: new Date(from), to: new Date(to), timeZone: 'Asia/Shanghai' }).discountRate // the share of the price coupons paid
 */
export function couponEffect(orders: readonly Order[], options: InsightOptions): CouponReport {
  assertInsightOptions(options);
  const from = options.from.getTime();
  const to = options.to.getTime();
  const t: CouponTally = { paidOrders: 0, gmv: 0, couponOrders: 0, couponGmv: 0, couponDiscount: 0 };
  for (const r of parse(orders, options.filter)) {
    if (!within(r.paidAt, from, to)) continue;
    t.paidOrders++;
    t.gmv += r.order.payment.paidAmount;
    if (r.order.pricing.couponIds.length > 0) {
      t.couponOrders++;
      t.couponGmv += r.order.payment.paidAmount;
      t.couponDiscount += couponDiscountOf(r.order);
    }
  }
  return finishCoupons(t);
}
