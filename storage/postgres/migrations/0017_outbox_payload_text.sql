-- An outbox row's payload is JSON text written once and read back whole (0011 made it
-- json, not jsonb, for that). Plain text skips json's validation too, which re-parsed
-- every Slack and Discord payload of a batch: ~20 µs a row, a tenth of PostgreSQL's work
-- in writing one. storage/postgres/outbox.py and publications.py (de)serialise it.
ALTER TABLE delivery_outbox
    ALTER COLUMN payload DROP DEFAULT,
    ALTER COLUMN payload TYPE text USING payload::text,
    ALTER COLUMN payload SET DEFAULT '{}';

DO $$
BEGIN
    ALTER TABLE delivery_outbox ALTER COLUMN payload SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported THEN
    RAISE NOTICE 'lz4 unavailable; delivery_outbox.payload keeps the default compression';
END $$;
