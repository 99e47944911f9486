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
  -- Items only private sources carried go to those sources' owners alone.
  AND (c.private_to IS NULL OR EXISTS (
      SELECT 1 FROM publishing_subscribers s
      WHERE s.id = $1 AND s.platform || ':' || s.platform_user_id = ANY (c.private_to)
  ))
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
  AND c.private_to IS NULL
ORDER BY c.published_at DESC, c.id DESC
LIMIT $3;

-- name: recent_content
SELECT * FROM content_items WHERE private_to IS NULL
ORDER BY published_at DESC, id DESC LIMIT $1;

-- name: count_content
SELECT count(*) FROM content_items;

-- Where a tracked click goes: only ever the url stored for the item.
-- name: content_url
SELECT url FROM content_items WHERE id = $1;

-- Items ingested since $1 (new content for the alert scanner), newest first.
-- name: content_created_since
SELECT * FROM content_items
WHERE created_at > $1
  AND private_to IS NULL  -- items of someone's own sources are not broadcast as alerts
ORDER BY created_at DESC, id DESC LIMIT $2;

-- As subscriber_candidates, best full-text matches of their topics and keywords ($4, the
-- phrases) first, so a busy library still yields the relevant items. The rank is the sum
-- of ts_rank_cd over the counted phrases (migration 0016): ts_rank_cd of any of them.
-- name: subscriber_candidates_ranked
WITH phrase AS MATERIALIZED (
    SELECT search_phrase(p) AS q FROM unnest(counted_search_phrases($4::text[])) AS p
)
SELECT c.*
FROM content_items c
WHERE ($2::timestamptz IS NULL OR c.published_at > $2::timestamptz
       OR c.created_at > $2::timestamptz)
  AND NOT EXISTS (
      SELECT 1 FROM publishing_publication_items p
      WHERE p.subscriber_id = $1 AND p.fingerprint = c.fingerprint
  )
  AND (c.private_to IS NULL OR EXISTS (
      SELECT 1 FROM publishing_subscribers s
      WHERE s.id = $1 AND s.platform || ':' || s.platform_user_id = ANY (c.private_to)
  ))
ORDER BY coalesce((SELECT sum(ts_rank_cd(c.search, phrase.q)::float8) FROM phrase), 0) DESC,
         c.published_at DESC, c.id DESC
LIMIT $3;

-- Ingestion: which of these normalised URLs are already known, and as which item.
-- name: ingest_known_urls
SELECT u.url, u.content_id FROM content_item_urls u WHERE u.url = ANY ($1::text[])
UNION ALL
SELECT c.url, c.id FROM content_items c WHERE c.url = ANY ($1::text[]);

-- name: ingest_recent_items
SELECT id, title, summary, fingerprint, arxiv_id
FROM content_items ORDER BY published_at DESC, id DESC LIMIT $1;

-- The same paper (arXiv id) or the same title fingerprint, from any source.
-- name: ingest_find_duplicate
SELECT id FROM content_items
WHERE ($1::text IS NOT NULL AND arxiv_id = $1::text) OR fingerprint = $2
ORDER BY id
LIMIT 1;

-- name: ingest_insert_item
INSERT INTO content_items (
    title, summary, url, source, content_type, published_at,
    ai_scores, entities, fingerprint, source_id, arxiv_id, private_to
) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
ON CONFLICT (url) DO NOTHING
RETURNING id;

-- name: ingest_link_url
INSERT INTO content_item_urls (url, content_id, source_id) VALUES ($1, $2, $3)
ON CONFLICT (url) DO NOTHING;

-- A shared source makes an item everyone's; a private one adds its owner ($2) to the
-- item's readers. Rows that would not change are left alone.
-- name: ingest_widen_item
UPDATE content_items
SET private_to = CASE WHEN $2::text IS NULL THEN NULL
                      ELSE array_append(private_to, $2::text) END
WHERE id = $1 AND private_to IS NOT NULL
  AND ($2::text IS NULL OR NOT ($2::text = ANY (private_to)));

-- Ingesting workers take turns writing, so two copies of one story fetched at once by
-- two workers are merged rather than both inserted.
-- name: ingest_lock
SELECT pg_advisory_xact_lock(7236802837451452);

-- A merged duplicate from a more credible source (the paper a blog post describes)
-- becomes the item's face: its title, text, link and scores. The fingerprint stays, so
-- whoever already got the story never gets it again.
-- name: ingest_upgrade_item
UPDATE content_items
SET title = $2, summary = $3, url = $4, source = $5, content_type = $6,
    ai_scores = $7, entities = $8, source_id = $9, arxiv_id = COALESCE($10, arxiv_id)
WHERE id = $1 AND COALESCE((ai_scores ->> 'credibility')::float, 0) < $11;

-- Batch assembly (storage/postgres/candidate_window.py): the content window shared by a
-- batch of subscribers, newest first, with each row's version (xmin changes whenever the
-- row is written) so a worker re-reads and re-ranks only rows that changed.
-- name: window_rows
SELECT id, xmin::text AS version, published_at, created_at, fingerprint, private_to
FROM content_items
WHERE ($1::timestamptz IS NULL OR published_at > $1::timestamptz
       OR created_at > $1::timestamptz)
ORDER BY published_at DESC, id DESC;

-- A cheap check that the window is the one read last time: its size and a hash of every
-- row's id and version (xmin changes with each update).
-- name: window_signature
SELECT count(*) AS n,
       coalesce(sum(hashtextextended(id::text || ':' || xmin::text, 0)), 0)::text AS sig
FROM content_items
WHERE ($1::timestamptz IS NULL OR published_at > $1::timestamptz
       OR created_at > $1::timestamptz);

-- Only the columns a ContentItem has (not the tsvector, say): a worker reads thousands.
-- name: content_by_ids
SELECT id, title, summary, url, source, content_type, published_at, ai_scores, entities,
       fingerprint
FROM content_items WHERE id = ANY ($1::bigint[]);

-- Batch assembly: the counted phrases (migration 0016) of each of several phrase lists,
-- given as (list number, phrase) pairs.
-- name: counted_phrases_many
SELECT t.qi::int AS qi, counted_search_phrases(array_agg(t.phrase ORDER BY t.n)) AS phrases
FROM unnest($1::int[], $2::text[]) WITH ORDINALITY AS t(qi, phrase, n)
GROUP BY t.qi;

-- The ts_rank_cd of subscriber_candidates_ranked for several phrases ($1) over items
-- ($2) at once, as two arrays per phrase: a worker keeps thousands of them, and arrays
-- cost far less than rows. Rows that do not match a phrase rank 0 there: not returned.
-- name: phrase_ranks
SELECT qi, array_agg(id) AS ids, array_agg(rank) AS ranks
FROM (
    SELECT t.qi::int AS qi, c.id, ts_rank_cd(c.search, q) AS rank
    FROM unnest($1::text[]) WITH ORDINALITY AS t(phrase, qi)
    CROSS JOIN LATERAL search_phrase(t.phrase) AS q
    JOIN content_items c ON c.search @@ q
    WHERE c.id = ANY ($2::bigint[])
    OFFSET 0  -- kept a subquery, else ts_rank_cd runs again for the filter
) AS matches
WHERE rank > 0
GROUP BY qi;
