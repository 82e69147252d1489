import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { allowedActions, definePolicy, transition } from '../../src/lifecycle/index.js';
import type { Actor, Command, Effect, Order } from '../../src/order/index.js';
import { holdsMoney, refundableBalance, refundedByTransaction } from '../../src/refund/index.js';
import { buildRefundRequestFromEffect, encryptSensitiveField, parseRefundResource } from '../../src/wechat/index.js';
import { makeKeyPair } from '../wechat/support/certs.js';
import { at, customer, gateway, merchant, MINUTE, must, pay, place } from '../lifecycle/fixtures.js';

/**
 * Refund states as WeChat Pay reports them (docs/after-sales.md "Refund states"): PROCESSING
 * waits, CLOSED is sent again only under a new refund number linked to the old one, ABNORMAL goes
 * through the abnormal-refund request and keeps its money held meanwhile.
 */
const refundEffects = (effects: Effect[]) => effects.filter((e): e is Extract<Effect, { type: 'payment.refund' }> => e.type === 'payment.refund');
const cancelled = () => must(pay(place()), { type: 'CANCEL', reason: '缺货' }, merchant, at(MINUTE)).order;

describe('refund states', () => {
  it('PROCESSING waits: the refund query answer gives REFUND_IN_PROGRESS and nothing to dispatch', () => {
    const r = parseRefundResource({ mchid: '1900000109', out_trade_no: 'N1', out_refund_no: 'N1R1', status: 'PROCESSING', amount: { refund: 100 } }, { mchid: '1900000109' });
    expect(r.ok ? 'ok' : r.error.code).toBe('REFUND_IN_PROGRESS');
  });

  it('CLOSED and ABNORMAL results carry the gateway status and refund id into REFUND_FAILED', () => {
    for (const status of ['CLOSED', 'ABNORMAL'] as const) {
      const r = parseRefundResource({ mchid: '1900000109', out_trade_no: 'N1', out_refund_no: 'N1R1', refund_id: '50000000382019052709732678859', refund_status: status, amount: { refund: 100 } }, { mchid: '1900000109' });
      if (!r.ok) throw r.error;
      expect(r.command).toMatchObject({ type: 'REFUND_FAILED', refundId: 'N1R1', gatewayStatus: status, gatewayRefundId: '50000000382019052709732678859' });
    }
  });

  it('CLOSED: retried only under a new refund number; both are linked and the old number is never paid', () => {
    const order = cancelled();
    const r1 = order.refunds[0]!;
    const closed = must(order, { type: 'REFUND_FAILED', refundId: r1.id, reason: 'CLOSED', gatewayStatus: 'CLOSED' }, gateway, at(2 * MINUTE)).order;
    expect(refundableBalance(closed)).toBe(r1.amount); // a closed refund frees its money
    const retried = must(closed, { type: 'RETRY_REFUND', refundId: r1.id }, merchant, at(3 * MINUTE));
    const [old, fresh] = retried.order.refunds;
    expect(fresh!.id).not.toBe(r1.id);
    expect(old).toMatchObject({ id: r1.id, status: 'failed', gatewayStatus: 'CLOSED', replacedBy: fresh!.id });
    expect(fresh).toMatchObject({ status: 'pending', amount: r1.amount, replaces: r1.id, attempts: 1 });
    expect(refundEffects(retried.effects).map((e) => e.refundId)).toEqual([fresh!.id]);
    expect(retried.events.at(-1)!.data).toMatchObject({ refundId: fresh!.id, replaces: r1.id });

    for (const command of [
      { type: 'REFUND_SUCCEEDED', refundId: r1.id },
      { type: 'RETRY_REFUND', refundId: r1.id },
    ] as const) {
      const refused = transition(retried.order, command, { now: at(4 * MINUTE), actor: command.type === 'RETRY_REFUND' ? merchant : gateway });
      expect(refused.ok ? 'ok' : refused.error.code).toBe('REFUND_SUPERSEDED');
    }
    expect(allowedActions(retried.order, merchant, at(4 * MINUTE))).not.toContain('RETRY_REFUND');
    const settled = must(retried.order, { type: 'REFUND_SUCCEEDED', refundId: fresh!.id }, gateway, at(5 * MINUTE)).order;
    expect(settled.refunds.map((r) => r.status)).toEqual(['failed', 'succeeded']);
  });

  it("CLOSED on an after-sale's refund: approving again re-issues it and the after-sale follows the new number", () => {
    const paid = pay(place());
    const asked = must(paid, { type: 'REQUEST_AFTER_SALE', kind: 'refund_only', items: [{ lineId: 'a', quantity: 1 }], reason: '不想要了' }, customer, at(MINUTE)).order;
    const afterSale = asked.afterSales[0]!;
    expect(afterSale.status).toBe('refunding');
    const failed = must(asked, { type: 'REFUND_FAILED', refundId: afterSale.refundId!, reason: 'closed', gatewayStatus: 'CLOSED' }, gateway, at(2 * MINUTE)).order;
    const again = must(failed, { type: 'APPROVE_AFTER_SALE', afterSaleId: afterSale.id }, merchant, at(3 * MINUTE)).order;
    const fresh = again.refunds[1]!;
    expect(again.afterSales[0]!.refundId).toBe(fresh.id);
    expect(fresh.replaces).toBe(afterSale.refundId);
    const done = must(again, { type: 'REFUND_SUCCEEDED', refundId: fresh.id }, gateway, at(4 * MINUTE)).order;
    expect(done.afterSales[0]!.status).toBe('refunded');
  });

  it('ABNORMAL: the money stays held, and the retry is the abnormal-refund request under the same number', () => {
    const order = cancelled();
    const r1 = order.refunds[0]!;
    const abnormal = must(order, { type: 'REFUND_FAILED', refundId: r1.id, reason: 'card cancelled', gatewayStatus: 'ABNORMAL', gatewayRefundId: '50000000382019052709732678859' }, gateway, at(2 * MINUTE)).order;
    expect(holdsMoney(abnormal.refunds[0]!)).toBe(true);
    expect(refundableBalance(abnormal)).toBe(0); // nothing can be refunded a second time
    const retried = must(abnormal, { type: 'RETRY_REFUND', refundId: r1.id }, merchant, at(3 * MINUTE));
    expect(retried.order.refunds).toHaveLength(1);
    expect(retried.order.refunds[0]).toMatchObject({ id: r1.id, status: 'pending', attempts: 2, abnormalHandling: 'MERCHANT_BANK_CARD' });
    const [effect] = refundEffects(retried.effects);
    expect(effect!.abnormal).toEqual({ type: 'MERCHANT_BANK_CARD', gatewayRefundId: '50000000382019052709732678859' });
    const request = buildRefundRequestFromEffect(effect!);
    if (!request.ok) throw request.error;
    expect(request.request).toEqual({
      method: 'POST',
      path: '/v3/refund/domestic/refunds/50000000382019052709732678859/apply-abnormal-refund',
      body: { out_refund_no: r1.id, type: 'MERCHANT_BANK_CARD' },
    });
    // A late success of an ABNORMAL entry takes no new money.
    expect(must(abnormal, { type: 'REFUND_SUCCEEDED', refundId: r1.id }, gateway, at(4 * MINUTE)).order.refunds[0]!.status).toBe('succeeded');
  });

  it("ABNORMAL to the shopper's new card: the policy chooses, the request carries the encrypted card and the key serial", () => {
    const policy = definePolicy({ abnormalRefund: 'USER_BANK_CARD' });
    const order = must(pay(place({ policy })), { type: 'CANCEL' }, merchant, at(MINUTE), policy).order;
    const id = order.refunds[0]!.id;
    const abnormal = must(order, { type: 'REFUND_FAILED', refundId: id, reason: 'x', gatewayStatus: 'ABNORMAL', gatewayRefundId: '5000000038' }, gateway, at(2 * MINUTE), policy).order;
    const retried = must(abnormal, { type: 'RETRY_REFUND', refundId: id }, merchant, at(3 * MINUTE), policy);
    const [effect] = refundEffects(retried.effects);
    expect(effect!.abnormal!.type).toBe('USER_BANK_CARD');
    expect(buildRefundRequestFromEffect(effect!).ok).toBe(false); // no card given: INVALID_CONFIG
    const platform = makeKeyPair();
    const account = encryptSensitiveField('6222021234567890', platform.publicPem);
    const name = encryptSensitiveField('张三', platform.publicPem);
    if (!account.ok || !name.ok) throw new Error('encryption failed');
    const request = buildRefundRequestFromEffect(effect!, { userBankCard: { bankType: 'ICBC_DEBIT', bankAccount: account.ciphertext, realName: name.ciphertext, platformSerial: 'PUB_KEY_ID_01' } });
    if (!request.ok) throw request.error;
    expect(request.request.headers).toEqual({ 'Wechatpay-Serial': 'PUB_KEY_ID_01' });
    expect(request.request.body).toMatchObject({ out_refund_no: id, type: 'USER_BANK_CARD', bank_type: 'ICBC_DEBIT' });
    expect(JSON.stringify(request.request.body)).not.toContain('6222021234567890');
    // The command may choose otherwise than the policy.
    const merchantCard = must(abnormal, { type: 'RETRY_REFUND', refundId: id, abnormalHandling: 'MERCHANT_BANK_CARD' }, merchant, at(3 * MINUTE), policy);
    expect(refundEffects(merchantCard.effects)[0]!.abnormal!.type).toBe('MERCHANT_BANK_CARD');
  });

  it('a CLOSED stray-payment refund is re-issued with the stray transaction as its total', () => {
    const order = place();
    const stray = must(order, { type: 'RECORD_STRAY_PAYMENT', amount: 123, transactionId: 'tx-s', outTradeNo: order.number }, gateway, at(MINUTE)).order;
    const id = stray.payment.stray[0]!.refundId;
    const closed = must(stray, { type: 'REFUND_FAILED', refundId: id, reason: 'closed', gatewayStatus: 'CLOSED' }, gateway, at(2 * MINUTE)).order;
    const retried = must(closed, { type: 'RETRY_REFUND', refundId: id }, merchant, at(3 * MINUTE));
    const fresh = retried.order.refunds[1]!;
    expect(retried.order.payment.stray[0]!.refundId).toBe(fresh.id);
    expect(refundEffects(retried.effects)[0]).toMatchObject({ refundId: fresh.id, amount: 123, total: 123, transactionId: 'tx-s' });
  });
});

