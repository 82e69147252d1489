// @vitest-environment jsdom
/**
 * Issue 14, item 2: the mini program's buttons come from the lifecycle. A shop adds its own
 * shopper command (我已自提, CONFIRM_PICKUP) with `defineCommand` and hands its lifecycle to the
 * REAL `order` cloud function (examples/cloud-functions/cloudfunctions/order/handler.js, on
 * orderkit's CommonJS build, the cloud database played by its test double). Without a change to
 * any page, the order detail page shows the new button, and tapping it completes the order
 * through the function's `command` action. With orderkit's own lifecycle the button is not there.
 */
import { afterAll, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { createCloudDatabaseStandIn } from '../../src/testing/index.js';
import { loadFunctionFile, orderkitBuild, stubCloud } from '../wx-cloud/support/cloud-functions.js';
import { createMiniProgram, settle, tap, text } from './support/harness.js';
import { createWxStub, lastToast } from './support/wx-stub.js';

const SHOPPER = 'oShopper000000000000000001';
const errorLog = vi.spyOn(console, 'error').mockImplementation(() => undefined);
afterAll(() => errorLog.mockRestore());

const { orderkit, wechatpay, wxCloud } = orderkitBuild();
const confirmPickup = orderkit.defineCommand({
  type: 'CONFIRM_PICKUP',
  schema: z.strictObject({ type: z.literal('CONFIRM_PICKUP') }),
  actors: ['customer'],
  label: { 'zh-CN': '我已自提', en: 'I picked it up' },
  rows: [{ from: 'paid', to: 'completed', actions: ['complete'] }],
  button: { key: 'confirmPickup', rank: 85, primary: true },
});

async function world(lifecycle: unknown) {
  const db = createCloudDatabaseStandIn();
  const server = stubCloud(db);
  const { readSettings } = loadFunctionFile('order', 'settings.js', server.cloud);
  const shop = loadFunctionFile('order', 'shop.js', server.cloud);
  const { createOrderFunction } = loadFunctionFile('order', 'handler.js', server.cloud);
  const settings = readSettings({ SUB_MCH_ID: '1900000109' });
  const handle = createOrderFunction({ cloud: server.cloud, orderkit, wechatpay, wxCloud, settings, shop: lifecycle ? { ...shop, lifecycle } : shop });
  const call = async (data: Record<string, unknown>) => {
    server.as({ OPENID: SHOPPER, CLIENTIP: '10.0.0.8' });
    return handle(data, {});
  };
  // Placed by the shopper and paid (the gateway's command, as payCallback would send it).
  const placed = await call({ action: 'place', cart: [{ sku: 'OAT-1KG', quantity: 1 }], address: { name: '张三', phone: '13812345678', province: '广东省', city: '深圳市', detail: '科技园 1 号' } });
  if (!placed.ok) throw new Error(JSON.stringify(placed.error));
  const service = orderkit.createOrderService({ store: new wxCloud.WxCloudOrderStore(db), ...(lifecycle ? { lifecycle } : {}) });
  const order = await service.get(placed.order.id);
  const paid = await service.dispatch(order.id, { type: 'PAYMENT_SUCCEEDED', amount: order.pricing.total, transactionId: 'tx-pickup-1' }, { type: 'payment', gateway: 'cloudpay' });
  if (!paid.ok) throw paid.error;
  const client = createWxStub(call);
  const mp = createMiniProgram(client.wx);
  const page = mp.page('pages/order-detail/index');
  await page.instance.onLoad({ id: order.id });
  await settle();
  return { page, client, service, orderId: order.id as string, call };
}

const buttons = (page: any): string[] => page.querySelectorAll('.order-action').map(text);

describe('a command added to the lifecycle is a button of the mini program', () => {
  it('orderkit’s own lifecycle: a paid order offers no 我已自提', async () => {
    const { page } = await world(undefined);
    expect(text(page.querySelector('.status-label'))).toBe('待发货');
    expect(buttons(page)).not.toContain('我已自提');
  });

  it('the shop’s lifecycle: the page shows 我已自提 and tapping it completes the order', async () => {
    const lifecycle = orderkit.createLifecycle({ commands: [...orderkit.orderCommands, confirmPickup] });
    const { page, client, service, orderId } = await world(lifecycle);
    expect(buttons(page)).toContain('我已自提');
    const button = page.querySelectorAll('.order-action').find((b: any) => text(b) === '我已自提');
    await tap(button);
    await settle();
    const sent = client.calls().find((c: any) => c.action === 'command');
    expect(sent).toEqual({ action: 'command', orderId, command: { type: 'CONFIRM_PICKUP' } });
    expect((await service.get(orderId)).status).toBe('completed');
    expect(text(page.querySelector('.status-label'))).toBe('已完成');
    expect(buttons(page)).not.toContain('我已自提');
    expect(lastToast(client.wx)).toBe('我已自提成功');
  });

  it('the command action sends only what the view offers: a command not shown is refused, the order unchanged', async () => {
    const lifecycle = orderkit.createLifecycle({ commands: [...orderkit.orderCommands, confirmPickup] });
    const { call, service, orderId } = await world(lifecycle);
    const r = await call({ action: 'command', orderId, command: { type: 'SHIP' } });
    expect(r.ok).toBe(false);
    expect(r.error.code).toBe('COMMAND_NOT_OFFERED');
    expect((await service.get(orderId)).status).toBe('paid');
  });
});
