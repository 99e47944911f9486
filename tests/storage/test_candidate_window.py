"""A batch's shared candidate window gives every subscriber exactly the candidates (same
items, same order) and sent fingerprints that the per-subscriber queries give, also after
rows change and new ones arrive between batches."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import asyncpg
import pytest

from core.mockdata import mock_content, mock_subscribers
from core.models import Digest, DigestItem, RefinedRequests, Subscriber
from storage.postgres import candidate_window
from storage.postgres.publications import PgPublicationLedger
from storage.postgres.search import PgSearchContentRepository
from storage.postgres.subscribers import PgSubscriberRepository

NOW = datetime.now(UTC)


async def _people(pg_pool: asyncpg.Pool, people: PgSubscriberRepository) -> list[Subscriber]:
    saved = [await people.save(s) for s in mock_subscribers(10, seed=3)]
    saved.append(await people.save(Subscriber(name="New", platform_user_id="no-terms")))
    # One reads only the last two days; one owns a private source.
    await pg_pool.execute(
        "UPDATE publishing_subscribers SET last_digest_at = $2 WHERE id = $1",
        saved[1].id,
        NOW - timedelta(days=2),
    )
    await pg_pool.execute(
        "UPDATE content_items SET private_to = ARRAY[$1] WHERE id % 9 = 0",
        f"{saved[2].platform}:{saved[2].platform_user_id}",
    )
    return [s for s in [await people.get(p.id or 0) for p in saved] if s is not None]


async def _check(content: PgSearchContentRepository, people: list[Subscriber]) -> None:
    window = await content.batch_window(people)
    ledger = PgPublicationLedger(content._db)
    for person in people:
        assert person.id is not None and window.covers(person)
        for limit in (7, 500):
            expected = await content.candidates_for(person.id, person.last_digest_at, limit)
            got = window.candidates(person, limit)
            assert [c.id for c in got] == [c.id for c in expected], (person.id, limit)
            assert got == expected
        assert window.sent_fingerprints(person.id) == await ledger.sent_fingerprints(person.id)


async def test_the_batch_window_gives_what_the_per_subscriber_queries_give(
    pg_pool: asyncpg.Pool, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A worker that keeps fewer phrase lists than a batch has counts them again each time.
    monkeypatch.setattr(candidate_window, "COUNTED_LISTS", 3)
    people_repo = PgSubscriberRepository(pg_pool)
    content = PgSearchContentRepository(pg_pool, people_repo)
    await content.add_many(mock_content(90, seed=5, now=NOW))
    people = await _people(pg_pool, people_repo)
    first = (await content.recent(3))[:3]
    digest = Digest(
        subscriber_id=people[0].id, recipient_name="x", generated_at=NOW, period_key="p1",
        items=[DigestItem(item=c, score=0.9, rank=n, reasons=[]) for n, c in enumerate(first, 1)],
    )  # fmt: skip
    await PgPublicationLedger(pg_pool).record(digest, [], None, "digest")  # already sent
    await _check(content, people)

    # Between batches: a row is rewritten to match someone's terms, and new rows arrive.
    wants: RefinedRequests = people[0].ai_metadata.refined_requests
    term = (wants.topics or wants.keywords)[0]
    await pg_pool.execute(
        "UPDATE content_items SET title = $1 WHERE id = (SELECT max(id) FROM content_items)",
        f"All about {term} and {term}",
    )
    cut = await pg_pool.fetchval("SELECT clock_timestamp()")
    await content.add_many(mock_content(20, seed=6, now=NOW))
    await _check(content, people)

    # A batch with a narrower window (a later last digest) lets the worker forget the rest.
    monkeypatch.setattr(candidate_window, "PRUNE_SLACK", 0)
    await pg_pool.execute(
        "UPDATE publishing_subscribers SET last_digest_at = $2 WHERE id = $1", people[1].id, cut
    )
    later = await PgSubscriberRepository(pg_pool).get(people[1].id or 0)
    assert later is not None
    await _check(content, [later])
    assert len(content._windows._items) == 20  # only the rows that arrived after `cut`
