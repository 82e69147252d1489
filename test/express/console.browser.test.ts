import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { standInCode2Session } from '../../examples/express/src/auth/index.js';
import { createApp, type OrderApp } from '../../examples/express/src/app.js';
import { cartFor, demoRules } from '../../examples/express/src/catalog.js';
import { seedDemoShop } from '../../examples/express/src/demo/seed.js';
import { storeFigures } from '../../examples/express/src/figures.js';
import { createOrderService, MemoryOrderStore, type Order } from '../../src/index.js';
import { ADDRESS, TestClock, testAuthOptions } from './support/app.js';
import { listen } from './support/sse.js';

// The order console in a real headless Chromium (Debian's chromium, playwright-core): one browser,
// one signed-in staff session, each flow on its own page. Screenshots go to test-results/ on every
// run and to docs/images/ when missing or with UPDATE_SCREENSHOTS=1.
const CHROMIUM = '/usr/bin/chromium';
const available = existsSync(CHROMIUM);
const required = process.env.REQUIRE_CHROMIUM === '1';
const RESULTS = fileURLToPath(new URL('../../test-results/', import.meta.url));
const DOCS = fileURLToPath(new URL('../../docs/images/', import.meta.url));

async function shot(page: Page, name: string): Promise<void> {
  mkdirSync(RESULTS, { recursive: true });
  await page.screenshot({ path: join(RESULTS, name), fullPage: true });
  if (!existsSync(join(DOCS, name)) || process.env.UPDATE_SCREENSHOTS === '1') copyFileSync(join(RESULTS, name), join(DOCS, name));
}

