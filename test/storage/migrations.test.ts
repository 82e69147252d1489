import { readdirSync, readFileSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MIGRATIONS, migrate, migrationChecksum, toSqlDriver } from '../../src/adapters/postgres/index.js';
import type { PGliteLike, PgPoolLike } from '../../src/adapters/postgres/index.js';
import { describeRealPg } from '../support/pg.js';

const dir = new URL('../../migrations/', import.meta.url);

describe('migrations', () => {
  it('the embedded SQL is exactly the text of migrations/*.sql, in order', () => {
    const files = readdirSync(dir).filter((f) => f.endsWith('.sql')).sort();
    expect(files).toEqual(MIGRATIONS.map((m) => `${m.name}.sql`));
    for (const m of MIGRATIONS) {
      expect(readFileSync(new URL(`${m.name}.sql`, dir), 'utf8'), `migrations/${m.name}.sql differs from migrations.ts`).toBe(m.sql);
      expect(Number(m.name.slice(0, 3))).toBe(m.version);
    }
  });

  it('the structural types accept a real pg.Pool and PGlite (checked by the compiler)', () => {
    const real = new pg.Pool({ max: 1 });
    const pool: PgPoolLike = real;
    const lite: PGliteLike | null = null as unknown as PGlite;
    expect(typeof pool.connect).toBe('function');
    expect(lite).toBeNull();
    void real.end();
  });

  it('refuses an unknown db with INVALID_DATABASE', () => {
    expect(() => toSqlDriver({} as never)).toThrowError(/INVALID_DATABASE/);
  });
});

describe('migrate on PGlite', () => {
  let db: PGlite;
  beforeAll(async () => {
    db = await PGlite.create();
  });
  afterAll(async () => {
    await db.close();
  });

  it('applies every migration once; a second run does nothing', async () => {
    const first = await migrate(db, { schema: 'shop_a' });
    expect(first.applied).toEqual(MIGRATIONS.map((m) => m.version));
    const again = await migrate(db, { schema: 'shop_a' });
    expect(again).toEqual({ applied: [], version: MIGRATIONS.length });
    const tables = await db.query<{ table_name: string }>(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = 'shop_a' ORDER BY table_name",
    );
    expect(tables.rows.map((r) => r.table_name)).toEqual(['idempotency', 'order_events', 'orders', 'outbox', 'schema_migrations']);
  });

  it('refuses to run over a released migration that was edited later', async () => {
    await migrate(db, { schema: 'shop_b' });
    const edited = MIGRATIONS.map((m) => ({ ...m, sql: `${m.sql}\n-- edited` }));
    await expect(migrate(db, { schema: 'shop_b', migrations: edited })).rejects.toMatchObject({ code: 'MIGRATION_CHANGED' });
  });

  it('a failing migration leaves nothing behind', async () => {
    const broken = [...MIGRATIONS, { version: 99, name: '099_broken', sql: 'CREATE TABLE half_done (id int); SELECT no_such_function();' }];
    await expect(migrate(db, { schema: 'shop_c', migrations: broken })).rejects.toThrow();
    const schemas = await db.query("SELECT 1 FROM information_schema.schemata WHERE schema_name = 'shop_c'");
    expect(schemas.rows).toHaveLength(0);
  });

  it('refuses a schema name that is not a plain identifier', async () => {
    await expect(migrate(db, { schema: 'x"; DROP TABLE y; --' })).rejects.toMatchObject({ code: 'INVALID_SCHEMA_NAME' });
  });

  it('checksums tell edited SQL apart', () => {
    expect(migrationChecksum('a')).not.toBe(migrationChecksum('b'));
    expect(migrationChecksum(MIGRATIONS[0]!.sql)).toBe(migrationChecksum(MIGRATIONS[0]!.sql));
  });
});

await describeRealPg('storage: migrate on the real PostgreSQL', (real) => {
  afterAll(async () => {
    await real.dispose();
  });

  it('eight instances migrating at once apply each migration exactly once', async () => {
    const pool = real.pool(10);
    const results = await Promise.all(Array.from({ length: 8 }, () => migrate(pool, { schema: real.schema })));
    const applied = results.flatMap((r) => r.applied);
    expect(applied.sort()).toEqual(MIGRATIONS.map((m) => m.version));
    const rows = await pool.query(`SELECT version FROM "${real.schema}".schema_migrations`);
    expect(rows.rowCount).toBe(MIGRATIONS.length);
  });
});
