"""Which message holds each recipient's latest digest, so a newer one can mark it.

Redis only: losing it costs nothing but a missed "superseded" note on an old message."""

from __future__ import annotations

from typing import Protocol

from redis.asyncio import Redis

TTL_SECONDS = 60 * 24 * 3600  # longer than the longest gap between digests (monthly)
SUPERSEDED = "🔁 *A newer digest has arrived below; this one is kept for reference.*"


class DigestLog(Protocol):
    async def swap(self, address: str, message_ref: str) -> str | None:
        """Remember `message_ref` ("channel:message") as the latest; return the previous."""
        ...


def log_key(address: str) -> str:
    return f"discord:last-digest:{address}"


class RedisDigestLog:
    def __init__(self, redis: Redis, ttl_seconds: int = TTL_SECONDS) -> None:
        self._redis = redis
        self._ttl = ttl_seconds

    async def swap(self, address: str, message_ref: str) -> str | None:
        # SET ... GET (one atomic step): two workers can never both see the same previous.
        previous = await self._redis.set(log_key(address), message_ref, ex=self._ttl, get=True)
        return previous.decode() if isinstance(previous, bytes) else previous
