import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { placeOrder } from '../../src/lifecycle/index.js';
import { COMMAND_TYPES, isStorableString, parseCommand, unstorablePath } from '../../src/order/index.js';
import { NOW, line, quoteOf } from '../lifecycle/fixtures.js';

/**
 * Issue 13 item 5: strings PostgreSQL cannot store (U+0000, lone surrogates) are refused by the
 * command and placement schemas, with the path of the field, so that no store ever sees them.
 */

const T = '2026-11-25T04:00:00.000Z';
/** One command of every type, with every optional string field filled in. */
const SAMPLES: Array<Record<string, unknown>> = [
  { type: 'PAYMENT_SUCCEEDED', amount: 100, transactionId: 'tx-1', outTradeNo: 'N1', paidAt: T },
  { type: 'CANCEL', reason: 'changed my mind' },
  { type: 'EXPIRE' },
  { type: 'SHIP', shipmentId: 's1', items: [{ lineId: 'a', quantity: 1 }], logisticsType: 'express', trackingNo: 'SF1', expressCompany: '顺丰' },
  { type: 'DELIVER', shipmentId: 's1' },
  { type: 'CONFIRM_RECEIPT' },
  { type: 'AUTO_CONFIRM' },
  { type: 'REQUEST_AFTER_SALE', afterSaleId: 'as1', kind: 'refund_only', items: [{ lineId: 'a', quantity: 1 }], reason: '坏了' },
  { type: 'APPROVE_AFTER_SALE', afterSaleId: 'as1' },
  { type: 'REJECT_AFTER_SALE', afterSaleId: 'as1', reason: 'no' },
  { type: 'CANCEL_AFTER_SALE', afterSaleId: 'as1' },
  { type: 'RETURN_SHIPPED', afterSaleId: 'as1', trackingNo: 'SF2', expressCompany: '中通' },
  { type: 'RETURN_RECEIVED', afterSaleId: 'as1' },
  { type: 'REFUND_SUCCEEDED', refundId: 'N1R1', amount: 100, gatewayRefundId: 'g1', succeededAt: T },
  { type: 'REFUND_FAILED', refundId: 'N1R1', reason: 'closed account', gatewayStatus: 'ABNORMAL', gatewayRefundId: 'g2' },
  { type: 'RETRY_REFUND', refundId: 'N1R1' },
  { type: 'ADJUST_PRICE', newTotal: 90, reason: '老客优惠' },
  { type: 'CHANGE_ADDRESS', address: { name: '张三', phone: '13800000000', province: '上海市', city: '上海市', district: '黄浦区', detail: '人民路 1 号', postalCode: '200000' } },
  { type: 'ADD_REMARK', text: 'gift wrap' },
  { type: 'RECORD_STRAY_PAYMENT', amount: 100, transactionId: 'tx-2', outTradeNo: 'N1', paidAt: T, reason: 'amount_mismatch' },
  { type: 'RECORD_GATEWAY_REFUND', refundId: 'N1R2', amount: 100, transactionId: 'tx-1', outTradeNo: 'N1', gatewayRefundId: 'g3', succeededAt: T },
  { type: 'RECORD_SETTLEMENT', transactionId: 'tx-1', settledAt: T },
  { type: 'REQUEST_FREIGHT_REFUND', afterSaleId: 'as2', amount: 100, reason: '发货慢' },
  { type: 'REQUEST_EXCHANGE', afterSaleId: 'as3', items: [{ lineId: 'a', quantity: 1, sku: 'TEE-M', unitPrice: 100 }], reason: '换尺码' },
  { type: 'PROPOSE_REFUND', afterSaleId: 'as1', amount: 50, note: '部分退款' },
  { type: 'ACCEPT_REFUND_PROPOSAL', afterSaleId: 'as1' },
  { type: 'DECLINE_REFUND_PROPOSAL', afterSaleId: 'as1', reason: '太少' },
  { type: 'SET_RETURN_SHIPPING_FEE', afterSaleId: 'as1', fee: 100, treatment: 'refund' },
  { type: 'SHIP_EXCHANGE', afterSaleId: 'as3', trackingNo: 'SF3', expressCompany: '顺丰' },
  { type: 'DISPATCH_RIDER', rider: { name: '李师傅', phone: '13900000000', company: '达达', trackingNo: 'DD1' } },
  { type: 'RECORD_DELIVERY_PROOF', photoUrl: 'https://img.example/p.jpg', receivedBy: '本人', note: '放门口' },
  { type: 'VERIFY_PICKUP_CODE', code: '482913' },
];

/** Fields whose own format refuses any odd string before the storable rule is asked. */
const FORMATTED = new Set(['type', 'logisticsType', 'kind', 'paidAt', 'succeededAt', 'settledAt', 'gatewayStatus', 'number', 'treatment', 'code']);

/** Every path to a string in `value`. */
function stringPaths(value: unknown, path: Array<string | number> = []): Array<Array<string | number>> {
  if (typeof value === 'string') return [path];
  if (value === null || typeof value !== 'object') return [];
  const entries: Array<[string | number, unknown]> = Array.isArray(value) ? value.map((v, i) => [i, v]) : Object.entries(value);
  return entries.flatMap(([k, v]) => stringPaths(v, [...path, k]));
}

