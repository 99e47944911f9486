"""`/health` reports both servers: 200 when they answer, 503 naming the part that does not."""

from __future__ import annotations

import asyncpg
from aiohttp.test_utils import TestClient, TestServer
from redis.asyncio import Redis

from bot.http.health import health_routes
from bot.http.server import make_app


async def _get_health(pool: asyncpg.Pool, redis: Redis) -> tuple[int, dict]:
    async with TestClient(TestServer(make_app(health_routes(pool, redis)))) as client:
        response = await client.get("/health")
        return response.status, await response.json()


async def test_health_is_ok_when_both_answer(pg_pool: asyncpg.Pool, redis_client: Redis) -> None:
    status, body = await _get_health(pg_pool, redis_client)
    assert status == 200
    assert body == {"status": "ok", "postgres": "ok", "redis": "ok"}


async def test_health_is_503_naming_redis_when_it_is_down(
    pg_pool: asyncpg.Pool, unreachable_redis: Redis
) -> None:
    status, body = await _get_health(pg_pool, unreachable_redis)
    assert status == 503
    assert body["postgres"] == "ok" and body["redis"].startswith("error")


async def test_health_is_503_naming_postgres_when_it_is_down(
    pg_url: str, redis_client: Redis
) -> None:
    pool = await asyncpg.create_pool(pg_url, min_size=0, max_size=1)
    await pool.close()
    status, body = await _get_health(pool, redis_client)
    assert status == 503
    assert body["redis"] == "ok" and body["postgres"].startswith("error")
