import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createLifecycle, orderCommands, transition } from '../../src/lifecycle/index.js';
import { deleteOrder } from '../../src/advanced.js';
import type { Actor, Order } from '../../src/order/index.js';
import { NOW, commandFor, line, merchant, must, pay, place, shipAll, stranger, system, walkArb } from './fixtures.js';

/**
 * 删除订单 (DELETE_ORDER, opt-in): the shopper may hide a finished order with nothing pending from
 * their own list; nothing else about the order changes (docs/mini-program.md "Deleting an order").
 */
const lifecycle = createLifecycle({ commands: [...orderCommands, deleteOrder] });
const OPEN = ['requested', 'approved', 'awaiting_return', 'returned', 'refunding'];

function deletable(o: Order): boolean {
  return (
    (o.status === 'completed' || o.status === 'closed') &&
    o.deletedByCustomerAt === undefined &&
    !o.afterSales.some((a) => OPEN.includes(a.status)) &&
    o.refunds.every((r) => r.status === 'succeeded')
  );
}

/** The order without what a deletion may change. */
function rest(o: Order): Record<string, unknown> {
  const { version: _v, updatedAt: _u, deletedByCustomerAt: _d, ...others } = o;
  return others;
}

describe('DELETE_ORDER', () => {
  it('after any walk: accepted exactly for a finished order with nothing pending, changing nothing but the mark', () => {
    let accepted = 0;
    let refused = 0;
    fc.assert(
      fc.property(fc.boolean(), walkArb, (virtual, steps) => {
        let order = place({ lines: [line('a', 2, 1000, virtual ? { fulfillment: 'virtual' } : {})], freight: virtual ? 0 : 800 });
        let now = NOW.getTime();
        for (const step of steps) {
          now += step.minutes * 60_000;
          const actor: Actor = step.actor.type === 'customer' && step.actor.id === 'u1' ? { type: 'customer', id: order.customerId } : step.actor;
          const r = transition(order, commandFor(step.pick, order), { now: new Date(now), actor });
          if (r.ok) order = r.order;
          const owner = { type: 'customer' as const, id: order.customerId };
          const d = lifecycle.transition(order, { type: 'DELETE_ORDER' }, { now: new Date(now), actor: owner });
          expect(d.ok).toBe(deletable(order));
          if (!d.ok) {
            expect(['ORDER_BUSY', 'INVALID_TRANSITION', 'ORDER_DELETED']).toContain(d.error.code);
            refused += 1;
            continue;
          }
          accepted += 1;
          expect(d.order.status).toBe(order.status);
          expect(d.order.version).toBe(order.version + 1);
          expect(d.order.deletedByCustomerAt).toBe(new Date(now).toISOString());
          expect(rest(d.order)).toEqual(rest(order));
          expect(d.effects).toEqual([]);
          // Once: a second delete says so.
          const again = lifecycle.transition(d.order, { type: 'DELETE_ORDER' }, { now: new Date(now), actor: owner });
          expect(again.ok ? null : again.error.code).toBe('ORDER_DELETED');
        }
      }),
      { numRuns: 150 },
    );
    // The walks reach both sides of the rule.
    expect(accepted).toBeGreaterThan(0);
    expect(refused).toBeGreaterThan(0);
  });

  it('only the shopper who owns the order; the shop keeps working on a deleted order', () => {
    const done = must(shipAll(pay(place())), { type: 'CONFIRM_RECEIPT' }, { type: 'customer', id: 'u1' }).order;
    for (const actor of [stranger, merchant, system]) {
      const r = lifecycle.transition(done, { type: 'DELETE_ORDER' }, { now: NOW, actor });
      expect(r.ok).toBe(false);
    }
    const d = lifecycle.transition(done, { type: 'DELETE_ORDER' }, { now: NOW, actor: { type: 'customer', id: 'u1' } });
    if (!d.ok) throw d.error;
    const noted = lifecycle.transition(d.order, { type: 'ADD_REMARK', text: '买家已删除' } as { type: string }, { now: NOW, actor: merchant });
    expect(noted.ok).toBe(true);
    // orderkit's own lifecycle knows no DELETE_ORDER: a shop must opt in.
    expect(transition(done, { type: 'DELETE_ORDER' } as never, { now: NOW, actor: { type: 'customer', id: 'u1' } }).ok).toBe(false);
  });

  it('after-sale photos: at most 9, each a non-empty string, refused with a typed error otherwise', () => {
    const paid = pay(place());
    const u1: Actor = { type: 'customer', id: 'u1' };
    const ask = (photos: unknown) => transition(paid, { type: 'REQUEST_AFTER_SALE', kind: 'refund_only', reason: '坏了', photos } as never, { now: NOW, actor: u1 });
    const nine = Array.from({ length: 9 }, (_, i) => `cloud://env/after-sale/o/p${i}.jpg`);
    const ok = ask(nine);
    if (!ok.ok) throw ok.error;
    expect(ok.order.afterSales[0]!.photos).toEqual(nine);
    for (const bad of [[...nine, 'one-more'], [''], ['x'.repeat(513)], 'cloud://x']) {
      const r = ask(bad);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.error.path[0]).toBe('photos');
    }
    // Without photos, none are stored.
    const none = transition(paid, { type: 'REQUEST_AFTER_SALE', kind: 'refund_only', reason: '坏了' }, { now: NOW, actor: u1 });
    expect(none.ok && none.order.afterSales[0]!.photos).toBeUndefined();
  });
});
