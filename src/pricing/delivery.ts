import * as z from '../zod.js';
import { orderkitError, type OrderkitError } from '../errors/orderkit-error.js';
import { errorFromZod } from '../errors/zod-issues.js';
import { ok, fail, type Result } from '../errors/result.js';
import { formatFen } from '../money/format.js';
import { invalidAmount } from '../money/assert-fen.js';
import {
  DeliverySlotSchema,
  FenSchema,
  IdSchema,
  PickupStoreSchema,
  refuseUnstorableStrings,
  type Adjustment,
  type DeliverySlot,
  type QuoteDelivery,
} from '../order/index.js';
import type { Quote } from './quote.js';

/**
 * Delivery modes and their fees (docs/delivery.md): express keeps the quote's freight (the flat fee
 * or the 运费模板); local courier (同城配送) replaces it with a fee by distance band or by zone, in a
 * delivery slot; store pickup (到店自提) costs nothing and names an existing store.
 */

const MAX_DISTANCE = 1_000_000;

/** One distance band: deliveries up to `upTo` metres (inclusive) cost `fee`. */
export const DistanceBandSchema = z.lazySchema(() => z.strictObject({ upTo: z.int().check(z.minimum(1), z.maximum(MAX_DISTANCE)), fee: FenSchema }));
/** One delivery zone (配送区域) and its fee. */
export const DeliveryZoneSchema = z.lazySchema(() => z.strictObject({ id: IdSchema, name: z.optional(z.string().check(z.maxLength(64))), fee: FenSchema }));

function uniqueIds(what: string) {
  return (items: Array<{ id: string }>, ctx: z.core.$RefinementCtx) => {
    const seen = new Set<string>();
    items.forEach((item, i) => {
      if (seen.has(item.id)) ctx.addIssue({ code: 'custom', path: [i, 'id'], message: `duplicate ${what} id ${item.id}` });
      seen.add(item.id);
    });
  };
}

function ascendingBands(bands: Array<{ upTo: number }>, ctx: z.core.$RefinementCtx): void {
  for (let i = 1; i < bands.length; i++) {
    if (bands[i]!.upTo <= bands[i - 1]!.upTo) ctx.addIssue({ code: 'custom', path: [i, 'upTo'], message: 'bands must be in strictly ascending order of upTo' });
  }
}

// Built with DeliveryRulesSchema, not when the module loads (docs/benchmarks.md, "Cold start").
let slotWindow: ReturnType<typeof buildSlotWindow> | undefined;
function buildSlotWindow() {
  return {
    /** The earliest slot starts this many minutes from now (备货时间). Default 0. */
    leadMinutes: z.optional(z.int().check(z.minimum(0), z.maximum(10_080))),
    /** A slot may start at most this many days ahead. Default 7. */
    maxDaysAhead: z.optional(z.int().check(z.minimum(1), z.maximum(60))),
  };
}
const SlotWindow = () => (slotWindow ??= buildSlotWindow());

/**
 * The shop's delivery rules. `local` needs `bands` or `zones` (or both); `pickup` lists the stores.
 *
 * @example
 * DeliveryRulesSchema.parse({ local: { bands: [{ upTo: 3000, fee: 500 }, { upTo: 5000, fee: 800 }], freeOver: 9900 } })
 */
