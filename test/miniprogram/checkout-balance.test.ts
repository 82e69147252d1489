// @vitest-environment jsdom
import { describe, expect, it } from 'vitest';
import { MemoryBalance } from '../../src/balance/index.js';
import { CUSTOMER, T0 } from '../view/fixtures.js';
import { createFakeOrderFunction } from './support/fake-order-function.js';
import { createMiniProgram, settle, tap, text } from './support/harness.js';
import { createWxStub, lastToast } from './support/wx-stub.js';

/** pages/checkout with a stored balance (余额 + 微信支付, docs/payment-sources.md), and the order detail's sources. */
async function open(held: number) {
  const balance = new MemoryBalance();
  if (held > 0) await balance.topUp({ customerId: CUSTOMER, key: 'card', amount: held });
  const fake = createFakeOrderFunction(T0, { type: 'customer', id: CUSTOMER }, undefined, balance);
  const stub = createWxStub(fake);
  const mp = createMiniProgram(stub.wx, { globalData: { cart: [{ sku: 'TEA-100', quantity: 2 }] } });
  const page = mp.page('pages/checkout/index');
  await page.instance.onLoad({});
  await settle();
  return { page, stub, balance, wx: stub.wx, fake, mp };
}

describe('pages/checkout with a balance', () => {
  it('offers the balance; switched on, the balance pays what it can and WeChat Pay the rest', async () => {
    const { page, fake, balance } = await open(1500);
    expect(text(page.querySelector('.balance-row'))).toContain('可用 ¥15.00');
    await tap(page.querySelector('.balance-row'));
    const total = page.instance.data.quote.total.fen as number;
    expect(text(page.querySelector('.balance-split'))).toBe(`余额支付 ¥15.00微信支付 ¥${((total - 1500) / 100).toFixed(2)}`);
    await tap(page.querySelector('.submit'));
    const order = [...fake.orders.values()][0]!;
    expect(order.payment.sources!.map((s) => [s.kind, s.amount])).toEqual([
      ['balance', 1500],
      ['wechat', total - 1500],
    ]);
    expect(order.payment.attempts[0]!.amount).toBe(total - 1500);
    expect(await balance.balanceOf(CUSTOMER)).toBe(0);
  });

  it('switched off (the default), nothing comes from the balance', async () => {
    const { page, fake, balance } = await open(1500);
    await tap(page.querySelector('.submit'));
    const order = [...fake.orders.values()][0]!;
    expect(order.payment.sources).toBeUndefined();
    expect(await balance.balanceOf(CUSTOMER)).toBe(1500);
  });

  it('a balance spent meanwhile: 余额不足, no order, the page says why', async () => {
    const { page, fake, balance, wx } = await open(1500);
    await tap(page.querySelector('.balance-row'));
    await balance.debit({ customerId: CUSTOMER, orderId: 'elsewhere', key: 'k', amount: 1000 });
    await tap(page.querySelector('.submit'));
    expect(lastToast(wx)).toContain('余额不足');
    expect(fake.orders.size).toBe(0);
  });

  it('the order detail lists each payment source and where each refund went', async () => {
    const { page, fake, mp } = await open(1500);
    await tap(page.querySelector('.balance-row'));
    await tap(page.querySelector('.submit'));
    const order = [...fake.orders.values()][0]!;
    const detail = mp.page('pages/order-detail/index');
    await detail.instance.onLoad({ id: order.id });
    await settle();
    const rows: string[] = detail.querySelectorAll('.payment-source').map(text);
    expect(rows[0]).toContain('余额');
    expect(rows[0]).toContain('¥15.00');
    expect(rows[1]).toContain('微信支付');
  });
});
