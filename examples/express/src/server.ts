/**
 * The example's entry point: `node --import tsx examples/express/src/server.ts [--demo]`
 * (`npm start` at the repository root runs it with --demo).
 *
 * Environment:
 *   PORT               default 3000
 *   DATABASE_URL       PostgreSQL; without it, embedded PGlite in ORDERKIT_DATA_DIR
 *   ORDERKIT_DATA_DIR  default ./.orderkit-data
 *   SHOP_TIME_ZONE     default Asia/Shanghai
 *   DEMO_GATEWAY       0 switches off the demo payment/refund routes and the demo refund payout
 *                      (they exist only with --demo, and never beside WeChat Pay keys)
 *   ORDERKIT_SESSION_SECRET   ≥ 32 characters; signs session tokens (required without --demo)
 *   ORDERKIT_ADMIN_USER, ORDERKIT_ADMIN_PASSWORD   the first admin account (created at start)
 *   WECHAT_APPID, WECHAT_APP_SECRET   shopper sign-in through code2Session (wx.login)
 *   SECURE_COOKIES     0 only for plain-http testing: session cookies are HTTPS-only by default
 *   TRUST_PROXY        behind a load balancer: how many proxies (a number) or which addresses may set
 *                      X-Forwarded-For, so that rate limits key on the caller (default: none)
 *   METRICS_TOKEN      lets Prometheus scrape /metrics with `Authorization: Bearer <token>`
 *   LOG_LEVEL          pino level (default info; warn in --demo)
 *   RETENTION_DAYS     the sweeper anonymises orders finished more than this many days ago (docs/privacy.md)
 *   WECHATPAY_MCHID, WECHATPAY_APPID, WECHATPAY_APIV3_KEY, WECHATPAY_PUBLIC_KEY_ID,
 *   WECHATPAY_PUBLIC_KEY_FILE   enable the real /payments/wechatpay/notify route
 *   WECHATPAY_API_HOST, WECHATPAY_SERIAL_NO, WECHATPAY_PRIVATE_KEY_FILE   also let the sweeper ask
 *                      WeChat Pay about an unpaid order before expiring it, and reconcile
 *                      yesterday's bills once a day (10:00 Beijing time; see reconciliation.ts)
 */
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { createApp } from './app.js';
import { demoRules, stockDemoShop } from './catalog.js';
import type { WechatPayConfig } from './context.js';
import { seededRandom } from './demo/random.js';
import { progressBar } from './demo/progress.js';
import { seedDemoShop } from './demo/seed.js';
import { startTrickle, type Trickle } from './demo/trickle.js';
import { sqlFigures } from './figures.js';
import { sqlInsights } from './insights-source.js';
import { createOrderService, systemClock, type OrderService } from './orderkit/index.js';
import type { InventoryPort } from './orderkit/inventory.js';
import { migrateBalance, PostgresBalance } from './orderkit/postgres.js';
import type { BalancePort } from './orderkit/balance.js';
import { openStorage, type Storage } from './storage.js';
import { demoHandlers, startWorkers, type Workers } from './workers.js';
import { wechatpayClientFromEnv, wechatpayQueryFromEnv } from './wechatpay-query.js';
import { Reconciliations, startDailyReconciliation } from './reconciliation.js';
import { Auth, StaffAccounts, wechatCode2Session } from './auth/index.js';
import { consoleLog, drain, Ops } from './ops.js';

/** Sign-in from the environment; DEMO mode believes x-actor and gets a demo admin (auth/index.ts). */
export async function authFromEnv(env: NodeJS.ProcessEnv, demo: boolean): Promise<{ auth: Auth; demoLogin?: { username: string; password: string } }> {
  const secret = env.ORDERKIT_SESSION_SECRET;
  if (!demo && (secret === undefined || secret.length < 32)) {
    throw new Error('ORDERKIT_SESSION_SECRET (at least 32 characters) is required outside --demo');
  }
  const staff = new StaffAccounts(demo ? 8 : 12);
  const code2Session = env.WECHAT_APPID && env.WECHAT_APP_SECRET ? wechatCode2Session({ appid: env.WECHAT_APPID, secret: env.WECHAT_APP_SECRET, ...(env.WECHAT_API_HOST ? { host: env.WECHAT_API_HOST } : {}) }) : undefined;
  const auth = new Auth({
    demo,
    staff,
    ...(secret ? { secret } : {}),
    ...(code2Session ? { code2Session } : {}),
    secureCookies: env.SECURE_COOKIES !== undefined ? env.SECURE_COOKIES !== '0' : !demo,
  });
  if (env.ORDERKIT_ADMIN_USER && env.ORDERKIT_ADMIN_PASSWORD) await staff.create(env.ORDERKIT_ADMIN_USER, env.ORDERKIT_ADMIN_PASSWORD, 'admin');
  if (!demo) return { auth };
  const demoLogin = { username: env.ORDERKIT_ADMIN_USER ?? 'admin', password: env.ORDERKIT_ADMIN_PASSWORD ?? 'orderkit-demo' };
  if (!staff.get(demoLogin.username)) await staff.create(demoLogin.username, demoLogin.password, 'admin');
  return { auth, demoLogin };
}

