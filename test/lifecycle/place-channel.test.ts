import { describe, expect, it } from 'vitest';
import { createOrderService, definePricingRules, MemoryOrderStore } from '../../src/index.js';

/** The sales channel is set at placement, stored, read back, and checked (docs/analytics.md "Channels"). */
describe('place: channel', () => {
  const cart = { lines: [{ id: 'l1', sku: 'TEA', title: '茶', listPrice: 100, quantity: 1 }] };
  const rules = definePricingRules({});

  it('stores the channel and reads it back; an order placed without one has none', async () => {
    const store = new MemoryOrderStore();
    const service = createOrderService({ store, clock: { now: () => new Date('2026-11-20T04:00:00Z') } });
    const a = await service.place({ customerId: 'u1', cart, rules, channel: 'live' });
    const b = await service.place({ customerId: 'u1', cart, rules });
    if (!a.ok || !b.ok) throw new Error('place failed');
    expect((await service.get(a.order.id))?.channel).toBe('live');
    expect((await service.get(b.order.id))).not.toHaveProperty('channel');
    // It survives the next command (the lifecycle copies the order).
    const paid = await service.dispatch(a.order.id, { type: 'PAYMENT_SUCCEEDED', amount: a.order.pricing.total, transactionId: 't1' }, { type: 'payment', gateway: 'wechatpay' });
    expect(paid.ok && paid.order.channel).toBe('live');
  });

  it('refuses a channel that is not a short code, with its path', async () => {
    const service = createOrderService({ store: new MemoryOrderStore(), clock: { now: () => new Date('2026-11-20T04:00:00Z') } });
    for (const channel of ['', 'live stream', 'x'.repeat(33), '直播']) {
      const r = await service.place({ customerId: 'u1', cart, rules, channel });
      expect(r.ok, channel).toBe(false);
      if (!r.ok) {
        expect(r.error.code).toBe('INVALID_ORDER_INPUT');
        expect(JSON.stringify(r.error.path ?? r.error)).toContain('channel');
      }
    }
  });
});
