// orderkit's command schemas are zod/mini schemas: composed with zod/mini's functions.
import { omit as omitFields, type ZodMiniLiteral, type ZodMiniObject } from 'zod/mini';
import { actorFromRequest } from '../actor.js';
import type { AppContext } from '../context.js';
import { idempotencyKey, param, parseBody, type Route } from '../http.js';
import { AddRemarkSchema, AdjustPriceSchema, ChangeAddressSchema, type CommandInput } from '../orderkit/index.js';
import { sendDispatch } from './shared.js';

const EDIT_ERRORS = [400, 401, 403, 404, 409, 422];

/**
 * Order edits (DESIGN.md §4): 改价, 改地址 and 备注, one POST each. The body is the command without
 * its `type`, checked by the command's own schema; who may send it is the lifecycle's business
 * (改价 and notes: merchant; address: the owner or the merchant, before anything ships).
 */
function editRoute(ctx: AppContext, path: string, operationId: string, summary: string, actors: string, description: string, schema: ZodMiniObject): Route {
  const body = omitFields(schema, { type: true });
  const type = (schema.shape.type as ZodMiniLiteral<string>)._zod.def.values[0];
  return {
    doc: { method: 'post', path, operationId, summary, description, tags: ['edits'], actors, body, success: { status: 200, description: 'The order after the edit' }, errors: EDIT_ERRORS },
    handler: async (req, res) => {
      const command = { ...(parseBody(body, req) as Record<string, unknown>), type } as CommandInput;
      await sendDispatch(ctx, res, param(req, 'id'), command, actorFromRequest(req), idempotencyKey(req));
    },
  };
}

export function editRoutes(ctx: AppContext): Route[] {
  return [
    editRoute(
      ctx,
      '/orders/:id/price',
      'adjustPrice',
      'Adjust the price 改价',
      'merchant',
      'Sends `ADJUST_PRICE`: a new total (fen) with a reason, while the order is unpaid. The difference is split over the lines; the old payment attempt is closed and a new one starts (a new out_trade_no). 0 pays the order at once. Raising the price beyond the policy cap is 422 PRICE_INCREASE_NOT_ALLOWED.',
      AdjustPriceSchema,
    ),
    editRoute(
      ctx,
      '/orders/:id/address',
      'changeAddress',
      'Change the address 修改地址',
      'customer (owner), merchant',
      'Sends `CHANGE_ADDRESS` until anything ships; afterwards 422 ADDRESS_LOCKED. The audit log keeps the old address.',
      ChangeAddressSchema,
    ),
    editRoute(ctx, '/orders/:id/remarks', 'addRemark', 'Add a merchant note 商家备注', 'merchant', 'Sends `ADD_REMARK`: a note of at most 200 characters, appended to `merchantNotes`.', AddRemarkSchema),
  ];
}
