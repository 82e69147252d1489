import { actorFromRequest } from '../actor.js';
import { cartFor, checkZoneCoversAddress, deliverySlots, refuseShopperClaims } from '../catalog.js';
import type { AppContext } from '../context.js';
import { idempotencyKey, param, parseBody, parseQuery, type Route } from '../http.js';
import { createOrderNumber, OrderkitError, OrderNotFoundError, type Actor, type ListQuery, type Order } from '../orderkit/index.js';
import { ListQuerySchema, PlaceOrderBodySchema } from '../schemas.js';
import { eventsView, orderView } from '../views.js';
import { addressFor } from '../addresses.js';

function forbidden(en: string, zh: string): OrderkitError {
  return new OrderkitError({ code: 'FORBIDDEN', message: { 'zh-CN': zh, en } });
}

/** The order, if this actor may see it: customers see their own, merchants every order. */
export async function visibleOrder(ctx: AppContext, orderId: string, actor: Actor): Promise<Order> {
  const order = await ctx.service.get(orderId);
  if (!order) throw new OrderNotFoundError(orderId);
  if (actor.type === 'customer' && order.customerId !== actor.id) {
    throw forbidden('a customer may only see their own orders', '只能查看自己的订单');
  }
  return order;
}

export function orderRoutes(ctx: AppContext): Route[] {
  return [
    {
      access: 'public',
      doc: {
        method: 'get',
        path: '/delivery-options',
        operationId: 'deliveryOptions',
        summary: 'Delivery modes 配送方式',
        description:
          'What the checkout offers (docs/delivery.md): express, local courier (同城配送: distance bands, zones, free-delivery threshold and the next one-hour slots) and store pickup (到店自提: the stores). Public like a product page.',
        tags: ['orders'],
        actors: 'anyone',
        success: { status: 200, description: '{ modes, local?: { bands, zones, freeOver, slots }, pickup?: { stores, slots } }', schema: 'Any' },
        errors: [],
      },
      handler: async (_req, res) => {
        const now = ctx.clock.now();
        const { local, pickup } = ctx.deliveryRules;
        res.json({
          modes: ['express', ...(local ? ['local'] : []), ...(pickup ? ['pickup'] : [])],
          ...(local ? { local: { bands: local.bands ?? [], zones: local.zones ?? [], freeOver: local.freeOver ?? null, slots: deliverySlots(now, local.leadMinutes ?? 0, local.maxDaysAhead ?? 7) } } : {}),
          ...(pickup ? { pickup: { stores: pickup.stores, slots: deliverySlots(now, pickup.leadMinutes ?? 0, pickup.maxDaysAhead ?? 7) } } : {}),
        });
      },
    },
    {
      doc: {
        method: 'post',
        path: '/orders',
        operationId: 'placeOrder',
        summary: 'Place an order 下单',
        description:
          'Prices the cart on the server with priceCart (catalogue prices and the shop\'s promotions; the request never carries a price) and places the order. Outside demo mode a shopper\'s `member`, `pointsBalance`, `pointsToUse` and `coupons` are refused with 403 FORBIDDEN (the example keeps no membership, points or wallet to check them against), and so is a local delivery\'s `distance` (the shop measures it; a shopper picks a `zone`, which must be the zone of the address\'s district: 422 DELIVERY_ZONE_MISMATCH); staff placing for a customer may give them. Send Idempotency-Key so that a retried checkout never places twice. `payWith: { balance }` pays that many fen from the stored balance and the rest by WeChat Pay (409 INSUFFICIENT_BALANCE, 422 PAYMENT_SOURCES_MISMATCH: nothing debited, no order); `useDefaultAddress` ships to the saved default address. `delivery` picks the mode (GET /delivery-options): express by default; local courier (同城配送) priced by distance band or zone, in a slot; store pickup (到店自提), no fee, with a pickup code drawn on the server. A distance beyond every band (DELIVERY_OUT_OF_RANGE), an unknown store (PICKUP_STORE_UNKNOWN) or zone, a slot in the past (DELIVERY_SLOT_PAST) answer 422 and place nothing. With an inventory, the stock is held with the order: 409 OUT_OF_STOCK (库存不足) or 409 LIMIT_REACHED (已达限购) place nothing; 503 INVENTORY_UNAVAILABLE when the stock cannot be reached; 503 INVENTORY_PLACEMENT_UNKNOWN (BALANCE_PLACEMENT_UNKNOWN with a balance part) when the store cannot tell whether it wrote the order: its stock and debit stay with the order id, so retry with the same Idempotency-Key.',
        tags: ['orders'],
        actors: 'customer, merchant (with customerId)',
        body: PlaceOrderBodySchema,
        success: { status: 201, description: 'The new order, awaiting payment' },
        errors: [400, 401, 403, 409, 422, 503],
      },
      handler: async (req, res) => {
        const actor = actorFromRequest(req);
        const body = parseBody(PlaceOrderBodySchema, req);
        refuseShopperClaims(ctx.demo, actor, body);
        let customerId: string;
        if (actor.type === 'customer') {
          if (body.customerId !== undefined && body.customerId !== actor.id) {
            throw forbidden('a customer places orders for themselves only', '顾客只能为自己下单');
          }
          customerId = actor.id;
        } else if (body.customerId !== undefined) {
          customerId = body.customerId;
        } else {
          throw new OrderkitError({
            code: 'INVALID_INPUT',
            message: { 'zh-CN': '商家代客下单须提供 customerId', en: 'a merchant placing an order must name the customerId' },
            path: ['body', 'customerId'],
          });
        }
        const now = ctx.clock.now();
        // The order number doubles as the id here, so a payment notification's out_trade_no finds the order directly.
        const number = createOrderNumber({ now, random: Math.random });
        const address = addressFor(ctx.addresses, customerId, body);
        checkZoneCoversAddress(ctx.demo, actor, body.delivery, address, ctx.deliveryRules);
        const cart = cartFor({ ...body, ...(address ? { region: address.province } : {}) });
        const key = idempotencyKey(req);
        const placed = await ctx.service.place(
          {
            id: number,
            number,
            customerId,
            cart,
            rules: ctx.rules,
            ...(address ? { address } : {}),
            ...(body.buyerRemark ? { buyerRemark: body.buyerRemark } : {}),
            ...(body.payWith ? { payWith: body.payWith } : {}),
            ...(body.delivery ? { delivery: body.delivery, deliveryRules: ctx.deliveryRules } : {}),
          },
          { actor, ...(key === undefined ? {} : { idempotencyKey: key }) },
        );
        if (!placed.ok) throw placed.error;
        res.status(placed.replayed ? 200 : 201).location(`/orders/${encodeURIComponent(placed.order.id)}`).json(orderView(placed.order, actor));
      },
    },
    {
      doc: {
        method: 'get',
        path: '/orders',
        operationId: 'listOrders',
        summary: 'List orders 订单列表',
        description: 'Newest first; pass `nextCursor` back as `cursor` for the next page. Customers see only their own orders.',
        tags: ['orders'],
        actors: 'customer, merchant',
        query: ListQuerySchema,
        success: { status: 200, description: 'A page of orders', schema: 'OrderPage' },
        errors: [400, 401],
      },
      handler: async (req, res) => {
        const actor = actorFromRequest(req);
        const q = parseQuery(ListQuerySchema, req);
        const query: ListQuery = {};
        if (actor.type === 'customer') query.customerId = actor.id;
        else if (q.customerId) query.customerId = q.customerId;
        if (q.status) query.status = q.status;
        if (q.from) query.from = new Date(q.from);
        if (q.to) query.to = new Date(q.to);
        if (q.limit) query.limit = q.limit;
        if (q.cursor) query.cursor = q.cursor;
        if (q.order) query.order = q.order;
        const page = await ctx.service.list(query);
        res.json({ ...page, items: page.items.map((o) => orderView(o, actor, { masked: true })) });
      },
    },
    {
      doc: {
        method: 'get',
        path: '/orders/:id',
        operationId: 'getOrder',
        summary: 'Get an order 订单详情',
        tags: ['orders'],
        actors: 'customer (owner), merchant',
        success: { status: 200, description: 'The order' },
        errors: [401, 403, 404],
      },
      handler: async (req, res) => {
        const actor = actorFromRequest(req);
        res.json(orderView(await visibleOrder(ctx, param(req, 'id'), actor), actor));
      },
    },
    {
      doc: {
        method: 'get',
        path: '/orders/:id/history',
        operationId: 'orderHistory',
        summary: 'Audit log 操作记录',
        tags: ['orders'],
        actors: 'customer (owner), merchant',
        success: { status: 200, description: 'The events, version 1…n', schema: 'OrderEvents' },
        errors: [401, 403, 404],
      },
      handler: async (req, res) => {
        const actor = actorFromRequest(req);
        const order = await visibleOrder(ctx, param(req, 'id'), actor);
        res.json(eventsView(await ctx.service.history(order.id), actor));
      },
    },
    {
      doc: {
        method: 'get',
        path: '/orders/:id/actions',
        operationId: 'orderActions',
        summary: 'What this actor can do now 可执行操作',
        description: 'allowedActions(): the buttons a page shows for this actor, now.',
        tags: ['orders'],
        actors: 'customer (owner), merchant',
        success: { status: 200, description: '{ actions: CommandType[] }', schema: 'Any' },
        errors: [401, 403, 404],
      },
      handler: async (req, res) => {
        const actor = actorFromRequest(req);
        const order = await visibleOrder(ctx, param(req, 'id'), actor);
        // The service's own lifecycle (a shop's flows add commands of their own, docs/flows.md).
        res.json({ orderId: order.id, version: order.version, actions: ctx.lifecycle.allowedActions(order, actor, ctx.clock.now()) });
      },
    },
  ];
}
