import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { transition as xstateTransition } from 'xstate';
import { COMMAND_TYPES, ORDER_STATUSES, type Actor, type Command, type Order } from '../../src/order/index.js';
import { COMMAND_ACTORS, defaultLifecycle, transition } from '../../src/lifecycle/index.js';
import { orderMachine, toMachineEvent } from '../../src/xstate/index.js';
import { NOW, commandFor, gateway, merchant, place, system } from './fixtures.js';

/**
 * The compiled table must say what xstate says. First structurally (xstate's own parse of the
 * chart against ours, for every status × command type), then behaviourally: at every step of
 * random command walks, the command goes through both `transition()` and xstate's pure
 * `transition(orderMachine, …)`, and the resulting status and order must be the same.
 */

const refName = (ref: unknown): string | undefined =>
  ref === undefined ? undefined : typeof ref === 'string' ? ref : (ref as { type: string }).type;

describe('compiled table vs xstate’s parse of orderMachine', () => {
  it('has the same candidates (guard, target, actions) for every (status, command type) pair', () => {
    let pairs = 0;
    for (const status of ORDER_STATUSES) {
      const node = orderMachine.root.states[status]!;
      for (const type of COMMAND_TYPES) {
        pairs++;
        const theirs = (node.transitions.get(type) ?? []).map((t) => ({
          guard: refName(t.guard),
          target: t.target?.[0]?.key === status ? undefined : t.target?.[0]?.key,
          actions: t.actions.map(refName),
        }));
        const ours = (defaultLifecycle.chart.table[status]![type] ?? []).map((c) => ({
          guard: c.guardName,
          target: c.target,
          actions: c.actions.map((a) => a.name),
        }));
        expect({ status, type, candidates: ours }).toEqual({ status, type, candidates: theirs });
      }
    }
    expect(pairs).toBe(ORDER_STATUSES.length * COMMAND_TYPES.length);
  });

  it('compiles entry actions from the chart for every status change', () => {
    const c = defaultLifecycle.chart.table['pending_payment']!['EXPIRE']![0]!;
    expect(c.entry.map((a) => [a.name, a.params])).toEqual([['enterStatus', { status: 'closed' }]]);
  });
});

function actorFor(type: string, order: Order, pick: number): Actor {
  const allowed = COMMAND_ACTORS[type as Command['type']];
  const kind = allowed[pick % allowed.length]!;
  if (kind === 'customer') return { type: 'customer', id: order.customerId };
  if (kind === 'merchant') return merchant;
  if (kind === 'payment') return gateway;
  return system;
}

function withoutBookkeeping(order: Order): Record<string, unknown> {
  const { version: _v, updatedAt: _u, ...rest } = order;
  return rest;
}

describe('transition() agrees with xstate on random walks', () => {
  it('same status, same order, same effects at every step', () => {
    const statusesSeen = new Set<string>();
    fc.assert(
      fc.property(
        fc.array(fc.record({ pick: fc.nat(), who: fc.nat(), minutes: fc.constantFrom(0, 5, 31, 60 * 24 * 8) }), { minLength: 1, maxLength: 16 }),
        fc.boolean(),
        (walk, virtual) => {
          let order = place(virtual ? { lines: [{ ...place().lines[0]!, fulfillment: 'virtual' }] } : {});
          let now = NOW.getTime();
          for (const s of walk) {
            now += s.minutes * 60_000;
            const command = commandFor(s.pick, order);
            const actor = actorFor(command.type, order, s.who);
            const ctx = { now: new Date(now), actor };
            const ours = transition(order, command, ctx);
            const snapshot = orderMachine.resolveState({ value: order.status, context: { order, effects: [] } });
            const [next] = xstateTransition(orderMachine, snapshot, toMachineEvent(command, ctx) as never);
            const theirs = next.context as { order: Order; effects: unknown[] };
            if (ours.ok && ours.changed) {
              expect(next.value).toBe(ours.order.status);
              expect(withoutBookkeeping(theirs.order)).toEqual(withoutBookkeeping(ours.order));
              expect(theirs.effects).toEqual(ours.effects.map(({ id: _i, orderId: _o, ...draft }) => draft));
              order = ours.order;
              statusesSeen.add(order.status);
            } else {
              // Refused, or an accepted no-op: xstate takes no transition that changes anything.
              expect(next.value).toBe(order.status);
              expect(theirs.order).toEqual(order);
              expect(theirs.effects).toEqual([]);
            }
          }
        },
      ),
      { numRuns: 250, seed: 20261125 },
    );
    // The walks reached every status, so every row of the table was exercised.
    expect([...statusesSeen].sort()).toEqual([...ORDER_STATUSES].filter((s) => s !== 'pending_payment').sort());
  });
});
