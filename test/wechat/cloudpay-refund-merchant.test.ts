import { describe, expect, it } from 'vitest';
import { fromCloudPayCallback, fromCloudPayRefundCallback } from '../../src/wechat/index.js';

/**
 * The merchant check of a cloudPay refund result is the payment's (docs/wechat.md "Path B"), and
 * the v3 path's: with `expect.subMchId` given, a callback that does not name our sub-merchant —
 * another one, or none at all — is MCHID_MISMATCH and nothing is dispatched.
 */
const ctx = { SOURCE: 'wx_paycallback' };
const reqInfo = {
  transactionId: '4200001234202611251234567890',
  outTradeNo: '202611251200004821937465',
  refundId: '50000000382019052709732678859',
  outRefundNo: '202611251200004821937465R1',
  totalFee: 9900,
  refundFee: 3300,
  refundStatus: 'SUCCESS',
};
const ours = { returnCode: 'SUCCESS', mchId: '1800008281', subMchId: '1900000109', reqInfo };
const expectOurs = { subMchId: '1900000109' };

describe('fromCloudPayRefundCallback: the merchant check', () => {
  it('accepts our sub-merchant, refuses another', () => {
    expect(fromCloudPayRefundCallback(ours, ctx, expectOurs).ok).toBe(true);
    const other = fromCloudPayRefundCallback({ ...ours, subMchId: '1900000999' }, ctx, expectOurs);
    expect(other.ok ? 'accepted' : other.error.code).toBe('MCHID_MISMATCH');
  });

  it('refuses a callback that names no sub-merchant, as the payment callback does', () => {
    const { subMchId: _drop, ...noSub } = ours;
    const r = fromCloudPayRefundCallback(noSub, ctx, expectOurs);
    expect(r.ok ? 'accepted' : [r.error.code, r.error.path]).toEqual(['MCHID_MISMATCH', ['event', 'subMchId']]);
    const flat = fromCloudPayRefundCallback({ returnCode: 'SUCCESS', ...reqInfo }, ctx, expectOurs);
    expect(flat.ok ? 'accepted' : flat.error.code).toBe('MCHID_MISMATCH');
    // The payment callback without a merchant id is refused the same way.
    const payment = fromCloudPayCallback(
      { returnCode: 'SUCCESS', resultCode: 'SUCCESS', totalFee: 9900, transactionId: reqInfo.transactionId, outTradeNo: reqInfo.outTradeNo },
      ctx,
      expectOurs,
    );
    expect(payment.ok ? 'accepted' : payment.error.code).toBe('MCHID_MISMATCH');
  });

  it('without expect.subMchId nothing is checked (as for payments)', () => {
    const { subMchId: _drop, ...noSub } = ours;
    expect(fromCloudPayRefundCallback(noSub, ctx).ok).toBe(true);
  });
});
