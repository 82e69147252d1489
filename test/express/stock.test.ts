import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type OrderApp } from '../../examples/express/src/app.js';
import { storeFigures } from '../../examples/express/src/figures.js';
import { createOrderService, MemoryOrderStore } from '../../src/index.js';
import { MemoryInventory } from '../../src/inventory/index.js';
import { DEMO_STOCK } from '../../examples/express/src/catalog.js';
import { Ops } from '../../examples/express/src/ops.js';
import { serviceFor } from '../../examples/express/src/server.js';
import { openStorage, type Storage } from '../../examples/express/src/storage.js';
import { memoryInventoryRaw } from '../support/raw.js';
import { ADDRESS, CUSTOMER, expectErrorBody, MERCHANT, OTHER_CUSTOMER, TestClock } from './support/app.js';

/** The example's stock route and the 限购 / out-of-stock answers of POST /orders (docs/inventory.md). */
describe('Express example: stock and 限购', () => {
  let t: OrderApp;
  const inventory = new MemoryInventory();
  beforeAll(async () => {
    await inventory.configure({ sku: 'TEA-LJ-250', available: 3, limit: { perCustomer: 2 } });
    const store = new MemoryOrderStore();
    const clock = new TestClock(Date.parse('2026-11-25T04:00:00Z'));
    const service = createOrderService({ store, clock, inventory });
    // Demo mode: these tests act through x-actor (docs/express.md "Sign-in").
    t = await createApp({ service, clock, figures: storeFigures(store), inventory, log: () => undefined, auth: { demo: true } });
  });
  afterAll(() => t.close());

  const place = (actor: string, quantity: number) => request(t.app).post('/orders').set('x-actor', actor).send({ items: [{ sku: 'TEA-LJ-250', quantity }], address: ADDRESS });

  it('GET /stock/:sku shows stock left; an unknown SKU is 404, a bad one 400', async () => {
    const r = await request(t.app).get('/stock/TEA-LJ-250');
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ sku: 'TEA-LJ-250', available: 3, held: 0, limit: { perCustomer: 2 } });
    const unknown = await request(t.app).get('/stock/NOPE');
    expect(unknown.status).toBe(404);
    expectErrorBody(unknown.body, 'NOT_FOUND');
    const bad = await request(t.app).get('/stock/%00');
    expect(bad.status).toBe(400);
  });

  it('a placement over the limit is 409 LIMIT_REACHED with both languages; over the stock 409 OUT_OF_STOCK; nothing placed', async () => {
    expect((await place(CUSTOMER, 2)).status).toBe(201);
    const limited = await place(CUSTOMER, 1);
    expect(limited.status).toBe(409);
    expectErrorBody(limited.body, 'LIMIT_REACHED');
    expect(limited.body.messages['zh-CN']).toContain('限购');
    const out = await place(OTHER_CUSTOMER, 2);
    expect(out.status).toBe(409);
    expectErrorBody(out.body, 'OUT_OF_STOCK');
    expect((await request(t.app).get('/stock/TEA-LJ-250')).body).toMatchObject({ available: 1, held: 2 });
    const list = await request(t.app).get('/orders').set('x-actor', MERCHANT);
    expect(list.body.items).toHaveLength(1);
  });

  it("an admin's anonymisation moves the customer's holds and 限购 count to the pseudonym: the customer counts from zero again (docs/privacy.md)", async () => {
    // c1 holds 2 of 2 (the test above).
    const done = await request(t.app).post('/admin/customers/c1/anonymize').set('x-actor', 'admin:a1').send({});
    expect(done.status, done.text).toBe(200);
    expect(done.body.orders).toBe(1);
    const raw = JSON.parse(memoryInventoryRaw(inventory)) as { holds: Array<[string, string]>; limits: Array<[string, number]> };
    expect(raw.holds.map(([, customer]) => customer)).toEqual([done.body.pseudonym]);
    expect(raw.limits).toEqual([[`TEA-LJ-250|${done.body.pseudonym}`, 2]]);
    expect((await place(CUSTOMER, 1)).status).toBe(201);
  });

  it('the OpenAPI document lists the stock route and the 409/503 answers of placeOrder', async () => {
    const doc = (await request(t.app).get('/openapi.json')).body as { paths: Record<string, Record<string, { responses: Record<string, unknown>; description?: string }>> };
    expect(doc.paths['/stock/{sku}']?.['get']).toBeDefined();
    const placeOrder = doc.paths['/orders']!['post']!;
    expect(Object.keys(placeOrder.responses)).toEqual(expect.arrayContaining(['409', '503']));
    expect(placeOrder.description).toContain('LIMIT_REACHED');
  });
});

/** What `npm start` runs: serviceFor() on the example's own storage (PGlite here) with the demo stock. */
describe('Express example server: the demo is wired to an inventory', () => {
  let t: OrderApp;
  let storage: Storage;
  beforeAll(async () => {
    storage = await openStorage({ dataDir: 'memory://' });
    const ops = new Ops({ level: 'silent', ready: async () => true });
    const { service, inventory } = await serviceFor({ storage, ops, demo: true });
    t = await createApp({ service, inventory, figures: storeFigures(storage.store), log: () => undefined, auth: { demo: true } });
  }, 60_000);
  afterAll(async () => {
    await t.close();
    await storage.close();
  });

  const gift = (actor: string, quantity: number) => request(t.app).post('/orders').set('x-actor', actor).send({ items: [{ sku: 'SET-GIFT', quantity }], address: ADDRESS });

  it('every demo SKU has stock; the gift box shows its 限购 and refuses a third unit with 409 LIMIT_REACHED', async () => {
    for (const setup of DEMO_STOCK) {
      const r = await request(t.app).get(`/stock/${setup.sku}`);
      expect(r.status).toBe(200);
      expect(r.body).toMatchObject({ sku: setup.sku, available: setup.available, held: 0 });
    }
    expect((await request(t.app).get('/stock/SET-GIFT')).body.limit).toMatchObject({ perCustomer: 2 });
    expect((await gift(CUSTOMER, 2)).status).toBe(201);
    const third = await gift(CUSTOMER, 1);
    expect(third.status).toBe(409);
    expectErrorBody(third.body, 'LIMIT_REACHED');
    expect((await request(t.app).get('/stock/SET-GIFT')).body).toMatchObject({ available: 298, held: 2 });
  });

  it('a restart keeps the stock it had (the demo SKUs are set up only once)', async () => {
    const ops = new Ops({ level: 'silent', ready: async () => true });
    await serviceFor({ storage, ops, demo: true });
    expect(await storage.inventory.level('SET-GIFT')).toMatchObject({ available: 298, held: 2 });
  });
});

describe('Express example server: RETENTION_DAYS', () => {
  it("serviceFor({ retentionDays }) gives the service a retention: the sweep anonymises finished orders", async () => {
    const store = new MemoryOrderStore();
    const inventory = new MemoryInventory();
    const ops = new Ops({ level: 'silent', ready: async () => true });
    const { service } = await serviceFor({ storage: { store: store as never, inventory: inventory as never }, ops, demo: false, retentionDays: 30 });
    const report = await service.sweep(new Date('2026-12-01T00:00:00Z'));
    expect(report.anonymized).toBe(0);
    const { service: without } = await serviceFor({ storage: { store: store as never, inventory: inventory as never }, ops, demo: false });
    expect((await without.sweep()).anonymized).toBeUndefined();
  });
});
