import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { z } from 'zod';
import type { AppContext } from '../context.js';
import type { InsightSource } from '../insights-source.js';
import type { Route } from '../http.js';
import { forecastDaily, parseFigure, parseInsightQuery, type InsightOptions, type DrillReport } from '../orderkit/analytics.js';
import { OrderkitError } from '../orderkit/index.js';
import { csvField } from './console.js';
import { PUBLIC_DIR } from './dashboard.js';

/**
 * GET /analytics/insights/:kind — the decision-support analyses of orderkit/analytics
 * (docs/analytics.md "Customers, products, channels") for the dashboard: repeat purchase, cohorts,
 * breakdowns by province or channel, the trend against the previous period, the heatmap, products,
 * pairs, refunds, coupons and the 14-day forecast. Bad input (a missing or inverted range, an
 * unknown zone, dimension or kind) is a 400 with the typed error, never a 500.
 *
 * The analyses come from the app's `insights` source (insights-source.ts): on PostgreSQL the SQL
 * twins of orderkit/postgres (`customersSql`, …) over the analytics projection; in memory the pure
 * analyses over the store's orders; the drill-down and the exports' order list through the same source.
 */

export const INSIGHT_KINDS = ['customers', 'cohorts', 'breakdown', 'trend', 'heatmap', 'products', 'pairs', 'refunds', 'coupons', 'forecast', 'breaches'] as const;

/** For the OpenAPI page; the values are checked by `parseInsightQuery`. */
const InsightsQueryDoc = z.strictObject({
  from: z.string().describe('ISO time with offset, inclusive'),
  to: z.string().describe('ISO time with offset, exclusive'),
  timeZone: z.string().optional().describe("IANA zone of the shop's calendar; default the shop's"),
  channel: z.string().optional(),
  province: z.string().optional(),
  dimension: z.enum(['province', 'channel']).optional(),
  by: z.enum(['week', 'month']).optional(),
});

/** The query keys that name a drill-down figure or an export, apart from the analysis options. */
const FIGURE_KEYS = ['figure', 'key', 'weekday', 'hour', 'period', 'offset', 'sku', 'format', 'table'];

function splitQuery(query: Record<string, unknown>, timeZone: string) {
  const options: Record<string, unknown> = { timeZone };
  for (const [k, v] of Object.entries(query)) if (FIGURE_KEYS.indexOf(k) < 0) options[k] = v;
  const parsed = parseInsightQuery(options);
  if (!parsed.ok) throw parsed.error;
  return parsed;
}

/** Open breaches (the to-do list, at now) and past ones (orders of the range that finished a stage late), apart. */
async function breaches(ctx: AppContext, o: InsightOptions, now: Date, slaHours: number) {
  const src = ctx.insights.forRequest();
  const [open, past] = await Promise.all([src.openBreaches(now, slaHours, 100), src.pastBreaches(o, now, slaHours, 100)]);
  return { open, past: { total: past.total, breaches: past.breaches } };
}

const TABLES = ['overview', 'province', 'channel', 'cohorts', 'heatmap', 'skus', 'orders'] as const;
type Table = (typeof TABLES)[number];
const WEEKDAYS = ['周一 Mon', '周二 Tue', '周三 Wed', '周四 Thu', '周五 Fri', '周六 Sat', '周日 Sun'];

