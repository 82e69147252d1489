import { quoteIdent } from './identifiers.js';

/**
 * Every statement the store sends, built once per schema. Writes are single statements whose
 * data-modifying CTEs all hang off the one INSERT or compare-and-set UPDATE: PostgreSQL runs a
 * statement atomically, so the order row, its events, its outbox effects, its idempotency record
 * and (in 'in-transaction' notify mode) its NOTIFY are written together or not at all, in one
 * round trip and without BEGIN/COMMIT. A NOTIFY sent inside the statement is delivered only if it
 * commits; passing a null channel leaves it out (the store then notifies after the commit).
 */
export interface Statements {
  load: string;
  /** $1 an order number: the order row, as `load` reads it. */
  loadByNumber: string;
  versionOf: string;
  /** $1 an array of ids: the current version of each that exists. */
  versionsOf: string;
  numberHolder: string;
  create: string;
  commit: string;
  commitMany: string;
  /** $1 a JSON array of one order's consecutive commits (field n: their order), $2 channel. */
  commitChain: string;
  history: string;
  findDue: string;
  /** $1 now, $2 limit: the ids of due orders locked for the caller's transaction (sweepDue). */
  claimDue: string;
  /** $1 ids: the orders claimDue locked, as `load` reads them, earliest due first (sweepDue). */
  loadClaimed: string;
  /** $1 ids, $2 lease until: leases on claimed orders left unchanged (sweepDue). */
  leaseDue: string;
  findIdempotency: string;
  /** $1 a JSON array of effects, $2 available at: those whose id is new, written (enqueueEffects). */
  enqueue: string;
  claim: string;
  complete: string;
  fail: string;
  /** $1 an array of effect ids: leases released, the claim not counted. */
  release: string;
  listColumns: string;
  orders: string;
  /** $1 channel, $2 an array of payloads: the change feed's wake-ups sent after the commit, in order. */
  notifyAfter: string;
  /**
   * $1 xid, $2 seq (the position read last; '0', '0' for the start), $3 limit: the changes after it
   * that are below the horizon, as a JSON array, and whether committed changes wait above it.
   */
  changesSince: string;
  /** The last position below the horizon (none when the log is empty there). */
  feedHead: string;
}

/** The largest NOTIFY payload the store sends, in bytes (PostgreSQL's limit is 8000). */
export const NOTICE_BYTES = 7900;

