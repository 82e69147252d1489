/**
 * A test double of the `order` cloud function for the page tests: it answers the same actions
 * with the same shapes, computed by the real library (placeOrder, transition, refundQuote,
 * orderView…) over an in-memory map of orders and a clock the test moves. The end-to-end test
 * runs the real function instead; this one lets a page test inject failures one call at a time.
 */
import {
  bestCoupons,
  countOrdersByTab,
  couponOptionsView,
  defaultPolicy,
  orderListItemView,
  orderListTabsView,
  orderMatchesTab,
  moneyView,
  orderView,
  placeOrder,
  priceCart,
  priceDelivery,
  quoteView,
  refundQuote,
  refundQuoteView,
  transition,
  type Actor,
  type Cart,
  type Command,
  type Order,
  type OrderkitError,
  type WalletCoupon,
  type DeliveryChoice,
  type DeliveryRules,
  type Quote,
} from '../../../src/index.js';
import { CUSTOMER, rules } from '../../view/fixtures.js';
import type { InventoryPort } from '../../../src/inventory/index.js';
import type { BalancePort } from '../../../src/balance/index.js';
import { StandInTracking, traceShipment } from '../../../src/tracking/index.js';

export const CATALOGUE: Record<string, { title: string; listPrice: number; image?: string }> = {
  'OAT-1KG': { title: '有机燕麦片 1kg', listPrice: 5990, image: 'https://img.example/oat.png' },
  'MILK-250': { title: '纯牛奶 250ml', listPrice: 350 },
  'TEA-100': { title: '明前龙井 100g', listPrice: 30000 },
};
/** The shop's delivery modes, as the real function's shop.js has them (docs/delivery.md). */
export const DELIVERY: DeliveryRules = {
  local: { zones: [{ id: 'nanshan', name: '南山区', fee: 600 }, { id: 'futian', name: '福田区', fee: 900 }], leadMinutes: 60, maxDaysAhead: 2 },
  pickup: { stores: [{ id: 'sz-nanshan', name: '南山门店', address: '深圳市南山区科技园路 2 号' }] },
};
/** What the function offers the checkout (slots fixed after the fixtures' clock). */
export const DELIVERY_OPTIONS = {
  modes: ['express', 'local', 'pickup'],
  local: { zones: DELIVERY.local!.zones, slots: [{ start: '2026-11-25T18:00:00+08:00', end: '2026-11-25T19:00:00+08:00' }, { start: '2026-11-25T19:00:00+08:00', end: '2026-11-25T20:00:00+08:00' }] },
  pickup: { stores: DELIVERY.pickup!.stores, slots: [] },
};
export const WALLET: WalletCoupon[] = [
  { id: 'w1', definitionId: 'shop-5' },
  { id: 'w2', definitionId: 'big-20' },
];

export interface FakeOrderFunction {
  (data: Record<string, unknown>): Promise<unknown>;
  orders: Map<string, Order>;
  now: { value: Date };
  /** Orders as the store would list them (newest first). */
  add(order: Order): void;
  /** Replace an order as if someone else (the callback, the sweeper, the shop) changed it. */
  replace(order: Order): void;
  /** The logistics provider behind the `trace` action (every parcel in transit by default). */
  tracking: StandInTracking;
}

const fail = (error: OrderkitError) => ({ ok: false, error: error.toJSON() });

function cartFrom(items: Array<{ sku: string; quantity: number }>, coupons: WalletCoupon[]): Cart {
  return {
    lines: items.map((it, i) => {
      const p = CATALOGUE[it.sku]!;
      return { id: `L${i + 1}`, sku: it.sku, title: p.title, listPrice: p.listPrice, quantity: it.quantity, ...(p.image ? { image: p.image } : {}) };
    }),
    coupons,
  };
}

