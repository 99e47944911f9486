"""`/health`: 200 when PostgreSQL and Redis both answer, 503 naming the part that does not."""

from __future__ import annotations

import asyncio

import asyncpg
from aiohttp import web
from redis.asyncio import Redis

CHECK_TIMEOUT_SECONDS = 2.0


async def _check_postgres(pool: asyncpg.Pool) -> str:
    try:
        await asyncio.wait_for(pool.fetchval("SELECT 1"), CHECK_TIMEOUT_SECONDS)
        return "ok"
    except Exception as error:
        return f"error: {type(error).__name__}"


async def _check_redis(redis: Redis) -> str:
    try:
        await asyncio.wait_for(redis.ping(), CHECK_TIMEOUT_SECONDS)
        return "ok"
    except Exception as error:
        return f"error: {type(error).__name__}"


def health_routes(pool: asyncpg.Pool, redis: Redis) -> web.RouteTableDef:
    routes = web.RouteTableDef()

    @routes.get("/health")
    async def health(_: web.Request) -> web.Response:
        postgres, cache = await asyncio.gather(_check_postgres(pool), _check_redis(redis))
        healthy = postgres == "ok" and cache == "ok"
        body = {"status": "ok" if healthy else "degraded", "postgres": postgres, "redis": cache}
        return web.json_response(body, status=200 if healthy else 503)

    return routes
