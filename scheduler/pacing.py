"""A deliverer paced by a token bucket that every worker process shares (through Redis),
so three workers together keep to one destination-wide rate instead of tripling it."""

from __future__ import annotations

from typing import Protocol

from core.delivery import DeliveryOutcome, DeliveryResult, OutboundMessage
from core.ports import Deliverer


class SharedRateLimiter(Protocol):
    async def wait(self, bucket: str, rate_per_second: float, burst: int) -> object:
        """Return once one more call fits in the shared bucket."""
        ...

    async def block(self, bucket: str, seconds: float) -> object:
        """Hold every caller of the bucket back for `seconds` (the destination said so)."""
        ...


class PacedDeliverer:
    """Wraps a Deliverer: one token per send from `bucket` (rate per second, burst).

    The delivery worker calls `pace()` before it marks a send as begun, so a worker that
    dies while waiting for its turn leaves a row that is plainly unsent; `deliver()` paces
    by itself when nobody did."""

    def __init__(
        self,
        inner: Deliverer,
        limiter: SharedRateLimiter,
        bucket: str,
        rate_per_second: float,
        burst: int | None = None,
    ) -> None:
        self.inner = inner
        self.destination = inner.destination
        self.limiter = limiter
        self.bucket = bucket
        self.rate = rate_per_second
        self.burst = burst or max(1, int(rate_per_second))
        self._paced: set[str] = set()

    async def pace(self, message: OutboundMessage) -> None:
        """Take this message's token now."""
        await self.limiter.wait(self.bucket, self.rate, self.burst)
        self._paced.add(message.idempotency_key)

    async def deliver(self, message: OutboundMessage) -> DeliveryResult:
        if message.idempotency_key in self._paced:
            self._paced.discard(message.idempotency_key)
        else:
            await self.limiter.wait(self.bucket, self.rate, self.burst)
        result = await self.inner.deliver(message)
        if result.outcome is DeliveryOutcome.TRANSIENT and result.retry_after:
            await self.limiter.block(self.bucket, result.retry_after)
        return result

    def __getattr__(self, name: str) -> object:
        # Everything else (aclose, build_mime, ...) is the wrapped deliverer's.
        if name == "inner":
            raise AttributeError(name)
        return getattr(self.inner, name)
