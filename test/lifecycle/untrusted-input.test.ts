import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { OrderkitError } from '../../src/errors/index.js';
import { transition } from '../../src/lifecycle/index.js';
import { COMMAND_TYPES, OrderSchema, type Actor, type Order } from '../../src/order/index.js';
import { at, customer, gateway, merchant, MINUTE, must, pay, place, shipAll, system } from './fixtures.js';

// `transition()` trusts commands checked by `parseCommand`, but a caller who skips that step must
// still get typed errors, never an exception (issue 2: "Bad commands must come back as typed
// errors, never as exceptions"), and a rejected command changes nothing.
const orders = (): Order[] => {
  const placed = place();
  const paid = pay(placed);
  const shipped = shipAll(paid);
  const completed = must(shipped, { type: 'CONFIRM_RECEIPT' }, customer, at(2 * MINUTE)).order;
  return [placed, paid, shipped, completed];
};

const junk = fc.oneof(
  fc.constant(undefined),
  fc.constant(null),
  fc.string({ maxLength: 8 }),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.array(fc.oneof(fc.string({ maxLength: 4 }), fc.integer(), fc.record({ lineId: fc.string({ maxLength: 3 }), quantity: fc.oneof(fc.integer(), fc.double(), fc.string()) })), { maxLength: 3 }),
  fc.record({ lineId: fc.constantFrom('a', 'b', 'zz'), quantity: fc.oneof(fc.integer({ min: -3, max: 5 }), fc.double()) }),
);
const fields = ['amount', 'transactionId', 'outTradeNo', 'paidAt', 'items', 'shipmentId', 'afterSaleId', 'kind', 'reason', 'refundId', 'newTotal', 'address', 'text', 'logisticsType', 'trackingNo', 'expressCompany'];
const command = fc.record({
  type: fc.oneof(fc.constantFrom(...COMMAND_TYPES), fc.string({ maxLength: 6 })),
  extra: fc.dictionary(fc.constantFrom(...fields), junk, { maxKeys: 5 }),
}).map(({ type, extra }) => ({ type, ...extra }));
const actor = fc.constantFrom<Actor | null>(customer, merchant, system, gateway, null, { type: 'customer', id: 'someone-else' });

describe('transition() on untrusted input', () => {
  it('answers every malformed command with a typed error or a valid order, and never mutates', () => {
    const fixtures = orders();
    fc.assert(
      fc.property(fc.integer({ min: 0, max: fixtures.length - 1 }), command, actor, (i, cmd, who) => {
        const order = fixtures[i]!;
        const before = JSON.stringify(order);
        let result: ReturnType<typeof transition>;
        try {
          result = transition(order, cmd as never, { now: at(3 * MINUTE), actor: who as Actor });
        } catch (error) {
          throw new Error(`threw for ${JSON.stringify(cmd)} as ${JSON.stringify(who)} on ${order.status}: ${String(error)}`);
        }
        expect(JSON.stringify(order)).toBe(before);
        if (result.ok) expect(OrderSchema.safeParse(result.order).success).toBe(true);
        else expect(result.error).toBeInstanceOf(OrderkitError);
      }),
      { numRuns: 3000 },
    );
  });

  it('names a missing order, command or actor and an unknown command type', () => {
    const order = place();
    const now = at(MINUTE);
    expect(transition(null as never, { type: 'CANCEL' }, { now, actor: customer })).toMatchObject({ ok: false, error: { code: 'INVALID_ORDER' } });
    expect(transition(order, null as never, { now, actor: customer })).toMatchObject({ ok: false, error: { code: 'INVALID_COMMAND' } });
    expect(transition(order, { type: 'NOPE' } as never, { now, actor: customer })).toMatchObject({ ok: false, error: { code: 'UNKNOWN_COMMAND' } });
    expect(transition(order, { type: 'CANCEL' }, { now, actor: null as never })).toMatchObject({ ok: false, error: { code: 'INVALID_CONTEXT' } });
  });
});
