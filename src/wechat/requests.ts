import { sourceByTransaction } from '../refund/routes.js';
import type { OrderkitError } from '../errors/orderkit-error.js';
import type { Effect, Order, PaymentAttempt, Refund } from '../order/index.js';
import { AN_OBJECT, AN_ORDER, badArgument, isObject, reject, same } from './errors.js';
import { charLength, cutChars } from './text.js';
import { formatRfc3339 } from './time.js';
import { ok, fail, type Result, type Failure } from '../errors/result.js';

/**
 * Pay v3 requests as plain data. orderkit never sends anything: you sign the request with
 * `signRequest` and send it with the HTTP client you already use, so there is no SDK, no hidden
 * network call and nothing to mock in a test.
 */
export interface WechatPayRequest {
  method: 'GET' | 'POST';
  /** Path and query, relative to the Pay API host; this exact text is signed. */
  path: string;
  /** JSON body for POST requests; send `JSON.stringify(body)` (what `signRequest` signs). */
  body?: Record<string, unknown>;
  /**
   * Extra headers to send: `Wechatpay-Serial` names the platform key that encrypted sensitive
   * fields (the abnormal-refund request's bank account and name).
   */
  headers?: Record<string, string>;
}

export type RequestResult = Result<{ request: WechatPayRequest }>;

