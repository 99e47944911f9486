-- The admin dashboard's read-only figures across tables (subscribers, outbox, engagement).
-- Counts by status, outbox state and failure reason reuse admin.sql's queries.

-- name: dashboard_subscribers
SELECT id, name, dispatch_type, status, frequency, next_due_at, last_digest_at, last_outcome
FROM publishing_subscribers
ORDER BY created_at DESC, id DESC
LIMIT $1;

-- name: dashboard_recent_deliveries
SELECT o.id, o.created_at, o.sent_at, o.destination, o.state, o.attempts, o.last_error,
       coalesce(s.name, c.name, '') AS recipient
FROM delivery_outbox o
LEFT JOIN publishing_subscribers s ON s.id = o.subscriber_id
LEFT JOIN publishing_channels c ON c.id = o.channel_id
ORDER BY o.created_at DESC, o.id DESC
LIMIT $1;

-- Outbox rows created per UTC day since $1, by the state they are in now.
-- name: dashboard_deliveries_per_day
SELECT (created_at AT TIME ZONE 'UTC')::date AS day,
       count(*) FILTER (WHERE state = 'sent') AS sent,
       count(*) FILTER (WHERE state IN ('failed', 'reconcile', 'suppressed')) AS failed
FROM delivery_outbox
WHERE created_at >= $1
GROUP BY 1
ORDER BY 1;

-- Rolled-up opens, clicks and feedback per UTC day since $1.
-- name: dashboard_engagement_per_day
SELECT (occurred_at AT TIME ZONE 'UTC')::date AS day, kind, count(*) AS n
FROM engagement_events
WHERE occurred_at >= $1
GROUP BY 1, 2
ORDER BY 1, 2;
