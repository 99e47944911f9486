import asyncio

from redis.asyncio import Redis

from storage.redis.sessions import RedisSessionStore


async def test_put_get_delete_round_trip(redis_client: Redis) -> None:
    store = RedisSessionStore(redis_client)
    state = {"flow": "subscribe", "step": 2, "answers": {"frequency": "weekly"}}

    await store.put("slack", "U1", state)

    assert await store.get("slack", "U1") == state
    assert await store.get("discord", "U1") is None
    await store.delete("slack", "U1")
    assert await store.get("slack", "U1") is None


async def test_every_put_sets_the_ttl(redis_client: Redis) -> None:
    store = RedisSessionStore(redis_client, ttl_seconds=900)
    await store.put("console", "me", {"step": 1})
    await redis_client.expire("session:console:me", 5)

    await store.put("console", "me", {"step": 2})

    assert 890 < await redis_client.ttl("session:console:me") <= 900


async def test_session_is_gone_after_expiry(redis_client: Redis) -> None:
    store = RedisSessionStore(redis_client, ttl_seconds=1)
    await store.put("discord", "42", {"step": 1})

    await asyncio.sleep(1.2)

    assert await store.get("discord", "42") is None
