"""Wiring for engagement and alerts: tracking counters, the roll-up, the alert scanner,
and the listeners every bot process runs to deliver alerts it can reach."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Mapping
from dataclasses import dataclass

import asyncpg
from redis.asyncio import Redis

from bot.stopping import stop
from core.ports import Clock, Deliverer
from scheduler.alert_delivery import AlertListener
from scheduler.alerts import AlertScanner
from scheduler.delivery import DeliveryWorker
from scheduler.provider_watch import ProviderWatch, chain
from scheduler.rollup import EngagementRollup, Subscribers
from storage.postgres.alert_log import PgAlertLog
from storage.postgres.engagement import PgEngagementStore
from storage.redis.alerts import AlertBus
from storage.redis.engagement import EngagementCounters


@dataclass
class Engagement:
    counters: EngagementCounters  # engagement:* in Redis, counted at once
    store: PgEngagementStore
    rollup: EngagementRollup
    scanner: AlertScanner
    content_alerts: AlertBus  # a channel of its own: consoles print the operator channel
    ops_alerts: AlertBus


def content_channel(ops_alerts: AlertBus) -> str:
    return f"{ops_alerts.channel}:content"


def build_engagement(
    pool: asyncpg.Pool,
    redis: Redis,
    subscribers: Subscribers,
    clock: Clock,
    ops_alerts: AlertBus,
    delivery: DeliveryWorker,
) -> Engagement:
    """Everything engagement and alerts need; also hooks the provider-down watch into
    the delivery worker's failure hook."""
    delivery.on_failure = chain(delivery.on_failure, ProviderWatch(ops_alerts, redis, clock))
    counters, store = EngagementCounters(redis), PgEngagementStore(pool)
    content_alerts = AlertBus(redis, content_channel(ops_alerts))
    return Engagement(
        counters=counters,
        store=store,
        rollup=EngagementRollup(counters, store, subscribers, clock),
        scanner=AlertScanner(PgAlertLog(pool), content_alerts, redis, clock),
        content_alerts=content_alerts,
        ops_alerts=ops_alerts,
    )


def alert_listeners(
    engagement: Engagement,
    deliverers: Mapping[str, Deliverer],
    worker_id: str,
    clock: Clock,
    admins: list[str],
    console_user: str | None,
) -> list[AlertListener]:
    """A content listener, and an operational one for admins on chat platforms (a
    console's admin already sees operator alerts through bot.console.alerts)."""
    listeners = [
        AlertListener(
            engagement.content_alerts, deliverers, worker_id, clock, console_user=console_user
        )
    ]
    chat_admins = [a for a in admins if not a.startswith("console:")]
    if chat_admins:
        listeners.append(
            AlertListener(engagement.ops_alerts, deliverers, worker_id, clock, admins=chat_admins)
        )
    return listeners


async def run_listeners(listeners: list[AlertListener], stack: contextlib.AsyncExitStack) -> None:
    """Start each listener as a task, stopped when the stack closes."""
    for listener in listeners:
        task = asyncio.create_task(listener.run(), name="alert-listener")
        stack.push_async_callback(stop, task)
