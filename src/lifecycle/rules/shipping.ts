import { OrderkitError } from '../../errors/orderkit-error.js';
import { deliveryModeOf, type CommandOf, type LineQuantity, type LogisticsType, type Order, type Shipment } from '../../order/index.js';
import { unshippableQuantities } from '../../refund/holdings.js';
import { appended, deliveredShipment, withDeadline } from '../clone.js';
import { deadlineAfter, isDue } from '../deadlines.js';
import { lifecycleErrors, NO_MATCH } from '../errors.js';
import { defineGuard, note, noteAll, type Draft, type Step } from '../step.js';
import { deliveryErrors } from './delivery-errors.js';

/**
 * Shipping, delivery and completion. A parcel may hold any units not shipped yet; the order is
 * `shipped` once nothing is left, which starts the auto-confirm clock.
 */

type Shipping = CommandOf<'SHIP'>;
type Delivering = CommandOf<'DELIVER'>;

interface ShipmentPlan {
  kind: 'ship';
  id: string;
  items: LineQuantity[];
  completes: boolean;
}

/**
 * Units of each line that may still ship: ordered − shipped − units a refund-only after-sale
 * claims beyond what has shipped (the refund module's `unshippableQuantities`), because goods the
 * shopper is getting their money back for must not go out.
 */
export function unitsLeftToShip(order: Order): Map<string, number> {
  const left = new Map<string, number>();
  for (const line of order.lines) left.set(line.id, (left.get(line.id) ?? 0) + line.quantity);
  // What shippedQuantities sums, subtracted parcel item by parcel item (the same keys in the same
  // order, without the second map and its iterator; every SHIP asks).
  const shipments = order.shipments;
  for (let i = 0; i < shipments.length; i++) {
    const items = shipments[i]!.items;
    for (let j = 0; j < items.length; j++) left.set(items[j]!.lineId, (left.get(items[j]!.lineId) ?? 0) - items[j]!.quantity);
  }
  if (order.afterSales.length > 0) {
    for (const [lineId, n] of unshippableQuantities(order)) left.set(lineId, (left.get(lineId) ?? 0) - n);
  }
  return left;
}

export function anythingLeft(left: Map<string, number>): boolean {
  for (const n of left.values()) if (n > 0) return true;
  return false;
}

function planShipment(step: Step<Shipping>): ShipmentPlan | OrderkitError {
  if (step.memo !== undefined && (step.memo as ShipmentPlan).kind === 'ship') return step.memo as ShipmentPlan;
  const { order, command } = step;
  // Local deliveries go out with a rider (DISPATCH_RIDER); pickup orders never ship (docs/delivery.md).
  const mode = deliveryModeOf(order);
  if (mode !== 'express') return deliveryErrors.modeMismatch(mode, 'SHIP');
  const id = command.shipmentId ?? `${order.number}-S${order.shipments.length + 1}`;
  for (const s of order.shipments) if (s.id === id) return lifecycleErrors.duplicateShipment(id);
  const left = unitsLeftToShip(order);
  let items: LineQuantity[];
  if (command.items === undefined) {
    items = [];
    for (const line of order.lines) {
      const n = left.get(line.id) ?? 0;
      if (n > 0 && !items.some((i) => i.lineId === line.id)) items.push({ lineId: line.id, quantity: n });
    }
    if (items.length === 0) return lifecycleErrors.nothingToShip();
  } else {
    items = [];
    for (let i = 0; i < command.items.length; i++) {
      const { lineId, quantity } = command.items[i]!;
      const available = left.get(lineId);
      if (available === undefined) return lifecycleErrors.unknownLine(lineId, ['items', i, 'lineId']);
      const same = items.find((x) => x.lineId === lineId);
      const total = (same?.quantity ?? 0) + quantity;
      if (total > available) return lifecycleErrors.shipQuantityExceeded(lineId, total, Math.max(0, available), ['items', i, 'quantity']);
      if (same) same.quantity = total;
      else items.push({ lineId, quantity });
    }
  }
  for (const item of items) left.set(item.lineId, left.get(item.lineId)! - item.quantity);
  const plan: ShipmentPlan = { kind: 'ship', id, items, completes: !anythingLeft(left) };
  step.memo = plan;
  return plan;
}

/** A parcel with everything still to ship: the order becomes `shipped`. */
export const shipsRest = defineGuard(
  (step: Step<Shipping>) => {
    const plan = planShipment(step);
    if (plan instanceof OrderkitError) return plan;
    return plan.completes ? undefined : NO_MATCH;
  },
  (probe) => deliveryModeOf(probe.order) === 'express' && anythingLeft(unitsLeftToShip(probe.order)),
);

/** A parcel with part of what is left: the order is (or stays) `partially_shipped`. */
export const shipsPart = defineGuard(
  (step: Step<Shipping>) => {
    const plan = planShipment(step);
    if (plan instanceof OrderkitError) return plan;
    return plan.completes ? NO_MATCH : undefined;
  },
  (probe) => deliveryModeOf(probe.order) === 'express' && anythingLeft(unitsLeftToShip(probe.order)),
);

export function addShipment(draft: Draft, step: Step, id: string, items: LineQuantity[], logisticsType: LogisticsType, completes: boolean, extra: Partial<Shipment>): void {
  const shipment: Shipment = { id, items, logisticsType, shippedAt: step.ctx.at };
  if (extra.trackingNo !== undefined) shipment.trackingNo = extra.trackingNo;
  if (extra.expressCompany !== undefined) shipment.expressCompany = extra.expressCompany;
  draft.order.shipments = appended(draft.order.shipments, shipment); // (concat with a single object runs in the runtime, slower)
  draft.effects.push({ type: 'shipping.upload', shipmentId: id, logisticsType, items, allDelivered: completes });
  noteAll(draft, { shipmentId: id, items, logisticsType });
}

