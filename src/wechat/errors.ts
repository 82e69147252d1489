import { OrderkitError, type IssuePath } from '../errors/orderkit-error.js';
import { fail, type Failure } from '../errors/result.js';

/**
 * Every rejection the WeChat module hands out, with its zh-CN and en text in one table so that the
 * same failure reads the same wherever it happens. Codes are stable: switch on them, log them,
 * map them to HTTP statuses (`notificationResponse` does).
 */
export const WECHAT_ERROR_TEXT = {
  // Notification signature checks (verify before anything else).
  MISSING_HEADER: { 'zh-CN': '缺少微信支付签名头', en: 'a WeChat Pay signature header is missing' },
  MALFORMED_HEADER: { 'zh-CN': '微信支付签名头格式不正确', en: 'a WeChat Pay signature header is malformed' },
  STALE_TIMESTAMP: { 'zh-CN': '通知时间戳与当前时间相差超过允许范围', en: 'the notification timestamp is outside the allowed window' },
  SIGNATURE_PROBE: { 'zh-CN': '这是微信支付的签名探测请求，按约定应拒绝', en: 'this is a WeChat Pay signature probe, which must be rejected' },
  UNKNOWN_SERIAL: { 'zh-CN': '未找到 Wechatpay-Serial 对应的平台证书或公钥', en: 'no platform certificate or public key matches Wechatpay-Serial' },
  KEY_EXPIRED: { 'zh-CN': '平台证书不在有效期内', en: 'the platform certificate is not valid at this time' },
  INVALID_KEY: { 'zh-CN': '平台证书或公钥无法解析', en: 'a platform certificate or public key cannot be parsed' },
  BAD_SIGNATURE: { 'zh-CN': '签名验证失败', en: 'the signature does not verify' },
  MALFORMED_BODY: { 'zh-CN': '通知报文不是合法的 JSON 通知', en: 'the body is not a valid JSON notification' },
  UNEXPECTED_EVENT_TYPE: { 'zh-CN': '通知类型与预期不符', en: 'the notification is of an unexpected event type' },
  // Resource decryption.
  UNSUPPORTED_ALGORITHM: { 'zh-CN': '不支持的加密算法', en: 'unsupported encryption algorithm' },
  INVALID_API_V3_KEY: { 'zh-CN': 'APIv3 密钥必须是 32 字节', en: 'the APIv3 key must be 32 bytes' },
  DECRYPT_FAILED: { 'zh-CN': '通知资源解密失败（密钥错误或密文被篡改）', en: 'the resource does not decrypt (wrong key or tampered ciphertext)' },
  MALFORMED_RESOURCE: { 'zh-CN': '解密后的资源格式不正确', en: 'the decrypted resource is malformed' },
  CERTIFICATE_DOWNLOAD_FAILED: { 'zh-CN': '平台证书下载失败，继续使用现有证书', en: 'downloading the platform certificates failed: the current ones stay in use' },
  // Business checks of a verified notification.
  MCHID_MISMATCH: { 'zh-CN': '商户号与本商户不一致', en: 'the merchant id (mchid) is not ours' },
  APPID_MISMATCH: { 'zh-CN': 'AppID 与本小程序不一致', en: 'the appid is not ours' },
  PAYMENT_NOT_SUCCESSFUL: { 'zh-CN': '交易状态不是支付成功', en: 'the trade state is not SUCCESS' },
  UNKNOWN_REFUND_STATUS: { 'zh-CN': '无法识别的退款状态', en: 'unrecognised refund status' },
  REFUND_IN_PROGRESS: { 'zh-CN': '退款仍在处理中，尚无结果', en: 'the refund is still processing: no result yet' },
  FORGED_CALLBACK: { 'zh-CN': '回调不是来自微信支付（SOURCE 不是 wx_paycallback）', en: 'the callback did not come from WeChat Pay (SOURCE is not wx_paycallback)' },
  MALFORMED_CALLBACK: { 'zh-CN': '云支付回调字段不正确', en: 'the cloudPay callback fields are malformed' },
  // Request builders.
  INVALID_CONFIG: { 'zh-CN': '微信支付配置不完整或不正确', en: 'the WeChat Pay configuration is incomplete or invalid' },
  ORDER_NOT_PAYABLE: { 'zh-CN': '订单当前状态不能发起支付', en: 'the order cannot be paid in its current status' },
  NO_OPEN_PAYMENT_ATTEMPT: { 'zh-CN': '订单没有进行中的支付单', en: 'the order has no open payment attempt' },
  NOTHING_TO_PAY: { 'zh-CN': '订单应付金额为 0，无需支付', en: 'the order total is 0: nothing to pay' },
  INVALID_OUT_TRADE_NO: { 'zh-CN': '商户订单号须为 1–32 位数字、字母、_、-、*', en: 'out_trade_no must be 1–32 of 0-9 A-Z a-z _ - *' },
  MISSING_OPENID: { 'zh-CN': '缺少付款人 openid', en: 'the payer openid is missing' },
  INVALID_PRIVATE_KEY: { 'zh-CN': '商户私钥无法解析或不能签名', en: 'the merchant private key cannot be parsed or cannot sign' },
  INVALID_REQUEST: { 'zh-CN': '请求参数不正确', en: 'invalid request parameters' },
  INVALID_ARGUMENT: { 'zh-CN': '调用参数的类型不正确（程序错误）', en: 'an argument is of the wrong type (a programming error)' },
  UNKNOWN_ORDER: { 'zh-CN': '没有这个订单号的订单', en: 'no order has this order number' },
  REFUND_NOT_FOUND: { 'zh-CN': '订单中没有这笔退款', en: 'the order has no such refund' },
  // Daily bills and reconciliation (对账).
  BILL_MALFORMED: { 'zh-CN': '对账单格式不正确', en: 'the bill is malformed' },
  BILL_TRUNCATED: { 'zh-CN': '对账单不完整（缺少汇总）', en: 'the bill is truncated (no totals)' },
  BILL_TOTALS_MISMATCH: { 'zh-CN': '对账单汇总与明细不符（文件被截断或篡改）', en: 'the bill totals do not match its rows (truncated or altered)' },
  BILL_HASH_MISMATCH: { 'zh-CN': '对账单文件的摘要与微信支付给出的不一致', en: 'the bill file does not match the hash WeChat Pay gave' },
  BILL_DATE_MISMATCH: { 'zh-CN': '对账单不是所请求日期的', en: 'the bill is not for the requested day' },
  BILL_MERCHANT_MISMATCH: { 'zh-CN': '对账单属于其他商户', en: 'the bill belongs to another merchant' },
  BILL_DOWNLOAD_FAILED: { 'zh-CN': '对账单下载失败', en: 'downloading the bill failed' },
  // Shipping info.
  SHIPMENT_NOT_FOUND: { 'zh-CN': '订单中没有这个包裹', en: 'the order has no such shipment' },
  ORDER_NOT_PAID: { 'zh-CN': '订单尚未支付，不能录入发货信息', en: 'the order is not paid: shipping info cannot be uploaded' },
  MISSING_TRANSACTION_ID: { 'zh-CN': '缺少微信支付单号', en: 'the WeChat Pay transaction id is missing' },
  MISSING_TRACKING_NUMBER: { 'zh-CN': '快递发货必须填写运单号', en: 'an express shipment needs a tracking number' },
  MISSING_EXPRESS_COMPANY: { 'zh-CN': '快递发货必须填写快递公司编码', en: 'an express shipment needs an express company code' },
  TOO_MANY_PACKAGES: { 'zh-CN': '一笔支付单最多分拆为 15 个包裹', en: 'a payment can be split into at most 15 packages' },
  SPLIT_REQUIRES_EXPRESS: { 'zh-CN': '分拆发货仅支持快递物流', en: 'split delivery is only allowed for express shipments' },
  MISSING_CONTACT: { 'zh-CN': '该快递公司要求填写联系电话', en: 'this express company needs a contact phone number' },
  // Subscribe messages.
  SUBSCRIBE_FIELD_INVALID: { 'zh-CN': '订阅消息字段不符合模板要求', en: 'a subscribe-message field breaks its template rule' },
  SUBSCRIBE_SEND_FAILED: { 'zh-CN': '订阅消息发送失败', en: 'sending the subscribe message failed' },
} as const;

