-- publishing_publications and publishing_publication_items: what each recipient was
-- sent, and why. Written together with their delivery_outbox rows (see outbox inserts).

-- Reserved before rendering, so links and buttons in the digest can name it.
-- name: next_publication_id
SELECT nextval(pg_get_serial_sequence('publishing_publications', 'id'));

-- $9 is an id from next_publication_id, or NULL for a fresh one (COALESCE stops at the
-- first non-null argument, so no sequence value is wasted).
-- A unique violation here means this publication exists already: the (recipient,
-- period) key, or a reserved id recorded before. Nothing is returned and the caller
-- writes nothing else.
-- name: insert_publication
INSERT INTO publishing_publications (
    subscriber_id, channel_id, period_key, template_name, outcome,
    id, item_count, considered, created_at
) VALUES (
    $1, $2, $3, $4, $5,
    COALESCE($9::bigint, nextval(pg_get_serial_sequence('publishing_publications', 'id'))),
    $6, $7, $8
)
ON CONFLICT DO NOTHING
RETURNING id;

-- name: insert_publication_item
INSERT INTO publishing_publication_items (
    publication_id, content_id, subscriber_id, channel_id,
    fingerprint, rank, score, ai_scores, reasons
) VALUES ($1, $2, $3, $4, $5, $6, $7, $8::text::jsonb, $9::text::jsonb);  -- JSON texts

-- Ready as of the digest's own time, so workers on an injected clock see it.
-- name: insert_outbox_message
INSERT INTO delivery_outbox (
    publication_id, subscriber_id, channel_id, destination, address,
    idempotency_key, subject, body_text, body_html, payload, next_attempt_at
) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11);

-- The claim ends here: the next tick may pick the subscriber up at next_due_at.
-- name: advance_subscriber
UPDATE publishing_subscribers
SET last_digest_at = $2, next_due_at = $3, last_outcome = $4,
    claimed_by = NULL, claimed_until = NULL, updated_at = now(),
    assembly_failures = 0, last_failure = NULL
WHERE id = $1;

-- name: advance_channel
UPDATE publishing_channels
SET last_digest_at = $2, next_due_at = $3,
    claimed_by = NULL, claimed_until = NULL, updated_at = now(),
    assembly_failures = 0, last_failure = NULL
WHERE id = $1;

-- name: subscriber_sent_fingerprints
SELECT DISTINCT fingerprint FROM publishing_publication_items WHERE subscriber_id = $1;

-- name: channel_sent_fingerprints
SELECT DISTINCT fingerprint FROM publishing_publication_items WHERE channel_id = $1;

-- The items an email showed, for counting its open once per item.
-- name: publication_content_ids
SELECT content_id FROM publishing_publication_items WHERE publication_id = $1 ORDER BY rank;

-- Publications for the JSON API, newest first, each with its items and delivery states;
-- $3 narrows to one subscriber (NULL: everyone).
-- name: list_publications_page
SELECT
    p.id, p.subscriber_id, p.channel_id, p.period_key, p.template_name, p.outcome,
    p.item_count, p.considered, p.created_at,
    coalesce((
        SELECT jsonb_agg(jsonb_build_object(
            'content_id', i.content_id, 'rank', i.rank, 'score', i.score,
            'title', c.title, 'url', c.url) ORDER BY i.rank)
        FROM publishing_publication_items i JOIN content_items c ON c.id = i.content_id
        WHERE i.publication_id = p.id
    ), '[]'::jsonb) AS items,
    ARRAY(
        SELECT o.state FROM delivery_outbox o WHERE o.publication_id = p.id ORDER BY o.id
    ) AS delivery_states
FROM publishing_publications p
WHERE ($3::bigint IS NULL OR p.subscriber_id = $3::bigint)
  AND ($4::bigint IS NULL OR p.id = $4::bigint)
ORDER BY p.id DESC
LIMIT $1 OFFSET $2;

