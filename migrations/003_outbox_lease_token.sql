-- orderkit 003: the outbox's lease token, naming the latest claim of each effect.
-- Runs inside the schema chosen by migrate() (search_path is set to it for the migration).
-- claim writes a new token on every effect it leases and hands it out with the entry; complete,
-- fail and release given a token change the effect only while it is still that token, so a worker
-- whose lease ran out and whose effect another worker claimed since changes nothing
-- (docs/storage.md, "Outbox"). Rows written before this migration have none (NULL) until their
-- next claim; calls without a token act as before.
ALTER TABLE outbox ADD COLUMN lease_token text;
