"""Scored content in `content_items` (implements core.ports.ContentRepository)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import asyncpg

from core.fingerprint import fingerprint
from core.models import ContentItem
from storage.postgres.queries import default_queries

_Q = default_queries()


def content_from_row(row: Mapping[str, Any]) -> ContentItem:
    return ContentItem.model_validate(dict(row))


def upsert_args(item: ContentItem) -> tuple[Any, ...]:
    return (
        item.title,
        item.summary,
        item.url,
        item.source,
        item.content_type,
        item.published_at,
        item.ai_scores.model_dump(mode="json"),
        item.entities.model_dump(mode="json"),
        # Feeds rarely fingerprint; without one, cross-source dedup would miss the item.
        item.fingerprint or fingerprint(item.title),
    )


class PgContentRepository:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def add_many(self, items: Sequence[ContentItem]) -> int:
        """Upsert by url in one transaction; returns how many urls were new."""
        if not items:
            return 0
        async with self._pool.acquire() as conn, conn.transaction():
            rows = await conn.fetchmany(_Q.upsert_content_item, [upsert_args(i) for i in items])
        return sum(1 for row in rows if row["inserted"])

    async def candidates_for(
        self, subscriber_id: int, since: datetime | None, limit: int
    ) -> list[ContentItem]:
        """Items published after `since` (all when None) never sent to this subscriber,
        newest first. Near-duplicates among the candidates are left to ranking."""
        rows = await self._pool.fetch(_Q.subscriber_candidates, subscriber_id, since, limit)
        return [content_from_row(row) for row in rows]

    async def channel_candidates_for(
        self, channel_id: int, since: datetime | None, limit: int
    ) -> list[ContentItem]:
        """As candidates_for, for a team channel's digest."""
        rows = await self._pool.fetch(_Q.channel_candidates, channel_id, since, limit)
        return [content_from_row(row) for row in rows]

    async def recent(self, limit: int) -> list[ContentItem]:
        """The newest items, for samples and previews."""
        rows = await self._pool.fetch(_Q.recent_content, limit)
        return [content_from_row(row) for row in rows]

    async def count(self) -> int:
        """How many items are stored."""
        return int(await self._pool.fetchval(_Q.count_content))
