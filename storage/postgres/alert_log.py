"""Content alerts in `subscriber_alerts`: who opted in, what is new, what was decided."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

import asyncpg

from core.models import ContentItem, Subscriber
from storage.postgres.content import content_from_row
from storage.postgres.queries import default_queries
from storage.postgres.subscribers import subscriber_from_row

_Q = default_queries()


class PgAlertLog:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def alert_subscribers(self) -> list[Subscriber]:
        """Active subscribers with alerts on."""
        return [subscriber_from_row(row) for row in await self._pool.fetch(_Q.alert_subscribers)]

    async def new_content(self, since: datetime, limit: int) -> list[ContentItem]:
        """Items ingested after `since`, newest first."""
        rows = await self._pool.fetch(_Q.content_created_since, since, limit)
        return [content_from_row(row) for row in rows]

    async def decided(
        self, subscriber_ids: Iterable[int], content_ids: Iterable[int]
    ) -> set[tuple[int, int]]:
        """(subscriber, item) pairs already alerted (or skipped for the daily cap)."""
        rows = await self._pool.fetch(
            _Q.decided_subscriber_alerts, list(subscriber_ids), list(content_ids)
        )
        return {(row["subscriber_id"], row["content_id"]) for row in rows}

    async def claim(self, subscriber_id: int, content_id: int, score: float, at: datetime) -> bool:
        """True for exactly one caller per (subscriber, item): that one decides it."""
        claimed = await self._pool.fetchval(
            _Q.claim_subscriber_alert, subscriber_id, content_id, score, at
        )
        return claimed is not None

    async def set_state(self, subscriber_id: int, content_id: int, state: str) -> None:
        await self._pool.execute(_Q.set_subscriber_alert_state, subscriber_id, content_id, state)

    async def release(self, subscriber_id: int, content_id: int) -> None:
        """Forget a claim whose alert could not be published, so a later scan retries."""
        await self._pool.execute(_Q.release_subscriber_alert, subscriber_id, content_id)
