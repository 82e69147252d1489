import { expect, it } from 'vitest';
import type { Actor } from '../../src/order/index.js';
import { createOrderService } from '../../src/service/index.js';
import type { OrderStore } from '../../src/storage/index.js';
import { manualClock, merchant, quote } from './fixtures.js';

/**
 * Strings PostgreSQL cannot store, sent through the service to one store: each is a typed error
 * with the path (or "no such order" for an id), nothing is written, and the store keeps working.
 * Called once per store (issue 13 item 5).
 */
export function hostileStrings(makeStore: () => Promise<OrderStore>): void {
  it('U+0000 and lone surrogates in commands, placement input, actors, ids and queries are typed errors; nothing is written', async () => {
    const store = await makeStore();
    let n = 0;
    const service = createOrderService({ store, clock: manualClock(), ids: { orderId: () => `h-${++n}`, orderNumber: () => `NH${String(n).padStart(6, '0')}` }, retryDelayMs: 0 });
    const placed = await service.place({ customerId: 'u1', quote: quote() });
    if (!placed.ok) throw placed.error;
    const id = placed.order.id;

    const badPlace = await service.place({ customerId: 'u1', quote: quote(), buyerRemark: 'leave it\u0000' });
    expect(!badPlace.ok && [badPlace.error.code, badPlace.error.path]).toEqual(['INVALID_ORDER_INPUT', ['buyerRemark']]);
    const badAddress = await service.place({ customerId: 'u1', quote: quote(), address: { name: '\uD800', phone: '13800000000', province: '', city: '', detail: 'x' } });
    expect(!badAddress.ok && [badAddress.error.code, badAddress.error.path]).toEqual(['INVALID_ORDER_INPUT', ['address', 'name']]);
    const badCustomer = await service.place({ customerId: 'u\u0000', quote: quote() });
    expect(!badCustomer.ok && badCustomer.error.code).toBe('INVALID_ORDER_INPUT');

    const remark = await service.dispatch(id, { type: 'ADD_REMARK', text: 'x\uDC00' }, merchant);
    expect(!remark.ok && [remark.error.code, remark.error.path]).toEqual(['INVALID_COMMAND', ['text']]);
    const cancel = await service.dispatch(id, { type: 'CANCEL', reason: '\u0000' }, { type: 'customer', id: 'u1' }, { idempotencyKey: 'k\u0000' });
    expect(!cancel.ok && [cancel.error.code, cancel.error.path]).toEqual(['INVALID_COMMAND', ['reason']]);
    const actor = await service.dispatch(id, { type: 'CANCEL' }, { type: 'merchant', id: 'm\u0000' } as Actor);
    expect(!actor.ok && actor.error.code).toBe('INVALID_ACTOR');

    const ghost = await service.dispatch('h-\u0000', { type: 'CANCEL' }, merchant);
    expect(!ghost.ok && ghost.error.code).toBe('ORDER_NOT_FOUND');
    expect(await service.get('\uD800')).toBeNull();
    expect(await service.history('\u0000')).toEqual([]);
    if (store.findByNumber) expect(await store.findByNumber('N\u0000')).toBeNull();
    await expect(service.list({ customerId: 'u\u0000' })).rejects.toMatchObject({ code: 'INVALID_QUERY', path: ['customerId'] });

    // Nothing was written, and the store still works.
    expect((await store.load(id))!.version).toBe(1);
    expect((await service.list({})).items.map((o) => o.id)).toEqual([id]);
    const ok = await service.dispatch(id, { type: 'ADD_REMARK', text: '😀 ok' }, merchant);
    expect(ok.ok && ok.order.version).toBe(2);
  });
}
