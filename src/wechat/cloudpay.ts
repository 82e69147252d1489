import type { OrderkitError } from '../errors/orderkit-error.js';
import { PaymentSucceededSchema, RefundFailedSchema, RefundSucceededSchema, type CommandOf, type Effect, type Order } from '../order/index.js';
import { errorFromZod } from '../errors/zod-issues.js';
import { AN_OBJECT, A_RESULT, badArgument, isObject, reject, same, WECHAT_ERROR_TEXT } from './errors.js';
import { describeOrder, openPaymentAttempt } from './requests.js';
import { orderNumberFromOutTradeNo } from './resources.js';
import { isRecord } from './text.js';
import { formatBeijingCompact, parseBeijingCompact, parseBeijingDateTime } from './time.js';
import { ok, fail, type Result, type Failure } from '../errors/result.js';

/**
 * `cloud.cloudPay`: WeChat Pay through cloud development, without certificates. The payment result
 * arrives as a call of the cloud function named in `unifiedOrder`, with the v2 fields in camelCase.
 * Anyone who can call that function could forge such an event, so the only proof of origin is the
 * `SOURCE` that `cloud.getWXContext()` reports: `wx_paycallback`.
 */
export const CLOUDPAY_SOURCE = 'wx_paycallback';

/** cloudPay `outTradeNo`: letters, digits, `_` and `-` (no `*`), at most 32. */
export const CLOUDPAY_OUT_TRADE_NO = /^[0-9A-Za-z_-]{1,32}$/;

export interface CloudPayIdentity {
  /**
   * Our sub-merchant id (`subMchId`), checked when given: a payment or refund callback whose
   * `subMchId` (else `mchId`) is another, or that names none, is `MCHID_MISMATCH`.
   */
  subMchId?: string;
  /** Our AppID, checked against `subAppid`/`appid` when given. */
  appid?: string;
}

export interface CloudPayPaymentNotice {
  kind: 'payment';
  command: CommandOf<'PAYMENT_SUCCEEDED'>;
  outTradeNo: string;
  orderNumber: string;
  transactionId: string;
  payerOpenid?: string;
  attach?: string;
}

function checkSource(wxContext: unknown): Failure | null {
  const source = isRecord(wxContext) ? wxContext.SOURCE : undefined;
  if (source !== CLOUDPAY_SOURCE) {
    return reject('FORGED_CALLBACK', { path: ['wxContext', 'SOURCE'], detail: same(String(source).slice(0, 40)) });
  }
  return null;
}

function fen(value: unknown): number | null {
  const n = typeof value === 'string' && /^\d{1,15}$/.test(value) ? Number(value) : value;
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0 ? n : null;
}

function text(value: unknown, max: number): string | null {
  return typeof value === 'string' && value !== '' && value.length <= max ? value : null;
}

/**
 * Turns a `cloud.cloudPay` payment callback into `PAYMENT_SUCCEEDED`, after checking that it came
 * from WeChat Pay (`SOURCE === 'wx_paycallback'`) and succeeded (`returnCode` and `resultCode` are
 * SUCCESS). `totalFee` becomes the amount (fen), `timeEnd` (Beijing time) becomes `paidAt` in UTC.
 * The callback function must then answer `cloudPayAck()` (`{ errcode: 0 }`), or WeChat calls again.
 *
 * @example
 * async function main(event: unknown) {
 *   const r = fromCloudPayCallback(event, cloud.getWXContext(), { subMchId: '1900000109' });
 *   if (!r.ok) return cloudPayReply(r);
 *   return cloudPayReply(await applyPaymentNotice(service, r, { gateway: 'cloudpay' }));
 * }
 */
