-- The walking skeleton's schema: subscribers, channels, content, publications, outbox, templates.

CREATE TABLE publishing_subscribers (
    id                  BIGSERIAL PRIMARY KEY,
    name                TEXT NOT NULL,
    email               TEXT,
    dispatch_type       TEXT NOT NULL DEFAULT 'console'
                        CHECK (dispatch_type IN ('slack', 'discord', 'email', 'console')),
    platform            TEXT NOT NULL,
    platform_user_id    TEXT NOT NULL,
    slack_team_id       TEXT,
    status              TEXT NOT NULL DEFAULT 'active'
                        CHECK (status IN ('active', 'paused', 'unsubscribed')),
    frequency           TEXT NOT NULL DEFAULT 'daily'
                        CHECK (frequency IN ('daily', 'weekly', 'bi-weekly', 'monthly')),
    frequency_settings  JSONB NOT NULL DEFAULT '{}'::jsonb,
    ai_metadata         JSONB NOT NULL DEFAULT '{}'::jsonb,
    paused_until        TIMESTAMPTZ,
    last_digest_at      TIMESTAMPTZ,
    next_due_at         TIMESTAMPTZ,
    last_outcome        TEXT,
    claimed_by          TEXT,
    claimed_until       TIMESTAMPTZ,
    created_at          TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at          TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (platform, platform_user_id)
);
-- The scheduler's claim scans active subscribers by due time.
CREATE INDEX publishing_subscribers_due_idx
    ON publishing_subscribers (next_due_at) WHERE status = 'active';

CREATE TABLE publishing_channels (
    id                  BIGSERIAL PRIMARY KEY,
    platform            TEXT NOT NULL CHECK (platform IN ('slack', 'discord', 'email')),
    platform_channel_id TEXT NOT NULL,
    team_id             TEXT,
    name                TEXT NOT NULL,
    created_by          TEXT NOT NULL,
    status              TEXT NOT NULL DEFAULT 'active'
                        CHECK (status IN ('active', 'paused', 'unsubscribed')),
    frequency           TEXT NOT NULL DEFAULT 'weekly'
                        CHECK (frequency IN ('daily', 'weekly', 'bi-weekly', 'monthly')),
    frequency_settings  JSONB NOT NULL DEFAULT '{}'::jsonb,
    ai_metadata         JSONB NOT NULL DEFAULT '{}'::jsonb,
    last_digest_at      TIMESTAMPTZ,
    next_due_at         TIMESTAMPTZ,
    claimed_by          TEXT,
    claimed_until       TIMESTAMPTZ,
    created_at          TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at          TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (platform, platform_channel_id)
);
CREATE INDEX publishing_channels_due_idx
    ON publishing_channels (next_due_at) WHERE status = 'active';