/** TRUST_PROXY: a number of proxies, true/false, or addresses and subnets (createApp's `trustProxy`); unset: none. */
export function trustProxyFromEnv(env: NodeJS.ProcessEnv): boolean | number | string | undefined {
  const v = env.TRUST_PROXY?.trim();
  if (v === undefined || v === '') return undefined;
  if (v === 'true' || v === 'false') return v === 'true';
  return /^\d+$/.test(v) ? Number(v) : v;
}

function wechatpayFromEnv(env: NodeJS.ProcessEnv): WechatPayConfig | undefined {
  const { WECHATPAY_MCHID, WECHATPAY_APIV3_KEY, WECHATPAY_PUBLIC_KEY_ID, WECHATPAY_PUBLIC_KEY_FILE, WECHATPAY_APPID } = env;
  if (!WECHATPAY_MCHID || !WECHATPAY_APIV3_KEY || !WECHATPAY_PUBLIC_KEY_ID || !WECHATPAY_PUBLIC_KEY_FILE) return undefined;
  return {
    mchid: WECHATPAY_MCHID,
    ...(WECHATPAY_APPID ? { appid: WECHATPAY_APPID } : {}),
    apiV3Key: WECHATPAY_APIV3_KEY,
    keys: { [WECHATPAY_PUBLIC_KEY_ID]: readFileSync(WECHATPAY_PUBLIC_KEY_FILE, 'utf8') },
  };
}

/**
 * The service the server runs: the order store (its commits counted by `ops`) and the stock in the
 * same database, so a placement holds its units in the order's transaction, GET /stock/:sku shows
 * what is left and 409 OUT_OF_STOCK / LIMIT_REACHED refuse (docs/inventory.md). In --demo the
 * demo SKUs are set up on first start.
 */
export async function serviceFor(options: {
  storage: Pick<Storage, 'store' | 'inventory'>;
  ops: Pick<Ops, 'instrument'>;
  demo: boolean;
  payments?: NonNullable<Parameters<typeof createOrderService>[0]['payments']>;
  /** RETENTION_DAYS: the sweeper anonymises orders finished more than this many days ago (docs/privacy.md). */
  retentionDays?: number;
  /** 余额 (docs/payment-sources.md): debited with the order's creation. */
  balance?: BalancePort;
}): Promise<{ service: OrderService; inventory: InventoryPort }> {
  const { storage, ops, demo, payments, retentionDays, balance } = options;
  const inventory = storage.inventory;
  if (demo) await stockDemoShop(inventory);
  const service = createOrderService({
    store: ops.instrument(storage.store),
    inventory,
    ...(balance ? { balance } : {}),
    ...(payments ? { payments } : {}),
    ...(retentionDays !== undefined ? { retention: { days: retentionDays } } : {}),
  });
  return { service, inventory };
}

