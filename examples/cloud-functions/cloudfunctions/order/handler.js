// The `order` cloud function's logic, as a factory of its dependencies so that it runs unchanged
// in a cloud function (index.js) and in tests (a test double of the database, a stubbed `cloud`).
//
// Every action answers `{ ok: true, ... }` or `{ ok: false, error }`, where `error` is an
// orderkit error as JSON (`code`, `messages['zh-CN']`, `path`…). The shopper is always the OPENID
// that WeChat puts into the call: an order id from the page is never trusted by itself.
const MAX_QUANTITY = 99;
// After-sale photos (docs/mini-program.md "After-sale photos"): at most 9 file ids of this
// environment's cloud storage, each under the order's own folder, so a shopper cannot attach
// someone else's files.
const MAX_PHOTOS = 9;
const { deleteOrder } = require('wx-orderkit/advanced');
const { traceShipment } = require('wx-orderkit/tracking');
const HOUR = 3600000;
const SHOP_OFFSET = 8 * HOUR; // Asia/Shanghai, no daylight saving

// One-hour slots, 09:00–21:00 shop time, from the first whole hour after the lead time.
function slotsFrom(now, window) {
  const out = [];
  const iso = (ms) => new Date(ms + SHOP_OFFSET).toISOString().slice(0, 19) + '+08:00';
  const until = now.getTime() + (window.maxDaysAhead || 7) * 24 * HOUR;
  for (let t = Math.ceil((now.getTime() + (window.leadMinutes || 0) * 60000) / HOUR) * HOUR; t < until && out.length < 24; t += HOUR) {
    const h = new Date(t + SHOP_OFFSET).getUTCHours();
    if (h >= 9 && h < 21) out.push({ start: iso(t), end: iso(t + HOUR) });
  }
  return out;
}

// A pickup code from Node's cryptographic source (cloud functions may run a Node without a global crypto).
function cryptoPickupCode() {
  return String(require('crypto').randomInt(0, 1000000)).padStart(6, '0');
}