export function fromCloudPayCallback(
  event: unknown,
  wxContext: unknown,
  expect: CloudPayIdentity = {},
): Result<CloudPayPaymentNotice> {
  const forged = checkSource(wxContext);
  if (forged) return forged;
  if (!isRecord(event)) return reject('MALFORMED_CALLBACK', { path: ['event'], detail: same('not an object') });
  if (event.returnCode !== 'SUCCESS' || event.resultCode !== 'SUCCESS') {
    const why = event.returnCode !== 'SUCCESS' ? `returnCode ${String(event.returnCode)}` : `resultCode ${String(event.resultCode)} ${String(event.errCode ?? '')}`;
    return reject('PAYMENT_NOT_SUCCESSFUL', { path: ['event', event.returnCode !== 'SUCCESS' ? 'returnCode' : 'resultCode'], detail: same(why.slice(0, 60)) });
  }
  if (expect.subMchId !== undefined && String(event.subMchId ?? event.mchId) !== expect.subMchId) {
    return reject('MCHID_MISMATCH', { path: ['event', 'subMchId'], detail: same(`${String(event.subMchId).slice(0, 32)} ≠ ${expect.subMchId}`) });
  }
  if (expect.appid !== undefined && (event.subAppid ?? event.appid) !== expect.appid) {
    return reject('APPID_MISMATCH', { path: ['event', 'subAppid'], detail: same(`${String(event.subAppid ?? event.appid).slice(0, 32)} ≠ ${expect.appid}`) });
  }
  const outTradeNo = typeof event.outTradeNo === 'string' && CLOUDPAY_OUT_TRADE_NO.test(event.outTradeNo) ? event.outTradeNo : null;
  if (outTradeNo === null) return reject('MALFORMED_CALLBACK', { path: ['event', 'outTradeNo'], detail: same('1–32 of 0-9 A-Z a-z _ -') });
  const amount = fen(event.totalFee);
  if (amount === null) return reject('MALFORMED_CALLBACK', { path: ['event', 'totalFee'], detail: same('an integer number of fen') });
  if (event.feeType !== undefined && event.feeType !== 'CNY') return reject('MALFORMED_CALLBACK', { path: ['event', 'feeType'], detail: same('not CNY') });
  const transactionId = text(event.transactionId, 64);
  if (transactionId === null) return reject('MALFORMED_CALLBACK', { path: ['event', 'transactionId'], detail: same('missing') });
  let paidAt: string | undefined;
  if (event.timeEnd !== undefined) {
    const at = parseBeijingCompact(event.timeEnd);
    if (at === null) return reject('MALFORMED_CALLBACK', { path: ['event', 'timeEnd'], detail: same('expected yyyyMMddHHmmss') });
    paidAt = at.toISOString();
  }
  const command = PaymentSucceededSchema.safeParse({ type: 'PAYMENT_SUCCEEDED', amount, transactionId, outTradeNo, ...(paidAt ? { paidAt } : {}) });
  if (!command.success) return fail(errorFromZod('MALFORMED_CALLBACK', WECHAT_ERROR_TEXT.MALFORMED_CALLBACK, command.error, ['event']));
  const notice: CloudPayPaymentNotice = { kind: 'payment', command: command.data, outTradeNo, orderNumber: orderNumberFromOutTradeNo(outTradeNo), transactionId };
  const openid = event.subOpenid ?? event.openid;
  if (typeof openid === 'string') notice.payerOpenid = openid;
  if (typeof event.attach === 'string') notice.attach = event.attach;
  return ok(notice);
}

export interface CloudPayRefundNotice {
  kind: 'refund';
  command: CommandOf<'REFUND_SUCCEEDED'> | CommandOf<'REFUND_FAILED'>;
  refundId: string;
  outTradeNo?: string;
  orderNumber?: string;
  refundStatus: 'SUCCESS' | 'CHANGE' | 'REFUNDCLOSE';
}

/**
 * Turns a `cloud.cloudPay.refund` result callback into `REFUND_SUCCEEDED` (refundStatus SUCCESS) or
 * `REFUND_FAILED` (CHANGE: the money could not be credited; REFUNDCLOSE). The v2 refund fields may
 * sit on the event itself or under `reqInfo`; both are read. Same `SOURCE` check as payments.
 *
 * @example
 * declare const event: unknown;
 * const r = fromCloudPayRefundCallback(event, cloud.getWXContext());
 * if (r.ok) await applyRefundNotice(service, r, { gateway: 'cloudpay' });
 */