/** WeChat Pay's `out_trade_no` alphabet (cloudPay refuses `*`; orderkit's numbers never use it). */
export const WECHATPAY_OUT_TRADE_NO = /^[0-9A-Za-z_\-*]{1,32}$/;
const MCHID = /^\d{6,32}$/;
const APPID = /^[\x21-\x7e]{1,32}$/;
const NOTIFY_URL = /^https:\/\/[^\s?#]{1,248}$/;

export interface JsapiPrepayConfig {
  appid: string;
  mchid: string;
  /** HTTPS, reachable from the internet, without a query string. */
  notifyUrl: string;
  /** Default: the first line's title, plus '等N件' for more lines; cut to 127 characters. */
  description?: string | ((order: Order) => string);
  /** Zone of `time_expire`'s offset. Default 'Asia/Shanghai' (+08:00). */
  timeZone?: string;
  /** `attach` (≤ 128 characters, returned in the notification). Default: the order id; `false` for none. */
  attach?: string | false;
  /** The payer's openid. Default `order.customerId` (orderkit's convention in mini programs). */
  openid?: string;
}

function badConfig(field: string, en: string): Failure {
  return reject('INVALID_CONFIG', { path: ['config', field], detail: same(`${field}: ${en}`) });
}

/** Enough of an order to read: its lines, its payment's attempts, its refunds. */
function isOrderLike(order: unknown): order is Order {
  return (
    isObject(order) &&
    typeof order.number === 'string' &&
    Array.isArray(order.lines) &&
    Array.isArray(order.refunds) &&
    isObject(order.payment) &&
    Array.isArray(order.payment.attempts) &&
    order.lines.every((l: unknown) => isObject(l) && typeof l.title === 'string' && Number.isSafeInteger(l.quantity))
  );
}

/** The payment attempt a new prepay should collect: the latest open one. */
export function openPaymentAttempt(order: Order): PaymentAttempt | undefined {
  if (!isOrderLike(order)) throw badArgument('openPaymentAttempt', 'order', AN_ORDER);
  const attempts = order.payment.attempts;
  for (let i = attempts.length - 1; i >= 0; i--) if (isObject(attempts[i]) && attempts[i]!.status === 'open') return attempts[i];
  return undefined;
}

/** Default prepay description: '有机燕麦片 1kg 等3件', cut to 127 characters. */
export function describeOrder(order: Order): string {
  if (!isOrderLike(order)) throw badArgument('describeOrder', 'order', AN_ORDER);
  const first = order.lines[0]?.title ?? order.number;
  const units = order.lines.reduce((n, l) => n + l.quantity, 0);
  return cutChars(order.lines.length > 1 || units > 1 ? `${first} 等${units}件` : first, 127);
}

/**
 * `POST /v3/pay/transactions/jsapi` for the order's open payment attempt: `out_trade_no` is the
 * attempt's (never the order number blindly, because WeChat refuses a reused `out_trade_no` with a
 * different amount), `amount.total` its amount in fen, `payer.openid` the customer, `time_expire`
 * the pay-by deadline as RFC 3339 with +08:00.
 *
 * @example
 * const r = buildJsapiPrepay(order, { appid, mchid, notifyUrl: 'https://shop.example/wechatpay/notify' });
 * if (!r.ok) return r; // ORDER_NOT_PAYABLE, NO_OPEN_PAYMENT_ATTEMPT, NOTHING_TO_PAY, …
 * const s = signRequest({ ...r.request, mchid, serialNo, privateKey, nonce: createNonce(), timestamp: new Date() });
 */
export function buildJsapiPrepay(order: Order, config: JsapiPrepayConfig): RequestResult {
  if (typeof config !== 'object' || config === null) return badConfig('config', 'required');
  if (typeof config.appid !== 'string' || !APPID.test(config.appid)) return badConfig('appid', 'required');
  if (typeof config.mchid !== 'string' || !MCHID.test(config.mchid)) return badConfig('mchid', 'digits');
  if (typeof config.notifyUrl !== 'string' || !NOTIFY_URL.test(config.notifyUrl)) return badConfig('notifyUrl', 'an https URL without a query string');
  if (order.status !== 'pending_payment') {
    return reject('ORDER_NOT_PAYABLE', { path: ['order', 'status'], detail: same(order.status), details: { status: order.status } });
  }
  const attempt = openPaymentAttempt(order);
  if (!attempt) return reject('NO_OPEN_PAYMENT_ATTEMPT', { path: ['order', 'payment', 'attempts'] });
  if (!WECHATPAY_OUT_TRADE_NO.test(attempt.outTradeNo)) {
    return reject('INVALID_OUT_TRADE_NO', { path: ['order', 'payment', 'attempts'], detail: same(attempt.outTradeNo.slice(0, 40)) });
  }
  if (attempt.amount <= 0) return reject('NOTHING_TO_PAY', { path: ['order', 'payment', 'attempts'] });
  const openid = config.openid ?? order.customerId;
  if (typeof openid !== 'string' || openid === '') return reject('MISSING_OPENID', { path: ['order', 'customerId'] });

  let description: string;
  try {
    description = typeof config.description === 'function' ? config.description(order) : (config.description ?? describeOrder(order));
  } catch (e) {
    return badConfig('description', e instanceof Error ? e.message : 'the description function failed');
  }
  description = cutChars(String(description).trim(), 127);
  if (description === '') description = cutChars(order.number, 127);

  const body: Record<string, unknown> = {
    appid: config.appid,
    mchid: config.mchid,
    description,
    out_trade_no: attempt.outTradeNo,
    notify_url: config.notifyUrl,
    amount: { total: attempt.amount, currency: 'CNY' },
    payer: { openid },
  };
  if (order.deadlines.payBy) {
    const payBy = new Date(order.deadlines.payBy);
    try {
      body.time_expire = formatRfc3339(payBy, config.timeZone ?? 'Asia/Shanghai');
    } catch {
      return badConfig('timeZone', 'not an IANA time zone');
    }
  }
  const attach = config.attach === undefined ? order.id : config.attach;
  if (attach !== false) {
    if (charLength(attach) > 128) return badConfig('attach', 'at most 128 characters');
    body.attach = attach;
  }
  return ok({ request: { method: 'POST', path: '/v3/pay/transactions/jsapi', body } });
}

const REFUND_REASON_TEXT: Record<Refund['reason'], string> = {
  after_sale: '售后退款',
  merchant_cancel: '商家取消订单退款',
  late_payment: '订单已关闭，退回支付款',
  stray_payment: '无效支付退回',
  gateway: '退款',
  out_of_stock: '库存不足，全额退款',
};

export interface RefundRequestConfig {
  /** HTTPS URL for refund notifications. Optional in WeChat, but without it you must poll. */
  notifyUrl?: string;
  /** Shown to the user (≤ 80 characters). Default: a zh-CN text from `refund.reason`. */
  reason?: string;
  /** 'AVAILABLE' to refund from the available balance; default WeChat's (unsettled funds). */
  fundsAccount?: 'AVAILABLE';
  /**
   * For an ABNORMAL refund sent to the shopper's new card (`USER_BANK_CARD`): the bank type and the
   * account number and name, each already encrypted with the platform public key
   * (`encryptSensitiveField`), and the serial / `PUB_KEY_ID` of that key. Asked of the shopper when
   * the merchant handles the refund; never stored in the order or the outbox.
   */
  userBankCard?: { bankType: string; bankAccount: string; realName: string; platformSerial: string };
}

function refundBody(
  ids: { transactionId?: string | undefined; outTradeNo?: string | undefined; refundId: string },
  amounts: { refund: number; total: number },
  reason: string,
  config: RefundRequestConfig,
): RequestResult {
  if (config.notifyUrl !== undefined && !NOTIFY_URL.test(config.notifyUrl)) return badConfig('notifyUrl', 'an https URL without a query string');
  if (!/^[0-9A-Za-z_\-|*@]{1,64}$/.test(ids.refundId)) {
    return reject('INVALID_REQUEST', { path: ['refund', 'id'], detail: same('out_refund_no must be 1–64 of 0-9 A-Z a-z _ - | * @') });
  }
  if (!(amounts.refund > 0) || amounts.refund > amounts.total) {
    return reject('INVALID_REQUEST', {
      path: ['refund', 'amount'],
      detail: same(`refund ${amounts.refund} must be > 0 and ≤ the original total ${amounts.total}`),
    });
  }
  const body: Record<string, unknown> = {};
  if (ids.transactionId) body.transaction_id = ids.transactionId;
  else if (ids.outTradeNo) body.out_trade_no = ids.outTradeNo;
  else return reject('MISSING_TRANSACTION_ID', { path: ['refund'], detail: same('neither transaction_id nor out_trade_no is known') });
  body.out_refund_no = ids.refundId;
  const text = cutChars(reason.trim(), 80);
  if (text !== '') body.reason = text;
  if (config.notifyUrl) body.notify_url = config.notifyUrl;
  if (config.fundsAccount) body.funds_account = config.fundsAccount;
  body.amount = { refund: amounts.refund, total: amounts.total, currency: 'CNY' };
  return ok({ request: { method: 'POST', path: '/v3/refund/domestic/refunds', body } });
}

/**
 * `POST /v3/refund/domestic/refunds` for a ledger entry: `out_refund_no` is the refund's id, stored
 * before the call and reused on every retry, so a retry can never refund twice; `amount.total` is
 * the original payment's total, as WeChat requires. A success reply only means "accepted": the
 * result arrives by notification (`handleRefundNotification`) or query (`buildQueryRefund`).
 *
 * @example
 * const r = buildRefundRequest(order.refunds[0], order, { notifyUrl: 'https://shop.example/wechatpay/refund' });
 */
export function buildRefundRequest(refund: Refund, order: Order, config: RefundRequestConfig = {}): RequestResult {
  if (!isObject(refund) || typeof refund.id !== 'string') return fail(badArgument('buildRefundRequest', 'refund', { 'zh-CN': '台账中的退款', en: 'a ledger refund' }));
  if (!isOrderLike(order)) return fail(badArgument('buildRefundRequest', 'order', AN_ORDER));
  if (!isObject(config)) return fail(badArgument('buildRefundRequest', 'config', AN_OBJECT));
  const known = order.refunds.find((r) => r.id === refund.id);
  if (!known) return reject('REFUND_NOT_FOUND', { path: ['refund', 'id'], detail: same(refund.id) });
  if (refund.status === 'succeeded') {
    return reject('INVALID_REQUEST', { path: ['refund', 'status'], detail: same('the refund already succeeded') });
  }
  if (sourceByTransaction(order, refund.transactionId)?.kind === 'balance') {
    // The balance's share of a refund goes back through the balance port (docs/payment-sources.md), never to WeChat Pay.
    return reject('INVALID_REQUEST', { path: ['refund', 'transactionId'], detail: same('this refund goes back to the stored balance, not to WeChat Pay') });
  }
  const outTradeNo = refund.outTradeNo ?? order.payment.outTradeNo;
  const transactionId = refund.transactionId ?? (outTradeNo === order.payment.outTradeNo ? order.payment.transactionId : undefined);
  const stray = order.payment.stray.find((s) => s.refundId === refund.id);
  const attempt = order.payment.attempts.find((a) => a.outTradeNo === outTradeNo);
  const total = stray ? stray.amount : (attempt?.amount ?? order.payment.paidAmount);
  return refundBody(
    { transactionId: stray ? stray.transactionId : transactionId, outTradeNo: stray ? stray.outTradeNo : outTradeNo, refundId: refund.id },
    { refund: refund.amount, total },
    config.reason ?? REFUND_REASON_TEXT[refund.reason],
    config,
  );
}

/**
 * The refund request for an outbox `payment.refund` effect (what a worker drains): the effect
 * already carries the refund id, the transaction and the original total.
 *
 * @example
 * handlers['payment.refund'] = async (effect) => send(buildRefundRequestFromEffect(effect, { notifyUrl }));
 */
export function buildRefundRequestFromEffect(effect: Extract<Effect, { type: 'payment.refund' }>, config: RefundRequestConfig = {}): RequestResult {
  if (effect?.type !== 'payment.refund') return reject('INVALID_REQUEST', { path: ['effect', 'type'], detail: same('expected a payment.refund effect') });
  if (effect.abnormal !== undefined) return buildAbnormalRefund(effect.refundId, effect.abnormal, config);
  return refundBody(
    { transactionId: effect.transactionId, outTradeNo: effect.outTradeNo, refundId: effect.refundId },
    { refund: effect.amount, total: effect.total },
    config.reason ?? effect.reason,
    config,
  );
}

const REFUND_NO = /^[0-9A-Za-z_\-|*@]{1,64}$/;

/**
 * `POST /v3/refund/domestic/refunds/{refund_id}/apply-abnormal-refund` (发起异常退款): an ABNORMAL
 * refund sent again, to the merchant's bank card (`MERCHANT_BANK_CARD`) or to a new card of the
 * shopper's (`USER_BANK_CARD`, with `config.userBankCard`). `refund_id` is WeChat's own refund
 * id, which the ABNORMAL notification carried (`gatewayRefundId`).
 *
 * @example
 * buildAbnormalRefund('NO123R1', { type: 'MERCHANT_BANK_CARD', gatewayRefundId: '50000000382019052709732678859' })
 */
export function buildAbnormalRefund(
  refundId: string,
  abnormal: { type: 'USER_BANK_CARD' | 'MERCHANT_BANK_CARD'; gatewayRefundId?: string | undefined },
  config: RefundRequestConfig = {},
): RequestResult {
  if (typeof refundId !== 'string' || !REFUND_NO.test(refundId)) {
    return reject('INVALID_REQUEST', { path: ['refund', 'id'], detail: same('out_refund_no must be 1–64 of 0-9 A-Z a-z _ - | * @') });
  }
  const gatewayRefundId = abnormal?.gatewayRefundId;
  if (typeof gatewayRefundId !== 'string' || !/^[0-9A-Za-z]{1,64}$/.test(gatewayRefundId)) {
    return reject('INVALID_REQUEST', {
      path: ['effect', 'abnormal', 'gatewayRefundId'],
      detail: { 'zh-CN': '缺少微信支付退款单号 refund_id：请先查询退款单', en: "WeChat's refund_id is missing: query the refund first" },
    });
  }
  const body: Record<string, unknown> = { out_refund_no: refundId, type: abnormal.type };
  const request: WechatPayRequest = { method: 'POST', path: `/v3/refund/domestic/refunds/${gatewayRefundId}/apply-abnormal-refund`, body };
  if (abnormal.type === 'USER_BANK_CARD') {
    const card = config.userBankCard;
    if (card === undefined || [card.bankType, card.bankAccount, card.realName, card.platformSerial].some((v) => typeof v !== 'string' || v === '')) {
      return badConfig('userBankCard', 'USER_BANK_CARD needs bankType, bankAccount, realName (encrypted) and platformSerial');
    }
    body.bank_type = card.bankType;
    body.bank_account = card.bankAccount;
    body.real_name = card.realName;
    request.headers = { 'Wechatpay-Serial': card.platformSerial };
  } else if (abnormal.type !== 'MERCHANT_BANK_CARD') {
    return reject('INVALID_REQUEST', { path: ['effect', 'abnormal', 'type'], detail: same('USER_BANK_CARD or MERCHANT_BANK_CARD') });
  }
  return ok({ request });
}

function checkTradeIds(outTradeNo: unknown, mchid: unknown): Failure | null {
  if (typeof outTradeNo !== 'string' || !WECHATPAY_OUT_TRADE_NO.test(outTradeNo)) {
    return reject('INVALID_OUT_TRADE_NO', { path: ['outTradeNo'], detail: same(String(outTradeNo).slice(0, 40)) });
  }
  if (typeof mchid !== 'string' || !MCHID.test(mchid)) return badConfig('mchid', 'digits');
  return null;
}

/**
 * `POST /v3/pay/transactions/out-trade-no/{out_trade_no}/close`: closes an unpaid attempt (what a
 * `payment.close` effect asks for, after 改价 or a timeout).
 *
 * @example
 * buildCloseOrder('202611251200004821937465', '1900000109')
 */
export function buildCloseOrder(outTradeNo: string, mchid: string): RequestResult {
  const bad = checkTradeIds(outTradeNo, mchid);
  if (bad) return bad;
  return ok({ request: { method: 'POST', path: `/v3/pay/transactions/out-trade-no/${outTradeNo}/close`, body: { mchid } } });
}

/**
 * `GET /v3/pay/transactions/out-trade-no/{out_trade_no}?mchid=…`: asks whether an attempt was paid
 * (before a sweep expires it). Parse the answer with `parsePaymentResource`.
 *
 * @example
 * buildQueryOrder('202611251200004821937465', '1900000109')
 */
export function buildQueryOrder(outTradeNo: string, mchid: string): RequestResult {
  const bad = checkTradeIds(outTradeNo, mchid);
  if (bad) return bad;
  return ok({ request: { method: 'GET', path: `/v3/pay/transactions/out-trade-no/${outTradeNo}?mchid=${mchid}` } });
}

/**
 * `GET /v3/refund/domestic/refunds/{out_refund_no}`: a refund's result when no notification came.
 * Parse the answer with `parseRefundResource`.
 *
 * @example
 * buildQueryRefund('202611251200004821937465R1')
 */
export function buildQueryRefund(outRefundNo: string): RequestResult {
  if (typeof outRefundNo !== 'string' || !/^[0-9A-Za-z_\-|*@]{1,64}$/.test(outRefundNo)) {
    return reject('INVALID_REQUEST', { path: ['outRefundNo'], detail: same('1–64 of 0-9 A-Z a-z _ - | * @') });
  }
  return ok({ request: { method: 'GET', path: `/v3/refund/domestic/refunds/${outRefundNo}` } });
}
