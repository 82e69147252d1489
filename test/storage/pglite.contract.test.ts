import { PGlite } from '@electric-sql/pglite';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { migrate, PostgresOrderStore } from '../../src/adapters/postgres/index.js';
import { runOrderStoreContract } from '../../src/testing/index.js';
import { pgTamperFor, truncateAll } from './pg-helpers.js';

// One embedded database for the whole file (creating one costs seconds); tables are emptied
// before each test instead.
let db: PGlite;
beforeAll(async () => {
  db = await PGlite.create();
  await migrate(db);
});
afterAll(async () => {
  await db.close();
});

runOrderStoreContract(
  'PostgresOrderStore on PGlite',
  async () => {
    await truncateAll(db, 'orderkit');
    return new PostgresOrderStore({ db });
  },
  { describe, it, expect, beforeEach, afterEach },
  { numRuns: 15, tamper: pgTamperFor({ query: (text, params) => db.query(text, params as unknown[]) }) },
);
