import type { ErrorRequestHandler, RequestHandler } from 'express';
import { isOrderkitError, OrderkitError } from './orderkit/index.js';

/**
 * HTTP status for each orderkit error code. The body is always `OrderkitError.toJSON()`: the
 * stable `code`, `message` (en), `messages` (zh-CN and en), `path` and `issues`.
 * - 400: the request is malformed (does not parse, wrong shape or type)
 * - 401: nobody is asking (no actor)
 * - 403: this actor may not do this (FORBIDDEN)
 * - 404: no such order (or no such after-sale / refund on it)
 * - 409: the order's state does not allow it now, or a concurrent change won
 * - 422: well-formed but against a business rule (wrong amount, refund over the paid amount…)
 */
const STATUS_BY_CODE: Record<string, number> = {
  UNAUTHENTICATED: 401,
  BAD_CREDENTIALS: 401,
  SESSION_EXPIRED: 401,
  SESSION_INVALID: 401,
  WECHAT_LOGIN_FAILED: 401,
  CSRF_REFUSED: 403,
  TOO_MANY_REQUESTS: 429,
  ACCOUNT_EXISTS: 409,
  FORBIDDEN: 403,
  ORDER_NOT_FOUND: 404,
  NOT_FOUND: 404,
  UNKNOWN_AFTER_SALE: 404,
  UNKNOWN_REFUND: 404,
  UNKNOWN_SHIPMENT: 404,
  INVALID_TRANSITION: 409,
  INVALID_AFTER_SALE_TRANSITION: 409,
  VERSION_CONFLICT: 409,
  ORDER_EXISTS: 409,
  IDEMPOTENCY_KEY_REUSED: 409,
  AFTER_SALE_EXISTS: 409,
  ALREADY_PAID: 409,
  ALREADY_DELIVERED: 409,
  DUPLICATE_SHIPMENT: 409,
  PAYMENT_ATTEMPT_CLOSED: 409,
  REFUND_ALREADY_SUCCEEDED: 409,
  REFUND_NOT_FAILED: 409,
  DEADLINE_NOT_REACHED: 409,
  INVALID_FEED_POSITION: 400,
  ORDER_BUSY: 503,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  NOT_CONFIGURED: 503,
  UNSUPPORTED: 503,
  PRICING_FAILED: 500,
  CORRUPT_ORDER: 500,
  OUT_OF_STOCK: 409,
  LIMIT_REACHED: 409,
  INVALID_STOCK_QUANTITY: 400,
  INVENTORY_UNAVAILABLE: 503,
  NO_OPEN_PROPOSAL: 409,
  INSUFFICIENT_BALANCE: 409,
  BALANCE_UNAVAILABLE: 503,
  BALANCE_PLACEMENT_UNKNOWN: 503,
  INVENTORY_PLACEMENT_UNKNOWN: 503,
  BALANCE_NOT_CONFIGURED: 503,
  NOTHING_TO_REORDER: 409,
  DELIVERY_MODE_MISMATCH: 409,
  ALREADY_PICKED_UP: 409,
};

/** Codes that mean "the request does not parse" rather than "a rule said no". */
const MALFORMED = /^(INVALID_(COMMAND|INPUT|JSON|BODY|QUERY|ANALYTICS_OPTIONS|ORDER_INPUT|ACTOR|DELIVERY)|UNKNOWN_COMMAND)$/;

export function httpStatusOf(error: OrderkitError): number {
  const known = STATUS_BY_CODE[error.code];
  if (known !== undefined) return known;
  if (MALFORMED.test(error.code)) return 400;
  if (error.code.endsWith('_NOT_FOUND')) return 404;
  return 422;
}

export function notFound(what: string, id: string): OrderkitError {
  return new OrderkitError({
    code: 'NOT_FOUND',
    message: { 'zh-CN': `找不到${what === 'route' ? '接口' : what}：${id}`, en: `no ${what} ${id}` },
    path: [],
  });
}

/** 404 for every path no route claimed, in the same JSON shape as every other error. */
export const unknownRoute: RequestHandler = (req, _res, next) => {
  next(notFound('route', `${req.method} ${req.path}`));
};

function bodyParserError(err: { type?: string; status?: number }): OrderkitError | null {
  if (err.type === 'entity.parse.failed') {
    return new OrderkitError({ code: 'INVALID_JSON', message: { 'zh-CN': '请求体不是有效的 JSON', en: 'the request body is not valid JSON' }, path: ['body'] });
  }
  if (err.type === 'entity.too.large') {
    return new OrderkitError({ code: 'PAYLOAD_TOO_LARGE', message: { 'zh-CN': '请求体过大', en: 'the request body is too large' }, path: ['body'] });
  }
  if (typeof err.type === 'string' && typeof err.status === 'number' && err.status >= 400 && err.status < 500) {
    return new OrderkitError({ code: 'INVALID_BODY', message: { 'zh-CN': '请求体无法读取', en: `the request body could not be read (${err.type})` }, path: ['body'] });
  }
  return null;
}

/**
 * The router's own refusal of a path it cannot decode (a malformed `%` escape such as `%E0%A4%A`
 * or `%zz`): Express marks it 400 and it stays 400, in the same JSON shape as every other error.
 */
function pathDecodeError(err: unknown): OrderkitError | null {
  const e = err as { status?: unknown; statusCode?: unknown; type?: unknown } | null;
  if (!(err instanceof URIError) && !(e !== null && typeof e === 'object' && e.type === undefined && (e.status === 400 || e.statusCode === 400))) return null;
  return new OrderkitError({
    code: 'INVALID_INPUT',
    message: { 'zh-CN': '请求路径中的 % 转义不正确', en: 'the request path has a malformed % escape' },
    path: ['path'],
  });
}

/**
 * The last middleware: every failure leaves as JSON with a code. Anything that is not an
 * OrderkitError is a bug of ours: logged, and answered 500 without internals.
 */
export function errorHandler(log: (error: unknown) => void = (e) => console.error(e)): ErrorRequestHandler {
  return (err, _req, res, _next) => {
    const known = isOrderkitError(err) ? (err as OrderkitError) : (bodyParserError(err as { type?: string; status?: number }) ?? pathDecodeError(err));
    if (known) {
      res.status(httpStatusOf(known)).json(known.toJSON());
      return;
    }
    log(err);
    const internal = new OrderkitError({
      code: 'INTERNAL_ERROR',
      message: { 'zh-CN': '服务器内部错误，请稍后重试', en: 'internal server error; please retry later' },
    });
    res.status(500).json(internal.toJSON());
  };
}
