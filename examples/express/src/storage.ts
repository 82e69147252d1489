import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { migrate, migrateAnalytics, migrateInventory, PostgresInventory, PostgresOrderStore, type PostgresDatabase, type SqlDriver } from './orderkit/postgres.js';

/** Where the example keeps its orders, opened and migrated. */
export interface Storage {
  kind: 'pglite' | 'postgres';
  /** What the store and the SQL summary run on. */
  db: PostgresDatabase;
  store: PostgresOrderStore;
  /** The stock, in the same database: a placement holds its units in the order's own transaction (docs/inventory.md). */
  inventory: PostgresInventory;
  /** Where the data lives, for the start-up banner (the URL without its password). */
  where: string;
  /**
   * Runs `body` with a store whose writes all go into ONE transaction (the demo seeder: one
   * commit per batch instead of one per command is what makes seeding an embedded database fast).
   */
  batch<T>(body: (store: PostgresOrderStore) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export interface StorageOptions {
  /** PostgreSQL when set; otherwise embedded PGlite in `dataDir`. */
  databaseUrl?: string;
  /** Default './.orderkit-data'. `memory://` keeps PGlite in memory (tests). */
  dataDir?: string;
  schema?: string;
}

function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'DATABASE_URL';
  }
}

export async function openStorage(options: StorageOptions = {}): Promise<Storage> {
  const schema = options.schema ?? 'orderkit';
  if (options.databaseUrl) {
    const pool = new pg.Pool({ connectionString: options.databaseUrl, max: 10 });
    // An idle connection dropped by the server must not take the process down.
    pool.on('error', (error) => console.error('postgres pool error:', error.message));
    await migrate(pool, { schema });
    await migrateAnalytics(pool, { schema });
    await migrateInventory(pool, { schema });
    // NOTIFY after the commit, not inside it: PostgreSQL serialises every transaction that sent a
    // NOTIFY until its commit is flushed, and a placement (a create, which group commit does not
    // batch) would queue behind every other one. A wake-up lost to a crash between the two
    // statements is made up by the feed's poll; no change is lost (docs/storage.md, "Change feed").
    const store = new PostgresOrderStore({ db: pool, schema, notify: 'after-commit' });
    return {
      kind: 'postgres',
      db: pool,
      store,
      inventory: new PostgresInventory({ db: pool, schema }),
      where: redact(options.databaseUrl),
      async batch(body) {
        const client = await pool.connect();
        try {
          await client.query('BEGIN');
          const query = <R,>(text: string, params?: unknown[]) => client.query(text, params) as unknown as Promise<{ rows: R[] }>;
          const driver: SqlDriver = {
            query,
            transaction: (inner) => inner({ query, exec: async (s) => void (await client.query(s)) }),
            listen: () => Promise.reject(new Error('no LISTEN inside a batch')),
          };
          const result = await body(new PostgresOrderStore({ db: driver, schema }));
          await client.query('COMMIT');
          return result;
        } catch (error) {
          await client.query('ROLLBACK').catch(() => undefined);
          throw error;
        } finally {
          client.release();
        }
      },
      async close() {
        await store.close?.();
        await pool.end();
      },
    };
  }
  const dataDir = options.dataDir ?? './.orderkit-data';
  if (!dataDir.startsWith('memory://')) mkdirSync(dataDir, { recursive: true });
  const db = await PGlite.create(dataDir);
  await migrate(db, { schema });
  await migrateAnalytics(db, { schema });
  await migrateInventory(db, { schema });
  const store = new PostgresOrderStore({ db, schema });
  return {
    kind: 'pglite',
    db,
    store,
    inventory: new PostgresInventory({ db, schema }),
    where: dataDir,
    batch(body) {
      return db.transaction(async (tx) => {
        const driver: SqlDriver = {
          query: (text, params) => tx.query(text, params as unknown[]),
          transaction: (inner) => inner({ query: (t, p) => tx.query(t, p as unknown[]), exec: async (s) => void (await tx.exec(s)) }),
          listen: () => Promise.reject(new Error('no LISTEN inside a batch')),
        };
        return body(new PostgresOrderStore({ db: driver, schema }));
      });
    },
    async close() {
      await store.close?.();
      await db.close();
    },
  };
}
