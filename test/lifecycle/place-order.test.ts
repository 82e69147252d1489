import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { OrderSchema } from '../../src/order/index.js';
import { definePricingRules } from '../../src/pricing/index.js';
import { allowedActions, definePolicy, nextDueAt, placeOrder } from '../../src/lifecycle/index.js';
import { MINUTE, NOW, at, customer, gateway, line, merchant, quoteOf, system } from './fixtures.js';

const base = { id: 'o1', number: '20261125120000123456', customerId: 'u1' };

describe('placeOrder', () => {
  it('builds a pending order at version 1 with its first attempt, payBy and the EXPIRE schedule', () => {
    const r = placeOrder({ ...base, quote: quoteOf([line('a', 2, 1000)], 600, ['C1']), buyerRemark: '放门口', metadata: { channel: 'mp' } }, { now: NOW });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const o = r.order;
    expect(o).toMatchObject({ version: 1, status: 'pending_payment', customerId: 'u1', currency: 'CNY', fulfillment: 'physical', buyerRemark: '放门口' });
    expect(o.pricing).toMatchObject({ total: 2600, freight: 600, couponIds: ['C1'] });
    expect(o.payment.attempts).toEqual([{ outTradeNo: base.number, amount: 2600, status: 'open', createdAt: NOW.toISOString() }]);
    expect(o.deadlines.payBy).toBe(at(30 * MINUTE).toISOString());
    expect(r.effects).toEqual([{ id: 'o1:1:0', orderId: 'o1', type: 'schedule', at: o.deadlines.payBy, command: { type: 'EXPIRE' } }]);
    expect(r.events).toEqual([expect.objectContaining({ version: 1, type: 'ORDER_PLACED', from: null, to: 'pending_payment', actor: customer })]);
    expect(OrderSchema.safeParse(o).success).toBe(true);
    expect(nextDueAt(o)).toBe(o.deadlines.payBy);
  });

  it('follows the policy’s pay window', () => {
    const r = placeOrder({ ...base, quote: quoteOf([line('a', 1, 100)]) }, { now: NOW, policy: definePolicy({ payWithin: { minutes: 15 } }) });
    expect(r.ok && r.order.deadlines.payBy).toBe(at(15 * MINUTE).toISOString());
  });

  it('a zero total is paid at once: no attempt, no pay-by, no EXPIRE', () => {
    const r = placeOrder({ ...base, quote: quoteOf([line('gift', 1, 0)]) }, { now: NOW });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.order.status).toBe('paid');
    expect(r.order.payment).toMatchObject({ attempts: [], paidAmount: 0, paidAt: NOW.toISOString() });
    expect(r.order.deadlines).toEqual({});
    // Paid like any payment (becomePaid): the shopper is told, and the merchant that it is to ship.
    expect(r.effects.map((e) => e.type)).toEqual(['notify', 'notify']);
    expect(r.effects.map((e) => (e.type === 'notify' ? `${e.to}:${e.template}` : e.type))).toEqual(['customer:order_paid', 'merchant:order_to_ship']);
    expect(allowedActions(r.order, merchant, NOW)).toContain('SHIP');
    expect(OrderSchema.safeParse(r.order).success).toBe(true);
  });

  it('a zero-total virtual order ships at once', () => {
    const r = placeOrder({ ...base, quote: quoteOf([line('code', 1, 0, { fulfillment: 'virtual' })]) }, { now: NOW });
    expect(r.ok && r.order.status).toBe('shipped');
    expect(r.ok && r.effects.map((e) => e.type)).toEqual(['shipping.upload', 'schedule', 'notify']);
  });

  it('rejects bad input with INVALID_ORDER_INPUT and the path', () => {
    const q = quoteOf([line('a', 1, 100)]);
    const cases: Array<[unknown, Array<string | number>]> = [
      [{ ...base, number: 'has space', quote: q }, ['number']],
      [{ ...base, customerId: '', quote: q }, ['customerId']],
      [{ ...base, quote: { ...q, total: 100.5 } }, ['quote', 'total']],
      [{ ...base, quote: { ...q, lines: [] } }, ['quote', 'lines']],
      [{ ...base, quote: { ...q, lines: [{ ...q.lines[0]!, payable: -1 }] } }, ['quote', 'lines', 0, 'payable']],
      [{ ...base, quote: { ...q, total: 101 } }, ['quote', 'total']],
      [{ ...base, quote: { ...q, lines: [q.lines[0]!, q.lines[0]!], total: 200 } }, ['quote', 'lines', 1, 'id']],
    ];
    for (const [input, path] of cases) {
      const r = placeOrder(input as never, { now: NOW });
      expect(r.ok).toBe(false);
      if (r.ok) continue;
      expect(r.error.code).toBe('INVALID_ORDER_INPUT');
      expect(r.error.path).toEqual(path);
      expect(r.error.messages['zh-CN']).not.toBe(r.error.messages.en);
    }
  });

  it('refuses the first repeated line id, on short quotes (scanned) and long ones (a Set) alike', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l', 'm', 'n', 'o', 'p', 'q', 'r', 's', 't'), { minLength: 1, maxLength: 24 }), (lineIds) => {
        const r = placeOrder({ ...base, quote: quoteOf(lineIds.map((id) => line(id, 1, 100))) }, { now: NOW });
        const first = lineIds.findIndex((id, i) => lineIds.indexOf(id) < i);
        if (first < 0) expect(r.ok).toBe(true);
        else expect(!r.ok && r.error.path).toEqual(['quote', 'lines', first, 'id']);
      }),
      { numRuns: 300 },
    );
  });

  it('never throws on garbage', () => {
    for (const input of [null, undefined, 42, 'x', [], { cart: null }]) {
      const r = placeOrder(input as never, { now: NOW });
      expect(r.ok).toBe(false);
    }
    expect(placeOrder({ ...base, quote: quoteOf([line('a', 1, 1)]) }, { now: new Date('nope') }).ok).toBe(false);
  });

  it('prices a cart with rules when given instead of a quote', () => {
    const rules = definePricingRules({ fullReductions: [{ id: 'mj', kind: 'threshold', threshold: 9900, off: 1000 }], freight: { defaultFee: 800, freeOver: 9900 } });
    const r = placeOrder({ ...base, cart: { lines: [{ id: 'l1', sku: 'TEA', title: '龙井', listPrice: 12800, quantity: 1 }] }, rules }, { now: NOW });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.order.pricing.total).toBe(11800);
    expect(r.order.lines[0]!.payable).toBe(11800);
    expect(OrderSchema.safeParse(r.order).success).toBe(true);
  });

  it('passes on pricing’s typed error for a bad cart', () => {
    const rules = definePricingRules({});
    const r = placeOrder({ ...base, cart: { lines: [{ id: 'l1', sku: 'TEA', title: '龙井', listPrice: 1.5, quantity: 1 }] } as never, rules }, { now: NOW });
    expect(r.ok).toBe(false);
    expect(!r.ok && r.error.code).toMatch(/^[A-Z_]+$/);
    expect(!r.ok && r.error.path.length).toBeGreaterThan(0);
  });
});

describe('allowedActions', () => {
  const order = () => {
    const r = placeOrder({ ...base, quote: quoteOf([line('a', 1, 1000)]) }, { now: NOW });
    if (!r.ok) throw r.error;
    return r.order;
  };

  it('lists the buttons per actor while unpaid, and EXPIRE only after payBy', () => {
    const o = order();
    expect(allowedActions(o, customer, NOW)).toEqual(['CANCEL', 'CHANGE_ADDRESS']);
    expect(allowedActions(o, { type: 'customer', id: 'other' }, NOW)).toEqual([]);
    expect(allowedActions(o, merchant, NOW)).toEqual(['CANCEL', 'ADJUST_PRICE', 'CHANGE_ADDRESS', 'ADD_REMARK']);
    expect(allowedActions(o, system, NOW)).toEqual([]);
    expect(allowedActions(o, system, at(30 * MINUTE))).toEqual(['EXPIRE']);
    expect(allowedActions(o, gateway, NOW)).toEqual(['PAYMENT_SUCCEEDED']);
  });
});
