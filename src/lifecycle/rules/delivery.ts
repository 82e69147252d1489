import type { OrderkitError } from '../../errors/orderkit-error.js';
import { deliveryModeOf, type CommandOf, type DeliveryProof, type LineQuantity, type Order, type OrderDelivery, type Rider } from '../../order/index.js';
import { deliveredShipment } from '../clone.js';
import { lifecycleErrors, NO_MATCH } from '../errors.js';
import { defineGuard, note, type Draft, type Step } from '../step.js';
import { deliveryErrors } from './delivery-errors.js';
import { addShipment, anythingLeft, unitsLeftToShip } from './shipping.js';

/**
 * The delivery modes in the lifecycle (docs/delivery.md): a local delivery goes out with a rider
 * (DISPATCH_RIDER) and arrives with a proof (RECORD_DELIVERY_PROOF); a pickup order never ships:
 * the store hands it over against the shopper's code (VERIFY_PICKUP_CODE), which completes it.
 */

type Dispatching = CommandOf<'DISPATCH_RIDER'>;
type Proving = CommandOf<'RECORD_DELIVERY_PROOF'>;
type Verifying = CommandOf<'VERIFY_PICKUP_CODE'>;

function everythingLeft(order: Order): LineQuantity[] {
  const items: LineQuantity[] = [];
  for (const [lineId, quantity] of unitsLeftToShip(order)) if (quantity > 0) items.push({ lineId, quantity });
  return items;
}

/** DISPATCH_RIDER: a local-delivery order with goods left to send (the rider takes them all). */
export const dispatchesRider = defineGuard(
  (step: Step<Dispatching>) => {
    const mode = deliveryModeOf(step.order);
    if (mode !== 'local') return deliveryErrors.modeMismatch(mode, 'DISPATCH_RIDER');
    return anythingLeft(unitsLeftToShip(step.order)) ? undefined : lifecycleErrors.nothingToShip();
  },
  (probe) => deliveryModeOf(probe.order) === 'local' && anythingLeft(unitsLeftToShip(probe.order)),
);

/** The rider takes everything left: one same-city parcel, the rider kept on the order's delivery. */
export function dispatchRider(draft: Draft, step: Step<Dispatching>): void {
  const rider: Rider = { name: step.command.rider.name, phone: step.command.rider.phone };
  if (step.command.rider.company !== undefined) rider.company = step.command.rider.company;
  if (step.command.rider.trackingNo !== undefined) rider.trackingNo = step.command.rider.trackingNo;
  const extra: { trackingNo?: string; expressCompany?: string } = {};
  if (rider.trackingNo !== undefined) extra.trackingNo = rider.trackingNo;
  if (rider.company !== undefined) extra.expressCompany = rider.company;
  const order = draft.order;
  addShipment(draft, step, `${order.number}-L${order.shipments.length + 1}`, everythingLeft(order), 'same_city', true, extra);
  draft.order.delivery = { ...(order.delivery as Extract<OrderDelivery, { mode: 'local' }>), rider };
  note(draft, 'rider', rider.name);
}

/** RECORD_DELIVERY_PROOF: a dispatched local delivery not yet delivered. */
export const deliveryProofAccepted = defineGuard(
  (step: Step<Proving>) => {
    const mode = deliveryModeOf(step.order);
    if (mode !== 'local') return deliveryErrors.modeMismatch(mode, 'RECORD_DELIVERY_PROOF');
    return step.order.shipments.some((s) => s.deliveredAt === undefined) ? undefined : lifecycleErrors.alreadyDelivered(undefined);
  },
  (probe) => deliveryModeOf(probe.order) === 'local' && probe.order.shipments.some((s) => s.deliveredAt === undefined),
);

/** Every parcel delivered, the proof kept on the order's delivery. */
export function recordDeliveryProof(draft: Draft, step: Step<Proving>): void {
  const at = step.ctx.at;
  const c = step.command;
  const proof: DeliveryProof = { at };
  if (c.photoUrl !== undefined) proof.photoUrl = c.photoUrl;
  if (c.receivedBy !== undefined) proof.receivedBy = c.receivedBy;
  if (c.note !== undefined) proof.note = c.note;
  draft.order.shipments = draft.order.shipments.map((s) => (s.deliveredAt === undefined ? deliveredShipment(s, at) : s));
  draft.order.deliveredAt = at;
  draft.order.delivery = { ...(draft.order.delivery as Extract<OrderDelivery, { mode: 'local' }>), proof };
  note(draft, 'proof', proof);
}

/** Compares two codes in time independent of where they first differ. */
function sameCode(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

/**
 * VERIFY_PICKUP_CODE: a pickup order not picked up yet, at its own store when the command names
 * one (checked before the code, so another store learns nothing about it), and the code the
 * shopper shows is its own.
 */
export const pickupCodeMatches = defineGuard(
  (step: Step<Verifying>): OrderkitError | undefined => {
    const d = step.order.delivery;
    if (d === undefined || d.mode !== 'pickup') return deliveryErrors.modeMismatch(deliveryModeOf(step.order), 'VERIFY_PICKUP_CODE');
    if (d.pickedUpAt !== undefined) return deliveryErrors.alreadyPickedUp(d.pickedUpAt);
    if (!anythingLeft(unitsLeftToShip(step.order))) return NO_MATCH;
    if (step.command.storeId !== undefined && step.command.storeId !== d.store.id) return deliveryErrors.pickupStoreMismatch(step.command.storeId);
    return sameCode(step.command.code, d.code) ? undefined : deliveryErrors.pickupCodeMismatch();
  },
  (probe) => probe.order.delivery?.mode === 'pickup' && probe.order.delivery.pickedUpAt === undefined && anythingLeft(unitsLeftToShip(probe.order)),
);

/**
 * The hand-over: one pickup parcel of everything left, shipped and delivered at once (WeChat's
 * shipping info is uploaded with logistics type 4, 用户自提), and the time on the order's delivery.
 */
export function verifyPickup(draft: Draft, step: Step<Verifying>): void {
  const order = draft.order;
  const at = step.ctx.at;
  const id = `${order.number}-P${order.shipments.length + 1}`;
  addShipment(draft, step, id, everythingLeft(order), 'pickup', true, {});
  draft.order.shipments = draft.order.shipments.map((s) => (s.id === id ? deliveredShipment(s, at) : s));
  draft.order.shippedAt = at;
  draft.order.deliveredAt = at;
  draft.order.delivery = { ...(order.delivery as Extract<OrderDelivery, { mode: 'pickup' }>), pickedUpAt: at };
}
