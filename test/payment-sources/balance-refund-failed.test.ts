import { describe, expect, it } from 'vitest';
import { placeOrder, transition } from '../../src/lifecycle/index.js';
import type { Actor, Command, Order } from '../../src/order/index.js';
import { NOW, at, customer, gateway, line, merchant, quoteOf } from '../lifecycle/fixtures.js';

/**
 * A refund paid back to the stored balance is a credit to an account, never sent to WeChat Pay, so
 * it cannot fail there (docs/payment-sources.md "Refunds"): a REFUND_FAILED naming such an entry is
 * a forged or wrong report. Accepting it freed the amount while the credit may already be applied,
 * and a later merchant cancel credited the balance a second time.
 */
const balanceGateway: Actor = { type: 'payment', gateway: 'balance' };

/** 2 × ¥10.00: ¥10.00 from the balance and ¥10.00 by WeChat Pay, paid. */
function mixedOrder(): Order {
  const placed = placeOrder({ id: 'o1', number: 'N1', customerId: 'u1', quote: quoteOf([line('l1', 2, 1000)]), payWith: { balance: 1000 } }, { now: NOW });
  if (!placed.ok) throw placed.error;
  const paid = transition(placed.order, { type: 'PAYMENT_SUCCEEDED', amount: 1000, transactionId: 'wx1' }, { now: at(1000), actor: gateway });
  if (!paid.ok) throw paid.error;
  return paid.order;
}

function run(order: Order, command: Command, actor: Actor, t: number): Order {
  const r = transition(order, command, { now: at(t), actor });
  if (!r.ok) throw new Error(`${command.type}: ${r.error.code}`);
  return r.order;
}

describe('REFUND_FAILED for a refund paid back to the stored balance', () => {
  it('is refused with a typed error and the entry stays pending; the WeChat Pay share may still fail', () => {
    let order = mixedOrder();
    // The whole order back: ¥10.00 through WeChat Pay, ¥10.00 as a balance credit.
    order = run(order, { type: 'REQUEST_AFTER_SALE', kind: 'refund_only', items: [{ lineId: 'l1', quantity: 2 }], reason: '不要了' }, customer, 2000);
    const credit = order.refunds.find((r) => r.transactionId === 'balance:N1')!;
    expect(credit).toMatchObject({ amount: 1000, status: 'pending' });
    for (const actor of [gateway, balanceGateway]) {
      const forged = transition(order, { type: 'REFUND_FAILED', refundId: credit.id, reason: 'SYSTEMERROR' }, { now: at(3000), actor });
      expect(forged.ok ? 'accepted' : forged.error.code).toBe('BALANCE_REFUND_CANNOT_FAIL');
      if (!forged.ok) {
        expect(forged.error.messages['zh-CN']).toMatch(/余额/);
        expect(forged.error.messages.en).toMatch(/balance/);
        expect(forged.error.path).toEqual(['refundId']);
      }
    }
    // The WeChat Pay share may still fail as before.
    const wechat = order.refunds.find((r) => r.transactionId === 'wx1')!;
    const failed = transition(order, { type: 'REFUND_FAILED', refundId: wechat.id, reason: 'NOTENOUGH' }, { now: at(3000), actor: gateway });
    expect(failed.ok).toBe(true);
  });

  it('a forged failure of a credit already applied (its success not yet recorded) cannot free it for a second credit', () => {
    let order = mixedOrder();
    order = run(order, { type: 'REQUEST_AFTER_SALE', kind: 'refund_only', items: [{ lineId: 'l1', quantity: 2 }], reason: '不要了' }, customer, 2000);
    const credit = order.refunds.find((r) => r.transactionId === 'balance:N1')!;
    // The port applied the credit; marking its entry succeeded has not happened yet (pending).
    const forged = transition(order, { type: 'REFUND_FAILED', refundId: credit.id, reason: 'SYSTEMERROR' }, { now: at(3000), actor: gateway });
    if (forged.ok) order = forged.order;
    const cancel = transition(order, { type: 'CANCEL', reason: '缺货' }, { now: at(4000), actor: merchant });
    const credits = cancel.ok ? cancel.effects.filter((e) => e.type === 'balance.credit') : [];
    // Before, the cancel credited the balance's ¥10.00 a second time under a new key.
    expect(credits).toEqual([]);
  });
});
