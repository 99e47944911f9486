-- Operator figures across tables, for `/digest admin stats`.

-- name: subscribers_by_status
SELECT status, count(*) AS n FROM publishing_subscribers GROUP BY status ORDER BY status;

-- name: due_before
SELECT count(*) FROM publishing_subscribers WHERE status = 'active' AND next_due_at <= $1;

-- name: outbox_by_state
SELECT state, count(*) AS n FROM delivery_outbox GROUP BY state ORDER BY state;

-- name: failures_by_reason
SELECT coalesce(last_error, '(none)') AS reason, count(*) AS n
FROM delivery_outbox WHERE state IN ('failed', 'reconcile', 'suppressed')
GROUP BY 1 ORDER BY 2 DESC LIMIT 10;

-- Digests that keep failing to assemble (each still retried), by their last error.
-- name: assembly_failures_by_reason
SELECT coalesce(last_failure, '(none)') AS reason, count(*) AS n
FROM (
    SELECT last_failure FROM publishing_subscribers WHERE assembly_failures > 0
    UNION ALL
    SELECT last_failure FROM publishing_channels WHERE assembly_failures > 0
) AS stuck
GROUP BY 1 ORDER BY 2 DESC LIMIT 10;

-- name: last_delivery_per_destination
SELECT destination, max(sent_at) AS last_sent FROM delivery_outbox
WHERE state = 'sent' GROUP BY destination ORDER BY destination;

-- name: content_count
SELECT count(*) FROM content_items;
