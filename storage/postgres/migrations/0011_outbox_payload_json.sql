-- An outbox row's payload (Slack blocks, Discord embeds) is sent as it was rendered and
-- nothing queries inside it: json keeps the text as given, where jsonb parsed and
-- rebuilt every payload of every batch (a third of PostgreSQL's work in writing one).
ALTER TABLE delivery_outbox
    ALTER COLUMN payload DROP DEFAULT,
    ALTER COLUMN payload TYPE json USING payload::json,
    ALTER COLUMN payload SET DEFAULT '{}'::json;

DO $$
BEGIN
    ALTER TABLE delivery_outbox ALTER COLUMN payload SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported THEN
    RAISE NOTICE 'lz4 unavailable; delivery_outbox.payload keeps the default compression';
END $$;

-- Item rows name a subscriber or a channel, never both: each index needs only its own
-- rows (every lookup names one recipient), and a digest no longer writes a null entry
-- into the other.
DROP INDEX IF EXISTS publication_items_subscriber_idx;
CREATE INDEX publication_items_subscriber_idx
    ON publishing_publication_items (subscriber_id, fingerprint) WHERE subscriber_id IS NOT NULL;
DROP INDEX IF EXISTS publication_items_channel_idx;
CREATE INDEX publication_items_channel_idx
    ON publishing_publication_items (channel_id, fingerprint) WHERE channel_id IS NOT NULL;