type Op =
  | { t: 'request'; line: number; whole: boolean }
  | { t: 'approve'; a: number }
  | { t: 'fail'; r: number; status: 'CLOSED' | 'ABNORMAL' | null }
  | { t: 'succeed'; r: number }
  | { t: 'retry'; r: number; handling: 'USER_BANK_CARD' | 'MERCHANT_BANK_CARD' | null }
  | { t: 'cancel' }
  | { t: 'stray'; amount: number };

const arbOp: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ t: fc.constant('request' as const), line: fc.nat(1), whole: fc.boolean() }),
  fc.record({ t: fc.constant('approve' as const), a: fc.nat(4) }),
  fc.record({ t: fc.constant('fail' as const), r: fc.nat(6), status: fc.constantFrom('CLOSED' as const, 'ABNORMAL' as const, null) }),
  fc.record({ t: fc.constant('succeed' as const), r: fc.nat(6) }),
  fc.record({ t: fc.constant('retry' as const), r: fc.nat(6), handling: fc.constantFrom('USER_BANK_CARD' as const, 'MERCHANT_BANK_CARD' as const, null) }),
  fc.constant({ t: 'cancel' as const }),
  fc.record({ t: fc.constant('stray' as const), amount: fc.integer({ min: 1, max: 5000 }) }),
);

