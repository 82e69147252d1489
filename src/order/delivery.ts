import * as z from '../zod.js';
import { FenSchema, IdSchema, TimestampSchema } from './primitives.js';

/**
 * How an order reaches the shopper (docs/delivery.md): `express` (快递, the default: an order
 * without `delivery` ships by express), `local` (同城配送: a rider brings it in a time slot, the fee
 * by distance band or zone) or `pickup` (到店自提: the shopper collects it at a store with a code;
 * it never ships). Stored-order version 3 (docs/storage.md "Stored order versions").
 */
export const DELIVERY_MODES = ['express', 'local', 'pickup'] as const;
export const DeliveryModeSchema = z.enum(DELIVERY_MODES);
export type DeliveryMode = (typeof DELIVERY_MODES)[number];

/** A delivery (or pickup) time slot: `start` < `end`, both with their offset. */
export const DeliverySlotSchema = z.lazySchema(() => z.object({ start: TimestampSchema, end: TimestampSchema }));
export type DeliverySlot = z.output<typeof DeliverySlotSchema>;

/** The rider who carries a local delivery (骑手). */
export const RiderSchema = z.lazySchema(() => z.object({
  name: z.string().check(z.minLength(1), z.maxLength(64)),
  phone: z.string().check(z.minLength(3), z.maxLength(32)),
  /** The courier platform or fleet (达达, 闪送, the shop's own…). */
  company: z.optional(z.string().check(z.minLength(1), z.maxLength(64))),
  /** The platform's delivery id, when it has one. */
  trackingNo: z.optional(z.string().check(z.minLength(1), z.maxLength(128))),
}));
export type Rider = z.output<typeof RiderSchema>;

/**
 * The fields of a delivery proof as the rider sends them (the RECORD_DELIVERY_PROOF command); the
 * stored proof adds the time it was recorded. One place for both shapes.
 */
export function deliveryProofFields() {
  return {
    photoUrl: z.optional(z.string().check(z.minLength(1), z.maxLength(1024))),
    receivedBy: z.optional(z.string().check(z.minLength(1), z.maxLength(64))),
    note: z.optional(z.string().check(z.maxLength(200))),
  };
}

/** 送达凭证: what shows a local delivery arrived (a photo's URL, who took it, a note). */
export const DeliveryProofSchema = z.lazySchema(() => z.object({ ...deliveryProofFields(), at: TimestampSchema }));
export type DeliveryProof = z.output<typeof DeliveryProofSchema>;

/** A pickup store as the order keeps it (copied from the shop's rules when the order is placed). */
export const PickupStoreSchema = z.lazySchema(() => z.object({
  id: IdSchema,
  name: z.string().check(z.minLength(1), z.maxLength(100)),
  address: z.optional(z.string().check(z.maxLength(256))),
  phone: z.optional(z.string().check(z.maxLength(32))),
}));
export type PickupStore = z.output<typeof PickupStoreSchema>;

/** A local delivery as its quote priced it (the order's adds the rider and the proof). */
function localQuoteFields() {
  return {
    mode: z.literal('local'),
    /** Metres from the shop, when the fee went by distance band. */
    distance: z.optional(z.int().check(z.minimum(0), z.maximum(1_000_000))),
    /** The zone id, when the fee went by zone. */
    zone: z.optional(IdSchema),
    /** The delivery fee before any free-delivery waiver. */
    fee: FenSchema,
    slot: DeliverySlotSchema,
  };
}

/** A pickup as its quote priced it (the order's adds the code and when it was picked up). */
function pickupQuoteFields() {
  return { mode: z.literal('pickup'), store: PickupStoreSchema, slot: z.optional(DeliverySlotSchema) };
}

/** The delivery a quote priced (`priceDelivery`), as `placeOrder` takes it. */
export const QuoteDeliverySchema = z.lazySchema(() =>
  z.discriminatedUnion('mode', [z.object({ mode: z.literal('express') }), z.object(localQuoteFields()), z.object(pickupQuoteFields())]),
);
export type QuoteDelivery = z.output<typeof QuoteDeliverySchema>;

/** A pickup code: 4 to 12 digits. */
export const PickupCodeSchema = z.string().check(z.regex(/^[0-9]{4,12}$/));

/**
 * The order's delivery. `local` gains the rider when dispatched (DISPATCH_RIDER) and the proof when
 * delivered (RECORD_DELIVERY_PROOF); `pickup` holds the code the shopper shows and when it was
 * verified (VERIFY_PICKUP_CODE).
 */
export const OrderDeliverySchema = z.lazySchema(() => z.discriminatedUnion('mode', [
  z.object({ mode: z.literal('express') }),
  z.object({ ...localQuoteFields(), rider: z.optional(RiderSchema), proof: z.optional(DeliveryProofSchema) }),
  z.object({ ...pickupQuoteFields(), code: PickupCodeSchema, pickedUpAt: z.optional(TimestampSchema) }),
]));
export type OrderDelivery = z.output<typeof OrderDeliverySchema>;
export type LocalDelivery = Extract<OrderDelivery, { mode: 'local' }>;
export type PickupDelivery = Extract<OrderDelivery, { mode: 'pickup' }>;

/** The order's delivery mode: `express` when it has none (orders stored before version 3). */
export function deliveryModeOf(order: { delivery?: OrderDelivery | undefined }): DeliveryMode {
  return order.delivery?.mode ?? 'express';
}
