"""Wiring for the scheduler side: the tick, the delivery worker, alerts and job intervals,
each configured from Settings (TICK_SECONDS, CLAIM_LEASE_SECONDS, ...)."""

from __future__ import annotations

from collections.abc import Mapping

from redis.asyncio import Redis

from bot.settings import Settings
from core.pipeline import DigestPipeline
from core.ports import Clock, Deliverer, SubscriberRepository
from scheduler.alerting import delivery_alerts, stuck_digest_alerts
from scheduler.delivery import DeliveryWorker
from scheduler.fallback_email import FallbackRenderer
from scheduler.jobs import Intervals
from scheduler.tick import DigestTick, Invalidate
from storage.postgres.outbox import PgOutbox
from storage.postgres.scheduling import PgScheduling
from storage.redis.alerts import AlertBus


def alert_bus(settings: Settings, redis: Redis) -> AlertBus:
    """The operator alert bus. Pub/sub ignores the database index, so by default each
    Redis database gets its own channel: deployments sharing a server stay apart."""
    db = redis.connection_pool.connection_kwargs.get("db", 0)
    return AlertBus(redis, settings.alerts_channel or f"alerts:db{db}")


def delivery_worker(
    settings: Settings,
    outbox: PgOutbox,
    deliverers: Mapping[str, Deliverer],
    subscribers: SubscriberRepository,
    clock: Clock,
    worker_id: str,
    alerts: AlertBus,
    render_fallback: FallbackRenderer | None = None,
) -> DeliveryWorker:
    return DeliveryWorker(
        outbox,
        deliverers,
        subscribers,
        clock,
        worker_id,
        batch_size=settings.delivery_batch_size,
        lease_seconds=settings.delivery_lease_seconds,
        on_failure=delivery_alerts(alerts, clock),
        render_fallback=render_fallback,
    )


def digest_tick(
    settings: Settings,
    scheduling: PgScheduling,
    pipeline: DigestPipeline,
    clock: Clock,
    worker_id: str,
    invalidate: Invalidate | None = None,
    alerts: AlertBus | None = None,
) -> DigestTick:
    return DigestTick(
        scheduling,
        pipeline,
        clock,
        worker_id,
        batch_size=settings.tick_batch_size,
        lease_seconds=settings.claim_lease_seconds,
        invalidate=invalidate,
        on_stuck=stuck_digest_alerts(alerts, clock) if alerts is not None else None,
    )


def intervals(settings: Settings) -> Intervals:
    return Intervals(
        tick_seconds=settings.tick_seconds,
        drain_seconds=settings.drain_seconds,
        housekeeping_seconds=settings.housekeeping_seconds,
        rollup_seconds=settings.rollup_seconds,
        alert_scan_seconds=settings.alert_scan_seconds,
    )
