import { createHash } from 'node:crypto';
import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import type { Order } from '../../src/index.js';
import { dueBillDate, reconcileOnce, Reconciliations } from '../../examples/express/src/reconciliation.js';
import { fundFlowBillText, tradeBillText } from '../wechat/support/bills.js';
import { API_V3_KEY, APPID, MCHID } from '../wechat/support/notify.js';
import { ADDRESS, ADMIN, CUSTOMER, expectErrorBody, MERCHANT, testApp, type TestApp } from './support/app.js';

const wechatpay = { mchid: MCHID, appid: APPID, apiV3Key: API_V3_KEY, keys: {} };
let t: TestApp;
afterEach(async () => {
  await t?.close();
});

async function placed(): Promise<Order> {
  const r = await request(t.app).post('/orders').set('x-actor', CUSTOMER).send({ items: [{ sku: 'TEA-TGY-200', quantity: 1 }], address: ADDRESS });
  return r.body as Order;
}

describe('the example reconciles WeChat Pay bills and shows the report', () => {
  it('POST /reconciliation/:day applies a lost payment once, GET and the dashboard show the report', async () => {
    t = await testApp({ wechatpay });
    const o = await placed();
    const day = t.clock.now().toISOString().slice(0, 10);
    const pay = { at: `${day} 10:00:00`, transactionId: '4200000001', outTradeNo: o.number, amount: o.pricing.total };
    const body = { tradeBill: tradeBillText([pay]), fundFlowBill: fundFlowBillText([pay]) };

    const customer = await request(t.app).post(`/reconciliation/${day}`).set('x-actor', CUSTOMER).send(body);
    expect(customer.status).toBe(403);
    // A bill posted by hand makes orders paid: staff who are not admins may not post one.
    const staff = await request(t.app).post(`/reconciliation/${day}`).set('x-actor', MERCHANT).send(body);
    expect(staff.status).toBe(403);
    expect((await request(t.app).get(`/orders/${o.id}`).set('x-actor', MERCHANT)).body.status).toBe('pending_payment');
    const first = await request(t.app).post(`/reconciliation/${day}`).set('x-actor', ADMIN).send(body);
    expect(first.status).toBe(200);
    expect(first.body.counts).toMatchObject({ applied: 1, flagged: 0 });
    expect(first.body.text['zh-CN']).toContain('补记支付 1');
    const again = await request(t.app).post(`/reconciliation/${day}`).set('x-actor', ADMIN).send(body);
    expect(again.body.counts).toMatchObject({ matched: 1, applied: 0 });
    const order = (await request(t.app).get(`/orders/${o.id}`).set('x-actor', MERCHANT)).body as Order;
    expect(order).toMatchObject({ status: 'paid', version: 2, payment: { transactionId: '4200000001' } });

    const list = await request(t.app).get('/reconciliation').set('x-actor', MERCHANT);
    expect(list.body.reports.map((r: { billDate: string }) => r.billDate)).toEqual([day]);
    const dashboard = await request(t.app).get('/dashboard/data').set('x-actor', MERCHANT);
    expect(dashboard.body.reconciliation).toMatchObject({ billDate: day, counts: { matched: 1 } });

    const altered = await request(t.app).post(`/reconciliation/${day}`).set('x-actor', ADMIN).send({ tradeBill: body.tradeBill.replace(MCHID, '1230000109') });
    expect(altered.status).toBe(422);
    expectErrorBody(altered.body, 'BILL_MERCHANT_MISMATCH');
  });

  it('answers 503 NOT_CONFIGURED without a merchant', async () => {
    t = await testApp();
    const r = await request(t.app).post('/reconciliation/2026-11-25').set('x-actor', ADMIN).send({ tradeBill: 'x' });
    expect(r.status).toBe(503);
  });

  it('the daily run waits for 10:00 Beijing time, then downloads yesterday through the signed client', async () => {
    expect(dueBillDate(new Date('2026-11-26T01:59:00.000Z'))).toBeNull(); // 09:59 in Beijing
    expect(dueBillDate(new Date('2026-11-26T02:00:00.000Z'))).toBe('2026-11-25');
    t = await testApp({ wechatpay });
    const o = await placed();
    const day = t.clock.now().toISOString().slice(0, 10);
    const files: Record<string, string> = {
      tradebill: tradeBillText([{ at: `${day} 10:00:00`, transactionId: '4200000002', outTradeNo: o.number, amount: o.pricing.total }]),
      fundflowbill: fundFlowBillText([]),
    };
    const reconciliations = new Reconciliations();
    const logs: string[] = [];
    const report = await reconcileOnce(
      {
        service: t.context.service,
        reconciliations,
        mchid: MCHID,
        send: async (r) => {
          const kind = r.path.includes('tradebill') ? 'tradebill' : 'fundflowbill';
          return { hash_type: 'SHA1', hash_value: createHash('sha1').update(files[kind]!).digest('hex'), download_url: `https://pay.example/v3/billdownload/file?token=${kind}` };
        },
        download: async (r) => Buffer.from(files[r.path.split('token=')[1]!]!),
        clock: t.clock,
        log: (m) => logs.push(m),
      },
      day,
    );
    expect(report?.counts.applied).toBe(1);
    expect(reconciliations.has(day)).toBe(true);
    expect(logs[0]).toContain('applied 1');
  });
});
