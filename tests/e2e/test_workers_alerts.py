"""A delivery that fails for good raises an `alert:*` alert, and the console bot (whose
user is its admin) shows it as it happens."""

from __future__ import annotations

import asyncio
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg
import pytest

from core.models import DispatchType, Subscriber
from storage.postgres.subscribers import PgSubscriberRepository
from storage.redis.alerts import AlertBus
from storage.redis.client import create_redis
from tests.e2e.workers import make_all_due, verified_sender, worker_env

pytestmark = pytest.mark.e2e


async def _line_with(stream: asyncio.StreamReader, text: str, seconds: float) -> str:
    seen = []
    async with asyncio.timeout(seconds):
        while line := (await stream.readline()).decode(errors="replace"):
            seen.append(line)
            if text in line:
                return line
    raise AssertionError(f"{text!r} never printed; got:\n{''.join(seen)}")


async def test_the_console_shows_an_alert_when_a_delivery_fails_for_good(
    bot_env: dict[str, str],
    pg_pool: asyncpg.Pool,
    redis_url: str,
    moto_endpoint: str,
    moto_aws: dict[str, str],
    tmp_path: Path,
) -> None:
    sender = await verified_sender(moto_aws)
    await PgSubscriberRepository(pg_pool).save(
        Subscriber(
            name="Bounced",
            email="not-an-address",
            dispatch_type=DispatchType.EMAIL,
            platform="web",
            platform_user_id="bounced",
            next_due_at=datetime.now(UTC) + timedelta(days=1),
        )
    )
    env = worker_env(bot_env, moto_endpoint, sender, RUN_SCHEDULER="true")
    bot = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.cli", "run", "--no-http",
        env=env, cwd=tmp_path,
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    assert bot.stdin is not None and bot.stdout is not None
    try:
        bot.stdin.write(b"/digest\n")
        await bot.stdin.drain()
        await _line_with(bot.stdout, "digestbot commands", 60)  # up and listening

        await make_all_due(pg_pool)
        alert = await _line_with(bot.stdout, "🚨 ALERT", 60)
    finally:
        bot.stdin.close()
        try:
            await asyncio.wait_for(bot.wait(), 20)
        except TimeoutError:
            bot.kill()
            await bot.wait()

    assert "[delivery-failed]" in alert
    assert "email delivery to not-an-address failed" in alert
    assert "invalid recipient address" in alert
    # The alert is kept under alert:* for admins who were not watching.
    redis = create_redis(redis_url)
    try:
        db = redis.connection_pool.connection_kwargs.get("db", 0)
        [stored] = await AlertBus(redis, f"alerts:db{db}").recent()
    finally:
        await redis.aclose()
    assert stored["kind"] == "delivery-failed" and stored["address"] == "not-an-address"
    suppressed = await pg_pool.fetchval(
        "SELECT reason FROM delivery_suppressions WHERE address = 'not-an-address'"
    )
    assert suppressed is not None and "invalid recipient address" in suppressed
