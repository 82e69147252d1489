import { describe, expect, it } from 'vitest';
import { isOrderkitError } from '../../src/errors/index.js';
import { definePolicy, placeOrder, transition } from '../../src/lifecycle/index.js';
import { shopTime } from '../../src/order/shop-time.js';
import { definePricingRules } from '../../src/pricing/index.js';
import { checkAfterSaleWindow, checkRefundPeriod } from '../../src/refund/index.js';
import { createOrderService } from '../../src/service/index.js';
import { MemoryOrderStore } from '../../src/storage/index.js';
import { orderListItemView, orderView } from '../../src/view/index.js';
import { customer, merchant, must, NOW, place, system } from '../lifecycle/fixtures.js';

/**
 * The rough edges a newcomer hit (issue 17): each one gives a typed error that names what to fix,
 * and times in messages are the shop's wall clock. Run again under TZ=UTC and
 * TZ=America/New_York by `npm test`: the host zone must never show through.
 */
const cart = { lines: [{ id: 'l1', sku: 'TEA-LJ', title: '明前龙井', listPrice: 6800, quantity: 2 }] };

function caught(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

describe('service.place() with a cart and no rules', () => {
  it('names the missing field `rules`, not (root)', async () => {
    const service = createOrderService({ store: new MemoryOrderStore() });
    const r = await service.place({ customerId: 'u1', cart } as never);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.code).toBe('INVALID_ORDER_INPUT');
    expect(r.error.path).toEqual(['rules']);
    expect(r.error.messages.en).toContain('rules: required field is missing');
    expect(r.error.messages['zh-CN']).toContain('rules：缺少必填字段');
    expect(r.error.messages.en).not.toContain('(root)');
    expect(await service.list({})).toMatchObject({ items: [] });
  });

  it('still prices the cart when rules are there', async () => {
    const service = createOrderService({ store: new MemoryOrderStore() });
    const r = await service.place({ customerId: 'u1', cart, rules: definePricingRules({}) });
    expect(r.ok && r.order.pricing.total).toBe(13600);
  });

  it('placeOrder says the same', () => {
    const r = placeOrder({ id: 'o1', number: '20261125120000123456', customerId: 'u1', cart, rules: undefined } as never, { now: NOW });
    expect(!r.ok && [r.error.code, r.error.path]).toEqual(['INVALID_ORDER_INPUT', ['rules']]);
  });
});

describe('order views without actor or now', () => {
  const order = place();
  it.each([
    ['orderView', orderView],
    ['orderListItemView', orderListItemView],
  ] as const)('%s throws INVALID_VIEW_OPTIONS naming the field, not a TypeError', (name, view) => {
    const noActor = caught(() => view(order, { now: NOW } as never));
    expect(isOrderkitError(noActor)).toBe(true);
    expect(noActor).toMatchObject({ code: 'INVALID_VIEW_OPTIONS', path: ['actor'] });
    expect((noActor as Error).message).toContain(`${name}: options.actor is required`);
    expect(caught(() => view(order, { actor: customer } as never))).toMatchObject({ code: 'INVALID_VIEW_OPTIONS', path: ['now'] });
    expect(caught(() => view(order, { actor: customer, now: new Date('nope') }))).toMatchObject({ code: 'INVALID_VIEW_OPTIONS', path: ['now'] });
    expect(caught(() => view(order, undefined as never))).toMatchObject({ code: 'INVALID_VIEW_OPTIONS', path: [] });
    // And with both it answers.
    expect(view(order, { actor: customer, now: NOW }).status).toBe('pending_payment');
  });
});

