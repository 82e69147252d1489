import type { OrderkitError } from '../errors/orderkit-error.js';
import type { Actor, ActorType, CommandType } from '../order/index.js';
import { orderCommands } from './commands/index.js';
import { lifecycleErrors } from './errors.js';

/**
 * Who may send which command (docs/lifecycle.md "Actors"). A `customer` must also own the order
 * (`order.customerId === actor.id`). `payment` is a gateway notification that the caller has
 * already verified; `system` is a timer or sweeper.
 *
 * Some commands branch on the actor inside the chart as well: a merchant `CANCEL` after payment
 * refunds in full and closes, a customer's becomes a refund-only after-sale request.
 */
export type PermissionTable<TType extends string = CommandType> = Readonly<Record<TType, readonly ActorType[]>>;

/**
 * The default permission table: each built-in command's `actors` (src/lifecycle/commands/).
 *
 * @example
 * COMMAND_ACTORS.SHIP // ['merchant']
 */
export const COMMAND_ACTORS: PermissionTable = Object.freeze(
  Object.fromEntries(orderCommands.map((c) => [c.type, c.actors])) as Record<CommandType, readonly ActorType[]>,
);

/**
 * Undefined when `actor` may send `type` to an order owned by `customerId`, else a `FORBIDDEN`
 * error that says who may.
 *
 * @example
 * checkPermission(COMMAND_ACTORS, 'SHIP', { type: 'customer', id: 'u1' }, 'u1') // FORBIDDEN
 */
export function checkPermission<TType extends string>(
  table: PermissionTable<TType>,
  type: TType,
  actor: Actor,
  customerId: string,
): OrderkitError | undefined {
  return checkAllowed(table[type], type, actor, customerId);
}

/**
 * `checkPermission` with the command's row of the table already looked up (`allowed`: who may
 * send `type`, undefined when nobody may).
 *
 * @example
 * checkAllowed(COMMAND_ACTORS.SHIP, 'SHIP', { type: 'merchant', id: 'staff-1' }, 'u1') // undefined
 */
export function checkAllowed(allowed: readonly ActorType[] | undefined, type: string, actor: Actor, customerId: string): OrderkitError | undefined {
  if (allowed === undefined || allowed.indexOf(actor.type) < 0) return lifecycleErrors.forbidden(actor.type, type, allowed ?? []);
  if (actor.type === 'customer' && actor.id !== customerId) return lifecycleErrors.notOwner(type);
  return undefined;
}

/**
 * True when `checkPermission` would pass; allocation-free, for `allowedActions`.
 *
 * @example
 * isPermitted(COMMAND_ACTORS, 'CONFIRM_RECEIPT', { type: 'customer', id: 'u1' }, 'u1') // true
 */
export function isPermitted<TType extends string>(table: PermissionTable<TType>, type: TType, actor: Actor, customerId: string): boolean {
  const allowed = table[type];
  if (allowed === undefined || allowed.indexOf(actor.type) < 0) return false;
  return actor.type !== 'customer' || actor.id === customerId;
}
