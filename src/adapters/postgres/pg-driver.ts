import type { PgPoolClientLike, PgPoolLike, SqlDriver, SqlTransaction } from './sql-types.js';
import { quoteIdent } from './identifiers.js';

/** How long the change-feed connection waits before reconnecting after it was lost. */
const RECONNECT_MS = 250;

/**
 * Statement names for pg's per-connection prepared statements. Every parameterised statement the
 * store sends comes from a small fixed set of texts, so naming each after a hash of its text
 * saves parsing and planning on every call without ever growing without bound.
 */
const names = new Map<string, string>();
function statementName(text: string): string {
  let name = names.get(text);
  if (name === undefined) {
    let hash = 0x811c9dc5;
    for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193) >>> 0;
    name = `orderkit_${hash.toString(36)}_${text.length.toString(36)}`;
    if (names.size < 1000) names.set(text, name);
  }
  return name;
}

/**
 * The driver for a `pg.Pool`: statements go to any pooled connection; a transaction holds one
 * connection from BEGIN to COMMIT; LISTEN keeps one connection of its own for as long as anybody
 * listens, and reconnects when the server drops it.
 *
 * `prepare: false` sends every statement unnamed, so the server plans it with its values each
 * time. The analyses read ranges whose best plan depends on the range: a named statement is
 * planned once without them after five runs on a connection (PostgreSQL's generic plan), which
 * made customersSql over 30 days at 1,000,000 orders take 95–180 ms instead of 19 ms
 * (docs/analytics.md "Speed at scale").
 */
export function pgPoolDriver(pool: PgPoolLike, options: { prepare?: boolean } = {}): SqlDriver {
  const prepare = options.prepare !== false;
  const named = (params: unknown[] | undefined) => prepare && params !== undefined && params.length > 0;
  return {
    query: (text, params) => (named(params) ? pool.query({ name: statementName(text), text, values: params }) : pool.query(text, params)),
    async transaction(body) {
      const client = await pool.connect();
      // A connection that failed mid-transaction is destroyed, never returned to the pool half-open.
      let broken: Error | undefined;
      try {
        await client.query('BEGIN');
        const tx: SqlTransaction = {
          // Named as on the pool: a sweep's claim and commit are planned once per connection.
          query: (text, params) => (named(params) ? client.query({ name: statementName(text), text, values: params! }) : client.query(text, params)),
          exec: async (script) => {
            await client.query(script);
          },
        };
        const result = await body(tx);
        await client.query('COMMIT');
        return result;
      } catch (error) {
        try {
          await client.query('ROLLBACK');
        } catch (rollbackError) {
          broken = rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
        }
        throw error;
      } finally {
        client.release(broken);
      }
    },
    listen: (channel, onPayload, onReconnect) => listenOnPool(pool, channel, onPayload, onReconnect),
  };
}

async function listenOnPool(
  pool: PgPoolLike,
  channel: string,
  onPayload: (payload: string) => void,
  onReconnect?: () => void,
): Promise<() => Promise<void>> {
  let stopped = false;
  let current: PgPoolClientLike | null = null;
  let timer: ReturnType<typeof setTimeout> | undefined;

  const reconnectLater = (): void => {
    if (stopped) return;
    timer = setTimeout(() => {
      open().then(() => {
        if (!stopped) onReconnect?.();
      }, reconnectLater);
    }, RECONNECT_MS);
    (timer as { unref?: () => void }).unref?.();
  };

  async function open(): Promise<void> {
    const client = await pool.connect();
    client.on('notification', (message) => {
      if (message.channel === channel && typeof message.payload === 'string') onPayload(message.payload);
    });
    const lost = () => {
      if (current !== client) return;
      current = null;
      client.release(true);
      reconnectLater();
    };
    client.on('error', lost);
    client.on('end', lost);
    try {
      await client.query(`LISTEN ${quoteIdent(channel)}`);
    } catch (error) {
      client.release(true);
      throw error;
    }
    if (stopped) {
      client.release(true);
      return;
    }
    current = client;
  }

  await open();
  return async () => {
    stopped = true;
    if (timer !== undefined) clearTimeout(timer);
    const client = current;
    current = null;
    if (!client) return;
    try {
      await client.query(`UNLISTEN ${quoteIdent(channel)}`);
      client.removeAllListeners?.('notification');
      client.release();
    } catch {
      client.release(true);
    }
  };
}
