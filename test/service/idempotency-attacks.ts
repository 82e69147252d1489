import { expect, it } from 'vitest';
import { createLifecycle, defineCommand, orderCommands } from '../../src/lifecycle/index.js';
import type { Actor, Address } from '../../src/order/index.js';
import { createOrderService, type OrderService, type ServiceResult } from '../../src/service/index.js';
import { dispatchScope, placeScope } from '../../src/service/idempotency.js';
import type { OrderStore } from '../../src/storage/index.js';
import { testOrder, createdEvent } from '../../src/testing/index.js';
import { gateway, manualClock, merchant, pay, quote } from './fixtures.js';

/**
 * The attacks of issue 13 ("idempotency keys are global") against the service on one store:
 * another actor's key never reaches the first actor's record, the same key with another request is
 * a typed IDEMPOTENCY_KEY_REUSED that names no other order, a replay checks permission again, and
 * records of the previous, unscoped kind are never replayed. Called once per store.
 */

const alice: Actor = { type: 'customer', id: 'alice' };
const mallory: Actor = { type: 'customer', id: 'mallory' };
const otherMerchant: Actor = { type: 'merchant', id: 'staff-2' };
const ALICE_ADDRESS: Address = { name: '李四', phone: '13912345678', province: '广东省', city: '深圳市', detail: '南山区 1 号' };

function sequence(prefix: string) {
  let n = 0;
  return { orderId: () => `${prefix}-${++n}`, orderNumber: () => `N${prefix.toUpperCase()}${String(n).padStart(6, '0')}` };
}

function serviceOn(store: OrderStore, prefix = 'ord'): OrderService {
  return createOrderService({ store, clock: manualClock(), ids: sequence(prefix), retryDelayMs: 0 });
}

function codeOf(r: ServiceResult): string {
  return r.ok ? 'ok' : r.error.code;
}

/** Alice's order, placed with her address and phone. */
async function alicesOrder(service: OrderService, key?: string) {
  const r = await service.place({ customerId: 'alice', quote: quote(), address: ALICE_ADDRESS }, key === undefined ? {} : { idempotencyKey: key });
  if (!r.ok) throw r.error;
  return r.order;
}

