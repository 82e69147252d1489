import express, { type Express } from 'express';
import { ChangeHub } from './change-hub.js';
import type { AppContext, WechatPayConfig } from './context.js';
import { DashboardFeed } from './dashboard-feed.js';
import type { Figures } from './figures.js';
import type { Route } from './http.js';
import { errorHandler, unknownRoute } from './http-errors.js';
import { buildOpenApi } from './openapi.js';
import { defaultLifecycle, systemClock, type Clock, type Lifecycle, type OrderService, type PricingRules } from './orderkit/index.js';
import { commandRoutes } from './routes/commands.js';
import { dashboardAssets, dashboardRoutes, defaultQuery, type DashboardOptions } from './routes/dashboard.js';
import { docsRouter } from './routes/docs.js';
import { insightRoutes } from './routes/insights.js';
import { liveRoutes } from './routes/live.js';
import { orderRoutes } from './routes/orders.js';
import { paymentRoutes, rawNotificationBody } from './routes/payments.js';
import { demoRules } from './catalog.js';
import { reconciliationRoutes, Reconciliations } from './reconciliation.js';

export interface CreateAppOptions {
  service: OrderService;
  figures: Figures;
  clock?: Clock;
  rules?: PricingRules;
  /** The shop's calendar for the dashboard. Default 'Asia/Shanghai'. */
  timeZone?: string;
  /** DEMO payment and refund-result routes. Default true; set false in anything real. */
  demoGateway?: boolean;
  wechatpay?: WechatPayConfig;
  /** Where the daily reconciliation keeps its reports. Default: a new in-memory list. */
  reconciliations?: Reconciliations;
  /** Hours from payment to shipment before a fulfilment counts as late. Default 48. */
  fulfilmentSlaHours?: number;
  log?: (message: string, extra?: unknown) => void;
  /**
   * The lifecycle `service` was created with (default orderkit's): a shop's own commands get
   * their routes and OpenAPI entries from it.
   */
  lifecycle?: Lifecycle<string, { type: string }>;
}

export interface OrderApp {
  app: Express;
  context: AppContext;
  /** Every route with its documentation (what /openapi.json is built from). */
  routes: Route[];
  close(): Promise<void>;
}

/**
 * The REST service: routes over `createOrderService`, OpenAPI + reference page, SSE streams fed by
 * the store's change feed, and the dashboard. No `listen`: `server.ts` does that, tests use
 * supertest on `app` directly.
 */
export async function createApp(options: CreateAppOptions): Promise<OrderApp> {
  const clock = options.clock ?? systemClock;
  const log = options.log ?? ((message: string) => console.log(message));
  const hub = new ChangeHub();
  await hub.start(options.service.store);
  const context: AppContext = {
    service: options.service,
    lifecycle: options.lifecycle ?? (defaultLifecycle as unknown as Lifecycle<string, { type: string }>),
    store: options.service.store,
    hub,
    clock,
    rules: options.rules ?? demoRules(clock.now()),
    figures: options.figures,
    demoGateway: options.demoGateway ?? true,
    ...(options.wechatpay ? { wechatpay: options.wechatpay } : {}),
    reconciliations: options.reconciliations ?? new Reconciliations(),
    log,
  };
  const dashboard: DashboardOptions = { timeZone: options.timeZone ?? 'Asia/Shanghai', days: 30, fulfilmentSlaHours: options.fulfilmentSlaHours ?? 48 };
  const feed = new DashboardFeed(() => context.figures.report(defaultQuery(context, dashboard)), (e) => log(`dashboard figures failed: ${String(e)}`));
  feed.start(hub);

  const routes: Route[] = [
    ...orderRoutes(context),
    ...commandRoutes(context),
    ...paymentRoutes(context),
    ...liveRoutes(context),
    ...dashboardRoutes(context, feed, dashboard),
    ...reconciliationRoutes(context, context.reconciliations),
    ...insightRoutes(context, dashboard),
  ];

  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  // The payment notification is verified over its exact bytes: it must not be parsed as JSON first.
  app.post('/payments/wechatpay/notify', rawNotificationBody);
  app.use(express.json({ limit: '64kb' }));
  for (const r of routes) app[r.doc.method](r.doc.path, r.handler);
  for (const [path, handler] of dashboardAssets()) app.get(path, handler);
  app.use(docsRouter(() => buildOpenApi(routes.map((r) => r.doc), { version: '0.1.0' })));
  app.get('/', (_req, res) => res.redirect('/dashboard'));
  app.get('/favicon.ico', (_req, res) => res.status(204).end());
  app.get('/healthz', (_req, res) => res.json({ ok: true, live: hub.live }));
  app.use(unknownRoute);
  app.use(errorHandler((e) => log('unexpected error', e)));

  return {
    app,
    context,
    routes,
    async close() {
      feed.stop();
      await hub.stop();
    },
  };
}
