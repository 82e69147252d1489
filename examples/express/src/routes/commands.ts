// Command schemas are zod/mini (or classic zod) objects: composed with zod/mini's functions.
import type { RequestHandler } from 'express';
import { rateLimit } from 'express-rate-limit';
import { omit as omitFields, type ZodMiniObject, type ZodMiniType } from 'zod/mini';
import { actorFromRequest } from '../actor.js';
import { principalOf } from '../auth/index.js';
import type { AppContext } from '../context.js';
import { idempotencyKey, param, parseBody, type Route } from '../http.js';
import type { Actor, CommandDefinition, Order } from '../orderkit/index.js';
import { orderView } from '../views.js';
import { checkAddressKeepsZone } from '../catalog.js';
import { OrderkitError } from '../orderkit/index.js';

const COMMAND_ERRORS = [400, 401, 403, 404, 409, 422];

function actorsText(actors: readonly string[]): string {
  return actors.map((a) => (a === 'customer' ? 'customer (owner)' : a)).join(', ');
}

/**
 * One POST route per command that has an `http` entry in its definition (src/lifecycle/commands/,
 * or a shop's own `defineCommand`): the body is the command without its `type` and path fields,
 * checked against the command's own zod schema; the actor comes from the request; the service does
 * the rest (load → transition → compare-and-set commit, retried on conflict). Send
 * `Idempotency-Key` to make a retry of the same request return the first result.
 */
/**
 * Wrong pickup codes per order (到店自提, docs/delivery.md): at most PICKUP_TRIES refused
 * verifications of one order in PICKUP_WINDOW_MS, then 429 TOO_MANY_REQUESTS for that order until
 * the window ends, whoever asks. A six-digit code would otherwise fall to steady guessing at the
 * general write limit (120 a minute per staff member). Successful verifications are not counted.
 */
const PICKUP_TRIES = 5;
const PICKUP_WINDOW_MS = 15 * 60_000;

function pickupAttempts(): RequestHandler {
  return rateLimit({
    windowMs: PICKUP_WINDOW_MS,
    limit: PICKUP_TRIES,
    skipSuccessfulRequests: true,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    keyGenerator: (req) => `pickup:${String(req.params.id)}`,
    handler: (_req, _res, next) =>
      next(
        new OrderkitError({
          code: 'TOO_MANY_REQUESTS',
          message: { 'zh-CN': '该订单提货码错误次数过多，请 15 分钟后再试', en: 'too many wrong pickup codes for this order; try again in 15 minutes' },
          path: ['body', 'code'],
        }),
      ),
  });
}

/** `limit` before `handler`, for one route. */
function limited(limit: RequestHandler, handler: RequestHandler): RequestHandler {
  return (req, res, next) =>
    limit(req, res, (error?: unknown) => {
      if (error !== undefined) return next(error);
      Promise.resolve(handler(req, res, next)).catch(next);
    });
}

function commandRoute(ctx: AppContext, def: CommandDefinition<string, any>, pickupLimit: RequestHandler): Route {
  const http = def.http!;
  const pathFields = [...http.path.matchAll(/:([A-Za-z]+)/g)].map((m) => m[1]!);
  const omit: Record<string, true> = { type: true };
  for (const f of pathFields) omit[f] = true;
  const shape = (def.schema as unknown as { _zod?: { def?: { type?: string } } })._zod?.def?.type;
  const body: ZodMiniType = shape === 'object' ? omitFields(def.schema as unknown as ZodMiniObject, omit) : (def.schema as unknown as ZodMiniType);
  const type = def.type;
  const handler: RequestHandler = async (req, res) => {
    const actor = actorFromRequest(req);
    // The path first: a hostile id is 400 INVALID_INPUT whatever the body holds.
    const orderId = param(req, 'id');
    const fromPath = pathFields.map((f) => [f, param(req, f)] as const);
    const fields = parseBody(body, req) as Record<string, unknown>;
    for (const [f, v] of fromPath) fields[f] = v;
    const command = atOwnStore(req, { ...fields, type });
    const loaded = await checkBeforeDispatch(ctx, orderId, command, actor);
    await sendDispatch(ctx, res, orderId, command, actor, idempotencyKey(req), actor, loaded);
  };
  return {
    doc: {
      method: 'post',
      path: `/orders/:id${http.path}`,
      operationId: http.operationId,
      summary: `${def.label.en} ${def.label['zh-CN']}`,
      description: http.description === undefined ? `Sends \`${type}\` to the order.` : `Sends \`${type}\`: ${http.description}`,
      tags: [http.tag ?? 'commands'],
      actors: actorsText(def.actors),
      body,
      success: { status: 200, description: 'The order after the command' },
      errors: COMMAND_ERRORS,
    },
    handler: type === 'VERIFY_PICKUP_CODE' ? limited(pickupLimit, handler) : handler,
  };
}

