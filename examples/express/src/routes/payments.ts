import express, { type RequestHandler } from 'express';
import { actorFromRequest } from '../actor.js';
import type { AppContext } from '../context.js';
import { idempotencyKey, param, parseBody, type Route } from '../http.js';
import { OrderkitError, type CommandInput } from '../orderkit/index.js';
import { handleNotification, notificationResponse, resolveOrderId } from '../orderkit/wechatpay.js';
import { DemoPaymentBodySchema, RefundResultBodySchema } from '../schemas.js';
import { sendDispatch, visibleOrderFor } from './shared.js';

/** The gateway actor for the DEMO routes: a real app only ever builds it from a verified notification. */
const DEMO_GATEWAY = { type: 'payment', gateway: 'demo' } as const;

function demoOff(): OrderkitError {
  return new OrderkitError({
    code: 'NOT_CONFIGURED',
    message: { 'zh-CN': '演示支付已关闭', en: 'the demo payment routes are switched off on this server' },
  });
}

export function paymentRoutes(ctx: AppContext): Route[] {
  return [
    {
      doc: {
        method: 'post',
        path: '/orders/:id/pay/demo',
        operationId: 'demoPay',
        summary: 'DEMO: pretend the gateway confirmed a payment 演示支付',
        description:
          'DEMO ONLY. Sends PAYMENT_SUCCEEDED as if a verified WeChat Pay notification had arrived (amount defaults to the current attempt\'s). A real shop receives payments only at /payments/wechatpay/notify. Switch off with DEMO_GATEWAY=0.',
        tags: ['payments (demo)'],
        actors: 'customer (owner), merchant',
        body: DemoPaymentBodySchema,
        success: { status: 200, description: 'The order after the payment' },
        errors: [400, 401, 403, 404, 409, 422, 503],
      },
      handler: async (req, res) => {
        if (!ctx.demoGateway) throw demoOff();
        const body = parseBody(DemoPaymentBodySchema, req);
        const viewer = actorFromRequest(req);
        const order = await visibleOrderFor(ctx, param(req, 'id'), viewer);
        const attempt = order.payment.attempts[order.payment.attempts.length - 1];
        const command: CommandInput = {
          type: 'PAYMENT_SUCCEEDED',
          amount: body.amount ?? attempt?.amount ?? order.pricing.total,
          transactionId: body.transactionId ?? `DEMO${order.number}${order.payment.attempts.length}`,
          ...(body.outTradeNo ?? attempt?.outTradeNo ? { outTradeNo: (body.outTradeNo ?? attempt?.outTradeNo)! } : {}),
        };
        // One read: the service starts from the order just checked (a stale copy costs a conflict and a re-read).
        await sendDispatch(ctx, res, order.id, command, DEMO_GATEWAY, idempotencyKey(req), viewer, order);
      },
    },
    {
      doc: {
        method: 'post',
        path: '/orders/:id/refunds/:refundId/result',
        operationId: 'demoRefundResult',
        summary: 'DEMO: the gateway reports a refund result 演示退款结果',
        description:
          'DEMO ONLY. Sends REFUND_SUCCEEDED or REFUND_FAILED as the refund notification would. A real shop gets refund results from /payments/wechatpay/notify (REFUND.SUCCESS / ABNORMAL / CLOSED).',
        tags: ['payments (demo)'],
        actors: 'merchant',
        body: RefundResultBodySchema,
        success: { status: 200, description: 'The order after the refund result' },
        errors: [400, 401, 403, 404, 409, 422, 503],
      },
      handler: async (req, res) => {
        if (!ctx.demoGateway) throw demoOff();
        const actor = actorFromRequest(req);
        if (actor.type !== 'merchant') {
          throw new OrderkitError({ code: 'FORBIDDEN', message: { 'zh-CN': '只有商家可以录入退款结果', en: 'only a merchant may report a refund result' } });
        }
        const body = parseBody(RefundResultBodySchema, req);
        const refundId = param(req, 'refundId');
        const command: CommandInput =
          body.status === 'succeeded'
            ? {
                type: 'REFUND_SUCCEEDED',
                refundId,
                ...(body.amount !== undefined ? { amount: body.amount } : {}),
                ...(body.gatewayRefundId ? { gatewayRefundId: body.gatewayRefundId } : {}),
              }
            : { type: 'REFUND_FAILED', refundId, reason: body.reason ?? 'reported failed' };
        await sendDispatch(ctx, res, param(req, 'id'), command, DEMO_GATEWAY, idempotencyKey(req));
      },
    },
    {
      doc: {
        method: 'post',
        path: '/payments/wechatpay/notify',
        operationId: 'wechatpayNotify',
        summary: 'WeChat Pay v3 notification 微信支付回调',
        description:
          'The real thing: verifies the RSA signature (Wechatpay-* headers) over the raw body, checks the timestamp, decrypts the resource, checks mchid/appid and trade state, then dispatches PAYMENT_SUCCEEDED / REFUND_SUCCEEDED / REFUND_FAILED. Answers 204, or 4xx/5xx with {"code":"FAIL","message":…} so WeChat retries. Needs WECHATPAY_MCHID, WECHATPAY_APIV3_KEY and the platform public key (503 otherwise).',
        tags: ['payments'],
        success: { status: 204, description: 'Accepted (also for a repeat)', schema: 'Text' },
        errors: [400, 503],
      },
      handler: async (req, res) => {
        const config = ctx.wechatpay;
        if (!config) throw new OrderkitError({ code: 'NOT_CONFIGURED', message: { 'zh-CN': '未配置微信支付', en: 'WeChat Pay is not configured on this server' } });
        const rawBody: Buffer = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
        const notice = handleNotification({
          headers: req.headers,
          rawBody,
          keys: config.keys,
          apiV3Key: config.apiV3Key,
          now: ctx.clock.now(),
          expect: { mchid: config.mchid, ...(config.appid ? { appid: config.appid } : {}) },
        });
        if (!notice.ok) {
          ctx.log(`wechatpay notification refused: ${notice.error.code}`);
          const reply = notificationResponse(notice);
          res.status(reply.status).set(reply.headers).send(reply.body);
          return;
        }
        // The order is the one with this out_trade_no (the store's findByNumber; `attach` never
        // overrides it): an unknown number is UNKNOWN_ORDER and nothing is dispatched. A verified
        // payment that cannot pay it (wrong amount, order closed, superseded attempt) is recorded
        // by the service as a stray payment and refunded: acknowledged, never dropped.
        const target = await resolveOrderId(ctx.service, notice);
        if (!target.ok) {
          ctx.log(`wechatpay notification for an unknown order number: ${notice.orderNumber}`);
          const reply = notificationResponse(target);
          res.status(reply.status).set(reply.headers).send(reply.body);
          return;
        }
        const result = await ctx.service.dispatch(target.orderId, notice.command, { type: 'payment', gateway: 'wechatpay' }, {
          idempotencyKey: `wechatpay:${notice.notificationId}`,
        });
        if (result.ok && result.strayPayment) ctx.log(`stray payment on ${notice.orderNumber}: ${result.strayPayment.code}, to be refunded`);
        // A repeat of a settled refund is acknowledged so that WeChat stops retrying.
        const reply = notificationResponse(result, { acknowledge: ['REFUND_ALREADY_SUCCEEDED'] });
        res.status(reply.status).set(reply.headers).send(reply.body);
      },
    },
  ];
}

/** The notification route needs the raw bytes for the signature: mount this before express.json(). */
export const rawNotificationBody: RequestHandler = express.raw({ type: () => true, limit: '64kb' });
