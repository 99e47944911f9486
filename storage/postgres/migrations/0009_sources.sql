-- Feed and arXiv sources with their health; items remember every URL they were seen at,
-- who may receive them, and carry a full-text search vector.

CREATE TABLE content_sources (
    id                    BIGSERIAL PRIMARY KEY,
    name                  TEXT NOT NULL,
    kind                  TEXT NOT NULL CHECK (kind IN ('feed', 'arxiv')),
    url                   TEXT NOT NULL,  -- a feed URL, or arxiv:QUERY
    -- NULL: shared by the workspace (admins manage it); else 'platform:user' of its owner.
    owner_key             TEXT,
    added_by              TEXT NOT NULL,
    credibility           DOUBLE PRECISION NOT NULL DEFAULT 0.5
                          CHECK (credibility >= 0 AND credibility <= 1),
    status                TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'paused')),
    paused_reason         TEXT,
    etag                  TEXT,
    last_modified         TEXT,
    last_fetch_at         TIMESTAMPTZ,
    last_success_at       TIMESTAMPTZ,
    last_error            TEXT,
    consecutive_failures  INTEGER NOT NULL DEFAULT 0,
    items_added           INTEGER NOT NULL DEFAULT 0,
    next_fetch_at         TIMESTAMPTZ NOT NULL DEFAULT now(),
    claimed_by            TEXT,
    claimed_until         TIMESTAMPTZ,
    created_at            TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at            TIMESTAMPTZ NOT NULL DEFAULT now()
);
-- Names and URLs are unique among the shared sources and among each owner's own.
CREATE UNIQUE INDEX content_sources_name_key
    ON content_sources (COALESCE(owner_key, ''), lower(name));
CREATE UNIQUE INDEX content_sources_url_key
    ON content_sources (COALESCE(owner_key, ''), url);
CREATE INDEX content_sources_due_idx
    ON content_sources (next_fetch_at) WHERE status = 'active';

ALTER TABLE content_items
    ADD COLUMN source_id BIGINT REFERENCES content_sources (id) ON DELETE SET NULL,
    ADD COLUMN arxiv_id TEXT,
    -- NULL: anyone may get the item; else only these owners of the private sources
    -- that carried it ('platform:user').
    ADD COLUMN private_to TEXT[],
    ADD COLUMN search tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('english', title), 'A')
        || setweight(to_tsvector('english', summary), 'B')
    ) STORED;
CREATE INDEX content_items_search_idx ON content_items USING GIN (search);
CREATE INDEX content_items_arxiv_idx ON content_items (arxiv_id) WHERE arxiv_id IS NOT NULL;

-- Every normalised URL an item was seen at: a re-fetch finds its URLs here and adds
-- nothing, and a near-duplicate from a second source is merged under its own URL.
CREATE TABLE content_item_urls (
    url         TEXT PRIMARY KEY,
    content_id  BIGINT NOT NULL REFERENCES content_items (id) ON DELETE CASCADE,
    source_id   BIGINT REFERENCES content_sources (id) ON DELETE SET NULL,
    seen_at     TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX content_item_urls_content_idx ON content_item_urls (content_id);
