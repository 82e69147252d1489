// The `payCallback` cloud function's logic (a factory of its dependencies; index.js wires it).
//
// 1. cloud.cloudPay payment results: trusted only when getWXContext().SOURCE is 'wx_paycallback'
//    (anyone may call a cloud function; only WeChat Pay calls with that source). The v2 fields
//    become PAYMENT_SUCCEEDED and are dispatched once per transaction; the answer is
//    { errcode: 0 } only after the result is stored, so a failure makes WeChat call again.
// 2. cloud.cloudPay refund results: REFUND_SUCCEEDED / REFUND_FAILED for the refund id.
// 3. Pay v3 notifications over the HTTP access service: signature checked before anything is
//    decrypted, then the same dispatch; the HTTP answer is 204 or 4xx/5xx with FAIL JSON.
function createPayCallback(deps) {
  const { cloud, orderkit, wechatpay, wxCloud, settings } = deps;
  const clock = deps.clock || { now: () => new Date() };
  const store = new wxCloud.WxCloudOrderStore(cloud.database(), {
    onPublishError: (error, orderId) => console.error('[payCallback] publishing a commit failed; it will be repaired', orderId, error),
  });
  // 付款减库存 (docs/inventory.md): a payment takes the units of SKUs sold that way; one that finds
  // none closes the order as out_of_stock with a full refund. Same INVENTORY setting as `order`.
  const inventory = deps.inventory || (settings.inventory === false ? null : new wxCloud.WxCloudInventory(cloud.database()));
  const service = orderkit.createOrderService(inventory ? { store, clock, inventory } : { store, clock });
  const keyRing = Object.keys(settings.platformKeys || {}).length > 0 ? wechatpay.createKeyRing(settings.platformKeys) : null;
  if (keyRing && !keyRing.ok) console.error('[payCallback] WECHATPAY_PLATFORM_KEYS cannot be used', keyRing.error);

  // A refund id the order does not know will never become known: stop the retries, keep the log.
  const ACKNOWLEDGE = ['UNKNOWN_REFUND'];

  function log(label, result) {
    if (!result.ok) console.error(`[payCallback] ${label}`, JSON.stringify(result.error));
  }

  // cloudPay results name the merchant they are for; without SUB_MCH_ID nothing could be checked,
  // so none is applied: WeChat calls again once the setting is there (README, "Environment").
  const subMchIdMissing = {
    ok: false,
    error: {
      code: 'NOT_CONFIGURED',
      message: 'SUB_MCH_ID is not set: a cloudPay result cannot be checked against our merchant id',
      messages: { 'zh-CN': '未设置 SUB_MCH_ID：无法核对云支付结果所属的商户号', en: 'SUB_MCH_ID is not set: a cloudPay result cannot be checked against our merchant id' },
      path: ['SUB_MCH_ID'],
    },
  };

  async function cloudPayPayment(event, wx) {
    if (!settings.subMchId) {
      log('refused a payment callback', subMchIdMissing);
      return wechatpay.cloudPayReply(subMchIdMissing);
    }
    const notice = wechatpay.fromCloudPayCallback(event, wx, { subMchId: settings.subMchId });
    if (!notice.ok) {
      log('refused a payment callback', notice);
      return wechatpay.cloudPayReply(notice);
    }
    const applied = await wechatpay.applyPaymentNotice(service, notice, { gateway: 'cloudpay' });
    log(`payment ${notice.transactionId} for ${notice.outTradeNo}`, applied);
    return wechatpay.cloudPayReply(applied, { acknowledge: ACKNOWLEDGE });
  }

  async function cloudPayRefund(event, wx) {
    if (!settings.subMchId) {
      log('refused a refund callback', subMchIdMissing);
      return wechatpay.cloudPayReply(subMchIdMissing);
    }
    const notice = wechatpay.fromCloudPayRefundCallback(event, wx, { subMchId: settings.subMchId });
    if (!notice.ok) {
      log('refused a refund callback', notice);
      return wechatpay.cloudPayReply(notice);
    }
    const applied = await wechatpay.applyRefundNotice(service, notice, { gateway: 'cloudpay' });
    log(`refund ${notice.refundId}`, applied);
    return wechatpay.cloudPayReply(applied, { acknowledge: ACKNOWLEDGE });
  }

  async function v3Notification(event) {
    const rawBody = event.isBase64Encoded ? Buffer.from(String(event.body || ''), 'base64') : String(event.body || '');
    let outcome;
    if (!keyRing || !keyRing.ok) {
      outcome = { ok: false, error: { code: 'INVALID_CONFIG', message: 'WECHATPAY_PLATFORM_KEYS is not set' } };
    } else {
      const n = wechatpay.handleNotification({
        headers: event.headers,
        rawBody,
        keys: keyRing.keyRing,
        apiV3Key: settings.apiV3Key,
        now: clock.now(),
        expect: { mchid: settings.mchid, appid: settings.appid },
      });
      if (!n.ok) outcome = n;
      else if (n.kind === 'payment') outcome = await wechatpay.applyPaymentNotice(service, n, { gateway: 'wechatpay' });
      else outcome = await wechatpay.applyRefundNotice(service, n, { gateway: 'wechatpay' });
    }
    log('v3 notification', outcome);
    const reply = wechatpay.notificationResponse(outcome, { acknowledge: ACKNOWLEDGE });
    return { statusCode: reply.status, headers: reply.headers, body: reply.body, isBase64Encoded: false };
  }

  let ready = null;
  return async function main(event, context) {
    try {
      if (!ready) ready = Promise.all([store.ensureCollections(), inventory ? inventory.ensureCollections() : null]).catch((e) => ((ready = null), Promise.reject(e)));
      await ready;
      // The HTTP access service hands over the request: method, headers and the raw body.
      if (event && typeof event === 'object' && typeof event.httpMethod === 'string' && event.headers) return await v3Notification(event);
      const wx = cloud.getWXContext();
      const refund = event && typeof event === 'object' && (event.reqInfo !== undefined || event.refundStatus !== undefined || event.outRefundNo !== undefined);
      return await (refund ? cloudPayRefund(event, wx) : cloudPayPayment(event, wx));
    } catch (error) {
      // Storage down or similar: answer "not done" so WeChat Pay delivers the result again.
      console.error('[payCallback] failed', error);
      if (event && event.httpMethod) return { statusCode: 500, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ code: 'FAIL', message: 'INTERNAL_ERROR' }), isBase64Encoded: false };
      return { errcode: -1, errmsg: 'INTERNAL_ERROR' };
    }
  };
}

module.exports = { createPayCallback };
