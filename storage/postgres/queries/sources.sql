-- content_sources: feed and arXiv sources, who owns them, and their health.

-- name: insert_source
INSERT INTO content_sources (name, kind, url, owner_key, added_by, credibility)
VALUES ($1, $2, $3, $4, $5, $6)
RETURNING *;

-- Shared sources first, then the owner's own, by name.
-- name: sources_visible_to
SELECT * FROM content_sources
WHERE owner_key IS NULL OR owner_key = $1
ORDER BY owner_key NULLS FIRST, lower(name);

-- The owner's own source wins over a shared one of the same name.
-- name: source_by_name
SELECT * FROM content_sources
WHERE (owner_key IS NULL OR owner_key = $1) AND lower(name) = lower($2)
ORDER BY owner_key NULLS LAST
LIMIT 1;

-- name: source_by_url
SELECT * FROM content_sources
WHERE (owner_key IS NULL OR owner_key = $1) AND url = $2
ORDER BY owner_key NULLS LAST
LIMIT 1;

-- name: count_owned_sources
SELECT count(*) FROM content_sources WHERE owner_key = $1;

-- name: delete_source
DELETE FROM content_sources WHERE id = $1;

-- name: resume_source
UPDATE content_sources
SET status = 'active', paused_reason = NULL, consecutive_failures = 0,
    next_fetch_at = $2, updated_at = $2
WHERE id = $1
RETURNING *;

-- Due sources, each claimed by one worker for a lease; a worker that dies mid-fetch
-- frees its claims when the lease runs out.
-- name: claim_due_sources
UPDATE content_sources s
SET claimed_by = $1, claimed_until = $2::timestamptz + make_interval(secs => $4)
WHERE s.id IN (
    SELECT id FROM content_sources
    WHERE status = 'active' AND next_fetch_at <= $2
      AND (claimed_until IS NULL OR claimed_until < $2)
    ORDER BY next_fetch_at
    LIMIT $3
    FOR UPDATE SKIP LOCKED
)
RETURNING s.*;

-- $6: whether the response carried validators (a 200 replaces them; a 304 keeps them).
-- name: record_fetch_success
UPDATE content_sources
SET last_fetch_at = $2, last_success_at = $2, last_error = NULL, consecutive_failures = 0,
    etag = CASE WHEN $6 THEN $3 ELSE etag END,
    last_modified = CASE WHEN $6 THEN $4 ELSE last_modified END,
    next_fetch_at = $5, items_added = items_added + $7,
    claimed_by = NULL, claimed_until = NULL, updated_at = $2
WHERE id = $1;

-- $5: the pause reason when this failure pauses the source, else NULL.
-- name: record_fetch_failure
UPDATE content_sources
SET last_fetch_at = $2, last_error = $3, consecutive_failures = consecutive_failures + 1,
    next_fetch_at = $4,
    status = CASE WHEN $5::text IS NULL THEN status ELSE 'paused' END,
    paused_reason = COALESCE($5::text, paused_reason),
    claimed_by = NULL, claimed_until = NULL, updated_at = $2
WHERE id = $1;
