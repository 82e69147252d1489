import { createCipheriv, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createOrderService, MemoryOrderStore } from '../../src/index.js';
import { applyOrderEvent, createMessagePushConfig, handleOrderEvent, messagePushSignature, orderEventResponse, type MessagePushConfig } from '../../src/wechat/index.js';
import { APPID, MCHID } from './support/notify.js';

/**
 * The shipping-information service's events, pushed the way the mini program message push sends
 * them: JSON, signed with the Token, and in safe mode AES-CBC encrypted with the EncodingAESKey.
 */
const TOKEN = 'orderkitPushToken1';
const AES_KEY = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG'; // 43 characters
const NOW = new Date('2026-12-05T04:00:00.000Z');
const ts = String(Math.floor(NOW.getTime() / 1000));

function config(safe: boolean): MessagePushConfig {
  const c = createMessagePushConfig({ token: TOKEN, appid: APPID, mchid: MCHID, ...(safe ? { encodingAESKey: AES_KEY } : {}) });
  if (!c.ok) throw c.error;
  return c.config;
}

function encrypt(message: string, appid = APPID): string {
  const key = Buffer.from(`${AES_KEY}=`, 'base64');
  const msg = Buffer.from(message, 'utf8');
  const len = Buffer.alloc(4);
  len.writeUInt32BE(msg.length);
  let plain = Buffer.concat([randomBytes(16), len, msg, Buffer.from(appid, 'utf8')]);
  const pad = 32 - (plain.length % 32);
  plain = Buffer.concat([plain, Buffer.alloc(pad, pad)]);
  const cipher = createCipheriv('aes-256-cbc', key, key.subarray(0, 16));
  cipher.setAutoPadding(false);
  return Buffer.concat([cipher.update(plain), cipher.final()]).toString('base64');
}

function plainPush(message: object, nonce = 'n1') {
  return { query: { timestamp: ts, nonce, signature: messagePushSignature([TOKEN, ts, nonce]) }, rawBody: JSON.stringify(message) };
}

function safePush(message: object, nonce = 'n2', appid = APPID) {
  const Encrypt = encrypt(JSON.stringify(message), appid);
  return { query: { timestamp: ts, nonce, msg_signature: messagePushSignature([TOKEN, ts, nonce, Encrypt]), encrypt_type: 'aes' }, rawBody: JSON.stringify({ ToUserName: 'gh_1', Encrypt }) };
}

const settled = (outTradeNo: string, transactionId: string, over: Record<string, unknown> = {}) => ({
  ToUserName: 'gh_1',
  FromUserName: 'o-system',
  CreateTime: Number(ts),
  MsgType: 'event',
  Event: 'trade_manage_order_settlement',
  transaction_id: transactionId,
  merchant_id: MCHID,
  sub_merchant_id: '',
  merchant_trade_no: outTradeNo,
  pay_time: Number(ts) - 5 * 86400,
  shipped_time: Number(ts) - 4 * 86400,
  confirm_receive_method: 2,
  confirm_receive_time: Number(ts) - 3600,
  settlement_time: Number(ts) - 60,
  ...over,
});

