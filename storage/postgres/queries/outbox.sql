-- delivery_outbox, delivery_attempts and delivery_suppressions: what is to be sent, every
-- try at sending it, and the addresses that must not be tried again.

-- Ready rows (optionally of one publication), claimed with a lease so a worker that dies
-- frees them when the lease runs out. SKIP LOCKED lets workers share the table.
-- name: claim_ready
UPDATE delivery_outbox o
SET state = 'sending', claimed_by = $1, claimed_until = $2::timestamptz + make_interval(secs => $3),
    attempts = o.attempts + 1, send_started_at = NULL
WHERE o.id IN (
    SELECT id FROM delivery_outbox
    WHERE state = 'pending' AND next_attempt_at <= $2
      AND ($5::bigint IS NULL OR publication_id = $5)
    ORDER BY next_attempt_at, id
    LIMIT $4
    FOR UPDATE SKIP LOCKED
)
RETURNING o.*;

-- Just before the deliverer is called: only the lease holder may send, and the lease
-- runs from here. No row means the lease was lost (another worker owns the row now).
-- name: mark_send_started
UPDATE delivery_outbox
SET send_started_at = $3, claimed_until = $3::timestamptz + make_interval(secs => $4)
WHERE id = $1 AND claimed_by = $2 AND state = 'sending'
RETURNING id;

-- A worker vanished holding these rows. Never started: simply pending again (the claim's
-- attempt did not happen). Started: it may or may not have gone out, so destinations that
-- dedupe by key (Discord's nonce) are retried and the rest are set aside for reconciliation.
-- name: release_expired
UPDATE delivery_outbox
SET state = CASE WHEN send_started_at IS NULL OR destination = ANY($2::text[])
                 THEN 'pending' ELSE 'reconcile' END,
    attempts = CASE WHEN send_started_at IS NULL THEN greatest(attempts - 1, 0)
                    ELSE attempts END,
    last_error = CASE WHEN send_started_at IS NULL THEN 'worker lease expired before sending'
                      ELSE 'worker lease expired during send: outcome unknown' END,
    claimed_by = NULL, claimed_until = NULL
WHERE state = 'sending' AND claimed_until < $1
RETURNING id, state;

-- The outcome of one send. Only the lease holder writes it; a worker whose lease was
-- released may still report what really happened while nobody else holds the row.
-- name: settle_outbox
UPDATE delivery_outbox
SET state = $3::text,
    next_attempt_at = coalesce($4::timestamptz, next_attempt_at),
    last_error = $5::text,
    sent_at = CASE WHEN $3::text = 'sent' THEN $6::timestamptz ELSE sent_at END,
    provider_message_id = coalesce($7::text, provider_message_id),
    claimed_by = NULL, claimed_until = NULL
WHERE id = $1 AND state <> 'sent'
  AND (claimed_by = $2 OR (claimed_by IS NULL AND state IN ('pending', 'reconcile')))
RETURNING id;

-- name: insert_attempt
INSERT INTO delivery_attempts (
    outbox_id, attempt, outcome, detail, retry_after, wait_seconds, worker
) VALUES ($1, $2, $3, $4, $5, $6, $7);

-- name: attempts_for
SELECT attempt, outcome, detail, retry_after, wait_seconds, worker, created_at
FROM delivery_attempts WHERE outbox_id = $1 ORDER BY id;

-- name: insert_fallback
INSERT INTO delivery_outbox (
    publication_id, subscriber_id, channel_id, destination, address, idempotency_key,
    subject, body_text, body_html, payload, next_attempt_at, fallback_of
) VALUES ($1, $2, $3, 'email', $4, $5, $6, $7, $8, '{}', $9, $10)
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

-- Finished rows past retention; rows awaiting reconciliation stay until someone looks.
-- name: prune_finished
DELETE FROM delivery_outbox
WHERE state IN ('sent', 'failed', 'suppressed', 'superseded') AND created_at < $1;

-- Sends whose outcome is unknown (the request went out, the answer was lost), for an
-- operator to check at the destination: /digest admin reconcile.
-- name: awaiting_reconcile
SELECT id, destination, address, publication_id, attempts, last_error
FROM delivery_outbox WHERE state = 'reconcile'
ORDER BY id
LIMIT $1;

-- The operator saw it arrive.
-- name: reconcile_as_sent
UPDATE delivery_outbox
SET state = 'sent', sent_at = $2, claimed_by = NULL, claimed_until = NULL,
    last_error = 'marked sent by an operator after reconciliation'
WHERE id = $1 AND state = 'reconcile'
RETURNING id;

-- The operator found it missing: the delivery loop sends it again (same idempotency key).
-- name: reconcile_for_retry
UPDATE delivery_outbox
SET state = 'pending', next_attempt_at = $2, claimed_by = NULL, claimed_until = NULL
WHERE id = $1 AND state = 'reconcile'
RETURNING id;
