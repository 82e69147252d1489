import { PGlite } from '@electric-sql/pglite';
import request from 'supertest';
import { afterAll, describe, expect, it } from 'vitest';
import { createApp } from '../../examples/express/src/app.js';
import { sqlFigures } from '../../examples/express/src/figures.js';
import { migrate, migrateAnalytics, PostgresOrderStore, type PostgresDatabase } from '../../src/adapters/postgres/index.js';
import { createOrderService, type Order } from '../../src/index.js';
import { describeRealPg } from '../support/pg.js';
import { ADDRESS, CUSTOMER, expectErrorBody, MERCHANT } from './support/app.js';
import { freshPGlite } from '../support/pglite.js';

/**
 * The refund race over HTTP against a real database: two taps on "refund" arrive together (on two
 * instances, when given two connections), and exactly one refund may come out of it.
 */
async function doubleRefund(dbA: PostgresDatabase, dbB: PostgresDatabase, schema: string): Promise<void> {
  const [a, b] = await Promise.all(
    [dbA, dbB].map((db) => createApp({ auth: { demo: true }, service: createOrderService({ store: new PostgresOrderStore({ db, schema }) }), figures: sqlFigures(db, schema), log: () => undefined })),
  );
  try {
    for (let round = 0; round < 6; round++) {
      const placed = await request(a!.app).post('/orders').set('x-actor', CUSTOMER).send({ items: [{ sku: 'POT-YX', quantity: 1 }], address: ADDRESS });
      const id = placed.body.id as string;
      expect((await request(a!.app).post(`/orders/${id}/pay/demo`).set('x-actor', CUSTOMER).send({})).status).toBe(200);
      const replies = await Promise.all([
        request(a!.app).post(`/orders/${id}/after-sales`).set('x-actor', CUSTOMER).send({ kind: 'refund_only', reason: 'tap 1' }),
        request(b!.app).post(`/orders/${id}/after-sales`).set('x-actor', CUSTOMER).send({ kind: 'refund_only', reason: 'tap 2' }),
      ]);
      const ok = replies.filter((r) => r.status === 200);
      expect(ok).toHaveLength(1);
      for (const r of replies.filter((x) => x.status !== 200)) {
        expect([409, 422]).toContain(r.status);
        expectErrorBody(r.body);
      }
      const order = (await request(b!.app).get(`/orders/${id}`).set('x-actor', MERCHANT)).body as Order;
      expect(order.refunds).toHaveLength(1);
      expect(order.refunds[0]!.amount).toBe(order.payment.paidAmount);
      // And the gateway's two concurrent "succeeded" reports settle it once.
      const settle = await Promise.all(
        [a!, b!].map((x) => request(x.app).post(`/orders/${id}/refunds/${order.refunds[0]!.id}/result`).set('x-actor', MERCHANT).send({ status: 'succeeded' })),
      );
      expect(settle.some((r) => r.status === 200)).toBe(true);
      const final = (await request(a!.app).get(`/orders/${id}`).set('x-actor', MERCHANT)).body as Order;
      expect(final.refunds.map((r) => r.status)).toEqual(['succeeded']);
      expect(final.status).toBe('closed');
    }
  } finally {
    await Promise.all([a!.close(), b!.close()]);
  }
}

describe('concurrent double refund over HTTP on PGlite', () => {
  let db: PGlite;
  afterAll(async () => {
    await db?.close();
  });
  it('yields exactly one refund', async () => {
    db = await freshPGlite();
    await migrate(db);
    await migrateAnalytics(db);
    await doubleRefund(db, db, 'orderkit');
  });
});

await describeRealPg('concurrent double refund over HTTP on PostgreSQL (two instances)', (pg) => {
  afterAll(() => pg.dispose());
  it('yields exactly one refund', async () => {
    const poolA = pg.pool(4);
    await migrate(poolA, { schema: pg.schema });
    await migrateAnalytics(poolA, { schema: pg.schema });
    await doubleRefund(poolA, pg.pool(4), pg.schema);
  });
});