export const DeliveryRulesSchema = z.lazySchema(() => z.strictObject({
  local: z.optional(
    z
      .strictObject({
        /** Ascending by `upTo`; a distance beyond the last band is not delivered (DELIVERY_OUT_OF_RANGE). */
        bands: z.optional(z.array(DistanceBandSchema).check(z.minLength(1), z.maxLength(50), z.superRefine(ascendingBands))),
        zones: z.optional(z.array(DeliveryZoneSchema).check(z.minLength(1), z.maxLength(200), z.superRefine(uniqueIds('zone')))),
        /** Goods payable (after discounts, before points) at or over this: the delivery is free. */
        freeOver: z.optional(FenSchema),
        ...SlotWindow(),
      })
      .check(
        z.refine((l) => l.bands !== undefined || l.zones !== undefined, { message: 'local delivery needs bands or zones', path: ['bands'] }),
      ),
  ),
  pickup: z.optional(
    z.strictObject({
      stores: z.array(PickupStoreSchema).check(z.minLength(1), z.maxLength(500), z.superRefine(uniqueIds('store'))),
      ...SlotWindow(),
    }),
  ),
}));
export type DeliveryRules = z.output<typeof DeliveryRulesSchema>;
export type LocalDeliveryRules = NonNullable<DeliveryRules['local']>;

/**
 * What the shopper chose at checkout. `local` gives either the distance in metres (the shop
 * measures it from the address) or a zone id, and a slot; `pickup` a store id and optionally a slot.
 *
 * @example
 * DeliveryChoiceSchema.parse({ mode: 'pickup', storeId: 'xuhui' })
 */
export const DeliveryChoiceSchema = z.lazySchema(() => z
  .discriminatedUnion('mode', [
    z.strictObject({ mode: z.literal('express') }),
    z.strictObject({
      mode: z.literal('local'),
      distance: z.optional(z.int().check(z.minimum(0), z.maximum(MAX_DISTANCE))),
      zone: z.optional(IdSchema),
      slot: DeliverySlotSchema,
    }),
    z.strictObject({ mode: z.literal('pickup'), storeId: IdSchema, slot: z.optional(DeliverySlotSchema) }),
  ])
  .check(z.superRefine(refuseUnstorableStrings)));
export type DeliveryChoice = z.output<typeof DeliveryChoiceSchema>;

function deliveryError(code: string, message: { 'zh-CN': string; en: string }, path: Array<string | number>, details?: Record<string, unknown>): OrderkitError {
  return orderkitError(code, message, details === undefined ? { path: ['delivery', ...path] } : { path: ['delivery', ...path], details });
}

/**
 * The local delivery fee before any waiver: the first band whose `upTo` ≥ the distance, or the
 * zone's fee. The rule lives here and nowhere else.
 *
 * @example
 * localDeliveryFee({ bands: [{ upTo: 3000, fee: 500 }] }, { distance: 2500 }) // { ok: true, fee: 500 }
 */
export function localDeliveryFee(rules: LocalDeliveryRules, choice: { distance?: number | undefined; zone?: string | undefined }): Result<{ fee: number }> {
  if ((choice.distance === undefined) === (choice.zone === undefined)) {
    return fail(deliveryError('INVALID_DELIVERY', { 'zh-CN': '同城配送需要距离（distance）或配送区域（zone），二者选一', en: 'a local delivery needs either a distance or a zone, not both' }, ['distance']));
  }
  if (choice.distance !== undefined) {
    const bands = rules.bands;
    if (bands === undefined) {
      return fail(deliveryError('DELIVERY_MODE_UNAVAILABLE', { 'zh-CN': '本店同城配送按区域计费，请选择配送区域', en: 'this shop charges local delivery by zone: choose a zone' }, ['distance']));
    }
    for (const band of bands) if (choice.distance <= band.upTo) return ok({ fee: band.fee });
    const max = bands[bands.length - 1]!.upTo;
    return fail(
      deliveryError(
        'DELIVERY_OUT_OF_RANGE',
        { 'zh-CN': `距离 ${choice.distance} 米超出配送范围（最远 ${max} 米）`, en: `${choice.distance} m is beyond the delivery range (at most ${max} m)` },
        ['distance'],
        { distance: choice.distance, maxDistance: max },
      ),
    );
  }
  const zone = rules.zones?.find((z) => z.id === choice.zone);
  if (zone === undefined) {
    return fail(deliveryError('DELIVERY_ZONE_UNKNOWN', { 'zh-CN': `配送区域 ${choice.zone} 不存在`, en: `delivery zone ${choice.zone} does not exist` }, ['zone'], { zone: choice.zone }));
  }
  return ok({ fee: zone.fee });
}

