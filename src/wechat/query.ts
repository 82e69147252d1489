import type { Order, PaymentAttempt } from '../order/index.js';
import type { PaymentQuery } from '../service/types.js';
import { buildQueryOrder, type WechatPayRequest } from './requests.js';
import { parsePaymentResource } from './resources.js';
import { AN_OBJECT, badArgument, isObject } from './errors.js';

/**
 * Reconcile before closing (docs/wechat.md): the `payments` option of `createOrderService`, built on
 * `buildQueryOrder`. orderkit still opens no connection: `send` is yours — sign the request with
 * `signRequest`, send it with your HTTP client, verify the answer's signature, and resolve with
 * the parsed JSON body (reject on a transport error or a non-2xx answer).
 */
export interface WechatPayQueryOptions {
  mchid: string;
  /** When given, a transaction of another app is not taken as paid. */
  appid?: string;
  /** Sends a Pay v3 request; resolves with the JSON body of a 2xx answer. */
  send: (request: WechatPayRequest) => Promise<unknown>;
  /** Told about a query that failed (the order then expires; a later payment becomes a stray payment). */
  onError?: (error: unknown, order: Order, attempt: PaymentAttempt) => void;
}

/**
 * A `PaymentQuery` for `createOrderService({ payments })`: asks WeChat Pay about the attempt's
 * `out_trade_no` before `sweep` expires an unpaid order. `trade_state = SUCCESS` answers paid
 * (amount, transaction id, success time); any other state answers not paid; a failed query
 * answers null (unknown), so one gateway hiccup never blocks a sweep.
 *
 * @example
 * const payments = createWechatPayQuery({ mchid, send: (request) => myPayClient.send(request) });
 * const service = createOrderService({ store, payments });
 */
export function createWechatPayQuery(options: WechatPayQueryOptions): PaymentQuery {
  if (!isObject(options)) throw badArgument('createWechatPayQuery', 'options', AN_OBJECT);
  if (typeof options.send !== 'function') throw badArgument('createWechatPayQuery', 'options.send', { 'zh-CN': '函数', en: 'a function' });
  return {
    async query(order, attempt) {
      const built = buildQueryOrder(attempt.outTradeNo, options.mchid);
      if (!built.ok) return null;
      let body: unknown;
      try {
        body = await options.send(built.request);
      } catch (error) {
        options.onError?.(error, order, attempt);
        return null;
      }
      const state = typeof body === 'object' && body !== null ? (body as { trade_state?: unknown }).trade_state : undefined;
      if (typeof state === 'string' && state !== 'SUCCESS') return { paid: false };
      const paid = parsePaymentResource(body, options.appid !== undefined ? { mchid: options.mchid, appid: options.appid } : { mchid: options.mchid });
      if (!paid.ok) {
        options.onError?.(paid.error, order, attempt);
        return null;
      }
      // An answer about another attempt is not an answer about this one.
      if (paid.outTradeNo !== attempt.outTradeNo) return null;
      const answer: { paid: true; amount: number; transactionId: string; outTradeNo: string; paidAt?: string } = {
        paid: true,
        amount: paid.command.amount,
        transactionId: paid.transactionId,
        outTradeNo: paid.outTradeNo,
      };
      if (paid.command.paidAt !== undefined) answer.paidAt = paid.command.paidAt;
      return answer;
    },
  };
}