export function fromCloudPayRefundCallback(
  event: unknown,
  wxContext: unknown,
  expect: CloudPayIdentity = {},
): Result<CloudPayRefundNotice> {
  const forged = checkSource(wxContext);
  if (forged) return forged;
  if (!isRecord(event)) return reject('MALFORMED_CALLBACK', { path: ['event'], detail: same('not an object') });
  if (event.returnCode !== undefined && event.returnCode !== 'SUCCESS') {
    return reject('MALFORMED_CALLBACK', { path: ['event', 'returnCode'], detail: same(String(event.returnCode).slice(0, 32)) });
  }
  // The payment callback's check: with our sub-merchant expected, a callback naming another one,
  // or none, is not ours (a missing id was accepted before).
  if (expect.subMchId !== undefined && String(event.subMchId ?? event.mchId) !== expect.subMchId) {
    return reject('MCHID_MISMATCH', { path: ['event', 'subMchId'], detail: same(`${String(event.subMchId ?? event.mchId).slice(0, 32)} ≠ ${expect.subMchId}`) });
  }
  const info: Record<string, unknown> = isRecord(event.reqInfo) ? { ...event, ...event.reqInfo } : event;
  const refundId = text(info.outRefundNo, 64);
  if (refundId === null) return reject('MALFORMED_CALLBACK', { path: ['event', 'outRefundNo'], detail: same('missing') });
  const status = info.refundStatus;
  let command: CloudPayRefundNotice['command'];
  if (status === 'SUCCESS') {
    const amount = fen(info.refundFee);
    if (amount === null) return reject('MALFORMED_CALLBACK', { path: ['event', 'refundFee'], detail: same('an integer number of fen') });
    let succeededAt: string | undefined;
    if (info.successTime !== undefined) {
      const at = parseBeijingDateTime(info.successTime);
      if (at === null) return reject('MALFORMED_CALLBACK', { path: ['event', 'successTime'], detail: same('expected yyyy-MM-dd HH:mm:ss') });
      succeededAt = at.toISOString();
    }
    const gatewayRefundId = text(info.refundId, 64);
    const parsed = RefundSucceededSchema.safeParse({
      type: 'REFUND_SUCCEEDED',
      refundId,
      amount,
      ...(gatewayRefundId ? { gatewayRefundId } : {}),
      ...(succeededAt ? { succeededAt } : {}),
    });
    if (!parsed.success) return fail(errorFromZod('MALFORMED_CALLBACK', WECHAT_ERROR_TEXT.MALFORMED_CALLBACK, parsed.error, ['event']));
    command = parsed.data;
  } else if (status === 'CHANGE' || status === 'REFUNDCLOSE') {
    const reason = status === 'CHANGE' ? 'CHANGE: the refund could not be credited to the user (退款异常)' : 'REFUNDCLOSE: the refund was closed (退款关闭)';
    const gatewayRefundId = text(info.refundId, 64);
    const parsed = RefundFailedSchema.safeParse({
      type: 'REFUND_FAILED',
      refundId,
      reason,
      gatewayStatus: status === 'CHANGE' ? 'ABNORMAL' : 'CLOSED',
      ...(gatewayRefundId ? { gatewayRefundId } : {}),
    });
    if (!parsed.success) return fail(errorFromZod('MALFORMED_CALLBACK', WECHAT_ERROR_TEXT.MALFORMED_CALLBACK, parsed.error, ['event']));
    command = parsed.data;
  } else {
    return reject('UNKNOWN_REFUND_STATUS', { path: ['event', 'refundStatus'], detail: same(String(status).slice(0, 32)) });
  }
  const notice: CloudPayRefundNotice = { kind: 'refund', command, refundId, refundStatus: status };
  if (typeof info.outTradeNo === 'string') {
    notice.outTradeNo = info.outTradeNo;
    notice.orderNumber = orderNumberFromOutTradeNo(info.outTradeNo);
  }
  return ok(notice);
}

/** What a cloudPay callback function returns once the result is safely stored. */
export function cloudPayAck(): { errcode: 0; errmsg: string } {
  return { errcode: 0, errmsg: 'OK' };
}

/**
 * The callback function's return value for a result: `{ errcode: 0 }` on success (WeChat stops
 * calling), otherwise a non-zero errcode so that WeChat calls again later. Codes in `acknowledge`
 * are answered with success (a failure that retrying cannot fix).
 *
 * @example
 * return cloudPayReply(await service.dispatch(orderId, r.command, actor));
 */
