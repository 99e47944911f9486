-- A subscriber's full-text rank is ts_rank_cd over their topics and keywords, any of them.
-- It is now summed phrase by phrase, so a worker ranks each distinct phrase once for all
-- subscribers (storage/postgres/candidate_window.py): whole queries were ranked once per
-- distinct list of phrases, and lists repeat far less than phrases do.

-- One topic or keyword as the phrase websearch_to_tsquery makes of it in double quotes.
CREATE OR REPLACE FUNCTION search_phrase(phrase text) RETURNS tsquery
LANGUAGE sql STABLE PARALLEL SAFE
RETURN websearch_to_tsquery('english', '"' || phrase || '"');

-- The phrases whose matches ts_rank_cd counts for `"p1" or "p2" or ...`: each distinct
-- phrase (by its lexemes) once, the first, and none that holds another. Every occurrence
-- of "ai safety" holds one of "safety", and ts_rank_cd counts only the shorter: it sums
-- the smallest covers. The sum of the counted phrases' ranks is then the whole query's
-- rank, to float4 rounding (tests/storage/test_search_phrases.py).
CREATE OR REPLACE FUNCTION counted_search_phrases(phrases text[]) RETURNS text[]
LANGUAGE sql STABLE PARALLEL SAFE
RETURN ARRAY(
    SELECT t.phrase
    FROM unnest(phrases) WITH ORDINALITY AS t(phrase, n)
    WHERE numnode(search_phrase(t.phrase)) > 0  -- stop words only: matches nothing
      AND NOT EXISTS (
          SELECT 1
          FROM unnest(phrases) WITH ORDINALITY AS other(phrase, n)
          WHERE other.n <> t.n
            AND numnode(search_phrase(other.phrase)) > 0
            AND to_tsvector('english', t.phrase) @@ search_phrase(other.phrase)
            -- of two with the same lexemes, the first is kept
            AND (other.n < t.n
                 OR NOT to_tsvector('english', other.phrase) @@ search_phrase(t.phrase))
      )
    ORDER BY t.n
);
