import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RequestHandler } from 'express';
import type { AppContext } from '../context.js';
import { DashboardFeed } from '../dashboard-feed.js';
import { lastDays, type FiguresQuery } from '../figures.js';
import { parseQuery, type Route } from '../http.js';
import { OrderkitError } from '../orderkit/index.js';
import { parseSummaryOptions } from '../orderkit/analytics.js';
import { AnalyticsQuerySchema } from '../schemas.js';
import { lastEventId, openSse, resumeFrom } from '../sse.js';
import { reportView } from '../reconciliation.js';

const here = dirname(fileURLToPath(import.meta.url));
export const PUBLIC_DIR = join(here, '..', '..', 'public');
/** ECharts from node_modules, served by us: the dashboard never loads anything from the internet. */
export const ECHARTS_FILE = join(dirname(createRequire(import.meta.url).resolve('echarts/package.json')), 'dist', 'echarts.min.js');

/**
 * Our own fixed files, never a path from a request: allow dot segments, or the dashboard would
 * answer 404 whenever the project lives under a folder such as `~/.projects/shop` (send refuses any
 * absolute path with a dot segment by default).
 */
const SEND_OPTIONS = { dotfiles: 'allow' } as const;

export interface DashboardOptions {
  timeZone: string;
  days: number;
  fulfilmentSlaHours: number;
}

/** The default dashboard query: the last `days` calendar days, up to now. */
export function defaultQuery(ctx: AppContext, options: DashboardOptions): FiguresQuery {
  const now = ctx.clock.now();
  return { ...lastDays(now, options.timeZone, options.days), timeZone: options.timeZone, now, fulfilmentSlaHours: options.fulfilmentSlaHours };
}

function queryFrom(ctx: AppContext, options: DashboardOptions, raw: ReturnType<typeof parseQuery<typeof AnalyticsQuerySchema>>): FiguresQuery {
  const now = ctx.clock.now();
  const timeZone = raw.timeZone ?? options.timeZone;
  // Check the zone before using it to find "the last 30 days" (an unknown zone would throw there).
  const zone = parseSummaryOptions({ from: new Date(0), to: new Date(1), timeZone });
  if (!zone.ok) throw zone.error;
  const range = raw.from && raw.to ? { from: new Date(raw.from), to: new Date(raw.to) } : lastDays(now, timeZone, raw.days ?? options.days);
  const checked = parseSummaryOptions({ ...range, timeZone });
  if (!checked.ok) throw checked.error;
  if ((raw.from === undefined) !== (raw.to === undefined)) {
    throw new OrderkitError({ code: 'INVALID_QUERY', message: { 'zh-CN': 'from 和 to 须同时给出', en: 'give both from and to, or neither' }, path: ['query', raw.from ? 'to' : 'from'] });
  }
  return { ...checked.options, now, fulfilmentSlaHours: raw.fulfilmentSlaHours ?? options.fulfilmentSlaHours };
}

