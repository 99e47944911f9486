"""Real-time alerts end to end: two `digestbot run` processes listen on the same Redis;
the alert scan publishes, and each alert is delivered exactly once."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
import pytest
from redis.asyncio import Redis

from bot.engagement_wiring import content_channel
from bot.settings import Settings
from bot.workers import alert_bus
from scheduler.alerts import AlertScanner
from storage.postgres.alert_log import PgAlertLog
from storage.postgres.content import PgContentRepository
from storage.redis.alerts import AlertBus
from tests.bot.engagement_runtime import item
from tests.e2e.live_bot import LiveBot

pytestmark = pytest.mark.e2e
NLP = "natural language processing"


class Clock:
    def now(self) -> datetime:
        return datetime.now(UTC)


async def _until(check: Callable[[], Awaitable[bool]], what: str, seconds: float = 60) -> None:
    """Poll another process's state (no event to wait on across processes)."""
    for _ in range(int(seconds * 10)):
        if await check():
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


async def test_an_alert_reaches_exactly_one_of_two_bot_processes(
    bot_env: dict[str, str], tmp_path: Path, pg_pool: asyncpg.Pool, redis_client: Redis
) -> None:
    channel = content_channel(alert_bus(Settings(_env_file=None), redis_client))
    bots = [LiveBot(bot_env, tmp_path, "--no-http") for _ in range(2)]
    try:
        first = bots[0]
        first.ask("/subscribe daily at 08:00 tz UTC", "Subscribed")
        first.ask('/digest prompt add "NLP"', "Prompt 1 added")
        first.ask("/digest alerts on 0.8", "Alerts on")

        async def both_listen() -> bool:
            return (await redis_client.pubsub_numsub(channel))[0][1] >= 2

        await _until(both_listen, "both processes to subscribe")

        await PgContentRepository(pg_pool).add_many(
            [item(n, NLP, overall=0.9 + n / 100) for n in (1, 2, 3)] + [item(4, NLP, overall=0.4)]
        )
        bus = AlertBus(redis_client, channel)
        assert await AlertScanner(PgAlertLog(pg_pool), bus, redis_client, Clock()).run() == 3

        async def all_delivered() -> bool:
            printed = "".join(bot.stdout for bot in bots)
            return all(f"🔔 Alert: Study {n} on {NLP}" in printed for n in (1, 2, 3))

        await _until(all_delivered, "three alerts", seconds=20)
        await asyncio.sleep(1.0)  # time enough for a second delivery to show, were there one
        outputs = [bot.stdout for bot in bots]
        for n in (1, 2, 3):
            copies = sum(out.count(f"🔔 Alert: Study {n} on {NLP}") for out in outputs)
            assert copies == 1, (n, outputs)
        assert "Study 4" not in "".join(outputs)  # under the bar
    finally:
        codes = [bot.stop() for bot in bots]
    assert codes == [0, 0], [bot.stderr for bot in bots]
    assert all("Traceback" not in bot.stderr for bot in bots)
