"""Wiring: turn one Settings into connected storage, services, deliverers and the service."""

from __future__ import annotations

import logging
import os
import socket
import sys
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TextIO

import asyncpg
from redis.asyncio import Redis

from bot.console.deliver import ConsoleDeliverer
from bot.deliverers import make_deliverers
from bot.email.wiring import enable_ses
from bot.engagement_wiring import Engagement, build_engagement
from bot.links import SignedLinks
from bot.llm.factory import enable_llm
from bot.settings import Settings, is_configured
from bot.slack.factory import enable_workspace_installs
from bot.sources import enable_sources
from bot.workers import alert_bus, delivery_worker, digest_tick
from core.context import Context
from core.pipeline import DigestPipeline
from core.refine import KeywordRefiner
from core.render import DigestRenderer, default_templates
from core.service import CommandService
from scheduler.delivery import DeliveryWorker
from scheduler.fallback_email import EmailFallbackRenderer
from scheduler.ingest import IngestJob
from scheduler.jobs import Housekeeping
from scheduler.tick import DigestTick
from storage import embedded
from storage.postgres.admin import PgAdminStore
from storage.postgres.channels import PgChannelRepository
from storage.postgres.content import PgContentRepository
from storage.postgres.migrate import migrate
from storage.postgres.outbox import PgOutbox
from storage.postgres.pool import create_pool
from storage.postgres.publications import PgPublicationLedger
from storage.postgres.scheduling import PgScheduling
from storage.postgres.search import PgSearchContentRepository
from storage.postgres.secrets import ensure_secret
from storage.postgres.subscribers import PgSubscriberRepository
from storage.postgres.templates import PgTemplateRepository
from storage.redis.alerts import AlertBus
from storage.redis.client import create_redis
from storage.redis.sessions import RedisSessionStore
from storage.redis.shared_ranks import SharedRanks
from storage.redis.subscriber_cache import CachedSubscriberRepository, InvalidatingLedger
from storage.redis.template_cache import CachedTemplateSource

log = logging.getLogger(__name__)


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


@dataclass
class Runtime:
    settings: Settings
    pool: asyncpg.Pool
    redis: Redis
    ctx: Context
    service: CommandService
    delivery: DeliveryWorker
    tick: DigestTick
    housekeeping: Housekeeping
    outbox: PgOutbox
    channels: PgChannelRepository
    templates: CachedTemplateSource
    links: SignedLinks
    worker_id: str
    alerts: AlertBus | None = None  # operator alerts (alert:*), e.g. failed deliveries
    engagement: Engagement | None = None  # tracking, roll-up, content alerts (issue 6A)
    ingest: IngestJob | None = None  # feed and arXiv ingestion (scheduler.ingest)
    extras: dict[str, Any] = field(default_factory=dict)
    exit_stack: AsyncExitStack = field(default_factory=AsyncExitStack)

    async def close(self) -> None:
        await self.exit_stack.aclose()


def resolve_servers(settings: Settings, out: TextIO) -> tuple[str, str, list[Any]]:
    """Configured servers win; otherwise start the embedded ones and say so in one line."""
    pg_url, redis_url = settings.postgres_url(), settings.redis_server_url()
    handles: list[Any] = []
    started = []
    if pg_url is None:
        pg_url = embedded.start_postgres(settings.digestbot_data_dir / "postgres")
        started.append("PostgreSQL")
    if redis_url is None:
        server = embedded.start_redis(settings.digestbot_data_dir / "redis")
        handles.append(server)
        redis_url = server.url
        started.append("Redis")
    if started:
        print(
            f"Using embedded {' and '.join(started)} with data in {settings.digestbot_data_dir} "
            "(set DATABASE_URL / REDIS_URL to use your own servers).",
            file=out,
            flush=True,
        )
    return pg_url, redis_url, handles


async def signing_key(settings: Settings, pool: asyncpg.Pool) -> bytes:
    """SECRET_KEY when set; otherwise one generated key that every process shares."""
    if is_configured(settings.secret_key):
        return settings.secret_key.get_secret_value().encode()
    return (await ensure_secret(pool, "link-signing-key")).encode()


