import type { Actor, Command, Order } from '../../src/order/index.js';
import type { OrderService } from '../../src/service/index.js';
import type { Outcome } from './invariants.js';

const customer: Actor = { type: 'customer', id: 'u1' };
const merchant: Actor = { type: 'merchant', id: 'staff-1' };
const gateway: Actor = { type: 'payment', gateway: 'wechatpay' };

/** Ids seen in accepted results, shared by all workers: the refund and after-sale ids they can name. */
export interface Seen {
  refunds: string[];
  afterSales: string[];
}

function remember(seen: Seen, order: Order): void {
  for (const r of order.refunds) if (!seen.refunds.includes(r.id)) seen.refunds.push(r.id);
  for (const a of order.afterSales) if (!seen.afterSales.includes(a.id)) seen.afterSales.push(a.id);
}

/**
 * One conflicting command on the hot order, drawn from the mix a busy shop sees at once: payment
 * notifications (and their repeats), partial shipments, refund requests and their approvals,
 * refund results, and now and then a merchant cancel.
 */
export function nextCommand(random: () => number, seen: Seen, total: number, late: boolean): { command: Command; actor: Actor } {
  const pick = <T>(list: T[]): T | undefined => list[Math.floor(random() * list.length)];
  const r = random();
  if (r < 0.1) return { command: { type: 'PAYMENT_SUCCEEDED', amount: total, transactionId: 'tx-hot' }, actor: gateway };
  if (r < 0.35) {
    return {
      command: { type: 'REQUEST_AFTER_SALE', kind: 'refund_only', items: [{ lineId: 'a', quantity: 1 }], reason: 'race' },
      actor: customer,
    };
  }
  if (r < 0.45) {
    const id = pick(seen.afterSales);
    if (id) return { command: { type: 'APPROVE_AFTER_SALE', afterSaleId: id }, actor: merchant };
  }
  if (r < 0.7) {
    const id = pick(seen.refunds);
    if (id) return { command: { type: 'REFUND_SUCCEEDED', refundId: id }, actor: gateway };
  }
  if (late && r > 0.995) return { command: { type: 'CANCEL', reason: 'race' }, actor: merchant };
  return { command: { type: 'SHIP', logisticsType: 'express', items: [{ lineId: 'a', quantity: 1 }] }, actor: merchant };
}

/** A worker: `count` commands one after another, each through the service. */
export async function worker(
  service: OrderService,
  orderId: string,
  total: number,
  count: number,
  random: () => number,
  seen: Seen,
): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  for (let i = 0; i < count; i++) {
    const { command, actor } = nextCommand(random, seen, total, i > count / 2);
    const t0 = performance.now();
    const result = await service.dispatch(orderId, command, actor);
    const ms = performance.now() - t0;
    if (result.ok) remember(seen, result.order);
    outcomes.push({ command, actor, result, ms });
  }
  return outcomes;
}
