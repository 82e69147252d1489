import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { allowedActions, transition } from '../../src/lifecycle/index.js';
import { definePolicy, type Policy } from '../../src/order/policy.js';
import type { Actor, Command, Order } from '../../src/order/index.js';
import { orderView } from '../../src/view/index.js';
import { buildLine } from './fixtures.js';
import { arbLines, viaTransition } from './harness.js';
import { CUSTOMER, GATEWAY, MERCHANT, OTHER_CUSTOMER, T0, deepFreeze } from './fixtures.js';

/**
 * After-sales beyond a plain refund (docs/after-sales.md "Negotiated refunds", "Return shipping
 * fee", "Freight-only refund", "Exchange"), through the lifecycle's `transition()`.
 */

const policy = definePolicy();

function run(order: Order, command: Record<string, unknown>, actor: Actor, p: Policy = policy): Order {
  const r = transition(order, command as Command, { now: T0, actor, policy: p });
  if (!r.ok) throw new Error(`${String(command.type)}: ${r.error.code} ${r.error.message}`);
  return deepFreeze(r.order);
}

function refused(order: Order, command: Record<string, unknown>, actor: Actor, p: Policy = policy): { code: string; path: unknown; zh: string; en: string } {
  const r = transition(order, command as Command, { now: T0, actor, policy: p });
  if (r.ok) throw new Error(`${String(command.type)} was accepted`);
  return { code: r.error.code, path: r.error.path, zh: r.error.messages['zh-CN'], en: r.error.messages.en };
}

/** 2 × ¥30.00 T-shirts + 1 × ¥50.00 mug, ¥10.00 freight: paid ¥120.00, shipped. */
function shippedOrder(p: Policy = policy): Order {
  const lines = [buildLine({ id: 'T', sku: 'TEE-L', title: 'T-shirt', listPrice: 3000, quantity: 2 }), buildLine({ id: 'M', sku: 'MUG', title: 'Mug', listPrice: 5000, quantity: 1 })];
  const paid = viaTransition.start(lines, 1000, p);
  return run(paid, { type: 'SHIP', logisticsType: 'express', trackingNo: 'SF1', expressCompany: 'SF' }, MERCHANT, p);
}

const lastAfterSale = (o: Order) => o.afterSales[o.afterSales.length - 1]!;
const committed = (o: Order) => o.refunds.filter((r) => r.status !== 'failed' && r.reason !== 'stray_payment').reduce((s, r) => s + r.amount, 0);