function toCommand(order: Order, op: Op, step: number): { command: Command; actor: Actor } {
  const refund = (i: number) => order.refunds[i % Math.max(1, order.refunds.length)]?.id ?? 'none';
  switch (op.t) {
    case 'request':
      return { command: { type: 'REQUEST_AFTER_SALE', kind: 'refund_only', ...(op.whole ? {} : { items: [{ lineId: op.line === 0 ? 'a' : 'b', quantity: 1 }] }), reason: 'p' }, actor: customer };
    case 'approve':
      return { command: { type: 'APPROVE_AFTER_SALE', afterSaleId: order.afterSales[op.a % Math.max(1, order.afterSales.length)]?.id ?? 'none' }, actor: merchant };
    case 'fail':
      return { command: { type: 'REFUND_FAILED', refundId: refund(op.r), reason: 'p', ...(op.status ? { gatewayStatus: op.status, gatewayRefundId: '5000' } : {}) }, actor: gateway };
    case 'succeed':
      return { command: { type: 'REFUND_SUCCEEDED', refundId: refund(op.r) }, actor: gateway };
    case 'retry':
      return { command: { type: 'RETRY_REFUND', refundId: refund(op.r), ...(op.handling ? { abnormalHandling: op.handling } : {}) }, actor: merchant };
    case 'cancel':
      return { command: { type: 'CANCEL', reason: 'p' }, actor: merchant };
    case 'stray':
      return { command: { type: 'RECORD_STRAY_PAYMENT', amount: op.amount, transactionId: `tx-stray-${step}`, outTradeNo: order.number }, actor: gateway };
  }
}

