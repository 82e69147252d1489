import type { Actor, AfterSale, Order } from '../order/index.js';
import type { Policy } from '../order/policy.js';
import { AFTER_SALE_TRANSITIONS, afterSaleGuardHolds, type AfterSaleCommandType } from './after-sale-states.js';
import { actsForRequester } from './request.js';

/**
 * The commands `actor` could send for this after-sale now, read from the chart's rows (status,
 * guard, actor type, and the rows that only the requester may take): the buttons
 * an after-sale page shows. Money caps are checked when the command runs, not here.
 *
 * @example
 * afterSaleCommands(order, order.afterSales[0], { type: 'merchant', id: 's1' }, policy)
 * // ['APPROVE_AFTER_SALE', 'REJECT_AFTER_SALE', 'CANCEL_AFTER_SALE'] for a new request
 */
export function afterSaleCommands(order: Order, afterSale: AfterSale, actor: Actor, policy: Policy): AfterSaleCommandType[] {
  const out: AfterSaleCommandType[] = [];
  for (const t of AFTER_SALE_TRANSITIONS) {
    if (t.from !== afterSale.status || t.on === 'always' || out.indexOf(t.on) >= 0) continue;
    if (t.actors !== undefined && t.actors.indexOf(actor.type) < 0) continue;
    if (t.when !== undefined && !afterSaleGuardHolds(t.when, order, afterSale, policy)) continue;
    if (t.requesterOnly === true && !actsForRequester(order, afterSale, actor)) continue;
    out.push(t.on);
  }
  return out;
}
