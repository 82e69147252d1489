/**
 * Real PostgreSQL for tests. `DATABASE_URL` names the server; without it the suites that need one
 * are skipped, each named on the console and in a file (`ORDERKIT_PG_SKIPS`, set by `npm test`,
 * which lists them at the end). With `REQUIRE_PG=1` (CI) a missing or unreachable server fails them.
 *
 * Every test file works in a schema of its own, created here and dropped afterwards, so files that
 * vitest runs in parallel never see each other's rows or notifications.
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { migrate } from '../../src/adapters/postgres/index.js';

export const DATABASE_URL = process.env.DATABASE_URL;
export const REQUIRE_PG = process.env.REQUIRE_PG === '1';
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
// `npm test` names a file of its own (ORDERKIT_PG_SKIPS) and lists it at the end.
const SKIP_FILE = join(ROOT, process.env.ORDERKIT_PG_SKIPS ?? join('.cache', 'pg-skipped.txt'));

export interface RealPg {
  url: string;
  /** A schema name no other test file uses. */
  schema: string;
  /** Opens a pool on the server (closed by `dispose`). */
  pool(max?: number): pg.Pool;
  dispose(): Promise<void>;
}

let counter = 0;

/** A unique, valid schema name for this process and label. */
export function uniqueSchema(label: string): string {
  counter += 1;
  const slug = label.toLowerCase().replace(/[^a-z0-9]+/g, '_').slice(0, 20);
  return `okt_${slug}_${process.pid}_${counter}`;
}

async function reachable(url: string): Promise<string | null> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return null;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * Connects to the real server or explains why not. Returns null when the suite should be
 * skipped; throws when REQUIRE_PG=1 and there is no usable server.
 */
export async function connectRealPg(label: string): Promise<RealPg | { unavailable: string }> {
  if (!DATABASE_URL) return { unavailable: 'DATABASE_URL is not set' };
  const problem = await reachable(DATABASE_URL);
  if (problem !== null) return { unavailable: `cannot reach DATABASE_URL (${problem})` };
  const url = DATABASE_URL;
  const schema = uniqueSchema(label);
  const pools: pg.Pool[] = [];
  return {
    url,
    schema,
    pool(max = 10) {
      const p = new pg.Pool({ connectionString: url, max });
      // A connection killed on purpose (fault tests) must not crash the process from the idle pool.
      p.on('error', () => undefined);
      pools.push(p);
      return p;
    },
    async dispose() {
      const admin = new pg.Client({ connectionString: url });
      await admin.connect();
      try {
        await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      } finally {
        await admin.end();
      }
      await Promise.all(pools.splice(0).map((p) => p.end().catch(() => undefined)));
    },
  };
}

function recordSkip(name: string, why: string): void {
  const line = `${name} — ${why}`;
  console.warn(`[skipped: needs PostgreSQL] ${line}`);
  try {
    mkdirSync(dirname(SKIP_FILE), { recursive: true });
    appendFileSync(SKIP_FILE, `${line}\n`);
  } catch {
    // the summary is a convenience; the console line above already names the suite
  }
}

/**
 * Declares a suite that needs the real server. `body` gets the connection once it is known to
 * work. Without a server the suite is skipped (and recorded), or fails under REQUIRE_PG=1.
 */
export async function describeRealPg(name: string, body: (db: RealPg) => void): Promise<void> {
  const db = await connectRealPg(name);
  if ('unavailable' in db) {
    if (REQUIRE_PG) {
      describe(name, () => {
        it('needs a real PostgreSQL (REQUIRE_PG=1)', () => {
          throw new Error(`REQUIRE_PG=1 but ${db.unavailable}: "${name}" cannot run`);
        });
      });
    } else {
      recordSkip(name, db.unavailable);
      describe.skip(`${name} (skipped: ${db.unavailable})`, () => {
        it('needs PostgreSQL', () => undefined);
      });
    }
    return;
  }
  describe(name, () => body(db));
}

/**
 * Inside a `describeRealPg` body: a pool of `max` connections with orderkit's tables migrated into
 * the file's schema before the tests, and everything closed after them. Call the getter in a test.
 *
 * @example
 * await describeRealPg('my suite', (real) => {
 *   const pool = migratedPool(real);
 *   it('…', async () => { await pool().query('select 1'); });
 * });
 */
export function migratedPool(real: RealPg, max = 8): () => pg.Pool {
  let pool: pg.Pool | undefined;
  beforeAll(async () => {
    pool = real.pool(max);
    await migrate(pool, { schema: real.schema });
  });
  afterAll(async () => {
    await real.dispose();
  });
  return () => {
    if (pool === undefined) throw new Error('migratedPool: the pool opens in beforeAll; use it inside a test');
    return pool;
  };
}
