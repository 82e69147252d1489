import { describe, expect, it } from 'vitest';
import { createPresale, presaleLifecycle, presaleOf } from '../../src/flows/index.js';
import type { Actor, Command, Order } from '../../src/order/index.js';
import { createOrderService } from '../../src/service/index.js';
import { MemoryOrderStore } from '../../src/storage/index.js';

/**
 * RECORD_GATEWAY_REFUND on a presale order (docs/flows.md "Refund split"): a refund WeChat made
 * that the ledger does not know is weighed against what its own transaction collected — the
 * balance part (尾款) or the deposit (定金) — never against the order's whole paid amount.
 */
const gateway: Actor = { type: 'payment', gateway: 'wechatpay' };
const system: Actor = { type: 'system', id: 'reconcile' };
const DAY = 86_400_000;
const cart = { lines: [{ id: 'l1', sku: 'PHONE-X', title: '新款手机', listPrice: 399900, quantity: 1 }] };
const rules = { freight: { defaultFee: 0 } };

async function bothPaid(payBalance = true) {
  let now = Date.parse('2026-11-01T04:00:00Z');
  const clock = { now: () => new Date(now) };
  const service = createOrderService({ store: new MemoryOrderStore(), clock, lifecycle: presaleLifecycle() });
  const presale = createPresale({ service, clock });
  const terms = { deposit: 10000, deduction: 5000, balanceFrom: new Date(now + 10 * DAY), balanceUntil: new Date(now + 12 * DAY) };
  const placed = await presale.place({ customerId: 'u1', cart, rules, address: { name: '张三', phone: '13800000000', province: '上海市', city: '上海市', detail: '1 号' } }, terms);
  if (!placed.ok) throw placed.error;
  const pay = async (order: Order, type: 'PAY_DEPOSIT' | 'PAY_BALANCE', tx: string) => {
    const p = presaleOf(order)!.parts.find((x) => x.part === (type === 'PAY_DEPOSIT' ? 'deposit' : 'balance'))!;
    const r = await service.dispatch(order.id, { type, amount: p.amount, transactionId: tx, outTradeNo: p.outTradeNo } as unknown as Command, gateway);
    if (!r.ok) throw r.error;
    return r.order;
  };
  let order = await pay(placed.order, 'PAY_DEPOSIT', 'tx-D');
  if (payBalance) {
    now += 11 * DAY;
    order = await pay(order, 'PAY_BALANCE', 'tx-B');
  }
  const record = (command: Record<string, unknown>) => service.dispatch(order.id, { type: 'RECORD_GATEWAY_REFUND', ...command } as unknown as Command, system);
  return { service, order, record };
}

describe('RECORD_GATEWAY_REFUND on a presale order', () => {
  it('on the balance transaction is capped by what the balance collected, not by deposit + balance', async () => {
    const { service, order, record } = await bothPaid();
    expect(order.payment.paidAmount).toBe(394900);
    const tooMuch = await record({ refundId: 'MANUAL-1', amount: 394900, transactionId: 'tx-B' });
    expect(tooMuch.ok ? 'accepted' : tooMuch.error.code).toBe('REFUND_EXCEEDS_PAID');
    expect((await service.get(order.id))!.version).toBe(order.version);
    // Without a transaction id the bill row is the order's payment: the last part paid (the balance).
    const implicit = await record({ refundId: 'MANUAL-1', amount: 384901 });
    expect(implicit.ok ? 'accepted' : implicit.error.code).toBe('REFUND_EXCEEDS_PAID');
    const fits = await record({ refundId: 'MANUAL-1', amount: 384900, transactionId: 'tx-B' });
    if (!fits.ok) throw fits.error;
    // The deposit is still with the merchant: the order does not close.
    expect(fits.order.status).toBe('paid');
    expect(fits.order.refunds.map((r) => [r.id, r.amount, r.transactionId, r.outTradeNo])).toEqual([['MANUAL-1', 384900, 'tx-B', `${order.number}-B`]]);
  });

  it('on the deposit transaction is recorded, capped by the deposit; both parts back close the order', async () => {
    const { order, record } = await bothPaid();
    const over = await record({ refundId: 'MANUAL-D', amount: 10001, transactionId: 'tx-D' });
    expect(over.ok ? 'accepted' : over.error.code).toBe('REFUND_EXCEEDS_PAID');
    const deposit = await record({ refundId: 'MANUAL-D', amount: 10000, transactionId: 'tx-D' });
    if (!deposit.ok) throw deposit.error;
    expect(deposit.order.status).toBe('paid');
    expect(deposit.order.refunds.map((r) => [r.id, r.amount, r.transactionId, r.outTradeNo])).toEqual([['MANUAL-D', 10000, 'tx-D', `${order.number}-D`]]);
    // The same bill row again: an accepted no-op.
    const again = await record({ refundId: 'MANUAL-D', amount: 10000, transactionId: 'tx-D' });
    expect(again.ok && again.order.version).toBe(deposit.order.version);
    const balance = await record({ refundId: 'MANUAL-B', amount: 384900, transactionId: 'tx-B' });
    if (!balance.ok) throw balance.error;
    expect(balance.order).toMatchObject({ status: 'closed', closeReason: 'fully_refunded' });
  });

  it('a refund the ledger already holds on the deposit counts against the deposit', async () => {
    const { service, order, record } = await bothPaid();
    const cancel = await service.dispatch(order.id, { type: 'CANCEL', reason: '缺货' } as Command, { type: 'merchant', id: 'staff-1' });
    if (!cancel.ok) throw cancel.error;
    expect(cancel.order.refunds.map((r) => [r.transactionId, r.amount])).toEqual([['tx-B', 384900], ['tx-D', 10000]]);
    const more = await record({ refundId: 'MANUAL-D', amount: 1, transactionId: 'tx-D' });
    expect(more.ok ? 'accepted' : more.error.code).toBe('REFUND_EXCEEDS_PAID');
  });

  it('an unknown transaction is still UNKNOWN_TRANSACTION', async () => {
    const { record } = await bothPaid();
    const other = await record({ refundId: 'MANUAL-X', amount: 100, transactionId: 'tx-other' });
    expect(other.ok ? 'accepted' : other.error.code).toBe('UNKNOWN_TRANSACTION');
  });
});
