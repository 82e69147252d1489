import { PGlite } from '@electric-sql/pglite';
import type pg from 'pg';
import { afterAll, beforeAll, describe } from 'vitest';
import { migrate, PostgresOrderStore } from '../../src/adapters/postgres/index.js';
import { WxCloudOrderStore } from '../../src/adapters/wx-cloud/index.js';
import { createCloudDatabaseStandIn } from '../../src/testing/index.js';
import { MemoryOrderStore } from '../../src/storage/index.js';
import { truncateAll } from '../storage/pg-helpers.js';
import { describeRealPg } from '../support/pg.js';
import { hostileStrings } from './hostile-strings.js';
import { idempotencyAttacks } from './idempotency-attacks.js';
import { freshPGlite } from '../support/pglite.js';

describe('attacks (scoped idempotency, hostile strings): MemoryOrderStore', () => {
  idempotencyAttacks(async () => new MemoryOrderStore());
  hostileStrings(async () => new MemoryOrderStore());
});

describe('attacks (scoped idempotency, hostile strings): WxCloudOrderStore (cloud database stand-in)', () => {
  const make = async () => {
    const store = new WxCloudOrderStore(createCloudDatabaseStandIn());
    await store.ensureCollections();
    return store;
  };
  idempotencyAttacks(make);
  hostileStrings(make);
});

describe('attacks (scoped idempotency, hostile strings): PostgresOrderStore on PGlite', () => {
  let db: PGlite;
  beforeAll(async () => {
    db = await freshPGlite();
    await migrate(db);
  });
  afterAll(async () => {
    await db.close();
  });
  const make = async () => {
    await truncateAll(db, 'orderkit');
    return new PostgresOrderStore({ db });
  };
  idempotencyAttacks(make);
  hostileStrings(make);
});

await describeRealPg('attacks (scoped idempotency, hostile strings): PostgresOrderStore on the real PostgreSQL', (real) => {
  let pool: pg.Pool;
  beforeAll(async () => {
    pool = real.pool(8);
    await migrate(pool, { schema: real.schema });
  });
  afterAll(async () => {
    await real.dispose();
  });
  const make = async () => {
    await truncateAll(pool, real.schema);
    return new PostgresOrderStore({ db: pool, schema: real.schema });
  };
  idempotencyAttacks(make);
  hostileStrings(make);
});
