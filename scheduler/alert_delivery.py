"""Delivering alerts: every bot process listens on the AlertBus and claims only what it
can deliver, so the process holding the right connection sends each alert once.

A content listener sends content alerts to their subscriber; an operational listener
(given the admins) sends every other kind (a delivery that failed for good, a provider
that keeps failing) to each admin it can reach."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from redis.exceptions import RedisError

from core.delivery import DeliveryOutcome, OutboundMessage
from core.ports import Clock, Deliverer
from scheduler.alerts import CONTENT_ALERT
from storage.redis.alerts import AlertBus
from storage.redis.client import REDIS_DOWN

log = logging.getLogger(__name__)
CATCH_UP = timedelta(hours=1)  # alerts missed while no listener ran, still worth sending
Target = tuple[str, str]  # (destination, address)
OWNER_ALERTS = frozenset({"source-paused"})  # operational, but addressed to one person


def alert_message(alert: dict[str, Any], target: Target, key: str) -> OutboundMessage:
    """A short DM for one alert and one recipient."""
    title = str(alert.get("title") or "(untitled)")
    if alert.get("kind") == CONTENT_ALERT:
        subject = f"🔔 Alert: {title}"
        text = (
            f"🔔 New on {alert.get('topic', 'your topics')} "
            f"(score {float(alert.get('score') or 0):.2f}, {alert.get('source', '')}): {title}"
        )
        if alert.get("url"):
            text += f"\n{alert['url']}"
    else:
        subject = f"🚨 digestbot {alert.get('kind', 'alert')}"
        text = f"🚨 {alert.get('text') or title}"
    return OutboundMessage(
        subscriber_id=alert.get("subscriber_id") if alert.get("kind") == CONTENT_ALERT else None,
        destination=target[0],
        address=target[1],
        idempotency_key=f"alert:{key}",
        subject=subject,
        text=text,
    )


def _stopping() -> bool:
    """Whether this task has been asked to stop. redis-py can raise a cancellation that
    arrives mid-read as a ConnectionError; resubscribing then would outlive shutdown."""
    task = asyncio.current_task()
    return task is not None and task.cancelling() > 0


class AlertListener:
    def __init__(
        self,
        bus: AlertBus,
        deliverers: Mapping[str, Deliverer],
        worker_id: str,
        clock: Clock,
        *,
        admins: Sequence[str] | None = None,
        console_user: str | None = None,
        retry_seconds: float = 1.0,
    ) -> None:
        self.bus = bus
        self.deliverers = deliverers
        self.worker_id = worker_id
        self.clock = clock
        # "platform:user" ids, as in ADMIN_USER_IDS; None makes this a content listener.
        self.admins: list[Target] | None = None
        if admins is not None:
            self.admins = [(p, u) for p, _, u in (a.partition(":") for a in admins) if u]
        self.console_user = console_user  # only a process running the console shows there
        self.retry_seconds = retry_seconds
        self.ready = asyncio.Event()  # set while subscribed (tests and health wait on it)

    def targets(self, alert: dict[str, Any]) -> list[Target]:
        """Where this alert goes that this process can deliver to."""
        is_content = alert.get("kind") == CONTENT_ALERT
        target = (str(alert.get("destination")), str(alert.get("address")))
        if self.admins is None:
            wanted = [target] if is_content else []
        elif alert.get("kind") in OWNER_ALERTS:
            wanted = [target]  # e.g. a paused source: its owner is told why
        else:
            wanted = [] if is_content else self.admins
        return [t for t in wanted if self._can_deliver(t)]

    def _can_deliver(self, target: Target) -> bool:
        destination, address = target
        if destination not in self.deliverers or not address:
            return False
        # Every process can print, but only the one running the console user's console shows it.
        return destination != "console" or address == self.console_user

    async def handle(self, alert: dict[str, Any]) -> int:
        """Deliver what this process can and wins the claim for; returns how many sent."""
        alert_id, sent = str(alert.get("id") or ""), 0
        for target in self.targets(alert) if alert_id else []:
            key = (
                alert_id if alert.get("kind") == CONTENT_ALERT else f"{alert_id}:{':'.join(target)}"
            )
            if not await self.bus.claim(key, self.worker_id):
                continue  # another process has it
            message = alert_message(alert, target, key)
            try:
                result = await self.deliverers[target[0]].deliver(message)
            except Exception:  # a deliverer bug must not stop the listener
                log.exception("alert %s to %s raised", alert_id, target[0])
                continue
            if result.outcome is DeliveryOutcome.SENT:
                sent += 1
            else:
                log.warning(
                    "alert %s to %s: %s %s", alert_id, target, result.outcome, result.detail
                )
        return sent

    async def catch_up(self) -> int:
        """Deliver recent alerts published while no listener could take them."""
        cutoff, sent = self.clock.now() - CATCH_UP, 0
        for alert in reversed(await self.bus.recent(50)):
            try:
                fresh = datetime.fromisoformat(str(alert.get("at"))) >= cutoff
            except (TypeError, ValueError):  # no time, or a naive one: not ours to judge
                fresh = False
            if fresh:
                sent += await self.handle(alert)
        return sent

    async def run(self) -> None:
        """Listen until cancelled, resubscribing (with backoff) whenever Redis goes away."""
        delay = self.retry_seconds
        while True:
            try:
                async with self.bus.subscription() as alerts:
                    self.ready.set()
                    delay = self.retry_seconds
                    await self.catch_up()
                    async for alert in alerts:
                        try:
                            await self.handle(alert)
                        except (*REDIS_DOWN, RedisError):
                            raise
                        except Exception:
                            log.exception("alert %s could not be handled", alert.get("id"))
            except (*REDIS_DOWN, RedisError, TimeoutError) as error:
                if _stopping():  # the client turned our cancellation into a lost connection
                    raise asyncio.CancelledError from error
                log.warning("alert listener lost Redis (%s); retrying in %.0fs", error, delay)
            except Exception as error:  # never let one bad alert end the listening for good
                if _stopping():
                    raise asyncio.CancelledError from error
                log.exception("alert listener failed; restarting in %.0fs", delay)
            self.ready.clear()
            await asyncio.sleep(delay)
            delay = min(delay * 2, 30.0)
