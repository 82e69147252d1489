// @vitest-environment jsdom
/**
 * Issue 24: the shopper's pages tapped through as a shopper would, with the runtime around them
 * (support/shopper.ts): pages opened onto the stack with onLoad then onShow, pull-down only where
 * the page's JSON enables it, fields filled by input and picker events. The `order` function is the
 * page-test double (support/fake-order-function.ts) so that a test can hold back a payment, fail a
 * call or an upload; the real function's side of the same rules is in order-function-shopper.test.ts.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createLifecycle, defaultPolicy, formatFen, orderCommands, orderView, type Order } from '../../src/index.js';
import { deleteOrder } from '../../src/advanced.js';
import { completed, customer, days, minutes, paid, placed, shipped, step } from '../view/fixtures.js';
import { createFakeOrderFunction, type FakeOrderFunction } from './support/fake-order-function.js';
import { byKey, createMiniProgram, readSource, settle, tap, text } from './support/harness.js';
import { openPage, pick, pullDown, showAgain, typeInto } from './support/shopper.js';
import { createWxStub, lastToast } from './support/wx-stub.js';

const DETAIL = 'pages/order-detail/index';

function world(orders: Order[], now: Date, wrap?: (fake: FakeOrderFunction) => (data: Record<string, unknown>) => unknown) {
  const fake = createFakeOrderFunction(now);
  for (const o of orders) fake.add(o);
  const stub = createWxStub(wrap ? wrap(fake) : fake);
  const mp = createMiniProgram(stub.wx, { globalData: { cart: [{ sku: 'TEA-100', quantity: 1 }] } });
  mp.require('config').subscribeTemplateIds = [];
  return { fake, stub, mp, wx: stub.wx };
}

const orderButtons = (page: any): string[] => page.querySelectorAll('.order-action').map(text);

describe('never stuck after paying', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: minutes(1), toFake: ['setInterval', 'clearInterval', 'setTimeout', 'clearTimeout', 'Date'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('a refused watch: after 去支付 the page says 支付确认中 and reads the order with growing pauses until it is paid', async () => {
    const order = placed();
    const { fake, stub, mp, wx } = world([order], minutes(1));
    const page = await openPage(mp, DETAIL, { id: order.id });
    expect(orderButtons(page)).toContain('去支付');
    // The database refuses the page's watch (the security rule of the cloud-database issue).
    stub.watchers[0]!.onError(new Error('permission denied'));
    await settle();
    expect(page.instance.data.live).toBe(false);

    await tap(byKey(page.querySelectorAll('.order-action'), 'pay')[0]);
    expect(lastToast(wx)).toBe('支付成功');
    expect(text(page.querySelector('.status-label'))).toBe('支付确认中');
    // No 去支付 and no countdown while the payment is being confirmed: nothing invites a second payment.
    expect(orderButtons(page)).toEqual([]);
    expect(page.querySelector('.countdown')).toBeUndefined();
    const reads = () => stub.actions().filter((a) => a === 'get').length;
    const before = reads();
    await vi.advanceTimersByTimeAsync(1000);
    await settle();
    expect(reads()).toBe(before + 1);
    expect(text(page.querySelector('.status-label'))).toBe('支付确认中');
    // The payment notification reaches the server now.
    fake.replace(paid(order, minutes(1)));
    await vi.advanceTimersByTimeAsync(1000);
    await settle();
    expect(reads()).toBe(before + 2);
    expect(text(page.querySelector('.status-label'))).toBe('待发货');
    expect(orderButtons(page)).not.toContain('去支付');
    // Confirmed: no more reads.
    await vi.advanceTimersByTimeAsync(60_000);
    await settle();
    expect(reads()).toBe(before + 2);
  });

  it('when the server never hears of the payment the reads stop at their limit and the page offers 刷新, never 去支付', async () => {
    const order = placed();
    const { fake, stub, mp } = world([order], minutes(1));
    const page = await openPage(mp, DETAIL, { id: order.id, paying: '1' });
    expect(text(page.querySelector('.status-label'))).toBe('支付确认中');
    const delays = mp.require('utils/confirm-payment').DELAYS as number[];
    for (const d of delays) {
      await vi.advanceTimersByTimeAsync(d);
      await settle();
    }
    const reads = stub.actions().filter((a) => a === 'get').length;
    expect(reads).toBe(1 + delays.length);
    expect(text(page.querySelector('.confirm-slow'))).toContain('请勿重复付款');
    expect(orderButtons(page)).toEqual([]);
    fake.replace(paid(order, minutes(2)));
    await tap(page.querySelector('.confirm-slow .retry'));
    expect(text(page.querySelector('.status-label'))).toBe('待发货');
  });

  it('去支付 on a list card: the detail page opens in 支付确认中, the card is not left saying 待付款', async () => {
    const order = placed();
    const { mp, wx } = world([order], minutes(1));
    const list = await openPage(mp, 'pages/orders/index');
    const card = list.querySelectorAll('.order-card')[0];
    await tap(byKey(card.querySelectorAll('.action'), 'pay')[0]);
    expect(wx.requestPayment).toHaveBeenCalledTimes(1);
    expect(wx.navigateTo).toHaveBeenLastCalledWith({ url: `/pages/order-detail/index?id=${order.id}&paying=1` });
    const detail = await openPage(mp, DETAIL, { id: order.id, paying: '1' });
    expect(text(detail.querySelector('.status-label'))).toBe('支付确认中');
    detail.instance.onUnload();
  });

  it('onShow reads the order again (back from another page); the first onShow after onLoad does not', async () => {
    const order = paid();
    const { fake, stub, mp } = world([order], days(1));
    const page = await openPage(mp, DETAIL, { id: order.id });
    expect(stub.actions()).toEqual(['get']);
    fake.replace(shipped(order, days(1)));
    await showAgain(page);
    expect(stub.actions()).toEqual(['get', 'get']);
    expect(text(page.querySelector('.status-label'))).toBe('待收货');
  });

  it('pull-down is enabled in the JSON of every page that handles it, and refreshes the detail page', async () => {
    const order = paid();
    const { fake, stub, mp, wx } = world([order], days(1));
    for (const route of ['pages/orders/index', DETAIL, 'pages/checkout/index', 'pages/after-sale/index']) {
      const p = mp.page(route);
      if (typeof p.instance.onPullDownRefresh === 'function') expect({ route, enabled: p.json.enablePullDownRefresh }).toEqual({ route, enabled: true });
    }
    const page = await openPage(mp, DETAIL, { id: order.id });
    fake.replace(shipped(order, days(1)));
    await pullDown(page);
    expect(stub.actions().slice(-1)).toEqual(['get']);
    expect(text(page.querySelector('.status-label'))).toBe('待收货');
    expect(wx.stopPullDownRefresh).toHaveBeenCalled();
  });
});

describe('navigation never stacks a page twice', () => {
  it('after an after-sale request the page goes back to the detail page, which refreshes in onShow', async () => {
    const order = shipped();
    const { mp, wx, stub } = world([order], days(1.5));
    const list = await openPage(mp, 'pages/orders/index');
    await tap(list.querySelectorAll('.order-card')[0].querySelector('.head'));
    expect(wx.navigateTo).toHaveBeenLastCalledWith({ url: `/pages/order-detail/index?id=${order.id}` });
    const detail = await openPage(mp, DETAIL, { id: order.id });
    await tap(byKey(detail.querySelectorAll('.order-action'), 'requestAfterSale')[0]);
    expect(wx.navigateTo).toHaveBeenLastCalledWith({ url: `/pages/after-sale/index?id=${order.id}` });
    const form = await openPage(mp, 'pages/after-sale/index', { id: order.id });
    await tap(form.querySelectorAll('.step.plus')[0]);
    await pick(form.querySelector('.reason-picker'), 1);
    await tap(form.querySelector('.submit'));
    expect(lastToast(wx)).toBe('售后申请已提交');
    expect(wx.navigateBack).toHaveBeenCalledWith({ delta: 1 });
    expect(wx.redirectTo).not.toHaveBeenCalled();
    mp.stack.pop();
    await showAgain(detail);
    expect(stub.actions().slice(-1)).toEqual(['get']);
    expect(text(detail.querySelector('.after-sale'))).toContain('待审核');
  });

  it('opening an order already in the stack goes back to it instead of pushing a copy', async () => {
    const order = shipped();
    const { mp, wx } = world([order], days(1.5));
    await openPage(mp, 'pages/orders/index');
    await openPage(mp, DETAIL, { id: order.id });
    await openPage(mp, 'pages/after-sale/index', { id: order.id });
    mp.require('utils/nav').open(`/pages/order-detail/index?id=${order.id}&trace=1`);
    expect(wx.navigateBack).toHaveBeenCalledWith({ delta: 1 });
    expect(wx.navigateTo).not.toHaveBeenCalled();
  });
});

describe('an address before ordering', () => {
  it('physical goods and no address: a toast and the address panel marked; nothing is placed until one is chosen', async () => {
    const { stub, mp, wx } = world([], days(0), (fake) => async (data) => {
      const r = (await fake(data)) as Record<string, unknown>;
      // As the real function answers: the cart holds physical goods.
      return data.action === 'quote' && r.ok ? { ...r, needsAddress: true } : r;
    });
    const page = await openPage(mp, 'pages/checkout/index');
    await tap(page.querySelector('.submit'));
    expect(lastToast(wx)).toBe('请选择收货地址');
    expect(page.querySelector('.address').dom.className).toContain('address-missing');
    expect(stub.actions()).toEqual(['quote']);
    await tap(page.querySelector('.address'));
    expect(page.querySelector('.address').dom.className).not.toContain('address-missing');
    await typeInto(page.querySelector('.remark'), '放门口');
    await tap(page.querySelector('.submit'));
    expect(stub.calls()[1]).toMatchObject({ action: 'place', address: { name: '张三' }, remark: '放门口' });
  });
});

describe('honest words', () => {
  it('cancelling a paid order is a refund: the amount in the dialog and in the result, and the detail shows it in Chinese', async () => {
    const order = paid();
    const { fake, stub, mp, wx } = world([order], minutes(10));
    const page = await openPage(mp, DETAIL, { id: order.id });
    await tap(byKey(page.querySelectorAll('.order-action'), 'cancel')[0]);
    const [ask, result] = wx.showModal.mock.calls.map((c: any[]) => c[0]);
    const amount = formatFen(order.pricing.total);
    expect(ask.title).toBe('取消订单并退款');
    expect(ask.content).toContain(amount);
    expect(result.title).toBe('已申请退款');
    expect(result.content).toContain(amount);
    expect(stub.calls()[1]).toEqual({ action: 'cancel', orderId: order.id });
    // Where the order really is: still 待发货, with a refund after-sale for the whole amount.
    expect(fake.orders.get(order.id)!.status).toBe('paid');
    const afterSale = text(page.querySelector('.after-sale'));
    expect(afterSale).toContain('买家取消订单');
    expect(afterSale).toContain(amount);
    expect(afterSale).not.toMatch(/[A-Za-z]/);
    expect(wx.showToast.mock.calls.map((c: any[]) => c[0].title)).not.toContain('订单已取消');
  });

  it('an unpaid order is simply cancelled (no refund words)', async () => {
    const order = placed();
    const { mp, wx } = world([order], minutes(2));
    const page = await openPage(mp, DETAIL, { id: order.id });
    await tap(byKey(page.querySelectorAll('.order-action'), 'cancel')[0]);
    expect(wx.showModal.mock.calls[0][0].title).toBe('取消订单');
    expect(lastToast(wx)).toBe('订单已取消');
    expect(text(page.querySelector('.status-label'))).toBe('已关闭');
  });

  it('list cards say the deadline as a sentence: 今天/明天 or the date, never “… 截止”', async () => {
    const waiting = placed({ now: days(0) });
    const travelling = shipped(paid(placed({ now: days(0) }), minutes(5)), days(1));
    const { mp } = world([waiting, travelling], minutes(1));
    const list = await openPage(mp, 'pages/orders/index');
    const texts = list.querySelectorAll('.order-card').map((c: any) => text(c.querySelector('.countdown')));
    expect(texts).toContain('请于今天 12:30前付款');
    expect(texts.some((t: string) => /^\d+月\d+日 \d\d:\d\d自动确认收货$/.test(t))).toBe(true);
    expect(texts.join('')).not.toContain('截止');
  });
});

describe('after-sale photos', () => {
  function photoWorld() {
    const order = shipped();
    const w = world([order], days(1.5));
    let picked = 0;
    w.wx.chooseMedia = vi.fn((o: any) => {
      const files = Array.from({ length: o.count }, () => ({ tempFilePath: `wxfile://tmp/p${++picked}.jpg`, size: 200_000, fileType: 'image' }));
      o.success({ tempFiles: files });
    });
    const uploads: string[] = [];
    w.wx.cloud.uploadFile = vi.fn(async (o: any) => {
      uploads.push(o.cloudPath);
      return { fileID: `cloud://env-1.656e/${o.cloudPath}`, statusCode: 200 };
    });
    return { ...w, order, uploads };
  }

  it('picks with wx.chooseMedia (at most 9, none over 10 MB), uploads under the order’s folder, sends the file ids', async () => {
    const { mp, wx, stub, order, uploads } = photoWorld();
    const page = await openPage(mp, 'pages/after-sale/index', { id: order.id });
    await tap(page.querySelectorAll('.step.plus')[0]);
    await pick(page.querySelector('.reason-picker'), 1);
    await typeInto(page.querySelector('.detail'), '外包装压坏');
    // A first pick: 2 photos and one of 12 MB, which is refused with a message.
    wx.chooseMedia.mockImplementationOnce((o: any) =>
      o.success({ tempFiles: [{ tempFilePath: 'wxfile://a.jpg', size: 100 }, { tempFilePath: 'wxfile://b.png', size: 100 }, { tempFilePath: 'wxfile://huge.jpg', size: 12 * 1024 * 1024 }] }),
    );
    await tap(page.querySelector('.photo-add'));
    expect(wx.chooseMedia.mock.calls[0][0]).toMatchObject({ count: 9, mediaType: ['image'] });
    expect(lastToast(wx)).toContain('10MB');
    expect(page.querySelectorAll('.photo-cell')).toHaveLength(2);
    // The rest of the room: 7 more, then the + is gone.
    await tap(page.querySelector('.photo-add'));
    expect(wx.chooseMedia.mock.calls[1][0].count).toBe(7);
    expect(page.querySelectorAll('.photo-cell')).toHaveLength(9);
    expect(page.querySelector('.photo-add')).toBeUndefined();
    expect(text(page.querySelector('.photo-count'))).toBe('9/9');
    // One removed by its ×.
    await tap(page.querySelectorAll('.photo-remove')[8]);
    expect(page.querySelectorAll('.photo-cell')).toHaveLength(8);
    await tap(page.querySelector('.submit'));
    expect(uploads).toHaveLength(8);
    for (const p of uploads) expect(p.startsWith(`after-sale/${order.id}/`)).toBe(true);
    expect(uploads[1]!.endsWith('.png')).toBe(true);
    const request = stub.calls().pop()!;
    expect(request).toMatchObject({ action: 'requestAfterSale', reason: '商品质量问题：外包装压坏' });
    expect(request.photos).toEqual(uploads.map((p) => `cloud://env-1.656e/${p}`));
  });

  it('an upload that fails submits nothing; the retry uploads only what is missing, then submits once', async () => {
    const { mp, wx, stub, order, uploads } = photoWorld();
    const page = await openPage(mp, 'pages/after-sale/index', { id: order.id });
    await tap(page.querySelectorAll('.step.plus')[0]);
    await pick(page.querySelector('.reason-picker'), 0);
    wx.chooseMedia.mockImplementationOnce((o: any) => o.success({ tempFiles: [1, 2, 3].map((n) => ({ tempFilePath: `wxfile://p${n}.jpg`, size: 100 })) }));
    await tap(page.querySelector('.photo-add'));
    const ok = wx.cloud.uploadFile.getMockImplementation();
    wx.cloud.uploadFile.mockImplementation(async (o: any) => (o.filePath === 'wxfile://p2.jpg' ? Promise.reject(new Error('uploadFile:fail')) : ok(o)));
    await tap(page.querySelector('.submit'));
    expect(lastToast(wx)).toBe('图片上传失败，请重试');
    expect(text(page.querySelector('.notice.error'))).toBe('图片上传失败，请重试');
    expect(stub.actions()).not.toContain('requestAfterSale');
    expect(uploads).toHaveLength(2);
    wx.cloud.uploadFile.mockImplementation(ok);
    await tap(page.querySelector('.submit'));
    expect(uploads).toHaveLength(3);
    expect(stub.actions().filter((a) => a === 'requestAfterSale')).toHaveLength(1);
    expect((stub.calls().pop()!.photos as string[]).length).toBe(3);
  });

  it('the photos are shown on the order detail, and open in the previewer', async () => {
    let order = shipped();
    const photos = ['cloud://env-1.656e/after-sale/x/1.jpg', 'cloud://env-1.656e/after-sale/x/2.jpg'];
    order = step(order, { type: 'REQUEST_AFTER_SALE', kind: 'refund_only', items: [{ lineId: 'L1', quantity: 1 }], reason: '坏了', photos }, customer, days(1.2));
    const { mp, wx } = world([order], days(1.4));
    wx.previewImage = vi.fn();
    const page = await openPage(mp, DETAIL, { id: order.id });
    const shown = page.querySelectorAll('.after-sale .photo');
    expect(shown.map((n: any) => n.dom.getAttribute('data-url'))).toEqual(photos);
    await tap(shown[1]);
    expect(wx.previewImage).toHaveBeenCalledWith({ urls: photos, current: photos[1] });
  });
});

describe('contact, delete, logistics', () => {
  it('联系客服 is WeChat’s contact button, with the order number as the session source', async () => {
    const order = paid();
    const { mp } = world([order], days(1));
    const page = await openPage(mp, DETAIL, { id: order.id });
    expect(text(page.querySelector('.contact'))).toBe('联系客服');
    // The simulator keeps no attributes of built-in components: the template says what WeChat gets.
    const wxml = readSource('pages/order-detail/index.wxml');
    const tag = /<button class="contact"[^>]*>/.exec(wxml)?.[0] ?? '';
    expect(tag).toContain('open-type="contact"');
    expect(tag).toContain('session-from="order-{{order.number}}"');
  });

  it('删除订单 on a finished order: asked first, then gone from the shopper’s view with a short toast', async () => {
    const order = completed();
    // The demo's lifecycle (orderkit's commands and the opt-in DELETE_ORDER), as the real function has it.
    const lifecycle = createLifecycle({ commands: [...orderCommands, deleteOrder] });
    const ctx = { actor: customer, now: days(3), policy: defaultPolicy, lifecycle };
    const { stub, mp, wx, fake } = world([order], days(3), (fake) => async (data) => {
      const o = fake.orders.get(String(data.orderId));
      if (data.action === 'get' && o) return { ok: true, order: orderView(o, ctx) };
      if (data.action === 'deleteOrder' && o) {
        const r = lifecycle.transition(o, { type: 'DELETE_ORDER' }, ctx);
        if (!r.ok) return { ok: false, error: r.error.toJSON() };
        fake.replace(r.order);
        return { ok: true, order: orderView(r.order, ctx) };
      }
      return fake(data);
    });
    const detail = await openPage(mp, DETAIL, { id: order.id });
    await tap(wx.showModal.mockImplementationOnce((o: any) => o.success({ confirm: false })) && byKey(detail.querySelectorAll('.order-action'), 'deleteOrder')[0]);
    // Said no: nothing sent.
    expect(stub.actions()).toEqual(['get']);
    await tap(byKey(detail.querySelectorAll('.order-action'), 'deleteOrder')[0]);
    expect(wx.showModal.mock.calls[1][0].title).toBe('删除订单');
    expect(fake.orders.get(order.id)!.deletedByCustomerAt).toBe(days(3).toISOString());
    expect(fake.orders.get(order.id)!.status).toBe('completed');
    expect(stub.calls().pop()).toEqual({ action: 'deleteOrder', orderId: order.id });
    expect(lastToast(wx)).toBe('订单已删除');
    expect(wx.navigateBack).not.toHaveBeenCalled();
    expect(wx.redirectTo).toHaveBeenCalledWith({ url: '/pages/orders/index' });
  });

  it('查看物流 from a list card opens the detail with the trace; a provider that is down shows a message and 重试', async () => {
    const order = shipped();
    const { fake, stub, mp, wx } = world([order], days(1.5));
    const list = await openPage(mp, 'pages/orders/index');
    const card = list.querySelectorAll('.order-card')[0];
    await tap(byKey(card.querySelectorAll('.action'), 'viewLogistics')[0]);
    expect(wx.navigateTo).toHaveBeenLastCalledWith({ url: `/pages/order-detail/index?id=${order.id}&trace=1` });
    fake.tracking.mode = 'down';
    const detail = await openPage(mp, DETAIL, { id: order.id, trace: '1' });
    expect(stub.actions().slice(-2)).toEqual(['get', 'trace']);
    expect(text(detail.querySelector('.trace-error .notice'))).toBe('物流查询暂时不可用，请稍后重试');
    fake.tracking.mode = 'ok';
    await tap(detail.querySelector('.retry-trace'));
    expect(text(detail.querySelector('.trace-state'))).toBe('运输中');
    expect(detail.querySelectorAll('.checkpoint')).toHaveLength(2);
  });
});

describe('loading and failure', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: days(1), toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('a skeleton while loading; a call that never answers times out into a message and 重试, which loads the order', async () => {
    const order = paid();
    const { fake, mp, wx } = world([order], days(1));
    wx.cloud.callFunction.mockImplementationOnce(() => new Promise(() => undefined));
    const page = mp.page(DETAIL);
    mp.stack.push({ route: DETAIL, options: { id: order.id } });
    const loading = page.instance.onLoad({ id: order.id });
    await settle();
    expect(page.querySelector('.skeleton')).toBeDefined();
    expect(page.querySelector('.status-bar')).toBeUndefined();
    await vi.advanceTimersByTimeAsync(15_000);
    await loading;
    await settle();
    expect(page.querySelector('.skeleton')).toBeUndefined();
    expect(text(page.querySelector('.load-failed .notice'))).toBe('请求超时，请重试');
    await tap(page.querySelector('.load-failed .retry'));
    expect(text(page.querySelector('.status-label'))).toBe('待发货');
    expect(fake.orders.get(order.id)).toBe(order);
  });

  it('the order list: a failed first page shows 重试, which loads it', async () => {
    const order = paid();
    const { mp, wx } = world([order], days(1));
    wx.cloud.callFunction.mockImplementationOnce(async () => Promise.reject(new Error('cloud.callFunction:fail')));
    const list = await openPage(mp, 'pages/orders/index');
    expect(text(list.querySelector('.load-failed .notice'))).toBe('网络开小差了，请稍后再试');
    await tap(list.querySelector('.load-failed .retry'));
    expect(list.querySelectorAll('.order-card')).toHaveLength(1);
  });

  it('确认订单 and 申请售后: a failed first load shows 重试, which loads the page', async () => {
    const order = shipped();
    const { mp, wx } = world([order], days(1.5));
    wx.cloud.callFunction.mockImplementationOnce(async () => Promise.reject(new Error('cloud.callFunction:fail')));
    const checkout = await openPage(mp, 'pages/checkout/index');
    expect(text(checkout.querySelector('.load-failed .notice'))).toBe('网络开小差了，请稍后再试');
    await tap(checkout.querySelector('.load-failed .retry'));
    expect(checkout.querySelector('.submit')).toBeDefined();
    wx.cloud.callFunction.mockImplementationOnce(async () => ({ result: null }));
    const form = await openPage(mp, 'pages/after-sale/index', { id: order.id });
    expect(text(form.querySelector('.load-failed .notice'))).toBe('服务暂时不可用，请稍后再试');
    await tap(form.querySelector('.load-failed .retry'));
    expect(form.querySelectorAll('.line')).toHaveLength(order.lines.length);
  });

  it('a deleted order opened from an old link says so, with no 重试 (nothing to retry)', async () => {
    const order = completed();
    const { mp } = world([order], days(3), (fake) => async (data) =>
      data.action === 'get' ? { ok: false, error: { code: 'ORDER_DELETED', messages: { 'zh-CN': '订单已删除', en: 'the order was deleted' } } } : fake(data),
    );
    const page = await openPage(mp, DETAIL, { id: order.id });
    expect(text(page.querySelector('.load-failed .notice'))).toBe('订单已删除');
    expect(page.querySelector('.load-failed .retry')).toBeUndefined();
  });
});

describe('toasts fit', () => {
  it('every success toast the pages can show is at most 7 characters (what the icon toast displays)', async () => {
    const { readdirSync, readFileSync, statSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { MINIPROGRAM_ROOT } = await import('./support/harness.js');
    const found: string[] = [];
    const walk = (dir: string) => {
      for (const name of readdirSync(dir)) {
        const p = join(dir, name);
        if (statSync(p).isDirectory()) walk(p);
        else if (name.endsWith('.js')) {
          const src = readFileSync(p, 'utf8');
          // toast('…', 'success') and settle/command/confirmThen(…, '…') success messages.
          for (const m of src.matchAll(/toast\(\s*'([^']*)'\s*,\s*'success'\s*\)/g)) found.push(m[1]!);
          for (const m of src.matchAll(/confirmThen\([^;]*?,\s*'([^']*)'\s*\);/g)) found.push(m[1]!);
          for (const m of src.matchAll(/command\('[^']+',[^;]*?,\s*'([^']*)'\s*\)/g)) found.push(m[1]!);
        }
      }
    };
    walk(MINIPROGRAM_ROOT);
    expect(found.length).toBeGreaterThan(8);
    expect(found.filter((t) => [...t].length > 7)).toEqual([]);
  });
});
