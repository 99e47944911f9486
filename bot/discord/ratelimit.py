"""The rate-limiter shape the Discord deliverer paces itself with, and a no-op one."""

from __future__ import annotations

from typing import Protocol


class RateLimiter(Protocol):
    async def wait(self, bucket: str, rate_per_second: float, burst: int) -> None:
        """Return once one more call fits in the bucket (token bucket: rate, burst)."""
        ...

    async def block(self, bucket: str, seconds: float) -> None:
        """Hold every caller of the bucket back for `seconds` (the platform said so)."""
        ...


class NoRateLimiter:
    """Paces nothing: for tests, and single workers where discord.py's own buckets suffice."""

    async def wait(self, bucket: str, rate_per_second: float, burst: int) -> None:
        return None

    async def block(self, bucket: str, seconds: float) -> None:
        return None