function withAt(value: unknown, path: Array<string | number>, replace: (s: string) => string): unknown {
  const copy = JSON.parse(JSON.stringify(value)) as Record<string | number, unknown>;
  let at: Record<string | number, unknown> = copy;
  for (const key of path.slice(0, -1)) at = at[key] as Record<string | number, unknown>;
  const last = path[path.length - 1]!;
  at[last] = replace(at[last] as string);
  return copy;
}

/** A bad character put into a string, keeping its length where the schema limits it. */
const BAD = fc.constantFrom('\u0000', '\uD800', '\uDBFF', '\uDC00', '\uDFFF');
const place = fc.nat();

const placement = () => ({
  id: 'o1',
  number: '20261125120000123456',
  customerId: 'u1',
  quote: quoteOf([line('a', 2, 1000, { allocations: [{ source: 'coupon', sourceId: 'C1', amount: 100 }], payable: 1900 }), line('b', 1, 500)], 800, ['C1']),
  address: { name: '张三', phone: '13800000000', province: '上海市', city: '上海市', district: '黄浦区', detail: '人民路 1 号', postalCode: '200000' },
  buyerRemark: '放门口',
  metadata: { channel: 'mp', nested: { tags: ['a'] } },
});

describe('strings no store can keep', () => {
  it('isStorableString: NUL and lone surrogates out, paired surrogates and ordinary text in', () => {
    expect(['', 'abc', '张三', '😀', 'a😀b'].map(isStorableString)).toEqual([true, true, true, true, true]);
    expect(['\u0000', 'a\u0000', '\uD800', '\uD800x', 'x\uDC00', '\uDC00\uD800', '😀'.slice(0, 1)].map(isStorableString)).toEqual([false, false, false, false, false, false, false]);
    expect(unstorablePath({ a: [1, { b: 'ok', 'c\u0000': 1 }] })).toEqual(['a', 1, 'c\u0000']);
  });

  it('isStorableString agrees with what UTF-8 can round-trip (and no NUL), for any string', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 12 }), (s) => {
        const roundTrips = Buffer.from(s, 'utf8').toString('utf8') === s;
        expect(isStorableString(s)).toBe(roundTrips && !s.includes('\u0000'));
      }),
      { numRuns: 200 },
    );
  });

  it('the samples cover every command type and parse as they are', () => {
    expect(SAMPLES.map((c) => c.type).sort()).toEqual([...COMMAND_TYPES].sort());
    for (const c of SAMPLES) expect(parseCommand(c).ok, JSON.stringify(c)).toBe(true);
  });

  it('every string field of every command refuses them: INVALID_COMMAND at the field’s path', () => {
    const cases = SAMPLES.flatMap((c) => stringPaths(c).map((path) => ({ c, path })));
    fc.assert(
      fc.property(fc.constantFrom(...cases), BAD, place, ({ c, path }, bad, n) => {
        const damaged = withAt(c, path, (s) => {
          const i = s.length === 0 ? 0 : n % s.length;
          return s.slice(0, i) + bad + s.slice(i + 1);
        });
        const r = parseCommand(damaged);
        expect(r.ok).toBe(false);
        if (r.ok) return;
        expect(r.error.code).toBe('INVALID_COMMAND');
        expect(r.error.path).toEqual(path);
        const field = String(path[path.length - 1]);
        if (!FORMATTED.has(field)) {
          expect(r.error.messages?.en ?? r.error.message).toContain('cannot be stored');
          expect(r.error.messages?.['zh-CN']).toContain('无法保存');
        }
      }),
      { numRuns: 600 },
    );
  });

  it('every string field of the placement input refuses them: INVALID_ORDER_INPUT at the field’s path', () => {
    const cases = stringPaths(placement());
    expect(cases.length).toBeGreaterThan(20);
    for (const path of cases) {
      for (const bad of ['\u0000', '\uD800', '\uDC00']) {
        const damaged = withAt(placement(), path, (s) => (s.length === 0 ? bad : s.slice(0, -1) + bad));
        const r = placeOrder(damaged as never, { now: NOW });
        expect(r.ok, JSON.stringify(path)).toBe(false);
        if (r.ok) continue;
        expect(r.error.code).toBe('INVALID_ORDER_INPUT');
        expect(r.error.path).toEqual(path);
      }
    }
  });

  it('an object key in metadata is checked too, and a paired surrogate (an emoji) is accepted', () => {
    const keyed = { ...placement(), metadata: { 'bad\u0000key': 1 } };
    const r = placeOrder(keyed as never, { now: NOW });
    expect(!r.ok && [r.error.code, r.error.path]).toEqual(['INVALID_ORDER_INPUT', ['metadata', 'bad\u0000key']]);
    const emoji = { ...placement(), buyerRemark: '放门口 😀' };
    expect(placeOrder(emoji as never, { now: NOW }).ok).toBe(true);
    expect(parseCommand({ type: 'ADD_REMARK', text: '😀' }).ok).toBe(true);
  });
});