export function dashboardRoutes(ctx: AppContext, feed: DashboardFeed, options: DashboardOptions): Route[] {
  const file = (path: string, type?: string): RequestHandler => (_req, res) => {
    if (type) res.type(type);
    res.sendFile(path, SEND_OPTIONS);
  };
  return [
    {
      doc: { method: 'get', path: '/dashboard', operationId: 'dashboardPage', summary: 'Live dashboard page 实时看板', tags: ['dashboard'], success: { status: 200, description: 'HTML', schema: 'Text' }, errors: [] },
      handler: file(join(PUBLIC_DIR, 'dashboard.html'), 'html'),
    },
    {
      doc: {
        method: 'get',
        path: '/dashboard/data',
        operationId: 'dashboardData',
        summary: 'Dashboard figures 看板数据',
        description: 'summarize + bottlenecks (computed in SQL on PostgreSQL/PGlite) for the last 30 days in the shop\'s zone, and the latest changes.',
        tags: ['dashboard'],
        success: { status: 200, description: '{ generatedAt, summary, bottlenecks, recent, reconciliation }', schema: 'Summary' },
        errors: [],
      },
      handler: async (_req, res) => {
        const report = await ctx.figures.report(defaultQuery(ctx, options));
        res.json({ ...report, recent: feed.recent, reconciliation: reportView(ctx.reconciliations.latest()) });
      },
    },
    {
      doc: {
        method: 'get',
        path: '/dashboard/stream',
        operationId: 'dashboardStream',
        summary: 'Live figures (SSE) 实时推送',
        description:
          'text/event-stream: `figures` (the /dashboard/data report) after changes settle, and `change` for every committed order change, from the store\'s change feed, with its position as the event id. A reconnecting EventSource sends it back as Last-Event-ID (or pass ?lastEventId=) and gets every change it missed first.',
        tags: ['dashboard', 'live'],
        success: { status: 200, description: 'An event stream', schema: 'Stream' },
        errors: [400],
      },
      handler: async (req, res) => {
        const store = ctx.service.store;
        const since = lastEventId(req);
        if (since !== undefined && store.subscribe && store.changesSince) {
          const resumed = await resumeFrom(store, since, () => true);
          const stream = openSse(req, res, () => {
            remove();
            void resumed.off();
          });
          const remove = feed.add(stream, { ownChanges: true });
          resumed.attach(stream);
          stream.send('figures', await ctx.figures.report(defaultQuery(ctx, options)));
          return;
        }
        const stream = openSse(req, res, () => remove());
        const remove = feed.add(stream);
        stream.send('figures', await ctx.figures.report(defaultQuery(ctx, options)));
      },
    },
    {
      doc: {
        method: 'get',
        path: '/analytics/summary',
        operationId: 'analyticsSummary',
        summary: 'Summary for a range 统计汇总',
        description: 'orderkit/analytics summarize (in SQL on PostgreSQL): counts, funnel, GMV, net revenue, rates, stage durations, daily series, top SKUs.',
        tags: ['analytics'],
        query: AnalyticsQuerySchema,
        success: { status: 200, description: 'The summary', schema: 'Summary' },
        errors: [400],
      },
      handler: async (req, res) => {
        const q = queryFrom(ctx, options, parseQuery(AnalyticsQuerySchema, req));
        res.json((await ctx.figures.report(q)).summary);
      },
    },
    {
      doc: {
        method: 'get',
        path: '/analytics/bottlenecks',
        operationId: 'analyticsBottlenecks',
        summary: 'Bottlenecks and SLA breaches 瓶颈分析',
        tags: ['analytics'],
        query: AnalyticsQuerySchema,
        success: { status: 200, description: 'The bottleneck report', schema: 'Summary' },
        errors: [400],
      },
      handler: async (req, res) => {
        const q = queryFrom(ctx, options, parseQuery(AnalyticsQuerySchema, req));
        res.json((await ctx.figures.report(q)).bottlenecks);
      },
    },
  ];
}

/** Static files of the dashboard page, documented as pages. */
export function dashboardAssets(): Route[] {
  const send = (path: string, operationId: string, summary: string, file: string): Route => ({
    access: 'public',
    doc: { method: 'get', path, operationId, summary, tags: ['pages'], success: { status: 200, description: 'A static file', schema: 'Text' }, errors: [] },
    handler: (_req, res) => {
      res.set('Cache-Control', 'public, max-age=300').sendFile(file, SEND_OPTIONS);
    },
  });
  return [
    send('/dashboard/dashboard.js', 'dashboardScript', 'Dashboard script 看板脚本', join(PUBLIC_DIR, 'dashboard.js')),
    send('/dashboard/dashboard.css', 'dashboardStyles', 'Dashboard styles 看板样式', join(PUBLIC_DIR, 'dashboard.css')),
    send('/vendor/echarts.min.js', 'echartsScript', 'ECharts (from node_modules) 图表库', ECHARTS_FILE),
  ];
}
