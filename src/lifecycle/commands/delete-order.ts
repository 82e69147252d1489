import { z } from 'zod';
import { orderkitError } from '../../errors/orderkit-error.js';
import { defineCommand } from '../define.js';
import { defineGuard, note, type Draft, type Step } from '../step.js';
import type { Order } from '../../order/index.js';

/** After-sale states that still wait for someone: an order with one of them cannot be deleted. */
const OPEN_AFTER_SALE = ['requested', 'approved', 'awaiting_return', 'returned', 'refunding'];

function deletable(order: Order): 'already' | 'open' | null {
  if (order.deletedByCustomerAt !== undefined) return 'already';
  if (order.afterSales.some((a) => OPEN_AFTER_SALE.indexOf(a.status) >= 0)) return 'open';
  if (order.refunds.some((r) => r.status !== 'succeeded')) return 'open';
  return null;
}

const orderDeletable = defineGuard(
  (step: Step) => {
    const why = deletable(step.order);
    if (why === null) return undefined;
    return orderkitError(
      why === 'already' ? 'ORDER_DELETED' : 'ORDER_BUSY',
      why === 'already'
        ? { 'zh-CN': '订单已删除', en: 'the order was deleted' }
        : { 'zh-CN': '售后或退款处理中的订单不能删除', en: 'an order with an after-sale or refund in progress cannot be deleted' },
      { path: [], details: { orderId: step.order.id } },
    );
  },
  (probe) => deletable(probe.order) === null,
);

function markDeleted(draft: Draft, step: Step): void {
  draft.order.deletedByCustomerAt = step.ctx.at;
  note(draft, 'deletedByCustomerAt', step.ctx.at);
}

/**
 * 删除订单 (opt-in: add it to a lifecycle with `createLifecycle({ commands: [...orderCommands,
 * deleteOrder] })`). The shopper removes a finished order (completed or closed, nothing pending)
 * from their own list: `deletedByCustomerAt` is set and nothing else changes, so the shop's pages,
 * exports and analytics still see the order. docs/mini-program.md "Deleting an order".
 */
export const deleteOrder = defineCommand({
  type: 'DELETE_ORDER',
  schema: z.strictObject({ type: z.literal('DELETE_ORDER') }),
  actors: ['customer'],
  label: { 'zh-CN': '删除订单', en: 'Delete order' },
  rows: [{ from: ['completed', 'closed'], guard: 'orderDeletable', actions: ['markDeletedByCustomer'] }],
  button: { key: 'deleteOrder', rank: 5 },
  guards: { orderDeletable },
  actions: { markDeletedByCustomer: markDeleted },
});
