import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADDRESS, CUSTOMER, expectErrorBody, MERCHANT, testApp, type TestApp } from './support/app.js';

/** The console's date-range search (issue: search by order number, phone, SKU and date range). */
describe('Express example: console search by date range', () => {
  let t: TestApp;
  const ids: string[] = [];
  beforeAll(async () => {
    t = await testApp({ now: '2026-11-20T04:00:00Z' });
    for (let day = 0; day < 3; day++) {
      const r = await request(t.app).post('/orders').set('x-actor', CUSTOMER).send({ items: [{ sku: 'TEA-LJ-250', quantity: 1 }], address: ADDRESS });
      expect(r.status, r.text).toBe(201);
      ids.push(r.body.id);
      t.clock.advance(86_400_000);
    }
  });
  afterAll(() => t.close());

  const search = (query: string) => request(t.app).get(`/console/orders?${query}`).set('x-actor', MERCHANT);

  it('from is inclusive, to exclusive, with the offset given; other filters combine with it', async () => {
    const r = await search(`from=${encodeURIComponent('2026-11-21T00:00:00+08:00')}&to=${encodeURIComponent('2026-11-22T00:00:00+08:00')}`);
    expect(r.status, r.text).toBe(200);
    expect(r.body.items.map((o: { id: string }) => o.id)).toEqual([ids[1]]);
    const open = await search(`from=${encodeURIComponent('2026-11-21T00:00:00+08:00')}`);
    expect(open.body.items.map((o: { id: string }) => o.id).sort()).toEqual([ids[1], ids[2]].sort());
    const none = await search(`from=${encodeURIComponent('2026-11-21T00:00:00+08:00')}&sku=NOPE`);
    expect(none.body.items).toEqual([]);
  });

  it('a date without its offset, or not a date, is a 400 with a code and both languages', async () => {
    for (const bad of ['2026-11-21', '2026-11-21T00:00:00', 'yesterday']) {
      const r = await search(`from=${encodeURIComponent(bad)}`);
      expect(r.status, bad).toBe(400);
      expectErrorBody(r.body);
    }
  });
});
