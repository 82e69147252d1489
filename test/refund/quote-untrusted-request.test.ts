import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { defaultPolicy } from '../../src/order/policy.js';
import { refundQuote, type RefundRequest } from '../../src/refund/index.js';
import { refundQuoteView } from '../../src/view/index.js';
import { paidOrder } from './fixtures.js';

/**
 * refundQuote takes the request a page sent (申请售后 shows the quote before submitting). An
 * unknown `kind`, or `items` that are not lines with whole quantities, used to come back as a quote
 * (kind undefined, amounts NaN) that refundQuoteView could not put into words: a TypeError in the
 * cloud function. Now they are INVALID_REFUND_REQUEST with the path of the bad field.
 */
describe('refundQuote with an untrusted request', () => {
  const order = paidOrder({ lines: [{ id: 'L1', quantity: 2, listPrice: 1000 }], freight: 500 });
  const ctx = { now: new Date('2026-11-25T03:00:00.000Z'), policy: defaultPolicy };

  it('an unknown or missing kind is INVALID_REFUND_REQUEST at path request.kind', () => {
    for (const kind of [undefined, null, 'x', 1, 'toString']) {
      const r = refundQuote(order, { kind } as unknown as RefundRequest, ctx);
      expect(r).toMatchObject({ ok: false, error: { code: 'INVALID_REFUND_REQUEST', path: ['request', 'kind'] } });
      if (!r.ok) expect(r.error.messages['zh-CN']).toBeTruthy();
    }
  });

  it('junk items or includeShipping: a typed error, never a quote with NaN or negative amounts', () => {
    const junk = fc.oneof(fc.constant(null), fc.constant(-1), fc.constant(0.5), fc.constant('1'), fc.constant(NaN), fc.constant(1e21), fc.jsonValue({ maxDepth: 2 }));
    fc.assert(
      fc.property(
        fc.constantFrom('refund_only', 'return_and_refund', 'exchange'),
        fc.oneof(fc.constant(undefined), junk, fc.array(fc.oneof(junk, fc.record({ lineId: fc.oneof(fc.constant('L1'), junk), quantity: fc.oneof(fc.integer({ min: -2, max: 3 }), junk) })), { maxLength: 3 })),
        fc.oneof(fc.constant(undefined), fc.boolean(), junk),
        (kind, items, includeShipping) => {
          const request = { kind, ...(items !== undefined ? { items } : {}), ...(includeShipping !== undefined ? { includeShipping } : {}) } as unknown as RefundRequest;
          const r = refundQuote(order, request, ctx);
          if (!r.ok) {
            expect(r.error.code).toMatch(/^[A-Z_]+$/);
            return;
          }
          expect(Number.isSafeInteger(r.quote.amount) && r.quote.amount > 0).toBe(true);
          for (const l of r.quote.lines) expect(Number.isSafeInteger(l.quantity) && l.quantity > 0).toBe(true);
          expect(() => refundQuoteView(r.quote)).not.toThrow();
        },
      ),
      { numRuns: 500 },
    );
  });
});