export function cloudPayReply(
  result: { ok: boolean; error?: { code: string } },
  options: { acknowledge?: readonly string[] } = {},
): { errcode: number; errmsg: string } {
  if (!isObject(result) || typeof result.ok !== 'boolean') throw badArgument('cloudPayReply', 'result', A_RESULT);
  if (!isObject(options)) throw badArgument('cloudPayReply', 'options', AN_OBJECT);
  if (options.acknowledge !== undefined && !Array.isArray(options.acknowledge)) throw badArgument('cloudPayReply', 'options.acknowledge', { 'zh-CN': '错误码数组', en: 'an array of codes' });
  if (result.ok) return cloudPayAck();
  const code = isObject(result.error) && typeof result.error.code === 'string' ? result.error.code : 'FAILED';
  if (options.acknowledge?.includes(code)) return cloudPayAck();
  return { errcode: -1, errmsg: code };
}

/** Cut to at most `max` UTF-8 bytes on a character boundary (v2 fields count bytes). */
function cutUtf8(value: string, max: number): string {
  let out = '';
  let bytes = 0;
  for (const ch of value) {
    const n = Buffer.byteLength(ch, 'utf8');
    if (bytes + n > max) break;
    out += ch;
    bytes += n;
  }
  return out;
}

export interface CloudPayOrderConfig {
  subMchId: string;
  /** Cloud environment and function that receive the payment callback. */
  envId: string;
  functionName: string;
  /** The payer's IP; cloud functions get it from `getWXContext().CLIENTIP`. Default '127.0.0.1'. */
  spbillCreateIp?: string;
  /** Default: like the v3 description; cut to 128 UTF-8 bytes. */
  body?: string;
  /** Default: the order id (≤ 127 bytes). `false` for none. */
  attach?: string | false;
}

/** The parameters of `cloud.cloudPay.unifiedOrder` (camelCase v2 fields). */
export interface CloudPayUnifiedOrderParams {
  body: string;
  outTradeNo: string;
  spbillCreateIp: string;
  subMchId: string;
  totalFee: number;
  envId: string;
  functionName: string;
  nonceStr: string;
  tradeType: 'JSAPI';
  timeExpire?: string;
  attach?: string;
}

/**
 * The `cloud.cloudPay.unifiedOrder` parameters for the order's open payment attempt. Its result's
 * `payment` object is what the page passes to `wx.requestPayment`.
 *
 * @example
 * const p = buildCloudPayUnifiedOrder(order, { subMchId, envId, functionName: 'payCallback' }, { nonce: createNonce() });
 * if (p.ok) { const res = await cloud.cloudPay.unifiedOrder(p.params); return res.payment; }
 */
export function buildCloudPayUnifiedOrder(
  order: Order,
  config: CloudPayOrderConfig,
  options: { nonce: string },
): Result<{ params: CloudPayUnifiedOrderParams }> {
  for (const field of ['subMchId', 'envId', 'functionName'] as const) {
    if (typeof config?.[field] !== 'string' || config[field] === '') return reject('INVALID_CONFIG', { path: ['config', field], detail: same(`${field} is required`) });
  }
  if (typeof options?.nonce !== 'string' || !/^[0-9A-Za-z]{1,32}$/.test(options.nonce)) {
    return reject('INVALID_REQUEST', { path: ['nonce'], detail: same('1–32 letters or digits') });
  }
  if (order.status !== 'pending_payment') return reject('ORDER_NOT_PAYABLE', { path: ['order', 'status'], detail: same(order.status) });
  const attempt = openPaymentAttempt(order);
  if (!attempt) return reject('NO_OPEN_PAYMENT_ATTEMPT', { path: ['order', 'payment', 'attempts'] });
  if (!CLOUDPAY_OUT_TRADE_NO.test(attempt.outTradeNo)) {
    return reject('INVALID_OUT_TRADE_NO', { path: ['order', 'payment', 'attempts'], detail: same(`${attempt.outTradeNo.slice(0, 40)} (cloudPay refuses *)`) });
  }
  if (attempt.amount <= 0) return reject('NOTHING_TO_PAY', { path: ['order', 'payment', 'attempts'] });
  const params: CloudPayUnifiedOrderParams = {
    body: cutUtf8((config.body ?? describeOrder(order)).trim(), 128) || order.number,
    outTradeNo: attempt.outTradeNo,
    spbillCreateIp: config.spbillCreateIp ?? '127.0.0.1',
    subMchId: config.subMchId,
    totalFee: attempt.amount,
    envId: config.envId,
    functionName: config.functionName,
    nonceStr: options.nonce,
    tradeType: 'JSAPI',
  };
  if (order.deadlines.payBy) params.timeExpire = formatBeijingCompact(new Date(order.deadlines.payBy));
  const attach = config.attach === undefined ? order.id : config.attach;
  if (attach !== false) {
    if (Buffer.byteLength(attach, 'utf8') > 127) return reject('INVALID_CONFIG', { path: ['config', 'attach'], detail: same('at most 127 bytes') });
    params.attach = attach;
  }
  return ok({ params });
}