describe('协商退款 (negotiated refund)', () => {
  it('the merchant offers less, the shopper declines, the merchant offers again, the shopper accepts: the agreed amount is refunded and the history kept', () => {
    let o = shippedOrder();
    o = run(o, { type: 'REQUEST_AFTER_SALE', kind: 'refund_only', items: [{ lineId: 'T', quantity: 1 }], reason: '有污渍' }, CUSTOMER);
    const id = lastAfterSale(o).id;
    expect(lastAfterSale(o)).toMatchObject({ status: 'requested', amount: 3000 });
    expect(allowedActions(o, MERCHANT, T0)).toContain('PROPOSE_REFUND');
    expect(allowedActions(o, CUSTOMER, T0)).not.toContain('ACCEPT_REFUND_PROPOSAL');

    o = run(o, { type: 'PROPOSE_REFUND', afterSaleId: id, amount: 1000, note: '补偿 ¥10' }, MERCHANT);
    expect(lastAfterSale(o).proposals!.map((p) => p.status)).toEqual(['pending']);
    const shopperView = orderView(o, { actor: CUSTOMER, now: T0 });
    expect(shopperView.afterSales[0]!.actions.map((a) => a.key)).toEqual(expect.arrayContaining(['acceptRefundProposal', 'declineRefundProposal']));
    expect(shopperView.afterSales[0]!.openProposal).toMatchObject({ amount: { fen: 1000, text: '¥10.00' }, note: '补偿 ¥10' });
    expect(orderView(o, { actor: MERCHANT, now: T0 }).afterSales[0]!.actions.map((a) => a.key)).not.toContain('acceptRefundProposal');
    // Not someone else's to answer.
    expect(refused(o, { type: 'ACCEPT_REFUND_PROPOSAL', afterSaleId: id }, OTHER_CUSTOMER).code).toBe('FORBIDDEN');
    expect(refused(o, { type: 'ACCEPT_REFUND_PROPOSAL', afterSaleId: id }, MERCHANT).code).toBe('FORBIDDEN');

    o = run(o, { type: 'DECLINE_REFUND_PROPOSAL', afterSaleId: id, reason: '太少' }, CUSTOMER);
    expect(lastAfterSale(o).status).toBe('requested');
    expect(refused(o, { type: 'ACCEPT_REFUND_PROPOSAL', afterSaleId: id }, CUSTOMER).code).toBe('NO_OPEN_PROPOSAL');

    o = run(o, { type: 'PROPOSE_REFUND', afterSaleId: id, amount: 2000 }, MERCHANT);
    o = run(o, { type: 'PROPOSE_REFUND', afterSaleId: id, amount: 2200 }, MERCHANT);
    o = run(o, { type: 'ACCEPT_REFUND_PROPOSAL', afterSaleId: id }, CUSTOMER);
    const a = lastAfterSale(o);
    expect(a.status).toBe('refunding');
    expect(a.amount).toBe(2200);
    expect(a.quotedAmount).toBe(3000);
    expect(a.proposals!.map((p) => [p.amount, p.status])).toEqual([
      [1000, 'declined'],
      [2000, 'superseded'],
      [2200, 'accepted'],
    ]);
    expect(a.proposals![0]!.declineReason).toBe('太少');
    expect(o.refunds.map((r) => r.amount)).toEqual([2200]);
    o = run(o, { type: 'REFUND_SUCCEEDED', refundId: a.refundId! }, GATEWAY);
    expect(lastAfterSale(o).status).toBe('refunded');
    // The unit is settled: it cannot be asked for again, and the other unit still gets its own share.
    const again = refused(o, { type: 'REQUEST_AFTER_SALE', kind: 'refund_only', items: [{ lineId: 'T', quantity: 2 }], reason: 'x' }, CUSTOMER);
    expect(again.code).toBe('QUANTITY_EXCEEDS_REFUNDABLE');
    o = run(o, { type: 'REQUEST_AFTER_SALE', kind: 'refund_only', items: [{ lineId: 'T', quantity: 1 }], reason: 'x' }, CUSTOMER);
    expect(lastAfterSale(o).amount).toBe(3000);
  });

  it('a proposal above what is refundable is PROPOSAL_EXCEEDS_REFUNDABLE with its path and both languages, and the order is unchanged', () => {
    let o = shippedOrder();
    o = run(o, { type: 'REQUEST_AFTER_SALE', kind: 'return_and_refund', items: [{ lineId: 'M', quantity: 1 }], reason: '坏了' }, CUSTOMER);
    const before = JSON.stringify(o);
    const e = refused(o, { type: 'PROPOSE_REFUND', afterSaleId: lastAfterSale(o).id, amount: 5001 }, MERCHANT);
    expect(e).toMatchObject({ code: 'PROPOSAL_EXCEEDS_REFUNDABLE', path: ['amount'] });
    expect(e.zh).toContain('¥50.00');
    expect(e.en).toContain('¥50.00');
    expect(JSON.stringify(o)).toBe(before);
    // Schema: zero, negative, fractional amounts never reach the rule.
    for (const amount of [0, -1, 1.5]) expect(refused(o, { type: 'PROPOSE_REFUND', afterSaleId: lastAfterSale(o).id, amount }, MERCHANT)).toMatchObject({ code: 'INVALID_COMMAND' });
    // Accepting a return's proposal approves the return for that amount; the refund follows the parcel.
    o = run(o, { type: 'PROPOSE_REFUND', afterSaleId: lastAfterSale(o).id, amount: 4000 }, MERCHANT);
    o = run(o, { type: 'ACCEPT_REFUND_PROPOSAL', afterSaleId: lastAfterSale(o).id }, CUSTOMER);
    expect(lastAfterSale(o)).toMatchObject({ status: 'awaiting_return', amount: 4000 });
    o = run(o, { type: 'RETURN_SHIPPED', afterSaleId: lastAfterSale(o).id, trackingNo: 'YT9', expressCompany: 'YTO' }, CUSTOMER);
    o = run(o, { type: 'RETURN_RECEIVED', afterSaleId: lastAfterSale(o).id }, MERCHANT);
    expect(o.refunds.map((r) => r.amount)).toEqual([4000]);
  });

  it('property: whatever the offers and answers, a refund never exceeds the quote, the agreed amount is the last accepted offer, and refunds stay within what was paid', () => {
    fc.assert(
      fc.property(arbLines, fc.array(fc.tuple(fc.constantFrom('propose', 'accept', 'decline', 'approve'), fc.integer({ min: 1, max: 30_000 })), { maxLength: 8 }), (lines, steps) => {
        let o = viaTransition.start(lines, 500, policy);
        const s = transition(o, { type: 'SHIP', logisticsType: 'express' }, { now: T0, actor: MERCHANT, policy });
        if (!s.ok) return;
        o = s.order;
        const r = transition(o, { type: 'REQUEST_AFTER_SALE', kind: 'refund_only', reason: 'r' } as Command, { now: T0, actor: CUSTOMER, policy });
        if (!r.ok) return;
        o = r.order;
        const quoted = o.afterSales[0]!.amount;
        let lastOffer: number | undefined;
        for (const [kind, amount] of steps) {
          const a = o.afterSales[0]!;
          const command =
            kind === 'propose'
              ? { type: 'PROPOSE_REFUND', afterSaleId: a.id, amount }
              : kind === 'accept'
                ? { type: 'ACCEPT_REFUND_PROPOSAL', afterSaleId: a.id }
                : kind === 'decline'
                  ? { type: 'DECLINE_REFUND_PROPOSAL', afterSaleId: a.id }
                  : { type: 'APPROVE_AFTER_SALE', afterSaleId: a.id };
          const t = transition(o, command as Command, { now: T0, actor: kind === 'propose' || kind === 'approve' ? MERCHANT : CUSTOMER, policy });
          if (kind === 'propose') expect(t.ok).toBe(a.status === 'requested' && amount <= quoted);
          if (!t.ok) {
            if (kind === 'propose' && a.status === 'requested') expect(t.error.code).toBe('PROPOSAL_EXCEEDS_REFUNDABLE');
            continue;
          }
          if (kind === 'propose') lastOffer = amount;
          if (kind === 'accept') expect(t.order.afterSales[0]!.amount).toBe(lastOffer);
          o = t.order;
        }
        const a = o.afterSales[0]!;
        expect(a.amount).toBeLessThanOrEqual(quoted);
        expect(committed(o)).toBeLessThanOrEqual(o.payment.paidAmount);
        if (a.refundId !== undefined) expect(o.refunds.find((x) => x.id === a.refundId)!.amount).toBe(a.amount);
        expect(a.proposals?.filter((p) => p.status === 'pending').length ?? 0).toBeLessThanOrEqual(1);
      }),
      { numRuns: 150 },
    );
  });
});

