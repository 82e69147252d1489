/**
 * Orders built by the real library (priceCart → placeOrder → transition), for the view tests and
 * the mini program page tests. Every step asserts success, so a fixture is always a reachable order.
 */
import {
  definePricingRules,
  placeOrder,
  priceCart,
  transition,
  type Actor,
  type Cart,
  type Command,
  type CommandInput,
  type Order,
  type Quote,
} from '../../src/index.js';

export const T0 = new Date('2026-11-25T04:00:00.000Z');
export const CUSTOMER = 'openid-alice';
export const customer: Actor = { type: 'customer', id: CUSTOMER };
export const merchant: Actor = { type: 'merchant', id: 'staff-1' };
export const wechatpay: Actor = { type: 'payment', gateway: 'wechatpay' };
export const system: Actor = { type: 'system' };

export const rules = definePricingRules({
  fullReductions: [{ id: 'mj-100-10', kind: 'threshold', threshold: 10000, off: 1000 }],
  coupons: [
    { id: 'shop-5', kind: 'fixed', off: 500, title: '店铺券 ¥5', validity: { kind: 'window', from: '2026-01-01T00:00:00Z', to: '2027-01-01T00:00:00Z' } },
    { id: 'big-20', kind: 'threshold', threshold: 50000, off: 2000, title: '满500减20', validity: { kind: 'window', from: '2026-01-01T00:00:00Z', to: '2027-01-01T00:00:00Z' } },
  ],
  freight: { defaultFee: 800, freeOver: 19900 },
});

export function sampleCart(overrides: Partial<Cart> = {}): Cart {
  return {
    lines: [
      { id: 'L1', sku: 'OAT-1KG', title: '有机燕麦片 1kg', listPrice: 5990, quantity: 2, image: 'https://img.example/oat.png' },
      { id: 'L2', sku: 'MILK-250', title: '纯牛奶 250ml', listPrice: 350, quantity: 6 },
    ],
    ...overrides,
  };
}

export function quoteFor(cart: Cart = sampleCart(), now = T0): Quote {
  const r = priceCart(cart, rules, { now });
  if (!r.ok) throw new Error(`priceCart failed: ${r.error.code} ${r.error.message}`);
  return r.quote;
}

let seq = 0;
export function placed(options: { cart?: Cart; now?: Date; id?: string; customerId?: string } = {}): Order {
  const now = options.now ?? T0;
  seq += 1;
  const r = placeOrder(
    {
      id: options.id ?? `order-${seq}`,
      number: `20261125120000${String(1000000000 + seq)}`,
      customerId: options.customerId ?? CUSTOMER,
      quote: quoteFor(options.cart, now),
      address: { name: '张三', phone: '13800001234', province: '广东省', city: '深圳市', district: '南山区', detail: '科技园路 1 号' },
    },
    { now },
  );
  if (!r.ok) throw new Error(`placeOrder failed: ${r.error.code} ${r.error.message}`);
  return r.order;
}

export function step(order: Order, command: CommandInput, actor: Actor, at: Date): Order {
  const r = transition(order, command as Command, { now: at, actor });
  if (!r.ok) throw new Error(`${command.type} failed: ${r.error.code} ${r.error.message}`);
  return r.order;
}

export const minutes = (n: number, from = T0) => new Date(from.getTime() + n * 60_000);
export const days = (n: number, from = T0) => new Date(from.getTime() + n * 86_400_000);

export function paid(order = placed(), at = minutes(5)): Order {
  return step(order, { type: 'PAYMENT_SUCCEEDED', amount: order.pricing.total, transactionId: `tx-${order.id}` }, wechatpay, at);
}

export function shipped(order = paid(), at = days(1)): Order {
  return step(order, { type: 'SHIP', trackingNo: 'SF1234567890', expressCompany: '顺丰速运' }, merchant, at);
}

export function completed(order = shipped(), at = days(2)): Order {
  return step(order, { type: 'CONFIRM_RECEIPT' }, customer, at);
}

export function cancelled(order = placed(), at = minutes(3)): Order {
  return step(order, { type: 'CANCEL' }, customer, at);
}
