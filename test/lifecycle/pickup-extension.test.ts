import { describe, expect, it } from 'vitest';
import { createMachine } from 'xstate';
import type { Command, OrderStatus } from '../../src/order/index.js';
import { OrderkitError } from '../../src/errors/index.js';
import {
  NO_MATCH,
  createLifecycle,
  defaultGuards,
  defineGuard,
  orderMachine,
  type LifecycleOrder,
} from '../../src/lifecycle/index.js';
import { NOW, at, customer, gateway, merchant, place, system } from './fixtures.js';

/**
 * 到店自提 (pickup in store), the extension docs/lifecycle.md walks through: a paid order whose
 * SHIP says `logisticsType: 'pickup'` waits in `ready_for_pickup` until the shopper collects it
 * (`PICKED_UP`), which completes it. Built from orderMachine's config, compiled by createLifecycle.
 */

type PickupStatus = OrderStatus | 'ready_for_pickup';
type PickedUp = { type: 'PICKED_UP'; code?: string };
type PickupCommand = Command | PickedUp;

const base = orderMachine.config;
const states = base.states as Record<string, { on?: Record<string, unknown> }>;
const paidShip = states['paid']!.on!['SHIP'] as unknown[];

const pickupMachine = createMachine({
  ...(base as object),
  states: {
    ...(base.states as object),
    paid: {
      ...(states['paid'] as object),
      on: {
        ...states['paid']!.on,
        SHIP: [
          { guard: 'isPickupParcel', target: 'ready_for_pickup', actions: ['ship', { type: 'notify', params: { to: 'customer', template: 'ready_for_pickup', include: ['shipment'] } }] },
          ...paidShip,
        ],
      },
    },
    ready_for_pickup: {
      entry: [{ type: 'enterStatus', params: { status: 'ready_for_pickup' } }],
      on: {
        PICKED_UP: { target: 'completed', actions: ['markCollected', 'complete'] },
        PAYMENT_SUCCEEDED: { guard: 'isDuplicatePayment' },
        CANCEL: { guard: 'sentByMerchant', target: 'closed', actions: [{ type: 'close', params: { reason: 'merchant_cancelled' } }, { type: 'refundInFull', params: { reason: 'merchant_cancel' } }] },
      },
    },
  },
} as never);

const pickup = createLifecycle<PickupStatus, PickupCommand>(pickupMachine, {
  guards: {
    // A pickup parcel must also be a valid parcel of everything left: reuse the default rule.
    isPickupParcel: defineGuard(
      (step) => ((step.command as { logisticsType?: string }).logisticsType === 'pickup' ? defaultGuards['shipsRest']!(step, undefined) : NO_MATCH),
      (probe) => probe.actor.type === 'merchant',
    ),
  },
  actions: {
    markCollected: (draft, step) => {
      draft.order.deliveredAt = step.ctx.at;
      draft.order.shipments = draft.order.shipments.map((s) => ({ ...s, deliveredAt: step.ctx.at }));
    },
  },
  permissions: { PICKED_UP: ['merchant', 'customer'] },
});

