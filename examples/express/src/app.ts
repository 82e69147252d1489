import express, { type Express } from 'express';
import helmet from 'helmet';
import { ChangeHub } from './change-hub.js';
import type { AppContext, WechatPayConfig } from './context.js';
import { DashboardFeed } from './dashboard-feed.js';
import type { Figures } from './figures.js';
import { storeInsights, type InsightSource } from './insights-source.js';
import type { Route } from './http.js';
import { errorHandler, unknownRoute } from './http-errors.js';
import { buildOpenApi } from './openapi.js';
import { defaultLifecycle, definePricingRules, OrderkitError, systemClock, type Clock, type DeliveryRules, type Lifecycle, type OrderService, type PricingRules, PricingRuleSet } from './orderkit/index.js';
import { commandRoutes } from './routes/commands.js';
import { dashboardAssets, dashboardRoutes, defaultQuery, type DashboardOptions } from './routes/dashboard.js';
import { docsAssets, docsRoutes } from './routes/docs.js';
import { Ops } from './ops.js';
import { consoleRoutes } from './routes/console.js';
import { insightRoutes, insightAssets } from './routes/insights.js';
import { Automations } from './automations.js';
import { liveRoutes } from './routes/live.js';
import { orderRoutes } from './routes/orders.js';
import { paymentRoutes, rawNotificationBody } from './routes/payments.js';
import { DEMO_DELIVERY_RULES, demoRules } from './catalog.js';
import { reconciliationRoutes, Reconciliations } from './reconciliation.js';
import { withAccess } from './access.js';
import { Auth, type AuthOptions } from './auth/index.js';
import type { InventoryPort } from './orderkit/inventory.js';
import { stockRoutes } from './routes/stock.js';
import { privacyRoutes } from './routes/privacy.js';
import { walletRoutes } from './routes/wallet.js';
import { AddressBook } from './addresses.js';
import type { BalancePort } from './orderkit/balance.js';

export interface CreateAppOptions {
  service: OrderService;
  figures: Figures;
  /** The insights page's analyses; default: the pure analyses over the service's store (storeInsights). */
  insights?: InsightSource;
  clock?: Clock;
  /** Raw rules are validated here once (an invalid set stops the start-up with its error). */
  rules?: PricingRules | PricingRuleSet;
  /** Default: the demo shop's local delivery and pickup stores (catalog.ts). */
  deliveryRules?: DeliveryRules;
  /** The shop's calendar for the dashboard. Default 'Asia/Shanghai'. */
  timeZone?: string;
  /** DEMO payment and refund-result routes. Default true; set false in anything real. */
  demoGateway?: boolean;
  wechatpay?: WechatPayConfig;
  /** Where the daily reconciliation keeps its reports. Default: a new in-memory list. */
  reconciliations?: Reconciliations;
  /** The automatic actions the workers run. Default: the demo shop's rules, kept in memory. */
  automations?: Automations;
  /** Hours from payment to shipment before a fulfilment counts as late. Default 48. */
  fulfilmentSlaHours?: number;
  log?: (message: string, extra?: unknown) => void;
  /**
   * Express's `trust proxy` setting, for a server behind a load balancer or a gateway: how many
   * proxies (a number), or which addresses (`'loopback'`, a subnet list), may set
   * X-Forwarded-For. Then `req.ip`, which the sign-in and write rate limits key on, is the
   * caller's address, not the proxy's (else every caller shares one limit). Default: trust none.
   */
  trustProxy?: boolean | number | string;
  /**
   * The lifecycle `service` was created with (default orderkit's): a shop's own commands get
   * their routes and OpenAPI entries from it.
   */
  lifecycle?: Lifecycle<string, { type: string }>;
  /**
   * Sign-in (auth/index.ts). `{ demo: true }` believes `x-actor` and keeps the demo payment routes:
   * never in production. Default: real sign-in only.
   */
  auth?: Auth | AuthOptions;
  /** Logs, metrics, health (ops.ts). Default: a new Ops logging JSON to stdout. */
  ops?: Ops;
  /** The inventory `service` was created with: GET /stock/:sku reads it (docs/inventory.md). */
  inventory?: InventoryPort;
  /** The balance `service` was created with (docs/payment-sources.md): GET /balance reads it. */
  balance?: BalancePort;
  /** Where default addresses are kept. Default: a new in-memory book. */
  addresses?: AddressBook;
}

function compiledRules(rules: PricingRules | PricingRuleSet): PricingRuleSet {
  return rules instanceof PricingRuleSet ? rules : definePricingRules(rules);
}