async def hand_back_claims(scheduling: PgScheduling, worker_id: str) -> None:
    """A worker stopping cleanly frees the digests it claimed for other workers now rather
    than after the lease (the unique slot key makes a repeat harmless either way)."""
    try:
        released = await scheduling.release_worker(worker_id)
    except Exception:  # the database may be going down too: the leases still run out
        log.warning("could not hand back this worker's claims", exc_info=True)
        return
    if released:
        log.info("handed back %d claimed digests", released)


async def build_runtime(settings: Settings, out: TextIO = sys.stdout) -> Runtime:
    stack = AsyncExitStack()
    pg_url, redis_url, handles = resolve_servers(settings, out)
    for handle in handles:
        stack.callback(handle.stop)
    pool = await create_pool(pg_url, max_size=settings.database_pool_size)
    stack.push_async_callback(pool.close)
    await migrate(pool)
    redis = create_redis(redis_url)
    stack.push_async_callback(redis.aclose)

    clock = SystemClock()
    subscribers = CachedSubscriberRepository(redis, PgSubscriberRepository(pool))
    worker_id = f"{socket.gethostname()}:{os.getpid()}"
    # Candidates pre-ranked by full-text search over each subscriber's topics; workers
    # share the ranks through Redis, so each query is ranked once.
    shared_ranks = SharedRanks(redis, worker_id)
    content: PgContentRepository = PgSearchContentRepository(pool, subscribers, shared_ranks)
    publications = PgPublicationLedger(pool)
    ledger = InvalidatingLedger(publications, subscribers)
    template_repo = PgTemplateRepository(pool)
    templates = CachedTemplateSource(redis, template_repo)
    refreshed = await template_repo.seed_defaults(default_templates())
    if refreshed:
        await templates.invalidate(*refreshed)
    outbox = PgOutbox(pool)
    links = SignedLinks(settings.public_base_url, await signing_key(settings, pool))
    deliverers = make_deliverers(settings, redis, out, links)
    deliverers["console"] = ConsoleDeliverer(out)
    for deliverer in deliverers.values():  # real platform clients own HTTP sessions
        if callable(close := getattr(deliverer, "aclose", None)):
            stack.push_async_callback(close)
    enable_workspace_installs(deliverers, settings, redis, pool, subscribers)  # Slack OAuth
    alerts = alert_bus(settings, redis)
    # Templates kept in memory for 30 s: rendering a digest does no I/O (an edit shows
    # within that time).
    renderer = DigestRenderer(templates, cache_seconds=30.0)
    # A chat DM that fails for good goes by email, rendered then with the digest's links.
    fallback = EmailFallbackRenderer(publications, renderer, links)
    delivery = delivery_worker(
        settings, outbox, deliverers, subscribers, clock, worker_id, alerts, fallback
    )
    pipeline = DigestPipeline(content, ledger, renderer, clock, links)
    refiner, pipeline.rescorer = enable_llm(settings, redis, clock, stack, KeywordRefiner())
    scheduling = PgScheduling(pool)
    # Run at shutdown after the jobs have stopped and before the pool closes.
    stack.push_async_callback(hand_back_claims, scheduling, worker_id)
    ctx = Context(
        subscribers=subscribers,
        content=content,
        ledger=ledger,
        sessions=RedisSessionStore(redis),
        refiner=refiner,
        pipeline=pipeline,
        dispatcher=delivery,
        admin=PgAdminStore(pool, subscribers, content, warm_cache=subscribers.warm),
        clock=clock,
        channels=PgChannelRepository(pool),
    )
    enable_ses(settings, ctx, stack)  # background sender check; SES figures in admin stats
    engagement = build_engagement(pool, redis, subscribers, clock, alerts, delivery)
    ingest = enable_sources(settings, pool, redis, ctx, clock, worker_id, stack, alerts)
    return Runtime(
        settings=settings,
        pool=pool,
        redis=redis,
        ctx=ctx,
        service=CommandService(ctx),
        delivery=delivery,
        tick=digest_tick(
            settings, scheduling, pipeline, clock, worker_id, subscribers.invalidate_many, alerts
        ),
        housekeeping=Housekeeping(scheduling, outbox, clock),
        outbox=outbox,
        channels=PgChannelRepository(pool),
        templates=templates,
        links=links,
        worker_id=worker_id,
        alerts=alerts,
        engagement=engagement,
        ingest=ingest,
        exit_stack=stack,
    )