/** A slot in the future (at least `leadMinutes` away), at most `maxDaysAhead` days ahead, start < end. */
export function checkSlot(slot: DeliverySlot, window: { leadMinutes?: number | undefined; maxDaysAhead?: number | undefined }, now: number): OrderkitError | undefined {
  const start = Date.parse(slot.start);
  const end = Date.parse(slot.end);
  if (!(end > start)) {
    return deliveryError('DELIVERY_SLOT_INVALID', { 'zh-CN': '时段的结束时间必须晚于开始时间', en: 'the slot must end after it starts' }, ['slot', 'end']);
  }
  const earliest = now + (window.leadMinutes ?? 0) * 60_000;
  if (start < earliest) {
    return deliveryError(
      'DELIVERY_SLOT_PAST',
      { 'zh-CN': '所选时段已过或太早，请选择之后的时段', en: 'the slot is in the past or too soon: choose a later one' },
      ['slot', 'start'],
      { earliest: new Date(earliest).toISOString() },
    );
  }
  const latest = now + (window.maxDaysAhead ?? 7) * 86_400_000;
  if (start > latest) {
    return deliveryError('DELIVERY_SLOT_INVALID', { 'zh-CN': `时段最多可提前 ${window.maxDaysAhead ?? 7} 天预约`, en: `a slot may start at most ${window.maxDaysAhead ?? 7} days ahead` }, ['slot', 'start']);
  }
  return undefined;
}

const reasonFreeLocal = (freeOver: number) => ({ 'zh-CN': `满 ${formatFen(freeOver)} 免配送费`, en: `free local delivery over ${formatFen(freeOver)}` });

/** The quote with its freight replaced by `fee` (waived as `waiver` when given). */
function withFreight(quote: Quote, fee: number, waiver: Adjustment | undefined, delivery: QuoteDelivery): Quote {
  let goods = 0;
  for (const line of quote.lines) goods += line.payable;
  const freight = waiver === undefined ? fee : 0;
  const adjustments = quote.adjustments.filter((a) => a.source !== 'freight');
  if (waiver !== undefined) adjustments.push(waiver);
  const total = goods + freight;
  const out: Quote = { ...quote, adjustments, freight, total, savings: quote.itemsTotal + fee - total, delivery };
  delete out.freightPending;
  delete out.freightDetail;
  return out;
}

export interface PriceDeliveryContext {
  now: Date;
}

/**
 * Prices the delivery the shopper chose into a quote from `priceCart` (docs/delivery.md): express
 * keeps its freight; local replaces it with the band's or zone's fee (free at `freeOver`); pickup
 * sets it to 0. The returned quote carries `delivery`, which `placeOrder` stores. Bad input is a
 * typed error with the path under `delivery` and nothing is priced: INVALID_DELIVERY,
 * INVALID_DELIVERY_RULES, DELIVERY_MODE_UNAVAILABLE, DELIVERY_OUT_OF_RANGE, DELIVERY_ZONE_UNKNOWN,
 * PICKUP_STORE_UNKNOWN, DELIVERY_SLOT_PAST, DELIVERY_SLOT_INVALID, INVALID_AMOUNT (goods plus the fee
 * beyond the safe-integer range).
 *
 * @example
 * const slot = { start: '2026-11-25T14:00:00+08:00', end: '2026-11-25T15:00:00+08:00' };
 * const r = priceDelivery(quote, { mode: 'local', distance: 2500, slot }, { local: { bands: [{ upTo: 3000, fee: 500 }] } }, { now });
 * if (r.ok) r.quote.freight; // 500
 */
