"""Who is due: claiming subscribers for the scheduler tick, and releasing them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import asyncpg

from core.models import FrequencySettings, Subscriber
from storage.postgres.queries import default_queries
from storage.postgres.subscribers import subscriber_from_row

_Q = default_queries()


class PgScheduling:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def claim_due(
        self, worker: str, now: datetime, limit: int, lease_seconds: float
    ) -> list[Subscriber]:
        rows = await self._pool.fetch(_Q.claim_due_subscribers, worker, now, lease_seconds, limit)
        return [subscriber_from_row(row) for row in rows]

    async def release(self, subscriber_id: int, next_due_at: datetime) -> None:
        await self._pool.execute(_Q.release_subscriber_claim, subscriber_id, next_due_at)

    async def release_stale(self, now: datetime) -> int:
        result = await self._pool.execute(_Q.release_stale_subscriber_claims, now)
        return int(result.split()[-1])

    async def resume_expired_pauses(
        self, now: datetime, next_due: Callable[[FrequencySettings, datetime], datetime]
    ) -> int:
        rows = await self._pool.fetch(_Q.expired_pauses, now)
        for row in rows:
            settings = FrequencySettings.model_validate(row["frequency_settings"])
            await self._pool.execute(_Q.resume_subscriber, row["id"], next_due(settings, now))
        return len(rows)
