"""Operator alerts, on the `alert:*` bus, for deliveries that will not happen without help
and for digests that keep failing to assemble."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, Generic, Protocol, TypeVar

from core.ports import Clock
from scheduler.delivery import DeliveryFailure
from scheduler.tick import StuckDigest

KIND = "delivery-failed"
STUCK_KIND = "assembly-failed"
Event = TypeVar("Event")


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


def stuck_alert(stuck: StuckDigest, at: datetime) -> dict[str, Any]:
    return {
        # One per recipient and slot.
        "id": f"{STUCK_KIND}-{stuck.recipient.replace(' ', '-')}-{stuck.period_key}",
        "kind": STUCK_KIND,
        "title": (
            f"digest for {stuck.recipient} ({stuck.period_key}) failed to "
            f"assemble {stuck.failures} times in a row; still retrying: {stuck.error}"
        ),
        "subscriber_id": stuck.subscriber_id,
        "channel_id": stuck.channel_id,
        "period_key": stuck.period_key,
        "failures": stuck.failures,
        "reason": stuck.error,
        "at": at.isoformat(),
    }


class AlertHook(Generic[Event]):
    """A worker's hook that publishes each event it is given as an alert built by `build`."""

    def __init__(
        self,
        bus: AlertPublisher,
        clock: Clock,
        build: Callable[[Event, datetime], dict[str, Any]],
    ) -> None:
        self.bus = bus
        self.clock = clock
        self.build = build

    async def __call__(self, event: Event) -> None:
        await self.bus.publish(self.build(event, self.clock.now()))


def delivery_alerts(bus: AlertPublisher, clock: Clock) -> AlertHook[DeliveryFailure]:
    """The DeliveryWorker's on_failure hook: one alert per row given up on."""
    return AlertHook(bus, clock, failure_alert)


def stuck_digest_alerts(bus: AlertPublisher, clock: Clock) -> AlertHook[StuckDigest]:
    """The DigestTick's on_stuck hook: one alert per slot that keeps failing."""
    return AlertHook(bus, clock, stuck_alert)
