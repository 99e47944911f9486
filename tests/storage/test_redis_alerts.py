import asyncio
import uuid

from redis.asyncio import Redis

from storage.redis.alerts import AlertBus
from storage.redis.client import create_redis


async def test_publish_stores_with_ttl_and_recent_lists_newest_first(
    redis_client: Redis,
) -> None:
    bus = AlertBus(redis_client, channel=f"alerts-{uuid.uuid4().hex}")
    first = await bus.publish({"title": "one", "score": 0.9})
    second = await bus.publish({"title": "two", "score": 0.95})

    assert await bus.get(first) == {"title": "one", "score": 0.9, "id": first}
    assert await redis_client.ttl(f"alert:{first}") > 7 * 24 * 3600 - 10
    assert [a["title"] for a in await bus.recent(10)] == ["two", "one"]
    assert [a["id"] for a in await bus.recent(1)] == [second]


async def test_claim_succeeds_exactly_once_across_clients(redis_url: str) -> None:
    clients = [create_redis(redis_url) for _ in range(2)]
    try:
        buses = [AlertBus(c) for c in clients]
        alert_id = await buses[0].publish({"title": "breaking"})

        results = await asyncio.gather(
            *(bus.claim(alert_id, f"worker-{n}") for n, bus in enumerate(buses * 5))
        )

        assert sum(results) == 1
        assert await clients[1].get(f"alert:{alert_id}:claimed") in {
            f"worker-{n}" for n in range(10)
        }
    finally:
        for client in clients:
            await client.aclose()


async def test_subscribers_receive_published_alerts(redis_url: str) -> None:
    channel = f"alerts-{uuid.uuid4().hex}"  # pub/sub ignores the db index
    listener, publisher = create_redis(redis_url), create_redis(redis_url)
    try:
        async with AlertBus(listener, channel).subscription() as alerts:
            alert_id = await AlertBus(publisher, channel).publish({"title": "hot"})
            received = await asyncio.wait_for(anext(alerts), timeout=5)
        assert received == {"title": "hot", "id": alert_id}
    finally:
        await listener.aclose()
        await publisher.aclose()


async def test_listen_yields_alerts(redis_client: Redis) -> None:
    bus = AlertBus(redis_client, channel=f"alerts-{uuid.uuid4().hex}")
    stream = bus.listen()
    pending = asyncio.ensure_future(anext(stream))
    # listen() subscribes lazily; keep publishing until the listener is in.
    for _ in range(50):
        await bus.publish({"title": "x"})
        done, _ = await asyncio.wait({pending}, timeout=0.1)
        if done:
            break
    assert pending.result()["title"] == "x"
    await stream.aclose()
