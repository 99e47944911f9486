import logging
from datetime import UTC, datetime

import pytest
from redis.asyncio import Redis

from core.models import Subscriber, SubscriberStatus
from storage.redis.subscriber_cache import CachedSubscriberRepository


class FakeSubscribers:
    """An in-memory SubscriberRepository that counts reads; stands in for PostgreSQL."""

    def __init__(self) -> None:
        self.rows: dict[int, Subscriber] = {}
        self.reads = 0

    async def get(self, subscriber_id: int) -> Subscriber | None:
        self.reads += 1
        return self.rows.get(subscriber_id)

    async def find_by_identity(self, platform: str, platform_user_id: str) -> Subscriber | None:
        self.reads += 1
        for row in self.rows.values():
            if (row.platform, row.platform_user_id) == (platform, platform_user_id):
                return row
        return None

    async def save(self, subscriber: Subscriber) -> Subscriber:
        existing = await self.find_by_identity(subscriber.platform, subscriber.platform_user_id)
        sid = existing.id if existing else len(self.rows) + 1
        stored = subscriber.model_copy(update={"id": sid})
        self.rows[sid] = stored
        return stored

    async def count_by_status(self) -> dict[str, int]:
        return {"active": len(self.rows)}

    async def set_next_due(self, subscriber_id: int, next_due_at: datetime | None) -> None:
        self.rows[subscriber_id] = self.rows[subscriber_id].model_copy(
            update={"next_due_at": next_due_at}
        )

    async def claim_due(self, limit: int) -> list[int]:
        return list(self.rows)[:limit]


def ada() -> Subscriber:
    return Subscriber(name="Ada", platform="slack", platform_user_id="U1", email="a@x.io")


async def test_reads_are_cached_by_id_and_identity(redis_client: Redis) -> None:
    inner = FakeSubscribers()
    repo = CachedSubscriberRepository(redis_client, inner)
    stored = await repo.save(ada())
    inner.reads = 0

    assert await repo.get(stored.id) == stored
    assert await repo.find_by_identity("slack", "U1") == stored
    assert inner.reads == 0
    assert 590 < await redis_client.ttl(f"cache:subscriber:{stored.id}") <= 600
    assert await redis_client.get("cache:subscriber-identity:slack:U1") == str(stored.id)


async def test_miss_reads_inner_once_then_hits(redis_client: Redis) -> None:
    inner = FakeSubscribers()
    stored = await inner.save(ada())
    repo = CachedSubscriberRepository(redis_client, inner)
    inner.reads = 0

    for _ in range(3):
        assert await repo.get(stored.id) == stored
    assert inner.reads == 1
    assert await repo.get(999) is None


async def test_save_writes_through_then_refreshes_cache(redis_client: Redis) -> None:
    inner = FakeSubscribers()
    repo = CachedSubscriberRepository(redis_client, inner)
    stored = await repo.save(ada())
    await repo.get(stored.id)

    paused = await repo.save(stored.model_copy(update={"status": SubscriberStatus.PAUSED}))

    assert inner.rows[stored.id].status is SubscriberStatus.PAUSED
    assert (await repo.get(stored.id)).status is SubscriberStatus.PAUSED
    assert paused.id == stored.id


async def test_invalidate_after_an_out_of_band_write(redis_client: Redis) -> None:
    inner = FakeSubscribers()
    repo = CachedSubscriberRepository(redis_client, inner)
    stored = await repo.save(ada())
    inner.rows[stored.id] = stored.model_copy(update={"last_outcome": "sent"})

    await repo.invalidate(stored.id)

    assert (await repo.find_by_identity("slack", "U1")).last_outcome == "sent"


async def test_set_next_due_passes_through_and_invalidates(redis_client: Redis) -> None:
    inner = FakeSubscribers()
    repo = CachedSubscriberRepository(redis_client, inner)
    stored = await repo.save(ada())
    due = datetime(2030, 1, 1, 8, tzinfo=UTC)

    await repo.set_next_due(stored.id, due)

    assert (await repo.get(stored.id)).next_due_at == due


async def test_warm_and_passthrough(redis_client: Redis) -> None:
    inner = FakeSubscribers()
    seeded = [await inner.save(ada())]
    repo = CachedSubscriberRepository(redis_client, inner)
    inner.reads = 0

    await repo.warm(seeded)

    assert await repo.find_by_identity("slack", "U1") == seeded[0]
    assert inner.reads == 0
    assert await repo.count_by_status() == {"active": 1}
    assert await repo.claim_due(5) == [seeded[0].id]


async def test_redis_down_falls_back_to_inner(
    unreachable_redis: Redis, caplog: pytest.LogCaptureFixture
) -> None:
    inner = FakeSubscribers()
    repo = CachedSubscriberRepository(unreachable_redis, inner)

    with caplog.at_level(logging.WARNING):
        stored = await repo.save(ada())
        assert await repo.get(stored.id) == stored
        assert await repo.find_by_identity("slack", "U1") == stored
        await repo.warm([stored])
        await repo.invalidate(stored.id)

    assert inner.rows[stored.id] == stored
    assert "redis unavailable" in caplog.text
