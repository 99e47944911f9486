"""A worker killed (SIGKILL) in the middle of a delivery batch: once its claims expire,
another worker serves what it never started, and nothing is sent twice."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from tests.e2e.workers import (
    Worker,
    email_subscribers,
    make_all_due,
    received,
    until,
    verified_sender,
    worker_env,
)

SUBSCRIBERS = 30
CONCURRENCY = 8  # DeliveryWorker's default: at most this many sends in flight at the kill
pytestmark = pytest.mark.e2e


async def test_a_killed_workers_batch_is_finished_by_another_without_duplicates(
    bot_env: dict[str, str],
    pg_pool: asyncpg.Pool,
    moto_endpoint: str,
    moto_aws: dict[str, str],
    moto_sent_emails: Callable[..., list[Any]],
    tmp_path: Path,
) -> None:
    sender = await verified_sender(moto_aws)
    await email_subscribers(pg_pool, SUBSCRIBERS)
    # Four emails a second (the shared SES bucket) keeps the batch in flight long enough
    # to kill the worker halfway; short leases let the survivor take over quickly.
    env = worker_env(
        bot_env,
        moto_endpoint,
        sender,
        SES_MAX_SEND_RATE="4",
        CLAIM_LEASE_SECONDS="3",
        DELIVERY_LEASE_SECONDS="3",
    )
    first = Worker(env, tmp_path, "first")
    second: Worker | None = None
    try:
        await until(first.ready, 120, "the first worker to start")
        await make_all_due(pg_pool)
        await until(lambda: len(moto_sent_emails(sender)) >= 6, 60, "the first emails")
        first.kill()
        at_kill = len(moto_sent_emails(sender))
        assert at_kill < SUBSCRIBERS, "the worker finished before it could be killed"
        claimed = await pg_pool.fetchval(
            "SELECT count(*) FROM delivery_outbox WHERE claimed_by = $1", first.worker_id
        )
        assert claimed > 0, "the killed worker held no claims"

        second = Worker(env, tmp_path, "second")

        async def settled() -> bool:
            open_rows = await pg_pool.fetchval(
                "SELECT count(*) FROM delivery_outbox WHERE state IN ('pending', 'sending')"
            )
            total = await pg_pool.fetchval("SELECT count(*) FROM delivery_outbox")
            return total == SUBSCRIBERS and open_rows == 0

        await until(settled, 120, "every row to be sent or set aside")
    finally:
        first.stop()
        if second is not None:
            second.stop()

    assert await pg_pool.fetchval("SELECT count(*) FROM publishing_publications") == SUBSCRIBERS
    rows = await pg_pool.fetch("SELECT idempotency_key, state FROM delivery_outbox")
    by_state = Counter(r["state"] for r in rows)
    assert set(by_state) <= {"sent", "reconcile"}
    # Only a send that had begun when the worker died is left for reconciliation.
    assert by_state["reconcile"] <= CONCURRENCY
    got = Counter(key for key, _ in received(moto_sent_emails(sender)))
    assert [key for key, n in got.items() if n > 1] == []  # nothing sent twice
    sent_keys = {r["idempotency_key"] for r in rows if r["state"] == "sent"}
    assert sent_keys <= set(got)
    survivors = await pg_pool.fetchval(
        "SELECT count(*) FROM delivery_attempts WHERE worker = $1 AND outcome = 'sent'",
        second.worker_id,
    )
    assert survivors > 0 and survivors >= SUBSCRIBERS - at_kill - CONCURRENCY
