import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ExcelJS from 'exceljs';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type OrderApp } from '../../examples/express/src/app.js';
import { demoRules } from '../../examples/express/src/catalog.js';
import { seedDemoShop } from '../../examples/express/src/demo/seed.js';
import { storeFigures } from '../../examples/express/src/figures.js';
import { createOrderService, MemoryOrderStore } from '../../src/index.js';
import { TestClock, testAuthOptions } from './support/app.js';
import { listen } from './support/sse.js';

// The decision-support dashboard (/insights) in a real headless Chromium over a seeded month:
// filters, the comparison with the previous period, drill-down, exports, the to-do list of open
// breaches, the heatmap, cohorts, forecast band, what the automatic actions fired, and bad input.
const CHROMIUM = '/usr/bin/chromium';
const OUT = fileURLToPath(new URL('../../test-results/', import.meta.url));
const DOCS = fileURLToPath(new URL('../../docs/images/', import.meta.url));
const available = existsSync(CHROMIUM);
const required = process.env.REQUIRE_CHROMIUM === '1';

if (!available && !required) console.warn(`[skipped: needs Chromium] insights browser test — ${CHROMIUM} is absent`);

/** Saves a screenshot in test-results/, and in docs/images/ when missing there or UPDATE_SCREENSHOTS=1. */
async function shoot(page: Page, name: string): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  await page.screenshot({ path: join(OUT, name), fullPage: true });
  if (!existsSync(join(DOCS, name)) || process.env.UPDATE_SCREENSHOTS === '1') {
    mkdirSync(DOCS, { recursive: true });
    copyFileSync(join(OUT, name), join(DOCS, name));
  }
}

