import { describe, expect, it } from 'vitest';
import { OrderSchema, parseCommand, type Command, type Order } from '../../src/order/index.js';
import {
  MAX_PAYMENT_ATTEMPTS,
  allowedActions,
  attemptOutTradeNo,
  definePolicy,
  nextAttemptOutTradeNo,
  orderNumberOfOutTradeNo,
  transition,
} from '../../src/lifecycle/index.js';
import { refundQuote } from '../../src/refund/index.js';
import { MINUTE, NOW, at, customer, errorCode, gateway, line, merchant, must, place, shipAll, stranger, system } from '../lifecycle/fixtures.js';

const adjust = (newTotal: number, reason = '老客优惠'): Command => ({ type: 'ADJUST_PRICE', newTotal, reason });
const address = { name: '李四', phone: '13900000000', province: '浙江省', city: '杭州市', detail: '文一路 2 号' };

/** Lines a (2 × 1000), b (1 × 500), freight 800: total 3300. */
const order = (): Order => place({ freight: 800 });
const sumPayables = (o: Order) => o.lines.reduce((s, l) => s + l.payable, 0);

describe('ADJUST_PRICE (改价)', () => {
  it('lowers the total, splits the difference over the lines by payable and starts a new attempt', () => {
    const o = order();
    const r = must(o, adjust(3000, '老客优惠'), merchant);
    const next = r.order;
    expect(next.status).toBe('pending_payment');
    expect(next.pricing.total).toBe(3000);
    expect(next.pricing.freight).toBe(800);
    // 300 fen off goods of 2000 + 500: 240 and 60 (weights are the payables).
    expect(next.lines.map((l) => l.payable)).toEqual([1760, 440]);
    expect(next.lines.map((l) => l.allocations)).toEqual([
      [{ source: 'price_adjustment', sourceId: 'price_adjustment:1', amount: 240 }],
      [{ source: 'price_adjustment', sourceId: 'price_adjustment:1', amount: 60 }],
    ]);
    expect(sumPayables(next) + next.pricing.freight).toBe(next.pricing.total);
    expect(next.pricing.discountTotal).toBe(o.pricing.discountTotal + 300);
    expect(next.pricing.adjustments).toEqual([
      expect.objectContaining({ id: 'price_adjustment:1', source: 'price_adjustment', amount: 300, lineIds: ['a', 'b'], reason: { 'zh-CN': '老客优惠', en: '老客优惠' } }),
    ]);
    expect(next.payment.attempts).toEqual([
      { outTradeNo: o.number, amount: 3300, status: 'closed', createdAt: o.createdAt },
      { outTradeNo: `${o.number}-2`, amount: 3000, status: 'open', createdAt: NOW.toISOString() },
    ]);
    expect(r.effects.filter((e) => e.type === 'payment.close')).toEqual([expect.objectContaining({ outTradeNo: o.number })]);
    expect(r.effects.find((e) => e.type === 'notify')).toMatchObject({ to: 'customer', template: 'price_adjusted', data: { total: 3000, reason: '老客优惠' } });
    expect(r.events[0]!.data).toMatchObject({ oldTotal: 3300, newTotal: 3000, reason: '老客优惠', closedOutTradeNos: [o.number], outTradeNo: `${o.number}-2` });
    expect(OrderSchema.safeParse(next).success).toBe(true);
    // The pay-by deadline does not move.
    expect(next.deadlines.payBy).toBe(o.deadlines.payBy);
  });

  it('splits over lines in stable key order, whatever order they were stored in', () => {
    const lines = [line('b', 1, 500), line('c', 1, 500), line('a', 1, 500)];
    const o = place({ lines });
    const reversed = place({ lines: [...lines].reverse() });
    const cut = (x: Order) => Object.fromEntries(must(x, adjust(x.pricing.total - 1), merchant).order.lines.map((l) => [l.id, l.payable]));
    expect(cut(o)).toEqual(cut(reversed));
    // Ties go to the lower key: SKU-a takes the single fen, wherever it was stored.
    expect(cut(o)).toEqual({ a: 499, b: 500, c: 500 });
  });

  it('pays the next attempt: PAYMENT_SUCCEEDED names it, or defaults to it', () => {
    const adjusted = must(order(), adjust(3000), merchant).order;
    const named = must(adjusted, { type: 'PAYMENT_SUCCEEDED', amount: 3000, transactionId: 'tx-2', outTradeNo: `${adjusted.number}-2` }, gateway);
    expect(named.order.status).toBe('paid');
    expect(named.order.payment).toMatchObject({ paidAmount: 3000, outTradeNo: `${adjusted.number}-2` });
    expect(named.order.payment.attempts.map((a) => a.status)).toEqual(['closed', 'paid']);
    expect(must(adjusted, { type: 'PAYMENT_SUCCEEDED', amount: 3000, transactionId: 'tx-2' }, gateway).order.status).toBe('paid');
  });

  it('refuses the superseded attempt and the old amount (the service records them as stray)', () => {
    const adjusted = must(order(), adjust(3000), merchant).order;
    expect(errorCode(transition(adjusted, { type: 'PAYMENT_SUCCEEDED', amount: 3300, transactionId: 't', outTradeNo: adjusted.number }, { now: NOW, actor: gateway }))).toBe('PAYMENT_ATTEMPT_CLOSED');
    expect(errorCode(transition(adjusted, { type: 'PAYMENT_SUCCEEDED', amount: 3300, transactionId: 't' }, { now: NOW, actor: gateway }))).toBe('AMOUNT_MISMATCH');
  });

  it('a new total below the freight lowers the freight too, and 0 pays the order at once', () => {
    const o = order();
    const low = must(o, adjust(500), merchant).order;
    expect(low.lines.map((l) => l.payable)).toEqual([0, 0]);
    expect(low.pricing.freight).toBe(500);
    expect(low.pricing.adjustments.map((a) => [a.source, a.amount])).toEqual([
      ['price_adjustment', 2500],
      ['freight', 300],
    ]);
    const free = must(low, adjust(0, '赠送'), merchant);
    expect(free.order.status).toBe('paid');
    expect(free.order.pricing).toMatchObject({ total: 0, freight: 0 });
    expect(free.order.payment).toMatchObject({ paidAmount: 0, paidAt: NOW.toISOString() });
    expect(free.order.payment.attempts.map((a) => a.status)).toEqual(['closed', 'closed']);
    expect(free.effects.map((e) => e.type)).toEqual(['payment.close', 'notify', 'notify']);
    expect(sumPayables(free.order) + free.order.pricing.freight).toBe(0);
  });

  it('0 ships virtual goods at once', () => {
    const o = place({ lines: [line('a', 1, 1000, { fulfillment: 'virtual' })] });
    const r = must(o, adjust(0, '补偿'), merchant);
    expect(r.order.status).toBe('shipped');
    expect(r.effects.map((e) => e.type)).toEqual(['payment.close', 'shipping.upload', 'schedule', 'notify']);
  });

  it('refuses an increase beyond policy.maxPriceIncrease, measured from the total before any adjustment', () => {
    const o = order();
    expect(errorCode(transition(o, adjust(3301), { now: NOW, actor: merchant }))).toBe('PRICE_INCREASE_NOT_ALLOWED');
    const policy = definePolicy({ maxPriceIncrease: 200 });
    const up = must(o, adjust(3500), merchant, NOW, policy).order;
    expect(up.lines.map((l) => l.payable)).toEqual([2160, 540]);
    expect(up.lines[0]!.allocations[0]!.amount).toBe(-160);
    // Down and up again in steps never walks past the cap.
    const down = must(up, adjust(3400), merchant, NOW, policy).order;
    const r = transition(down, adjust(3501), { now: NOW, actor: merchant, policy });
    expect(errorCode(r)).toBe('PRICE_INCREASE_NOT_ALLOWED');
    if (!r.ok) expect(r.error.details).toMatchObject({ maxPriceIncrease: 200, increase: 201 });
  });

  it('refuses the wrong actor, the wrong status, an unchanged price, a passed deadline and bad values', () => {
    const o = order();
    expect(errorCode(transition(o, adjust(3000), { now: NOW, actor: customer }))).toBe('FORBIDDEN');
    expect(errorCode(transition(o, adjust(3000), { now: NOW, actor: system }))).toBe('FORBIDDEN');
    const paid = must(o, { type: 'PAYMENT_SUCCEEDED', amount: 3300, transactionId: 'tx-1' }, gateway).order;
    expect(errorCode(transition(paid, adjust(3000), { now: NOW, actor: merchant }))).toBe('INVALID_TRANSITION');
    expect(errorCode(transition(o, adjust(3300), { now: NOW, actor: merchant }))).toBe('PRICE_UNCHANGED');
    expect(errorCode(transition(o, adjust(3000), { now: at(30 * MINUTE), actor: merchant }))).toBe('PAY_DEADLINE_PASSED');
    for (const bad of [-1, 1.5, Number.NaN, Number.MAX_SAFE_INTEGER + 2, '3000' as unknown as number]) {
      const r = transition(o, adjust(bad), { now: NOW, actor: merchant });
      expect(errorCode(r)).toBe('INVALID_COMMAND');
      if (!r.ok) expect(r.error.path).toEqual(['newTotal']);
      // transition() checks a command that did not come through parseCommand against the schema,
      // which refuses these values at the boundary too.
      expect(parseCommand({ type: 'ADJUST_PRICE', newTotal: bad, reason: 'x' }).ok).toBe(false);
    }
    expect(errorCode(transition(o, adjust(3000, '  '), { now: NOW, actor: merchant }))).toBe('INVALID_PRICE_ADJUSTMENT');
    const r = transition(o, adjust(-5), { now: NOW, actor: merchant });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.message).toMatch(/newTotal/);
      expect(r.error.messages['zh-CN']).toMatch(/newTotal：不能小于 0/);
    }
  });

  it('caps the number of attempts with a typed error', () => {
    let o = order();
    for (let i = 0; i < MAX_PAYMENT_ATTEMPTS - 1; i++) o = must(o, adjust(o.pricing.total - 1), merchant).order;
    expect(o.payment.attempts).toHaveLength(MAX_PAYMENT_ATTEMPTS);
    expect(errorCode(transition(o, adjust(o.pricing.total - 1), { now: NOW, actor: merchant }))).toBe('TOO_MANY_PAYMENT_ATTEMPTS');
    expect(allowedActions(o, merchant, NOW)).not.toContain('ADJUST_PRICE');
    // A 0 needs no attempt and is still possible.
    expect(must(o, adjust(0), merchant).order.status).toBe('paid');
  });

  it('a full refund after an adjustment returns exactly what was paid, and a partial one reads stored payables', () => {
    const adjusted = must(order(), adjust(2999), merchant).order;
    const paid = must(adjusted, { type: 'PAYMENT_SUCCEEDED', amount: 2999, transactionId: 'tx-1' }, gateway).order;
    const all = refundQuote(paid, { kind: 'refund_only' }, { now: NOW, policy: definePolicy() });
    expect(all.ok && all.quote.amount).toBe(2999);
    const lineA = refundQuote(paid, { kind: 'refund_only', items: [{ lineId: 'a', quantity: 2 }] }, { now: NOW, policy: definePolicy() });
    expect(lineA.ok && lineA.quote.amount - lineA.quote.shippingAmount).toBe(paid.lines[0]!.payable);
  });
});