describe('the shipping-information service events', () => {
  it('the configuration is checked when it is made', () => {
    for (const [input, path] of [
      [{ token: 'x', appid: APPID, mchid: MCHID }, 'token'],
      [{ token: TOKEN, appid: APPID, mchid: MCHID, encodingAESKey: 'short' }, 'encodingAESKey'],
      [{ token: TOKEN, mchid: MCHID }, 'appid'],
      [{ token: TOKEN, appid: APPID, mchid: 'abc' }, 'mchid'],
    ] as const) {
      const c = createMessagePushConfig(input);
      expect(c.ok ? 'ok' : [c.error.code, c.error.path[0]]).toEqual(['INVALID_CONFIG', path]);
    }
  });

  it('parses a settlement event in plain and in safe mode', () => {
    for (const [safe, push] of [[false, plainPush(settled('N1', '4200000001'))], [true, safePush(settled('N1', '4200000001'))]] as const) {
      const e = handleOrderEvent({ ...push, config: config(safe), now: NOW });
      if (!e.ok) throw e.error;
      expect(e.event).toMatchObject({ kind: 'settlement', transactionId: '4200000001', orderNumber: 'N1', receiptConfirmedBy: 'shopper', settledAt: new Date((Number(ts) - 60) * 1000).toISOString() });
    }
    const shipping = handleOrderEvent({ ...plainPush(settled('N1', '4200000001', { confirm_receive_method: undefined, confirm_receive_time: undefined, settlement_time: undefined, estimated_settlement_time: Number(ts) + 86400 })), config: config(false), now: NOW });
    expect(shipping.ok && shipping.event).toMatchObject({ kind: 'settlement', estimatedSettlementAt: expect.any(String) });
    expect(shipping.ok && 'settledAt' in shipping.event).toBe(false);
    const remind = handleOrderEvent({ ...plainPush({ Event: 'trade_manage_remind_shipping', msg: '请尽快发货' }), config: config(false), now: NOW });
    expect(remind.ok && remind.event).toEqual({ kind: 'remind_shipping', message: '请尽快发货' });
  });

  it('refuses a bad signature, a stale or missing timestamp, a wrong key, another app or merchant, another event type', () => {
    const good = plainPush(settled('N1', '4200000001'));
    const cases: Array<[string, Parameters<typeof handleOrderEvent>[0], string]> = [
      ['altered body', { ...good, rawBody: good.rawBody.replace('N1', 'N2'), config: config(false), now: NOW }, 'ok'],
      ['wrong signature', { ...good, query: { ...good.query, signature: 'a'.repeat(40) }, config: config(false), now: NOW }, 'BAD_SIGNATURE'],
      ['no timestamp', { ...good, query: { nonce: 'n1', signature: good.query.signature }, config: config(false), now: NOW }, 'MISSING_HEADER'],
      ['stale', { ...good, config: config(false), now: new Date(NOW.getTime() + 3_600_000) }, 'STALE_TIMESTAMP'],
      ['plain message in safe mode', { ...good, config: config(true), now: NOW }, 'MALFORMED_BODY'],
      ['another app inside', { ...safePush(settled('N1', '4200000001'), 'n3', 'wx0000000000000000'), config: config(true), now: NOW }, 'APPID_MISMATCH'],
      ['another merchant', { ...plainPush(settled('N1', '4200000001', { merchant_id: '1230000109' })), config: config(false), now: NOW }, 'MCHID_MISMATCH'],
      ['another event', { ...plainPush({ Event: 'user_enter_tempsession' }), config: config(false), now: NOW }, 'UNEXPECTED_EVENT_TYPE'],
      ['bad time field', { ...plainPush(settled('N1', '4200000001', { settlement_time: 'yesterday' })), config: config(false), now: NOW }, 'MALFORMED_RESOURCE'],
      ['not a configuration', { ...good, config: { token: TOKEN } as never, now: NOW }, 'INVALID_CONFIG'],
    ];
    // The body is signed only in safe mode (plain mode signs the query alone), so an altered plain
    // body still verifies: this is why safe mode is recommended (docs/wechat.md).
    for (const [why, input, code] of cases) {
      const r = handleOrderEvent(input);
      expect(r.ok ? 'ok' : r.error.code, why).toBe(code);
    }
    const safe = safePush(settled('N1', '4200000001'));
    const body = JSON.parse(safe.rawBody) as { Encrypt: string };
    // One character of the ciphertext changed (to another one: the first may already be an 'A').
    const tampered = { ...safe, rawBody: JSON.stringify({ ...body, Encrypt: `${body.Encrypt.startsWith('A') ? 'B' : 'A'}${body.Encrypt.slice(1)}` }) };
    const r = handleOrderEvent({ ...tampered, config: config(true), now: NOW });
    expect(r.ok ? 'ok' : r.error.code).toBe('BAD_SIGNATURE');
    expect(orderEventResponse(r)).toEqual({ status: 401, body: 'BAD_SIGNATURE' });
    expect(orderEventResponse({ ok: true })).toEqual({ status: 200, body: 'success' });
  });

  it("a shopper's confirmation inside WeChat becomes CONFIRM_RECEIPT, settlement is recorded once; an unknown order changes nothing", async () => {
    let now = new Date('2026-11-30T04:00:00.000Z');
    const store = new MemoryOrderStore();
    const service = createOrderService({ store, clock: { now: () => now } });
    const placed = await service.place({ customerId: 'u1', cart: { lines: [{ id: 'L1', sku: 'S', title: '燕麦', listPrice: 3300, quantity: 1 }] }, rules: {}, address: { name: '张三', phone: '13800000000', province: '上海市', city: '上海市', detail: '人民路 1 号' } });
    if (!placed.ok) throw placed.error;
    const o = placed.order;
    await service.dispatch(o.id, { type: 'PAYMENT_SUCCEEDED', amount: o.pricing.total, transactionId: '4200000001' }, { type: 'payment', gateway: 'wechatpay' });
    await service.dispatch(o.id, { type: 'SHIP', logisticsType: 'express', trackingNo: 'SF1', expressCompany: 'SF' }, { type: 'merchant', id: 'm1' });
    now = NOW;

    const unknown = handleOrderEvent({ ...plainPush(settled('NOSUCHORDER', '4200000009')), config: config(false), now: NOW });
    if (!unknown.ok) throw unknown.error;
    const refused = await applyOrderEvent(service, unknown.event);
    expect(refused.ok ? 'ok' : refused.error.code).toBe('UNKNOWN_ORDER');
    expect((await service.get(o.id))!.version).toBe(3);

    const e = handleOrderEvent({ ...safePush(settled(o.number, '4200000001')), config: config(true), now: NOW });
    if (!e.ok) throw e.error;
    const first = await applyOrderEvent(service, e.event);
    if (!first.ok) throw first.error;
    expect(first.applied.map((a) => a.command.type)).toEqual(['CONFIRM_RECEIPT', 'RECORD_SETTLEMENT']);
    const done = (await service.get(o.id))!;
    expect(done.status).toBe('completed');
    expect(done.payment.settledAt).toBe(new Date((Number(ts) - 60) * 1000).toISOString());
    const history = await service.history(o.id);
    expect(history.at(-2)).toMatchObject({ type: 'CONFIRM_RECEIPT', actor: { type: 'customer', id: 'u1' } });

    // WeChat pushes again: nothing changes.
    const again = await applyOrderEvent(service, e.event);
    expect(again.ok).toBe(true);
    expect((await service.get(o.id))!.version).toBe(done.version);

    // Confirmed by WeChat's own timer: no CONFIRM_RECEIPT on the shopper's behalf.
    const auto = handleOrderEvent({ ...plainPush(settled(o.number, '4200000001', { confirm_receive_method: 1 })), config: config(false), now: NOW });
    expect(auto.ok && auto.event.kind === 'settlement' && auto.event.receiptConfirmedBy).toBe('wechat_auto');
    // Another transaction than the one that paid the order is refused.
    const other = handleOrderEvent({ ...plainPush(settled(o.number, '4200000777')), config: config(false), now: NOW });
    if (!other.ok) throw other.error;
    const wrong = await applyOrderEvent(service, other.event);
    expect(wrong.ok ? 'ok' : wrong.error.code).toBe('MALFORMED_RESOURCE');
    expect((await service.get(o.id))!.version).toBe(done.version);
  });
});

describe('order events: any input', () => {
  it('garbage queries and bodies are typed refusals, never throws', async () => {
    const fc = (await import('fast-check')).default;
    fc.assert(
      fc.property(fc.anything(), fc.oneof(fc.string(), fc.anything()), fc.boolean(), (query, rawBody, safe) => {
        const r = handleOrderEvent({ query, rawBody, config: config(safe), now: NOW });
        expect(r.ok ? 'ok' : typeof r.error.code).toBe(r.ok ? 'ok' : 'string');
      }),
      { numRuns: 300 },
    );
    // A validly signed push of garbage is refused too.
    fc.assert(
      fc.property(fc.string(), (text) => {
        const nonce = 'nz';
        const r = handleOrderEvent({ query: { timestamp: ts, nonce, signature: messagePushSignature([TOKEN, ts, nonce]) }, rawBody: text, config: config(false), now: NOW });
        expect(r.ok).toBe(false);
      }),
      { numRuns: 200 },
    );
  });
});