function createOrderFunction(deps) {
  const { cloud, orderkit, wechatpay, wxCloud, settings, shop } = deps;
  const clock = deps.clock || { now: () => new Date() };
  const random = deps.random || Math.random;
  const store = new wxCloud.WxCloudOrderStore(cloud.database(), {
    onPublishError: (error, orderId) => console.error('[order] publishing a commit failed; it will be repaired', orderId, error),
  });
  const policy = shop.policy || orderkit.defaultPolicy;
  const rules = orderkit.definePricingRules(shop.rules);
  // Stock (docs/inventory.md): a WxCloudInventory on the same database holds each order's units
  // with it; the quote then shows what is left and the 限购. `shop.stock` sets up the SKUs it does
  // not know yet on a fresh instance. INVENTORY=off (settings.inventory false) runs without stock.
  const inventory = deps.inventory || (settings.inventory === false ? null : new wxCloud.WxCloudInventory(cloud.database()));
  // The shop's lifecycle (orderkit's commands plus its own, `createLifecycle`), or orderkit's. The
  // service runs it and the views list its buttons, so a command the shop adds shows on the pages
  // and is sent through the `command` action below without a change to the mini program.
  // This demo adds 删除订单 (DELETE_ORDER, opt-in) to orderkit's commands.
  const lifecycle = shop.lifecycle || orderkit.createLifecycle({ commands: [...orderkit.orderCommands, deleteOrder] });
  // The logistics provider (docs/tracking.md): the shop's TrackingPort, or none (查看物流 then says
  // the trace is unavailable and shows the carrier and number only).
  const tracking = deps.tracking || shop.tracking || null;
  // Optional stored balance (余额, docs/payment-sources.md): a WxCloudBalance on the same database.
  // The quote then says what the shopper holds, and `place` takes `useBalance` (fen) for that part.
  const balance = deps.balance || null;
  const ids = { pickupCode: deps.pickupCode || cryptoPickupCode };
  const serviceOptions = { store, clock, policy, lifecycle, ids };
  if (inventory) serviceOptions.inventory = inventory;
  if (balance) serviceOptions.balance = balance;
  const service = orderkit.createOrderService(serviceOptions);
  const deliveryRules = shop.delivery || {};

  function fail(code, zh, en, details, path) {
    return { ok: false, error: { code, message: en, messages: { 'zh-CN': zh, en }, path: path || [], ...(details ? { details } : {}) } };
  }

  function failFrom(error) {
    if (error && typeof error.toJSON === 'function' && typeof error.code === 'string') return { ok: false, error: error.toJSON() };
    console.error('[order] unexpected error', error);
    return fail('INTERNAL_ERROR', '服务暂时不可用，请稍后再试', 'the service is unavailable, please try again');
  }

  const customer = (ctx) => ({ type: 'customer', id: ctx.openid });
  const view = (order, ctx) => orderkit.orderView(order, { actor: customer(ctx), now: ctx.now, policy, lifecycle });

  // Prices come from the catalogue: the page sends only SKUs and quantities.
  function cartFrom(items) {
    if (!Array.isArray(items) || items.length === 0 || items.length > 50) {
      return { error: fail('INVALID_CART', '购物车为空或商品过多', 'the cart is empty or too long') };
    }
    const lines = [];
    for (let i = 0; i < items.length; i++) {
      const item = items[i] || {};
      const product = Object.prototype.hasOwnProperty.call(shop.catalogue, item.sku) ? shop.catalogue[item.sku] : null;
      if (!product) return { error: fail('UNKNOWN_SKU', `商品 ${String(item.sku)} 已下架`, `unknown product ${String(item.sku)}`, { index: i }) };
      const quantity = Number(item.quantity);
      if (!Number.isInteger(quantity) || quantity < 1 || quantity > MAX_QUANTITY) {
        return { error: fail('INVALID_QUANTITY', `数量须为 1 到 ${MAX_QUANTITY}`, `quantity must be 1 to ${MAX_QUANTITY}`, { index: i }) };
      }
      const line = { id: `L${i + 1}`, sku: item.sku, title: product.title, listPrice: product.price, quantity };
      if (product.category) line.category = product.category;
      if (product.image) line.image = product.image;
      if (product.fulfillment) line.fulfillment = product.fulfillment;
      lines.push(line);
    }
    return { cart: { lines } };
  }

  // The quote the shopper sees: the best coupons by default, or the ones they picked.
  function price(event, ctx) {
    const built = cartFrom(event.cart);
    if (built.error) return built;
    const wallet = shop.walletFor(ctx.openid);
    const best = orderkit.bestCoupons(built.cart, wallet, rules, { now: ctx.now });
    if (!best.ok) return { error: { ok: false, error: best.error.toJSON() } };
    let quote = best.quote;
    if (Array.isArray(event.couponIds)) {
      const chosen = wallet.filter((c) => event.couponIds.indexOf(c.id) >= 0);
      const priced = orderkit.priceCart({ ...built.cart, coupons: chosen }, rules, { now: ctx.now });
      if (!priced.ok) return { error: { ok: false, error: priced.error.toJSON() } };
      quote = priced.quote;
    }
    // 配送方式: local courier and pickup replace the freight (docs/delivery.md); express keeps it.
    if (event.delivery && typeof event.delivery === 'object') {
      // The distance of a local delivery is the shop's measurement from the address, never the page's.
      if (event.delivery.mode === 'local' && event.delivery.distance !== undefined) {
        return {
          error: fail('FORBIDDEN', '同城配送距离以店铺的测量为准，请选择配送区域', "the distance of a local delivery is the shop's measurement: choose a zone", undefined, ['delivery', 'distance']),
        };
      }
      const delivered = orderkit.priceDelivery(quote, event.delivery, deliveryRules, { now: ctx.now });
      if (!delivered.ok) return { error: { ok: false, error: delivered.error.toJSON() } };
      quote = delivered.quote;
    }
    return { quote, best, wallet };
  }

  async function ownOrder(event, ctx) {
    if (typeof event.orderId !== 'string' || event.orderId === '') return { error: fail('INVALID_INPUT', '缺少订单号', 'orderId is required') };
    const order = await service.get(event.orderId);
    // Someone else's order looks exactly like a missing one, to reads and to commands alike.
    if (!order || order.customerId !== ctx.openid) return { error: notFound() };
    // Deleted by this shopper (an old link, a second device): said plainly, to them only.
    if (order.deletedByCustomerAt !== undefined) return { error: fail('ORDER_DELETED', '订单已删除', 'the order was deleted') };
    return { order };
  }

  function notFound() {
    return fail('ORDER_NOT_FOUND', '订单不存在', 'order not found');
  }

  // Every shopper command goes through the ownership check first: another shopper's order answers
  // ORDER_NOT_FOUND here as it does to `get`, never FORBIDDEN (which would say that it exists).
  // `checked`: the caller already ran ownOrder for this event.
  async function dispatch(event, ctx, command, checked) {
    if (!checked) {
      const own = await ownOrder(event, ctx);
      if (own.error) return own.error;
    }
    const r = await service.dispatch(event.orderId, command, customer(ctx));
    if (!r.ok && (r.error.code === 'FORBIDDEN' || r.error.code === 'ORDER_NOT_FOUND')) return notFound();
    return r.ok ? { ok: true, order: view(r.order, ctx) } : { ok: false, error: r.error.toJSON() };
  }

  // The fee of a local delivery goes by the zone, and each zone is named after the district (区县) it
  // covers (shop.js): the zone must be the one the address lies in, or a shopper in a dearer district
  // could pick a cheaper zone (docs/delivery.md "In the examples"). A zone the rules do not list is
  // left to orderkit (DELIVERY_ZONE_UNKNOWN).
  function outsideZone(delivery, address) {
    if (!delivery || typeof delivery !== 'object' || delivery.mode !== 'local' || typeof delivery.zone !== 'string') return null;
    const zones = (deliveryRules.local && deliveryRules.local.zones) || [];
    const zone = zones.find((z) => z.id === delivery.zone);
    if (!zone) return null;
    const district = address && typeof address === 'object' && typeof address.district === 'string' ? address.district : '';
    if (district !== '' && (zone.name || zone.id) === district) return null;
    return { zone: zone.id, named: zone.name || zone.id, district };
  }

  // At checkout: the chosen zone must cover the address.
  function zoneMismatch(delivery, address) {
    const out = outsideZone(delivery, address);
    if (!out) return null;
    const { named, district } = out;
    return fail(
      'DELIVERY_ZONE_MISMATCH',
      district ? `配送区域 ${named} 不含收货地址所在的 ${district}，请选择地址所在的区域` : `收货地址缺少区县，无法确认是否在配送区域 ${named} 内`,
      district ? `delivery zone ${named} does not cover the address's district ${district}: choose the zone the address is in` : `the address names no district, so it cannot be in delivery zone ${named}`,
      { zone: out.zone, ...(district ? { district } : {}) },
      ['delivery', 'zone'],
    );
  }

  // Moving an order priced by its zone: the new address must stay in it, or a shopper could place
  // to a cheap district and then move the order to a dear one.
  function addressLeavesZone(delivery, address) {
    const out = outsideZone(delivery, address);
    if (!out) return null;
    const { named, district } = out;
    return fail(
      'DELIVERY_ZONE_MISMATCH',
      `新地址${district ? `（${district}）` : ''}不在本单的配送区域 ${named} 内，同城配送的费用按区域计算`,
      `the new address${district ? ` (${district})` : ''} is outside this order's delivery zone ${named}: a local delivery is priced by its zone`,
      { zone: out.zone, ...(district ? { district } : {}) },
      ['address', 'district'],
    );
  }

  // Physical goods go to an address: refused before anything is written (docs/mini-program.md).
  // Physical goods need an address, unless the shopper collects them at a store (docs/delivery.md).
  function needsAddress(quote) {
    if (quote.delivery && quote.delivery.mode === 'pickup') return false;
    return quote.lines.some((l) => l.fulfillment !== 'virtual');
  }

  function photosFrom(event) {
    if (event.photos === undefined || event.photos === null) return { photos: [] };
    if (!Array.isArray(event.photos)) return { error: fail('INVALID_PHOTOS', '图片格式不正确', 'photos must be a list of file ids', undefined, ['photos']) };
    if (event.photos.length > MAX_PHOTOS) {
      return { error: fail('TOO_MANY_PHOTOS', `最多上传 ${MAX_PHOTOS} 张图片`, `at most ${MAX_PHOTOS} photos`, { max: MAX_PHOTOS, got: event.photos.length }, ['photos']) };
    }
    const folder = `/after-sale/${event.orderId}/`;
    for (let i = 0; i < event.photos.length; i++) {
      const id = event.photos[i];
      // cloud://<environment>/after-sale/<orderId>/<name>: the folder right after the environment,
      // and one file name in it. Finding the folder anywhere in the id let another order's file
      // through (cloud://…/after-sale/<theirs>/p.jpg?/after-sale/<mine>/).
      const host = typeof id === 'string' && id.startsWith('cloud://') ? id.indexOf('/', 'cloud://'.length) : -1;
      const name = host > 'cloud://'.length && id.startsWith(folder, host) ? id.slice(host + folder.length) : '';
      if (typeof id !== 'string' || id.length > 512 || !/^[^/?#\\]+$/.test(name) || name === '.' || name === '..') {
        return { error: fail('INVALID_PHOTOS', '图片未上传成功，请重新选择', `photos[${i}] is not a file id of this order's upload folder`, undefined, ['photos', i]) };
      }
    }
    return { photos: event.photos.slice() };
  }

  async function payByCloudPay(order, ctx) {
    const params = wechatpay.buildCloudPayUnifiedOrder(
      order,
      { subMchId: settings.subMchId, envId: ctx.wx.ENV, functionName: settings.callbackFunction, spbillCreateIp: ctx.wx.CLIENTIP || '127.0.0.1' },
      { nonce: wechatpay.createNonce() },
    );
    if (!params.ok) return { ok: false, error: params.error.toJSON() };
    const res = await cloud.cloudPay.unifiedOrder(params.params);
    if (!res || res.returnCode !== 'SUCCESS' || res.resultCode !== 'SUCCESS' || !res.payment) {
      console.error('[order] cloudPay.unifiedOrder failed', res);
      return fail('PAYMENT_UNAVAILABLE', '暂时无法发起支付，请稍后再试', 'the payment could not be started', { returnMsg: res && (res.errCodeDes || res.returnMsg) });
    }
    return { ok: true, payment: res.payment };
  }

  async function payByV3(order, ctx) {
    const prepay = wechatpay.buildJsapiPrepay(order, { appid: settings.appid, mchid: settings.mchid, notifyUrl: settings.notifyUrl });
    if (!prepay.ok) return { ok: false, error: prepay.error.toJSON() };
    const answer = await deps.wechatpayClient.send(prepay.request);
    const params = wechatpay.buildRequestPaymentParams(answer.prepay_id, { appid: settings.appid, privateKey: settings.privateKey }, { nonce: wechatpay.createNonce(), timestamp: ctx.now });
    return params.ok ? { ok: true, payment: params.params } : { ok: false, error: params.error.toJSON() };
  }

  // What the checkout offers: the modes, the zones and stores, and the next slots.
  function deliveryOptions(ctx) {
    const modes = ['express'];
    const out = { modes };
    if (deliveryRules.local) {
      modes.push('local');
      out.local = { zones: deliveryRules.local.zones || [], slots: slotsFrom(ctx.now, deliveryRules.local) };
    }
    if (deliveryRules.pickup) {
      modes.push('pickup');
      out.pickup = { stores: deliveryRules.pickup.stores, slots: slotsFrom(ctx.now, deliveryRules.pickup) };
    }
    return out;
  }

  const actions = {
    async quote(event, ctx) {
      const p = price(event, ctx);
      if (p.error) return p.error;
      const coupons = orderkit.couponOptionsView({ wallet: p.wallet, best: p.best, shown: p.quote, definitions: shop.rules.coupons });
      const answer = { ok: true, quote: orderkit.quoteView(p.quote), coupons, needsAddress: needsAddress(p.quote), delivery: p.quote.delivery || { mode: 'express' }, deliveryOptions: deliveryOptions(ctx) };
      if (inventory) {
        answer.stock = [];
        for (const line of p.quote.lines) {
          const level = await inventory.level(line.sku);
          if (level) answer.stock.push(Object.assign({ sku: line.sku, available: level.available }, level.limit ? { perCustomer: level.limit.perCustomer } : {}));
        }
      }
      if (balance) answer.balance = orderkit.moneyView(await balance.balanceOf(ctx.openid));
      return answer;
    },

    async place(event, ctx) {
      const p = price(event, ctx);
      if (p.error) return p.error;
      // The order number doubles as the order id: payment and refund results name the number.
      const number = orderkit.createOrderNumber({ now: ctx.now, random, timeZone: policy.timeZone });
      const input = { id: number, number, customerId: ctx.openid, quote: p.quote };
      if (event.address) input.address = event.address;
      else if (needsAddress(p.quote)) {
        return fail('ADDRESS_REQUIRED', '请选择收货地址', 'a delivery address is required for physical goods', undefined, ['address']);
      }
      const mismatch = zoneMismatch(event.delivery, event.address);
      if (mismatch) return mismatch;
      if (typeof event.remark === 'string' && event.remark.trim()) input.buyerRemark = event.remark.trim().slice(0, 200);
      // 余额 + 微信支付: the page sends how many fen to take from the balance; orderkit checks the sum.
      if (event.useBalance !== undefined && event.useBalance !== 0) input.payWith = { balance: event.useBalance };
      const key = typeof event.idempotencyKey === 'string' && event.idempotencyKey ? `place:${ctx.openid}:${event.idempotencyKey}` : undefined;
      const r = await service.place(input, key ? { idempotencyKey: key } : {});
      return r.ok ? { ok: true, order: view(r.order, ctx) } : { ok: false, error: r.error.toJSON() };
    },

    async pay(event, ctx) {
      const own = await ownOrder(event, ctx);
      if (own.error) return own.error;
      // Paid meanwhile, or nothing to pay: no payment sheet, the page shows the order.
      if (own.order.status !== 'pending_payment') return { ok: true, order: view(own.order, ctx), payment: null };
      return settings.payMode === 'v3' ? payByV3(own.order, ctx) : payByCloudPay(own.order, ctx);
    },

    async get(event, ctx) {
      const own = await ownOrder(event, ctx);
      return own.error ? own.error : { ok: true, order: view(own.order, ctx) };
    },

    // 查看物流: the trace of one parcel from the shop's tracking provider.
    async trace(event, ctx) {
      const own = await ownOrder(event, ctx);
      if (own.error) return own.error;
      const shipments = own.order.shipments;
      const shipmentId = typeof event.shipmentId === 'string' && event.shipmentId ? event.shipmentId : shipments.length ? shipments[shipments.length - 1].id : '';
      if (!tracking) return fail('TRACKING_UNAVAILABLE', '物流查询暂时不可用，请稍后重试', 'no tracking provider is configured');
      const r = await traceShipment(own.order, shipmentId, tracking, { timeZone: policy.timeZone, timeoutMs: 5000 });
      return r.ok ? { ok: true, trace: r.trace } : { ok: false, error: r.error.toJSON() };
    },

    async list(event, ctx) {
      const tab = orderkit.orderListTab(typeof event.tab === 'string' ? event.tab : 'all');
      const limit = Math.min(100, Math.max(1, Number(event.limit) || 20));
      const query = { customerId: ctx.openid, limit, cursor: typeof event.cursor === 'string' ? event.cursor : null };
      if (tab.statuses) query.status = tab.statuses.slice();
      const page = await service.list(query);
      // Orders the shopper deleted are left out (a page may then hold fewer than `limit`).
      const items = page.items.filter((o) => o.deletedByCustomerAt === undefined && orderkit.orderMatchesTab(o, tab.key)).map((o) => orderkit.orderListItemView(o, { actor: customer(ctx), now: ctx.now, policy, lifecycle }));
      return { ok: true, items, nextCursor: page.nextCursor, tabs: orderkit.orderListTabsView(await countTabs(ctx.openid)) };
    },

    async refundQuote(event, ctx) {
      const own = await ownOrder(event, ctx);
      if (own.error) return own.error;
      const request = { kind: event.kind };
      if (Array.isArray(event.items) && event.items.length > 0) request.items = event.items;
      const r = orderkit.refundQuote(own.order, request, { now: ctx.now, policy });
      return r.ok ? { ok: true, quote: orderkit.refundQuoteView(r.quote) } : { ok: false, error: r.error.toJSON() };
    },

    cancel: (event, ctx) => dispatch(event, ctx, { type: 'CANCEL', ...(event.reason ? { reason: String(event.reason).slice(0, 200) } : {}) }),
    confirmReceipt: (event, ctx) => dispatch(event, ctx, { type: 'CONFIRM_RECEIPT' }),
    requestAfterSale: (event, ctx) => {
      const photos = photosFrom(event);
      if (photos.error) return photos.error;
      return dispatch(event, ctx, {
        type: 'REQUEST_AFTER_SALE',
        kind: event.kind,
        reason: event.reason,
        ...(Array.isArray(event.items) && event.items.length ? { items: event.items } : {}),
        ...(photos.photos.length ? { photos: photos.photos } : {}),
      });
    },
    // 删除订单: hidden from this shopper's list; the shop and the analytics keep it.
    deleteOrder: (event, ctx) => dispatch(event, ctx, { type: 'DELETE_ORDER' }),
    cancelAfterSale: (event, ctx) => dispatch(event, ctx, { type: 'CANCEL_AFTER_SALE', afterSaleId: event.afterSaleId }),
    returnShipped: (event, ctx) =>
      dispatch(event, ctx, { type: 'RETURN_SHIPPED', afterSaleId: event.afterSaleId, trackingNo: event.trackingNo, expressCompany: event.expressCompany }),
    changeAddress: async (event, ctx) => {
      const own = await ownOrder(event, ctx);
      if (own.error) return own.error;
      const moved = addressLeavesZone(own.order.delivery, event.address);
      if (moved) return moved;
      return dispatch(event, ctx, { type: 'CHANGE_ADDRESS', address: event.address }, true);
    },
    // After-sales depth (docs/after-sales.md): the shopper's answers to a 协商 offer, an exchange.
    acceptRefundProposal: (event, ctx) => dispatch(event, ctx, { type: 'ACCEPT_REFUND_PROPOSAL', afterSaleId: event.afterSaleId }),
    declineRefundProposal: (event, ctx) =>
      dispatch(event, ctx, { type: 'DECLINE_REFUND_PROPOSAL', afterSaleId: event.afterSaleId, ...(event.reason ? { reason: String(event.reason).slice(0, 200) } : {}) }),
    requestExchange: (event, ctx) => dispatch(event, ctx, { type: 'REQUEST_EXCHANGE', items: event.items, reason: event.reason }),

    // Any button of the view that needs no form: the page sends the button's command type (and
    // its after-sale). Only a command the view offers this shopper is sent, so this action never
    // does more than the buttons show; the service then checks the command against the lifecycle.
    async command(event, ctx) {
      const type = event.command && typeof event.command.type === 'string' ? event.command.type : '';
      const afterSaleId = typeof event.command?.afterSaleId === 'string' ? event.command.afterSaleId : undefined;
      const own = await ownOrder(event, ctx);
      if (own.error) return own.error;
      const shown = view(own.order, ctx);
      const buttons = afterSaleId === undefined ? shown.actions : (shown.afterSales.find((a) => a.id === afterSaleId) || { actions: [] }).actions;
      if (!buttons.some((b) => b.command === type)) {
        return fail('COMMAND_NOT_OFFERED', '该操作当前不可用', `${type || 'this command'} is not offered on this order now`, { type });
      }
      return dispatch(event, ctx, afterSaleId === undefined ? { type } : { type, afterSaleId }, true);
    },

    // Staff only (MERCHANT_OPENIDS): ship a parcel. Shipping info is uploaded by the sweeper.
    async ship(event, ctx) {
      if (settings.merchantOpenids.indexOf(ctx.openid) < 0) return fail('FORBIDDEN', '只有商家可以发货', 'only the shop may ship');
      const command = { type: 'SHIP', logisticsType: event.logisticsType || 'express' };
      for (const k of ['trackingNo', 'expressCompany', 'items', 'shipmentId']) if (event[k] !== undefined) command[k] = event[k];
      const r = await service.dispatch(event.orderId, command, { type: 'merchant', id: ctx.openid });
      return r.ok ? { ok: true, order: orderkit.orderView(r.order, { actor: { type: 'merchant', id: ctx.openid }, now: ctx.now, policy, lifecycle }) } : { ok: false, error: r.error.toJSON() };
    },
  };
  // Names from the brief, kept as aliases.
  actions.price = actions.quote;
  actions.confirm = actions.confirmReceipt;
  actions.afterSale = actions.requestAfterSale;

  async function countTabs(openid) {
    const db = cloud.database();
    const _ = db.command;
    const orders = db.collection(store.names.orders);
    const counts = {};
    await Promise.all(
      orderkit.ORDER_LIST_TABS.map(async (t) => {
        const where = { customerId: openid, deletedByCustomerAt: _.exists(false) };
        if (t.statuses) where.status = _.in(t.statuses.slice());
        if (t.afterSale) where['afterSales.0'] = _.exists(true);
        counts[t.key] = (await orders.where(where).count()).total;
      }),
    );
    return counts;
  }

  async function prepare() {
    await store.ensureCollections();
    if (balance && typeof balance.ensureCollections === 'function') await balance.ensureCollections();
    if (!inventory) return;
    if (typeof inventory.ensureCollections === 'function') await inventory.ensureCollections();
    for (const setup of shop.stock || []) {
      if (!(await inventory.level(setup.sku))) await inventory.configure(setup);
    }
  }

  let ready = null;
  return async function main(event, context) {
    const wx = cloud.getWXContext();
    if (!wx.OPENID) return fail('UNAUTHENTICATED', '请在小程序内调用', 'call this function from the mini program');
    const name = event && typeof event.action === 'string' ? event.action : '';
    if (!Object.prototype.hasOwnProperty.call(actions, name)) return fail('UNKNOWN_ACTION', `不支持的操作 ${name}`, `unknown action ${name}`);
    try {
      // Collections are created on the first call of a fresh instance, not on every call.
      if (!ready) ready = prepare().catch((e) => ((ready = null), Promise.reject(e)));
      await ready;
      return await actions[name](event, { openid: wx.OPENID, wx, now: clock.now(), context });
    } catch (error) {
      return failFrom(error);
    }
  };
}

module.exports = { createOrderFunction };
