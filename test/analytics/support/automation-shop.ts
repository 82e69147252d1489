import type { AutomationPolicy } from '../../../src/order/policy.js';
import { definePolicy } from '../../../src/order/policy.js';
import { createOrderService } from '../../../src/service/index.js';
import { MemoryOrderStore, type OrderStore } from '../../../src/storage/index.js';
import { customer, gateway, manualClock, merchant, quote, sequentialIds } from '../../service/fixtures.js';

export const RULES: AutomationPolicy = {
  paymentReminder: { minutesBefore: 10 },
  shippingAlert: { slaHours: 48, hoursBefore: 6 },
  fastRefund: { maxAmount: 1000, minPaidOrders: 1, maxRefundRate: 0.5 },
};

/** A shop with unpaid, paid and shipped orders, two of the shipped with a small refund-only request. */
export async function shop(store: OrderStore = new MemoryOrderStore()) {
  const clock = manualClock();
  const service = createOrderService({ store, clock, ids: sequentialIds(), retryDelayMs: 0, policy: definePolicy({ autoApproveRefundBeforeShipment: false }) });
  const ids: string[] = [];
  for (let i = 0; i < 6; i++) {
    const r = await service.place({ customerId: customer.type === 'customer' ? customer.id : 'u1', quote: quote() });
    if (!r.ok) throw new Error(r.error.code);
    ids.push(r.order.id);
  }
  // o1, o2 unpaid; o3, o4 paid; o5, o6 shipped with a ¥5 refund-only request each.
  for (const id of ids.slice(2)) {
    const o = (await service.get(id))!;
    const r = await service.dispatch(id, { type: 'PAYMENT_SUCCEEDED', amount: o.pricing.total, transactionId: `tx-${id}` }, gateway);
    if (!r.ok) throw new Error(r.error.code);
  }
  for (const id of ids.slice(4)) {
    await service.dispatch(id, { type: 'SHIP' }, merchant);
    const r = await service.dispatch(id, { type: 'REQUEST_AFTER_SALE', kind: 'refund_only', items: [{ lineId: 'b', quantity: 1 }], reason: 'scratched' }, customer);
    if (!r.ok) throw new Error(r.error.code);
  }
  return { clock, store, service, ids };
}