/** What each transaction collected: the order's payment and every stray payment. */
function transactionTotals(order: Order): Map<string, number> {
  const totals = new Map<string, number>();
  if (order.payment.transactionId !== undefined) totals.set(order.payment.transactionId, order.payment.paidAmount);
  for (const s of order.payment.stray) totals.set(s.transactionId, s.amount);
  return totals;
}

describe('refund states: properties', () => {
  it('Σ refunds per transaction ≤ its total, one refund number is never paid twice, re-issued chains pay once', () => {
    fc.assert(
      fc.property(fc.array(arbOp, { minLength: 1, maxLength: 40 }), fc.boolean(), (ops, startPaid) => {
        let order = startPaid ? pay(place()) : place();
        const everSucceeded = new Set<string>();
        ops.forEach((op, i) => {
          const { command, actor } = toCommand(order, op, i);
          const before = JSON.stringify(order);
          const r = transition(order, command, { now: at((i + 1) * MINUTE), actor });
          if (!r.ok) {
            expect(JSON.stringify(order)).toBe(before);
            return;
          }
          const next = r.order;
          // Per transaction: refunded + held ≤ collected.
          const totals = transactionTotals(next);
          for (const [tx, sum] of refundedByTransaction(next)) expect(sum).toBeLessThanOrEqual(totals.get(tx) ?? 0);
          // Ids are unique; a succeeded entry stays succeeded; a replaced one never succeeds.
          expect(new Set(next.refunds.map((x) => x.id)).size).toBe(next.refunds.length);
          for (const x of next.refunds) {
            if (everSucceeded.has(x.id)) expect(x.status).toBe('succeeded');
            if (x.status === 'succeeded') everSucceeded.add(x.id);
            if (x.replacedBy !== undefined) expect(x.status).toBe('failed');
          }
          // Along a chain of re-issues at most one entry is paid or on its way.
          for (const head of next.refunds.filter((x) => x.replaces === undefined)) {
            let live = 0;
            for (let x: typeof head | undefined = head; x !== undefined; x = next.refunds.find((y) => y.id === x!.replacedBy)) {
              if (x.status === 'succeeded' || holdsMoney(x)) live++;
            }
            expect(live).toBeLessThanOrEqual(1);
          }
          // Every payout asked for names an entry that is pending now (never a paid or replaced one).
          for (const e of refundEffects(r.effects)) {
            const target = next.refunds.find((x) => x.id === e.refundId);
            expect(target?.status).toBe('pending');
            expect(target?.replacedBy).toBeUndefined();
          }
          order = next;
        });
      }),
      { numRuns: 300 },
    );
  });
});