describe('payment attempts', () => {
  it('derive out_trade_no from the number and back', () => {
    expect(attemptOutTradeNo('N1', 1)).toBe('N1');
    expect(attemptOutTradeNo('N1', 3)).toBe('N1-3');
    expect(orderNumberOfOutTradeNo('N1-3')).toBe('N1');
    expect(orderNumberOfOutTradeNo('N1')).toBe('N1');
    expect(orderNumberOfOutTradeNo('N1-1')).toBe('N1-1');
  });

  it('refuse a number with no room for a suffix', () => {
    const long = { ...order(), number: 'A'.repeat(31) };
    const next = nextAttemptOutTradeNo(long);
    expect(next.ok ? next.outTradeNo : next.error.code).toBe('OUT_TRADE_NO_TOO_LONG');
    expect(errorCode(transition(long, adjust(3000), { now: NOW, actor: merchant }))).toBe('OUT_TRADE_NO_TOO_LONG');
  });
});

describe('CHANGE_ADDRESS (改地址)', () => {
  it('the owner or the merchant may change it before anything ships; the event keeps the old one', () => {
    const o = order();
    const r = must(o, { type: 'CHANGE_ADDRESS', address }, customer);
    expect(r.order.address).toEqual(address);
    expect(r.events[0]!.data).toEqual({ oldAddress: o.address, address });
    const paid = must(r.order, { type: 'PAYMENT_SUCCEEDED', amount: 3300, transactionId: 'tx-1' }, gateway).order;
    const again = must(paid, { type: 'CHANGE_ADDRESS', address: o.address! }, merchant);
    expect(again.order.address).toEqual(o.address);
    expect(again.order.status).toBe('paid');
    expect(allowedActions(paid, customer, NOW)).toContain('CHANGE_ADDRESS');
  });

  it('is ADDRESS_LOCKED after the first shipment, FORBIDDEN for a stranger, and checks the address', () => {
    const o = order();
    expect(errorCode(transition(o, { type: 'CHANGE_ADDRESS', address }, { now: NOW, actor: stranger }))).toBe('FORBIDDEN');
    const paid = must(o, { type: 'PAYMENT_SUCCEEDED', amount: 3300, transactionId: 'tx-1' }, gateway).order;
    const part = must(paid, { type: 'SHIP', logisticsType: 'express', items: [{ lineId: 'a', quantity: 1 }] }, merchant).order;
    const r = transition(part, { type: 'CHANGE_ADDRESS', address }, { now: NOW, actor: customer });
    expect(errorCode(r)).toBe('ADDRESS_LOCKED');
    if (!r.ok) expect(r.error.messages.en).toMatch(/shipped/);
    expect(errorCode(transition(shipAll(paid), { type: 'CHANGE_ADDRESS', address }, { now: NOW, actor: merchant }))).toBe('ADDRESS_LOCKED');
    expect(allowedActions(part, customer, NOW)).not.toContain('CHANGE_ADDRESS');
    const bad = transition(o, { type: 'CHANGE_ADDRESS', address: { ...address, detail: '' } }, { now: NOW, actor: customer });
    expect(errorCode(bad)).toBe('INVALID_COMMAND');
    if (!bad.ok) expect(bad.error.path).toEqual(['address', 'detail']);
  });
});

