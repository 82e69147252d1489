import * as z from '../zod.js';
import { errorFromZod } from '../errors/zod-issues.js';
import { orderkitError, type OrderkitError } from '../errors/orderkit-error.js';
import {
  AddressSchema,
  ChannelSchema,
  AdjustmentSchema,
  FenSchema,
  FulfillmentSchema,
  IdSchema,
  LineSchema,
  CountSchema,
  PointsEarnSchema,
  PickupCodeSchema,
  QuoteDeliverySchema,
  refuseUnstorableStrings,
  unstorablePath,
  type Actor,
  type Effect,
  type Order,
  type OrderDelivery,
  type OrderEvent,
  type PointsEarn,
} from '../order/index.js';
import { priceDelivery, type DeliveryChoice, type DeliveryRules } from '../pricing/delivery.js';
import { isActor } from '../order/actor.js';
import type { Cart } from '../pricing/cart-schema.js';
import type { PricingRuleSet } from '../pricing/compile-rules.js';
import { priceCart } from '../pricing/price-cart.js';
import type { Quote } from '../pricing/quote.js';
import type { PricingRules } from '../pricing/rule-schemas.js';
import { deadlineAfter } from './deadlines.js';
import { isPlainPlaceInput } from './place-input.js';
import { isoTimestamp } from './iso.js';
import { defaultPolicy, type Policy } from '../order/policy.js';
import { becomePaid, recordFreeOrder } from './rules/payment.js';
import { planSources, type PayWith } from './rules/sources.js';
import type { Draft, Step } from './step.js';
import type { TransitionResult } from './types.js';
import { fail } from '../errors/result.js';

/** The quote as `placeOrder` accepts it: what `priceCart` returns (extra fields are ignored). */
const QuoteInputSchema = z.lazySchema(() => z.object({
  lines: z.array(LineSchema).check(z.minLength(1)),
  adjustments: z.array(AdjustmentSchema),
  itemsTotal: FenSchema,
  discountTotal: z.int().check(z.minimum(Number.MIN_SAFE_INTEGER), z.maximum(Number.MAX_SAFE_INTEGER)),
  freight: FenSchema,
  pointsUsed: CountSchema,
  pointsDeduction: FenSchema,
  total: FenSchema,
  couponIds: z.array(z.string()),
  pointsEarn: z.optional(PointsEarnSchema),
  /** A quote whose freight waits for an address cannot be placed (docs/pricing.md "Freight templates"). */
  freightPending: z.optional(z.boolean()),
  /** The delivery `priceDelivery` priced; absent: express (docs/delivery.md). */
  delivery: z.optional(QuoteDeliverySchema),
}));

/**
 * The zod schema of `placeOrder`'s input (with a `quote`), for callers that validate a request
 * body before pricing, or want its JSON Schema.
 *
 * @example
 * z.toJSONSchema(PlaceOrderInputSchema)
 */
export const PlaceOrderInputSchema = z.lazySchema(() => z.object({
  /** The order's id (the caller's id generator: a UUID, a cloud database `_id`…). */
  id: IdSchema,
  /** From `createOrderNumber`; also the first payment attempt's `out_trade_no`. */
  number: z.string().check(z.regex(/^[0-9A-Za-z_-]{1,32}$/)),
  customerId: IdSchema,
  quote: QuoteInputSchema,
  address: z.optional(AddressSchema),
  buyerRemark: z.optional(z.string().check(z.maxLength(200))),
  /** Default: 'virtual' when every line is virtual, else 'physical'. */
  fulfillment: z.optional(FulfillmentSchema),
  metadata: z.optional(z.record(z.string(), z.unknown())),
  /** The sales channel (docs/analytics.md "Channels"). */
  channel: z.optional(ChannelSchema),
  /** Several payment sources: fen from the stored balance, the rest by WeChat Pay (docs/payment-sources.md). */
  payWith: z.optional(z.unknown()),
  /** The code the shopper shows at the store: required when the quote's delivery is pickup (docs/delivery.md). */
  pickupCode: z.optional(PickupCodeSchema),
}).check(z.superRefine(refuseUnstorableStrings)));