export async function main(argv = process.argv.slice(2), env = process.env): Promise<void> {
  const started = Date.now();
  const demo = argv.includes('--demo');
  const port = Number(env.PORT ?? 3000);
  const timeZone = env.SHOP_TIME_ZONE ?? 'Asia/Shanghai';
  const { auth, demoLogin } = await authFromEnv(env, demo);
  const demoGateway = demo && env.DEMO_GATEWAY !== '0';
  const log = consoleLog();

  log(env.DATABASE_URL ? 'connecting to PostgreSQL…' : `opening the embedded database in ${env.ORDERKIT_DATA_DIR ?? './.orderkit-data'} (PGlite; the first start creates it, a few seconds)…`);
  const storage = await openStorage({ ...(env.DATABASE_URL ? { databaseUrl: env.DATABASE_URL } : {}), dataDir: env.ORDERKIT_DATA_DIR ?? './.orderkit-data' });
  const wechatpay = wechatpayFromEnv(env);
  // Before the sweeper expires an unpaid order it asks WeChat Pay when it can (see wechatpay-query.ts).
  const payments = wechatpayQueryFromEnv(env, wechatpay, log);
  const ops = new Ops({
    level: env.LOG_LEVEL ?? (demo ? 'warn' : 'info'),
    ...(env.METRICS_TOKEN ? { metricsToken: env.METRICS_TOKEN } : {}),
    ready: async () => (await storage.store.list({ limit: 1 }), true),
  });
  // Commits, conflicts and outbox lag are counted on the way to the store (ops.ts).
  const retentionDays = env.RETENTION_DAYS ? Number(env.RETENTION_DAYS) : undefined;
  if (retentionDays !== undefined && (!Number.isInteger(retentionDays) || retentionDays < 1)) throw new Error('RETENTION_DAYS must be a whole number of days, at least 1');
  // 余额: kept in the same database, debited in the transaction that creates the order (docs/payment-sources.md).
  await migrateBalance(storage.db);
  const balance = new PostgresBalance({ db: storage.db });
  const { service, inventory } = await serviceFor({ storage, ops, demo, balance, ...(payments ? { payments } : {}), ...(retentionDays !== undefined ? { retentionDays } : {}) });
  const rules = demoRules(new Date());
  const reconciliations = new Reconciliations();
  const orderApp = await createApp({
    auth,
    ops,
    reconciliations,
    service,
    inventory,
    figures: sqlFigures(storage.db),
    insights: sqlInsights(storage.db),
    rules,
    timeZone,
    demoGateway,
    balance,
    ...(wechatpay ? { wechatpay } : {}),
    ...(trustProxyFromEnv(env) !== undefined ? { trustProxy: trustProxyFromEnv(env)! } : {}),
    log,
  });
  const outboxLog: string[] = [];
  let workers: Workers | null = null;
  let daily: { stop(): void } | null = null;
  // With a signed client (see wechatpay-query.ts), yesterday's bills are reconciled once a day.
  const client = wechatpayClientFromEnv(env, wechatpay);
  // Started after seeding: a sweeper on the real clock would expire the simulated month's unpaid orders mid-story.
  const startBackground = () => {
    workers = startWorkers({
      service,
      handlers: demoHandlers({ service, demoGateway: orderApp.context.demoGateway, record: (line) => void (outboxLog.push(line) > 200 && outboxLog.shift()) }),
      automations: orderApp.context.automations,
      log,
    });
    if (client && wechatpay) {
      daily = startDailyReconciliation({ service, reconciliations, mchid: wechatpay.mchid, send: client.send, download: client.download, clock: systemClock, log });
    }
  };
  const server = orderApp.app.listen(port);
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const url = `http://localhost:${(server.address() as AddressInfo).port}`;
  log(`ready in ${((Date.now() - started) / 1000).toFixed(1)} s — storage: ${storage.kind} (${storage.where})`);
  if (demoLogin) {
    console.log(`
  ************************************************************************************
  *  DEMO MODE 演示模式 — NEVER IN PRODUCTION 切勿用于生产环境                        *
  *  x-actor / ?actor= are believed without proof; demo payments are ${orderApp.context.demoGateway ? 'ON ' : 'off'}.           *
  *  任何人都可用 x-actor 冒充顾客或商家。                                            *
  ************************************************************************************`);
  }
  console.log(`
  Order console 订单后台  ${url}/console${demoLogin ? `   (sign in 登录: ${demoLogin.username} / ${demoLogin.password})` : ''}
  Dashboard 实时看板     ${url}/dashboard
  API reference 接口文档  ${url}/docs      (OpenAPI: ${url}/openapi.json)
  ${demoLogin ? `Orders 订单            curl -H 'x-actor: merchant:m001' ${url}/orders` : 'Sign in: POST /auth/login (staff), POST /auth/wechat (shoppers).'}
  ${orderApp.context.demoGateway ? 'Demo payment routes are ON (DEMO_GATEWAY=0 turns them off).' : 'Demo payment routes are off.'}${wechatpay ? '  WeChat Pay notifications: ON.' : ''}
  Ctrl-C stops the server.
`);

  let trickle: Trickle | null = null;
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) {
      log('forced exit');
      process.exit(1);
    }
    stopping = true;
    log(`${signal}: shutting down…`);
    trickle?.stop();
    daily?.stop();
    // Stop accepting, end the streams, let the requests in flight (and their commits) finish.
    const cut = await drain(server, ops, Number(env.SHUTDOWN_TIMEOUT_MS ?? 10_000));
    if (cut > 0) log(`${cut} request(s) were still running at the deadline and were cut`);
    await workers?.stop();
    await orderApp.close();
    await storage.close();
    log('bye');
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));

  if (!demo) {
    startBackground();
    return;
  }
  const existing = await service.list({ limit: 1 });
  if (existing.items.length === 0) {
    log('seeding a month of a demo tea shop through the real service (fake clock)…');
    const bar = progressBar('  seeding 生成演示数据');
    const t0 = Date.now();
    const report = await seedDemoShop({
      batch: (body) => storage.batch(body),
      rules,
      end: new Date(),
      onProgress: (done, total, orders) => bar(done, total, `${orders} orders`),
    });
    log(`seeded ${report.orders} orders (${report.steps} steps, ${report.refused} refused as expected) in ${((Date.now() - t0) / 1000).toFixed(1)} s; total start-up ${((Date.now() - started) / 1000).toFixed(1)} s`);
  } else {
    log('found existing orders: reusing them (delete the data directory to start afresh)');
  }
  if (!stopping) {
    startBackground();
    trickle = startTrickle({ service, rules, rand: seededRandom(Date.now()), log });
    log(`a new demo order arrives every few seconds — watch ${url}/dashboard`);
  }
}

const entry = process.argv[1] ?? '';
if (entry.endsWith('server.ts') || entry.endsWith('server.js')) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
