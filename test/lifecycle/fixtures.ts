import fc from 'fast-check';
import type { Actor, Command, Line, Order, QuoteDelivery } from '../../src/order/index.js';
import type { Quote } from '../../src/pricing/quote.js';
import { placeOrder, transition, type TransitionResult, type Policy } from '../../src/lifecycle/index.js';

export const NOW = new Date('2026-11-25T04:00:00.000Z');
export const MINUTE = 60_000;
export const DAY = 86_400_000;
export const at = (ms: number): Date => new Date(NOW.getTime() + ms);

export const customer: Actor = { type: 'customer', id: 'u1' };
export const stranger: Actor = { type: 'customer', id: 'u2' };
export const merchant: Actor = { type: 'merchant', id: 'staff-1' };
export const system: Actor = { type: 'system' };
export const gateway: Actor = { type: 'payment', gateway: 'wechatpay' };

export function line(id: string, quantity: number, unit: number, extra: Partial<Line> = {}): Line {
  return {
    id,
    sku: `SKU-${id}`,
    title: `Item ${id}`,
    fulfillment: 'physical',
    listPrice: unit,
    unitPrice: unit,
    quantity,
    subtotal: unit * quantity,
    allocations: [],
    payable: unit * quantity,
    ...extra,
  };
}

export function quoteOf(lines: Line[], freight = 0, couponIds: string[] = []): Quote {
  const items = lines.reduce((s, l) => s + l.payable, 0);
  return {
    lines,
    adjustments: [],
    itemsTotal: lines.reduce((s, l) => s + l.listPrice * l.quantity, 0),
    discountTotal: lines.reduce((s, l) => s + l.listPrice * l.quantity - l.payable, 0),
    freight,
    pointsUsed: 0,
    pointsDeduction: 0,
    total: items + freight,
    savings: 0,
    couponIds,
    rejectedCoupons: [],
  };
}

export const defaultLines = (): Line[] => [line('a', 2, 1000), line('b', 1, 500)];

/** A local delivery's quote part and a pickup one (docs/delivery.md), for `place({ delivery })`. */
export const LOCAL_DELIVERY: QuoteDelivery = { mode: 'local', distance: 2000, fee: 800, slot: { start: '2026-11-25T06:00:00.000Z', end: '2026-11-25T07:00:00.000Z' } };
export const PICKUP_DELIVERY: QuoteDelivery = { mode: 'pickup', store: { id: 'xh', name: '徐汇店' } };
export const PICKUP_CODE = '482913';

export function place(options: { lines?: Line[]; freight?: number; couponIds?: string[]; fulfillment?: Order['fulfillment']; now?: Date; policy?: Policy; id?: string; delivery?: QuoteDelivery } = {}): Order {
  const quote = quoteOf(options.lines ?? defaultLines(), options.freight ?? 0, options.couponIds ?? []);
  const r = placeOrder(
    {
      id: options.id ?? 'o1',
      number: '20261125120000123456',
      customerId: 'u1',
      quote: options.delivery === undefined ? quote : { ...quote, delivery: options.delivery },
      ...(options.delivery?.mode === 'pickup' ? { pickupCode: PICKUP_CODE } : {}),
      ...(options.fulfillment !== undefined ? { fulfillment: options.fulfillment } : {}),
      address: { name: '张三', phone: '13800000000', province: '上海市', city: '上海市', detail: '人民路 1 号' },
    },
    { now: options.now ?? NOW, ...(options.policy ? { policy: options.policy } : {}) },
  );
  if (!r.ok) throw r.error;
  return r.order;
}

/** Applies a command that must succeed, returning the result. */
export function must(order: Order, command: Command, actor: Actor, now: Date = NOW, policy?: Policy): Extract<TransitionResult, { ok: true }> {
  const r = transition(order, command, { now, actor, ...(policy ? { policy } : {}) });
  if (!r.ok) throw new Error(`${command.type} failed: ${r.error.code} ${r.error.message}`);
  return r;
}