describe('times in messages are the shop’s wall clock', () => {
  it('shopTime formats in the given zone, whatever the host zone', () => {
    expect(shopTime('2026-11-25T04:00:00.000Z', 'Asia/Shanghai')).toBe('2026-11-25 12:00');
    expect(shopTime('2026-03-08T02:00:00.000Z', 'Asia/Shanghai')).toBe('2026-03-08 10:00');
    expect(shopTime('2026-03-08T07:30:00.000Z', 'America/New_York')).toBe('2026-03-08 03:30'); // EDT from 2 a.m.
    expect(shopTime('2026-11-24T16:00:00.000Z', 'Asia/Shanghai')).toBe('2026-11-25 00:00'); // midnight is 00, not 24
    expect(shopTime(Date.UTC(2026, 0, 1, 15, 59), 'Asia/Shanghai')).toBe('2026-01-01 23:59');
  });

  it('never throws while a message is being written', () => {
    expect(shopTime('2026-11-25T04:00:00.000Z', 'Not/AZone')).toBe('2026-11-25T04:00:00.000Z');
    expect(shopTime('garbage', 'Asia/Shanghai')).toBe('garbage');
  });

  it('the after-sales window: 已于 2026-03-08 10:00 截止', () => {
    const paid = must(place(), { type: 'PAYMENT_SUCCEEDED', amount: 2500, transactionId: 'tx1' }, { type: 'payment', gateway: 'wechatpay' }).order;
    const o = { ...paid, status: 'completed' as const, completedAt: '2026-03-01T02:00:00.000Z', deadlines: { afterSaleUntil: '2026-03-08T02:00:00.000Z' } };
    const err = checkAfterSaleWindow(o, new Date('2026-03-09T00:00:00Z'), definePolicy());
    expect(err?.code).toBe('WINDOW_CLOSED');
    expect(err?.messages['zh-CN']).toBe('售后申请期限已于 2026-03-08 10:00 截止，请联系商家');
    expect(err?.messages.en).toBe('the after-sales window closed at 2026-03-08 10:00 (Asia/Shanghai); contact the shop');
    expect(err?.details).toEqual({ afterSaleUntil: '2026-03-08T02:00:00.000Z' });
    const ny = checkAfterSaleWindow(o, new Date('2026-03-09T00:00:00Z'), definePolicy({ timeZone: 'America/New_York' }));
    expect(ny?.messages['zh-CN']).toContain('2026-03-07 21:00');
  });

  it('the refund period', () => {
    const paid = must(place(), { type: 'PAYMENT_SUCCEEDED', amount: 2500, transactionId: 'tx1' }, { type: 'payment', gateway: 'wechatpay' }).order;
    const err = checkRefundPeriod(paid, new Date('2028-01-01T00:00:00Z'), definePolicy());
    expect(err?.code).toBe('REFUND_PERIOD_OVER');
    expect(err?.messages['zh-CN']).toBe('支付已超过可退款期限（截止 2027-11-25 12:00），无法原路退款，请线下处理');
    expect(err?.messages.en).toContain('deadline 2027-11-25 12:00, Asia/Shanghai');
  });

  it('EXPIRE before the pay-by deadline, and ADJUST_PRICE after it', () => {
    const order = place(); // placed 12:00 in Shanghai, 30 minutes to pay
    const early = transition(order, { type: 'EXPIRE' }, { now: NOW, actor: system });
    expect(!early.ok && early.error.code).toBe('DEADLINE_NOT_REACHED');
    expect(!early.ok && early.error.messages['zh-CN']).toBe('尚未到支付截止时间（2026-11-25 12:30）');
    expect(!early.ok && early.error.messages.en).toBe('the pay-by deadline (2026-11-25 12:30, Asia/Shanghai) has not been reached');
    const late = transition(order, { type: 'ADJUST_PRICE', newTotal: 2000, reason: '老客优惠' }, { now: new Date(NOW.getTime() + 3_600_000), actor: merchant });
    expect(!late.ok && late.error.code).toBe('PAY_DEADLINE_PASSED');
    expect(!late.ok && late.error.messages['zh-CN']).toContain('已过支付截止时间（2026-11-25 12:30）');
    for (const r of [early, late]) expect(!r.ok && JSON.stringify(r.error.messages)).not.toMatch(/\d{4}-\d\d-\d\dT/);
  });
});

describe('the PostgreSQL adapter without a database', () => {
  it.each([undefined, null, 'postgres://localhost/shop'])('db = %s gives INVALID_DATABASE at ["db"], not a TypeError', async (db) => {
    const { migrate, PostgresOrderStore } = await import('../../src/adapters/postgres/index.js');
    await expect(migrate(db as never)).rejects.toMatchObject({ name: 'OrderkitError', code: 'INVALID_DATABASE', path: ['db'] });
    expect(caught(() => new PostgresOrderStore({ db: db as never }))).toMatchObject({ name: 'OrderkitError', code: 'INVALID_DATABASE', path: ['db'] });
  });
});
