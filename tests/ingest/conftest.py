"""Fixtures for ingestion tests: a local feed site, a settable clock, and a job factory
wired to this test's own PostgreSQL and Redis."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator, Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from redis.asyncio import Redis

from bot.runtime import Runtime, build_runtime
from core.sources import parse_source
from scheduler.feeds.fetch import FeedFetcher, FetchLimits
from scheduler.ingest import IngestConfig, IngestJob
from storage.postgres.ingest import PgIngestStore
from storage.postgres.sources import PgSourceHealth, PgSourceRegistry
from storage.redis.alerts import AlertBus
from storage.redis.rate_limit import RedisRateLimiter
from tests.fakes.feeds_server import FakeFeedServer
from tests.fixtures.runtime import test_settings


class SettableClock:
    """Starts at the real time: new sources are due from the database's now()."""

    def __init__(self) -> None:
        self.moment = datetime.now(UTC) + timedelta(seconds=1)

    def now(self) -> datetime:
        return self.moment

    def advance(self, delta: timedelta) -> None:
        self.moment += delta


@pytest.fixture
async def site() -> AsyncIterator[FakeFeedServer]:
    async with FakeFeedServer() as server:
        yield server


@pytest.fixture
def clock() -> SettableClock:
    return SettableClock()


@pytest.fixture
def registry(pg_pool: asyncpg.Pool) -> PgSourceRegistry:
    return PgSourceRegistry(pg_pool)


@pytest.fixture
def alerts(redis_client: Redis) -> AlertBus:
    return AlertBus(redis_client, channel="alerts:test-ingest")


@pytest.fixture
async def make_job(
    pg_pool: asyncpg.Pool,
    redis_client: Redis,
    site: FakeFeedServer,
    clock: SettableClock,
    alerts: AlertBus,
) -> AsyncIterator[Callable[..., IngestJob]]:
    fetchers: list[FeedFetcher] = []

    def make(*, paced: bool = False, limits: FetchLimits | None = None, **config: Any) -> IngestJob:
        fetcher = FeedFetcher(
            limits
            or FetchLimits(timeout_seconds=2.0, max_bytes=1_000_000, allow_private_hosts=True)
        )
        fetchers.append(fetcher)
        settings = replace(
            IngestConfig(arxiv_api_url=site.url("/api/query"), host_interval_seconds=0.0),
            **config,
        )
        return IngestJob(
            PgSourceHealth(pg_pool),
            PgIngestStore(pg_pool),
            fetcher,
            clock,
            "test-worker",
            settings,
            pacer=RedisRateLimiter(redis_client) if paced else None,
            alerts=alerts,
        )

    yield make
    for fetcher in fetchers:
        await fetcher.close()


async def add_source(
    registry: PgSourceRegistry, url: str, name: str, owner: str | None = None
) -> None:
    await registry.add(parse_source(url), name, owner, owner or "console:admin")


@pytest.fixture
async def feeds_runtime(
    pg_url: str, redis_url: str, tmp_path: Path, site: FakeFeedServer
) -> AsyncIterator[Runtime]:
    """The fully wired bot, its ARXIV_API_URL and feeds on the local site."""
    settings = test_settings(
        pg_url,
        redis_url,
        tmp_path,
        arxiv_api_url=site.url("/api/query"),
        feed_allow_private_hosts=True,
        feed_host_interval_seconds=0,
        arxiv_interval_seconds=0,
        feed_max_failures=1,
    )
    built = await build_runtime(settings, out=io.StringIO())
    try:
        yield built
    finally:
        await built.close()
