import { describe, expect, it } from 'vitest';
import {
  buildCloudPayRefund,
  buildCloudPayUnifiedOrder,
  cloudPayAck,
  cloudPayReply,
  fromCloudPayCallback,
  fromCloudPayRefundCallback,
} from '../../src/wechat/index.js';
import { paidOrder, pendingOrder } from './support/orders.js';

const ctx = { SOURCE: 'wx_paycallback', OPENID: '', APPID: '' };
const event = {
  returnCode: 'SUCCESS',
  resultCode: 'SUCCESS',
  appid: 'wx0000000000000000',
  subAppid: 'wxd678efh567hg6787',
  mchId: '1800008281',
  subMchId: '1900000109',
  nonceStr: 'abc',
  openid: 'o-service',
  subOpenid: 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o',
  isSubscribe: 'N',
  tradeType: 'JSAPI',
  bankType: 'CMC',
  totalFee: 9900,
  feeType: 'CNY',
  cashFee: 9900,
  transactionId: '4200001234202611251234567890',
  outTradeNo: '202611251200004821937465-2',
  timeEnd: '20261125120500',
};

describe('fromCloudPayCallback', () => {
  it('maps the v2 fields to PAYMENT_SUCCEEDED with timeEnd read as Beijing time', () => {
    const r = fromCloudPayCallback(event, ctx, { subMchId: '1900000109', appid: 'wxd678efh567hg6787' });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.command).toEqual({
      type: 'PAYMENT_SUCCEEDED',
      amount: 9900,
      transactionId: '4200001234202611251234567890',
      outTradeNo: '202611251200004821937465-2',
      paidAt: '2026-11-25T04:05:00.000Z',
    });
    expect(r.orderNumber).toBe('202611251200004821937465');
    expect(r.payerOpenid).toBe('oUpF8uMuAJO_M2pxb1Q9zNjWeS6o');
  });

  it('refuses anything that did not come from wx_paycallback', () => {
    for (const wx of [{ SOURCE: 'wx_client' }, {}, null, undefined, 'wx_paycallback', { SOURCE: 'WX_PAYCALLBACK' }]) {
      const r = fromCloudPayCallback(event, wx);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.error.code).toBe('FORGED_CALLBACK');
    }
  });

  it('refuses failed, foreign and malformed callbacks with their own codes', () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ resultCode: 'FAIL', errCode: 'NOTENOUGH' }, 'PAYMENT_NOT_SUCCESSFUL'],
      [{ returnCode: 'FAIL' }, 'PAYMENT_NOT_SUCCESSFUL'],
      [{ subMchId: '1111111111' }, 'MCHID_MISMATCH'],
      [{ subAppid: 'wxother' }, 'APPID_MISMATCH'],
      [{ totalFee: 99.5 }, 'MALFORMED_CALLBACK'],
      [{ totalFee: '-1' }, 'MALFORMED_CALLBACK'],
      [{ outTradeNo: 'has*star' }, 'MALFORMED_CALLBACK'],
      [{ timeEnd: '20261332120500' }, 'MALFORMED_CALLBACK'],
      [{ transactionId: undefined }, 'MALFORMED_CALLBACK'],
    ];
    for (const [over, code] of cases) {
      const r = fromCloudPayCallback({ ...event, ...over }, ctx, { subMchId: '1900000109', appid: 'wxd678efh567hg6787' });
      expect(r.ok, code).toBe(false);
      if (!r.ok) expect(r.error.code).toBe(code);
    }
    expect(fromCloudPayCallback({ ...event, totalFee: '9900' }, ctx).ok).toBe(true);
  });
});

describe('fromCloudPayRefundCallback', () => {
  const refundEvent = {
    returnCode: 'SUCCESS',
    appid: 'wx0000000000000000',
    mchId: '1800008281',
    subMchId: '1900000109',
    reqInfo: {
      transactionId: '4200001234202611251234567890',
      outTradeNo: '202611251200004821937465',
      refundId: '50000000382019052709732678859',
      outRefundNo: '202611251200004821937465R1',
      totalFee: 9900,
      refundFee: 3300,
      settlementRefundFee: 3300,
      refundStatus: 'SUCCESS',
      successTime: '2026-11-26 10:00:00',
    },
  };

  it('maps SUCCESS to REFUND_SUCCEEDED and CHANGE / REFUNDCLOSE to REFUND_FAILED', () => {
    const ok = fromCloudPayRefundCallback(refundEvent, ctx);
    expect(ok.ok && ok.command).toEqual({
      type: 'REFUND_SUCCEEDED',
      refundId: '202611251200004821937465R1',
      amount: 3300,
      gatewayRefundId: '50000000382019052709732678859',
      succeededAt: '2026-11-26T02:00:00.000Z',
    });
    for (const status of ['CHANGE', 'REFUNDCLOSE']) {
      const r = fromCloudPayRefundCallback({ ...refundEvent, reqInfo: { ...refundEvent.reqInfo, refundStatus: status } }, ctx);
      expect(r.ok && r.command.type).toBe('REFUND_FAILED');
    }
    const flat = fromCloudPayRefundCallback({ ...refundEvent.reqInfo, returnCode: 'SUCCESS' }, ctx);
    expect(flat.ok && flat.refundId).toBe('202611251200004821937465R1');
    const forged = fromCloudPayRefundCallback(refundEvent, { SOURCE: 'wx_client' });
    expect(!forged.ok && forged.error.code).toBe('FORGED_CALLBACK');
    const odd = fromCloudPayRefundCallback({ ...refundEvent, reqInfo: { ...refundEvent.reqInfo, refundStatus: 'WHO' } }, ctx);
    expect(!odd.ok && odd.error.code).toBe('UNKNOWN_REFUND_STATUS');
  });
});

