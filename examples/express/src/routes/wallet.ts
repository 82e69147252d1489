import { actorFromRequest } from '../actor.js';
import type { AppContext } from '../context.js';
import { productNow, refuseShopperClaims } from '../catalog.js';
import { idempotencyKey, param, parseBody, parseQuery, type Route } from '../http.js';
import { createOrderNumber, OrderkitError, reorder, type Actor, type CatalogItem, type Order } from '../orderkit/index.js';
import { BalanceQuerySchema, DefaultAddressBodySchema, ReorderBodySchema, TopUpBodySchema } from '../schemas.js';
import { orderView } from '../views.js';
import { addressFor } from '../addresses.js';
import { visibleOrder } from './orders.js';

/**
 * 余额, the saved default address and 再来一单 (docs/payment-sources.md): the balance a shopper
 * reads and staff top up, the address checkout fills in, and a past order placed again at today's
 * prices with the report of what changed.
 */

function forbidden(en: string, zh: string): OrderkitError {
  return new OrderkitError({ code: 'FORBIDDEN', message: { 'zh-CN': zh, en } });
}

function noBalance(): OrderkitError {
  return new OrderkitError({ code: 'NOT_CONFIGURED', message: { 'zh-CN': '本店未开通余额', en: 'this shop keeps no balances (no balance port)' } });
}

function shopperOnly(actor: Actor): string {
  if (actor.type !== 'customer') throw forbidden('only a shopper has a default address', '只有顾客有默认收货地址');
  return actor.id;
}

/** Today's shelf for the SKUs of `order`, with the stock left when the shop keeps an inventory. */
async function shelfFor(ctx: AppContext, order: Order): Promise<(sku: string) => CatalogItem | undefined> {
  const left = new Map<string, number>();
  if (ctx.inventory) {
    for (const l of order.lines) {
      const level = await ctx.inventory.level(l.sku).catch(() => null);
      if (level) left.set(l.sku, level.available);
    }
  }
  return (sku) => {
    const p = productNow(sku);
    if (!p) return undefined;
    const item: CatalogItem = { sku: p.sku, title: p.title, listPrice: p.listPrice, category: p.category };
    if (p.fulfillment) item.fulfillment = p.fulfillment;
    const n = left.get(sku);
    if (n !== undefined) item.available = n;
    return item;
  };
}

