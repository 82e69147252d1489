import fc from 'fast-check';
import type { Actor, Command, Order } from '../../src/order/index.js';
import { lineHoldings } from '../../src/refund/index.js';

/**
 * A random REQUEST_AFTER_SALE for the after-sale properties (test/refund/money-audit.test.ts,
 * test/service/after-sale-money-stock.property.test.ts): the whole order, or up to two lines picked
 * by index with their quantities cut to what the line can still take back, and the freight asked
 * for, refused or left to the shop's rule.
 */
export interface RequestOp {
  t: 'request';
  kind: 'refund_only' | 'return_and_refund';
  whole: boolean;
  picks: Array<{ line: number; qty: number }>;
  ship: 0 | 1 | 2;
  merchant: boolean;
}

/** `RequestOp`s: `wholeOneIn` of them (about) name the whole order, `merchantOneIn` are filed by the shop. */
export function requestOpArb(options: { kinds: ReadonlyArray<RequestOp['kind']>; wholeOneIn: number; merchantOneIn: number }): fc.Arbitrary<RequestOp> {
  return fc.record({
    t: fc.constant('request' as const),
    kind: fc.constantFrom(...options.kinds),
    whole: fc.nat(options.wholeOneIn - 1).map((n) => n === 0),
    picks: fc.array(fc.record({ line: fc.nat(3), qty: fc.integer({ min: 1, max: 2 }) }), { minLength: 1, maxLength: 2 }),
    ship: fc.constantFrom(0 as const, 1 as const, 2 as const),
    merchant: fc.nat(options.merchantOneIn - 1).map((n) => n === 0),
  });
}

/** The command a `RequestOp` sends on `order`, and who sends it. */
export function requestCommand(order: Order, op: RequestOp, actors: { shop: Actor; shopper: Actor }): { command: Command; actor: Actor } {
  const holdings = lineHoldings(order);
  let items: Array<{ lineId: string; quantity: number }> | undefined;
  if (!op.whole) {
    const seen = new Set<string>();
    items = op.picks
      .map((p) => ({ lineId: order.lines[p.line % order.lines.length]!.id, quantity: p.qty }))
      .filter((i) => !seen.has(i.lineId) && seen.add(i.lineId))
      .map((i) => {
        const h = holdings.get(i.lineId)!;
        return { lineId: i.lineId, quantity: Math.min(i.quantity, op.kind === 'return_and_refund' ? h.returnable : h.refundable) };
      })
      .filter((i) => i.quantity > 0);
    if (items.length === 0) items = undefined;
  }
  const includeShipping = op.ship === 0 ? {} : { includeShipping: op.ship === 1 };
  return { command: { type: 'REQUEST_AFTER_SALE', kind: op.kind, reason: 'r', ...(items ? { items } : {}), ...includeShipping }, actor: op.merchant ? actors.shop : actors.shopper };
}
