import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { Command, OrderStatus } from '../../src/order/index.js';
import { OrderkitError } from '../../src/errors/index.js';
import {
  NO_MATCH,
  createLifecycle,
  defaultGuards,
  defineCommand,
  defineGuard,
  orderCommands,
  type CommandDefinition,
  type LifecycleOrder,
} from '../../src/lifecycle/index.js';
import { NOW, at, customer, gateway, merchant, place, system } from './fixtures.js';

/**
 * 到店自提 (pickup in store), the extension docs/lifecycle.md walks through: a paid order whose
 * SHIP says `logisticsType: 'pickup'` waits in `ready_for_pickup` until the shopper collects it
 * (`PICKED_UP`), which completes it. Built from orderkit's command list: SHIP and CANCEL get a row
 * each, PAYMENT_SUCCEEDED its duplicate row, and PICKED_UP is a new command.
 */

type PickupStatus = OrderStatus | 'ready_for_pickup';
type PickedUp = { type: 'PICKED_UP'; code?: string };
type PickupCommand = Command | PickedUp;

const byType = (type: string): CommandDefinition<string, any> => orderCommands.find((c) => c.type === type)!;
const withRows = (type: string, rows: CommandDefinition['rows'], extra: Partial<CommandDefinition<string, any>> = {}) =>
  defineCommand({ ...byType(type), ...extra, rows: [...rows, ...byType(type).rows] });

const pickupShip = withRows(
  'SHIP',
  [{ from: 'paid', to: 'ready_for_pickup', guard: 'isPickupParcel', actions: ['ship', { type: 'notify', params: { to: 'customer', template: 'ready_for_pickup', include: ['shipment'] } }] }],
  {
    guards: {
      // A pickup parcel must also be a valid parcel of everything left: reuse the default rule.
      isPickupParcel: defineGuard(
        (step) => ((step.command as { logisticsType?: string }).logisticsType === 'pickup' ? defaultGuards['shipsRest']!(step, undefined) : NO_MATCH),
        (probe) => probe.actor.type === 'merchant',
      ),
    },
  },
);
const pickupCancel = withRows('CANCEL', [
  { from: 'ready_for_pickup', to: 'closed', guard: 'sentByMerchant', actions: [{ type: 'close', params: { reason: 'merchant_cancelled' } }, { type: 'refundInFull', params: { reason: 'merchant_cancel' } }] },
]);
const pickupPayment = withRows('PAYMENT_SUCCEEDED', [{ from: 'ready_for_pickup', guard: 'isDuplicatePayment', description: 'no-op' }]);
const pickedUp = defineCommand({
  type: 'PICKED_UP',
  schema: z.strictObject({ type: z.literal('PICKED_UP'), code: z.string().max(16).optional() }),
  actors: ['merchant', 'customer'],
  label: { 'zh-CN': '已取货', en: 'Picked up' },
  rows: [{ from: 'ready_for_pickup', to: 'completed', actions: ['markCollected', 'complete'] }],
  actions: {
    markCollected: (draft, step) => {
      draft.order.deliveredAt = step.ctx.at;
      draft.order.shipments = draft.order.shipments.map((s) => ({ ...s, deliveredAt: step.ctx.at }));
    },
  },
  button: { key: 'pickedUp', rank: 95, primary: true },
});