export function walletRoutes(ctx: AppContext): Route[] {
  return [
    {
      doc: {
        method: 'get',
        path: '/balance',
        operationId: 'getBalance',
        summary: 'Stored balance 余额',
        description: 'A shopper reads their own balance; staff name the customer with `customerId`.',
        tags: ['wallet'],
        actors: 'customer (own), merchant',
        query: BalanceQuerySchema,
        success: { status: 200, description: '{ customerId, balance } in fen', schema: 'Any' },
        errors: [400, 401, 403, 503],
      },
      handler: async (req, res) => {
        const actor = actorFromRequest(req);
        const q = parseQuery(BalanceQuerySchema, req);
        if (!ctx.balance) throw noBalance();
        let customerId: string;
        if (actor.type === 'customer') {
          if (q.customerId !== undefined && q.customerId !== actor.id) throw forbidden('a shopper reads their own balance only', '顾客只能查看自己的余额');
          customerId = actor.id;
        } else if (q.customerId !== undefined) customerId = q.customerId;
        else throw new OrderkitError({ code: 'INVALID_QUERY', message: { 'zh-CN': '请提供 customerId', en: 'customerId is required' }, path: ['query', 'customerId'] });
        res.json({ customerId, balance: await ctx.balance.balanceOf(customerId) });
      },
    },
    {
      doc: {
        method: 'post',
        path: '/balance/top-ups',
        operationId: 'topUpBalance',
        summary: 'Top up a balance 充值',
        description: 'Staff add money to a shopper\'s balance (a gift card sold at the counter, a refund to balance by hand). `key` (a receipt number) applies it once; the same key with another amount is 422 BALANCE_KEY_REUSED.',
        tags: ['wallet'],
        actors: 'merchant',
        body: TopUpBodySchema,
        success: { status: 200, description: '{ customerId, balance, replayed }', schema: 'Any' },
        errors: [400, 401, 403, 422, 503],
      },
      handler: async (req, res) => {
        const body = parseBody(TopUpBodySchema, req);
        if (!ctx.balance) throw noBalance();
        const r = await ctx.balance.topUp({ customerId: body.customerId, key: body.key, amount: body.amount });
        res.json({ customerId: body.customerId, balance: r.balance, replayed: r.replayed });
      },
    },
    {
      doc: {
        method: 'get',
        path: '/me/address',
        operationId: 'getDefaultAddress',
        summary: 'Saved default address 默认收货地址',
        tags: ['wallet'],
        actors: 'customer',
        success: { status: 200, description: '{ address } (null when none is saved)', schema: 'Any' },
        errors: [401, 403],
      },
      handler: async (req, res) => {
        const customerId = shopperOnly(actorFromRequest(req));
        res.json({ address: ctx.addresses.get(customerId) ?? null });
      },
    },
    {
      doc: {
        method: 'post',
        path: '/me/address',
        operationId: 'saveDefaultAddress',
        summary: 'Save the default address 保存默认地址',
        description: 'Checkout (POST /orders, POST /orders/:id/reorder) uses it with `useDefaultAddress: true`.',
        tags: ['wallet'],
        actors: 'customer',
        body: DefaultAddressBodySchema,
        success: { status: 200, description: '{ address }', schema: 'Any' },
        errors: [400, 401, 403],
      },
      handler: async (req, res) => {
        const customerId = shopperOnly(actorFromRequest(req));
        const body = parseBody(DefaultAddressBodySchema, req);
        ctx.addresses.set(customerId, body.address);
        res.json({ address: body.address });
      },
    },
    {
      doc: {
        method: 'get',
        path: '/orders/:id/reorder',
        operationId: 'previewReorder',
        summary: 'Order again: preview 再来一单（预览）',
        description: 'The past order\'s goods priced now, and what changed since (new prices, titles, quantities cut to the stock left, SKUs gone). 409 NOTHING_TO_REORDER when none is sold any more.',
        tags: ['orders'],
        actors: 'customer (owner), merchant',
        success: { status: 200, description: '{ items, quote, report }', schema: 'Any' },
        errors: [401, 403, 404, 409],
      },
      handler: async (req, res) => {
        const actor = actorFromRequest(req);
        const past = await visibleOrder(ctx, param(req, 'id'), actor);
        const r = reorder({ order: past, catalog: await shelfFor(ctx, past), rules: ctx.rules, now: ctx.clock.now() });
        if (!r.ok) throw r.error;
        res.json({ items: r.cart.lines.map((l) => ({ sku: l.sku, quantity: l.quantity })), quote: r.quote, report: r.report });
      },
    },
    {
      doc: {
        method: 'post',
        path: '/orders/:id/reorder',
        operationId: 'reorder',
        summary: 'Order again 再来一单',
        description:
          'Places the past order\'s goods again, priced now (its old prices, coupons and points are not reused), to its address or the one given. Answers the new order and the report of what changed. Send Idempotency-Key. `payWith` pays part from the balance as on POST /orders.',
        tags: ['orders'],
        actors: 'customer (owner)',
        body: ReorderBodySchema,
        success: { status: 201, description: '{ order, report }', schema: 'Any' },
        errors: [400, 401, 403, 404, 409, 422, 503],
      },
      handler: async (req, res) => {
        const actor = actorFromRequest(req);
        if (actor.type !== 'customer') throw forbidden('only the shopper orders again', '只有顾客本人可以再来一单');
        const past = await visibleOrder(ctx, param(req, 'id'), actor);
        const body = parseBody(ReorderBodySchema, req);
        refuseShopperClaims(ctx.demo, actor, body);
        const address = addressFor(ctx.addresses, actor.id, body) ?? past.address;
        const r = reorder({
          order: past,
          catalog: await shelfFor(ctx, past),
          rules: ctx.rules,
          now: ctx.clock.now(),
          cart: { ...(body.member ? { member: body.member } : {}), ...(address ? { region: address.province } : {}) },
        });
        if (!r.ok) throw r.error;
        const number = createOrderNumber({ now: ctx.clock.now(), random: Math.random });
        const key = idempotencyKey(req);
        const placed = await ctx.service.place(
          { id: number, number, customerId: actor.id, cart: r.cart, rules: ctx.rules, ...(address ? { address } : {}), ...(body.payWith ? { payWith: body.payWith } : {}) },
          { actor, ...(key === undefined ? {} : { idempotencyKey: `reorder:${past.id}:${key}` }) },
        );
        if (!placed.ok) throw placed.error;
        res.status(placed.replayed ? 200 : 201).location(`/orders/${encodeURIComponent(placed.order.id)}`).json({ order: orderView(placed.order, actor), report: r.report });
      },
    },
  ];
}