export function pay(order: Order, now: Date = NOW): Order {
  return must(order, { type: 'PAYMENT_SUCCEEDED', amount: order.pricing.total, transactionId: 'tx-1' }, gateway, now).order;
}

export function shipAll(order: Order, now: Date = NOW): Order {
  return must(order, { type: 'SHIP', logisticsType: 'express', trackingNo: 'SF1', expressCompany: 'SF' }, merchant, now).order;
}

export function errorCode(r: TransitionResult): string | undefined {
  return r.ok ? undefined : r.error.code;
}

/** Recursively freezes a value, so any mutation inside transition() throws in strict mode. */
export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const key of Object.keys(value as object)) deepFreeze((value as Record<string, unknown>)[key]);
  }
  return value;
}

/** Every money-ish number in an order, with its path: all must be safe integers. */
export function moneyFields(order: Order): Array<[string, unknown]> {
  const out: Array<[string, unknown]> = [];
  const walk = (v: unknown, path: string) => {
    if (typeof v === 'number') out.push([path, v]);
    else if (Array.isArray(v)) v.forEach((x, i) => walk(x, `${path}[${i}]`));
    else if (typeof v === 'object' && v !== null) for (const [k, x] of Object.entries(v)) walk(x, `${path}.${k}`);
  };
  walk(order, 'order');
  return out;
}

// ---- random command sequences -------------------------------------------------------------

export const actorArb: fc.Arbitrary<Actor> = fc.constantFrom<Actor>(customer, stranger, merchant, system, gateway);

/** A step of a random walk: which command, who sends it, and how many minutes pass first. */
export interface WalkStep {
  pick: number;
  actor: Actor;
  minutes: number;
}

export const walkArb: fc.Arbitrary<WalkStep[]> = fc.array(
  fc.record({ pick: fc.nat(), actor: actorArb, minutes: fc.constantFrom(0, 1, 31, 60 * 24 * 8) }),
  { minLength: 1, maxLength: 14 },
);

/** Deterministic command choice for a walk step, reading ids from the current order. */
export function commandFor(pick: number, order: Order): Command {
  const total = order.pricing.total;
  const afterSaleId = order.afterSales[pick % Math.max(1, order.afterSales.length)]?.id ?? 'none';
  const refundId = order.refunds[pick % Math.max(1, order.refunds.length)]?.id ?? 'none';
  const options: Command[] = [
    { type: 'PAYMENT_SUCCEEDED', amount: total, transactionId: 'tx-1' },
    { type: 'PAYMENT_SUCCEEDED', amount: total + 1, transactionId: 'tx-1' },
    { type: 'PAYMENT_SUCCEEDED', amount: total, transactionId: 'tx-2' },
    { type: 'CANCEL' },
    { type: 'EXPIRE' },
    { type: 'SHIP', logisticsType: 'express' },
    { type: 'SHIP', logisticsType: 'express', items: [{ lineId: 'a', quantity: 1 }] },
    { type: 'SHIP', logisticsType: 'express', items: [{ lineId: 'b', quantity: 2 }] },
    { type: 'DELIVER' },
    { type: 'CONFIRM_RECEIPT' },
    { type: 'AUTO_CONFIRM' },
    { type: 'REQUEST_AFTER_SALE', kind: 'refund_only', reason: '不想要了' },
    { type: 'REQUEST_AFTER_SALE', kind: 'return_and_refund', items: [{ lineId: 'a', quantity: 1 }], reason: '坏了' },
    { type: 'APPROVE_AFTER_SALE', afterSaleId },
    { type: 'REJECT_AFTER_SALE', afterSaleId, reason: '不符合' },
    { type: 'CANCEL_AFTER_SALE', afterSaleId },
    { type: 'RETURN_SHIPPED', afterSaleId, trackingNo: 'YT1', expressCompany: 'YTO' },
    { type: 'RETURN_RECEIVED', afterSaleId },
    { type: 'REFUND_SUCCEEDED', refundId },
    { type: 'REFUND_FAILED', refundId, reason: 'bank' },
  ];
  return options[pick % options.length]!;
}