describe('ADD_REMARK (备注)', () => {
  it('appends a merchant note in any status; the event keeps the note before it', () => {
    const o = order();
    const one = must(o, { type: 'ADD_REMARK', text: '周末送' }, merchant);
    expect(one.order.merchantNotes).toEqual([{ text: '周末送', by: merchant, at: NOW.toISOString() }]);
    expect(one.events[0]!.data).toEqual({ previousNote: null, text: '周末送' });
    const closed = must(one.order, { type: 'CANCEL' }, customer).order;
    const two = must(closed, { type: 'ADD_REMARK', text: '客户已电话确认取消' }, merchant);
    expect(two.order.merchantNotes.map((n) => n.text)).toEqual(['周末送', '客户已电话确认取消']);
    expect(two.events[0]!.data).toMatchObject({ previousNote: '周末送' });
    expect(two.order.status).toBe('closed');
  });

  it('is merchant only and 1–200 characters', () => {
    const o = order();
    expect(errorCode(transition(o, { type: 'ADD_REMARK', text: 'x' }, { now: NOW, actor: customer }))).toBe('FORBIDDEN');
    expect(errorCode(transition(o, { type: 'ADD_REMARK', text: 'x'.repeat(201) }, { now: NOW, actor: merchant }))).toBe('INVALID_COMMAND');
    expect(errorCode(transition(o, { type: 'ADD_REMARK', text: ' ' }, { now: NOW, actor: merchant }))).toBe('INVALID_REMARK');
    expect(parseCommand({ type: 'ADD_REMARK', text: 'x'.repeat(201) }).ok).toBe(false);
    expect(allowedActions(o, merchant, NOW)).toContain('ADD_REMARK');
    expect(allowedActions(o, customer, NOW)).not.toContain('ADD_REMARK');
  });
});

