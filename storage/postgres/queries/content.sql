-- content_items: scored research items, one row per url.

-- xmax is 0 only on a freshly inserted row version, which tells new rows from
-- updated ones without a second query.
-- name: upsert_content_item
INSERT INTO content_items AS c (
    title, summary, url, source, content_type, published_at,
    ai_scores, entities, fingerprint
) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
ON CONFLICT (url) DO UPDATE SET
    title        = EXCLUDED.title,
    summary      = EXCLUDED.summary,
    source       = EXCLUDED.source,
    content_type = EXCLUDED.content_type,
    published_at = EXCLUDED.published_at,
    ai_scores    = EXCLUDED.ai_scores,
    entities     = EXCLUDED.entities,
    fingerprint  = EXCLUDED.fingerprint
RETURNING (xmax = 0) AS inserted;

-- New to this subscriber: published or ingested since their last digest (a feed may
-- deliver yesterday's paper today), and never sent: no item with the same fingerprint
-- (the same story, from any source) appears among the items of their past publications.
-- name: subscriber_candidates
SELECT c.*
FROM content_items c
WHERE ($2::timestamptz IS NULL OR c.published_at > $2::timestamptz
       OR c.created_at > $2::timestamptz)
  AND NOT EXISTS (
      SELECT 1 FROM publishing_publication_items p
      WHERE p.subscriber_id = $1 AND p.fingerprint = c.fingerprint
  )
ORDER BY c.published_at DESC, c.id DESC
LIMIT $3;

-- name: channel_candidates
SELECT c.*
FROM content_items c
WHERE ($2::timestamptz IS NULL OR c.published_at > $2::timestamptz
       OR c.created_at > $2::timestamptz)
  AND NOT EXISTS (
      SELECT 1 FROM publishing_publication_items p
      WHERE p.channel_id = $1 AND p.fingerprint = c.fingerprint
  )
ORDER BY c.published_at DESC, c.id DESC
LIMIT $3;

-- name: recent_content
SELECT * FROM content_items ORDER BY published_at DESC, id DESC LIMIT $1;

-- name: count_content
SELECT count(*) FROM content_items;
