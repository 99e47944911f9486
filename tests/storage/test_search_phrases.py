"""A subscriber's full-text rank, summed phrase by phrase over the counted phrases
(migration 0016), is ts_rank_cd of the whole "any of these" query: workers rank each
phrase once for everyone and still order candidates as that query would."""

from __future__ import annotations

from datetime import UTC, datetime

import asyncpg

from core.mockdata import mock_content, mock_subscribers
from core.scoring import search_phrases
from storage.postgres.content import PgContentRepository


async def _counted(pg_pool: asyncpg.Pool, phrases: list[str]) -> list[str]:
    return list(await pg_pool.fetchval("SELECT counted_search_phrases($1::text[])", phrases))


async def test_counted_phrases_drop_repeats_and_phrases_that_hold_another(
    pg_pool: asyncpg.Pool,
) -> None:
    # The same lexemes ('robot'): the first is kept. "AI safety" holds "safety".
    assert await _counted(pg_pool, ["robotics", "AI safety", "robot", "safety"]) == [
        "robotics",
        "safety",
    ]
    # Stop words alone match nothing; a phrase with a gap still holds its parts' order.
    assert await _counted(pg_pool, ["the", "state of the art", "art"]) == ["art"]
    assert await _counted(pg_pool, ["art state", "state of the art"]) == [
        "art state",
        "state of the art",
    ]
    assert await _counted(pg_pool, []) == []


async def test_summed_phrase_ranks_are_the_whole_querys_rank(pg_pool: asyncpg.Pool) -> None:
    await PgContentRepository(pg_pool).add_many(mock_content(400, seed=11, now=datetime.now(UTC)))
    lists = {search_phrases(s.ai_metadata.refined_requests) for s in mock_subscribers(60, seed=12)}
    compared = 0
    for phrases in sorted(lists - {()}):
        whole = " or ".join(f'"{p}"' for p in phrases)
        rows = await pg_pool.fetch(
            """SELECT ts_rank_cd(c.search, websearch_to_tsquery('english', $1)) AS whole,
                      (SELECT sum(ts_rank_cd(c.search, search_phrase(p))::float8)
                       FROM unnest(counted_search_phrases($2::text[])) AS p) AS summed
               FROM content_items c""",
            whole,
            list(phrases),
        )
        for row in rows:
            # ts_rank_cd rounds to float4: each part once, the whole once.
            assert abs(row["whole"] - (row["summed"] or 0.0)) <= 1e-6 * row["whole"], phrases
        compared += sum(row["whole"] > 0 for row in rows)
    assert compared > 1_000  # enough matching (list, item) pairs to mean something