CREATE TABLE content_items (
    id              BIGSERIAL PRIMARY KEY,
    title           TEXT NOT NULL,
    summary         TEXT NOT NULL DEFAULT '',
    url             TEXT NOT NULL UNIQUE,
    source          TEXT NOT NULL,
    content_type    TEXT NOT NULL DEFAULT 'paper',
    published_at    TIMESTAMPTZ NOT NULL,
    ai_scores       JSONB NOT NULL DEFAULT '{}'::jsonb,
    entities        JSONB NOT NULL DEFAULT '{}'::jsonb,
    -- Normalised title tokens: the same story from two sources shares one fingerprint.
    fingerprint     TEXT NOT NULL,
    created_at      TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX content_items_published_idx ON content_items (published_at DESC);
CREATE INDEX content_items_fingerprint_idx ON content_items (fingerprint);
CREATE INDEX content_items_topics_idx ON content_items USING GIN ((entities -> 'topics'));

CREATE TABLE publishing_templates (
    id              BIGSERIAL PRIMARY KEY,
    name            TEXT NOT NULL UNIQUE,      -- e.g. 'email.html', 'console.txt'
    output_format   TEXT NOT NULL,             -- console | email | slack | discord
    style           TEXT NOT NULL DEFAULT 'any',
    body            TEXT NOT NULL,
    version         INTEGER NOT NULL DEFAULT 1,
    updated_at      TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE publishing_publications (
    id              BIGSERIAL PRIMARY KEY,
    subscriber_id   BIGINT REFERENCES publishing_subscribers (id) ON DELETE CASCADE,
    channel_id      BIGINT REFERENCES publishing_channels (id) ON DELETE CASCADE,
    -- The slot this digest serves; one publication per recipient and slot.
    period_key      TEXT NOT NULL,
    template_name   TEXT NOT NULL,
    outcome         TEXT NOT NULL DEFAULT 'digest'
                    CHECK (outcome IN ('digest', 'empty-note', 'empty-silent')),
    item_count      INTEGER NOT NULL DEFAULT 0,
    considered      INTEGER NOT NULL DEFAULT 0,
    created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    CHECK ((subscriber_id IS NULL) <> (channel_id IS NULL))
);
CREATE UNIQUE INDEX publishing_publications_subscriber_period_key
    ON publishing_publications (subscriber_id, period_key) WHERE subscriber_id IS NOT NULL;
CREATE UNIQUE INDEX publishing_publications_channel_period_key
    ON publishing_publications (channel_id, period_key) WHERE channel_id IS NOT NULL;
CREATE INDEX publishing_publications_created_idx
    ON publishing_publications (subscriber_id, created_at DESC);

CREATE TABLE publishing_publication_items (
    publication_id  BIGINT NOT NULL REFERENCES publishing_publications (id) ON DELETE CASCADE,
    content_id      BIGINT NOT NULL REFERENCES content_items (id) ON DELETE CASCADE,
    subscriber_id   BIGINT,
    channel_id      BIGINT,
    fingerprint     TEXT NOT NULL,
    rank            INTEGER NOT NULL,
    score           DOUBLE PRECISION NOT NULL,
    ai_scores       JSONB NOT NULL DEFAULT '{}'::jsonb,
    reasons         JSONB NOT NULL DEFAULT '[]'::jsonb,
    PRIMARY KEY (publication_id, content_id)
);
-- "Never an item twice": assembly looks up what a recipient already got.
CREATE INDEX publication_items_subscriber_idx
    ON publishing_publication_items (subscriber_id, fingerprint);
CREATE INDEX publication_items_channel_idx
    ON publishing_publication_items (channel_id, fingerprint);

CREATE TABLE delivery_outbox (
    id               BIGSERIAL PRIMARY KEY,
    publication_id   BIGINT REFERENCES publishing_publications (id) ON DELETE CASCADE,
    subscriber_id    BIGINT,
    channel_id       BIGINT,
    destination      TEXT NOT NULL,
    address          TEXT NOT NULL,
    idempotency_key  TEXT NOT NULL UNIQUE,
    subject          TEXT NOT NULL DEFAULT '',
    body_text        TEXT NOT NULL DEFAULT '',
    body_html        TEXT,
    payload          JSONB NOT NULL DEFAULT '{}'::jsonb,
    state            TEXT NOT NULL DEFAULT 'pending'
                     CHECK (state IN ('pending', 'sending', 'sent', 'failed',
                                      'reconcile', 'suppressed', 'superseded')),
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    claimed_by       TEXT,
    claimed_until    TIMESTAMPTZ,
    last_error       TEXT,
    provider_message_id TEXT,
    -- For a fallback row: the outbox row whose permanent failure it replaces.
    fallback_of      BIGINT REFERENCES delivery_outbox (id),
    created_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    sent_at          TIMESTAMPTZ
);
CREATE INDEX delivery_outbox_ready_idx
    ON delivery_outbox (next_attempt_at) WHERE state IN ('pending', 'sending');
CREATE INDEX delivery_outbox_publication_idx ON delivery_outbox (publication_id);

CREATE TABLE delivery_attempts (
    id               BIGSERIAL PRIMARY KEY,
    outbox_id        BIGINT NOT NULL REFERENCES delivery_outbox (id) ON DELETE CASCADE,
    attempt          INTEGER NOT NULL,
    outcome          TEXT NOT NULL,
    detail           TEXT NOT NULL DEFAULT '',
    retry_after      DOUBLE PRECISION,
    worker           TEXT,
    created_at       TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX delivery_attempts_outbox_idx ON delivery_attempts (outbox_id);

CREATE TABLE delivery_suppressions (
    destination     TEXT NOT NULL,
    address         TEXT NOT NULL,
    reason          TEXT NOT NULL,
    created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (destination, address)
);