export function priceDelivery(quote: Quote, choice: DeliveryChoice, rules: DeliveryRules, ctx: PriceDeliveryContext): Result<{ quote: Quote }> {
  const now = ctx !== null && typeof ctx === 'object' && ctx.now instanceof Date ? ctx.now.getTime() : NaN;
  if (Number.isNaN(now)) return fail(orderkitError('INVALID_CONTEXT', { 'zh-CN': 'ctx.now 必须是有效的 Date', en: 'ctx.now must be a valid Date' }, { path: ['now'] }));
  const c = DeliveryChoiceSchema.safeParse(choice);
  if (!c.success) return fail(errorFromZod('INVALID_DELIVERY', { 'zh-CN': '配送方式不正确', en: 'invalid delivery choice' }, c.error, ['delivery']));
  const r = DeliveryRulesSchema.safeParse(rules);
  if (!r.success) return fail(errorFromZod('INVALID_DELIVERY_RULES', { 'zh-CN': '配送规则不正确', en: 'invalid delivery rules' }, r.error, ['deliveryRules']));
  const chosen = c.data;
  const shop = r.data;
  if (chosen.mode === 'express') {
    return ok({ quote: { ...quote, delivery: { mode: 'express' } } });
  }
  if (!quote.lines.some((l) => l.fulfillment === 'physical')) {
    return fail(deliveryError('DELIVERY_MODE_UNAVAILABLE', { 'zh-CN': '虚拟商品无需配送，请选择快递（express）', en: 'virtual goods are not delivered: choose express' }, ['mode']));
  }
  if (chosen.mode === 'local') {
    const local = shop.local;
    if (local === undefined) return fail(deliveryError('DELIVERY_MODE_UNAVAILABLE', { 'zh-CN': '本店未开通同城配送', en: 'this shop has no local delivery' }, ['mode']));
    const priced = localDeliveryFee(local, chosen);
    if (!priced.ok) return priced;
    const bad = checkSlot(chosen.slot, local, now);
    if (bad !== undefined) return fail(bad);
    let base = quote.pointsDeduction;
    for (const line of quote.lines) base += line.payable;
    const free = priced.fee > 0 && local.freeOver !== undefined && base >= local.freeOver;
    const waiver: Adjustment | undefined = free
      ? { id: 'freight:free_local_delivery', source: 'freight', sourceId: 'free_local_delivery', amount: priced.fee, lineIds: [], reason: reasonFreeLocal(local.freeOver!) }
      : undefined;
    if (!Number.isSafeInteger(quote.itemsTotal + priced.fee)) return fail(invalidAmount(quote.itemsTotal + priced.fee, { path: ['delivery', 'fee'] }));
    const delivery: QuoteDelivery = { mode: 'local', fee: priced.fee, slot: { start: chosen.slot.start, end: chosen.slot.end } };
    if (chosen.distance !== undefined) delivery.distance = chosen.distance;
    if (chosen.zone !== undefined) delivery.zone = chosen.zone;
    return ok({ quote: withFreight(quote, priced.fee, waiver, delivery) });
  }
  const pickup = shop.pickup;
  if (pickup === undefined) return fail(deliveryError('DELIVERY_MODE_UNAVAILABLE', { 'zh-CN': '本店未开通到店自提', en: 'this shop has no store pickup' }, ['mode']));
  const store = pickup.stores.find((s) => s.id === chosen.storeId);
  if (store === undefined) {
    return fail(deliveryError('PICKUP_STORE_UNKNOWN', { 'zh-CN': `自提门店 ${chosen.storeId} 不存在`, en: `pickup store ${chosen.storeId} does not exist` }, ['storeId'], { storeId: chosen.storeId }));
  }
  if (chosen.slot !== undefined) {
    const bad = checkSlot(chosen.slot, pickup, now);
    if (bad !== undefined) return fail(bad);
  }
  const delivery: QuoteDelivery = { mode: 'pickup', store: { ...store } };
  if (chosen.slot !== undefined) delivery.slot = { start: chosen.slot.start, end: chosen.slot.end };
  return ok({ quote: withFreight(quote, 0, undefined, delivery) });
}