export type WechatErrorCode = keyof typeof WECHAT_ERROR_TEXT;

/** Every stable code this module can return. */
export const WECHAT_ERROR_CODES = Object.keys(WECHAT_ERROR_TEXT) as WechatErrorCode[];

export interface WechatErrorExtra {
  path?: IssuePath;
  /** What exactly was wrong, appended to both messages. */
  detail?: { 'zh-CN': string; en: string };
  details?: Record<string, unknown>;
}

/** The OrderkitError for a WeChat code, optionally with a detail sentence appended. */
export function wechatError(code: WechatErrorCode, extra: WechatErrorExtra = {}): OrderkitError {
  if (typeof code !== 'string' || !Object.prototype.hasOwnProperty.call(WECHAT_ERROR_TEXT, code)) throw badArgument('wechatError', 'code', ONE_OF_THE_CODES);
  if (!isObject(extra)) throw badArgument('wechatError', 'extra', AN_OBJECT);
  const d = extra.detail;
  if (d !== undefined && !(isObject(d) && typeof d['zh-CN'] === 'string' && typeof d.en === 'string')) throw badArgument('wechatError', 'extra.detail', { 'zh-CN': '{ zh-CN, en } 文本', en: 'a { zh-CN, en } text' });
  if (extra.path !== undefined && !Array.isArray(extra.path)) throw badArgument('wechatError', 'extra.path', { 'zh-CN': '数组', en: 'an array' });
  if (extra.details !== undefined && !isObject(extra.details)) throw badArgument('wechatError', 'extra.details', AN_OBJECT);
  const base = WECHAT_ERROR_TEXT[code];
  const message = extra.detail
    ? { 'zh-CN': `${base['zh-CN']}：${extra.detail['zh-CN']}`, en: `${base.en}: ${extra.detail.en}` }
    : { 'zh-CN': base['zh-CN'], en: base.en };
  return new OrderkitError({
    code,
    message,
    ...(extra.path ? { path: extra.path } : {}),
    ...(extra.details ? { details: extra.details } : {}),
  });
}

