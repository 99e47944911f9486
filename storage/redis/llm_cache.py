"""What the LLM client keeps in Redis: answers by prompt hash, and a daily request count.

Both are rebuildable: a lost cache costs requests, a lost counter restarts the day's count."""

from __future__ import annotations

import contextlib
from datetime import date

from redis.asyncio import Redis

from storage.redis.client import REDIS_DOWN

CACHE_TTL_SECONDS = 30 * 24 * 3600


class LlmCache:
    def __init__(self, redis: Redis, ttl_seconds: int = CACHE_TTL_SECONDS) -> None:
        self._redis = redis
        self._ttl = ttl_seconds

    async def get(self, key: str) -> str | None:
        """The cached answer, or None (also when Redis is unreachable: ask again)."""
        try:
            return await self._redis.get(f"llm:cache:{key}")
        except REDIS_DOWN:
            return None

    async def put(self, key: str, value: str) -> None:
        # Best-effort: without the cache the next identical request just asks again.
        with contextlib.suppress(*REDIS_DOWN):
            await self._redis.set(f"llm:cache:{key}", value, ex=self._ttl)


class DailyBudget:
    """At most `limit` requests per UTC day, counted across every process."""

    def __init__(self, redis: Redis, limit: int) -> None:
        self._redis = redis
        self.limit = limit

    async def spend(self, day: date) -> bool:
        """Count one request; False (and nothing spent) once the day's budget is used."""
        if self.limit <= 0:
            return False
        key = f"llm:budget:{day.isoformat()}"
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.incr(key)
            pipe.expire(key, 2 * 24 * 3600)
            used, _ = await pipe.execute()
        if used > self.limit:
            await self._redis.decr(key)
            return False
        return True

    async def used(self, day: date) -> int:
        return int(await self._redis.get(f"llm:budget:{day.isoformat()}") or 0)
