-- orderkit 002: the change feed's log, and the index that keeps outbox effects in order per order.
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