-- name: subscriber_history
SELECT
    p.id, p.created_at, p.period_key, p.outcome,
    ARRAY(
        SELECT c.title
        FROM publishing_publication_items i JOIN content_items c ON c.id = i.content_id
        WHERE i.publication_id = p.id
        ORDER BY i.rank
    ) AS item_titles,
    ARRAY(
        SELECT o.state FROM delivery_outbox o WHERE o.publication_id = p.id ORDER BY o.id
    ) AS delivery_states
FROM publishing_publications p
WHERE p.subscriber_id = $1
ORDER BY p.created_at DESC, p.id DESC
LIMIT $2;

-- subscriber_sent_fingerprints for a whole batch of subscribers at once.
-- name: batch_sent_fingerprints
SELECT DISTINCT subscriber_id, fingerprint
FROM publishing_publication_items WHERE subscriber_id = ANY ($1::bigint[]);

-- Ids for a whole batch of digests, reserved before rendering (see next_publication_id).
-- name: next_publication_ids
SELECT nextval(pg_get_serial_sequence('publishing_publications', 'id')) AS id
FROM generate_series(1, $1::int);

-- insert_publication for a batch of subscriber digests with reserved ids: rows whose
-- (subscriber, period) exists already are skipped, and only the new ids come back.
-- name: insert_publications_many
INSERT INTO publishing_publications (
    subscriber_id, period_key, template_name, outcome, id, item_count, considered, created_at
)
SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::bigint[],
                     $6::int[], $7::int[], $8::timestamptz[])
ON CONFLICT DO NOTHING
RETURNING id;

-- insert_publication_item, insert_outbox_message and advance_subscriber for a whole
-- batch, one statement each (one executor run instead of one per row).
-- A batched digest's items are the content rows as the batch read them, so their
-- scores are copied from the row here rather than sent back as JSON (a row deleted
-- meanwhile leaves '{}': the references are not checked on insert, migration 0015).
-- name: insert_publication_items_many
INSERT INTO publishing_publication_items (
    publication_id, content_id, subscriber_id, channel_id,
    fingerprint, rank, score, ai_scores, reasons
)
SELECT t.p, t.c, t.s, t.ch, t.f, t.r, t.sc, coalesce(item.ai_scores, '{}'), t.reasons::jsonb
FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::bigint[], $5::text[],
            $6::int[], $7::float8[], $8::text[]) AS t(p, c, s, ch, f, r, sc, reasons)
-- Only the batch's few hundred distinct items: joined whole, the table was hashed per batch.
LEFT JOIN (SELECT id, ai_scores FROM content_items
           WHERE id = ANY (ARRAY(SELECT DISTINCT unnest($2::bigint[])))) AS item
       ON item.id = t.c;

-- name: insert_outbox_messages_many
INSERT INTO delivery_outbox (
    publication_id, subscriber_id, channel_id, destination, address,
    idempotency_key, subject, body_text, body_html, payload, next_attempt_at
)
SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::text[], $5::text[],
                     $6::text[], $7::text[], $8::text[], $9::text[], $10::text[],
                     $11::timestamptz[]);

-- name: advance_subscribers_many
UPDATE publishing_subscribers s
SET last_digest_at = a.last_digest_at, next_due_at = a.next_due_at,
    last_outcome = a.outcome, claimed_by = NULL, claimed_until = NULL, updated_at = now(),
    assembly_failures = 0, last_failure = NULL
FROM unnest($1::bigint[], $2::timestamptz[], $3::timestamptz[], $4::text[])
     AS a(id, last_digest_at, next_due_at, outcome)
WHERE s.id = a.id;

-- A recorded publication read back to render it again (the email fallback of a chat
-- DM that failed for good): its header, then its items in rank order with the scores,
-- rank and reasons they were sent with.
-- name: publication_header
SELECT id, subscriber_id, channel_id, period_key, considered, created_at
FROM publishing_publications WHERE id = $1;

-- name: publication_items_sent
SELECT
    c.id, c.title, c.summary, c.url, c.source, c.content_type, c.published_at,
    c.entities, c.fingerprint, i.ai_scores, i.rank, i.score, i.reasons
FROM publishing_publication_items i JOIN content_items c ON c.id = i.content_id
WHERE i.publication_id = $1
ORDER BY i.rank;
