"""The alert scanner against real PostgreSQL and Redis: who gets an alert, how many a
day, held through quiet hours, and decided once however many workers scan."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import pytest_asyncio
from redis.asyncio import Redis

from core.models import AIMetadata, Subscriber
from scheduler.alerts import AlertScanner
from storage.postgres.alert_log import PgAlertLog
from storage.postgres.content import PgContentRepository
from storage.postgres.subscribers import PgSubscriberRepository
from storage.redis.alerts import AlertBus
from tests.bot.engagement_runtime import item

NLP, VISION = "natural language processing", "computer vision"


class Clock:
    def __init__(self) -> None:
        self.moment = datetime.now(UTC)

    def now(self) -> datetime:
        return self.moment


def _person(user: str, topics: list[str], **alerts: Any) -> Subscriber:
    meta = AIMetadata.model_validate(
        {"refined_requests": {"topics": topics}, "alerts": {"enabled": True, **alerts}}
    )
    return Subscriber(name=user, platform="console", platform_user_id=user, ai_metadata=meta)


def _quiet_now(now: datetime) -> str:
    """Quiet hours from an hour ago to an hour ahead (UTC), wrapping midnight if need be."""
    return f"{now - timedelta(hours=1):%H:%M}-{now + timedelta(hours=1):%H:%M}"


class Heard(list[dict[str, Any]]):
    """Alerts heard on the bus, with an event to wait for the next one."""

    def __init__(self) -> None:
        super().__init__()
        self.more = asyncio.Event()

    async def wait_for(self, count: int) -> list[tuple[str, str]]:
        async with asyncio.timeout(5):
            while len(self) < count:
                self.more.clear()
                await self.more.wait()
        await asyncio.sleep(0.1)  # and nothing more arrives
        return sorted((a["address"], a["title"]) for a in self)


@pytest_asyncio.fixture(loop_scope="session")
async def bus(redis_client: Redis) -> AsyncIterator[tuple[AlertBus, Heard]]:
    """A bus on a channel of this test's own, and the alerts published on it."""
    alert_bus = AlertBus(redis_client, channel=f"alerts-{uuid.uuid4().hex}")
    heard, ready = Heard(), asyncio.Event()

    async def listen() -> None:
        async with alert_bus.subscription() as alerts:
            ready.set()
            async for alert in alerts:
                heard.append(alert)
                heard.more.set()

    task = asyncio.create_task(listen())
    await ready.wait()
    yield alert_bus, heard
    task.cancel()


async def test_alerts_respect_topics_bar_daily_cap_and_quiet_hours(
    pg_pool: asyncpg.Pool, redis_client: Redis, bus: tuple[AlertBus, Heard]
) -> None:
    alert_bus, heard = bus
    clock = Clock()
    people = PgSubscriberRepository(pg_pool)
    for person in (
        _person("capped", [NLP], min_score=0.8, max_per_day=2),
        _person("vision-fan", [VISION], min_score=0.8),
        _person("sleeper", [NLP], min_score=0.8, quiet_hours=_quiet_now(clock.now())),
        _person("picky", [NLP], min_score=0.95),
    ):
        await people.save(person)
    off = _person("not-opted-in", [NLP])
    off.ai_metadata.alerts.enabled = False
    await people.save(off)
    await PgContentRepository(pg_pool).add_many(
        [item(1, NLP, overall=0.9), item(2, NLP, overall=0.91), item(3, NLP, overall=0.92),
         item(4, NLP, overall=0.5), item(5, VISION, overall=0.96)]
    )  # fmt: skip
    scanner = AlertScanner(PgAlertLog(pg_pool), alert_bus, redis_client, clock)

    assert await scanner.run() == 3
    assert await heard.wait_for(3) == [
        ("capped", "Study 2 on natural language processing"),  # oldest first, two a day
        ("capped", "Study 3 on natural language processing"),
        ("vision-fan", "Study 5 on computer vision"),
    ]
    assert await scanner.run() == 0  # decided pairs are never alerted again
    states = await pg_pool.fetch("SELECT state, count(*) AS n FROM subscriber_alerts GROUP BY 1")
    assert {r["state"]: r["n"] for r in states} == {"published": 3, "capped": 1}

    clock.moment += timedelta(hours=1, minutes=5)  # the sleeper's quiet hours are over
    assert await scanner.run() == 3
    assert [a["address"] for a in heard[3:]] == ["sleeper"] * 3
    assert heard[3]["url"].startswith("https://papers.example/")


async def test_two_workers_scanning_at_once_alert_once(
    pg_pool: asyncpg.Pool, redis_client: Redis, bus: tuple[AlertBus, Heard]
) -> None:
    alert_bus, heard = bus
    await PgSubscriberRepository(pg_pool).save(_person("reader", [NLP], min_score=0.8))
    await PgContentRepository(pg_pool).add_many([item(n, NLP, overall=0.9) for n in (1, 2)])
    scanners = [
        AlertScanner(PgAlertLog(pg_pool), alert_bus, redis_client, Clock()) for _ in range(4)
    ]
    published = await asyncio.gather(*(s.run() for s in scanners))
    assert sum(published) == 2
    assert len(await heard.wait_for(2)) == 2
