// @vitest-environment jsdom
import { describe, expect, it } from 'vitest';
import { MemoryInventory } from '../../src/inventory/index.js';
import { CUSTOMER, T0 } from '../view/fixtures.js';
import { createFakeOrderFunction } from './support/fake-order-function.js';
import { createMiniProgram, settle, tap, text } from './support/harness.js';
import { createWxStub, lastToast } from './support/wx-stub.js';

/** pages/checkout with a shop that keeps stock: stock left and 限购 on each line, and the refusals (docs/inventory.md). */
async function open(available: number, perCustomer: number) {
  const inventory = new MemoryInventory();
  await inventory.configure({ sku: 'TEA-100', available, limit: { perCustomer } });
  const fake = createFakeOrderFunction(T0, { type: 'customer', id: CUSTOMER }, inventory);
  const stub = createWxStub(fake);
  const mp = createMiniProgram(stub.wx, { globalData: { cart: [{ sku: 'TEA-100', quantity: 2 }] } });
  const page = mp.page('pages/checkout/index');
  await page.instance.onLoad({});
  await settle();
  return { page, stub, inventory, wx: stub.wx, fake };
}

describe('pages/checkout with stock', () => {
  it('shows the stock left and the 限购 of each line', async () => {
    const { page } = await open(5, 3);
    expect(text(page.querySelector('.stock-left'))).toBe('仅剩 5 件 · 每人限购 3 件');
  });

  it('a placement over the 限购 stays on the page with 已达限购 and places nothing; the stock shown is fresh', async () => {
    const { page, wx, fake, inventory } = await open(5, 1);
    await tap(page.querySelector('.submit'));
    expect(lastToast(wx)).toContain('已达限购');
    expect(text(page.querySelector('.notice.error'))).toContain('每人限购 1 件');
    expect(fake.orders.size).toBe(0);
    expect((await inventory.level('TEA-100'))?.available).toBe(5);
    expect(text(page.querySelector('.stock-left'))).toBe('仅剩 5 件 · 每人限购 1 件');
  });

  it('a placement over the stock shows 库存不足 with what is left', async () => {
    const { page, wx, fake } = await open(1, 5);
    await tap(page.querySelector('.submit'));
    expect(lastToast(wx)).toContain('库存不足');
    expect(text(page.querySelector('.notice.error'))).toContain('仅剩 1 件');
    expect(fake.orders.size).toBe(0);
  });
});