describe.skipIf(!available && !required)('the order console in headless Chromium', () => {
  let orderApp: OrderApp;
  let http: Awaited<ReturnType<typeof listen>>;
  let context: BrowserContext;
  let profile: string;
  let store: MemoryOrderStore;
  const failures: string[] = [];
  const mine: Order[] = [];

  async function open(): Promise<Page> {
    const page = await context.newPage();
    page.on('pageerror', (e) => failures.push(e.message));
    await page.goto(`${http.url}/console`);
    await page.waitForSelector('tbody tr');
    return page;
  }

  beforeAll(async () => {
    if (!available) throw new Error(`REQUIRE_CHROMIUM=1 but ${CHROMIUM} is not installed`);
    const clock = new TestClock(Date.parse('2026-11-25T12:30:00+08:00'));
    store = new MemoryOrderStore();
    const rules = demoRules(clock.now());
    await seedDemoShop({ batch: (body) => body(store), rules, end: clock.now(), days: 7, seed: 20261125 });
    const service = createOrderService({ store, clock });
    orderApp = await createApp({ auth: { ...testAuthOptions(), code2Session: standInCode2Session() }, service, clock, rules, figures: storeFigures(store), log: () => undefined });
    await orderApp.auth.staff.create('boss', 'boss-password-1', 'admin');
    // Three orders of our own with a real phone: paid (to ship), paid (for the CSV), and one awaiting payment.
    for (let i = 0; i < 3; i++) {
      const placed = await service.place({ id: `T2026112500000${i}`, number: `T2026112500000${i}`, customerId: 'o_demo_alice', cart: cartFor({ items: [{ sku: 'TEA-LJ-250', quantity: 1 }] }), rules, address: { ...ADDRESS, phone: `1390000000${i}` } }, { actor: { type: 'customer', id: 'o_demo_alice' } });
      if (!placed.ok) throw placed.error;
      if (i < 2) {
        const paid = await service.dispatch(placed.order.id, { type: 'PAYMENT_SUCCEEDED', amount: placed.order.pricing.total, transactionId: `TX${i}` }, { type: 'payment', gateway: 'wechatpay' });
        if (!paid.ok) throw paid.error;
      }
      mine.push(placed.order);
    }
    http = await listen(orderApp.app);
    profile = mkdtempSync(join(tmpdir(), 'orderkit-console-'));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
      viewport: { width: 1440, height: 1000 },
      locale: 'zh-CN',
      timezoneId: 'Asia/Shanghai',
    });
    // Sign in with the keyboard only.
    const page = await context.newPage();
    await page.goto(`${http.url}/console`);
    await page.getByLabel('用户名').fill('boss');
    await page.keyboard.press('Tab');
    await page.keyboard.type('boss-password-1');
    await page.keyboard.press('Enter');
    await page.waitForSelector('tbody tr');
    await page.close();
  }, 120_000);

  afterAll(async () => {
    await context?.close();
    await http?.close();
    await orderApp?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  it('lists orders with counts per status tab, and searches by number, phone and SKU', async () => {
    const page = await open();
    const allCount = Number(await page.locator('[data-tab=""] .count').textContent());
    const paidCount = Number(await page.locator('[data-tab="paid"] .count').textContent());
    expect(allCount).toBeGreaterThan(20);
    await page.locator('[data-tab="paid"]').click();
    await page.waitForFunction((n) => document.querySelectorAll('tbody tr').length === Math.min(n, 50), paidCount);
    expect(await page.locator('tbody tr .status').allTextContents()).toEqual(Array(Math.min(paidCount, 50)).fill('待发货'));
    await page.locator('[data-tab=""]').click();
    await page.getByLabel('手机号（或后四位）').fill('0001');
    await page.getByRole('button', { name: '查询' }).click();
    await page.waitForFunction(() => document.querySelectorAll('tbody tr').length === 1);
    expect(await page.locator('tbody tr').getAttribute('data-number')).toBe(mine[1]!.number);
    // Lists show a masked phone.
    expect(await page.locator('tbody tr').textContent()).toContain('139****0001');
    await page.getByLabel('手机号（或后四位）').fill('');
    await page.getByLabel('商品 SKU').fill('CUP-GLASS');
    await page.getByRole('button', { name: '查询' }).click();
    await page.waitForFunction(() => Array.from(document.querySelectorAll('tbody tr')).every((tr) => tr.textContent!.includes('CUP-GLASS')) && document.querySelectorAll('tbody tr').length > 0);
    await page.getByLabel('商品 SKU').fill('');
    await page.getByLabel('订单号').fill(mine[2]!.number);
    await page.getByRole('button', { name: '查询' }).click();
    await page.waitForFunction((n) => document.querySelectorAll('tbody tr').length === 1 && document.querySelector('tbody tr')!.getAttribute('data-number') === n, mine[2]!.number);
    await shot(page, 'console-list.png');
    await page.close();
  });

  it('opens an order with the keyboard, ships it, adds a note and changes the price of another', async () => {
    const page = await open();
    await page.getByLabel('订单号').fill(mine[0]!.number);
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.querySelectorAll('tbody tr').length === 1);
    await page.locator('tbody tr').first().focus();
    await page.keyboard.press('Enter');
    await page.waitForSelector('[data-testid=detail-number]');
    await page.getByLabel('快递单号').fill('SF1234567890');
    await page.locator('#f-ship').locator('..').getByRole('button', { name: '发货' }).click();
    await page.waitForFunction(() => document.querySelector('h2 .status')?.textContent === '待收货');
    await page.locator('form[aria-labelledby=f-remark]').getByLabel('备注').fill('客户要求周末送达');
    await page.locator('form[aria-labelledby=f-remark] button').click();
    await page.waitForSelector('text=客户要求周末送达');
    await page.waitForSelector('.timeline li >> text=SHIP');
    expect((await orderApp.context.service.get(mine[0]!.id))!.shipments[0]!.trackingNo).toBe('SF1234567890');
    await shot(page, 'console-detail.png');

    await page.getByLabel('订单号').fill(mine[2]!.number);
    await page.keyboard.press('Enter');
    await page.waitForFunction((n) => document.querySelector('tbody tr')?.getAttribute('data-number') === n, mine[2]!.number);
    await page.locator('tbody tr').first().click();
    await page.waitForSelector('#f-price');
    await page.getByLabel('新的应付金额（元）').fill('99.50');
    await page.locator('form[aria-labelledby=f-price]').getByLabel('原因').fill('老客优惠');
    await page.locator('form[aria-labelledby=f-price] button').click();
    await page.waitForFunction(() => document.querySelector('dl.money')?.textContent?.includes('¥99.50'));
    expect((await orderApp.context.service.get(mine[2]!.id))!.pricing.total).toBe(9950);
    await page.close();
  });

  it('shows the order picked last, and the list asked for last, when an earlier answer comes back later', async () => {
    const page = await open();
    const [first, second] = await page.locator('tbody tr').evaluateAll((rows) => rows.slice(0, 2).map((r) => r.getAttribute('data-number')!));
    // Hold back the answers about the first order picked for a while, as a slow network would.
    let holding = true;
    let held = 0;
    await page.route((url) => url.pathname.startsWith('/orders/'), async (route) => {
      if (!holding) return route.continue();
      held++;
      await new Promise((r) => setTimeout(r, 1500));
      await route.continue();
    });
    await page.locator(`tbody tr[data-number="${first}"]`).click();
    await expect.poll(() => held).toBe(3);
    holding = false;
    await page.locator(`tbody tr[data-number="${second}"]`).click();
    await page.waitForFunction((n) => document.querySelector('[data-testid=detail-number]')?.textContent === n, second);
    // The first order's late answers arrive now; the detail must still show the second.
    await page.waitForTimeout(2500);
    expect(await page.locator('[data-testid=detail-number]').textContent()).toBe(second);
    // The same for the list: lists asked for before a search, answered after it, must not replace it.
    await page.route((url) => url.pathname === '/console/orders' && !url.searchParams.has('number'), async (route) => {
      await new Promise((r) => setTimeout(r, 1500));
      await route.continue();
    });
    await page.locator('[data-tab="paid"]').click();
    await page.locator('[data-tab=""]').click();
    await page.getByLabel('订单号').fill(mine[2]!.number);
    await page.keyboard.press('Enter');
    // (The open detail has a table of its own, so the list's rows are looked up under the list.)
    const listRows = '[aria-labelledby=orders-title] tbody tr';
    await page.waitForFunction((sel) => document.querySelectorAll(sel).length === 1, listRows);
    await page.waitForTimeout(2500);
    expect(await page.locator(listRows).count()).toBe(1);
    expect(await page.locator(listRows).getAttribute('data-number')).toBe(mine[2]!.number);
    await page.close();
  });

  it('ships many by CSV and reports each refused row with its reason, changing nothing for them', async () => {
    const page = await open();
    const csv = ['number,trackingNo,expressCompany', `${mine[1]!.number},YT555,圆通速递`, 'NO-SUCH-ORDER,YT556,圆通速递', `${mine[2]!.number},YT557,圆通速递`, `${mine[1]!.number},YT558,圆通速递`].join('\n');
    await page.getByLabel('或粘贴 CSV 内容').fill(csv);
    await page.getByRole('button', { name: '导入并发货' }).click();
    await page.waitForSelector('[data-testid=import-report]');
    const report = await page.locator('[data-testid=import-report]').textContent();
    expect(report).toContain('已发货: 1');
    expect(report).toContain('未处理的行: 3');
    expect(report).toContain('ORDER_NOT_FOUND');
    expect(report).toContain('DUPLICATE_ROW');
    expect((await orderApp.context.service.get(mine[1]!.id))!.shipments.map((s) => s.trackingNo)).toEqual(['YT555']);
    expect((await orderApp.context.service.get(mine[2]!.id))!.shipments).toEqual([]);
    await shot(page, 'console-import.png');
    await page.close();
  });

  it('works the after-sale queue, exports the list as CSV with masked phones, and updates live', async () => {
    // A shipped order whose shopper asks to return it: the merchant approves, then receives the parcel.
    const service = orderApp.context.service;
    const placedForReturn = await service.place({ id: 'T20261125000009', number: 'T20261125000009', customerId: 'o_demo_alice', cart: cartFor({ items: [{ sku: 'TEA-LJ-250', quantity: 1 }] }), rules: orderApp.context.rules, address: ADDRESS }, { actor: { type: 'customer', id: 'o_demo_alice' } });
    if (!placedForReturn.ok) throw placedForReturn.error;
    const id = placedForReturn.order.id;
    expect((await service.dispatch(id, { type: 'PAYMENT_SUCCEEDED', amount: placedForReturn.order.pricing.total, transactionId: 'TX9' }, { type: 'payment', gateway: 'wechatpay' })).ok).toBe(true);
    expect((await service.dispatch(id, { type: 'SHIP', trackingNo: 'SF9', expressCompany: '顺丰速运' }, { type: 'merchant', id: 'boss' })).ok).toBe(true);
    const asked = await service.dispatch(id, { type: 'REQUEST_AFTER_SALE', kind: 'return_and_refund', reason: '尺寸不合适' }, { type: 'customer', id: 'o_demo_alice' });
    expect(asked.ok).toBe(true);
    const page = await open();
    await page.locator('[data-tab="afterSales"]').click();
    await page.waitForSelector(`tbody tr[data-number="${id}"]`);
    await page.locator(`tbody tr[data-number="${id}"]`).click();
    // 协商退款: the merchant offers ¥10.00 (the prompt answers in yuan), the after-sale keeps waiting.
    page.once('dialog', (dialog) => void dialog.accept('10'));
    await page.locator('[data-testid=after-sale]').getByRole('button', { name: '协商退款' }).click();
    await expect.poll(async () => (await service.get(id))!.afterSales[0]!.proposals?.map((p) => [p.amount, p.status])).toEqual([[1000, 'pending']]);
    await page.locator('[data-testid=after-sale]').getByRole('button', { name: '同意' }).click();
    await page.locator('[data-testid=after-sale]').getByRole('button', { name: '确认收到退货' }).click();
    await page.waitForFunction(() => !document.querySelector('[data-testid=after-sale] button'));
    await shot(page, 'console-after-sale.png');
    const order = (await service.get(id))!;
    expect(order.afterSales[0]!.status).not.toBe('requested');
    expect(order.refunds).toHaveLength(1);

    const csv = await page.request.get(`${http.url}/console/orders.csv?phone=0001`);
    expect(csv.status()).toBe(200);
    const text = await csv.text();
    expect(text.split('\r\n')[0]).toContain('number,status');
    expect(text).toContain('139****0001');
    expect(text).not.toContain('13900000001');

    // Live: an order placed elsewhere appears in the open list without a reload.
    await page.locator('[data-tab=""]').click();
    await page.getByLabel('订单号').fill('');
    await page.keyboard.press('Enter');
    const countNow = async (): Promise<number> => Number(await page.locator('[data-tab=""] .count').textContent());
    // Clearing the filter reloads the list: take the count once two reads half a second apart agree.
    let before = await countNow();
    for (let i = 0; i < 20; i++) {
      await page.waitForTimeout(500);
      const again = await countNow();
      if (again === before) break;
      before = again;
    }
    const placed = await orderApp.context.service.place({ id: 'T20261125999999', number: 'T20261125999999', customerId: 'o_demo_bob', cart: cartFor({ items: [{ sku: 'CUP-GLASS', quantity: 1 }] }), rules: orderApp.context.rules }, { actor: { type: 'customer', id: 'o_demo_bob' } });
    expect(placed.ok).toBe(true);
    await page.waitForSelector('tbody tr[data-number="T20261125999999"]', { timeout: 45_000 });
    await expect.poll(countNow, { timeout: 15_000 }).toBe(before + 1);
    expect(failures).toEqual([]);
    await page.close();
  }, 150_000);

  it('offers the after-sales depth to the merchant: a pending 协商 offer shown, a freight-only refund and shipping an exchange', async () => {
    const service = orderApp.context.service;
    const shopper = { type: 'customer' as const, id: 'o_demo_alice' };
    const placed = await service.place({ id: 'T20261125000010', number: 'T20261125000010', customerId: 'o_demo_alice', cart: cartFor({ items: [{ sku: 'CUP-GLASS', quantity: 2 }] }), rules: orderApp.context.rules, address: ADDRESS }, { actor: shopper });
    if (!placed.ok) throw placed.error;
    const id = placed.order.id;
    expect(placed.order.pricing.freight).toBeGreaterThan(0);
    expect((await service.dispatch(id, { type: 'PAYMENT_SUCCEEDED', amount: placed.order.pricing.total, transactionId: 'TX10' }, { type: 'payment', gateway: 'wechatpay' })).ok).toBe(true);
    expect((await service.dispatch(id, { type: 'SHIP', trackingNo: 'SF10', expressCompany: '顺丰速运' }, { type: 'merchant', id: 'boss' })).ok).toBe(true);
    const line = placed.order.lines[0]!;
    const asked = await service.dispatch(id, { type: 'REQUEST_AFTER_SALE', kind: 'refund_only', items: [{ lineId: line.id, quantity: 1 }], reason: '杯口有磕碰' }, shopper);
    if (!asked.ok) throw asked.error;
    const exchange = await service.dispatch(id, { type: 'REQUEST_EXCHANGE', items: [{ lineId: line.id, quantity: 1 }], reason: '换一个新的' }, shopper);
    if (!exchange.ok) throw exchange.error;
    const [refundId, exchangeId] = exchange.order.afterSales.map((a) => a.id);
    const page = await open();
    await page.getByLabel('订单号').fill(id);
    await page.keyboard.press('Enter');
    await page.locator(`tbody tr[data-number="${id}"]`).click();
    // 协商退款 (the row's button asks in yuan): the offer waits for the shopper and shows beside the request.
    page.once('dialog', (dialog) => void dialog.accept('10'));
    await page.locator('[data-testid=after-sale]').first().getByRole('button', { name: '协商退款' }).click();
    await page.waitForSelector('[data-testid=open-proposal]');
    expect((await service.get(id))!.afterSales[0]!.proposals!.map((p) => [p.amount, p.status])).toEqual([[1000, 'pending']]);
    // A freight-only refund of part of the freight.
    const freight = page.locator('form[aria-labelledby="f-freight"]');
    await freight.getByLabel('金额（元，空为全部剩余运费）').fill('3.00');
    await freight.getByLabel('原因').fill('发货慢了');
    await freight.getByRole('button', { name: '退运费（仅运费）' }).click();
    await freight.locator('[role=status]').waitFor();
    expect((await service.get(id))!.afterSales.find((a) => a.freightOnly)).toMatchObject({ amount: 300, status: 'refunding' });
    // The exchange: approve, receive the parcel, ship the replacement.
    const row = page.locator('[data-testid=after-sale]').nth(1);
    await row.getByRole('button', { name: '同意' }).click();
    await row.getByRole('button', { name: '确认收到退货' }).click();
    const ship = page.locator(`form[aria-labelledby="f-exchange-${exchangeId}"]`);
    await ship.getByLabel('快递单号').fill('SF11');
    await ship.getByRole('button', { name: '寄出换货商品' }).click();
    await page.waitForFunction(() => document.body.textContent!.includes('已换货'));
    expect((await service.get(id))!.afterSales[1]).toMatchObject({ status: 'exchanged', exchange: { shipment: { trackingNo: 'SF11' } } });
    await shot(page, 'console-after-sale-depth.png');
    expect(failures).toEqual([]);
    await page.close();
  }, 60_000);
});
