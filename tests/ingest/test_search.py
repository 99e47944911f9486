"""Full-text pre-ranking of candidates (tsvector + GIN, websearch_to_tsquery, ts_rank_cd)
and the source registry's uniqueness rules, on real PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import asyncpg
import pytest

from core.models import ContentItem, RefinedRequests, Subscriber
from core.sources import parse_source
from storage.postgres.content import PgContentRepository
from storage.postgres.search import PgSearchContentRepository
from storage.postgres.sources import PgSourceRegistry
from storage.postgres.subscribers import PgSubscriberRepository

NOW = datetime.now(UTC)


def item(n: int, title: str, hours_ago: float) -> ContentItem:
    return ContentItem(
        title=title,
        summary="",
        url=f"https://example.org/{n}",
        source="Blog",
        published_at=NOW - timedelta(hours=hours_ago),
    )


async def test_the_best_text_matches_come_first_when_the_library_is_busy(
    pg_pool: asyncpg.Pool,
) -> None:
    people = PgSubscriberRepository(pg_pool)
    reader = Subscriber(name="Reader", platform="slack", platform_user_id="U1")
    reader.ai_metadata.refined_requests = RefinedRequests(
        topics=["quantum computing"], keywords=["surface codes"]
    )
    reader = await people.save(reader)
    newest = [item(n, f"Gardening tips number {n}", hours_ago=n) for n in range(30)]
    relevant = item(99, "Decoding surface codes for quantum computing", hours_ago=100)
    plain = PgContentRepository(pg_pool)
    await plain.add_many([*newest, relevant])

    assert reader.id is not None
    newest_first = await plain.candidates_for(reader.id, None, 10)
    assert relevant.url not in [c.url for c in newest_first]  # crowded out by recency
    ranked = await PgSearchContentRepository(pg_pool, people).candidates_for(reader.id, None, 10)
    assert ranked[0].url == relevant.url and len(ranked) == 10

    async with pg_pool.acquire() as conn, conn.transaction():
        await conn.execute("SET LOCAL enable_seqscan = off")  # tiny table: force the choice
        plan = "\n".join(
            r[0]
            for r in await conn.fetch(
                "EXPLAIN SELECT id FROM content_items "
                "WHERE search @@ websearch_to_tsquery('english', '\"surface codes\"')"
            )
        )
    assert "content_items_search_idx" in plan  # the GIN index over the generated column


async def test_subscribers_without_terms_get_the_newest_items(pg_pool: asyncpg.Pool) -> None:
    people = PgSubscriberRepository(pg_pool)
    reader = await people.save(Subscriber(name="New", platform="slack", platform_user_id="U2"))
    await PgContentRepository(pg_pool).add_many([item(n, f"Item {n}", n) for n in range(5)])
    assert reader.id is not None
    got = await PgSearchContentRepository(pg_pool, people).candidates_for(reader.id, None, 3)
    assert [c.title for c in got] == ["Item 0", "Item 1", "Item 2"]


async def test_names_and_urls_are_unique_per_owner(pg_pool: asyncpg.Pool) -> None:
    registry = PgSourceRegistry(pg_pool)
    spec = parse_source("https://lab.example.org/feed.xml")
    await registry.add(spec, "Lab", None, "slack:ADMIN")
    await registry.add(spec, "Lab", "slack:U1", "slack:U1")  # a person's own copy is fine
    with pytest.raises(ValueError, match="name already exists"):
        await registry.add(parse_source("https://other.example/rss"), "lab", None, "slack:A")
    with pytest.raises(ValueError, match="URL already exists"):
        await registry.add(spec, "Lab again", None, "slack:ADMIN")
    own = await registry.find("slack:U1", "LAB")
    assert own is not None and own.owner_key == "slack:U1"  # the owner's own wins
    assert [s.shared for s in await registry.visible_to("slack:U1")] == [True, False]
