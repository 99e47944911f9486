-- publishing_subscribers: profiles, keyed by platform identity.

-- name: get_subscriber
SELECT * FROM publishing_subscribers WHERE id = $1;

-- name: find_subscriber_by_identity
SELECT * FROM publishing_subscribers WHERE platform = $1 AND platform_user_id = $2;

-- last_digest_at and last_outcome belong to the publication ledger once the row
-- exists: a save from a stale copy must not move them backwards.
-- name: save_subscriber
INSERT INTO publishing_subscribers AS s (
    name, email, dispatch_type, platform, platform_user_id, slack_team_id,
    status, frequency, frequency_settings, ai_metadata,
    paused_until, last_digest_at, next_due_at, last_outcome
) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
ON CONFLICT (platform, platform_user_id) DO UPDATE SET
    name               = EXCLUDED.name,
    email              = EXCLUDED.email,
    dispatch_type      = EXCLUDED.dispatch_type,
    slack_team_id      = EXCLUDED.slack_team_id,
    status             = EXCLUDED.status,
    frequency          = EXCLUDED.frequency,
    frequency_settings = EXCLUDED.frequency_settings,
    ai_metadata        = EXCLUDED.ai_metadata,
    paused_until       = EXCLUDED.paused_until,
    next_due_at        = EXCLUDED.next_due_at,
    last_digest_at     = GREATEST(s.last_digest_at, EXCLUDED.last_digest_at),
    last_outcome       = COALESCE(s.last_outcome, EXCLUDED.last_outcome),
    updated_at         = now()
RETURNING *;

-- name: count_subscribers_by_status
SELECT status, count(*) AS n FROM publishing_subscribers GROUP BY status;

-- The engagement roll-up rewrites only learned_preferences, so a profile edit made
-- meanwhile (a new prompt, a style) is never lost to a stale copy.
-- name: set_learned_preferences
UPDATE publishing_subscribers
SET ai_metadata = jsonb_set(ai_metadata, '{learned_preferences}', $2::jsonb),
    updated_at = now()
WHERE id = $1;

-- Active subscribers who opted in to real-time alerts (the alert scanner).
-- name: alert_subscribers
SELECT * FROM publishing_subscribers
WHERE status = 'active'
  AND coalesce((ai_metadata -> 'alerts' ->> 'enabled')::boolean, false)
ORDER BY id;

-- name: list_subscribers_page
SELECT * FROM publishing_subscribers ORDER BY id LIMIT $1 OFFSET $2;

-- name: set_subscriber_next_due
UPDATE publishing_subscribers
SET next_due_at = $2, updated_at = now()
WHERE id = $1;

-- The scheduler's claim: due, active and not leased to a live worker. SKIP LOCKED lets
-- several workers take disjoint batches; the lease frees the rows of a worker that died.
-- name: claim_due_subscribers
UPDATE publishing_subscribers s
SET claimed_by = $1, claimed_until = $2::timestamptz + make_interval(secs => $3)
WHERE s.id IN (
    SELECT id FROM publishing_subscribers
    WHERE status = 'active' AND next_due_at <= $2
      AND (claimed_until IS NULL OR claimed_until < $2)
    ORDER BY next_due_at
    LIMIT $4
    FOR UPDATE SKIP LOCKED
)
RETURNING s.*;

-- Only the claim holder releases: a worker whose lease ran out must not move a slot that
-- another worker has served since (or that the subscriber has changed).
-- name: release_subscriber_claim
UPDATE publishing_subscribers
SET claimed_by = NULL, claimed_until = NULL, next_due_at = $2, updated_at = now(),
    assembly_failures = 0, last_failure = NULL
WHERE id = $1 AND claimed_by = $3;

-- Digests this worker could not assemble: each stays due and claimed, its lease doubled
-- per failure in a row (at most a day), so it is retried, never dropped, never hammered.
-- Returns each one's failures in a row.
-- name: record_assembly_failures
UPDATE publishing_subscribers s
SET assembly_failures = s.assembly_failures + 1, last_failure = f.error,
    claimed_until = $3::timestamptz
        + make_interval(secs => least($4 * power(2, s.assembly_failures), 86400))
FROM unnest($1::bigint[], $2::text[]) AS f(id, error)
WHERE s.id = f.id AND s.claimed_by = $5
RETURNING s.id, s.assembly_failures;

-- A worker stopping cleanly hands back what it claimed, so others need not wait out the
-- lease; a digest held back after failing to assemble keeps its wait.
-- name: release_worker_subscriber_claims
UPDATE publishing_subscribers
SET claimed_by = NULL, claimed_until = NULL
WHERE claimed_by = $1 AND assembly_failures = 0;

-- name: release_stale_subscriber_claims
UPDATE publishing_subscribers
SET claimed_by = NULL, claimed_until = NULL
WHERE claimed_until < $1;

-- name: expired_pauses
SELECT id, frequency_settings FROM publishing_subscribers
WHERE status = 'paused' AND paused_until IS NOT NULL AND paused_until <= $1;

-- name: resume_subscriber
UPDATE publishing_subscribers
SET status = 'active', paused_until = NULL, next_due_at = $2, updated_at = now()
WHERE id = $1 AND status = 'paused'
RETURNING id;
