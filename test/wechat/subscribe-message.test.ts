import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  buildSubscribeMessage,
  isNoSubscriptionError,
  sendSubscribeMessage,
  subscribeFieldValue,
  toCloudSubscribeMessage,
  type SubscribeTemplate,
} from '../../src/wechat/index.js';
import { paidOrder } from './support/orders.js';

const shipped: SubscribeTemplate = {
  templateId: 'TPL-SHIPPED',
  page: (o) => `pages/order/detail?id=${o.id}`,
  fields: {
    character_string1: (o) => o.number,
    thing2: (o) => `${o.lines[0]!.title}等${o.lines.length}种商品，已从深圳仓库发出`,
    amount3: (o) => o.pricing.total,
    phrase4: () => '已发货',
    date5: (o) => new Date(o.paidAt!),
  },
};

describe('buildSubscribeMessage', () => {
  it('builds the data with each field formatted and checked for its kind', () => {
    const r = buildSubscribeMessage(shipped, paidOrder(), { miniprogramState: 'formal' });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.message).toEqual({
      touser: 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o',
      template_id: 'TPL-SHIPPED',
      page: 'pages/order/detail?id=order-1',
      miniprogram_state: 'formal',
      data: {
        character_string1: { value: '202611251200004821937465' },
        thing2: { value: '有机燕麦片 1kg等2种商品，已从深圳…' },
        amount3: { value: '99.00元' },
        phrase4: { value: '已发货' },
        date5: { value: '2026年11月25日 12:05' },
      },
    });
    expect(Array.from(r.message.data.thing2!.value)).toHaveLength(20);
    expect(toCloudSubscribeMessage(r.message)).toMatchObject({ templateId: 'TPL-SHIPPED', miniprogramState: 'formal', touser: 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o' });
  });

  it('rejects values that would be wrong if cut, naming the field', () => {
    const cases: Array<[SubscribeTemplate['fields'], string]> = [
      [{ phrase1: () => '订单已经发货了' }, 'phrase1'],
      [{ phrase1: () => 'paid' }, 'phrase1'],
      [{ character_string1: () => 'X'.repeat(33) }, 'character_string1'],
      [{ character_string1: () => '订单号' }, 'character_string1'],
      [{ number1: () => '12a' }, 'number1'],
      [{ amount1: () => 12.5 }, 'amount1'],
      [{ thing1: () => '   ' }, 'thing1'],
      [{ letter1: () => 'abc1' }, 'letter1'],
      [{ thing1: { value: () => 'x'.repeat(21), overflow: 'reject' } }, 'thing1'],
    ];
    for (const [fields, key] of cases) {
      const r = buildSubscribeMessage({ templateId: 'T', fields }, paidOrder());
      expect(r.ok, key).toBe(false);
      if (!r.ok) {
        expect(r.error.code).toBe('SUBSCRIBE_FIELD_INVALID');
        expect(r.error.path).toEqual(['data', key]);
      }
    }
    const unknownKind = buildSubscribeMessage({ templateId: 'T', fields: { remark: () => 'x' } }, paidOrder());
    expect(!unknownKind.ok && unknownKind.error.code).toBe('INVALID_CONFIG');
  });

  it('counts names in Chinese characters (10) or letters (20)', () => {
    expect(subscribeFieldValue('name', '欧阳娜娜娜娜娜娜娜娜娜娜')).toEqual({ ok: true, value: '欧阳娜娜娜娜娜娜娜…' });
    expect(subscribeFieldValue('name', 'Alexander Hamilton')).toEqual({ ok: true, value: 'Alexander Hamilton' });
  });

  it('property: an amount in fen is shown as yuan that reads back to exactly the same fen', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 9_999_999_999 }), (fen) => {
        const r = subscribeFieldValue('amount', fen);
        if (!r.ok) return fen > 999_999_999_99;
        const m = /^(\d{1,10})\.(\d{2})元$/.exec(r.value);
        return m !== null && Number(m[1]) * 100 + Number(m[2]) === fen;
      }),
    );
    expect(subscribeFieldValue('amount', 12.5).ok).toBe(false);
    expect(subscribeFieldValue('amount', 5)).toEqual({ ok: true, value: '0.05元' });
  });

  it('property: a thing is never longer than 20 characters and keeps the start of the text', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 80, unit: 'grapheme' }), (text) => {
        const r = subscribeFieldValue('thing', text);
        if (!r.ok) return text.replace(/\s+/g, '') === '';
        const chars = Array.from(r.value);
        const normalized = text.replace(/\s+/g, ' ').trim();
        return chars.length <= 20 && (r.value === normalized || normalized.startsWith(r.value.slice(0, -1)));
      }),
    );
  });
});

describe('sendSubscribeMessage', () => {
  const message = { touser: 'o1', template_id: 'T', data: {} };

  it('treats 43101 as "not delivered" without failing, whether thrown or returned', async () => {
    const thrown = await sendSubscribeMessage(async () => {
      throw Object.assign(new Error('openapi.subscribeMessage.send:fail user refuse to accept the msg'), { errCode: 43101 });
    }, message);
    expect(thrown).toEqual({ ok: true, delivered: false, reason: 'NO_SUBSCRIPTION' });
    const returned = await sendSubscribeMessage(async () => ({ errcode: 43101, errmsg: 'user refuse to accept the msg' }), message);
    expect(returned).toEqual({ ok: true, delivered: false, reason: 'NO_SUBSCRIPTION' });
    expect(isNoSubscriptionError({ errcode: '43101' })).toBe(true);
  });

  it('reports delivery and other errors', async () => {
    const sent: unknown[] = [];
    const ok = await sendSubscribeMessage(async (m) => {
      sent.push(m);
      return { errcode: 0, errmsg: 'ok' };
    }, message);
    expect(ok.ok && ok.delivered).toBe(true);
    expect(sent).toEqual([message]);
    const bad = await sendSubscribeMessage(async () => ({ errcode: 40003, errmsg: 'invalid openid' }), message);
    expect(!bad.ok && bad.error.code).toBe('SUBSCRIBE_SEND_FAILED');
    expect(!bad.ok && bad.error.details).toEqual({ errcode: 40003 });
    const boom = await sendSubscribeMessage(() => {
      throw new Error('network down');
    }, message);
    expect(!boom.ok && boom.error.code).toBe('SUBSCRIBE_SEND_FAILED');
  });
});