/** What an argument should have been, in both languages. */
export interface Expected {
  'zh-CN': string;
  en: string;
}
export const AN_OBJECT: Expected = { 'zh-CN': '对象', en: 'an object' };
export const A_STRING: Expected = { 'zh-CN': '字符串', en: 'a string' };
export const A_VALID_DATE: Expected = { 'zh-CN': '有效的 Date', en: 'a valid Date' };
export const A_RESULT: Expected = { 'zh-CN': '结果对象 { ok, error? }', en: 'a result { ok, error? }' };
export const AN_ORDER: Expected = { 'zh-CN': '订单对象', en: 'an order' };
const ONE_OF_THE_CODES: Expected = { 'zh-CN': 'WECHAT_ERROR_CODES 之一', en: 'one of WECHAT_ERROR_CODES' };

/** A non-null object (arrays included). */
export function isObject(value: unknown): value is Record<string, any> {
  return typeof value === 'object' && value !== null;
}

/** A Date whose time is a number. */
export function isValidDateValue(value: unknown): value is Date {
  return value instanceof Date && !Number.isNaN(value.getTime());
}

/**
 * `INVALID_ARGUMENT`: a public function got an argument of the wrong type (undefined, null, a
 * number for an object…). A programming error: functions that return a Result return it as
 * `{ ok: false, error }`, the others throw it (docs/wechat.md "Arguments of the wrong type").
 */
export function badArgument(fn: string, argument: string, expected: Expected): OrderkitError {
  return new OrderkitError({
    code: 'INVALID_ARGUMENT',
    message: {
      'zh-CN': `${WECHAT_ERROR_TEXT.INVALID_ARGUMENT['zh-CN']}：${fn} 的 ${argument} 应为${expected['zh-CN']}`,
      en: `${WECHAT_ERROR_TEXT.INVALID_ARGUMENT.en}: ${fn}: ${argument} must be ${expected.en}`,
    },
    path: [argument],
  });
}

/** `{ ok: false, error }` for a WeChat code. */
export function reject(code: WechatErrorCode, extra: WechatErrorExtra = {}): Failure {
  return fail(wechatError(code, extra));
}

/** Same text in both languages (ids, field names, numbers). */
export function same(text: string): { 'zh-CN': string; en: string } {
  return { 'zh-CN': text, en: text };
}