/** Records the parcel the guard validated and uploads its shipping info. */
export function ship(draft: Draft, step: Step<Shipping>): void {
  const plan = planShipment(step) as ShipmentPlan;
  const c = step.command;
  const extra: Partial<Shipment> = {};
  if (c.trackingNo !== undefined) extra.trackingNo = c.trackingNo;
  if (c.expressCompany !== undefined) extra.expressCompany = c.expressCompany;
  addShipment(draft, step, plan.id, plan.items, c.logisticsType ?? 'express', plan.completes, extra);
  if (c.trackingNo !== undefined) note(draft, 'trackingNo', c.trackingNo);
}

/** Virtual goods go out the moment they are paid for (docs/lifecycle.md "Rules"), with logistics type virtual. */
export function shipVirtualGoods(draft: Draft, step: Step): void {
  const items: LineQuantity[] = [];
  for (const [lineId, quantity] of unitsLeftToShip(draft.order)) if (quantity > 0) items.push({ lineId, quantity });
  addShipment(draft, step, `${draft.order.number}-S${draft.order.shipments.length + 1}`, items, 'virtual', true, {});
}

/** Fully shipped: stamps `shippedAt`, sets `deadlines.autoConfirmAt` and schedules AUTO_CONFIRM for it. */
export function scheduleAutoConfirm(draft: Draft, step: Step): void {
  const at = deadlineAfter(step.ctx.now, step.ctx.policy.autoConfirmAfter, step.ctx.policy.timeZone);
  draft.order.shippedAt = step.ctx.at;
  draft.order.deadlines = withDeadline(draft.order.deadlines, 'autoConfirmAt', at);
  draft.effects.push({ type: 'schedule', at, command: { type: 'AUTO_CONFIRM' } });
  note(draft, 'autoConfirmAt', at);
}

interface DeliveryPlan {
  kind: 'deliver';
  ids: string[];
  completes: boolean;
}

function planDelivery(step: Step<Delivering>): DeliveryPlan | OrderkitError {
  if (step.memo !== undefined && (step.memo as DeliveryPlan).kind === 'deliver') return step.memo as DeliveryPlan;
  const { order, command } = step;
  // A local delivery arrives with its proof (RECORD_DELIVERY_PROOF).
  if (deliveryModeOf(order) === 'local') return deliveryErrors.modeMismatch('local', 'DELIVER');
  const ids: string[] = [];
  if (command.shipmentId !== undefined) {
    const s = order.shipments.find((x) => x.id === command.shipmentId);
    if (s === undefined) return lifecycleErrors.unknownShipment(command.shipmentId);
    if (s.deliveredAt !== undefined) return lifecycleErrors.alreadyDelivered(s.id);
    ids.push(s.id);
  } else {
    for (const s of order.shipments) if (s.deliveredAt === undefined) ids.push(s.id);
    if (ids.length === 0) return lifecycleErrors.alreadyDelivered(undefined);
  }
  let undelivered = 0;
  for (const s of order.shipments) if (s.deliveredAt === undefined) undelivered++;
  const plan: DeliveryPlan = { kind: 'deliver', ids, completes: undelivered === ids.length && !anythingLeft(unitsLeftToShip(order)) };
  step.memo = plan;
  return plan;
}

const someParcelUndelivered = (order: Order): boolean => deliveryModeOf(order) !== 'local' && order.shipments.some((s) => s.deliveredAt === undefined);

/** The last parcel arrives: the order becomes `delivered`. */
export const deliversLastParcel = defineGuard(
  (step: Step<Delivering>) => {
    const plan = planDelivery(step);
    if (plan instanceof OrderkitError) return plan;
    return plan.completes ? undefined : NO_MATCH;
  },
  (probe) => someParcelUndelivered(probe.order),
);

/** A parcel arrives (not the last one): recorded, the status stays. */
export const deliversParcel = defineGuard(
  (step: Step<Delivering>) => {
    const plan = planDelivery(step);
    return plan instanceof OrderkitError ? plan : undefined;
  },
  (probe) => someParcelUndelivered(probe.order),
);

export function markDelivered(draft: Draft, step: Step<Delivering>): void {
  const plan = planDelivery(step) as DeliveryPlan;
  draft.order.shipments = draft.order.shipments.map((s) => (plan.ids.indexOf(s.id) >= 0 ? deliveredShipment(s, step.ctx.at) : s));
  if (plan.completes) draft.order.deliveredAt = step.ctx.at;
  note(draft, 'shipmentIds', plan.ids);
}

/** AUTO_CONFIRM is valid only once `deadlines.autoConfirmAt` has passed. */
export const autoConfirmDue = defineGuard(
  (step) =>
    isDue(step.order.deadlines.autoConfirmAt, step.ctx.now)
      ? undefined
      : lifecycleErrors.deadlineNotReached('autoConfirmAt', step.order.deadlines.autoConfirmAt, step.ctx.policy.timeZone),
  (probe) => isDue(probe.order.deadlines.autoConfirmAt, new Date(probe.nowMs)),
);

/** Receipt confirmed: stamps `completedAt` and opens the after-sales window. */
export function complete(draft: Draft, step: Step): void {
  const until = deadlineAfter(step.ctx.now, step.ctx.policy.afterSaleWindow, step.ctx.policy.timeZone);
  draft.order.completedAt = step.ctx.at;
  draft.order.deadlines = withDeadline(draft.order.deadlines, 'afterSaleUntil', until);
  note(draft, 'afterSaleUntil', until);
}