/** Each exported table as a header and rows of plain values (fen as yuan with 2 decimals). */
async function tableRows(src: InsightSource, table: Table, o: InsightOptions, drill: DrillReport | null): Promise<{ header: string[]; rows: Array<Array<string | number | null>> }> {
  const yuan = (fen: number | null) => (fen === null ? null : Math.round(fen) / 100);
  switch (table) {
    case 'overview': {
      const t = await src.trend(o);
      const money = new Set(['gmv', 'refunded', 'averageOrderValue']);
      return {
        header: ['figure', 'current', 'previous', 'change', 'change_rate'],
        rows: Object.entries(t.figures).map(([k, c]) => (money.has(k) ? [k, yuan(c.current), yuan(c.previous), yuan(c.absolute), c.relative] : [k, c.current, c.previous, c.absolute, c.relative])),
      };
    }
    case 'province':
    case 'channel':
      return {
        header: [table, 'placed', 'paid', 'gmv_yuan', 'refunded_yuan', 'refunded_orders', 'average_order_yuan', 'refund_rate'],
        rows: (await src.breakdown(o, table)).rows.map((r) => [r.key, r.placed, r.paid, yuan(r.gmv), yuan(r.refunded), r.refundedOrders, yuan(r.averageOrderValue), r.refundRate]),
      };
    case 'cohorts': {
      const c = (await src.cohorts(o, 'week')).cohorts;
      const width = Math.max(0, ...c.map((x) => x.retained.length));
      return { header: ['cohort_week', 'customers', ...Array.from({ length: width }, (_, k) => `week_${k}`)], rows: c.map((x) => [x.period, x.customers, ...x.retained]) };
    }
    case 'heatmap':
      return { header: ['weekday', ...Array.from({ length: 24 }, (_, h) => `${h}h`)], rows: (await src.heatmap(o)).cells.map((row, d) => [WEEKDAYS[d]!, ...row]) };
    case 'skus':
      return { header: ['sku', 'orders', 'refunded_orders', 'refund_rate'], rows: (await src.refunds(o)).skus.map((s) => [s.sku, s.orders, s.refundedOrders, s.refundRate]) };
    case 'orders':
      return {
        header: ['number', 'status', 'placedAt', 'paidAt', 'customerId', 'province', 'channel', 'paid_yuan', 'refunded_yuan', 'coupon_yuan', 'skus'],
        rows: (drill?.orders ?? []).map((r) => [r.number, r.status, r.placedAt, r.paidAt, r.customerId, r.province, r.channel, yuan(r.paidAmount), yuan(r.refunded), yuan(r.couponDiscount), r.skus.join(' ')]),
      };
  }
}

function badQuery(path: string, zh: string, en: string): OrderkitError {
  return new OrderkitError({ code: 'INVALID_QUERY', message: { 'zh-CN': zh, en }, path: ['query', path] });
}

