"""Alert listeners on real Redis: each alert is delivered once by a process that can
reach its recipient; operational alerts reach each admin once; missed ones catch up."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import ConnectionError as RedisConnectionError

from core.delivery import DeliveryResult, OutboundMessage
from scheduler.alert_delivery import AlertListener
from scheduler.delivery import DeliveryFailure
from scheduler.provider_watch import ProviderWatch
from storage.redis.alerts import AlertBus
from storage.redis.client import create_redis


class Clock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class Recorder:
    def __init__(self, destination: str) -> None:
        self.destination = destination
        self.received: list[OutboundMessage] = []

    async def deliver(self, message: OutboundMessage) -> DeliveryResult:
        self.received.append(message)
        return DeliveryResult.sent()


def _content(address: str, destination: str = "slack") -> dict[str, Any]:
    return {"id": uuid.uuid4().hex, "kind": "content", "destination": destination,
            "address": address, "title": "A breakthrough", "topic": "robotics", "score": 0.93,
            "source": "Nature", "url": "https://papers.example/1",
            "at": datetime.now(UTC).isoformat()}  # fmt: skip


async def _running(listeners: list[AlertListener]) -> list[asyncio.Task[None]]:
    tasks = [asyncio.create_task(listener.run()) for listener in listeners]
    async with asyncio.timeout(5):
        for listener in listeners:
            await listener.ready.wait()
    return tasks


async def _settle(done: Callable[[], bool]) -> None:
    """Wait until `done()`, then a moment more, so a second (wrong) delivery would show."""
    for _ in range(400):  # up to 20 s: a loaded CI machine can be slow to hand messages over
        if done():
            break
        await asyncio.sleep(0.05)
    await asyncio.sleep(0.2)


async def _stop(tasks: list[asyncio.Task[None]]) -> None:
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


async def test_two_processes_deliver_each_alert_once(redis_url: str) -> None:
    channel = f"alerts-{uuid.uuid4().hex}"
    clients = [create_redis(redis_url) for _ in range(3)]
    slack = [Recorder("slack"), Recorder("slack")]
    listeners = [
        AlertListener(
            AlertBus(clients[n], channel),
            {"slack": slack[n]},
            f"p{n}",
            Clock(),
            console_user="console-user",
        )  # fmt: skip
        for n in range(2)
    ]
    tasks = await _running(listeners)
    try:
        publisher = AlertBus(clients[2], channel)
        for n in range(10):
            await publisher.publish(_content(f"U{n}"))
        await publisher.publish(_content("someone-else", destination="console"))
        await _settle(lambda: sum(len(r.received) for r in slack) >= 10)
        delivered = [m.address for r in slack for m in r.received]
        assert sorted(delivered) == sorted(f"U{n}" for n in range(10))
        first = next(m for r in slack for m in r.received)  # whichever process won it
        assert first.text.startswith("🔔 New on robotics (score 0.93, Nature)")
    finally:
        await _stop(tasks)
        for client in clients:
            await client.aclose()


async def test_operational_alerts_reach_each_admin_once(redis_client: Redis) -> None:
    bus = AlertBus(redis_client, f"alerts-{uuid.uuid4().hex}")
    slack, discord = Recorder("slack"), Recorder("discord")
    deliverers = {"slack": slack, "discord": discord}
    admins = ["slack:UADMIN", "discord:42"]
    listeners = [AlertListener(bus, deliverers, f"p{n}", Clock(), admins=admins) for n in (1, 2)]
    tasks = await _running(listeners)
    try:
        watch = ProviderWatch(bus, redis_client, Clock(), threshold=3)
        message = OutboundMessage(destination="email", address="a@example.com",
                                  idempotency_key="k")  # fmt: skip
        for _ in range(4):
            await watch(DeliveryFailure(message, "failed", "SES is not answering"))
        await bus.publish(_content("U1"))  # content: not for the operational listeners
        await _settle(lambda: bool(slack.received and discord.received))
        assert [m.address for m in slack.received] == ["UADMIN"]
        assert [m.address for m in discord.received] == ["42"]
        assert "email looks down: 3 deliveries failed" in slack.received[0].text
    finally:
        await _stop(tasks)


async def test_alerts_published_while_nobody_listened_are_caught_up(redis_client: Redis) -> None:
    bus = AlertBus(redis_client, f"alerts-{uuid.uuid4().hex}")
    missed, stale = _content("U1"), _content("U2")
    stale["at"] = (datetime.now(UTC) - timedelta(hours=3)).isoformat()
    for alert in (stale, missed):
        await bus.publish(alert)
    slack = Recorder("slack")
    tasks = await _running([AlertListener(bus, {"slack": slack}, "late", Clock())])
    try:
        await _settle(lambda: bool(slack.received))
        assert [m.address for m in slack.received] == ["U1"]  # the stale one is news no more
    finally:
        await _stop(tasks)


async def test_a_paused_source_is_explained_to_its_owner_alone(redis_client: Redis) -> None:
    bus = AlertBus(redis_client, f"alerts-{uuid.uuid4().hex}")
    slack = Recorder("slack")
    admins = ["slack:UADMIN"]
    listeners = [
        AlertListener(bus, {"slack": slack}, f"p{n}", Clock(), admins=admins) for n in (1, 2)
    ]
    tasks = await _running(listeners)
    try:
        text = "Your source “blog” is paused after 5 failures: HTTP 500."
        await bus.publish({"kind": "source-paused", "destination": "slack", "address": "UOWNER",
                           "title": "source “blog” paused", "text": text})  # fmt: skip
        await _settle(lambda: bool(slack.received))
        assert [m.address for m in slack.received] == ["UOWNER"]
        assert "paused after 5 failures: HTTP 500" in slack.received[0].text
    finally:
        await _stop(tasks)


class CancellationToConnectionError:
    """An alert bus whose reads turn a cancellation into a lost connection, as redis-py's
    pub/sub can when the cancel lands mid-read."""

    def __init__(self) -> None:
        self.subscriptions = 0
        self.converting = True

    async def recent(self, limit: int = 20) -> list[dict[str, Any]]:
        return []

    @contextlib.asynccontextmanager
    async def subscription(self) -> AsyncIterator[AsyncIterator[dict[str, Any]]]:
        self.subscriptions += 1
        yield self._alerts()

    async def _alerts(self) -> AsyncIterator[dict[str, Any]]:
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            if self.converting:
                raise RedisConnectionError("Connection closed by server.") from None
            raise
        yield {}


async def test_a_listener_asked_to_stop_stops_even_when_redis_hides_the_cancellation() -> None:
    bus = CancellationToConnectionError()
    listener = AlertListener(bus, {}, "p1", Clock(), retry_seconds=0.01)  # type: ignore[arg-type]
    task = asyncio.create_task(listener.run())
    await asyncio.wait_for(listener.ready.wait(), 5)

    task.cancel()
    await asyncio.wait({task}, timeout=2)

    bus.converting = False  # let a listener that kept going be stopped after all
    if not task.done():
        task.cancel()
    assert task.done() and task.cancelled()  # stopped, rather than resubscribing
    assert bus.subscriptions == 1