export function idempotencyAttacks(makeStore: () => Promise<OrderStore>): void {
  it("another customer's key on place makes that customer's own order, never the first customer's", async () => {
    const store = await makeStore();
    const service = serviceOn(store);
    const first = await alicesOrder(service, 'checkout-1');
    const stolen = await service.place({ customerId: 'mallory', quote: quote() }, { idempotencyKey: 'checkout-1' });
    expect(stolen.ok && [stolen.replayed, stolen.order.customerId]).toEqual([false, 'mallory']);
    if (!stolen.ok) return;
    expect(stolen.order.id).not.toBe(first.id);
    const text = JSON.stringify(stolen);
    expect(text).not.toContain(ALICE_ADDRESS.phone);
    expect(text).not.toContain(first.id);
    // A merchant placing for mallory with alice's key is in a scope of its own, too.
    const byStaff = await service.place({ customerId: 'mallory', quote: quote() }, { idempotencyKey: 'checkout-1', actor: merchant });
    expect(byStaff.ok && [byStaff.replayed, byStaff.order.customerId]).toEqual([false, 'mallory']);
    // Alice's own retry still gets her order back.
    const retry = await service.place({ customerId: 'alice', quote: quote(), address: ALICE_ADDRESS }, { idempotencyKey: 'checkout-1' });
    expect(retry.ok && [retry.replayed, retry.order.id]).toEqual([true, first.id]);
  });

  it('a place with the same key and other input is IDEMPOTENCY_KEY_REUSED; a new id or number alone is the same placement', async () => {
    const store = await makeStore();
    const service = serviceOn(store);
    const first = await alicesOrder(service, 'checkout-2');
    const renumbered = await service.place(
      { id: 'fresh-id', number: 'FRESH0001', customerId: 'alice', quote: quote(), address: ALICE_ADDRESS },
      { idempotencyKey: 'checkout-2' },
    );
    expect(renumbered.ok && [renumbered.replayed, renumbered.order.id]).toEqual([true, first.id]);
    const other = await service.place({ customerId: 'alice', quote: quote(), address: { ...ALICE_ADDRESS, detail: '福田区 2 号' } }, { idempotencyKey: 'checkout-2' });
    expect(codeOf(other)).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(JSON.stringify(!other.ok && other.error.toJSON())).not.toContain(first.id);
    expect(await store.load('fresh-id')).toBeNull();
  });

  it("a stranger sending a known key to a merchant-only command is refused and gets no order", async () => {
    const store = await makeStore();
    const service = serviceOn(store);
    const order = await alicesOrder(service);
    await service.dispatch(order.id, pay(order.pricing.total), gateway);
    const ship = { type: 'SHIP' as const, trackingNo: 'SF100', expressCompany: '顺丰' };
    const shipped = await service.dispatch(order.id, ship, merchant, { idempotencyKey: 'ship-1' });
    expect(shipped.ok && shipped.order.status).toBe('shipped');
    const stolen = await service.dispatch(order.id, ship, mallory, { idempotencyKey: 'ship-1' });
    expect(codeOf(stolen)).toBe('FORBIDDEN');
    expect(JSON.stringify(stolen)).not.toContain(ALICE_ADDRESS.phone);
    // Another merchant's key is their own: their SHIP runs (and is refused by the lifecycle: nothing left to ship).
    const colleague = await service.dispatch(order.id, ship, otherMerchant, { idempotencyKey: 'ship-1' });
    expect(!colleague.ok || !colleague.replayed).toBe(true);
    // The owner sending the merchant's key is refused as well (FORBIDDEN), not replayed.
    const owner = await service.dispatch(order.id, ship, alice, { idempotencyKey: 'ship-1' });
    expect(codeOf(owner)).toBe('FORBIDDEN');
  });

  it("another customer using the owner's key on the owner's order is refused (not the owner), not replayed", async () => {
    const store = await makeStore();
    const service = serviceOn(store);
    const order = await alicesOrder(service);
    const cancelled = await service.dispatch(order.id, { type: 'CANCEL', reason: 'changed my mind' }, alice, { idempotencyKey: 'cancel-1' });
    expect(cancelled.ok && cancelled.order.status).toBe('closed');
    const stolen = await service.dispatch(order.id, { type: 'CANCEL', reason: 'changed my mind' }, mallory, { idempotencyKey: 'cancel-1' });
    expect(!stolen.ok && [stolen.error.code, (stolen.error.details as { reason?: string }).reason]).toEqual(['FORBIDDEN', 'not_owner']);
  });

  it('the same key with another command (or another payload) is IDEMPOTENCY_KEY_REUSED, and the command is not dropped silently', async () => {
    const store = await makeStore();
    const service = serviceOn(store);
    const order = await alicesOrder(service);
    const remark = await service.dispatch(order.id, { type: 'ADD_REMARK', text: 'gift wrap' }, merchant, { idempotencyKey: 'k-1' });
    expect(remark.ok && remark.replayed).toBe(false);
    const cancel = await service.dispatch(order.id, { type: 'CANCEL' }, merchant, { idempotencyKey: 'k-1' });
    expect(codeOf(cancel)).toBe('IDEMPOTENCY_KEY_REUSED');
    const otherText = await service.dispatch(order.id, { type: 'ADD_REMARK', text: 'no gift wrap' }, merchant, { idempotencyKey: 'k-1' });
    expect(codeOf(otherText)).toBe('IDEMPOTENCY_KEY_REUSED');
    const stored = (await store.load(order.id))!;
    expect([stored.status, stored.version]).toEqual(['pending_payment', 2]);
    // The same request again is the replay of the first.
    const again = await service.dispatch(order.id, { type: 'ADD_REMARK', text: 'gift wrap' }, merchant, { idempotencyKey: 'k-1' });
    expect(again.ok && [again.replayed, again.order.version]).toEqual([true, 2]);
  });

  it('IDEMPOTENCY_KEY_REUSED names nothing of other orders; a key used on one order is free on another', async () => {
    const store = await makeStore();
    const service = serviceOn(store);
    const first = await alicesOrder(service);
    const second = await alicesOrder(service);
    await service.dispatch(first.id, { type: 'ADD_REMARK', text: 'first' }, merchant, { idempotencyKey: 'shared' });
    const elsewhere = await service.dispatch(second.id, { type: 'ADD_REMARK', text: 'second' }, merchant, { idempotencyKey: 'shared' });
    expect(elsewhere.ok && [elsewhere.replayed, elsewhere.order.id]).toEqual([false, second.id]);
    const reused = await service.dispatch(second.id, { type: 'CANCEL' }, merchant, { idempotencyKey: 'shared' });
    expect(codeOf(reused)).toBe('IDEMPOTENCY_KEY_REUSED');
    if (reused.ok) return;
    const text = JSON.stringify(reused.error.toJSON()) + reused.error.message;
    for (const leak of [first.id, first.number, second.id, second.number]) expect(text).not.toContain(leak);
  });

  it('a replay checks permission again (a lifecycle that no longer lets customers cancel refuses it)', async () => {
    const store = await makeStore();
    const service = serviceOn(store);
    const order = await alicesOrder(service);
    const first = await service.dispatch(order.id, { type: 'CANCEL' }, alice, { idempotencyKey: 'c-1' });
    expect(first.ok).toBe(true);
    const strict = createLifecycle({ commands: orderCommands.map((c) => (c.type === 'CANCEL' ? defineCommand({ ...c, actors: ['merchant'] }) : c)) });
    const stricter = createOrderService({ store, clock: manualClock(), lifecycle: strict as never, retryDelayMs: 0 });
    const replay = await stricter.dispatch(order.id, { type: 'CANCEL' }, alice, { idempotencyKey: 'c-1' });
    expect(codeOf(replay)).toBe('FORBIDDEN');
    const same = await service.dispatch(order.id, { type: 'CANCEL' }, alice, { idempotencyKey: 'c-1' });
    expect(same.ok && same.replayed).toBe(true);
  });

  it('records of the previous, unscoped kind are never replayed, by anyone', async () => {
    const store = await makeStore();
    const service = serviceOn(store);
    // What the previous version wrote: alice's order under her raw key, with no request.
    const legacy = testOrder({ id: 'legacy-1', number: 'NLEGACY1', customerId: 'alice' });
    await store.create(legacy, { events: [createdEvent(legacy)], effects: [], idempotencyKey: 'old-key' });
    const stolen = await service.place({ customerId: 'mallory', quote: quote() }, { idempotencyKey: 'old-key' });
    expect(stolen.ok && [stolen.replayed, stolen.order.customerId]).toEqual([false, 'mallory']);
    // Even a legacy record stored under exactly the key a scope derives is refused, not replayed.
    const forged = testOrder({ id: 'legacy-2', number: 'NLEGACY2', customerId: 'alice' });
    const scope = placeScope(mallory, 'forged', { customerId: 'mallory', quote: quote() });
    await store.create(forged, { events: [createdEvent(forged)], effects: [], idempotencyKey: scope.key });
    const refused = await service.place({ customerId: 'mallory', quote: quote() }, { idempotencyKey: 'forged' });
    expect(codeOf(refused)).toBe('IDEMPOTENCY_KEY_REUSED');
    const cmd = dispatchScope(mallory, 'legacy-2', 'c', { type: 'CANCEL' });
    const step = await service.dispatch('legacy-2', { type: 'ADD_REMARK', text: 'x' }, merchant);
    expect(step.ok).toBe(true);
    expect(await store.findIdempotency(cmd.key)).toBeNull();
  });

  it('a replayed stray payment reports what the first delivery reported', async () => {
    const store = await makeStore();
    const service = serviceOn(store);
    const order = await alicesOrder(service);
    const wrong = pay(order.pricing.total + 1, 'tx-stray');
    const first = await service.dispatch(order.id, wrong, gateway, { idempotencyKey: 'pay:tx-stray' });
    expect(first.ok && first.strayPayment).toEqual({ code: 'AMOUNT_MISMATCH' });
    const again = await service.dispatch(order.id, wrong, gateway, { idempotencyKey: 'pay:tx-stray' });
    expect(again.ok && [again.replayed, again.strayPayment]).toEqual([true, { code: 'AMOUNT_MISMATCH' }]);
    const paid = await service.dispatch(order.id, pay(order.pricing.total, 'tx-good'), gateway, { idempotencyKey: 'pay:tx-good' });
    const paidAgain = await service.dispatch(order.id, pay(order.pricing.total, 'tx-good'), gateway, { idempotencyKey: 'pay:tx-good' });
    expect(paid.ok && paidAgain.ok && [paid.strayPayment, paidAgain.replayed, paidAgain.strayPayment]).toEqual([undefined, true, undefined]);
  });

  it('concurrent requests with one key and different payloads: one is applied, every other is a replay or IDEMPOTENCY_KEY_REUSED', async () => {
    const store = await makeStore();
    const service = serviceOn(store);
    const order = await alicesOrder(service);
    const texts = ['a', 'b', 'c', 'd', 'a', 'b'];
    const results = await Promise.all(texts.map((text) => service.dispatch(order.id, { type: 'ADD_REMARK', text }, merchant, { idempotencyKey: 'race' })));
    const applied = results.filter((r) => r.ok && !r.replayed);
    expect(applied).toHaveLength(1);
    for (const r of results) expect(r.ok ? (r.replayed ? 'replay' : 'applied') : r.error.code).toMatch(/^(replay|applied|IDEMPOTENCY_KEY_REUSED)$/);
    expect((await store.load(order.id))!.version).toBe(2);
  });

  it('concurrent placements with one key: one order per actor; the same request replays it, another request is IDEMPOTENCY_KEY_REUSED', async () => {
    const store = await makeStore();
    const service = serviceOn(store);
    const same = () => service.place({ customerId: 'alice', quote: quote(), address: ALICE_ADDRESS }, { idempotencyKey: 'tap' });
    const other = () => service.place({ customerId: 'alice', quote: quote() }, { idempotencyKey: 'tap' });
    const mallorys = () => service.place({ customerId: 'mallory', quote: quote() }, { idempotencyKey: 'tap' });
    const results = await Promise.all([same(), same(), other(), mallorys(), same(), other(), mallorys()]);
    const alices = (await store.list({ customerId: 'alice' })).items;
    expect(alices).toHaveLength(1);
    expect((await store.list({ customerId: 'mallory' })).items).toHaveLength(1);
    for (const r of results.slice(0, 3).concat(results.slice(4, 6))) {
      if (r.ok) expect(r.order.id).toBe(alices[0]!.id);
      else expect(r.error.code).toBe('IDEMPOTENCY_KEY_REUSED');
    }
    for (const r of [results[3]!, results[6]!]) expect(r.ok && r.order.customerId).toBe('mallory');
  });
}
