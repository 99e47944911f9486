"""APScheduler (3.x, asyncio) jobs: the tick, the delivery loop and housekeeping.

APScheduler only ticks; PostgreSQL decides who is due (see scheduler.tick)."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from core.ports import Clock
from scheduler.alerts import AlertScanner
from scheduler.delivery import DeliveryWorker
from scheduler.ingest import IngestJob
from scheduler.rollup import EngagementRollup
from scheduler.tick import DigestTick
from storage.postgres.outbox import PgOutbox
from storage.postgres.scheduling import PgScheduling

log = logging.getLogger(__name__)
OUTBOX_RETENTION = timedelta(days=30)


@dataclass
class HousekeepingResult:
    released: int
    pruned: int


class Housekeeping:
    def __init__(
        self,
        scheduling: PgScheduling,
        outbox: PgOutbox,
        clock: Clock,
        *,
        retention: timedelta = OUTBOX_RETENTION,
    ) -> None:
        self.scheduling = scheduling
        self.outbox = outbox
        self.clock = clock
        self.retention = retention

    async def run(self) -> HousekeepingResult:
        """Release claims whose lease ran out and prune finished outbox rows past retention.

        Sessions need nothing: they expire by their Redis TTL."""
        now = self.clock.now()
        released = await self.scheduling.release_stale(now)
        pruned = await self.outbox.prune(now - self.retention)
        if released or pruned:
            log.info("housekeeping: %s stale claims released, %s outbox rows pruned",
                     released, pruned)  # fmt: skip
        return HousekeepingResult(released=released, pruned=pruned)


@dataclass(frozen=True)
class Intervals:
    tick_seconds: float = 30.0
    drain_seconds: float = 2.0
    housekeeping_seconds: float = 600.0
    rollup_seconds: float = 300.0
    alert_scan_seconds: float = 60.0


class _SkippedRunFilter(logging.Filter):
    """A run skipped because the previous one is still going is by design (max_instances=1,
    e.g. a tick serving a big batch), not worth a warning at every interval."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "maximum number of running instances reached" not in record.getMessage()


async def _safely(name: str, job: Callable[[], Awaitable[object]]) -> None:
    # A failing job (the database restarting, say) must not stop the scheduler.
    try:
        await job()
    except Exception:
        log.exception("scheduled job %s failed; it runs again at its next interval", name)


def build_scheduler(
    tick: DigestTick,
    delivery: DeliveryWorker,
    housekeeping: Housekeeping,
    intervals: Intervals | None = None,
    ingest: IngestJob | None = None,
    rollup: EngagementRollup | None = None,
    alert_scan: AlertScanner | None = None,
) -> AsyncIOScheduler:
    """One interval job each; max_instances=1 so a long run is never overlapped by the next."""
    every = intervals or Intervals()
    scheduler = AsyncIOScheduler(timezone=UTC)
    aps_log = logging.getLogger("apscheduler.scheduler")
    if not any(isinstance(f, _SkippedRunFilter) for f in aps_log.filters):
        aps_log.addFilter(_SkippedRunFilter())
    jobs: dict[str, tuple[Callable[[], Awaitable[object]], float]] = {
        "digest-tick": (tick.run, every.tick_seconds),
        "delivery": (delivery.drain_all, every.drain_seconds),
        "housekeeping": (housekeeping.run, every.housekeeping_seconds),
    }
    if ingest is not None:  # feed and arXiv sources
        jobs["ingest"] = (ingest.run, ingest.config.every_seconds)
    if rollup is not None:  # engagement into PostgreSQL and learned preferences
        jobs["engagement-rollup"] = (rollup.run, every.rollup_seconds)
    if alert_scan is not None:  # new content into real-time alerts
        jobs["alert-scan"] = (alert_scan.run, every.alert_scan_seconds)
    for name, (job, seconds) in jobs.items():
        scheduler.add_job(
            _safely,
            "interval",
            args=[name, job],
            seconds=seconds,
            id=name,
            max_instances=1,
            coalesce=True,
            misfire_grace_time=None,  # a late run still runs (once, coalesced)
            next_run_time=datetime.now(UTC),  # start at once: catch up after downtime
        )
    return scheduler