const replaced = new Set(['SHIP', 'CANCEL', 'PAYMENT_SUCCEEDED']);
const pickup = createLifecycle<PickupStatus, PickupCommand>({
  commands: [pickupPayment, pickupCancel, pickupShip, ...orderCommands.filter((c) => !replaced.has(c.type)), pickedUp],
  states: {
    pending_payment: { 'zh-CN': '待付款', en: 'Awaiting payment' },
    paid: { 'zh-CN': '待发货', en: 'To ship' },
    ready_for_pickup: { 'zh-CN': '待自提', en: 'Ready for pickup' },
    partially_shipped: { 'zh-CN': '部分发货', en: 'Partially shipped' },
    shipped: { 'zh-CN': '待收货', en: 'Shipped' },
    delivered: { 'zh-CN': '已签收', en: 'Delivered' },
    completed: { 'zh-CN': '已完成', en: 'Completed' },
    closed: { 'zh-CN': '已关闭', en: 'Closed' },
  },
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

describe('createLifecycle checks the commands at creation', () => {
  const problem = (fn: () => unknown): { en: string; details: unknown } => {
    try {
      fn();
    } catch (e) {
      expect(e).toBeInstanceOf(OrderkitError);
      expect((e as OrderkitError).code).toBe('INVALID_LIFECYCLE');
      return { en: (e as OrderkitError).messages.en, details: (e as OrderkitError).details };
    }
    throw new Error('expected INVALID_LIFECYCLE');
  };
  const teleport = (over: Record<string, unknown>) =>
    ({ type: 'TELEPORT', schema: z.strictObject({ type: z.literal('TELEPORT') }), actors: ['merchant'], label: { 'zh-CN': '传送', en: 'Teleport' }, rows: [{ from: 'paid', to: 'completed' }], ...over }) as CommandDefinition;
  const withTeleport = (over: Record<string, unknown>) => () => createLifecycle({ commands: [...orderCommands, teleport(over)] });

  it('names the command whose row targets or starts from an unknown status', () => {
    const target = problem(withTeleport({ rows: [{ from: 'paid', to: 'nowhere' }] }));
    expect(target.en).toContain('TELEPORT');
    expect(target.details).toMatchObject({ command: 'TELEPORT', target: 'nowhere' });
    expect(problem(withTeleport({ rows: [{ from: 'limbo', to: 'paid' }] })).details).toMatchObject({ command: 'TELEPORT', status: 'limbo' });
  });

  it('names the command whose guard or action has no implementation', () => {
    const guard = problem(withTeleport({ rows: [{ from: 'paid', to: 'completed', guard: 'noSuchGuard' }] }));
    expect(guard.en).toContain('noSuchGuard');
    expect(guard.details).toMatchObject({ command: 'TELEPORT', guard: 'noSuchGuard' });
    expect(problem(withTeleport({ rows: [{ from: 'paid', actions: ['noSuchAction'] }] })).details).toMatchObject({ command: 'TELEPORT', action: 'noSuchAction' });
  });

  it('names the command without actors, and the defineCommand shape errors', () => {
    expect(problem(withTeleport({ actors: [] })).details).toMatchObject({ command: 'TELEPORT' });
    expect(problem(withTeleport({ actors: undefined })).details).toMatchObject({ command: 'TELEPORT' });
    expect(problem(() => defineCommand(teleport({ actors: ['robot'] }))).details).toMatchObject({ command: 'TELEPORT', actor: 'robot' });
    expect(problem(() => defineCommand(teleport({ rows: [] }))).en).toContain('TELEPORT');
    expect(problem(() => defineCommand(teleport({ schema: undefined }))).en).toContain('schema');
    expect(problem(() => defineCommand(teleport({ rows: [{ from: 'paid', guard: () => true }] }))).en).toContain('guard');
  });

  it('rejects an unreachable status, a command defined twice and the old machine form', () => {
    expect(problem(() => createLifecycle({ states: ['pending_payment', 'paid', 'partially_shipped', 'shipped', 'delivered', 'completed', 'closed', 'limbo'] })).en).toContain('no path reaches limbo');
    expect(problem(() => createLifecycle({ commands: [...orderCommands, byType('SHIP')] })).details).toMatchObject({ command: 'SHIP' });
    expect(problem(() => createLifecycle({ config: {} } as never)).en).toContain('commands');
  });

  it('a replaced guard refuses with its own error', () => {
    const strict = defineCommand({
      ...byType('EXPIRE'),
      rows: [{ from: 'pending_payment', to: 'closed', guard: 'neverExpires' }],
      guards: { neverExpires: defineGuard((step) => new OrderkitError({ code: 'GUARD_REJECTED', message: { 'zh-CN': '不过期', en: `${step.command.type} refused` } })) },
    });
    const lifecycle = createLifecycle({ commands: [strict, ...orderCommands.filter((c) => c.type !== 'EXPIRE')] });
    const r = lifecycle.transition(place(), { type: 'EXPIRE' }, { now: at(31 * 60_000), actor: system });
    expect(!r.ok && r.error.code).toBe('GUARD_REJECTED');
  });
});
