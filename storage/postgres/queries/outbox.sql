-- delivery_outbox, delivery_attempts and delivery_suppressions: what is to be sent, every
-- try at sending it, and the addresses that must not be tried again.

-- Ready rows (optionally of one publication), claimed with a lease so a worker that dies
-- mid-send frees them when the lease runs out. SKIP LOCKED lets workers share the table.
-- name: claim_ready
UPDATE delivery_outbox o
SET state = 'sending', claimed_by = $1, claimed_until = $2::timestamptz + make_interval(secs => $3),
    attempts = o.attempts + 1
WHERE o.id IN (
    SELECT id FROM delivery_outbox
    WHERE state = 'pending' AND next_attempt_at <= $2
      AND ($5::bigint IS NULL OR publication_id = $5)
    ORDER BY next_attempt_at, id
    LIMIT $4
    FOR UPDATE SKIP LOCKED
)
RETURNING o.*;

-- A send whose worker vanished may or may not have gone out: destinations that dedupe by
-- key (Discord's nonce) are retried, the rest are set aside for reconciliation.
-- name: release_expired
UPDATE delivery_outbox
SET state = CASE WHEN destination = ANY($2::text[]) THEN 'pending' ELSE 'reconcile' END,
    claimed_by = NULL, claimed_until = NULL,
    last_error = 'worker lease expired during send'
WHERE state = 'sending' AND claimed_until < $1
RETURNING id, state;

-- name: mark_sent
UPDATE delivery_outbox
SET state = 'sent', sent_at = $2, provider_message_id = $3, last_error = NULL,
    claimed_by = NULL, claimed_until = NULL
WHERE id = $1;

-- name: mark_retry
UPDATE delivery_outbox
SET state = 'pending', next_attempt_at = $2, last_error = $3,
    claimed_by = NULL, claimed_until = NULL
WHERE id = $1;

-- name: mark_final
UPDATE delivery_outbox
SET state = $2, last_error = $3, claimed_by = NULL, claimed_until = NULL
WHERE id = $1;

-- name: insert_attempt
INSERT INTO delivery_attempts (outbox_id, attempt, outcome, detail, retry_after, worker)
VALUES ($1, $2, $3, $4, $5, $6);

-- name: attempts_for
SELECT attempt, outcome, detail, retry_after, worker, created_at
FROM delivery_attempts WHERE outbox_id = $1 ORDER BY id;

-- name: insert_fallback
INSERT INTO delivery_outbox (
    publication_id, subscriber_id, channel_id, destination, address, idempotency_key,
    subject, body_text, body_html, payload, next_attempt_at, fallback_of
) VALUES ($1, $2, $3, 'email', $4, $5, $6, $7, $8, '{}'::jsonb, $9, $10)
ON CONFLICT (idempotency_key) DO NOTHING
RETURNING id;

-- name: is_suppressed
SELECT reason FROM delivery_suppressions WHERE destination = $1 AND address = lower($2);

-- name: suppress
INSERT INTO delivery_suppressions (destination, address, reason)
VALUES ($1, lower($2), $3)
ON CONFLICT (destination, address) DO UPDATE SET reason = EXCLUDED.reason;

-- name: rows_for_publication
SELECT * FROM delivery_outbox WHERE publication_id = $1 ORDER BY id;

-- name: prune_finished
DELETE FROM delivery_outbox
WHERE state IN ('sent', 'suppressed', 'superseded') AND created_at < $1;
