"""Admin operations across tables: loading mock data and the operator's figures."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

import asyncpg

from core.models import ContentItem, Subscriber
from core.ports import ContentRepository, SubscriberRepository
from core.schedule import next_due
from storage.postgres.queries import default_queries

_Q = default_queries()


class PgAdminStore:
    def __init__(
        self,
        pool: asyncpg.Pool,
        subscribers: SubscriberRepository,
        content: ContentRepository,
        warm_cache: Any = None,
    ) -> None:
        self._pool = pool
        self._subscribers = subscribers
        self._content = content
        self._warm_cache = warm_cache  # async callable(list[Subscriber]) or None

    async def load_mock(
        self, subscribers: Sequence[Subscriber], items: Sequence[ContentItem]
    ) -> tuple[list[Subscriber], int]:
        new_items = await self._content.add_many(items)
        now = max((i.published_at for i in items), default=None)
        stored = []
        for subscriber in subscribers:
            if subscriber.next_due_at is None and now is not None:
                subscriber.next_due_at = next_due(subscriber.frequency_settings, now)
            stored.append(await self._subscribers.save(subscriber))
        if self._warm_cache is not None:
            await self._warm_cache(stored)
        return stored, new_items

    async def awaiting_reconcile(self, limit: int) -> list[dict[str, Any]]:
        return [dict(r) for r in await self._pool.fetch(_Q.awaiting_reconcile, limit)]

    async def reconcile(self, outbox_id: int, outcome: str, now: datetime) -> bool:
        query = _Q.reconcile_as_sent if outcome == "sent" else _Q.reconcile_for_retry
        return await self._pool.fetchval(query, outbox_id, now) is not None

    async def stats(self, now: datetime) -> dict[str, Any]:
        async with self._pool.acquire() as conn:
            by_status = await conn.fetch(_Q.subscribers_by_status)
            due = await conn.fetchval(_Q.due_before, now + timedelta(hours=1))
            outbox = await conn.fetch(_Q.outbox_by_state)
            failures = await conn.fetch(_Q.failures_by_reason)
            stuck = await conn.fetch(_Q.assembly_failures_by_reason)
            last = await conn.fetch(_Q.last_delivery_per_destination)
            content = await conn.fetchval(_Q.content_count)
        return {
            "subscribers by status": {r["status"]: r["n"] for r in by_status},
            "digests due in the next hour": {"due": due},
            "content items": {"stored": content},
            "outbox by state": {r["state"]: r["n"] for r in outbox},
            "failures by reason": {r["reason"]: r["n"] for r in failures},
            "digests failing to assemble": {r["reason"]: r["n"] for r in stuck},
            "last delivery per destination": {
                r["destination"]: f"{r['last_sent']:%Y-%m-%d %H:%M:%S} UTC" for r in last
            },
        }
