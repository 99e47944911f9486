"""APScheduler (3.x, asyncio) jobs: the tick, the delivery loop and housekeeping.

APScheduler only ticks; PostgreSQL decides who is due (see scheduler.tick)."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from core.ports import Clock
from scheduler.delivery import DeliveryWorker
from scheduler.tick import DigestTick
from storage.postgres.outbox import PgOutbox
from storage.postgres.scheduling import PgScheduling

log = logging.getLogger(__name__)
OUTBOX_RETENTION = timedelta(days=30)


class Housekeeping:
    def __init__(self, scheduling: PgScheduling, outbox: PgOutbox, clock: Clock) -> None:
        self.scheduling = scheduling
        self.outbox = outbox
        self.clock = clock

    async def run(self) -> None:
        now = self.clock.now()
        released = await self.scheduling.release_stale(now)
        pruned = await self.outbox.prune(now - OUTBOX_RETENTION)
        # Sessions expire by their Redis TTL; nothing to prune there.
        log.info("housekeeping: %s stale claims released, %s outbox rows pruned", released, pruned)


async def _safely(name: str, job) -> None:
    # A failing job (the database restarting, say) must not stop the scheduler.
    try:
        await job()
    except Exception:
        log.exception("scheduled job %s failed; it runs again at its next interval", name)


def build_scheduler(
    tick: DigestTick,
    delivery: DeliveryWorker,
    housekeeping: Housekeeping,
    *,
    tick_seconds: float = 30.0,
    drain_seconds: float = 2.0,
    housekeeping_seconds: float = 600.0,
) -> AsyncIOScheduler:
    scheduler = AsyncIOScheduler()
    jobs = {
        "digest-tick": (tick.run, tick_seconds),
        "delivery": (delivery.drain, drain_seconds),
        "housekeeping": (housekeeping.run, housekeeping_seconds),
    }
    for name, (job, seconds) in jobs.items():
        scheduler.add_job(
            _safely,
            "interval",
            args=[name, job],
            seconds=seconds,
            id=name,
            max_instances=1,
            coalesce=True,
            next_run_time=datetime.now(UTC),  # start at once: catch up after downtime
        )
    return scheduler
