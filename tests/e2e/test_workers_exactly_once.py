"""Three `digestbot worker` processes, one database, 500 due subscribers: every digest is
assembled once and delivered once, as the outbox and the destination (moto SES) both show."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from tests.e2e.workers import (
    email_subscribers,
    make_all_due,
    received,
    until,
    verified_sender,
    worker_env,
    workers,
)

SUBSCRIBERS = 500
pytestmark = pytest.mark.e2e


async def test_three_workers_deliver_every_digest_exactly_once(
    bot_env: dict[str, str],
    pg_pool: asyncpg.Pool,
    moto_endpoint: str,
    moto_aws: dict[str, str],
    moto_sent_emails: Callable[..., list[Any]],
    tmp_path: Path,
) -> None:
    sender = await verified_sender(moto_aws)
    addresses = await email_subscribers(pg_pool, SUBSCRIBERS)
    env = worker_env(
        bot_env,
        moto_endpoint,
        sender,
        TICK_BATCH_SIZE="50",
        DELIVERY_BATCH_SIZE="25",
        SES_MAX_SEND_RATE="1000",
    )

    with workers(3, env, tmp_path) as running:
        await until(lambda: all(w.ready() for w in running), 120, "three workers to start")
        await make_all_due(pg_pool)

        async def all_sent() -> bool:
            query = "SELECT count(*) FROM delivery_outbox WHERE state = 'sent'"
            return await pg_pool.fetchval(query) >= SUBSCRIBERS

        await until(all_sent, 240, "500 digests to be sent")
        await until(lambda: len(moto_sent_emails(sender)) >= SUBSCRIBERS, 10, "SES to settle")
        worker_ids = {w.worker_id for w in running}

    # The outbox: one publication and one sent row per subscriber, nothing else.
    publications = await pg_pool.fetch(
        "SELECT subscriber_id, count(*) AS n FROM publishing_publications GROUP BY 1"
    )
    assert len(publications) == SUBSCRIBERS, len(publications)
    assert {r["n"] for r in publications} == {1}
    rows = await pg_pool.fetch("SELECT idempotency_key, state, address FROM delivery_outbox")
    assert len(rows) == SUBSCRIBERS, Counter(r["state"] for r in rows)
    assert {r["state"] for r in rows} == {"sent"}, Counter(r["state"] for r in rows)
    keys = {r["idempotency_key"] for r in rows}
    assert len(keys) == SUBSCRIBERS
    sends = await pg_pool.fetch(
        "SELECT outbox_id, count(*) AS n, min(worker) AS worker FROM delivery_attempts"
        " WHERE outcome = 'sent' GROUP BY 1"
    )
    assert len(sends) == SUBSCRIBERS and {r["n"] for r in sends} == {1}, Counter(
        r["n"] for r in sends
    )

    # The destination: every address got its digest, and no idempotency key came twice.
    got = received(moto_sent_emails(sender))
    duplicates = [key for key, n in Counter(key for key, _ in got).items() if n > 1]
    assert duplicates == []
    assert {key for key, _ in got} == keys
    assert sorted(to for _, to in got) == sorted(addresses)

    # The work was shared: more than one process delivered.
    delivered_by = {r["worker"] for r in sends}
    assert delivered_by <= worker_ids and len(delivered_by) >= 2, (delivered_by, worker_ids)
