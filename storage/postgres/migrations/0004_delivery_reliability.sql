-- Delivery reliability: know whether a claimed send ever started, record each wait, and
-- let old outbox rows be pruned even when a fallback row points at them.

-- Set just before a deliverer is called. A lease that expires with this still NULL
-- means the send never began, so the row is simply retried; otherwise the outcome is
-- unknown and destinations without idempotency of their own go to reconciliation.
ALTER TABLE delivery_outbox ADD COLUMN send_started_at TIMESTAMPTZ;

-- The wait chosen after a transient failure (backoff with jitter, at least Retry-After).
ALTER TABLE delivery_attempts ADD COLUMN wait_seconds DOUBLE PRECISION;

-- A suppressed or failed original may be pruned while its email fallback stays.
ALTER TABLE delivery_outbox DROP CONSTRAINT delivery_outbox_fallback_of_fkey;
ALTER TABLE delivery_outbox ADD CONSTRAINT delivery_outbox_fallback_of_fkey
    FOREIGN KEY (fallback_of) REFERENCES delivery_outbox (id) ON DELETE SET NULL;

-- Housekeeping finds leftover claims without scanning every subscriber.
CREATE INDEX publishing_subscribers_claimed_idx
    ON publishing_subscribers (claimed_until) WHERE claimed_until IS NOT NULL;
CREATE INDEX publishing_channels_claimed_idx
    ON publishing_channels (claimed_until) WHERE claimed_until IS NOT NULL;
-- Pruning scans finished rows by age.
CREATE INDEX delivery_outbox_created_idx ON delivery_outbox (created_at);