describe('退运费 (return shipping fee)', () => {
  function awaitingReturn(p: Policy = policy) {
    let o = shippedOrder(p);
    o = run(o, { type: 'REQUEST_AFTER_SALE', kind: 'return_and_refund', items: [{ lineId: 'T', quantity: 1 }], reason: '质量问题' }, CUSTOMER, p);
    o = run(o, { type: 'APPROVE_AFTER_SALE', afterSaleId: lastAfterSale(o).id }, MERCHANT, p);
    return o;
  }

  it("'refund': the fee is added to the refund; 'deduct': taken off; each once, before the parcel arrives", () => {
    let o = awaitingReturn();
    const id = lastAfterSale(o).id;
    expect(orderView(o, { actor: MERCHANT, now: T0 }).afterSales[0]!.actions.map((a) => a.key)).toContain('setReturnShippingFee');
    expect(orderView(o, { actor: CUSTOMER, now: T0 }).afterSales[0]!.actions.map((a) => a.key)).not.toContain('setReturnShippingFee');
    o = run(o, { type: 'SET_RETURN_SHIPPING_FEE', afterSaleId: id, fee: 1200, treatment: 'refund' }, MERCHANT);
    expect(lastAfterSale(o)).toMatchObject({ amount: 4200, quotedAmount: 3000, returnShippingFee: { fee: 1200, treatment: 'refund' } });
    expect(refused(o, { type: 'SET_RETURN_SHIPPING_FEE', afterSaleId: id, fee: 100, treatment: 'deduct' }, MERCHANT).code).toBe('INVALID_AFTER_SALE_TRANSITION');
    o = run(o, { type: 'RETURN_RECEIVED', afterSaleId: id }, MERCHANT);
    expect(o.refunds.map((r) => r.amount)).toEqual([4200]);

    let d = awaitingReturn(definePolicy({ returnShippingFee: 'deduct' }));
    d = run(d, { type: 'SET_RETURN_SHIPPING_FEE', afterSaleId: lastAfterSale(d).id, fee: 800 }, MERCHANT, definePolicy({ returnShippingFee: 'deduct' }));
    expect(lastAfterSale(d)).toMatchObject({ amount: 2200, returnShippingFee: { treatment: 'deduct' } });
  });

  it('a fee that does not fit, or no treatment at all, is a typed error and changes nothing', () => {
    const o = awaitingReturn();
    const id = lastAfterSale(o).id;
    const before = JSON.stringify(o);
    // Paid ¥120.00, this return holds ¥30.00: ¥90.00 more at most.
    expect(refused(o, { type: 'SET_RETURN_SHIPPING_FEE', afterSaleId: id, fee: 9001, treatment: 'refund' }, MERCHANT)).toMatchObject({ code: 'RETURN_SHIPPING_FEE_TOO_HIGH', path: ['fee'] });
    expect(refused(o, { type: 'SET_RETURN_SHIPPING_FEE', afterSaleId: id, fee: 3001, treatment: 'deduct' }, MERCHANT)).toMatchObject({ code: 'RETURN_SHIPPING_FEE_TOO_HIGH', path: ['fee'] });
    expect(refused(o, { type: 'SET_RETURN_SHIPPING_FEE', afterSaleId: id, fee: 500 }, MERCHANT)).toMatchObject({ code: 'RETURN_SHIPPING_FEE_OFF', path: ['treatment'] });
    expect(refused(o, { type: 'SET_RETURN_SHIPPING_FEE', afterSaleId: id, fee: 500, treatment: 'refund' }, CUSTOMER).code).toBe('FORBIDDEN');
    expect(JSON.stringify(o)).toBe(before);
    expect(run(o, { type: 'SET_RETURN_SHIPPING_FEE', afterSaleId: id, fee: 9000, treatment: 'refund' }, MERCHANT).afterSales[0]!.amount).toBe(12000);
  });
});