/** The parameters of `cloud.cloudPay.refund` for an outbox `payment.refund` effect. */
export interface CloudPayRefundParams {
  subMchId: string;
  nonceStr: string;
  outRefundNo: string;
  totalFee: number;
  refundFee: number;
  envId: string;
  functionName: string;
  outTradeNo?: string;
  transactionId?: string;
  refundDesc?: string;
}

/**
 * `cloud.cloudPay.refund` parameters for a `payment.refund` effect: the refund id is reused on every
 * retry (WeChat refunds an `outRefundNo` once), `totalFee` is the original payment's total.
 *
 * @example
 * declare const refundEffect: Extract<Effect, { type: 'payment.refund' }>;
 * const p = buildCloudPayRefund(refundEffect, { subMchId, envId, functionName: 'refundCallback' }, { nonce: createNonce() });
 * if (p.ok) await cloud.cloudPay.refund(p.params);
 */
export function buildCloudPayRefund(
  effect: Extract<Effect, { type: 'payment.refund' }>,
  config: { subMchId: string; envId: string; functionName: string },
  options: { nonce: string },
): Result<{ params: CloudPayRefundParams }> {
  if (effect?.type !== 'payment.refund') return reject('INVALID_REQUEST', { path: ['effect', 'type'], detail: same('expected a payment.refund effect') });
  for (const field of ['subMchId', 'envId', 'functionName'] as const) {
    if (typeof config?.[field] !== 'string' || config[field] === '') return reject('INVALID_CONFIG', { path: ['config', field], detail: same(`${field} is required`) });
  }
  if (typeof options?.nonce !== 'string' || !/^[0-9A-Za-z]{1,32}$/.test(options.nonce)) {
    return reject('INVALID_REQUEST', { path: ['nonce'], detail: same('1–32 letters or digits') });
  }
  if (effect.abnormal !== undefined) {
    // An ABNORMAL (CHANGE) refund is sent again by the abnormal-refund request, which cloudPay does
    // not offer. A plain refund under the same outRefundNo would only read the old refund back:
    // nothing would be re-sent, and the entry would wait for a result that never comes.
    return reject('INVALID_REQUEST', {
      path: ['effect', 'abnormal'],
      detail: {
        'zh-CN': '云支付没有异常退款接口：请在商户平台对该退款发起异常退款',
        en: 'cloudPay has no abnormal-refund request: send it again from the merchant platform',
      },
    });
  }
  if (!(effect.amount > 0) || effect.amount > effect.total) {
    return reject('INVALID_REQUEST', { path: ['effect', 'amount'], detail: same(`refund ${effect.amount} must be > 0 and ≤ ${effect.total}`) });
  }
  const params: CloudPayRefundParams = {
    subMchId: config.subMchId,
    nonceStr: options.nonce,
    outRefundNo: effect.refundId,
    totalFee: effect.total,
    refundFee: effect.amount,
    envId: config.envId,
    functionName: config.functionName,
  };
  if (effect.transactionId) params.transactionId = effect.transactionId;
  else params.outTradeNo = effect.outTradeNo;
  const desc = cutUtf8(effect.reason.trim(), 80);
  if (desc) params.refundDesc = desc;
  return ok({ params });
}
