"""PgPublicationLedger: one transaction per digest, one digest per (recipient, period)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import asyncpg
import orjson
import pytest

from core.delivery import OutboundMessage
from core.models import AIScores, ContentItem, Digest, DigestItem, Subscriber
from core.pipeline import Recording
from storage.postgres.channels import Channel, PgChannelRepository
from storage.postgres.content import PgContentRepository
from storage.postgres.publications import PgPublicationLedger
from storage.postgres.subscribers import PgSubscriberRepository

NOW = datetime(2024, 5, 6, 8, 0, tzinfo=UTC)
NEXT = NOW + timedelta(days=1)
TABLES = ("publishing_publications", "publishing_publication_items", "delivery_outbox")


async def stored_items(pool: asyncpg.Pool, n: int = 2) -> list[ContentItem]:
    content = PgContentRepository(pool)
    await content.add_many(
        [
            ContentItem(
                title=f"Result {i}",
                url=f"https://example.org/{i}",
                source="arxiv",
                published_at=NOW - timedelta(hours=i),
                ai_scores=AIScores(overall=0.9 - i / 10),
            )
            for i in range(n)
        ]
    )
    return sorted(await content.recent(n), key=lambda item: item.title)


async def subscriber_id(pool: asyncpg.Pool, user: str = "U1") -> int:
    saved = await PgSubscriberRepository(pool).save(Subscriber(name=user, platform_user_id=user))
    assert saved.id is not None
    return saved.id


def make_digest(sub: int | None, items: list[ContentItem], period: str = "2024-05-06") -> Digest:
    return Digest(
        subscriber_id=sub,
        recipient_name="Ada",
        generated_at=NOW,
        period_key=period,
        items=[
            DigestItem(item=item, score=0.9 - rank / 10, rank=rank, reasons=[f"why {rank}"])
            for rank, item in enumerate(items, 1)
        ],
        considered=7,
    )


def message(key: str, sub: int | None = None) -> OutboundMessage:
    return OutboundMessage(
        subscriber_id=sub,
        destination="console",
        address="U1",
        idempotency_key=key,
        subject="Your digest",
        text="two items",
        payload={"blocks": [{"type": "section"}]},
    )


async def row_counts(pool: asyncpg.Pool) -> dict[str, int]:
    row = await pool.fetchrow(
        """
        SELECT (SELECT count(*) FROM publishing_publications) AS publishing_publications,
               (SELECT count(*) FROM publishing_publication_items) AS publishing_publication_items,
               (SELECT count(*) FROM delivery_outbox) AS delivery_outbox
        """
    )
    return dict(row)


async def test_record_writes_everything_and_advances_the_subscriber(pg_pool: asyncpg.Pool) -> None:
    ledger = PgPublicationLedger(pg_pool)
    sub = await subscriber_id(pg_pool)
    await pg_pool.execute(
        "UPDATE publishing_subscribers SET claimed_by = 'w1', claimed_until = $1", NEXT
    )
    items = await stored_items(pg_pool)

    pub_id = await ledger.record(make_digest(sub, items), [message("k1", sub)], NEXT, "digest")

    assert pub_id is not None
    publication = await pg_pool.fetchrow("SELECT * FROM publishing_publications")
    assert (publication["id"], publication["subscriber_id"], publication["outcome"]) == (
        pub_id,
        sub,
        "digest",
    )
    assert (publication["item_count"], publication["considered"]) == (2, 7)
    rows = await pg_pool.fetch("SELECT * FROM publishing_publication_items ORDER BY rank")
    assert [r["content_id"] for r in rows] == [i.id for i in items]
    assert [r["fingerprint"] for r in rows] == [i.fingerprint for i in items]
    assert rows[0]["reasons"] == ["why 1"] and rows[0]["ai_scores"]["overall"] == 0.9
    outbox = await pg_pool.fetchrow("SELECT * FROM delivery_outbox")
    assert (outbox["publication_id"], outbox["idempotency_key"], outbox["state"]) == (
        pub_id,
        "k1",
        "pending",
    )
    assert outbox["body_text"] == "two items"
    assert orjson.loads(outbox["payload"]) == {"blocks": [{"type": "section"}]}
    sub_row = await pg_pool.fetchrow("SELECT * FROM publishing_subscribers")
    assert (sub_row["last_digest_at"], sub_row["next_due_at"]) == (NOW, NEXT)
    assert (sub_row["last_outcome"], sub_row["claimed_by"], sub_row["claimed_until"]) == (
        "digest",
        None,
        None,
    )

    [summary] = await ledger.history(sub, 5)
    assert summary == await ledger.last_publication(sub)
    assert summary.item_titles == ["Result 0", "Result 1"]
    assert summary.delivery_states == ["pending"] and summary.status == "pending"
    assert (summary.id, summary.period_key, summary.created_at) == (pub_id, "2024-05-06", NOW)
    assert await ledger.sent_fingerprints(sub) == {i.fingerprint for i in items}


async def test_a_served_period_returns_none_and_writes_nothing(pg_pool: asyncpg.Pool) -> None:
    ledger = PgPublicationLedger(pg_pool)
    sub = await subscriber_id(pg_pool)
    items = await stored_items(pg_pool)
    assert await ledger.record(make_digest(sub, items), [message("k1")], NEXT, "digest")
    before = await row_counts(pg_pool)

    later = NEXT + timedelta(days=7)
    again = await ledger.record(make_digest(sub, items), [message("k2")], later, "digest")

    assert again is None
    assert await row_counts(pg_pool) == before
    assert await pg_pool.fetchval("SELECT next_due_at FROM publishing_subscribers") == NEXT


async def test_concurrent_records_of_one_period_yield_one_publication(
    pg_pool: asyncpg.Pool,
) -> None:
    ledger = PgPublicationLedger(pg_pool)
    sub = await subscriber_id(pg_pool)
    items = await stored_items(pg_pool)
    results = await asyncio.gather(
        *(
            ledger.record(make_digest(sub, items), [message(f"k{i}")], NEXT, "digest")
            for i in range(4)
        )
    )
    assert sum(r is not None for r in results) == 1
    assert await row_counts(pg_pool) == dict(zip(TABLES, (1, 2, 1), strict=True))


async def test_a_failing_outbox_insert_rolls_everything_back(pg_pool: asyncpg.Pool) -> None:
    ledger = PgPublicationLedger(pg_pool)
    sub = await subscriber_id(pg_pool)
    items = await stored_items(pg_pool)
    assert await ledger.record(make_digest(sub, items[:1]), [message("k1")], NEXT, "digest")
    before = await row_counts(pg_pool)

    next_week = make_digest(sub, items[1:], period="2024-05-13")
    with pytest.raises(asyncpg.UniqueViolationError):
        # The second message reuses an idempotency key: its insert fails last of all.
        await ledger.record(next_week, [message("k2"), message("k1")], NEXT, "digest")

    assert await row_counts(pg_pool) == before
    assert (
        await pg_pool.fetchval(
            "SELECT count(*) FROM publishing_publications WHERE period_key = '2024-05-13'"
        )
        == 0
    )
    assert await ledger.sent_fingerprints(sub) == {items[0].fingerprint}
    assert await pg_pool.fetchval("SELECT next_due_at FROM publishing_subscribers") == NEXT


async def test_reserved_ids_empty_digests_and_bad_recipients(pg_pool: asyncpg.Pool) -> None:
    ledger = PgPublicationLedger(pg_pool)
    sub = await subscriber_id(pg_pool)
    reserved = await ledger.next_publication_id()
    recorded = await ledger.record(
        make_digest(sub, []), [], NEXT, "empty-silent", publication_id=reserved
    )
    assert recorded == reserved
    [summary] = await ledger.history(sub, 5)
    assert (summary.item_titles, summary.status) == ([], "empty-silent")
    with pytest.raises(ValueError, match="exactly one"):
        await ledger.record(make_digest(None, []), [], NEXT, "digest")
    with pytest.raises(ValueError, match="exactly one"):
        await ledger.record(make_digest(sub, []), [], NEXT, "digest", channel_id=1)


async def test_channel_digests(pg_pool: asyncpg.Pool) -> None:
    ledger = PgPublicationLedger(pg_pool)
    content = PgContentRepository(pg_pool)
    channel = await PgChannelRepository(pg_pool).save(
        Channel(platform="slack", platform_channel_id="C1", name="#research", created_by="U1")
    )
    assert channel.id is not None
    items = await stored_items(pg_pool)

    pub_id = await ledger.record(
        make_digest(None, items[:1]), [message("c1")], NEXT, "digest", channel_id=channel.id
    )

    assert pub_id is not None
    assert await ledger.channel_sent_fingerprints(channel.id) == {items[0].fingerprint}
    remaining = await content.channel_candidates_for(channel.id, None, 10)
    assert [i.id for i in remaining] == [items[1].id]
    row = await pg_pool.fetchrow("SELECT * FROM publishing_channels")
    assert (row["last_digest_at"], row["next_due_at"]) == (NOW, NEXT)
    assert await pg_pool.fetchval("SELECT channel_id FROM delivery_outbox") == channel.id


async def test_record_many_writes_a_batch_in_one_go(pg_pool: asyncpg.Pool) -> None:
    ledger = PgPublicationLedger(pg_pool)
    subs = [await subscriber_id(pg_pool, user) for user in ("U1", "U2")]
    items = await stored_items(pg_pool, 3)
    ids = await ledger.reserve_publication_ids(2)
    batch = [
        Recording(make_digest(sub, items[: n + 2]), [message(f"k{n}", sub)], NEXT, "digest", pid)
        for n, (sub, pid) in enumerate(zip(subs, ids, strict=True))
    ]

    assert await ledger.record_many(batch) == ids
    rows = await pg_pool.fetch(
        "SELECT * FROM publishing_publication_items ORDER BY publication_id, rank"
    )
    assert [(r["publication_id"], r["content_id"]) for r in rows] == [
        (pid, item.id) for pid, n in zip(ids, (2, 3), strict=True) for item in items[:n]
    ]
    # Reasons as given; the item's own scores copied from its content row.
    assert rows[1]["reasons"] == ["why 2"] and rows[1]["ai_scores"]["overall"] == 0.8
    assert rows[1]["subscriber_id"] == subs[0] and rows[1]["fingerprint"] == items[1].fingerprint
    outbox = await pg_pool.fetch("SELECT * FROM delivery_outbox ORDER BY idempotency_key")
    assert [orjson.loads(o["payload"]) for o in outbox] == [{"blocks": [{"type": "section"}]}] * 2
    assert [o["publication_id"] for o in outbox] == ids
    advanced = await pg_pool.fetch("SELECT next_due_at, last_outcome FROM publishing_subscribers")
    assert {(r["next_due_at"], r["last_outcome"]) for r in advanced} == {(NEXT, "digest")}

    again = [Recording(r.digest, r.messages, NEXT, "digest", pid) for r, pid in
             zip(batch, await ledger.reserve_publication_ids(2), strict=True)]  # fmt: skip
    assert await ledger.record_many(again) == [None, None]  # those periods are served
    assert await row_counts(pg_pool) == dict(zip(TABLES, (2, 5, 2), strict=True))


async def test_item_rows_go_with_their_publication_subscriber_or_content(
    pg_pool: asyncpg.Pool,
) -> None:
    """Item rows are written unchecked (migration 0015), and deletes still cascade to them."""
    ledger = PgPublicationLedger(pg_pool)
    subs = [await subscriber_id(pg_pool, user) for user in ("U1", "U2", "U3")]
    items = await stored_items(pg_pool, 3)
    ids = await ledger.reserve_publication_ids(3)
    await ledger.record_many(
        [
            Recording(make_digest(sub, items), [], NEXT, "digest", pid)
            for sub, pid in zip(subs, ids, strict=True)
        ]
    )

    async def left() -> list[tuple[int, int]]:
        rows = await pg_pool.fetch(
            "SELECT publication_id, content_id FROM publishing_publication_items ORDER BY 1, 2"
        )
        return [(r["publication_id"], r["content_id"]) for r in rows]

    everything = [(pid, item.id) for pid in ids for item in sorted(items, key=lambda i: i.id)]
    assert await left() == everything
    await pg_pool.execute("DELETE FROM publishing_publications WHERE id = $1", ids[0])
    await pg_pool.execute("DELETE FROM publishing_subscribers WHERE id = $1", subs[1])
    await pg_pool.execute("DELETE FROM content_items WHERE id = $1", items[0].id)
    assert await left() == [(ids[2], item.id) for item in items[1:]]
    await pg_pool.execute("TRUNCATE publishing_publications CASCADE")
    assert await left() == []
