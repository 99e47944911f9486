"""Wiring for feed and arXiv sources: the registry behind `/digest source` and the
scheduled ingestion job, configured from Settings (ARXIV_API_URL, FEED_*, INGEST_SECONDS)."""

from __future__ import annotations

from contextlib import AsyncExitStack
from datetime import timedelta

import asyncpg
from redis.asyncio import Redis

from bot.settings import Settings
from core.context import Context
from core.ports import Clock
from scheduler.feeds.fetch import FeedFetcher, FetchLimits
from scheduler.ingest import IngestConfig, IngestJob, Notifier
from storage.postgres.ingest import PgIngestStore
from storage.postgres.sources import PgSourceHealth, PgSourceRegistry
from storage.redis.rate_limit import RedisRateLimiter


def ingest_config(settings: Settings) -> IngestConfig:
    return IngestConfig(
        arxiv_api_url=settings.arxiv_api_url,
        poll=timedelta(minutes=settings.feed_poll_minutes),
        max_failures=settings.feed_max_failures,
        host_interval_seconds=settings.feed_host_interval_seconds,
        arxiv_interval_seconds=settings.arxiv_interval_seconds,
        every_seconds=settings.ingest_seconds,
    )


def fetch_limits(settings: Settings) -> FetchLimits:
    return FetchLimits(
        timeout_seconds=settings.feed_timeout_seconds,
        max_bytes=settings.feed_max_bytes,
        max_redirects=settings.feed_max_redirects,
        allow_private_hosts=settings.feed_allow_private_hosts,
    )


def enable_sources(
    settings: Settings,
    pool: asyncpg.Pool,
    redis: Redis,
    ctx: Context,
    clock: Clock,
    worker_id: str,
    stack: AsyncExitStack,
    alerts: Notifier | None = None,
) -> IngestJob:
    """Give `/digest source` its registry and return the ingestion job for the scheduler."""
    ctx.sources = PgSourceRegistry(pool)
    fetcher = FeedFetcher(fetch_limits(settings))
    stack.push_async_callback(fetcher.close)
    return IngestJob(
        PgSourceHealth(pool),
        PgIngestStore(pool),
        fetcher,
        clock,
        worker_id,
        ingest_config(settings),
        pacer=RedisRateLimiter(redis),
        alerts=alerts,
    )
