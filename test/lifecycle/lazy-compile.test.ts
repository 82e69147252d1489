import { describe, expect, it } from 'vitest';
import { ORDER_STATUSES, type Actor } from '../../src/order/index.js';
import { compileChart, createLifecycle, defaultLifecycle, orderCommands } from '../../src/lifecycle/index.js';
import { compileTable } from '../../src/lifecycle/compile.js';
import { buildChart } from '../../src/lifecycle/lifecycle.js';
import { NOW, commandFor, gateway, line, merchant, place, system } from './fixtures.js';

/**
 * orderkit's own lifecycle compiles a command's rows the first time it is dispatched instead of the
 * whole chart when it is created (docs/benchmarks.md, "Cold start"). What it compiles that way must
 * be exactly what the whole chart holds, and it must decide every command as the eagerly compiled
 * lifecycle (the same commands given explicitly, which compiles and checks at creation) does.
 */

const implementations = (() => {
  const guards = {};
  const actions = {};
  for (const def of orderCommands) {
    Object.assign(guards, def.guards);
    Object.assign(actions, def.actions);
  }
  return { guards, actions };
})();

describe('the built-in lifecycle compiled command by command', () => {
  it('one command compiled alone gives, in every status, the candidates of the whole chart (same guards and actions)', () => {
    const whole = compileChart(buildChart(orderCommands, ORDER_STATUSES), implementations).table;
    let compared = 0;
    for (const def of orderCommands) {
      const alone = compileTable(buildChart([def], ORDER_STATUSES), implementations).table;
      for (const status of ORDER_STATUSES) {
        expect(alone[status]![def.type], `${def.type} in ${status}`).toEqual(whole[status]![def.type]);
        if (whole[status]![def.type] !== undefined) compared++;
      }
    }
    expect(compared).toBeGreaterThan(100);
    // The whole chart read from a lazily built lifecycle is the eager one's.
    expect(createLifecycle().chart.table).toEqual(createLifecycle({ commands: orderCommands }).chart.table);
    expect(defaultLifecycle.chart.table).toEqual(whole);
  });

  it('decides every command, from every actor, in every order a few steps from placement, as the lifecycle compiled whole', () => {
    // Nothing here reads the chart or asks allowedActions, so `lazy` compiles each command alone.
    const lazy = createLifecycle();
    const eager = createLifecycle({ commands: orderCommands });
    let frontier = [place({ lines: [line('a', 2, 1500), line('b', 1, 900)], freight: 800 })];
    const seenTypes = new Set<string>();
    let accepted = 0;
    for (let depth = 0; depth < 4 && frontier.length > 0; depth++) {
      const next = new Map<string, (typeof frontier)[number]>();
      // Time moves on a day per level (8 days at the last one: past the deadlines).
      const now = new Date(NOW.getTime() + (depth === 3 ? 8 * 1440 : depth * 1440) * 60_000);
      for (const order of frontier) {
        const actors: Actor[] = [{ type: 'customer', id: order.customerId }, merchant, system, gateway];
        // The walk menu has 20 commands; 40 picks also reach a second after-sale or refund where there is one.
        for (let pick = 0; pick < 40; pick++) {
          const command = commandFor(pick, order);
          for (const actor of actors) {
            const a = lazy.transition(order, command, { now, actor });
            const b = eager.transition(order, command, { now, actor });
            expect(a).toEqual(b);
            if (a.ok && a.changed) {
              accepted++;
              seenTypes.add(command.type);
              const key = JSON.stringify(a.order);
              if (next.size < 8 && !next.has(key)) next.set(key, a.order);
            }
          }
        }
      }
      frontier = [...next.values()];
    }
    // The exploration really went somewhere: many commands of many types were accepted.
    expect(accepted).toBeGreaterThan(150);
    expect(seenTypes.size).toBeGreaterThanOrEqual(8);
    // The whole chart, read afterwards, agrees with what was compiled command by command.
    expect(lazy.chart.table).toEqual(eager.chart.table);
  });

  it('a lifecycle given commands still refuses a broken one at creation', () => {
    const broken = { ...orderCommands[0]!, rows: [{ from: 'nowhere', to: 'paid' }] };
    expect(() => createLifecycle({ commands: [...orderCommands.slice(1), broken] })).toThrow(/unknown status "nowhere"/);
  });
});