describe('cloudPay replies and requests', () => {
  it('acknowledges with errcode 0 only when the result was stored', () => {
    expect(cloudPayAck()).toEqual({ errcode: 0, errmsg: 'OK' });
    expect(cloudPayReply({ ok: true })).toEqual({ errcode: 0, errmsg: 'OK' });
    expect(cloudPayReply({ ok: false, error: { code: 'VERSION_CONFLICT' } }).errcode).not.toBe(0);
    expect(cloudPayReply({ ok: false, error: { code: 'FORGED_CALLBACK' } }, { acknowledge: ['FORGED_CALLBACK'] }).errcode).toBe(0);
  });

  it('builds unifiedOrder parameters for the open attempt, with timeExpire in Beijing time', () => {
    const r = buildCloudPayUnifiedOrder(pendingOrder(), { subMchId: '1900000109', envId: 'prod-1a2b', functionName: 'payCallback', spbillCreateIp: '10.0.0.1' }, { nonce: 'N1' });
    expect(r.ok && r.params).toEqual({
      body: '有机燕麦片 1kg 等3件',
      outTradeNo: '202611251200004821937465',
      spbillCreateIp: '10.0.0.1',
      subMchId: '1900000109',
      totalFee: 9900,
      envId: 'prod-1a2b',
      functionName: 'payCallback',
      nonceStr: 'N1',
      tradeType: 'JSAPI',
      timeExpire: '20261125123000',
      attach: 'order-1',
    });
    const long = buildCloudPayUnifiedOrder(pendingOrder({ lines: [{ ...pendingOrder().lines[0]!, title: '燕'.repeat(100) }] }), { subMchId: '1', envId: 'e', functionName: 'f' }, { nonce: 'N1' });
    expect(long.ok && Buffer.byteLength(long.params.body)).toBeLessThanOrEqual(128);
    const paid = buildCloudPayUnifiedOrder(paidOrder(), { subMchId: '1', envId: 'e', functionName: 'f' }, { nonce: 'N1' });
    expect(!paid.ok && paid.error.code).toBe('ORDER_NOT_PAYABLE');
  });

  it('builds cloudPay refund parameters from a payment.refund effect', () => {
    const r = buildCloudPayRefund(
      { id: 'o:3:0', orderId: 'o', type: 'payment.refund', refundId: 'NR1', outTradeNo: 'N', transactionId: 'T1', amount: 300, total: 9900, reason: '售后退款' },
      { subMchId: '1900000109', envId: 'e', functionName: 'refundCallback' },
      { nonce: 'N2' },
    );
    expect(r.ok && r.params).toEqual({ subMchId: '1900000109', nonceStr: 'N2', outRefundNo: 'NR1', totalFee: 9900, refundFee: 300, envId: 'e', functionName: 'refundCallback', transactionId: 'T1', refundDesc: '售后退款' });
  });

  it('refuses to turn an ABNORMAL refund sent again into a plain refund (cloudPay has no abnormal-refund request)', () => {
    // A plain refund under the same outRefundNo would only read the old refund back: nothing would
    // move, and the ledger entry would wait as pending for a result that never comes.
    const r = buildCloudPayRefund(
      { id: 'o:4:0', orderId: 'o', type: 'payment.refund', refundId: 'NR1', outTradeNo: 'N', transactionId: 'T1', amount: 300, total: 9900, reason: '售后退款', abnormal: { type: 'MERCHANT_BANK_CARD', gatewayRefundId: '50300001' } },
      { subMchId: '1900000109', envId: 'e', functionName: 'refundCallback' },
      { nonce: 'N3' },
    );
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.code).toBe('INVALID_REQUEST');
      expect(r.error.path).toEqual(['effect', 'abnormal']);
    }
  });
});
