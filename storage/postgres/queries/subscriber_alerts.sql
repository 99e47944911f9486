-- subscriber_alerts: content alerts decided per (subscriber, item), so any number of
-- workers scanning at once alert each subscriber about each item at most once.

-- Returns a row only for the worker that claims this pair first.
-- name: claim_subscriber_alert
INSERT INTO subscriber_alerts (subscriber_id, content_id, score, created_at)
VALUES ($1, $2, $3, $4)
ON CONFLICT (subscriber_id, content_id) DO NOTHING
RETURNING subscriber_id;

-- name: set_subscriber_alert_state
UPDATE subscriber_alerts SET state = $3 WHERE subscriber_id = $1 AND content_id = $2;

-- Publishing failed: forget the claim so the next scan tries again.
-- name: release_subscriber_alert
DELETE FROM subscriber_alerts WHERE subscriber_id = $1 AND content_id = $2;

-- Pairs already decided among the given subscribers and items.
-- name: decided_subscriber_alerts
SELECT subscriber_id, content_id FROM subscriber_alerts
WHERE subscriber_id = ANY($1::bigint[]) AND content_id = ANY($2::bigint[]);
