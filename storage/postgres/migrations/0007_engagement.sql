-- Engagement rolled up from Redis, and the content alerts already sent.

-- One row per (kind, item, person): the roll-up may store the same event twice (a retry,
-- a requeue after a crash) and nothing changes.
CREATE TABLE engagement_events (
    id              BIGSERIAL PRIMARY KEY,
    kind            TEXT NOT NULL CHECK (kind IN ('open', 'click', 'like', 'dislike')),
    publication_id  BIGINT NOT NULL,
    content_id      BIGINT NOT NULL REFERENCES content_items (id) ON DELETE CASCADE,
    person          TEXT NOT NULL,
    -- The subscriber behind `person`, when it names one (channel readers are anonymous).
    subscriber_id   BIGINT REFERENCES publishing_subscribers (id) ON DELETE CASCADE,
    occurred_at     TIMESTAMPTZ NOT NULL,
    recorded_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (kind, content_id, person)
);
CREATE INDEX engagement_events_subscriber_idx
    ON engagement_events (subscriber_id, occurred_at DESC) WHERE subscriber_id IS NOT NULL;
CREATE INDEX engagement_events_publication_idx ON engagement_events (publication_id);

-- A content alert is decided once per (subscriber, item), whichever worker scans first.
CREATE TABLE subscriber_alerts (
    subscriber_id   BIGINT NOT NULL REFERENCES publishing_subscribers (id) ON DELETE CASCADE,
    content_id      BIGINT NOT NULL REFERENCES content_items (id) ON DELETE CASCADE,
    score           DOUBLE PRECISION NOT NULL,
    state           TEXT NOT NULL DEFAULT 'pending'
                    CHECK (state IN ('pending', 'published', 'capped')),
    created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (subscriber_id, content_id)
);
CREATE INDEX content_items_created_idx ON content_items (created_at DESC);
