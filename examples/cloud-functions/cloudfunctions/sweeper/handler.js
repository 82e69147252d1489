// The `sweeper` cloud function's logic (a factory of its dependencies; index.js wires it).
//
// Every run: `sweep` sends EXPIRE / AUTO_CONFIRM to due orders (asking WeChat Pay first whether an
// unpaid order was paid after all), then `drainOutbox` delivers effects at least once. Handlers
// are idempotent by construction: the refund id is the out_refund_no, the shipping upload is the
// same payload again, a subscribe message with no subscription left (43101) counts as done. A
// handler that throws leaves its effect for a later run (with backoff), so a WeChat outage delays
// messages but never loses them. Several sweepers may run at once: orders and effects are leased.
function createSweeper(deps) {
  const { cloud, orderkit, wechatpay, wxCloud, settings, templates } = deps;
  const clock = deps.clock || { now: () => new Date() };
  const store = new wxCloud.WxCloudOrderStore(cloud.database(), {
    onPublishError: (error, orderId) => console.error('[sweeper] publishing a commit failed; it will be repaired', orderId, error),
  });
  const v3 = settings.payMode === 'v3';

  // Before an unpaid order expires: was its open attempt (the order number, or number-2, -3… after
  // 改价) paid after all (a lost notification)? A paid answer that cannot pay the order any more is
  // recorded by the service as a stray payment and refunded.
  const v3Query = v3
    ? wechatpay.createWechatPayQuery({
        mchid: settings.mchid,
        appid: settings.appid,
        send: (request) => deps.wechatpayClient.send(request),
        onError: (error, order) => console.error('[sweeper] payment query failed; the order expires as usual', order.number, error),
      })
    : null;
  const payments = {
    async query(order, attempt) {
      if (v3Query) return v3Query.query(order, attempt);
      const res = await cloud.cloudPay.queryOrder({ subMchId: settings.subMchId, outTradeNo: attempt.outTradeNo, nonceStr: wechatpay.createNonce() });
      if (!res || res.returnCode !== 'SUCCESS') return null;
      if (res.resultCode !== 'SUCCESS' || res.tradeState !== 'SUCCESS') return { paid: false };
      const paidAt = wechatpay.parseBeijingCompact(res.timeEnd);
      return { paid: true, amount: Number(res.totalFee), transactionId: res.transactionId, outTradeNo: attempt.outTradeNo, ...(paidAt ? { paidAt: paidAt.toISOString() } : {}) };
    },
  };
  // Stock (docs/inventory.md): an expired order gives back its units, and every sweep finishes holds
  // a crashed call left half done (reconcile). Same INVENTORY setting as `order`.
  const inventory = deps.inventory || (settings.inventory === false ? null : new wxCloud.WxCloudInventory(cloud.database()));
  const service = orderkit.createOrderService(inventory ? { store, clock, payments, inventory } : { store, clock, payments });

  // cloud.openapi by the name WeChat documents for the cloud call (e.g. 'wxa.sec.order.uploadShippingInfo').
  function openapi(path, payload) {
    let target = cloud.openapi;
    for (const part of path.split('.')) target = target && target[part];
    if (typeof target !== 'function') throw new Error(`cloud.openapi.${path} is not available: update wx-server-sdk and add it to config.json permissions`);
    return target(payload);
  }

  function checkCloudPay(res, what) {
    if (!res || res.returnCode !== 'SUCCESS' || res.resultCode !== 'SUCCESS') {
      throw new Error(`${what} failed: ${(res && (res.errCodeDes || res.errCode || res.returnMsg)) || 'no answer'}`);
    }
  }

  const handlers = {
    async notify(effect) {
      if (effect.to !== 'customer') return; // staff notifications: wire your own channel here
      const template = templates[effect.template];
      if (!template) return;
      const order = await service.get(effect.orderId);
      if (!order) return;
      const built = wechatpay.buildSubscribeMessage(template, order, { data: effect.data, miniprogramState: settings.miniprogramState });
      if (!built.ok) {
        // A template that does not fit the data is a configuration error: retrying cannot fix it.
        console.error('[sweeper] subscribe message not sent', effect.template, JSON.stringify(built.error));
        return;
      }
      const sent = await wechatpay.sendSubscribeMessage((m) => openapi('subscribeMessage.send', wechatpay.toCloudSubscribeMessage(m)), built.message);
      if (!sent.ok) throw sent.error;
    },

    async 'shipping.upload'(effect) {
      const order = await service.get(effect.orderId);
      if (!order) return;
      const options = { now: clock.now(), orderKey: 'transaction_id' };
      if (settings.shopPhone) options.consignorContact = settings.shopPhone;
      const built = wechatpay.buildShippingInfoFromEffect(order, effect, options);
      if (!built.ok) throw built.error;
      const res = await openapi('wxa.sec.order.uploadShippingInfo', built.payload);
      if (res && res.errcode) throw new Error(`upload_shipping_info: ${res.errcode} ${res.errmsg || ''}`);
    },

    async 'payment.refund'(effect) {
      if (v3) {
        const r = wechatpay.buildRefundRequestFromEffect(effect, settings.refundNotifyUrl ? { notifyUrl: settings.refundNotifyUrl } : {});
        if (!r.ok) throw r.error;
        await deps.wechatpayClient.send(r.request);
        return;
      }
      const ctx = cloud.getWXContext();
      const p = wechatpay.buildCloudPayRefund(effect, { subMchId: settings.subMchId, envId: ctx.ENV, functionName: settings.callbackFunction }, { nonce: wechatpay.createNonce() });
      if (!p.ok) throw p.error;
      checkCloudPay(await cloud.cloudPay.refund(p.params), 'cloudPay.refund');
    },

    async 'payment.close'(effect) {
      if (v3) {
        const r = wechatpay.buildCloseOrder(effect.outTradeNo, settings.mchid);
        if (!r.ok) throw r.error;
        await deps.wechatpayClient.send(r.request);
        return;
      }
      const res = await cloud.cloudPay.closeOrder({ subMchId: settings.subMchId, outTradeNo: effect.outTradeNo, nonceStr: wechatpay.createNonce() });
      // Already closed or never created: nothing left to close.
      if (res && res.resultCode !== 'SUCCESS' && res.errCode !== 'ORDERCLOSED' && res.errCode !== 'ORDERNOTEXIST') checkCloudPay(res, 'cloudPay.closeOrder');
    },

    // Coupons live in the shop's own collections: release them here. Stock given back by an
    // expired or refunded order goes to the inventory through the service's own handler (with
    // INVENTORY=off there is none, and this one records nothing).
    'inventory.release'() {},
    'coupon.release'() {},
    // Points live in the shop's member collection too (docs/pricing.md "Points after the order").
    'points.release'() {},
    'points.grant'() {},
    'points.clawback'() {},
  };

  if (inventory) delete handlers['inventory.release'];

  let ready = null;
  return async function main(event, context) {
    // Only the timer in config.json runs this function. Any signed-in mini program user can call a
    // cloud function by name (wx.cloud.callFunction), and such a call carries the user's OPENID;
    // the timer's carries none. A user's call would sweep, deliver the outbox and read the shop's
    // activity counts on demand: refused (docs/wechat.md, "Deployment (cloud functions)").
    const wx = cloud.getWXContext();
    if (wx && wx.OPENID) {
      return { ok: false, error: { code: 'FORBIDDEN', message: 'the sweeper runs on its timer only', messages: { 'zh-CN': '该云函数只由定时触发器调用', en: 'the sweeper runs on its timer only' }, path: [] } };
    }
    if (!ready) ready = Promise.all([store.ensureCollections(), inventory ? inventory.ensureCollections() : null]).catch((e) => ((ready = null), Promise.reject(e)));
    await ready;
    // The default timeout of a cloud function is 3 s: keep each run small; the next minute continues.
    const sweep = await service.sweep(clock.now(), { maxOrders: 100, batchSize: 50 });
    const drain = await service.drainOutbox(handlers, { limit: 50, maxBatches: 4 });
    if (sweep.corrupt.length > 0) console.error('[sweeper] corrupt orders', sweep.corrupt);
    return { sweep, drain };
  };
}

module.exports = { createSweeper };
