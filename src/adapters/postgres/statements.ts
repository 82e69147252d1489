import { quoteIdent } from './identifiers.js';

/**
 * Every statement the store sends, built once per schema. Writes are single statements whose
 * data-modifying CTEs all hang off the one INSERT or compare-and-set UPDATE: PostgreSQL runs a
 * statement atomically, so the order row, its events, its outbox effects, its idempotency record
 * and its NOTIFY are written together or not at all, in one round trip and without BEGIN/COMMIT.
 * NOTIFY sent inside the statement is delivered only if it commits.
 */
export interface Statements {
  load: string;
  versionOf: string;
  numberHolder: string;
  create: string;
  commit: string;
  commitMany: string;
  history: string;
  findDue: string;
  findIdempotency: string;
  claim: string;
  complete: string;
  fail: string;
  listColumns: string;
  orders: string;
}

export function statements(schema: string): Statements {
  const s = quoteIdent(schema);
  const orders = `${s}.orders`;
  const events = `${s}.order_events`;
  const outbox = `${s}.outbox`;
  const idem = `${s}.idempotency`;
  const lastEvent = (alias: string) => `(SELECT max(e.version) FROM ${events} e WHERE e.order_id = ${alias}.id) AS last_event`;

  return {
    orders,
    listColumns: `o.id, o.version, o.doc::text AS doc, ${lastEvent('o')}`,
    load: `SELECT o.id, o.version, o.doc::text AS doc, ${lastEvent('o')} FROM ${orders} o WHERE o.id = $1`,
    versionOf: `SELECT version FROM ${orders} WHERE id = $1`,
    numberHolder: `SELECT id FROM ${orders} WHERE number = $1`,

    // $1 id, $2 number, $3 customer, $4 status, $5 created_at, $6 updated_at, $7 due_at, $8 doc,
    // $9 events, $10 effects, $11 idempotency key, $12 channel, $13 payload
    create: `WITH ins AS (
        INSERT INTO ${orders} (id, number, customer_id, status, version, created_at, updated_at, due_at, doc)
        VALUES ($1, $2, $3, $4, 1, $5, $6, $7, $8::jsonb)
        ON CONFLICT DO NOTHING
        RETURNING id
      ), ev AS (
        INSERT INTO ${events} (order_id, version, seq, at, type, doc)
        SELECT ins.id, (e.value->>'version')::int, (e.n - 1)::int, (e.value->>'at')::timestamptz, e.value->>'type', e.value
        FROM ins, jsonb_array_elements($9::jsonb) WITH ORDINALITY AS e(value, n)
        RETURNING 1
      ), fx AS (
        INSERT INTO ${outbox} (id, order_id, type, doc, available_at)
        SELECT f.value->>'id', ins.id, f.value->>'type', f.value, $6
        FROM ins, jsonb_array_elements($10::jsonb) WITH ORDINALITY AS f(value, n)
        ORDER BY f.n
        RETURNING 1
      ), idem AS (
        INSERT INTO ${idem} (key, order_id, version, doc)
        SELECT $11::text, ins.id, 1, jsonb_build_object('order', $8::jsonb, 'events', $9::jsonb, 'effects', $10::jsonb)
        FROM ins WHERE $11::text IS NOT NULL
        RETURNING 1
      ), note AS (
        SELECT pg_notify($12, $13) FROM ins
      )
      SELECT (SELECT count(*) FROM ins)::int AS written, (SELECT count(*) FROM note)::int AS notified`,

    // $1 id, $2 expected, $3 version, $4 status, $5 customer, $6 updated_at, $7 due_at, $8 doc,
    // $9 events, $10 effects, $11 idempotency key, $12 channel, $13 payload
    commit: `WITH upd AS (
        UPDATE ${orders}
        SET version = $3, status = $4, customer_id = $5, updated_at = $6, due_at = $7, due_lease_until = NULL, doc = $8::jsonb
        WHERE id = $1 AND version = $2
        RETURNING id
      ), ev AS (
        INSERT INTO ${events} (order_id, version, seq, at, type, doc)
        SELECT upd.id, (e.value->>'version')::int, (e.n - 1)::int, (e.value->>'at')::timestamptz, e.value->>'type', e.value
        FROM upd, jsonb_array_elements($9::jsonb) WITH ORDINALITY AS e(value, n)
        RETURNING 1
      ), fx AS (
        INSERT INTO ${outbox} (id, order_id, type, doc, available_at)
        SELECT f.value->>'id', upd.id, f.value->>'type', f.value, $6
        FROM upd, jsonb_array_elements($10::jsonb) WITH ORDINALITY AS f(value, n)
        ORDER BY f.n
        RETURNING 1
      ), idem AS (
        INSERT INTO ${idem} (key, order_id, version, doc)
        SELECT $11::text, upd.id, $3, jsonb_build_object('order', $8::jsonb, 'events', $9::jsonb, 'effects', $10::jsonb)
        FROM upd WHERE $11::text IS NOT NULL
        RETURNING 1
      ), note AS (
        SELECT pg_notify($12, $13) FROM upd
      )
      SELECT (SELECT count(*) FROM upd)::int AS written, (SELECT count(*) FROM note)::int AS notified`,

    // $1 a JSON array of commits, $2 channel
    commitMany: `WITH input AS (
        SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(
          id text, expected int, version int, status text, customer_id text, updated_at timestamptz,
          due_at timestamptz, doc jsonb, events jsonb, effects jsonb, idem_key text, note text)
      ), upd AS (
        UPDATE ${orders} o
        SET version = i.version, status = i.status, customer_id = i.customer_id, updated_at = i.updated_at,
            due_at = i.due_at, due_lease_until = NULL, doc = i.doc
        FROM input i
        WHERE o.id = i.id AND o.version = i.expected
        RETURNING o.id
      ), ok AS (
        SELECT i.* FROM input i JOIN upd ON upd.id = i.id
      ), ev AS (
        INSERT INTO ${events} (order_id, version, seq, at, type, doc)
        SELECT ok.id, (e.value->>'version')::int, (e.n - 1)::int, (e.value->>'at')::timestamptz, e.value->>'type', e.value
        FROM ok, jsonb_array_elements(ok.events) WITH ORDINALITY AS e(value, n)
        RETURNING 1
      ), fx AS (
        INSERT INTO ${outbox} (id, order_id, type, doc, available_at)
        SELECT f.value->>'id', ok.id, f.value->>'type', f.value, ok.updated_at
        FROM ok, jsonb_array_elements(ok.effects) WITH ORDINALITY AS f(value, n)
        ORDER BY ok.updated_at, ok.id, f.n
        RETURNING 1
      ), idem AS (
        INSERT INTO ${idem} (key, order_id, version, doc)
        SELECT ok.idem_key, ok.id, ok.version, jsonb_build_object('order', ok.doc, 'events', ok.events, 'effects', ok.effects)
        FROM ok WHERE ok.idem_key IS NOT NULL
        RETURNING 1
      ), note AS (
        SELECT pg_notify($2, ok.note) FROM ok
      )
      SELECT (SELECT coalesce(json_agg(id), '[]'::json) FROM upd)::text AS ids, (SELECT count(*) FROM note)::int AS notified`,

    history: `SELECT doc::text AS doc FROM ${events} WHERE order_id = $1 ORDER BY version, seq`,

    // $1 now, $2 limit, $3 lease until. SKIP LOCKED: a sweeper never waits for another's rows.
    findDue: `WITH picked AS (
        SELECT id FROM ${orders}
        WHERE due_at IS NOT NULL AND due_at <= $1 AND (due_lease_until IS NULL OR due_lease_until <= $1)
        ORDER BY due_at, id
        LIMIT $2
        FOR UPDATE SKIP LOCKED
      ), leased AS (
        UPDATE ${orders} o SET due_lease_until = $3 FROM picked WHERE o.id = picked.id
        RETURNING o.id, o.version, o.doc, o.due_at
      )
      SELECT l.id, l.version, l.doc::text AS doc, ${lastEvent('l')} FROM leased l ORDER BY l.due_at, l.id`,

    findIdempotency: `SELECT key, order_id, version, doc::text AS doc FROM ${idem} WHERE key = $1`,

    // $1 now, $2 limit, $3 lease until
    claim: `WITH picked AS (
        SELECT id FROM ${outbox}
        WHERE completed_at IS NULL AND available_at <= $1 AND (lease_until IS NULL OR lease_until <= $1)
        ORDER BY available_at, seq
        LIMIT $2
        FOR UPDATE SKIP LOCKED
      )
      UPDATE ${outbox} b SET lease_until = $3, attempts = b.attempts + 1
      FROM picked WHERE b.id = picked.id
      RETURNING b.id, b.order_id, b.doc::text AS doc, b.attempts, b.last_error, b.available_at, b.seq::text AS seq`,

    complete: `UPDATE ${outbox} SET completed_at = $2, lease_until = NULL WHERE id = $1 AND completed_at IS NULL`,
    fail: `UPDATE ${outbox} SET available_at = $2, lease_until = NULL, last_error = coalesce($3, last_error) WHERE id = $1 AND completed_at IS NULL`,
  };
}
