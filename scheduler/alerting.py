"""Operator alerts, on the `alert:*` bus, for deliveries that will not happen without help
and for digests that keep failing to assemble."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

from core.ports import Clock
from scheduler.delivery import DeliveryFailure
from scheduler.tick import StuckDigest

KIND = "delivery-failed"
STUCK_KIND = "assembly-failed"


class AlertPublisher(Protocol):
    async def publish(self, alert: dict[str, Any]) -> str:
        """Store and announce one alert; returns its id."""
        ...


def describe_failure(failure: DeliveryFailure) -> str:
    """One line an admin can act on."""
    m = failure.message
    what = "outcome unknown, needs reconciling" if failure.state == "reconcile" else "failed"
    line = f"{m.destination} delivery to {m.address} {what} after {m.attempt} attempt(s)"
    line += f": {failure.detail}" if failure.detail else ""
    if failure.fallback_outbox_id is not None:
        line += " (email fallback queued)"
    return line


def failure_alert(failure: DeliveryFailure, at: datetime) -> dict[str, Any]:
    m = failure.message
    return {
        "id": f"{KIND}-{m.outbox_id}",  # one alert per row, however often it is raised
        "kind": KIND,
        "title": describe_failure(failure),
        "state": failure.state,
        "reason": failure.detail,
        "destination": m.destination,
        "address": m.address,
        "outbox_id": m.outbox_id,
        "publication_id": m.publication_id,
        "subscriber_id": m.subscriber_id,
        "channel_id": m.channel_id,
        "attempts": m.attempt,
        "fallback_outbox_id": failure.fallback_outbox_id,
        "at": at.isoformat(),
    }


class DeliveryAlerts:
    """The DeliveryWorker's on_failure hook: one alert per row given up on."""

    def __init__(self, bus: AlertPublisher, clock: Clock) -> None:
        self.bus = bus
        self.clock = clock

    async def __call__(self, failure: DeliveryFailure) -> None:
        await self.bus.publish(failure_alert(failure, self.clock.now()))


def stuck_alert(stuck: StuckDigest, at: datetime) -> dict[str, Any]:
    return {
        "id": f"{STUCK_KIND}-{stuck.subscriber_id}-{stuck.period_key}",  # one per slot
        "kind": STUCK_KIND,
        "title": (
            f"digest for subscriber {stuck.subscriber_id} ({stuck.period_key}) failed to "
            f"assemble {stuck.failures} times in a row; still retrying: {stuck.error}"
        ),
        "subscriber_id": stuck.subscriber_id,
        "period_key": stuck.period_key,
        "failures": stuck.failures,
        "reason": stuck.error,
        "at": at.isoformat(),
    }


class StuckDigestAlerts:
    """The DigestTick's on_stuck hook."""

    def __init__(self, bus: AlertPublisher, clock: Clock) -> None:
        self.bus = bus
        self.clock = clock

    async def __call__(self, stuck: StuckDigest) -> None:
        await self.bus.publish(stuck_alert(stuck, self.clock.now()))
