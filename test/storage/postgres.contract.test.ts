import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type pg from 'pg';
import { migrate, PostgresOrderStore } from '../../src/adapters/postgres/index.js';
import { runOrderStoreContract } from '../../src/testing/index.js';
import { describeRealPg } from '../support/pg.js';
import { pgTamperFor, truncateAll } from './pg-helpers.js';

await describeRealPg('storage: OrderStore contract on the real PostgreSQL', (real) => {
  let pool: pg.Pool;
  beforeAll(async () => {
    pool = real.pool(12);
    await migrate(pool, { schema: real.schema });
  });
  afterAll(async () => {
    await real.dispose();
  });

  // The PGlite run covers the default transactional NOTIFY; this one the 'after-commit' option.
  runOrderStoreContract(
    "PostgresOrderStore on pg.Pool (notify: 'after-commit')",
    async () => {
      await truncateAll(pool, real.schema);
      return new PostgresOrderStore({ db: pool, schema: real.schema, notify: 'after-commit' });
    },
    { describe, it, expect, beforeEach, afterEach },
    // feedTimeoutMs: on a shared server the change feed waits for other clients' open transactions
    // (docs/storage.md "Change feed"), which under a loaded test run can take seconds.
    { numRuns: 15, feedTimeoutMs: 15_000, tamper: pgTamperFor({ query: (text, params) => pool.query(text, params) }) },
  );
});