export interface OrderApp {
  app: Express;
  context: AppContext;
  auth: Auth;
  ops: Ops;
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
  const auth = options.auth instanceof Auth ? options.auth : new Auth({ now: () => clock.now(), ...options.auth });
  const ops = options.ops ?? new Ops({ ready: async () => (await options.service.store.list({ limit: 1 }), true) });
  const log = options.log ?? ((message: string, extra?: unknown) => ops.log(message, extra));
  const hub = new ChangeHub();
  await hub.start(options.service.store);
  const context: AppContext = {
    service: options.service,
    lifecycle: options.lifecycle ?? (defaultLifecycle as unknown as Lifecycle<string, { type: string }>),
    store: options.service.store,
    hub,
    clock,
    // Compiled once: priceCart would otherwise validate and index the whole rule set per placement.
    rules: compiledRules(options.rules ?? demoRules(clock.now())),
    deliveryRules: options.deliveryRules ?? DEMO_DELIVERY_RULES,
    figures: options.figures,
    insights: options.insights ?? storeInsights(options.service.store),
    // The demo payment routes exist only in demo mode, and never beside a configured WeChat Pay.
    demoGateway: auth.demo && !options.wechatpay && (options.demoGateway ?? true),
    demo: auth.demo,
    ...(options.wechatpay ? { wechatpay: options.wechatpay } : {}),
    reconciliations: options.reconciliations ?? new Reconciliations(),
    automations: options.automations ?? new Automations({ service: options.service, clock, timeZone: options.timeZone ?? 'Asia/Shanghai' }),
    log,
    ...(options.inventory ? { inventory: options.inventory } : {}),
    ...(options.balance ? { balance: options.balance } : {}),
    addresses: options.addresses ?? new AddressBook(),
  };
  const dashboard: DashboardOptions = { timeZone: options.timeZone ?? 'Asia/Shanghai', days: 30, fulfilmentSlaHours: options.fulfilmentSlaHours ?? 48 };
  const feed = new DashboardFeed(() => context.figures.report(defaultQuery(context, dashboard)), (e) => log(`dashboard figures failed: ${String(e)}`));
  feed.start(hub);

  let openapi: Record<string, unknown> | null = null;
  const declared: Route[] = [
    ...ops.routes(),
    ...auth.routes(),
    ...orderRoutes(context),
    ...commandRoutes(context),
    ...paymentRoutes(context),
    ...liveRoutes(context),
    ...dashboardRoutes(context, feed, dashboard),
    ...reconciliationRoutes(context, context.reconciliations),
    ...dashboardAssets(),
    ...consoleRoutes(context),
    ...docsRoutes(() => (openapi ??= buildOpenApi(routes.map((r) => r.doc), { version: '0.1.0' }))),
    {
      access: 'public',
      doc: { method: 'get', path: '/', operationId: 'home', summary: 'Home: to the console 首页', tags: ['pages'], success: { status: 302, description: 'Redirect to /console', schema: 'Text' }, errors: [] },
      handler: (_req, res) => res.redirect('/console'),
    },
    {
      access: 'public',
      doc: { method: 'get', path: '/favicon.ico', operationId: 'favicon', summary: 'No icon 无图标', tags: ['pages'], success: { status: 204, description: 'Empty', schema: 'Text' }, errors: [] },
      handler: (_req, res) => res.status(204).end(),
    },
    ...stockRoutes(context),
    ...privacyRoutes(context),
    ...insightRoutes(context, dashboard),
    ...insightAssets(),
    ...walletRoutes(context),
  ];
  const routes: Route[] = declared
    .filter((r) => context.demoGateway || (r.doc.operationId !== 'demoPay' && r.doc.operationId !== 'demoRefundResult'))
    .map(withAccess);

  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  if (options.trustProxy !== undefined) {
    try {
      app.set('trust proxy', options.trustProxy);
    } catch (e) {
      throw new OrderkitError({
        code: 'INVALID_CONFIG',
        message: {
          'zh-CN': `trustProxy 无效：应为代理层数、true/false，或 IP 地址与子网列表（${e instanceof Error ? e.message : String(e)}）`,
          en: `trustProxy is invalid: give a number of proxies, true/false, or a list of addresses and subnets (${e instanceof Error ? e.message : String(e)})`,
        },
        path: ['trustProxy'],
      });
    }
  }
  app.use(ops.middleware());
  // Security headers; scripts only from this server (the pages load nothing from elsewhere).
  app.use(helmet({ contentSecurityPolicy: { directives: { 'script-src': ["'self'"], 'connect-src': ["'self'"], 'img-src': ["'self'", 'data:'], 'upgrade-insecure-requests': null } } }));
  // The payment notification is verified over its exact bytes: it must not be parsed as JSON first.
  app.post('/payments/wechatpay/notify', rawNotificationBody);
  app.use(express.json({ limit: '64kb' }));
  app.use(auth.middleware());
  for (const r of routes) app[r.doc.method](r.doc.path, ...auth.guard(r.access ?? 'signed-in', r.doc.method, { rawBody: r.doc.operationId === 'wechatpayNotify' }), r.handler);
  app.use(docsAssets());
  app.use(unknownRoute);
  app.use(errorHandler((e) => log('unexpected error', e)));

  return {
    app,
    context,
    auth,
    ops,
    routes,
    async close() {
      feed.stop();
      await hub.stop();
    },
  };
}
