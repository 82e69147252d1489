import type { PostgresOrderStore } from '../../src/adapters/postgres/index.js';
import type { StoreTamper } from '../../src/testing/index.js';

interface Queryable {
  query(text: string, params?: unknown[]): Promise<unknown>;
}

/** Empties orderkit's tables in `schema` (faster than a new database per test). */
export async function truncateAll(db: Queryable, schema: string): Promise<void> {
  await db.query(
    `TRUNCATE "${schema}".orders, "${schema}".order_events, "${schema}".outbox, "${schema}".idempotency, "${schema}".due_leases, "${schema}".changes, "${schema}".order_tails RESTART IDENTITY`,
  );
}

/** Damages rows the way a bad migration, a hand edit or a restored backup would. */
export function pgTamperFor(db: Queryable): StoreTamper<PostgresOrderStore> {
  return {
    async replaceDocument(store, orderId, text) {
      await db.query(`UPDATE "${store.schema}".orders SET doc = $2::jsonb WHERE id = $1`, [orderId, text]);
    },
    async rewindVersion(store, orderId, version) {
      await db.query(
        `UPDATE "${store.schema}".orders SET version = $2, doc = jsonb_set(doc, '{version}', to_jsonb($2::int)) WHERE id = $1`,
        [orderId, version],
      );
    },
  };
}
