"""Engagement rolled up into PostgreSQL: the events table, and what the learning reads."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import asyncpg

from core.learning import Rates, Signal
from core.models import LearnedPreferences
from storage.postgres.queries import default_queries

_Q = default_queries()


def subscriber_of(person: str) -> int | None:
    """The subscriber id a tracked link's person names (`"42"`), else None."""
    return int(person) if person.isdigit() else None


def _event_args(event: dict[str, Any], subscriber_id: int | None) -> tuple[Any, ...]:
    return (
        event["kind"],
        int(event["publication_id"]),
        int(event["item_id"]),
        str(event["person"]),
        subscriber_id,
        datetime.fromisoformat(event["at"]),
    )


class PgEngagementStore:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def store_events(
        self, events: Sequence[dict[str, Any]], subscribers: Mapping[str, int | None]
    ) -> None:
        """Insert drained Redis events in one transaction; repeats change nothing.

        `subscribers` maps each event's person to the subscriber behind it (or None)."""
        rows = [_event_args(e, subscribers.get(str(e["person"]))) for e in events]
        if not rows:
            return
        async with self._pool.acquire() as conn, conn.transaction():
            await conn.executemany(_Q.insert_engagement_event, rows)

    async def rates(self, subscriber_id: int, since: datetime) -> Rates:
        """Digests delivered to this subscriber since `since`, and how many were opened
        and clicked."""
        row = await self._pool.fetchrow(_Q.subscriber_engagement_rates, subscriber_id, since)
        assert row is not None
        return Rates(delivered=row["delivered"], opened=row["opened"], clicked=row["clicked"])

    async def signals(self, subscriber_id: int, since: datetime) -> list[Signal]:
        """Everything this subscriber did since `since`, oldest first."""
        rows = await self._pool.fetch(_Q.subscriber_engagement_signals, subscriber_id, since)
        return [
            Signal(
                kind=row["kind"],
                source=row["source"],
                topics=tuple(row["topics"] or ()),
                item_id=row["content_id"],
            )
            for row in rows
        ]

    async def set_learned_preferences(
        self, subscriber_id: int, learned: LearnedPreferences
    ) -> None:
        """Replace only ai_metadata.learned_preferences (callers drop cached copies)."""
        await self._pool.execute(
            _Q.set_learned_preferences, subscriber_id, learned.model_dump(mode="json")
        )

    async def publication_items(self, publication_id: int) -> list[int]:
        """The content ids a publication carried, in rank order."""
        rows = await self._pool.fetch(_Q.publication_content_ids, publication_id)
        return [row["content_id"] for row in rows]

    async def item_url(self, content_id: int) -> str | None:
        """The url stored for an item: the only place a tracked click may lead."""
        url: str | None = await self._pool.fetchval(_Q.content_url, content_id)
        return url

    async def counts(self) -> dict[str, int]:
        """Stored events per kind (every kind present)."""
        counts = dict.fromkeys(("open", "click", "like", "dislike"), 0)
        for row in await self._pool.fetch(_Q.count_engagement_events):
            counts[row["kind"]] = row["n"]
        return counts
