"""Who is due: claiming subscribers and channels for the scheduler tick, and releasing them.

A claim is a lease (claimed_by, claimed_until) taken with FOR UPDATE SKIP LOCKED, so any
number of workers take disjoint batches and a worker that dies frees its batch when the
lease runs out. Recording the digest (storage.postgres.publications) ends the claim."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

import asyncpg

from core.models import Channel, FrequencySettings, Subscriber
from storage.postgres.channels import channel_from_row
from storage.postgres.queries import default_queries
from storage.postgres.subscribers import subscriber_from_row

_Q = default_queries()


def _count(status: str) -> int:
    return int(status.split()[-1])


class PgScheduling:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def claim_due(
        self, worker: str, now: datetime, limit: int, lease_seconds: float
    ) -> list[Subscriber]:
        rows = await self._pool.fetch(_Q.claim_due_subscribers, worker, now, lease_seconds, limit)
        return [subscriber_from_row(row) for row in rows]

    async def claim_due_channels(
        self, worker: str, now: datetime, limit: int, lease_seconds: float
    ) -> list[Channel]:
        rows = await self._pool.fetch(_Q.claim_due_channels, worker, now, lease_seconds, limit)
        return [channel_from_row(row) for row in rows]

    async def release(self, subscriber_id: int, next_due_at: datetime, worker: str) -> None:
        """End this worker's claim without a new digest, moving the subscriber's next slot."""
        await self._pool.execute(_Q.release_subscriber_claim, subscriber_id, next_due_at, worker)

    async def record_failures(
        self,
        failures: Sequence[tuple[int, str]],
        now: datetime,
        lease_seconds: float,
        worker: str,
        *,
        channels: bool = False,
    ) -> dict[int, int]:
        """Note (subscriber or channel id, error) digests that could not be assembled: each
        keeps its slot and claim, held longer per failure in a row. Returns id -> failures
        in a row."""
        if not failures:
            return {}
        ids, errors = zip(*failures, strict=True)
        query = _Q.record_channel_assembly_failures if channels else _Q.record_assembly_failures
        rows = await self._pool.fetch(query, list(ids), list(errors), now, lease_seconds, worker)
        return {int(row["id"]): int(row["assembly_failures"]) for row in rows}

    async def release_channel(self, channel_id: int, next_due_at: datetime, worker: str) -> None:
        await self._pool.execute(_Q.release_channel_claim, channel_id, next_due_at, worker)

    async def release_worker(self, worker: str) -> int:
        """Hand back every claim this worker holds (it is stopping), but those held back
        after failing to assemble; returns how many."""
        subscribers = await self._pool.execute(_Q.release_worker_subscriber_claims, worker)
        channels = await self._pool.execute(_Q.release_worker_channel_claims, worker)
        return _count(subscribers) + _count(channels)

    async def release_stale(self, now: datetime) -> int:
        """Clear claims whose lease ran out (subscribers and channels); returns how many."""
        subscribers = await self._pool.execute(_Q.release_stale_subscriber_claims, now)
        channels = await self._pool.execute(_Q.release_stale_channel_claims, now)
        return _count(subscribers) + _count(channels)

    async def resume_expired_pauses(
        self, now: datetime, next_due: Callable[[FrequencySettings, datetime], datetime]
    ) -> list[int]:
        """Reactivate subscribers whose pause ended; returns their ids."""
        resumed = []
        for row in await self._pool.fetch(_Q.expired_pauses, now):
            settings = FrequencySettings.model_validate(row["frequency_settings"])
            done = await self._pool.fetchval(
                _Q.resume_subscriber, row["id"], next_due(settings, now)
            )
            if done is not None:
                resumed.append(int(done))
        return resumed