interface PlaceOrderFields {
  id: string;
  number: string;
  customerId: string;
  address?: Order['address'];
  buyerRemark?: string;
  fulfillment?: Order['fulfillment'];
  metadata?: Record<string, unknown>;
  channel?: string;
  /** Pay `balance` fen from the shopper's stored balance and the rest by WeChat Pay (docs/payment-sources.md). */
  payWith?: PayWith;
  /** For a pickup order: the code the shopper shows at the store (the service draws one when absent). */
  pickupCode?: string;
}

/** With `cart` and `rules`: the delivery the shopper chose and the shop's delivery rules (docs/delivery.md). */
interface PlaceDeliveryFields {
  delivery?: DeliveryChoice;
  deliveryRules?: DeliveryRules;
}

/**
 * A new order: its ids and delivery details, and either a `quote` from `priceCart` or the `cart`
 * and `rules` to price it with (then `placeOrder` calls `priceCart` itself at `ctx.now`).
 */
export type PlaceOrderInput =
  | (PlaceOrderFields & { quote: Quote; cart?: undefined; rules?: undefined; delivery?: undefined; deliveryRules?: undefined })
  | (PlaceOrderFields & PlaceDeliveryFields & { cart: Cart; rules: PricingRules | PricingRuleSet; quote?: undefined });

export interface PlaceOrderContext {
  now: Date;
  policy?: Policy;
  /** Who places it; default the customer. Recorded in the audit event. */
  actor?: Actor;
}

function invalidInput(message: { 'zh-CN': string; en: string }, path: Array<string | number>): OrderkitError {
  return orderkitError('INVALID_ORDER_INPUT', message, { path });
}

function checkQuote(quote: z.output<typeof QuoteInputSchema>): OrderkitError | undefined {
  const lines = quote.lines;
  // A short quote is scanned for a repeated id instead of filling a Set (placing is on the hot path).
  const ids = lines.length > 16 ? new Set<string>() : undefined;
  let payable = 0;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    let repeated = false;
    if (ids === undefined) for (let j = 0; j < i && !repeated; j++) repeated = lines[j]!.id === line.id;
    else repeated = ids.has(line.id);
    if (repeated) return invalidInput({ 'zh-CN': `商品行 id ${line.id} 重复`, en: `line id ${line.id} is used twice` }, ['quote', 'lines', i, 'id']);
    ids?.add(line.id);
    payable += line.payable;
  }
  if (!Number.isSafeInteger(payable + quote.freight) || payable + quote.freight !== quote.total) {
    return invalidInput(
      {
        'zh-CN': `报价不一致：商品应付合计 ${payable} + 运费 ${quote.freight} ≠ 总价 ${quote.total}（单位：分）`,
        en: `inconsistent quote: line payables ${payable} + freight ${quote.freight} ≠ total ${quote.total} (fen)`,
      },
      ['quote', 'total'],
    );
  }
  return undefined;
}

/** The stored delivery of a new order, copied field by field from the checked quote. */
function orderDelivery(d: NonNullable<z.output<typeof QuoteInputSchema>['delivery']>, data: z.output<typeof PlaceOrderInputSchema>): OrderDelivery | OrderkitError {
  if (d.mode === 'express') return { mode: 'express' };
  if (d.mode === 'local') {
    if (data.address === undefined) {
      return invalidInput({ 'zh-CN': '同城配送需要收货地址', en: 'a local delivery needs a delivery address' }, ['address']);
    }
    const out: OrderDelivery = { mode: 'local', fee: d.fee, slot: { start: d.slot.start, end: d.slot.end } };
    if (d.distance !== undefined) out.distance = d.distance;
    if (d.zone !== undefined) out.zone = d.zone;
    return out;
  }
  if (data.pickupCode === undefined) {
    return invalidInput({ 'zh-CN': '到店自提订单需要自提码（pickupCode）', en: 'a pickup order needs its pickup code (pickupCode)' }, ['pickupCode']);
  }
  const store: Extract<OrderDelivery, { mode: 'pickup' }>['store'] = { id: d.store.id, name: d.store.name };
  if (d.store.address !== undefined) store.address = d.store.address;
  if (d.store.phone !== undefined) store.phone = d.store.phone;
  const out: OrderDelivery = { mode: 'pickup', store, code: data.pickupCode };
  if (d.slot !== undefined) out.slot = { start: d.slot.start, end: d.slot.end };
  return out;
}

