"""PgContentRepository: upserts, fingerprints and never-sent candidates."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import asyncpg

from core.fingerprint import fingerprint
from core.models import AIScores, ContentItem, Digest, DigestItem, Subscriber
from storage.postgres.content import PgContentRepository
from storage.postgres.publications import PgPublicationLedger
from storage.postgres.subscribers import PgSubscriberRepository

T0 = datetime(2024, 5, 1, 9, 0, tzinfo=UTC)


def make_item(n: int, title: str | None = None, source: str = "arxiv") -> ContentItem:
    return ContentItem(
        title=title or f"Paper number {n}",
        url=f"https://{source}.example/{n}",
        source=source,
        published_at=T0 + timedelta(hours=n),
        ai_scores=AIScores(relevance=0.9, overall=0.8),
    )


async def test_add_many_counts_only_new_urls_and_updates_existing(pg_pool: asyncpg.Pool) -> None:
    repo = PgContentRepository(pg_pool)
    items = [make_item(1), make_item(2), make_item(3)]
    assert await repo.add_many(items) == 3
    assert await repo.add_many(items) == 0
    retitled = items[0].model_copy(update={"title": "A better title"})
    assert await repo.add_many([retitled, make_item(4)]) == 1
    assert await repo.add_many([]) == 0
    assert await repo.count() == 4

    newest = await repo.recent(10)
    assert [i.url for i in newest] == [f"https://arxiv.example/{n}" for n in (4, 3, 2, 1)]
    stored = newest[-1]
    assert stored.id is not None
    assert stored.title == "A better title"
    assert stored.fingerprint == fingerprint("A better title")  # computed when missing
    assert stored.ai_scores.relevance == 0.9


async def test_candidates_respect_since_and_limit(pg_pool: asyncpg.Pool) -> None:
    repo = PgContentRepository(pg_pool)
    await repo.add_many([make_item(n) for n in range(1, 6)])
    everything = await repo.candidates_for(1, None, 10)
    assert [i.title for i in everything] == [f"Paper number {n}" for n in (5, 4, 3, 2, 1)]
    # All five were ingested just now, so all are new since a digest three hours in.
    ingested = await repo.candidates_for(1, T0 + timedelta(hours=3), 10)
    assert len(ingested) == 5
    # Once a digest went out after ingestion, only items published later still count.
    await pg_pool.execute("UPDATE content_items SET created_at = $1", T0)
    since = await repo.candidates_for(1, T0 + timedelta(hours=3), 10)
    assert [i.title for i in since] == ["Paper number 5", "Paper number 4"]
    assert len(await repo.candidates_for(1, None, 2)) == 2


async def test_candidates_skip_stories_already_sent_even_from_another_source(
    pg_pool: asyncpg.Pool,
) -> None:
    content = PgContentRepository(pg_pool)
    subscribers = PgSubscriberRepository(pg_pool)
    ledger = PgPublicationLedger(pg_pool)
    ada = await subscribers.save(Subscriber(name="Ada", platform_user_id="ada"))
    bob = await subscribers.save(Subscriber(name="Bob", platform_user_id="bob"))
    assert ada.id is not None and bob.id is not None

    await content.add_many(
        [
            make_item(1, "Attention Is All You Need"),
            make_item(2, "All you need: attention!", source="blog"),  # same story
            make_item(3, "Something else entirely"),
        ]
    )
    stored = await content.recent(10)
    sent = next(i for i in stored if i.title == "Attention Is All You Need")
    digest = Digest(
        subscriber_id=ada.id,
        recipient_name="Ada",
        generated_at=T0 + timedelta(days=1),
        period_key="2024-05-02",
        items=[DigestItem(item=sent, score=0.9, rank=1, reasons=["topic match"])],
    )
    assert await ledger.record(digest, [], None, "digest") is not None

    for_ada = await content.candidates_for(ada.id, None, 10)
    assert [i.title for i in for_ada] == ["Something else entirely"]
    for_bob = await content.candidates_for(bob.id, None, 10)
    assert len(for_bob) == 3
    assert await ledger.sent_fingerprints(ada.id) == {fingerprint("attention need you all")}