describe('freight-only refund', () => {
  it("only the merchant sends it, approved at once; freight comes back once and never again with the goods", () => {
    let o = shippedOrder();
    expect(allowedActions(o, MERCHANT, T0)).toContain('REQUEST_FREIGHT_REFUND');
    expect(allowedActions(o, CUSTOMER, T0)).not.toContain('REQUEST_FREIGHT_REFUND');
    expect(refused(o, { type: 'REQUEST_FREIGHT_REFUND', reason: 'x' }, CUSTOMER).code).toBe('FORBIDDEN');
    o = run(o, { type: 'REQUEST_FREIGHT_REFUND', amount: 400, reason: '发货慢' }, MERCHANT);
    expect(lastAfterSale(o)).toMatchObject({ status: 'refunding', freightOnly: true, amount: 400, shippingAmount: 400, items: [] });
    expect(o.refunds.map((r) => r.amount)).toEqual([400]);
    const before = JSON.stringify(o);
    expect(refused(o, { type: 'REQUEST_FREIGHT_REFUND', amount: 601, reason: 'more' }, MERCHANT)).toMatchObject({ code: 'FREIGHT_REFUND_TOO_HIGH', path: ['amount'] });
    expect(JSON.stringify(o)).toBe(before);
    o = run(o, { type: 'REQUEST_FREIGHT_REFUND', reason: '补偿剩余运费' }, MERCHANT);
    expect(lastAfterSale(o)).toMatchObject({ status: 'refunding', amount: 600 });
    expect(refused(o, { type: 'REQUEST_FREIGHT_REFUND', reason: 'again' }, MERCHANT).code).toBe('NO_FREIGHT_TO_REFUND');
    expect(allowedActions(o, MERCHANT, T0)).not.toContain('REQUEST_FREIGHT_REFUND');
    // Everything else: the goods only (¥110.00), never the freight a second time.
    const policyAlways = definePolicy({ refundShipping: 'always' });
    const rest = run(o, { type: 'REQUEST_AFTER_SALE', kind: 'refund_only', reason: 'all' }, CUSTOMER, policyAlways);
    expect(lastAfterSale(rest)).toMatchObject({ amount: 11000, shippingAmount: 0 });
  });

  it('an order without freight offers no freight refund', () => {
    const lines = [buildLine({ id: 'A', sku: 'A', title: 'A', listPrice: 1000, quantity: 1 })];
    const o = viaTransition.start(lines, 0, policy);
    expect(allowedActions(o, MERCHANT, T0)).not.toContain('REQUEST_FREIGHT_REFUND');
    expect(refused(o, { type: 'REQUEST_FREIGHT_REFUND', reason: 'x' }, MERCHANT).code).toBe('NO_FREIGHT_TO_REFUND');
  });
});

