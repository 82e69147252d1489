-- orderkit 004: an order's shipments and merchant notes as rows of their own.
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