/**
 * Builds a new order from a priced cart: version 1, `pending_payment`, the first payment attempt
 * (its `out_trade_no` is the order number, its amount the total), `deadlines.payBy` = now +
 * `policy.payWithin` in the shop's time zone, and a `schedule` effect that sends EXPIRE then.
 *
 * A total of 0 needs no payment: the order is placed already `paid` (virtual goods go straight on
 * to `shipped`), with no payment attempt and no pay-by deadline.
 *
 * Returns the same shape as `transition()`; bad input gives INVALID_ORDER_INPUT with the path of
 * each problem. Given `{ cart, rules }` instead of a quote, it prices the cart first and passes on
 * pricing's own typed error (INVALID_CART, INVALID_RULES, …).
 *
 * @example
 * const r = placeOrder({ id: 'o1', number: createOrderNumber({ now, random: Math.random }), customerId: 'u1', quote }, { now });
 * if (r.ok) await store.create(r.order, { events: r.events, effects: r.effects });
 */
export function placeOrder(input: PlaceOrderInput, ctx: PlaceOrderContext): TransitionResult {
  const now = ctx.now;
  if (!(now instanceof Date) || now.getTime() !== now.getTime()) {
    return fail(orderkitError('INVALID_CONTEXT', { 'zh-CN': 'now 必须是有效的 Date', en: 'ctx.now must be a valid Date' }, { path: ['now'] }));
  }
  let candidate: unknown = input;
  if (input !== null && typeof input === 'object' && input.quote === undefined && input.cart !== undefined) {
    if ((input as { rules?: unknown }).rules == null) {
      // Without this, pricing would report its own argument as missing at '(root)'.
      return fail(orderkitError(
          'INVALID_ORDER_INPUT',
          {
            'zh-CN': '下单信息不正确：rules：缺少必填字段（传入 cart 时需要 rules 来计价，或直接传入 quote）',
            en: 'invalid order input: rules: required field is missing (a cart is priced with `rules`; or pass a `quote`)',
          },
          { path: ['rules'] },
        ));
    }
    const priced = priceCart(input.cart, input.rules, { now });
    if (!priced.ok) return priced;
    let quote = priced.quote;
    if (input.delivery !== undefined) {
      const delivered = priceDelivery(quote, input.delivery, input.deliveryRules ?? {}, { now });
      if (!delivered.ok) return delivered;
      quote = delivered.quote;
    }
    candidate = { ...input, quote };
  } else if (input !== null && typeof input === 'object' && (input as { delivery?: unknown }).delivery !== undefined) {
    return fail(invalidInput(
      { 'zh-CN': '已有报价（quote）时，配送方式请先用 priceDelivery 计入报价', en: 'with a quote, price the delivery into it with priceDelivery first' },
      ['delivery'],
    ));
  }
  let data: z.output<typeof PlaceOrderInputSchema>;
  if (isPlainPlaceInput(candidate)) {
    // Already exactly what the schema accepts: skip zod's copy (lines are stored as given).
    data = candidate as z.output<typeof PlaceOrderInputSchema>;
  } else {
    const parsed = PlaceOrderInputSchema.safeParse(candidate);
    if (!parsed.success) {
      return fail(errorFromZod('INVALID_ORDER_INPUT', { 'zh-CN': '下单信息不正确', en: 'invalid order input' }, parsed.error));
    }
    data = parsed.data;
  }
  const quote = data.quote;
  const bad = checkQuote(quote);
  if (bad !== undefined) return fail(bad);
  if (quote.freightPending === true) {
    return fail(
      orderkitError(
        'FREIGHT_PENDING',
        { 'zh-CN': '运费待定：请先填写收货地址（购物车的 region）再下单', en: 'freight is pending: give the delivery region (cart.region) before placing the order' },
        { path: ['quote', 'freightPending'] },
      ),
    );
  }
  if (ctx.actor !== undefined && (!isActor(ctx.actor) || unstorablePath(ctx.actor) !== null)) {
    return fail(invalidInput({ 'zh-CN': '下单人（actor）格式不正确', en: 'invalid actor' }, ['actor']));
  }

  const policy = ctx.policy ?? defaultPolicy;
  const actor: Actor = ctx.actor ?? { type: 'customer', id: data.customerId };
  const at = isoTimestamp(now.getTime());
  const planned = planSources(data.number, quote.total, (data as { payWith?: unknown }).payWith, at);
  if (!planned.ok) return planned;
  // What WeChat Pay must collect: the total less the balance's part (nothing left: paid at placement).
  const due = quote.total - planned.balance;
  const free = due === 0;
  const order: Order = {
    id: data.id,
    number: data.number,
    version: 1,
    status: 'pending_payment',
    customerId: data.customerId,
    currency: 'CNY',
    fulfillment: data.fulfillment ?? (quote.lines.every((l) => l.fulfillment === 'virtual') ? 'virtual' : 'physical'),
    lines: quote.lines,
    merchantNotes: [],
    pricing: {
      itemsTotal: quote.itemsTotal,
      discountTotal: quote.discountTotal,
      freight: quote.freight,
      pointsUsed: quote.pointsUsed,
      pointsDeduction: quote.pointsDeduction,
      total: quote.total,
      adjustments: quote.adjustments,
      couponIds: quote.couponIds,
    },
    payment: {
      attempts: free ? [] : [{ outTradeNo: data.number, amount: due, status: 'open', createdAt: at }],
      paidAmount: 0,
      stray: [],
    },
    shipments: [],
    afterSales: [],
    refunds: [],
    deadlines: {},
    createdAt: at,
    updatedAt: at,
  };
  if (quote.pointsEarn !== undefined) {
    // Copied field by field: the fast input check lets unknown fields through, the store must not.
    const earn: PointsEarn = {};
    if (quote.pointsEarn.rate !== undefined) earn.rate = { points: quote.pointsEarn.rate.points, fen: quote.pointsEarn.rate.fen };
    if (quote.pointsEarn.bonus !== undefined) earn.bonus = quote.pointsEarn.bonus;
    order.pricing.pointsEarn = earn;
  }
  if (data.address !== undefined) order.address = data.address;
  if (data.buyerRemark !== undefined) order.buyerRemark = data.buyerRemark;
  if (data.metadata !== undefined) order.metadata = data.metadata;
  if (data.channel !== undefined) order.channel = data.channel;
  if (planned.sources !== undefined) order.payment.sources = planned.sources;
  if (quote.delivery !== undefined) {
    const delivery = orderDelivery(quote.delivery, data);
    if (!('mode' in delivery)) return fail(delivery);
    order.delivery = delivery;
  }

  const draft: Draft = { order, effects: [], data: { total: quote.total } };
  let effects: Effect[];
  if (free) {
    // A free order is paid at placement: the same "becomes paid" as a payment (virtual goods ship).
    const step: Step = { order, command: { type: 'ORDER_PLACED' }, ctx: { now, at, actor, policy }, memo: undefined };
    order.status = order.fulfillment === 'virtual' ? 'shipped' : 'paid';
    recordFreeOrder(draft, step);
    if (planned.balance > 0) {
      order.payment.paidAmount = planned.balance;
      draft.data!['balance'] = planned.balance;
    }
    becomePaid(draft, step);
    effects = draft.effects.map((e, i) => ({ id: `${order.id}:1:${i}`, orderId: order.id, ...e }) as Effect);
  } else {
    const payBy = deadlineAfter(now, policy.payWithin, policy.timeZone);
    order.deadlines = { payBy };
    draft.data!['payBy'] = payBy;
    // The one effect, written as the list above would stamp it (id and orderId first), without its spread.
    effects = [{ id: `${order.id}:1:0`, orderId: order.id, type: 'schedule', at: payBy, command: { type: 'EXPIRE' } }];
  }

  const event: OrderEvent = { orderId: order.id, version: 1, type: 'ORDER_PLACED', actor, from: null, to: order.status, at };
  event.data = draft.data!;
  return { ok: true, changed: true, order, events: [event], effects };
}
