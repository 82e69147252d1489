import { describe, expect, it } from 'vitest';
import { placeOrder, transition } from '../../src/lifecycle/index.js';
import type { Command } from '../../src/order/index.js';
import { orderView } from '../../src/view/index.js';
import { NOW, at, customer, gateway, line, merchant, quoteOf } from '../lifecycle/fixtures.js';

/** The order detail of an order paid from the balance and WeChat Pay: each source, and each refund's route. */
describe('orderView with payment sources', () => {
  it('shows what each source paid and got back, and labels each refund with where it went', () => {
    const placed = placeOrder({ id: 'o1', number: 'N1', customerId: 'u1', quote: quoteOf([line('a', 2, 1000)]), payWith: { balance: 800 } }, { now: NOW });
    if (!placed.ok) throw placed.error;
    const paid = transition(placed.order, { type: 'PAYMENT_SUCCEEDED', amount: 1200, transactionId: 'wx1' } as Command, { now: at(1000), actor: gateway });
    if (!paid.ok) throw paid.error;
    const cancelled = transition(paid.order, { type: 'CANCEL', reason: '缺货' } as Command, { now: at(2000), actor: merchant });
    if (!cancelled.ok) throw cancelled.error;
    const v = orderView(cancelled.order, { actor: customer, now: at(3000) });
    expect(v.paymentSources!.map((s) => [s.label, s.paid.fen, s.refunded.fen, s.pending.fen])).toEqual([
      ['余额', 800, 0, 800],
      ['微信支付', 1200, 0, 1200],
    ]);
    expect(v.refunds.map((r) => [r.amount.fen, r.routeLabel])).toEqual([
      [1200, '微信支付'],
      [800, '余额'],
    ]);
    const en = orderView(cancelled.order, { actor: customer, now: at(3000), locale: 'en' });
    expect(en.paymentSources!.map((s) => s.label)).toEqual(['Balance', 'WeChat Pay']);
  });

  it('an order that closed unpaid shows the balance as given back; an order of one source shows none', () => {
    const placed = placeOrder({ id: 'o1', number: 'N1', customerId: 'u1', quote: quoteOf([line('a', 2, 1000)]), payWith: { balance: 800 } }, { now: NOW });
    if (!placed.ok) throw placed.error;
    const closed = transition(placed.order, { type: 'CANCEL' } as Command, { now: at(1000), actor: customer });
    if (!closed.ok) throw closed.error;
    expect(closed.effects.filter((e) => e.type === 'balance.credit').map((e) => e.type === 'balance.credit' && [e.amount, e.key])).toEqual([[800, 'N1-B:undo']]);
    const v = orderView(closed.order, { actor: customer, now: at(2000) });
    expect(v.paymentSources![0]).toMatchObject({ label: '余额', returned: true, paid: { fen: 0 } });
    const plain = placeOrder({ id: 'o2', number: 'N2', customerId: 'u1', quote: quoteOf([line('a', 1, 1000)]) }, { now: NOW });
    if (!plain.ok) throw plain.error;
    expect(orderView(plain.order, { actor: customer, now: NOW }).paymentSources).toBeUndefined();
  });
});

describe('WeChat Pay refund requests of an order paid from two sources', () => {
  it('the WeChat share is requested with the WeChat payment as its total; the balance share is never sent to WeChat Pay', async () => {
    const { buildRefundRequest } = await import('../../src/wechat/index.js');
    const placed = placeOrder({ id: 'o1', number: 'N1', customerId: 'u1', quote: quoteOf([line('a', 2, 1000)]), payWith: { balance: 800 } }, { now: NOW });
    if (!placed.ok) throw placed.error;
    const paid = transition(placed.order, { type: 'PAYMENT_SUCCEEDED', amount: 1200, transactionId: 'wx1' } as Command, { now: at(1000), actor: gateway });
    if (!paid.ok) throw paid.error;
    const cancelled = transition(paid.order, { type: 'CANCEL', reason: '缺货' } as Command, { now: at(2000), actor: merchant });
    if (!cancelled.ok) throw cancelled.error;
    const [wx, bal] = cancelled.order.refunds;
    const r = buildRefundRequest(wx!, cancelled.order);
    expect(r.ok && (r.request.body as { amount: unknown }).amount).toEqual({ refund: 1200, total: 1200, currency: 'CNY' });
    const refused = buildRefundRequest(bal!, cancelled.order);
    expect(refused.ok ? 'sent' : refused.error.code).toBe('INVALID_REQUEST');
  });
});
