import { z } from 'zod';
import type { AppContext } from '../context.js';
import type { Route } from '../http.js';
import type { Order } from '../orderkit/index.js';
import {
  breakdown,
  cohorts,
  couponEffect,
  customers,
  forecastDaily,
  heatmap,
  parseInsightQuery,
  refunds,
  skuPairs,
  summarize,
  topSkusBySegment,
  trend,
} from '../orderkit/analytics.js';
import { OrderkitError } from '../orderkit/index.js';

/**
 * GET /analytics/insights/:kind — the decision-support analyses of orderkit/analytics
 * (docs/analytics.md "Customers, products, channels") for the dashboard: repeat purchase, cohorts,
 * breakdowns by province or channel, the trend against the previous period, the heatmap, products,
 * pairs, refunds, coupons and the 14-day forecast. Bad input (a missing or inverted range, an
 * unknown zone, dimension or kind) is a 400 with the typed error, never a 500.
 *
 * The analyses run in memory over the store's orders read page by page (the demo shop has a few
 * thousand); a large shop calls their SQL twins in orderkit/postgres (`customersSql`, …) instead.
 */

export const INSIGHT_KINDS = ['customers', 'cohorts', 'breakdown', 'trend', 'heatmap', 'products', 'pairs', 'refunds', 'coupons', 'forecast'] as const;

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

async function allOrders(ctx: AppContext): Promise<Order[]> {
  const orders: Order[] = [];
  let cursor: string | null = null;
  do {
    const page = await ctx.store.list({ limit: 100, cursor, order: 'oldest' });
    orders.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return orders;
}

export function insightRoutes(ctx: AppContext, options: { timeZone: string }): Route[] {
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
        const orders = await allOrders(ctx);
        switch (kind as (typeof INSIGHT_KINDS)[number]) {
          case 'customers':
            return void res.json(customers(orders, o));
          case 'cohorts':
            return void res.json(cohorts(orders, o, by));
          case 'breakdown':
            return void res.json(breakdown(orders, o, dimension));
          case 'trend':
            return void res.json(trend(orders, o));
          case 'heatmap':
            return void res.json(heatmap(orders, o));
          case 'products':
            return void res.json(topSkusBySegment(orders, o, dimension));
          case 'pairs':
            return void res.json(skuPairs(orders, o));
          case 'refunds':
            return void res.json(refunds(orders, o));
          case 'coupons':
            return void res.json(couponEffect(orders, o));
          case 'forecast': {
            const filtered = orders.filter((x) => (o.filter?.channel === undefined || x.channel === o.filter.channel) && (o.filter?.province === undefined || x.address?.province === o.filter.province));
            const daily = summarize(filtered, { from: o.from, to: o.to, timeZone: o.timeZone }).daily.map((d) => ({ date: d.date, orders: d.placed, gmv: d.gmv }));
            return void res.json(forecastDaily(daily));
          }
        }
      },
    },
  ];
}
