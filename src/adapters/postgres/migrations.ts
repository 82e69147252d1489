/**
 * The SQL migrations, embedded so that they work from the bundle. `migrations/*.sql` hold the
 * same text for people who run SQL by hand; a test checks the two never drift apart.
 * Never edit a migration that has been released: add the next one.
 */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/**
 * The migrations in version order.
 *
 * @example
 * MIGRATIONS.map((m) => m.name) // ['001_init', '002_change_feed', '003_outbox_lease_token', '004_order_tails']
 */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: '001_init',
    sql: `-- orderkit 001: orders, their event log, the outbox and idempotency records.
-- Runs inside the schema chosen by migrate() (search_path is set to it for the migration).

CREATE TABLE orders (
  id          text COLLATE "C" PRIMARY KEY,
  number      text NOT NULL UNIQUE,
  customer_id text COLLATE "C" NOT NULL,
  status      text NOT NULL,
  version     integer NOT NULL CHECK (version >= 1),
  created_at  timestamptz NOT NULL,
  updated_at  timestamptz NOT NULL,
  -- the next timer (pay-by or auto-confirm), from nextDueAt(); null when nothing waits
  due_at      timestamptz,
  doc         jsonb NOT NULL,
  -- md5 of doc as the store wrote it: a document edited outside the store no longer matches and
  -- is checked against the Order schema in full before it is used
  doc_md5     text
);

-- findDue: a range scan over due orders only
CREATE INDEX orders_due_at_idx ON orders (due_at, id) WHERE due_at IS NOT NULL;
-- list: by customer, by status, or everything, newest or oldest first
CREATE INDEX orders_customer_created_idx ON orders (customer_id, created_at, id);
CREATE INDEX orders_status_created_idx ON orders (status, created_at, id);
CREATE INDEX orders_created_idx ON orders (created_at, id);

-- A sweeper's short lease on a due order, so that several sweepers split the work. Kept apart
-- from orders so that taking a lease writes a narrow row instead of a new version of the order.
CREATE TABLE due_leases (
  order_id    text COLLATE "C" PRIMARY KEY,
  lease_until timestamptz NOT NULL
);

CREATE TABLE order_events (
  order_id text COLLATE "C" NOT NULL,
  -- the order's version after the change
  version  integer NOT NULL,
  -- position within one commit (0 for the usual single event)
  seq      integer NOT NULL,
  at       timestamptz NOT NULL,
  type     text NOT NULL,
  doc      jsonb NOT NULL,
  PRIMARY KEY (order_id, version, seq)
);

CREATE TABLE outbox (
  -- the effect id, orderId:version:index
  id           text COLLATE "C" PRIMARY KEY,
  seq          bigserial NOT NULL,
  order_id     text COLLATE "C" NOT NULL,
  type         text NOT NULL,
  doc          jsonb NOT NULL,
  available_at timestamptz NOT NULL,
  lease_until  timestamptz,
  attempts     integer NOT NULL DEFAULT 0,
  completed_at timestamptz,
  last_error   text
);

-- claim: the oldest available effects that are not completed
CREATE INDEX outbox_pending_idx ON outbox (available_at, seq) WHERE completed_at IS NULL;

CREATE TABLE idempotency (
  key        text PRIMARY KEY,
  order_id   text COLLATE "C" NOT NULL,
  version    integer NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  -- the first result: { order, events, effects }
  doc        jsonb NOT NULL
);
`,
  },
  {
    version: 2,
    name: '002_change_feed',
    sql: `-- orderkit 002: the change feed's log, and the index that keeps outbox effects in order per order.
-- Runs inside the schema chosen by migrate() (search_path is set to it for the migration).
-- Upgrading an existing database: the log starts empty (changes committed before the upgrade are
-- not replayed), and the index is built over the outbox rows already there.

-- One row per committed create or commit, written in the same statement as the order row.
-- A change's position is (xid, seq): the writing transaction's id, then the order of writing.
-- Readers take only rows whose transaction is older than every transaction still running
-- (pg_snapshot_xmin of their snapshot), so nothing can later appear below a position already
-- read: a transaction still running, or started later, has an xid at or above that horizon.
-- docs/storage.md ("Change feed") explains the scheme.
CREATE TABLE changes (
  xid      xid8 NOT NULL DEFAULT pg_current_xact_id(),
  seq      bigserial NOT NULL,
  order_id text COLLATE "C" NOT NULL,
  version  integer NOT NULL,
  status   text NOT NULL,
  -- the order's updatedAt, exactly as the document holds it
  at       text NOT NULL,
  PRIMARY KEY (xid, seq)
);

-- claim: the earliest open effect of an order, so that a later effect waits for an earlier one
CREATE INDEX outbox_open_order_idx ON outbox (order_id, seq) WHERE completed_at IS NULL;
`,
  },
  {
    version: 3,
    name: '003_outbox_lease_token',
    sql: `-- orderkit 003: the outbox's lease token, naming the latest claim of each effect.
-- Runs inside the schema chosen by migrate() (search_path is set to it for the migration).
-- claim writes a new token on every effect it leases and hands it out with the entry; complete,
-- fail and release given a token change the effect only while it is still that token, so a worker
-- whose lease ran out and whose effect another worker claimed since changes nothing
-- (docs/storage.md, "Outbox"). Rows written before this migration have none (NULL) until their
-- next claim; calls without a token act as before.
ALTER TABLE outbox ADD COLUMN lease_token text;
`,
  },
  {
    version: 4,
    name: '004_order_tails',
    sql: `-- orderkit 004: an order's shipments and merchant notes as rows of their own.
-- Runs inside the schema chosen by migrate() (search_path is set to it for the migration).
-- Both lists only grow. Kept inside the order's document, every commit rewrote all of them, so a
-- commit cost more the longer the order's history (docs/storage.md, "Shipments and notes as
-- rows"). A commit now writes only the entries that are new; the document keeps their counts
-- ('tails') and a copy of the earliest parcel. Documents written before this migration keep their
-- lists inline and are read as they are; their next commit moves the lists here.
CREATE TABLE order_tails (
  order_id text    NOT NULL,
  -- 's' a shipment, 'n' a merchant note
  kind     text    NOT NULL CHECK (kind IN ('s', 'n')),
  -- the entry's position in its list, from 0
  idx      integer NOT NULL CHECK (idx >= 0),
  doc      jsonb   NOT NULL,
  -- md5 of the entry as the store wrote it (compared by the store when it reads the entry back)
  doc_md5  text    NOT NULL,
  PRIMARY KEY (order_id, kind, idx)
);
`,
  },
];
