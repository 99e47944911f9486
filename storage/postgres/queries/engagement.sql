-- engagement_events: opens, clicks and feedback rolled up from Redis, one row per
-- (kind, item, person), so storing the same event again changes nothing.

-- Events for items deleted since are dropped; a person that is not (or no longer) a
-- subscriber is kept anonymously.
-- name: insert_engagement_event
INSERT INTO engagement_events (
    kind, publication_id, content_id, person, subscriber_id, occurred_at
)
SELECT $1, $2, c.id, $4, (SELECT s.id FROM publishing_subscribers s WHERE s.id = $5), $6
FROM content_items c
WHERE c.id = $3
ON CONFLICT (kind, content_id, person) DO NOTHING;

-- Digests sent since $2, how many were opened (a click or 👍/👎 proves an open even
-- when the mail client blocked the pixel) and how many were clicked.
-- name: subscriber_engagement_rates
WITH pubs AS (
    SELECT id FROM publishing_publications
    WHERE subscriber_id = $1 AND outcome = 'digest' AND created_at >= $2
), touched AS (
    SELECT e.publication_id, e.kind
    FROM engagement_events e JOIN pubs ON pubs.id = e.publication_id
    WHERE e.subscriber_id = $1
)
SELECT
    (SELECT count(*) FROM pubs) AS delivered,
    (SELECT count(DISTINCT publication_id) FROM touched) AS opened,
    (SELECT count(DISTINCT publication_id) FROM touched WHERE kind = 'click') AS clicked;

-- What a subscriber did since $2, with the topics and source of each item.
-- name: subscriber_engagement_signals
SELECT e.kind, e.content_id, c.source, c.entities -> 'topics' AS topics
FROM engagement_events e
JOIN content_items c ON c.id = e.content_id
WHERE e.subscriber_id = $1 AND e.occurred_at >= $2
ORDER BY e.occurred_at, e.id;

-- name: count_engagement_events
SELECT kind, count(*) AS n FROM engagement_events GROUP BY kind;
