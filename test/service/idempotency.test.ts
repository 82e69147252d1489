import { PGlite } from '@electric-sql/pglite';
import type pg from 'pg';
import { afterAll, beforeAll, describe } from 'vitest';
import { migrate, PostgresOrderStore } from '../../src/adapters/postgres/index.js';
import { createCloudDatabaseStandIn, WxCloudOrderStore } from '../../src/adapters/wx-cloud/index.js';
import { MemoryOrderStore } from '../../src/storage/index.js';
import { truncateAll } from '../storage/pg-helpers.js';
import { describeRealPg } from '../support/pg.js';
import { idempotencyAttacks } from './idempotency-attacks.js';

describe('scoped idempotency: MemoryOrderStore', () => {
  idempotencyAttacks(async () => new MemoryOrderStore());
});

describe('scoped idempotency: WxCloudOrderStore (cloud database stand-in)', () => {
  idempotencyAttacks(async () => {
    const store = new WxCloudOrderStore(createCloudDatabaseStandIn());
    await store.ensureCollections();
    return store;
  });
});

describe('scoped idempotency: PostgresOrderStore on PGlite', () => {
  let db: PGlite;
  beforeAll(async () => {
    db = await PGlite.create();
    await migrate(db);
  });
  afterAll(async () => {
    await db.close();
  });
  idempotencyAttacks(async () => {
    await truncateAll(db, 'orderkit');
    return new PostgresOrderStore({ db });
  });
});

await describeRealPg('scoped idempotency: PostgresOrderStore on the real PostgreSQL', (real) => {
  let pool: pg.Pool;
  beforeAll(async () => {
    pool = real.pool(8);
    await migrate(pool, { schema: real.schema });
  });
  afterAll(async () => {
    await real.dispose();
  });
  idempotencyAttacks(async () => {
    await truncateAll(pool, real.schema);
    return new PostgresOrderStore({ db: pool, schema: real.schema });
  });
});
