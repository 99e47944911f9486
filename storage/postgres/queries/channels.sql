-- publishing_channels: Slack/Discord channels and email lists that get a team digest.

-- name: get_channel
SELECT * FROM publishing_channels WHERE id = $1;

-- name: find_channel
SELECT * FROM publishing_channels WHERE platform = $1 AND platform_channel_id = $2;

-- name: list_channels_page
SELECT * FROM publishing_channels ORDER BY id LIMIT $1 OFFSET $2;

-- last_digest_at belongs to the publication ledger, as for subscribers.
-- name: save_channel
INSERT INTO publishing_channels AS ch (
    platform, platform_channel_id, team_id, name, created_by, status,
    frequency, frequency_settings, ai_metadata, last_digest_at, next_due_at
) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
ON CONFLICT (platform, platform_channel_id) DO UPDATE SET
    team_id            = EXCLUDED.team_id,
    name               = EXCLUDED.name,
    status             = EXCLUDED.status,
    frequency          = EXCLUDED.frequency,
    frequency_settings = EXCLUDED.frequency_settings,
    ai_metadata        = EXCLUDED.ai_metadata,
    next_due_at        = EXCLUDED.next_due_at,
    last_digest_at     = GREATEST(ch.last_digest_at, EXCLUDED.last_digest_at),
    updated_at         = now()
RETURNING *;

-- name: list_channels
SELECT * FROM publishing_channels
WHERE $1::text IS NULL OR status = $1::text
ORDER BY id;

-- The scheduler's claim, as for subscribers: due, active and not leased to a live worker.
-- name: claim_due_channels
UPDATE publishing_channels ch
SET claimed_by = $1, claimed_until = $2::timestamptz + make_interval(secs => $3)
WHERE ch.id IN (
    SELECT id FROM publishing_channels
    WHERE status = 'active' AND next_due_at <= $2
      AND (claimed_until IS NULL OR claimed_until < $2)
    ORDER BY next_due_at
    LIMIT $4
    FOR UPDATE SKIP LOCKED
)
RETURNING ch.*;

-- Only the claim holder releases: a worker whose lease ran out must not move a slot that
-- another worker has served since.
-- name: release_channel_claim
UPDATE publishing_channels
SET claimed_by = NULL, claimed_until = NULL, next_due_at = $2, updated_at = now(),
    assembly_failures = 0, last_failure = NULL
WHERE id = $1 AND claimed_by = $3;

-- As record_assembly_failures (subscribers.sql), for team digests.
-- name: record_channel_assembly_failures
UPDATE publishing_channels ch
SET assembly_failures = ch.assembly_failures + 1, last_failure = f.error,
    claimed_until = $3::timestamptz
        + make_interval(secs => least($4 * power(2, ch.assembly_failures), 86400))
FROM unnest($1::bigint[], $2::text[]) AS f(id, error)
WHERE ch.id = f.id AND ch.claimed_by = $5
RETURNING ch.id, ch.assembly_failures;

-- As release_worker_subscriber_claims (subscribers.sql), for team digests.
-- name: release_worker_channel_claims
UPDATE publishing_channels
SET claimed_by = NULL, claimed_until = NULL
WHERE claimed_by = $1 AND assembly_failures = 0;

-- name: release_stale_channel_claims
UPDATE publishing_channels
SET claimed_by = NULL, claimed_until = NULL
WHERE claimed_until < $1;
