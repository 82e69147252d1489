import { OrderkitError } from '../../errors/orderkit-error.js';
import { toSqlDriver, type PostgresDatabase } from './driver.js';
import { checkSchemaName, quoteIdent } from './identifiers.js';
import { MIGRATIONS, type Migration } from './migrations.js';

export interface MigrateOptions {
  /** The schema that holds orderkit's tables. Default 'orderkit'. */
  schema?: string;
  /** Override the list (tests only). Default: the migrations shipped with this version. */
  migrations?: readonly Migration[];
}

export interface MigrateResult {
  /** Versions applied by this call (empty when the schema was already current). */
  applied: number[];
  /** The schema's version afterwards. */
  version: number;
}

/**
 * FNV-1a over the SQL text: enough to notice a released migration that was edited later.
 *
 * @example
 * migrationChecksum(MIGRATIONS[0].sql) // '1c9e…' as stored in schema_migrations
 */
export function migrationChecksum(sql: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < sql.length; i++) {
    hash ^= sql.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(8, '0');
}

/**
 * Brings orderkit's tables in `schema` up to date, in one transaction. Safe to run from several
 * processes at once (each service instance may call it at start-up): an advisory lock lets one
 * migrate while the others wait and then find nothing to do.
 *
 * @example
 * const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL });
 * await migrate(pool);                      // or: await migrate(await PGlite.create())
 * const store = new PostgresOrderStore({ db: pool });
 */
export async function migrate(db: PostgresDatabase, options: MigrateOptions = {}): Promise<MigrateResult> {
  const schema = checkSchemaName(options.schema ?? 'orderkit');
  const migrations = [...(options.migrations ?? MIGRATIONS)].sort((a, b) => a.version - b.version);
  const driver = toSqlDriver(db);
  return driver.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`orderkit:migrate:${schema}`]);
    await tx.exec(
      `CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)};
       SET LOCAL search_path TO ${quoteIdent(schema)};
       CREATE TABLE IF NOT EXISTS schema_migrations (
         version integer PRIMARY KEY,
         name text NOT NULL,
         checksum text NOT NULL,
         applied_at timestamptz NOT NULL DEFAULT now()
       );`,
    );
    const done = await tx.query<{ version: number; checksum: string }>('SELECT version, checksum FROM schema_migrations ORDER BY version');
    const applied = new Map(done.rows.map((r) => [Number(r.version), r.checksum]));
    const newlyApplied: number[] = [];
    for (const migration of migrations) {
      const checksum = migrationChecksum(migration.sql);
      const prior = applied.get(migration.version);
      if (prior !== undefined) {
        if (prior !== checksum) throw changedMigration(migration);
        continue;
      }
      await tx.exec(migration.sql);
      await tx.query('INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)', [migration.version, migration.name, checksum]);
      newlyApplied.push(migration.version);
    }
    const versions = [...applied.keys(), ...newlyApplied];
    return { applied: newlyApplied, version: versions.length === 0 ? 0 : Math.max(...versions) };
  });
}

function changedMigration(migration: Migration): OrderkitError {
  return new OrderkitError({
    code: 'MIGRATION_CHANGED',
    message: {
      'zh-CN': `迁移 ${migration.name} 在执行之后被修改过；已发布的迁移不能修改，请新增一个迁移`,
      en: `migration ${migration.name} was edited after it had been applied; released migrations must not change, add a new one`,
    },
    details: { version: migration.version, name: migration.name },
  });
}
