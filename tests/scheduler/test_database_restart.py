"""PostgreSQL restarting under a running worker: every connection is cut, as a restart or
failover cuts them, again and again while digests are assembled and sent. Jobs fail and
log, the next runs reconnect, every digest is published once, and no email goes twice:
one whose send was cut off before its outcome was written waits for reconciliation."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import asyncpg

from core.models import DispatchType
from scheduler.delivery import DeliveryWorker, RetryPolicy
from scheduler.jobs import Housekeeping, Intervals, build_scheduler
from scheduler.tick import DigestTick
from tests.scheduler.conftest import Parts, RecordingDeliverer

READERS = 60
LEASE = 3.0  # real seconds: claims cut off mid-batch come back after this


class RealClock:
    """Leases must run out in real time here, while the jobs run on their own."""

    def now(self) -> datetime:
        return datetime.now(UTC)


async def _fetch(pg_url: str, sql: str) -> list[asyncpg.Record]:
    """Read on a connection of the test's own, not one from the pool being cut."""
    conn = await asyncpg.connect(pg_url)
    try:
        return await conn.fetch(sql)
    finally:
        await conn.close()


async def _cut_every_connection(pg_url: str) -> int:
    """What a restart does to clients: every other session on the database is ended."""
    conn = await asyncpg.connect(pg_url)
    try:
        return int(
            await conn.fetchval(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        )
    finally:
        await conn.close()


async def test_a_database_restart_mid_run_loses_no_digest_and_sends_none_twice(
    parts: Parts, pg_url: str
) -> None:
    await parts.add_content(30)
    due = parts.clock.now() - timedelta(minutes=1)
    for n in range(READERS):
        await parts.add_subscriber(n, due=due, dispatch=DispatchType.EMAIL, email=f"r{n}@x.org")
    email = RecordingDeliverer("email")  # no idempotency of its own, unlike Discord
    clock = RealClock()
    tick = DigestTick(parts.scheduling, parts.pipeline, clock, "worker-a",
                      batch_size=10, lease_seconds=LEASE)  # fmt: skip
    delivery = DeliveryWorker(parts.outbox, {"email": email}, parts.subscribers, clock,
                              "worker-a", policy=RetryPolicy(), lease_seconds=LEASE)  # fmt: skip
    scheduler = build_scheduler(
        tick,
        delivery,
        Housekeeping(parts.scheduling, parts.outbox, clock),
        Intervals(tick_seconds=0.05, drain_seconds=0.05, housekeeping_seconds=0.5),
    )
    scheduler.start()
    cut = 0
    try:
        for _ in range(10):  # cut every connection, again and again, while work goes on
            await asyncio.sleep(0.1)
            cut += await _cut_every_connection(pg_url)

        async def settled() -> bool:
            [row] = await _fetch(pg_url,
                "SELECT count(*) FILTER (WHERE state IN ('sent', 'reconcile')) AS done, "
                "count(*) AS n FROM delivery_outbox")  # fmt: skip
            return row["n"] == READERS and row["done"] == READERS

        for _ in range(300):  # every row sent, or set aside as its outcome is unknown
            if await settled():
                break
            await asyncio.sleep(0.1)
        await asyncio.sleep(0.5)  # room for a duplicate to show up
    finally:
        scheduler.shutdown(wait=False)

    assert cut > 0  # the connections really were cut
    publications = await _fetch(pg_url, "SELECT subscriber_id FROM publishing_publications")
    assert len(publications) == len({r["subscriber_id"] for r in publications}) == READERS
    sent = [m.address for m in email.received]
    assert len(sent) == len(set(sent))  # nobody got an email twice
    rows = await _fetch(pg_url, "SELECT address, state FROM delivery_outbox")
    assert {r["state"] for r in rows} <= {"sent", "reconcile"}
    unknown = {r["address"] for r in rows if r["state"] == "reconcile"}
    assert set(sent) | unknown == {f"r{n}@x.org" for n in range(READERS)}  # none lost
