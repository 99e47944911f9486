"""Housekeeping, and the APScheduler jobs that run tick, delivery and housekeeping."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from core.models import DispatchType
from scheduler.jobs import Housekeeping, Intervals, build_scheduler
from tests.scheduler.conftest import Parts, RecordingDeliverer, eventually


async def test_housekeeping_releases_stale_claims_only(parts: Parts) -> None:
    for n in range(3):
        await parts.add_subscriber(n)
    now = parts.clock.now()
    await parts.pool.execute(
        "UPDATE publishing_subscribers SET claimed_by = 'w',"
        " claimed_until = CASE WHEN platform_user_id = 'user-0' THEN $1::timestamptz"
        " ELSE $2::timestamptz END",
        now - timedelta(seconds=1),
        now + timedelta(minutes=5),
    )

    result = await Housekeeping(parts.scheduling, parts.outbox, parts.clock).run()

    assert result.released == 1
    rows = await parts.fetch(
        "SELECT platform_user_id, claimed_by FROM publishing_subscribers ORDER BY id"
    )
    assert [(r["platform_user_id"], r["claimed_by"]) for r in rows] == [
        ("user-0", None),
        ("user-1", "w"),
        ("user-2", "w"),
    ]


async def test_housekeeping_prunes_finished_rows_past_retention(parts: Parts) -> None:
    await parts.add_content()
    for n in range(5):
        await parts.add_subscriber(n, dispatch=DispatchType.SLACK, email=f"r{n}@example.com")
    await parts.tick().run()
    ids = [r["id"] for r in await parts.fetch("SELECT id FROM delivery_outbox ORDER BY id")]
    states = ["sent", "failed", "suppressed", "reconcile", "pending"]
    for outbox_id, state in zip(ids, states, strict=True):
        await parts.pool.execute(
            "UPDATE delivery_outbox SET state = $2, created_at = $3 WHERE id = $1",
            outbox_id,
            state,
            parts.clock.now() - timedelta(days=40),
        )
    # A young email fallback of the old suppressed row: it stays, the old row may go.
    fallback = await parts.pool.fetchval(
        "INSERT INTO delivery_outbox (destination, address, idempotency_key, fallback_of)"
        " VALUES ('email', 'r2@example.com', 'fallback-2', $1) RETURNING id",
        ids[2],
    )

    result = await Housekeeping(parts.scheduling, parts.outbox, parts.clock).run()

    assert result.pruned == 3  # sent, failed, suppressed
    left = await parts.fetch("SELECT id, state, fallback_of FROM delivery_outbox ORDER BY id")
    assert [(r["id"], r["state"]) for r in left] == [
        (ids[3], "reconcile"),
        (ids[4], "pending"),
        (fallback, "pending"),
    ]
    assert left[2]["fallback_of"] is None


async def test_the_scheduler_runs_tick_and_delivery_and_survives_a_failing_job(
    parts: Parts,
) -> None:
    await parts.add_content()
    await parts.add_subscriber(1, dispatch=DispatchType.EMAIL, email="a@example.com")
    email = RecordingDeliverer("email")
    housekeeping = Housekeeping(parts.scheduling, parts.outbox, parts.clock)
    runs = 0

    async def broken() -> None:
        nonlocal runs
        runs += 1
        raise ConnectionError("database restarting")

    housekeeping.run = broken  # type: ignore[method-assign]
    scheduler = build_scheduler(
        parts.tick(),
        parts.worker({"email": email}),
        housekeeping,
        Intervals(tick_seconds=0.05, drain_seconds=0.05, housekeeping_seconds=0.05),
    )
    states: list[str] = []

    async def record_states() -> None:  # the send is recorded just after it is received
        while True:
            states[:] = [r["state"] for r in await parts.fetch("SELECT state FROM delivery_outbox")]
            await asyncio.sleep(0.05)

    watcher = asyncio.create_task(record_states())
    scheduler.start()
    try:
        await eventually(lambda: bool(email.received) and runs >= 3 and states == ["sent"])
    finally:
        scheduler.shutdown(wait=False)
        watcher.cancel()

    assert [m.address for m in email.received] == ["a@example.com"]