export function statements(schema: string): Statements {
  const s = quoteIdent(schema);
  const orders = `${s}.orders`;
  const events = `${s}.order_events`;
  const outbox = `${s}.outbox`;
  const idem = `${s}.idempotency`;
  const leases = `${s}.due_leases`;
  const changes = `${s}.changes`;
  const tails = `${s}.order_tails`;
  const position = (alias: string) => `${alias}.xid::text AS xid, ${alias}.seq::text AS seq`;
  const lastEvent = (alias: string) => `(SELECT max(e.version) FROM ${events} e WHERE e.order_id = ${alias}.id) AS last_event`;
  /**
   * The change feed's horizon `h.xmin`: the oldest transaction that was still running when this
   * statement's snapshot was taken (`pg_snapshot_xip`), leaving out those that pg_stat_activity
   * shows running in another database, or the snapshot's `xmax` when none is left. A transaction
   * that ended between the snapshot and the read of pg_stat_activity, or whose database cannot be
   * seen (a role without pg_read_all_stats sees no other user's xid, a prepared transaction has no
   * backend), counts as this database's: the horizon can only be lower than needed, never higher.
   */
  const horizon = `snap AS (SELECT pg_current_snapshot() AS s),
      h AS (
        SELECT least(pg_snapshot_xmax(snap.s), (
          SELECT min(x) FROM pg_snapshot_xip(snap.s) AS x
          WHERE NOT EXISTS (
            SELECT 1 FROM pg_stat_activity a
            WHERE a.backend_xid = x::xid AND a.datid <> (SELECT d.oid FROM pg_database d WHERE d.datname = current_database()))
        )) AS xmin
        FROM snap
      )`;
  /**
   * The changes a write statement logged (its `ch` CTE), as the JSON text of an array of
   * [order id, version, status, at, xid, seq] in log order: the statement returns it (`fed`) and,
   * NOTIFYing inside the statement, sends it as the payload when it fits (PostgreSQL refuses
   * payloads of 8000 bytes or more; an empty payload then only wakes the listeners).
   */
  const fedColumns = 'order_id, version, status, at, xid, seq';
  const fed = `(SELECT coalesce(json_agg(json_build_array(ch.order_id, ch.version, ch.status, ch.at, ch.xid::text, ch.seq::text) ORDER BY ch.seq), '[]'::json)::text FROM ch)`;
  const notice = `(SELECT CASE WHEN octet_length(f.t) < ${NOTICE_BYTES} THEN f.t ELSE '' END FROM (SELECT ${fed} AS t) f)`;
  // The checksum is compared in the client over the text it receives: the server renders the
  // document once instead of twice.
  const intact = (alias: string) => `${alias}.doc_md5`;
  /**
   * The order's shipments and merchant notes kept as rows (docs/storage.md, "Shipments and notes as
   * rows"), as a text array of kind, md5 and entry text, by kind and position; null when none, and
   * not looked for when the document keeps its lists inline (most orders).
   */
  const tailRows = (alias: string) =>
    `CASE WHEN ${alias}.doc ? 'tails' THEN (SELECT array_agg(t.kind || t.doc_md5 || t.doc::text ORDER BY t.kind, t.idx) FROM ${tails} t WHERE t.order_id = ${alias}.id) END`;
  const read = (alias: string) => `${alias}.id, ${alias}.version, ${alias}.doc::text AS doc, ${intact(alias)}, ${lastEvent(alias)}, ${tailRows(alias)} AS tails`;
  /**
   * The list entries a write adds or changes (a JSON array of {k, i, d} from `source`), for the
   * order `id` of each row of `from`. A row already holding the same entry is left as it is.
   */
  const writeTails = (from: string, id: string, source: string) => `tl AS (
        INSERT INTO ${tails} AS t (order_id, kind, idx, doc, doc_md5)
        SELECT ${id}, e.value->>'k', (e.value->>'i')::int, e.value->'d', md5((e.value->'d')::text)
        FROM ${from}, jsonb_array_elements(coalesce(${source}, '[]'::jsonb)) AS e(value)
        ON CONFLICT (order_id, kind, idx) DO UPDATE SET doc = excluded.doc, doc_md5 = excluded.doc_md5
        WHERE t.doc_md5 <> excluded.doc_md5
        RETURNING 1
      )`;

  /**
   * What a create or a commit writes beside the order row, as CTEs hanging off `written` (the CTE
   * that inserted or updated it, so that nothing is written when it wrote nothing): the events
   * ($9), the outbox effects ($10, available at $6), the idempotency record ($11, null for none;
   * at `version`; $14 the request it answers), the change-feed row (status $4, `at` $13) and the
   * NOTIFY ($12 channel, null for none). The NOTIFY only wakes listeners; they read the changes
   * from the log (`changesSince`).
   */
  const alongside = (written: string, version: string) => `ev AS (
        INSERT INTO ${events} (order_id, version, seq, at, type, doc)
        SELECT ${written}.id, (e.value->>'version')::int, (e.n - 1)::int, (e.value->>'at')::timestamptz, e.value->>'type', e.value
        FROM ${written}, jsonb_array_elements($9::jsonb) WITH ORDINALITY AS e(value, n)
        RETURNING 1
      ), fx AS (
        INSERT INTO ${outbox} (id, order_id, type, doc, available_at)
        SELECT f.value->>'id', ${written}.id, f.value->>'type', f.value, $6
        FROM ${written}, jsonb_array_elements($10::jsonb) WITH ORDINALITY AS f(value, n)
        ORDER BY f.n
        RETURNING 1
      ), idem AS (
        INSERT INTO ${idem} (key, order_id, version, doc)
        SELECT $11::text, ${written}.id, ${version},
          jsonb_build_object('order', $16::jsonb, 'events', $9::jsonb, 'effects', $10::jsonb, 'request', $14::jsonb)
        FROM ${written} WHERE $11::text IS NOT NULL
        RETURNING 1
      ), ch AS (
        INSERT INTO ${changes} (order_id, version, status, at)
        SELECT ${written}.id, ${version}, $4::text, $13::text FROM ${written}
        RETURNING ${fedColumns}
      ), note AS (
        SELECT pg_notify($12, ${notice}) FROM ${written} WHERE $12::text IS NOT NULL
      ), ${writeTails(written, `${written}.id`, '$15::jsonb')}`;

  return {
    orders,
    listColumns: read('o'),
    load: `SELECT ${read('o')} FROM ${orders} o WHERE o.id = $1`,
    // Served by the UNIQUE constraint's index on number (migration 001).
    loadByNumber: `SELECT ${read('o')} FROM ${orders} o WHERE o.number = $1`,
    versionOf: `SELECT version FROM ${orders} WHERE id = $1`,
    versionsOf: `SELECT id, version FROM ${orders} WHERE id = ANY($1::text[])`,
    numberHolder: `SELECT id FROM ${orders} WHERE number = $1`,

    // $1 id, $2 number, $3 customer, $4 status, $5 created_at, $6 updated_at, $7 due_at, $8 doc,
    // $9 events, $10 effects, $11 idempotency key, $12 channel (null: no NOTIFY here), $13 at,
    // $14 the idempotency request (JSON, null for none), $15 the list entries to write (JSON),
    // $16 the whole order for the idempotency record (null without a key)
    create: `WITH ins AS (
        INSERT INTO ${orders} (id, number, customer_id, status, version, created_at, updated_at, due_at, doc, doc_md5)
        VALUES ($1, $2, $3, $4, 1, $5, $6, $7, $8::jsonb, md5($8::jsonb::text))
        ON CONFLICT DO NOTHING
        RETURNING id
      ), ${alongside('ins', '1')}
      SELECT (SELECT count(*) FROM ins)::int AS written, (SELECT count(*) FROM note)::int AS notified, ${fed} AS fed`,

    // $1 id, $2 expected, $3 version, $4 status, $5 customer, $6 updated_at, $7 due_at, $8 doc,
    // $9 events, $10 effects, $11 idempotency key, $12 channel (null: no NOTIFY here), $13 at,
    // $14 the idempotency request (JSON, null for none), $15 the list entries to write (JSON),
    // $16 the whole order for the idempotency record (null without a key)
    commit: `WITH upd AS (
        UPDATE ${orders}
        SET version = $3, status = $4, customer_id = $5, updated_at = $6, due_at = $7, doc = $8::jsonb, doc_md5 = md5($8::jsonb::text)
        WHERE id = $1 AND version = $2
        RETURNING id
      ), unlease AS (
        DELETE FROM ${leases} WHERE order_id = (SELECT id FROM upd)
      ), ${alongside('upd', '$3')}
      SELECT (SELECT count(*) FROM upd)::int AS written, (SELECT count(*) FROM note)::int AS notified, ${fed} AS fed`,

    // $1 a JSON array of commits, $2 channel (null: no NOTIFY here). A commit without `doc` carries
    // the fields that changed instead (`patch`, `unset`: sweepDue, whose orders are locked as read).
    commitMany: `WITH input AS (
        SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(
          id text, expected int, version int, status text, customer_id text, updated_at timestamptz,
          due_at timestamptz, doc jsonb, patch jsonb, unset text[], events jsonb, effects jsonb,
          idem_key text, idem_request jsonb, at text, tails jsonb, idem_doc jsonb)
      ), upd AS (
        UPDATE ${orders} o
        SET version = i.version, status = i.status, customer_id = i.customer_id, updated_at = i.updated_at,
            due_at = i.due_at,
            -- the new document computed once for the column and its checksum
            (doc, doc_md5) = (SELECT n.d, md5(n.d::text) FROM (SELECT coalesce(i.doc, (o.doc - i.unset) || i.patch) AS d) n)
        FROM input i
        WHERE o.id = i.id AND o.version = i.expected
        RETURNING o.id
      ), unlease AS (
        DELETE FROM ${leases} WHERE order_id = ANY(ARRAY(SELECT id FROM upd))
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
        SELECT ok.idem_key, ok.id, ok.version, jsonb_build_object('order', ok.idem_doc, 'events', ok.events, 'effects', ok.effects, 'request', ok.idem_request)
        FROM ok WHERE ok.idem_key IS NOT NULL
        RETURNING 1
      ), ch AS (
        INSERT INTO ${changes} (order_id, version, status, at)
        SELECT ok.id, ok.version, ok.status, ok.at FROM ok ORDER BY ok.updated_at, ok.id
        RETURNING ${fedColumns}
      ), ${writeTails('ok', 'ok.id', 'ok.tails')}, logged AS (
        SELECT ${fed} AS t
      ), note AS (
        -- the log rendered once (logged) for the payload and the result
        SELECT pg_notify($2, CASE WHEN octet_length(logged.t) < ${NOTICE_BYTES} THEN logged.t ELSE '' END)
        FROM (SELECT 1 FROM ok LIMIT 1) one, logged WHERE $2::text IS NOT NULL
      )
      SELECT (SELECT coalesce(json_agg(id), '[]'::json) FROM upd)::text AS ids, (SELECT count(*) FROM note)::int AS notified, (SELECT t FROM logged) AS fed`,

    // One order moved several versions in one statement (commitChain): one compare-and-set on the
    // first step's expected version writes the last step's row; every step keeps its own events,
    // effects, idempotency record and change-log row, in step order.
    commitChain: `WITH input AS (
        SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(
          n int, id text, expected int, version int, status text, customer_id text, updated_at timestamptz,
          due_at timestamptz, doc jsonb, events jsonb, effects jsonb, idem_key text, idem_request jsonb, at text, tails jsonb, idem_doc jsonb)
      ), first AS (
        SELECT * FROM input ORDER BY n LIMIT 1
      ), last AS (
        SELECT * FROM input ORDER BY n DESC LIMIT 1
      ), upd AS (
        UPDATE ${orders} o
        SET version = l.version, status = l.status, customer_id = l.customer_id, updated_at = l.updated_at,
            due_at = l.due_at, doc = l.doc, doc_md5 = md5(l.doc::text)
        FROM last l, first f
        WHERE o.id = l.id AND o.version = f.expected
        RETURNING o.id
      ), unlease AS (
        DELETE FROM ${leases} WHERE order_id = (SELECT id FROM upd)
      ), ok AS (
        SELECT i.* FROM input i WHERE EXISTS (SELECT 1 FROM upd)
      ), ev AS (
        INSERT INTO ${events} (order_id, version, seq, at, type, doc)
        SELECT ok.id, (e.value->>'version')::int, (e.n - 1)::int, (e.value->>'at')::timestamptz, e.value->>'type', e.value
        FROM ok, jsonb_array_elements(ok.events) WITH ORDINALITY AS e(value, n)
        RETURNING 1
      ), fx AS (
        INSERT INTO ${outbox} (id, order_id, type, doc, available_at)
        SELECT f.value->>'id', ok.id, f.value->>'type', f.value, ok.updated_at
        FROM ok, jsonb_array_elements(ok.effects) WITH ORDINALITY AS f(value, n)
        ORDER BY ok.n, f.n
        RETURNING 1
      ), idem AS (
        INSERT INTO ${idem} (key, order_id, version, doc)
        SELECT ok.idem_key, ok.id, ok.version, jsonb_build_object('order', ok.idem_doc, 'events', ok.events, 'effects', ok.effects, 'request', ok.idem_request)
        FROM ok WHERE ok.idem_key IS NOT NULL
        RETURNING 1
      ), ch AS (
        INSERT INTO ${changes} (order_id, version, status, at)
        SELECT ok.id, ok.version, ok.status, ok.at FROM ok ORDER BY ok.n
        RETURNING ${fedColumns}
      ), note AS (
        SELECT pg_notify($2, ${notice}) FROM upd WHERE $2::text IS NOT NULL
      ), ${writeTails('ok', 'ok.id', 'ok.tails')}
      SELECT (SELECT count(*) FROM upd)::int AS written, (SELECT count(*) FROM note)::int AS notified, ${fed} AS fed`,

    history: `SELECT doc::text AS doc FROM ${events} WHERE order_id = $1 ORDER BY version, seq`,

    // $1 now, $2 limit, $3 lease until. SKIP LOCKED: a sweeper never waits for another's rows.
    // A lease another sweeper committed after this statement's snapshot is invisible to the
    // NOT EXISTS, but ON CONFLICT sees it: the WHERE there takes over expired leases only.
    // `= ANY(ARRAY(…))` keeps the update on the primary key: a join there lets the planner pick a
    // hash join over the whole table, which grows with every order (and, for claim, every effect).
    findDue: `WITH picked AS (
        SELECT o.id FROM ${orders} o
        WHERE o.due_at IS NOT NULL AND o.due_at <= $1
          AND NOT EXISTS (SELECT 1 FROM ${leases} l WHERE l.order_id = o.id AND l.lease_until > $1)
        ORDER BY o.due_at, o.id
        LIMIT $2
        FOR UPDATE OF o SKIP LOCKED
      ), leased AS (
        INSERT INTO ${leases} (order_id, lease_until) SELECT id, $3 FROM picked
        ON CONFLICT (order_id) DO UPDATE SET lease_until = EXCLUDED.lease_until
        WHERE ${leases}.lease_until <= $1
        RETURNING order_id
      )
      SELECT ${read('o')}
      FROM ${orders} o WHERE o.id = ANY(ARRAY(SELECT order_id FROM leased))
      ORDER BY o.due_at, o.id`,

    // The claim of sweepDue: row locks held until its transaction commits the batch, so claims of
    // concurrent sweepers are disjoint (SKIP LOCKED) without writing a lease per order. Orders
    // another sweeper leased through findDue are left alone. It returns ids only: what a query
    // selects is computed for every row it passes, the rows it skips as locked included, so
    // rendering documents here would render every batch other sweepers hold (docs/storage.md
    // "Sweeping"); loadClaimed reads them once the locks are held.
    claimDue: `SELECT o.id
      FROM ${orders} o
      WHERE o.due_at IS NOT NULL AND o.due_at <= $1
        AND NOT EXISTS (SELECT 1 FROM ${leases} l WHERE l.order_id = o.id AND l.lease_until > $1)
      ORDER BY o.due_at, o.id
      LIMIT $2
      FOR UPDATE OF o SKIP LOCKED`,
    // A statement of its own after claimDue, so that its snapshot sees every row as locked (the
    // latest version, which the lock keeps until the transaction ends).
    loadClaimed: `SELECT ${read('o')}
      FROM ${orders} o WHERE o.id = ANY($1::text[])
      ORDER BY o.due_at, o.id`,
    leaseDue: `INSERT INTO ${leases} (order_id, lease_until) SELECT unnest($1::text[]), $2
      ON CONFLICT (order_id) DO UPDATE SET lease_until = EXCLUDED.lease_until`,

    findIdempotency: `SELECT key, order_id, version, doc::text AS doc FROM ${idem} WHERE key = $1`,

    // $1 now, $2 limit, $3 lease until, $4 this claim's lease token. Effects of one order leave in the order they were written:
    // an effect is claimed only together with every earlier open effect of its order, so a later
    // one waits while an earlier one is leased (being delivered, or its worker died) or failed
    // (waiting for its retry). `candidates` leaves out effects stuck behind such an earlier one
    // as this snapshot sees it, oldest first: `fail` keeps available_at from decreasing along an
    // order's open effects, so the limit never keeps a later effect without the earlier ones.
    // `picked` then drops any whose earlier sibling another claim locked or leased meanwhile (SKIP
    // LOCKED skipped it, or it failed the recheck of the lock): a claim with an older snapshot
    // never skips ahead of an effect it could not take itself.
    enqueue: `INSERT INTO ${outbox} (id, order_id, type, doc, available_at)
      SELECT f.value->>'id', f.value->>'orderId', f.value->>'type', f.value, $2
      FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS f(value, n)
      ORDER BY f.n
      ON CONFLICT (id) DO NOTHING
      RETURNING id`,
    claim: `WITH candidates AS (
        SELECT b.id, b.order_id, b.seq FROM ${outbox} b
        WHERE b.completed_at IS NULL AND b.available_at <= $1 AND (b.lease_until IS NULL OR b.lease_until <= $1)
          AND NOT EXISTS (
            SELECT 1 FROM ${outbox} p
            WHERE p.order_id = b.order_id AND p.seq < b.seq AND p.completed_at IS NULL
              AND (p.available_at > $1 OR p.lease_until > $1))
        ORDER BY b.available_at, b.seq
        LIMIT $2
        FOR UPDATE OF b SKIP LOCKED
      ), picked AS (
        SELECT c.id FROM candidates c
        WHERE NOT EXISTS (
          SELECT 1 FROM ${outbox} p
          WHERE p.order_id = c.order_id AND p.seq < c.seq AND p.completed_at IS NULL
            AND p.id NOT IN (SELECT id FROM candidates))
      )
      UPDATE ${outbox} b SET lease_until = $3, attempts = b.attempts + 1, lease_token = $4
      WHERE b.id = ANY(ARRAY(SELECT id FROM picked))
      RETURNING b.id, b.order_id, b.doc::text AS doc, b.attempts, b.last_error, b.available_at, b.seq::text AS seq`,

    notifyAfter: `SELECT count(pg_notify($1, p))::int AS sent FROM unnest($2::text[]) WITH ORDINALITY AS u(p, n)`,

    // Below the horizon: written by a transaction that had ended when this statement's snapshot
    // was taken, and older than every transaction of this database still running then, so every
    // change that could sort before it has committed (or rolled back) and is visible here. A
    // transaction running in ANOTHER database of the server never holds the horizon back: it
    // cannot write this database's log (docs/storage.md, "Change feed").
    changesSince: `WITH ${horizon},
      page AS (
        SELECT ${position('c')}, c.order_id, c.version, c.status, c.at
        FROM ${changes} c, h
        WHERE (c.xid, c.seq) > ($1::xid8, $2::bigint) AND c.xid < h.xmin
        ORDER BY c.xid, c.seq
        LIMIT $3
      )
      SELECT (SELECT coalesce(json_agg(page ORDER BY page.xid::xid8, page.seq::bigint), '[]'::json) FROM page)::text AS rows,
             EXISTS (SELECT 1 FROM ${changes} c, h WHERE c.xid >= h.xmin) AS held`,
    feedHead: `WITH ${horizon}
      SELECT ${position('c')} FROM ${changes} c, h
      WHERE c.xid < h.xmin
      ORDER BY c.xid DESC, c.seq DESC LIMIT 1`,

    // A lease token given (not NULL) must still be the effect's: a claim since wrote another one.
    release: `UPDATE ${outbox} b SET lease_until = NULL, attempts = greatest(b.attempts - 1, 0)
      FROM unnest($1::text[], $2::text[]) AS r(id, token)
      WHERE b.id = r.id AND b.completed_at IS NULL AND b.lease_until IS NOT NULL
        AND (r.token IS NULL OR b.lease_token = r.token)`,
    complete: `UPDATE ${outbox} SET completed_at = $2, lease_until = NULL
      WHERE id = $1 AND completed_at IS NULL AND ($3::text IS NULL OR lease_token = $3)`,
    // The later open effects of its order become available no earlier than it (they wait for it
    // anyway), which keeps claim's oldest-first order from ever putting them in front of it.
    fail: `WITH failed AS (
        UPDATE ${outbox} SET available_at = $2, lease_until = NULL, last_error = coalesce($3, last_error)
        WHERE id = $1 AND completed_at IS NULL AND ($4::text IS NULL OR lease_token = $4)
        RETURNING order_id, seq
      )
      UPDATE ${outbox} p SET available_at = $2
      FROM failed b
      WHERE p.order_id = b.order_id AND p.seq > b.seq AND p.completed_at IS NULL AND p.available_at < $2`,
  };
}
