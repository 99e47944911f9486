"""Conversation state (guided flows) in Redis; expiry is Redis's job, not ours."""

from __future__ import annotations

import json
from typing import Any

from redis.asyncio import Redis


def session_key(platform: str, user_id: str) -> str:
    return f"session:{platform}:{user_id}"


class RedisSessionStore:
    """core.ports.SessionStore over Redis: one JSON string per user, with a TTL."""

    def __init__(self, redis: Redis, ttl_seconds: int = 900) -> None:
        self._redis = redis
        self._ttl = ttl_seconds

    async def get(self, platform: str, user_id: str) -> dict[str, Any] | None:
        raw = await self._redis.get(session_key(platform, user_id))
        return json.loads(raw) if raw is not None else None

    async def put(self, platform: str, user_id: str, state: dict[str, Any]) -> None:
        # Serialise first so a non-JSON value fails here, not on the next read.
        payload = json.dumps(state)
        # Every put renews the TTL: a user still answering keeps their flow alive.
        await self._redis.set(session_key(platform, user_id), payload, ex=self._ttl)

    async def delete(self, platform: str, user_id: str) -> None:
        await self._redis.delete(session_key(platform, user_id))
