"""A dead provider: when deliveries to one destination keep failing for good, admins
get one operational alert per window (beside the per-row delivery-failed alerts)."""

from __future__ import annotations

import logging
from datetime import timedelta

from redis.asyncio import Redis

from core.ports import Clock
from scheduler.delivery import DeliveryFailure, FailureHook
from storage.redis.alerts import AlertBus

log = logging.getLogger(__name__)
PROVIDER_DOWN = "provider-down"
# Count failures in a fixed window; the first one to reach the threshold raises the alert.
_COUNT = """
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
return n
"""


class ProviderWatch:
    """A DeliveryWorker on_failure hook: `threshold` failures to one destination within
    `window` raise a provider-down alert."""

    def __init__(
        self,
        bus: AlertBus,
        redis: Redis,
        clock: Clock,
        *,
        threshold: int = 5,
        window: timedelta = timedelta(minutes=10),
    ) -> None:
        self.bus = bus
        self.clock = clock
        self.threshold = threshold
        self.window_seconds = int(window.total_seconds())
        self._count = redis.register_script(_COUNT)

    async def __call__(self, failure: DeliveryFailure) -> None:
        destination = failure.message.destination
        now = self.clock.now()
        bucket = int(now.timestamp()) // self.window_seconds
        key = f"alert:ops:failures:{destination}:{bucket}"
        failures = int(await self._count(keys=[key], args=[self.window_seconds * 2]))
        if failures != self.threshold:
            return  # below the bar, or already raised for this window
        minutes = self.window_seconds // 60
        await self.bus.publish(
            {
                "id": f"{PROVIDER_DOWN}-{destination}-{bucket}",
                "kind": PROVIDER_DOWN,
                "title": f"{destination} looks down: {failures} deliveries failed for good "
                f"within {minutes} minutes (last: {failure.detail or 'no detail'})",
                "destination": destination,
                "at": now.isoformat(),
            }
        )
        log.warning("provider %s looks down (%s failures)", destination, failures)


def chain(*hooks: FailureHook | None) -> FailureHook:
    """One on_failure hook calling each given hook in turn; one failing spares the rest."""
    present = [hook for hook in hooks if hook is not None]

    async def call_all(failure: DeliveryFailure) -> None:
        for hook in present:
            try:
                await hook(failure)
            except Exception:
                log.exception("delivery failure hook %r failed", hook)

    return call_all
