"""The rate-limiter shape deliverers pace themselves with, and a no-op one.

The real limiter (storage.redis.rate_limit.RedisRateLimiter) shares its buckets across
processes; deliverers only need this structural shape."""

from __future__ import annotations

from typing import Protocol


class RateLimiter(Protocol):
    async def wait(self, bucket: str, rate_per_second: float, burst: int) -> object:
        """Return once one more call fits in the bucket (token bucket: rate, burst)."""
        ...

    async def block(self, bucket: str, seconds: float) -> object:
        """Hold every caller of the bucket back for `seconds` (the platform said so)."""
        ...


class NoRateLimiter:
    """Paces nothing: for tests and the console, where no platform limits apply."""

    async def wait(self, bucket: str, rate_per_second: float, burst: int) -> None:
        return None

    async def block(self, bucket: str, seconds: float) -> None:
        return None