describe.skipIf(!available && !required)('the insights dashboard in headless Chromium', () => {
  let orderApp: OrderApp;
  let http: Awaited<ReturnType<typeof listen>>;
  let context: BrowserContext;
  let profile: string;
  let fired = 0;

  beforeAll(async () => {
    if (!available) throw new Error(`REQUIRE_CHROMIUM=1 but ${CHROMIUM} is not installed`);
    const clock = new TestClock(Date.parse('2026-11-25T12:30:00+08:00'));
    const store = new MemoryOrderStore();
    const rules = demoRules(clock.now());
    // A month: the two weeks shown and the two before them to compare with.
    await seedDemoShop({ batch: (body) => body(store), rules, end: clock.now(), days: 30, seed: 20261125 });
    orderApp = await createApp({ auth: { demo: true, ...testAuthOptions() }, service: createOrderService({ store, clock }), clock, rules, figures: storeFigures(store), log: () => undefined });
    await orderApp.auth.staff.create('boss', 'boss-password-1', 'admin');
    // One round of the automatic actions at the end of the seeded month.
    fired = (await orderApp.context.automations.run()).fired.length;
    http = await listen(orderApp.app);
    profile = mkdtempSync(join(tmpdir(), 'orderkit-chromium-'));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      viewport: { width: 1440, height: 1000 },
      deviceScaleFactor: 1,
      locale: 'zh-CN',
      timezoneId: 'Asia/Shanghai',
    });
    const login = await context.request.post(`${http.url}/auth/login`, { data: { username: 'boss', password: 'boss-password-1' } });
    expect(login.status()).toBe(200);
  }, 180_000);

  afterAll(async () => {
    await context?.close();
    await http?.close();
    await orderApp?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  const loaded = async (page: Page, n: number) => page.waitForFunction((k) => ((window as { __insights?: { loaded: number } }).__insights?.loaded ?? 0) >= k, n);
  const num = async (page: Page, selector: string) => Number((await page.textContent(selector))!.replace(/[^\d.]/g, ''));

  it('shows every figure with its change, drills down, filters and exports', async () => {
    const page = await context.newPage();
    const failures: string[] = [];
    page.on('pageerror', (e) => failures.push(e.message));
    await page.goto(`${http.url}/insights?from=2026-11-11&to=2026-11-24`);
    await loaded(page, 1);

    // The comparison with the previous period is on every trend figure.
    const placed = await num(page, '[data-testid=kpi-placed] b');
    expect(placed).toBeGreaterThan(300);
    expect(await page.locator('[data-testid=kpi-placed] [data-testid=change]').textContent()).toMatch(/^[+-]?\d+\.\d%$|^–$/);
    // Charts with data: the heatmap and the forecast band (14 whole days).
    const series = async (id: string) =>
      page.evaluate((el) => {
        const chart = (window as unknown as { echarts: { getInstanceByDom(e: Element): { getOption(): { series: Array<{ data: unknown[] }> } } | undefined } }).echarts.getInstanceByDom(document.getElementById(el)!);
        return (chart?.getOption().series ?? []).map((s) => s.data.filter((d) => d !== null).length);
      }, id);
    // 7 × 24 cells; 14 days of history, then the forecast and its band for the next 14.
    expect(await series('chart-heatmap')).toEqual([168]);
    expect(await series('chart-forecast')).toEqual([14, 14, 14, 14]);
    expect(await page.locator('[data-testid=cohorts] tbody tr').count()).toBeGreaterThanOrEqual(2);
    expect(await page.locator('[data-testid=breakdown-province] tbody tr').count()).toBeGreaterThanOrEqual(6);
    expect(await page.locator('[data-testid=breakdown-channel] tbody tr').count()).toBe(3);
    // Bottlenecks: the open ones as a to-do list, the finished-late ones apart.
    expect(await num(page, '[data-testid=open-total]')).toBeGreaterThan(0);
    expect(await num(page, '[data-testid=past-total]')).toBeGreaterThan(0);
    // What the automatic actions fired, and why.
    if (fired > 0) expect(await page.locator('[data-testid=automations] tbody tr').count()).toBe(Math.min(fired, 200));
    expect(await page.textContent('[data-testid=anomaly]')).not.toBe('–');
    await page.waitForTimeout(500);
    await shoot(page, 'insights.png');

    // Drill-down: a figure opens exactly the orders it counts.
    await page.click('[data-testid=kpi-placed]');
    await page.waitForSelector('[data-testid=drill-total]');
    expect(await num(page, '[data-testid=drill-total]')).toBe(placed);
    const zhejiang = page.locator('[data-testid=breakdown-province] tbody tr', { hasText: '浙江' });
    const zjPlaced = Number(await zhejiang.locator('td').nth(1).textContent());
    await zhejiang.click();
    await page.waitForFunction(() => document.querySelector('[data-testid=drill] h2')?.textContent?.includes('浙江'));
    await page.waitForSelector('[data-testid=drill-total]');
    const rows = await page.locator('[data-testid=drill-rows] tr').count();
    expect(rows).toBeGreaterThanOrEqual(zjPlaced > 200 ? 200 : zjPlaced);
    await shoot(page, 'insights-drill.png');

    // Exports: the drill list as CSV, the whole page as an Excel workbook.
    const csvHref = await page.getAttribute('[data-testid=drill-csv]', 'href');
    const csv = await context.request.get(`${http.url}${csvHref}`);
    expect(csv.headers()['content-type']).toMatch(/text\/csv/);
    const lines = (await csv.text()).trim().split('\r\n');
    expect(lines[0]).toMatch(/^\uFEFF?number,status,placedAt/);
    expect(lines.slice(1).every((l) => l.includes('浙江'))).toBe(true);
    // A heatmap cell: a click on the busiest cell opens the orders of that weekday and hour.
    await page.locator('#chart-heatmap').scrollIntoViewIfNeeded();
    const cell = await page.evaluate(() => {
      type Chart = { getOption(): { series: Array<{ data: number[][] }> }; convertToPixel(f: unknown, v: number[]): number[] };
      const el = document.getElementById('chart-heatmap')!;
      const chart = (window as unknown as { echarts: { getInstanceByDom(e: Element): Chart } }).echarts.getInstanceByDom(el);
      const data = chart.getOption().series[0]!.data;
      const best = data.reduce((a, b) => (b[2]! > a[2]! ? b : a));
      const [x, y] = chart.convertToPixel({ seriesIndex: 0 }, [best[0]!, best[1]!]);
      const box = el.getBoundingClientRect();
      return { x: box.left + x!, y: box.top + y!, n: best[2]! };
    });
    await page.mouse.click(cell.x, cell.y);
    await page.waitForFunction((n) => document.querySelector('[data-testid=drill-total]')?.textContent === String(n), cell.n);
    const xlsxHref = await page.getAttribute('[data-testid=excel]', 'href');
    const xlsx = await context.request.get(`${http.url}${xlsxHref}`);
    expect(xlsx.status()).toBe(200);
    const book = new ExcelJS.Workbook();
    await book.xlsx.load((await xlsx.body()) as unknown as ArrayBuffer);
    expect(book.worksheets.map((w) => w.name)).toEqual(['overview', 'province', 'channel', 'cohorts', 'heatmap', 'skus']);
    const overview = book.getWorksheet('overview')!;
    expect(overview.getRow(2).getCell(1).value).toBe('placed');
    expect(overview.getRow(2).getCell(2).value).toBe(placed);

    // The other figures open their orders too: a SKU row (its paid orders), the coupon KPI, a
    // cohort cell (the orders its customers paid in that week: at least one per customer).
    const drilled = async (label: RegExp) => {
      await page.waitForFunction((src) => new RegExp(src).test(document.querySelector('[data-testid=drill] h2')?.textContent ?? ''), label.source);
      await page.waitForSelector('[data-testid=drill-total]');
      return num(page, '[data-testid=drill-total]');
    };
    const sku = page.locator('[data-testid=skus] tbody tr').first();
    const skuCode = (await sku.locator('td').nth(0).textContent())!;
    const skuOrders = Number(await sku.locator('td').nth(1).textContent());
    await sku.click();
    expect(await drilled(new RegExp(skuCode))).toBe(skuOrders);
    const couponOrders = Number((await page.textContent('[data-testid=kpi-coupon] b'))!.split('·')[0]!.trim());
    expect(couponOrders).toBeGreaterThan(0);
    await page.click('[data-testid=kpi-coupon]');
    expect(await drilled(/用券订单|Coupon orders/)).toBe(couponOrders);
    const cohortRow = page.locator('[data-testid=cohorts] tbody tr').first();
    const cohortWeek = (await cohortRow.locator('td').nth(0).textContent())!;
    const cohortCustomers = Number(await cohortRow.locator('td').nth(2).textContent());
    await cohortRow.locator('td').nth(2).click();
    expect(await drilled(new RegExp(`${cohortWeek} \\+0`))).toBeGreaterThanOrEqual(cohortCustomers);

    // A channel filter narrows every figure.
    await page.selectOption('[data-testid=channel]', 'live');
    await page.click('[data-testid=apply]');
    await loaded(page, 2);
    const live = await num(page, '[data-testid=kpi-placed] b');
    expect(live).toBeGreaterThan(0);
    expect(live).toBeLessThan(placed);
    expect(await page.locator('[data-testid=breakdown-channel] tbody tr').count()).toBe(1);
    expect(failures).toEqual([]);
  }, 180_000);

  it('keeps the drill asked for last when an earlier one answers later', async () => {
    const page = await context.newPage();
    await page.goto(`${http.url}/insights?from=2026-11-11&to=2026-11-24`);
    await loaded(page, 1);
    // The first drill (all placed orders) answers slowly, as on a slow network.
    let first = true;
    await page.route((url) => url.pathname === '/analytics/drill', async (route) => {
      if (!first) return route.continue();
      first = false;
      await new Promise((r) => setTimeout(r, 1500));
      await route.continue();
    });
    await page.click('[data-testid=kpi-placed]');
    const zhejiang = page.locator('[data-testid=breakdown-province] tbody tr', { hasText: '浙江' });
    const zjPlaced = Number(await zhejiang.locator('td').nth(1).textContent());
    await zhejiang.click();
    await page.waitForSelector('[data-testid=drill-total]');
    await page.waitForTimeout(2500);
    expect(await page.locator('[data-testid=drill] h2').textContent()).toContain('浙江');
    expect(await num(page, '[data-testid=drill-total]')).toBe(zjPlaced);
    await page.close();
  }, 60_000);

  it('says why instead of drawing an empty chart: an inverted range, a short forecast', async () => {
    const page = await context.newPage();
    await page.goto(`${http.url}/insights?from=2026-11-20&to=2026-11-10`);
    await page.waitForSelector('[data-testid=error]');
    expect(await page.textContent('[data-testid=error]')).toMatch(/INVALID_ANALYTICS_OPTIONS/);
    expect(await page.locator('[data-testid=kpis]').count()).toBe(0);
    // An emptied date field: an unbounded range, refused with the field's path.
    await page.goto(`${http.url}/insights?from=2026-11-11&to=2026-11-24`);
    await loaded(page, 1);
    await page.fill('[data-testid=to]', '');
    await page.click('[data-testid=apply]');
    await page.waitForSelector('[data-testid=error]');
    expect(await page.textContent('[data-testid=error]')).toMatch(/INVALID_ANALYTICS_OPTIONS.*\(to\)/);
    await page.goto(`${http.url}/insights?from=2026-11-18&to=2026-11-24`);
    await loaded(page, 1);
    expect(await page.textContent('[data-testid=chart-forecast]')).toMatch(/预测至少需要 14 天的数据，目前只有 7 天/);
    await shoot(page, 'insights-errors.png');
  }, 60_000);
});
