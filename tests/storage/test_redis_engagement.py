from datetime import UTC, datetime

import pytest
from redis.asyncio import Redis

from storage.redis.engagement import EngagementCounters


async def test_same_click_twice_counts_once(redis_client: Redis) -> None:
    counters = EngagementCounters(redis_client)

    assert await counters.record("click", 7, 100, "u1") is True
    assert await counters.record("click", 7, 100, "u1") is False
    assert await counters.record("click", 7, 100, "u2") is True
    assert await counters.record("open", 7, 100, "u1") is True

    assert await counters.item_totals(100) == {"open": 1, "click": 2, "like": 0, "dislike": 0}
    assert (await counters.publication_totals(7))["click"] == 2
    assert await counters.subscriber_totals("u1") == {
        "open": 1,
        "click": 1,
        "like": 0,
        "dislike": 0,
    }
    assert await redis_client.get("engagement:click:item:100") == "2"


async def test_unknown_kind_is_rejected(redis_client: Redis) -> None:
    with pytest.raises(ValueError):
        await EngagementCounters(redis_client).record("share", 1, 1, "u1")


async def test_events_drain_in_order_once(redis_client: Redis) -> None:
    counters = EngagementCounters(redis_client)
    at = datetime(2024, 5, 1, 9, 30, tzinfo=UTC)
    for item in (1, 2, 3):
        await counters.record("like", 9, item, 5, at=at)
    await counters.record("like", 9, 1, 5, at=at)  # duplicate: no event

    first = await counters.drain_events(limit=2)
    rest = await counters.drain_events(limit=10)

    assert [e["item_id"] for e in first] == [1, 2]
    assert [e["item_id"] for e in rest] == [3]
    assert first[0] == {
        "kind": "like",
        "publication_id": 9,
        "item_id": 1,
        "person": "5",
        "at": "2024-05-01T09:30:00+00:00",
    }
    assert await counters.drain_events() == []


async def test_requeued_events_come_back_first(redis_client: Redis) -> None:
    counters = EngagementCounters(redis_client)
    for item in (1, 2, 3):
        await counters.record("open", 1, item, "p")
    taken = await counters.drain_events(limit=2)

    await counters.requeue_events(taken)

    assert await counters.pending_events() == 3
    assert [e["item_id"] for e in await counters.drain_events()] == [1, 2, 3]