describe('到店自提 extension via createLifecycle', () => {
  it('compiles the extended chart with its new status and command', () => {
    expect(pickup.chart.statuses).toContain('ready_for_pickup');
    expect(pickup.chart.commandTypes).toContain('PICKED_UP');
  });

  it('runs end to end: place → pay → SHIP (pickup) → ready_for_pickup → PICKED_UP → completed', () => {
    const placed = place() as LifecycleOrder<PickupStatus>;
    const paid = pickup.transition(placed, { type: 'PAYMENT_SUCCEEDED', amount: 2500, transactionId: 'tx-1' }, { now: NOW, actor: gateway });
    if (!paid.ok) throw paid.error;
    expect(paid.order.status).toBe('paid');
    expect(pickup.allowedActions(paid.order, merchant, NOW)).toEqual(expect.arrayContaining(['SHIP', 'CANCEL']));

    const ready = pickup.transition(paid.order, { type: 'SHIP', logisticsType: 'pickup' }, { now: at(60_000), actor: merchant });
    if (!ready.ok) throw ready.error;
    expect(ready.order.status).toBe('ready_for_pickup');
    expect(ready.events[0]).toMatchObject({ from: 'paid', to: 'ready_for_pickup', type: 'SHIP' });
    expect(ready.effects.map((e) => e.type)).toEqual(['shipping.upload', 'notify']);
    expect(ready.effects[0]).toMatchObject({ logisticsType: 'pickup', allDelivered: true });
    expect(pickup.allowedActions(ready.order, customer, NOW)).toEqual(['PICKED_UP']);
    expect(pickup.allowedActions(ready.order, system, NOW)).toEqual([]);

    // An express parcel still goes the default way.
    const express = pickup.transition(paid.order, { type: 'SHIP', logisticsType: 'express' }, { now: NOW, actor: merchant });
    expect(express.ok && express.order.status).toBe('shipped');

    expect(pickup.transition(ready.order, { type: 'PICKED_UP' }, { now: NOW, actor: gateway }).ok).toBe(false);
    const done = pickup.transition(ready.order, { type: 'PICKED_UP', code: '8341' }, { now: at(120_000), actor: customer });
    if (!done.ok) throw done.error;
    expect(done.order.status).toBe('completed');
    expect(done.order.version).toBe(ready.order.version + 1);
    expect(done.order.deliveredAt).toBe(at(120_000).toISOString());
    expect(done.order.deadlines.afterSaleUntil).toBe(at(120_000 + 7 * 86_400_000).toISOString());
  });

  it('a merchant can still cancel while it waits, refunding in full', () => {
    const paid = pickup.transition(place() as LifecycleOrder<PickupStatus>, { type: 'PAYMENT_SUCCEEDED', amount: 2500, transactionId: 'tx-1' }, { now: NOW, actor: gateway });
    if (!paid.ok) throw paid.error;
    const ready = pickup.transition(paid.order, { type: 'SHIP', logisticsType: 'pickup' }, { now: NOW, actor: merchant });
    if (!ready.ok) throw ready.error;
    const closed = pickup.transition(ready.order, { type: 'CANCEL' }, { now: NOW, actor: merchant });
    expect(closed.ok && closed.order.status).toBe('closed');
    expect(closed.ok && closed.effects.find((e) => e.type === 'payment.refund')).toMatchObject({ amount: 2500 });
  });

  it('PICKED_UP is INVALID_TRANSITION outside ready_for_pickup', () => {
    const r = pickup.transition(place() as LifecycleOrder<PickupStatus>, { type: 'PICKED_UP' }, { now: NOW, actor: merchant });
    expect(!r.ok && r.error.code).toBe('INVALID_TRANSITION');
  });
});

describe('createLifecycle checks the chart at creation', () => {
  // Plain `{ config }` objects: xstate would refuse some of these charts itself before we see them.
  const chart = (states: Record<string, unknown>, initial = 'a') => ({ config: { id: 't', initial, states } });
  const problem = (fn: () => unknown): string => {
    try {
      fn();
    } catch (e) {
      expect(e).toBeInstanceOf(OrderkitError);
      expect((e as OrderkitError).code).toBe('INVALID_LIFECYCLE');
      return (e as OrderkitError).messages.en;
    }
    throw new Error('expected INVALID_LIFECYCLE');
  };

  it('rejects a missing target, an unreachable status, unknown names and missing permissions', () => {
    expect(problem(() => createLifecycle(chart({ a: { on: { EXPIRE: { target: 'nowhere' } } } })))).toContain('does not exist');
    expect(problem(() => createLifecycle(chart({ a: {}, b: {} })))).toContain('no path reaches b');
    expect(problem(() => createLifecycle(chart({ a: { on: { EXPIRE: { guard: 'noSuchGuard', target: 'a' } } } })))).toContain('noSuchGuard');
    expect(problem(() => createLifecycle(chart({ a: { on: { EXPIRE: { actions: ['noSuchAction'] } } } })))).toContain('noSuchAction');
    expect(problem(() => createLifecycle(chart({ a: { on: { TELEPORT: { target: 'a' } } } })))).toContain('TELEPORT');
    expect(problem(() => createLifecycle(chart({ a: { on: { EXPIRE: { guard: () => true, target: 'a' } } } })))).toContain('by name');
    expect(problem(() => createLifecycle(chart({ a: { states: { x: {} }, initial: 'x' } })))).toContain('states');
    expect(problem(() => createLifecycle(chart({ a: {} }, 'zz')))).toContain('initial');
  });

  it('uses a guard replaced through xstate’s provide (false → GUARD_REJECTED)', () => {
    const strict = orderMachine.provide({ guards: { payDeadlinePassed: () => false } as never });
    const lifecycle = createLifecycle(strict);
    const r = lifecycle.transition(place(), { type: 'EXPIRE' }, { now: at(31 * 60_000), actor: system });
    expect(!r.ok && r.error.code).toBe('GUARD_REJECTED');
    expect(!r.ok && r.error.details).toMatchObject({ guard: 'payDeadlinePassed' });
  });
});
