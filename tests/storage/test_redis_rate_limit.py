import asyncio

import pytest
from redis.asyncio import Redis

from storage.redis.client import create_redis
from storage.redis.rate_limit import RedisRateLimiter

RATE, BURST = 20.0, 5


async def test_burst_then_wait(redis_client: Redis) -> None:
    limiter = RedisRateLimiter(redis_client)

    taken = [await limiter.acquire("slack", RATE, BURST) for _ in range(BURST)]
    wait = await limiter.acquire("slack", RATE, BURST)

    assert taken == [0.0] * BURST
    assert 0 < wait <= 1 / RATE
    assert await redis_client.pttl("ratelimit:slack") > 0


async def test_three_processes_share_one_bucket(redis_url: str) -> None:
    # Three clients stand in for three worker processes.
    clients = [create_redis(redis_url) for _ in range(3)]
    counts = [0, 0, 0]

    async def consume(n: int, limiter: RedisRateLimiter, deadline: float) -> None:
        loop = asyncio.get_running_loop()
        while True:
            await limiter.wait("discord", RATE, BURST)
            if loop.time() >= deadline:
                return
            counts[n] += 1

    try:
        deadline = asyncio.get_running_loop().time() + 1.0
        await asyncio.gather(
            *(consume(n, RedisRateLimiter(c), deadline) for n, c in enumerate(clients))
        )
    finally:
        for client in clients:
            await client.aclose()

    # One second at 20/s plus the initial burst, shared: ~25 in all, never ~75.
    assert RATE - BURST <= sum(counts) <= RATE + BURST + 1, counts
    assert all(counts), counts


async def test_block_holds_everyone_off(redis_client: Redis) -> None:
    limiter = RedisRateLimiter(redis_client)
    assert await limiter.acquire("ses", RATE, BURST) == 0

    assert await limiter.block("ses", 0.5) == pytest.approx(0.5, abs=0.05)
    assert await limiter.block("ses", 0.1) == pytest.approx(0.5, abs=0.05)  # longer wins

    assert 0.4 < await limiter.acquire("ses", RATE, BURST) <= 0.5
    assert await limiter.wait("ses", RATE, BURST) >= 0.4
    assert await limiter.acquire("ses", RATE, BURST) == 0


async def test_rejects_nonsense_limits(redis_client: Redis) -> None:
    with pytest.raises(ValueError):
        await RedisRateLimiter(redis_client).acquire("x", 0, 1)
