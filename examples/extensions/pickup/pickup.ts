/**
 * 到店自提 + 核销 (pickup in store with a redemption code), built from outside orderkit with its
 * public API only (`wx-orderkit`): docs/lifecycle.md "Extending the lifecycle".
 *
 * - An order placed with `metadata: { delivery: 'pickup' }` gets a pickup code when it is paid: it
 *   becomes `shipped` with a pickup parcel, and the code waits in `metadata.pickup`.
 * - The merchant redeems the code (`REDEEM_PICKUP_CODE`), which completes the order; a wrong code
 *   is a typed `PICKUP_CODE_MISMATCH` and is counted.
 * - A code not redeemed within `expireAfterDays` expires: the sweeper's timer command for a shipped
 *   order (`AUTO_CONFIRM` at `deadlines.autoConfirmAt`) closes the order with a full refund instead
 *   of completing it.
 *
 * The randomness is injected (`newCode`), so the lifecycle stays deterministic under test.
 */
import { z } from 'zod';
import {
  NO_MATCH,
  OrderkitError,
  createLifecycle,
  deadlineAfter,
  defaultGuards,
  defineCommand,
  defineGuard,
  isDue,
  orderCommands,
  type CommandDefinition,
  type Draft,
  type Lifecycle,
  type Order,
  type Step,
} from 'wx-orderkit';

export interface PickupOptions {
  /** A fresh pickup code (e.g. six random digits from `crypto.randomInt`). */
  newCode: () => string;
  /** Days a code stays valid after payment. */
  expireAfterDays: number;
}

export interface PickupCode {
  code: string;
  expiresAt: string;
  redeemedAt?: string;
}

export interface PickupExtension {
  lifecycle: Lifecycle;
  /** Wrong codes tried so far (the guard's refusals). */
  wrongCodes(): number;
}

const isPickupOrder = (order: Order): boolean => (order.metadata as { delivery?: unknown } | undefined)?.delivery === 'pickup';
const pickupOf = (order: Order): PickupCode | undefined => (order.metadata as { pickup?: PickupCode } | undefined)?.pickup;

function mismatch(): OrderkitError {
  return new OrderkitError({
    code: 'PICKUP_CODE_MISMATCH',
    message: { 'zh-CN': '核销码不正确', en: 'the pickup code does not match' },
    path: ['code'],
  });
}

function original(type: string): CommandDefinition<string, any> {
  const found = orderCommands.find((c) => c.type === type);
  if (found === undefined) throw new Error(`orderkit has no ${type}`);
  return found;
}

export function pickupExtension(options: PickupOptions): PickupExtension {
  let wrong = 0;

  /** Pays a pickup order (the same money checks as any physical order). */
  const paysPickupOrder = defineGuard(
    (step) => (isPickupOrder(step.order) ? defaultGuards['paysPhysicalOrder']!(step, undefined) : NO_MATCH),
    (probe) => isPickupOrder(probe.order),
  );
  /** Issues the code: a pickup parcel of everything, the code and its expiry in metadata. */
  const issuePickupCode = (draft: Draft, step: Step): void => {
    const order = draft.order;
    const expiresAt = deadlineAfter(step.ctx.now, { days: options.expireAfterDays }, step.ctx.policy.timeZone);
    order.shipments = [
      ...order.shipments,
      { id: `${order.number}-P`, items: order.lines.map((l) => ({ lineId: l.id, quantity: l.quantity })), logisticsType: 'pickup', shippedAt: step.ctx.at },
    ];
    order.shippedAt = step.ctx.at;
    order.deadlines = { ...order.deadlines, autoConfirmAt: expiresAt };
    order.metadata = { ...order.metadata, pickup: { code: options.newCode(), expiresAt } };
    draft.effects.push({ type: 'notify', to: 'customer', template: 'pickup_code', data: { orderNumber: order.number, expiresAt } });
  };
  const codeMatches = defineGuard(
    (step) => {
      const pickup = pickupOf(step.order);
      if (pickup === undefined || pickup.redeemedAt !== undefined) return NO_MATCH;
      if ((step.command as { code: string }).code === pickup.code) return undefined;
      wrong += 1;
      return mismatch();
    },
    (probe) => pickupOf(probe.order) !== undefined && pickupOf(probe.order)!.redeemedAt === undefined,
  );
  const redeem = (draft: Draft, step: Step): void => {
    const pickup = pickupOf(draft.order)!;
    draft.order.metadata = { ...draft.order.metadata, pickup: { ...pickup, redeemedAt: step.ctx.at } };
    draft.order.deliveredAt = step.ctx.at;
    draft.order.shipments = draft.order.shipments.map((s) => ({ ...s, deliveredAt: step.ctx.at }));
  };
  const pickupExpired = defineGuard(
    (step) => (pickupOf(step.order) !== undefined && isDue(step.order.deadlines.autoConfirmAt, step.ctx.now) ? undefined : NO_MATCH),
    () => false,
  );
  const notPickup = defineGuard((step) => (isPickupOrder(step.order) ? NO_MATCH : undefined), (probe) => !isPickupOrder(probe.order));

  const payment = original('PAYMENT_SUCCEEDED');
  const paymentSucceeded = defineCommand({
    ...payment,
    rows: [{ from: 'pending_payment', to: 'shipped', guard: 'paysPickupOrder', actions: ['recordPayment', 'issuePickupCode'] }, ...payment.rows],
    guards: { paysPickupOrder },
    actions: { issuePickupCode },
  });
  const auto = original('AUTO_CONFIRM');
  const autoConfirm = defineCommand({
    ...auto,
    rows: [
      { from: 'shipped', to: 'closed', guard: 'pickupExpired', actions: [{ type: 'close', params: { reason: 'fully_refunded' } }, { type: 'refundInFull', params: { reason: 'merchant_cancel' } }] },
      ...auto.rows,
    ],
    guards: { pickupExpired },
  });
  // The shopper cannot "confirm receipt" of a parcel still on the shelf: only the code completes it.
  const confirm = original('CONFIRM_RECEIPT');
  const confirmReceipt = defineCommand({ ...confirm, rows: confirm.rows.map((r) => ({ ...r, guard: 'notPickup' })), guards: { notPickup } });
  const redeemPickupCode = defineCommand({
    type: 'REDEEM_PICKUP_CODE',
    schema: z.strictObject({ type: z.literal('REDEEM_PICKUP_CODE'), code: z.string().min(4).max(12) }),
    actors: ['merchant'],
    label: { 'zh-CN': '核销自提码', en: 'Redeem pickup code' },
    rows: [{ from: 'shipped', to: 'completed', guard: 'codeMatches', actions: ['redeemPickupCode', 'complete'] }],
    guards: { codeMatches },
    actions: { redeemPickupCode: redeem },
    button: { key: 'redeemPickupCode', rank: 85, primary: true },
    http: { path: '/pickup-code', operationId: 'redeemPickupCode' },
  });

  const replaced: Record<string, CommandDefinition<string, any>> = {
    PAYMENT_SUCCEEDED: paymentSucceeded,
    AUTO_CONFIRM: autoConfirm,
    CONFIRM_RECEIPT: confirmReceipt,
  };
  const lifecycle = createLifecycle({ commands: [...orderCommands.map((c) => replaced[c.type] ?? c), redeemPickupCode] });
  return { lifecycle, wrongCodes: () => wrong };
}