export function createFakeOrderFunction(start: Date, actor: Actor = { type: 'customer', id: CUSTOMER }, inventory?: InventoryPort, balance?: BalancePort): FakeOrderFunction {
  const orders = new Map<string, Order>();
  const now = { value: start };
  let seq = 0;
  const ctx = () => ({ actor, now: now.value, policy: defaultPolicy });
  const tracking = new StandInTracking();
  tracking.put('SF1234567890', {
    state: 'in_transit',
    checkpoints: [
      { at: '2026-11-25T10:00:00.000Z', text: '顺丰速运 已收取快件', location: '杭州' },
      { at: '2026-11-26T01:30:00.000Z', text: '快件已到达【深圳转运中心】', location: '深圳' },
    ],
  });

  function run(orderId: string, command: Command) {
    const order = orders.get(orderId);
    if (!order) return { ok: false, error: { code: 'ORDER_NOT_FOUND', messages: { 'zh-CN': '订单不存在', en: 'order not found' } } };
    const r = transition(order, command, ctx());
    if (!r.ok) return fail(r.error);
    orders.set(orderId, r.order);
    return { ok: true, order: orderView(r.order, ctx()) };
  }

  const fn = (async (data: Record<string, unknown>) => {
    const orderId = String(data.orderId ?? '');
    switch (data.action) {
      case 'get': {
        const order = orders.get(orderId);
        return order ? { ok: true, order: orderView(order, ctx()) } : { ok: false, error: { code: 'ORDER_NOT_FOUND', messages: { 'zh-CN': '订单不存在', en: '' } } };
      }
      case 'list': {
        const all = [...orders.values()].filter((o) => o.customerId === (actor as { id: string }).id);
        all.sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : a.id < b.id ? 1 : -1));
        const matching = all.filter((o) => orderMatchesTab(o, String(data.tab ?? 'all')));
        const from = data.cursor ? Number(data.cursor) : 0;
        const limit = Number(data.limit ?? 20);
        const page = matching.slice(from, from + limit);
        return {
          ok: true,
          items: page.map((o) => orderListItemView(o, ctx())),
          nextCursor: from + limit < matching.length ? String(from + limit) : null,
          tabs: orderListTabsView(countOrdersByTab(all)),
        };
      }
      case 'quote': {
        const items = data.cart as Array<{ sku: string; quantity: number }>;
        const delivered = (q: Quote) => (data.delivery ? priceDelivery(q, data.delivery as DeliveryChoice, DELIVERY, { now: now.value }) : { ok: true as const, quote: q });
        const best = bestCoupons(cartFrom(items, []), WALLET, rules, { now: now.value });
        if (!best.ok) return fail(best.error);
        const chosen = Array.isArray(data.couponIds) ? WALLET.filter((w) => (data.couponIds as string[]).includes(w.id)) : null;
        let shown = best.quote;
        if (chosen) {
          const r = priceCart(cartFrom(items, chosen), rules, { now: now.value });
          if (!r.ok) return fail(r.error);
          shown = r.quote;
        }
        const d = delivered(shown);
        if (!d.ok) return fail(d.error);
        shown = d.quote;
        const answer: Record<string, unknown> = { ok: true, delivery: shown.delivery ?? { mode: 'express' }, deliveryOptions: DELIVERY_OPTIONS, quote: quoteView(shown), coupons: couponOptionsView({ wallet: WALLET, best, shown, definitions: [{ id: 'shop-5', title: '店铺券 ¥5' }, { id: 'big-20', title: '满500减20' }] }) };
        // As the real function does with an inventory: what each SKU has left, and its 限购.
        if (inventory) {
          const stock = [];
          for (const it of items) {
            const level = await inventory.level(it.sku);
            if (level) stock.push({ sku: it.sku, available: level.available, ...(level.limit ? { perCustomer: level.limit.perCustomer } : {}) });
          }
          answer['stock'] = stock;
        }
        // As the real function does with a balance port: what the shopper holds.
        if (balance) answer['balance'] = moneyView(await balance.balanceOf(CUSTOMER));
        return answer;
      }
      case 'place': {
        const items = data.cart as Array<{ sku: string; quantity: number }>;
        const coupons = WALLET.filter((w) => ((data.couponIds as string[]) ?? []).includes(w.id));
        const cartPriced = priceCart(cartFrom(items, coupons), rules, { now: now.value });
        if (!cartPriced.ok) return fail(cartPriced.error);
        const priced = data.delivery ? priceDelivery(cartPriced.quote, data.delivery as DeliveryChoice, DELIVERY, { now: now.value }) : cartPriced;
        if (!priced.ok) return fail(priced.error);
        seq += 1;
        if (inventory) {
          const held = await inventory.reserve({ orderId: `fake-${seq}`, customerId: CUSTOMER, items: items.map((i) => ({ sku: i.sku, quantity: i.quantity })) }).catch((e: OrderkitError) => e);
          if ('code' in held) return fail(held);
        }
        const payWith = data.useBalance !== undefined ? { payWith: { balance: data.useBalance as number } } : {};
        const r = placeOrder(
          { id: `fake-${seq}`, number: `2026112512000000000${seq}`, customerId: CUSTOMER, quote: priced.quote, pickupCode: '482913', ...(data.address ? { address: data.address as Order['address'] } : {}), ...payWith },
          { now: now.value },
        );
        if (!r.ok) return fail(r.error);
        // The balance part is debited with the order (the real service does both or neither).
        const part = r.order.payment.sources?.find((s) => s.kind === 'balance');
        if (part && balance) {
          const taken = await balance.debit({ customerId: CUSTOMER, orderId: r.order.id, key: part.outTradeNo, amount: part.amount }).catch((e: OrderkitError) => e);
          if ('code' in taken) return fail(taken);
        }
        orders.set(r.order.id, r.order);
        return { ok: true, order: orderView(r.order, ctx()) };
      }
      case 'pay': {
        const order = orders.get(orderId);
        if (!order) return { ok: false, error: { code: 'ORDER_NOT_FOUND', messages: { 'zh-CN': '订单不存在', en: '' } } };
        // As the real function does: an order that is no longer awaiting payment gets no payment.
        if (order.status !== 'pending_payment') return { ok: true, order: orderView(order, ctx()), payment: null };
        return { ok: true, payment: { timeStamp: '1764043200', nonceStr: 'n0nce', package: `prepay_id=wx${order.number}`, signType: 'RSA', paySign: 'c2lnbmF0dXJl' } };
      }
      case 'trace': {
        const order = orders.get(orderId);
        if (!order) return { ok: false, error: { code: 'ORDER_NOT_FOUND', messages: { 'zh-CN': '订单不存在', en: '' } } };
        const r = await traceShipment(order, String(data.shipmentId ?? ''), tracking, { timeoutMs: 50 });
        return r.ok ? { ok: true, trace: r.trace } : fail(r.error);
      }
      case 'cancel':
        return run(orderId, { type: 'CANCEL' });
      case 'confirmReceipt':
        return run(orderId, { type: 'CONFIRM_RECEIPT' });
      case 'cancelAfterSale':
        return run(orderId, { type: 'CANCEL_AFTER_SALE', afterSaleId: String(data.afterSaleId) });
      case 'changeAddress':
        return run(orderId, { type: 'CHANGE_ADDRESS', address: data.address as never });
      case 'requestAfterSale':
        return run(orderId, { type: 'REQUEST_AFTER_SALE', kind: data.kind as 'refund_only', items: data.items as never, reason: String(data.reason) });
      case 'returnShipped':
        return run(orderId, { type: 'RETURN_SHIPPED', afterSaleId: String(data.afterSaleId), trackingNo: String(data.trackingNo), expressCompany: String(data.expressCompany) });
      case 'acceptRefundProposal':
        return run(orderId, { type: 'ACCEPT_REFUND_PROPOSAL', afterSaleId: String(data.afterSaleId) });
      case 'declineRefundProposal':
        return run(orderId, { type: 'DECLINE_REFUND_PROPOSAL', afterSaleId: String(data.afterSaleId), ...(data.reason ? { reason: String(data.reason) } : {}) });
      case 'requestExchange':
        return run(orderId, { type: 'REQUEST_EXCHANGE', items: data.items as never, reason: String(data.reason) });
      case 'refundQuote': {
        const order = orders.get(orderId)!;
        const r = refundQuote(order, { kind: data.kind as 'refund_only', items: data.items as never }, { now: now.value, policy: defaultPolicy });
        return r.ok ? { ok: true, quote: refundQuoteView(r.quote) } : fail(r.error);
      }
      default:
        return { ok: false, error: { code: 'UNKNOWN_ACTION', messages: { 'zh-CN': '未知操作', en: 'unknown action' } } };
    }
  }) as FakeOrderFunction;
  fn.orders = orders;
  fn.now = now;
  fn.tracking = tracking;
  fn.add = (o) => orders.set(o.id, o);
  fn.replace = (o) => orders.set(o.id, o);
  return fn;
}
