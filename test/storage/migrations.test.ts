import { readdirSync, readFileSync } from 'node:fs';
import type { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { MIGRATIONS, migrate, toSqlDriver } from '../../src/adapters/postgres/index.js';
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

  it('findByNumber is answered from an index: the number column is UNIQUE (migration 001), no sequential scan', async () => {
    const pool = real.pool(2);
    await migrate(pool, { schema: real.schema });
    const client = await pool.connect();
    try {
      // Planner statistics of an empty table would make any plan look fine: forbid the seq scan
      // and check an index on number is there to take its place.
      await client.query('BEGIN');
      await client.query('SET LOCAL enable_seqscan = off');
      const plan = await client.query(`EXPLAIN SELECT id FROM "${real.schema}".orders WHERE number = $1`, ['N1']);
      const text = plan.rows.map((r: Record<string, string>) => Object.values(r)[0]).join('\n');
      expect(text).toMatch(/Index (Only )?Scan using orders_number_key/);
      await client.query('ROLLBACK');
    } finally {
      client.release();
    }
  });
});