export function insightRoutes(ctx: AppContext, options: { timeZone: string; fulfilmentSlaHours?: number }): Route[] {
  const slaHours = options.fulfilmentSlaHours ?? 48;
  return [
    {
      doc: {
        method: 'get',
        path: '/analytics/insights/:kind',
        operationId: 'analyticsInsights',
        summary: 'Decision-support analyses 决策分析',
        description: `kind: ${INSIGHT_KINDS.join(', ')}. orderkit/analytics over the shop's orders; the forecast uses the range's daily series (at least 14 days).`,
        tags: ['analytics'],
        query: InsightsQueryDoc,
        success: { status: 200, description: 'The analysis', schema: 'Any' },
        errors: [400, 404],
      },
      handler: async (req, res) => {
        const kind = String(req.params['kind']);
        if ((INSIGHT_KINDS as readonly string[]).indexOf(kind) < 0) {
          throw new OrderkitError({
            code: 'INVALID_QUERY',
            message: { 'zh-CN': `未知的分析 ${kind}（可用：${INSIGHT_KINDS.join('、')}）`, en: `unknown analysis ${kind} (use ${INSIGHT_KINDS.join(', ')})` },
            path: ['kind'],
          });
        }
        const parsed = parseInsightQuery({ timeZone: options.timeZone, ...(req.query as Record<string, unknown>) });
        if (!parsed.ok) throw parsed.error;
        const { options: o, dimension, by } = parsed;
        const src = ctx.insights;
        switch (kind as (typeof INSIGHT_KINDS)[number]) {
          case 'customers':
            return void res.json(await src.customers(o));
          case 'cohorts':
            return void res.json(await src.cohorts(o, by));
          case 'breakdown':
            return void res.json(await src.breakdown(o, dimension));
          case 'trend':
            return void res.json(await src.trend(o));
          case 'heatmap':
            return void res.json(await src.heatmap(o));
          case 'products':
            return void res.json(await src.products(o, dimension));
          case 'pairs':
            return void res.json(await src.pairs(o));
          case 'refunds':
            return void res.json(await src.refunds(o));
          case 'coupons':
            return void res.json(await src.coupons(o));
          case 'forecast': {
            // Whole days only: a range reaching past now ends with today's partial day, left out;
            // a range starting after now has no day yet, which is too little data (docs/analytics.md
            // "The dashboard"), not an inverted range.
            const now = ctx.clock.now();
            const daily = o.from >= now ? [] : o.to > now ? (await src.daily({ ...o, to: now })).slice(0, -1) : await src.daily(o);
            return void res.json({ ...forecastDaily(daily), history: daily });
          }
          case 'breaches':
            return void res.json(await breaches(ctx, o, ctx.clock.now(), slaHours));
        }
      },
    },
    {
      doc: {
        method: 'get',
        path: '/analytics/drill',
        operationId: 'analyticsDrill',
        summary: 'Orders behind a figure 指标明细',
        description: 'orderkit/analytics ordersBehind: figure = placed, paid, refunded, segment (dimension, key), heatmap (weekday 1–7, hour), cohort (by, period, offset), new_customers, repeat_customers, sku (sku), coupon; with the same range and filters as the analysis. At most 200 orders listed, `total` counts all. No phones or addresses.',
        tags: ['analytics'],
        query: InsightsQueryDoc.extend({ figure: z.string(), key: z.string().optional(), weekday: z.string().optional(), hour: z.string().optional(), period: z.string().optional(), offset: z.string().optional(), sku: z.string().optional() }),
        success: { status: 200, description: '{ figure, total, orders }', schema: 'Any' },
        errors: [400],
      },
      handler: async (req, res) => {
        const query = req.query as Record<string, unknown>;
        const parsed = splitQuery(query, options.timeZone);
        const figure = parseFigure(query);
        if (!figure.ok) throw figure.error;
        res.json(await ctx.insights.drill(parsed.options, figure.value, 200));
      },
    },
    {
      doc: {
        method: 'get',
        path: '/analytics/export',
        operationId: 'analyticsExport',
        summary: 'Export the analyses (CSV or Excel) 导出',
        description: `format = csv (one table: ${TABLES.join(', ')}) or xlsx (every table as a sheet; with a figure, its orders too). Same range and filters as the analyses. Money in yuan.`,
        tags: ['analytics'],
        query: InsightsQueryDoc.extend({ format: z.enum(['csv', 'xlsx']), table: z.enum(TABLES).optional(), figure: z.string().optional() }),
        success: { status: 200, description: 'text/csv or an .xlsx workbook', schema: 'Text' },
        errors: [400],
      },
      handler: async (req, res) => {
        const query = req.query as Record<string, unknown>;
        const format = query['format'];
        if (format !== 'csv' && format !== 'xlsx') throw badQuery('format', 'format 必须是 csv 或 xlsx', 'format must be csv or xlsx');
        const table = (query['table'] ?? 'overview') as Table;
        if ((TABLES as readonly string[]).indexOf(table) < 0) throw badQuery('table', `未知的表 ${String(table)}（可用：${TABLES.join('、')}）`, `unknown table ${String(table)} (use ${TABLES.join(', ')})`);
        const parsed = splitQuery(query, options.timeZone);
        let figure = null;
        if (query['figure'] !== undefined || table === 'orders') {
          const f = parseFigure(query);
          if (!f.ok) throw f.error;
          figure = f.value;
        }
        // One source for the whole export: in memory the orders are read once for every table.
        const src = ctx.insights.forRequest();
        const drill = figure ? await src.drill(parsed.options, figure, 10_000) : null;
        const stamp = `${parsed.options.from.toISOString().slice(0, 10)}_${parsed.options.to.toISOString().slice(0, 10)}`;
        if (format === 'csv') {
          const { header, rows } = await tableRows(src, table, parsed.options, drill);
          const lines = [header.map(csvField).join(','), ...rows.map((r) => r.map(csvField).join(','))];
          res.type('text/csv; charset=utf-8').set('Content-Disposition', `attachment; filename="insights-${table}-${stamp}.csv"`).send(`\uFEFF${lines.join('\r\n')}\r\n`);
          return;
        }
        const book = new ExcelJS.Workbook();
        book.creator = 'orderkit example';
        for (const t of TABLES) {
          if (t === 'orders' && !drill) continue;
          const { header, rows } = await tableRows(src, t, parsed.options, drill);
          const sheet = book.addWorksheet(t);
          sheet.addRow(header).font = { bold: true };
          // Text that a spreadsheet could read as a formula is written as plain text (see csvField).
          for (const r of rows) sheet.addRow(r.map((v) => (typeof v === 'string' && /^[=+\-@]/.test(v) ? `'${v}` : v)));
          sheet.views = [{ state: 'frozen', ySplit: 1 }];
        }
        const buffer = await book.xlsx.writeBuffer();
        res
          .type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
          .set('Content-Disposition', `attachment; filename="insights-${stamp}.xlsx"`)
          .send(Buffer.from(buffer as ArrayBuffer));
      },
    },
    {
      doc: {
        method: 'get',
        path: '/analytics/automations',
        operationId: 'analyticsAutomations',
        summary: 'Automatic actions: rules and what fired 自动化动作',
        description: '催付, 发货超时预警, 极速退款 and the anomaly alert (docs/analytics.md "Automatic actions"): the rules, the latest firings with their reasons and effect ids, the alerts sent and the last check against the forecast band.',
        tags: ['analytics'],
        success: { status: 200, description: '{ rules, fired, alerts, lastCheck, lastRunAt }', schema: 'Any' },
        errors: [],
      },
      handler: (_req, res) => {
        res.json(ctx.automations.view());
      },
    },
    {
      doc: {
        method: 'post',
        path: '/analytics/automations/run',
        operationId: 'runAutomations',
        summary: 'Run the automatic actions now 立即执行自动化',
        description: 'One round of what the worker runs every minute. Each rule fires at most once per order (the store keeps the rule\'s key), so running it again is harmless.',
        tags: ['analytics'],
        success: { status: 200, description: '{ fired, alerts }', schema: 'Any' },
        errors: [],
      },
      handler: async (_req, res) => {
        res.json(await ctx.automations.run());
      },
    },
  ];
}

/** The insights page and its files (preact + htm from /vendor, ECharts from /vendor). */
export function insightAssets(): Route[] {
  const send = (path: string, operationId: string, summary: string, file: string, type: string): Route => ({
    access: 'public',
    doc: { method: 'get', path, operationId, summary, tags: ['pages'], success: { status: 200, description: 'A static file', schema: 'Text' }, errors: [] },
    handler: (_req, res) => {
      res.type(type).set('Cache-Control', 'public, max-age=300').sendFile(file, { dotfiles: 'allow' });
    },
  });
  return [
    send('/insights', 'insightsPage', 'Decision-support dashboard 决策分析看板', join(PUBLIC_DIR, 'insights.html'), 'html'),
    send('/insights/insights.js', 'insightsScript', 'Insights script 决策分析脚本', join(PUBLIC_DIR, 'insights.js'), 'js'),
    send('/insights/insights.css', 'insightsStyles', 'Insights styles 决策分析样式', join(PUBLIC_DIR, 'insights.css'), 'css'),
  ];
}
