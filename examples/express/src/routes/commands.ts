// orderkit's command schemas are zod/mini schemas: composed with zod/mini's functions.
import { omit as omitFields, type ZodMiniLiteral, type ZodMiniObject } from 'zod/mini';
import { actorFromRequest } from '../actor.js';
import type { AppContext } from '../context.js';
import { idempotencyKey, param, parseBody, type Route } from '../http.js';
import {
  ApproveAfterSaleSchema,
  CancelAfterSaleSchema,
  CancelSchema,
  CommandSchema,
  ConfirmReceiptSchema,
  DeliverSchema,
  RejectAfterSaleSchema,
  RequestAfterSaleSchema,
  ReturnReceivedSchema,
  ReturnShippedSchema,
  ShipSchema,
  type Actor,
  type CommandInput,
} from '../orderkit/index.js';

const COMMAND_ERRORS = [400, 401, 403, 404, 409, 422];

interface CommandRouteSpec {
  path: string;
  operationId: string;
  summary: string;
  actors: string;
  /** The command's schema; its `type` (and any path parameters) are filled in by the route. */
  schema: ZodMiniObject;
  /** Path parameters copied into the command (e.g. afterSaleId). */
  pathFields?: string[];
}

/**
 * One POST route per command: the body is the command without its `type`, checked against the
 * command's own zod schema; the actor comes from the request; the service does the rest
 * (load → transition → compare-and-set commit, retried on conflict). Send `Idempotency-Key` to make
 * a retry of the same request return the first result.
 */
function commandRoute(ctx: AppContext, spec: CommandRouteSpec): Route {
  const omit: Record<string, true> = { type: true };
  for (const f of spec.pathFields ?? []) omit[f] = true;
  const body = omitFields(spec.schema, omit);
  const type = (spec.schema.shape.type as ZodMiniLiteral<string>)._zod.def.values[0];
  return {
    doc: {
      method: 'post',
      path: spec.path,
      operationId: spec.operationId,
      summary: spec.summary,
      description: `Sends \`${type}\` to the order.`,
      tags: ['commands'],
      actors: spec.actors,
      body,
      success: { status: 200, description: 'The order after the command' },
      errors: COMMAND_ERRORS,
    },
    handler: async (req, res) => {
      const actor = actorFromRequest(req);
      const fields = parseBody(body, req) as Record<string, unknown>;
      for (const f of spec.pathFields ?? []) fields[f] = param(req, f);
      const command = { ...fields, type } as CommandInput;
      await sendDispatch(ctx, res, param(req, 'id'), command, actor, idempotencyKey(req));
    },
  };
}

export async function sendDispatch(
  ctx: AppContext,
  res: import('express').Response,
  orderId: string,
  command: CommandInput,
  actor: Actor,
  key: string | undefined,
): Promise<void> {
  const result = await ctx.service.dispatch(orderId, command, actor, key === undefined ? {} : { idempotencyKey: key });
  if (!result.ok) throw result.error;
  // The money arrived but could not pay the order: it is recorded for a refund. Say so.
  if (result.strayPayment) res.set('x-orderkit-stray-payment', result.strayPayment.code);
  res.status(200).json(result.order);
}

export function commandRoutes(ctx: AppContext): Route[] {
  const afterSale = '/orders/:id/after-sales/:afterSaleId';
  return [
    commandRoute(ctx, { path: '/orders/:id/cancel', operationId: 'cancelOrder', summary: 'Cancel 取消订单', actors: 'customer (owner), merchant', schema: CancelSchema }),
    commandRoute(ctx, { path: '/orders/:id/ship', operationId: 'shipOrder', summary: 'Ship 发货', actors: 'merchant', schema: ShipSchema }),
    commandRoute(ctx, { path: '/orders/:id/deliver', operationId: 'deliverOrder', summary: 'Carrier reports delivery 已签收', actors: 'merchant', schema: DeliverSchema }),
    commandRoute(ctx, { path: '/orders/:id/confirm', operationId: 'confirmReceipt', summary: 'Confirm receipt 确认收货', actors: 'customer (owner)', schema: ConfirmReceiptSchema }),
    commandRoute(ctx, { path: '/orders/:id/after-sales', operationId: 'requestAfterSale', summary: 'Request an after-sale 申请售后', actors: 'customer (owner), merchant', schema: RequestAfterSaleSchema }),
    commandRoute(ctx, { path: `${afterSale}/approve`, operationId: 'approveAfterSale', summary: 'Approve 同意售后', actors: 'merchant', schema: ApproveAfterSaleSchema, pathFields: ['afterSaleId'] }),
    commandRoute(ctx, { path: `${afterSale}/reject`, operationId: 'rejectAfterSale', summary: 'Reject 拒绝售后', actors: 'merchant', schema: RejectAfterSaleSchema, pathFields: ['afterSaleId'] }),
    commandRoute(ctx, { path: `${afterSale}/cancel`, operationId: 'cancelAfterSale', summary: 'Withdraw 撤销售后', actors: 'customer (owner), merchant', schema: CancelAfterSaleSchema, pathFields: ['afterSaleId'] }),
    commandRoute(ctx, { path: `${afterSale}/return-shipped`, operationId: 'returnShipped', summary: 'Return sent back 买家寄回', actors: 'customer (owner)', schema: ReturnShippedSchema, pathFields: ['afterSaleId'] }),
    commandRoute(ctx, { path: `${afterSale}/return-received`, operationId: 'returnReceived', summary: 'Return received 商家收到退货', actors: 'merchant', schema: ReturnReceivedSchema, pathFields: ['afterSaleId'] }),
    {
      doc: {
        method: 'post',
        path: '/orders/:id/commands',
        operationId: 'sendCommand',
        summary: 'Any command by type 通用指令',
        description: 'For the commands without a route of their own (ADJUST_PRICE, CHANGE_ADDRESS, ADD_REMARK…). Gateway and timer commands need a payment or system actor, which a request can never claim.',
        tags: ['commands'],
        actors: 'customer (owner), merchant',
        body: CommandSchema,
        success: { status: 200, description: 'The order after the command' },
        errors: COMMAND_ERRORS,
      },
      handler: async (req, res) => {
        const actor = actorFromRequest(req);
        const command = parseBody(CommandSchema, req);
        await sendDispatch(ctx, res, param(req, 'id'), command, actor, idempotencyKey(req));
      },
    },
  ];
}