/**
 * A pickup verification by staff of one store names that store, whatever the body says: the
 * lifecycle then refuses another store's order (PICKUP_STORE_MISMATCH, docs/delivery.md).
 */
function atOwnStore<C extends { type: string; [field: string]: unknown }>(req: import('express').Request, command: C): C {
  const storeId = principalOf(req)?.storeId;
  return command.type === 'VERIFY_PICKUP_CODE' && storeId !== undefined ? { ...command, storeId } : command;
}

/**
 * What the example checks before a command that the lifecycle cannot judge alone: a shopper's
 * CHANGE_ADDRESS of a zone-priced local delivery stays in its zone (catalog.ts). Returns the order
 * it read, for the service to start from.
 */
async function checkBeforeDispatch(ctx: AppContext, orderId: string, command: { type: string; [field: string]: unknown }, actor: Actor): Promise<Order | undefined> {
  if (command.type !== 'CHANGE_ADDRESS' || ctx.demo || actor.type !== 'customer') return undefined;
  const order = await ctx.service.get(orderId);
  if (order === null || order.customerId !== actor.id) return undefined;
  checkAddressKeepsZone(ctx.demo, actor, order.delivery, command.address, ctx.deliveryRules);
  return order;
}

export async function sendDispatch(
  ctx: AppContext,
  res: import('express').Response,
  orderId: string,
  command: { type: string; [field: string]: unknown },
  actor: Actor,
  key: string | undefined,
  /** Whom the answer is for, when not `actor` (the demo gateway acts for a shopper). */
  viewer: Actor = actor,
  /** The order as the route just read it for its own checks: the service starts from it instead of reading it again. */
  loaded?: Order,
): Promise<void> {
  const result = await ctx.service.dispatch(orderId, command, actor, { ...(key === undefined ? {} : { idempotencyKey: key }), ...(loaded ? { loaded } : {}) });
  if (!result.ok) throw result.error;
  // The money arrived but could not pay the order: it is recorded for a refund. Say so.
  if (result.strayPayment) res.set('x-orderkit-stray-payment', result.strayPayment.code);
  res.status(200).json(orderView(result.order, viewer));
}

export function commandRoutes(ctx: AppContext): Route[] {
  const lifecycle = ctx.lifecycle;
  // One count of wrong pickup codes per order, whichever route sends VERIFY_PICKUP_CODE.
  const pickupLimit = pickupAttempts();
  const routes = lifecycle.commands.filter((def) => def.http !== undefined).map((def) => commandRoute(ctx, def, pickupLimit));
  routes.push({
    doc: {
      method: 'post',
      path: '/orders/:id/commands',
      operationId: 'sendCommand',
      summary: 'Any command by type 通用指令',
      description: 'Any command of the lifecycle by its type. Gateway and timer commands need a payment or system actor, which a request can never claim.',
      tags: ['commands'],
      actors: 'customer (owner), merchant',
      body: lifecycle.schema,
      success: { status: 200, description: 'The order after the command' },
      errors: COMMAND_ERRORS,
    },
    handler: (req, res, next) => {
      const send = async () => {
        const actor = actorFromRequest(req);
        // The path first: a hostile id is 400 INVALID_INPUT whatever the body holds.
        const orderId = param(req, 'id');
        const parsed = lifecycle.parse(req.body);
        if (!parsed.ok) throw parsed.error;
        const command = atOwnStore(req, parsed.command as { type: string; [field: string]: unknown });
        const loaded = await checkBeforeDispatch(ctx, orderId, command, actor);
        await sendDispatch(ctx, res, orderId, command, actor, idempotencyKey(req), actor, loaded);
      };
      const type = (req.body as { type?: unknown } | undefined)?.type;
      // Only staff verify pickup codes: a shopper's attempt is refused by the lifecycle and must not
      // count toward the order's lock, or any shopper could lock another's pickup.
      let staff = false;
      try {
        staff = actorFromRequest(req).type === 'merchant';
      } catch {
        staff = false;
      }
      if (type === 'VERIFY_PICKUP_CODE' && staff) return limited(pickupLimit, send)(req, res, next);
      send().catch(next);
    },
  });
  return routes;
}