describe('RECORD_STRAY_PAYMENT', () => {
  const stray = (o: Order, extra: Partial<Extract<Command, { type: 'RECORD_STRAY_PAYMENT' }>> = {}): Command => ({
    type: 'RECORD_STRAY_PAYMENT',
    amount: 3300,
    transactionId: 'tx-old',
    outTradeNo: o.number,
    ...extra,
  });

  it('keeps a superseded attempt’s payment, refunds that transaction in full and tells the merchant; status stays', () => {
    const adjusted = must(order(), adjust(3000), merchant).order;
    const r = must(adjusted, stray(adjusted), gateway);
    expect(r.order.status).toBe('pending_payment');
    expect(r.order.payment.paidAmount).toBe(0);
    expect(r.order.payment.stray).toEqual([
      { transactionId: 'tx-old', outTradeNo: adjusted.number, amount: 3300, paidAt: NOW.toISOString(), recordedAt: NOW.toISOString(), reason: 'attempt_superseded', refundId: `${adjusted.number}R1` },
    ]);
    expect(r.order.refunds).toEqual([expect.objectContaining({ id: `${adjusted.number}R1`, reason: 'stray_payment', amount: 3300, status: 'pending', transactionId: 'tx-old', outTradeNo: adjusted.number })]);
    expect(r.effects.map((e) => e.type)).toEqual(['payment.refund', 'notify', 'notify']);
    expect(r.effects[0]).toMatchObject({ refundId: `${adjusted.number}R1`, amount: 3300, total: 3300, transactionId: 'tx-old', outTradeNo: adjusted.number, reason: 'stray_payment' });
    expect(r.effects.filter((e) => e.type === 'notify').map((e) => (e as { to: string }).to)).toEqual(['customer', 'merchant']);
    // The same transaction again: accepted, nothing changes.
    const again = must(r.order, stray(adjusted), gateway);
    expect(again.changed).toBe(false);
    // The order can still be paid by its open attempt, and the stray refund settles on its own.
    const paid = must(r.order, { type: 'PAYMENT_SUCCEEDED', amount: 3000, transactionId: 'tx-new' }, gateway).order;
    expect(paid.status).toBe('paid');
    const settled = must(paid, { type: 'REFUND_SUCCEEDED', refundId: `${adjusted.number}R1` }, gateway).order;
    expect(settled.status).toBe('paid');
    expect(settled.refunds[0]!.status).toBe('succeeded');
    // A stray refund never uses up what the order itself may refund.
    const q = refundQuote(settled, { kind: 'refund_only' }, { now: NOW, policy: definePolicy() });
    expect(q.ok && q.quote.amount).toBe(3000);
  });

  it('settles a stray refund on an unpaid order, failed or succeeded', () => {
    const o = order();
    const r = must(o, stray(o, { amount: 1 }), system).order;
    const failed = must(r, { type: 'REFUND_FAILED', refundId: r.refunds[0]!.id, reason: '银行卡异常' }, gateway).order;
    expect(failed.refunds[0]!.status).toBe('failed');
    expect(failed.status).toBe('pending_payment');
    expect(must(failed, { type: 'REFUND_SUCCEEDED', refundId: r.refunds[0]!.id }, gateway).order.refunds[0]!.status).toBe('succeeded');
  });

  it('names why: amount mismatch, already paid, order closed', () => {
    const o = order();
    expect(must(o, stray(o, { amount: 1 }), gateway).order.payment.stray[0]!.reason).toBe('amount_mismatch');
    const paid = must(o, { type: 'PAYMENT_SUCCEEDED', amount: 3300, transactionId: 'tx-1' }, gateway).order;
    expect(must(paid, stray(o, { transactionId: 'tx-2' }), gateway).order.payment.stray[0]!.reason).toBe('already_paid');
    const closed = must(o, { type: 'CANCEL' }, customer).order;
    expect(must(closed, stray(o), gateway).order.payment.stray[0]!.reason).toBe('order_closed');
    expect(must(closed, stray(o, { reason: 'AMOUNT_MISMATCH' }), gateway).order.payment.stray[0]!.reason).toBe('AMOUNT_MISMATCH');
  });

  it('refuses money that pays the order, the paying transaction, bad values and other actors', () => {
    const o = order();
    expect(errorCode(transition(o, stray(o), { now: NOW, actor: gateway }))).toBe('PAYMENT_NOT_STRAY');
    const paid = must(o, { type: 'PAYMENT_SUCCEEDED', amount: 3300, transactionId: 'tx-1' }, gateway).order;
    expect(errorCode(transition(paid, stray(o, { transactionId: 'tx-1' }), { now: NOW, actor: gateway }))).toBe('PAYMENT_NOT_STRAY');
    expect(errorCode(transition(o, stray(o, { amount: 0 }), { now: NOW, actor: gateway }))).toBe('INVALID_STRAY_PAYMENT');
    expect(errorCode(transition(o, stray(o, { amount: 1.5 }), { now: NOW, actor: gateway }))).toBe('INVALID_COMMAND');
    expect(errorCode(transition(o, stray(o, { amount: 1 }), { now: NOW, actor: merchant }))).toBe('FORBIDDEN');
    expect(errorCode(transition(o, stray(o, { amount: 1 }), { now: NOW, actor: customer }))).toBe('FORBIDDEN');
    expect(allowedActions(o, gateway, NOW)).not.toContain('RECORD_STRAY_PAYMENT');
  });
});
