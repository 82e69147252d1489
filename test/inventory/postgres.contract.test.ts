import { PGlite } from '@electric-sql/pglite';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrate, migrateInventory, PostgresInventory, PostgresOrderStore } from '../../src/adapters/postgres/index.js';
import { runInventoryContract } from '../../src/testing/index.js';
import { describeRealPg, uniqueSchema } from '../support/pg.js';
import { pgSchemaRaw } from '../support/raw.js';
import { serviceScenarios } from './service-scenarios.js';

/** The PostgreSQL inventory on PGlite (always) and on the real server (skipped without one). */

let pglite: PGlite | null = null;
let n = 0;
async function onPglite(): Promise<PGlite> {
  pglite ??= new PGlite();
  return pglite;
}

describe('PGlite', () => {
  runInventoryContract(
    'PostgresInventory on PGlite',
    async () => {
      const db = await onPglite();
      const schema = `inv_${++n}`;
      await migrateInventory(db, { schema });
      return new PostgresInventory({ db, schema });
    },
    { describe, it, expect, beforeEach, afterEach },
    { numRuns: 1, raw: async (inventory) => pgSchemaRaw(await onPglite(), inventory.schema) },
  );
  // The service scenarios run on the real server below (PGlite's start makes them slow here).
});

await describeRealPg('PostgresInventory on the real server', (real) => {
  const pool = () => real.pool(12);
  let shared: ReturnType<typeof pool> | undefined;
  const db = () => (shared ??= pool());
  const schemas: string[] = [];
  const fresh = (label: string): string => {
    const schema = uniqueSchema(label);
    schemas.push(schema);
    return schema;
  };
  afterAll(async () => {
    for (const schema of schemas) await db().query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await real.dispose();
  });
  runInventoryContract(
    'PostgresInventory on PostgreSQL',
    async () => {
      const schema = fresh('inv');
      await migrateInventory(db(), { schema });
      return new PostgresInventory({ db: db(), schema });
    },
    { describe, it, expect, beforeEach, afterEach },
    { numRuns: 8, raw: (inventory) => pgSchemaRaw(db(), inventory.schema) },
  );
  describe('service on PostgreSQL', () => {
    serviceScenarios(async () => {
      const schema = fresh('svc');
      await migrate(db(), { schema });
      await migrateInventory(db(), { schema });
      return { store: new PostgresOrderStore({ db: db(), schema }), inventory: new PostgresInventory({ db: db(), schema }) };
    });
  });
});