describe('换货 (exchange)', () => {
  it('return received → replacement shipped; no money moves; the replacement may be refunded later', () => {
    let o = shippedOrder();
    expect(allowedActions(o, CUSTOMER, T0)).toContain('REQUEST_EXCHANGE');
    o = run(o, { type: 'REQUEST_EXCHANGE', items: [{ lineId: 'T', quantity: 1, sku: 'TEE-M', unitPrice: 3000 }], reason: '尺码偏大' }, CUSTOMER);
    const id = lastAfterSale(o).id;
    expect(lastAfterSale(o)).toMatchObject({ kind: 'exchange', status: 'requested', amount: 0, exchange: { items: [{ lineId: 'T', quantity: 1, sku: 'TEE-M' }] } });
    expect(orderView(o, { actor: MERCHANT, now: T0 }).afterSales[0]!.actions.map((a) => a.key)).not.toContain('proposeRefund');
    o = run(o, { type: 'APPROVE_AFTER_SALE', afterSaleId: id }, MERCHANT);
    expect(lastAfterSale(o).status).toBe('awaiting_return');
    o = run(o, { type: 'RETURN_SHIPPED', afterSaleId: id, trackingNo: 'YT1', expressCompany: 'YTO' }, CUSTOMER);
    o = run(o, { type: 'RETURN_RECEIVED', afterSaleId: id }, MERCHANT);
    expect(lastAfterSale(o).status).toBe('returned');
    expect(o.refunds).toEqual([]);
    expect(orderView(o, { actor: MERCHANT, now: T0 }).afterSales[0]!.actions.map((a) => a.key)).toContain('shipExchange');
    o = run(o, { type: 'SHIP_EXCHANGE', afterSaleId: id, trackingNo: 'SF2', expressCompany: 'SF' }, MERCHANT);
    expect(lastAfterSale(o)).toMatchObject({ status: 'exchanged', exchange: { shipment: { trackingNo: 'SF2' } } });
    expect(o.refunds).toEqual([]);
    // Both T-shirts can still be refunded in full: the replacement stands where the original stood.
    o = run(o, { type: 'REQUEST_AFTER_SALE', kind: 'return_and_refund', items: [{ lineId: 'T', quantity: 2 }], reason: '还是不要了' }, CUSTOMER);
    expect(lastAfterSale(o).amount).toBe(6000);
  });

  it('a replacement of another price is EXCHANGE_PRICE_DIFFERS; more than was shipped is RETURN_EXCEEDS_SHIPPED; the order is unchanged', () => {
    const o = shippedOrder();
    const before = JSON.stringify(o);
    expect(refused(o, { type: 'REQUEST_EXCHANGE', items: [{ lineId: 'T', quantity: 1, unitPrice: 3500 }], reason: 'x' }, CUSTOMER)).toMatchObject({
      code: 'EXCHANGE_PRICE_DIFFERS',
      path: ['items', 0, 'unitPrice'],
    });
    expect(refused(o, { type: 'REQUEST_EXCHANGE', items: [{ lineId: 'T', quantity: 3 }], reason: 'x' }, CUSTOMER)).toMatchObject({ code: 'RETURN_EXCEEDS_SHIPPED', path: ['items', 0, 'quantity'] });
    expect(refused(o, { type: 'REQUEST_EXCHANGE', items: [{ lineId: 'Z', quantity: 1 }], reason: 'x' }, CUSTOMER)).toMatchObject({ code: 'UNKNOWN_LINE' });
    expect(JSON.stringify(o)).toBe(before);
    const unshipped = viaTransition.start([buildLine({ id: 'A', sku: 'A', title: 'A', listPrice: 1000, quantity: 1 })], 0, policy);
    expect(allowedActions(unshipped, CUSTOMER, T0)).not.toContain('REQUEST_EXCHANGE');
  });

  it('property: an open exchange holds its units with their shares, so refunds of the rest of the line stay exact; exchanges never touch the ledger', () => {
    fc.assert(
      fc.property(arbLines, fc.nat(), (lines, pick) => {
        let o = viaTransition.start(lines, 0, policy);
        const s = transition(o, { type: 'SHIP', logisticsType: 'express' }, { now: T0, actor: MERCHANT, policy });
        if (!s.ok) return;
        o = s.order;
        const line = o.lines[pick % o.lines.length]!;
        const ex = transition(o, { type: 'REQUEST_EXCHANGE', items: [{ lineId: line.id, quantity: 1 }], reason: 'swap' } as Command, { now: T0, actor: CUSTOMER, policy });
        if (!ex.ok) throw new Error(ex.error.code);
        o = ex.order;
        const paidGoods = o.lines.reduce((x, l) => x + l.payable, 0);
        if (line.quantity > 1) {
          const rest = transition(o, { type: 'REQUEST_AFTER_SALE', kind: 'return_and_refund', items: [{ lineId: line.id, quantity: line.quantity - 1 }], reason: 'r' } as Command, { now: T0, actor: CUSTOMER, policy });
          if (!rest.ok) {
            // The exchanged unit carries the whole payable (a 1-fen line): nothing is left to refund.
            expect(rest.error.code).toBe('NOTHING_TO_REFUND');
            expect(o.afterSales[0]!.lines![0]!.amount).toBe(line.payable);
          } else {
            expect(o.afterSales[0]!.lines![0]!.amount + rest.order.afterSales[1]!.amount).toBe(line.payable);
          }
        }
        expect(o.refunds).toEqual([]);
        expect(paidGoods).toBe(o.payment.paidAmount);
      }),
      { numRuns: 150 },
    );
  });
});
