"""Subscriber profiles in `publishing_subscribers` (implements core.ports.SubscriberRepository)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import asyncpg

from core.models import Subscriber, SubscriberStatus
from storage.postgres.queries import default_queries

_Q = default_queries()


def subscriber_from_row(row: Mapping[str, Any]) -> Subscriber:
    # Extra columns (claimed_by, updated_at, ...) are scheduler bookkeeping; pydantic drops them.
    return Subscriber.model_validate(dict(row))


class PgSubscriberRepository:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def get(self, subscriber_id: int) -> Subscriber | None:
        row = await self._pool.fetchrow(_Q.get_subscriber, subscriber_id)
        return subscriber_from_row(row) if row else None

    async def find_by_identity(self, platform: str, platform_user_id: str) -> Subscriber | None:
        row = await self._pool.fetchrow(_Q.find_subscriber_by_identity, platform, platform_user_id)
        return subscriber_from_row(row) if row else None

    async def save(self, subscriber: Subscriber) -> Subscriber:
        """Insert or update by (platform, platform_user_id); returns the stored row."""
        s = subscriber
        row = await self._pool.fetchrow(
            _Q.save_subscriber,
            s.name,
            s.email,
            s.dispatch_type.value,
            s.platform,
            s.platform_user_id,
            s.slack_team_id,
            s.status.value,
            s.frequency.value,
            s.frequency_settings.model_dump(mode="json"),
            s.ai_metadata.model_dump(mode="json"),
            s.paused_until,
            s.last_digest_at,
            s.next_due_at,
            s.last_outcome,
        )
        return subscriber_from_row(row)

    async def count_by_status(self) -> dict[str, int]:
        """Subscribers per status; every status is present, zero when nobody has it."""
        counts = {status.value: 0 for status in SubscriberStatus}
        for row in await self._pool.fetch(_Q.count_subscribers_by_status):
            counts[row["status"]] = row["n"]
        return counts

    async def list_page(self, limit: int, offset: int = 0) -> list[Subscriber]:
        """Subscribers in id order, for admin listings and batch jobs."""
        rows = await self._pool.fetch(_Q.list_subscribers_page, limit, offset)
        return [subscriber_from_row(row) for row in rows]

    async def set_next_due(self, subscriber_id: int, next_due_at: datetime | None) -> None:
        """Move a subscriber's next digest (after a settings change or a pause)."""
        await self._pool.execute(_Q.set_subscriber_next_due, subscriber_id, next_due_at)
